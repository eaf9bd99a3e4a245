//! Eigenvalues (no eigenvectors) of a dense real symmetric matrix, the path LAPACK's `dsyevd` takes
//! with `jobz = 'N'`:
//!
//! 1. **Blocked Householder tridiagonalisation** `A = Q T Qᵀ` (Dongarra, Hammarling & Sorensen 1989;
//!    LAPACK `dsytrd` / `dlatrd`, lower storage). Column `c` of a panel of `nb` columns is first brought
//!    up to date with the panel's earlier reflectors, then its reflector `H = I − τ v vᵀ` annihilates
//!    `A[c+2.., c]`, and `w = τ (A₂₂ − V Wᵀ − W Vᵀ) v − ½ τ² (vᵀ…v) v` is formed with one symmetric
//!    matrix–vector product on the not-yet-updated trailing matrix. After the panel, the trailing matrix
//!    gets the rank-`2nb` update `A₂₂ ← A₂₂ − V Wᵀ − W Vᵀ` as one matrix product (faer). Per column the
//!    trailing matrix is read once (the product), and written only once per panel.
//! 2. **Root-free symmetric tridiagonal QL/QR** of Pal, Walker & Kahan (LAPACK `dsterf`): implicit
//!    Wilkinson-shifted QL sweeps on the squared off-diagonals, without square roots in the inner loop;
//!    each unreduced block is iterated from its end with the smaller diagonal entry (a QR sweep is a QL
//!    sweep of the reversed block, whose eigenvalues are the same).
//!
//! The working copy of the matrix lives in a [`WorkBuf`] (huge pages on Linux). The matrix is first
//! scaled by a power of two when its largest entry is outside `[2⁻³⁰⁰, 2³⁰⁰]`
//! (exact, undone on the eigenvalues). Everything runs on the calling thread except, when the global
//! faer parallelism allows it, the panel updates; with `faer::Par::Seq` the result is the same on any
//! thread count.

use super::kernels::{axpy, dot, symv_lower, WorkBuf};
use crate::error::{Error, Result};

/// Panel width of the blocked tridiagonalisation.
pub const PANEL: usize = 32;

/// Eigenvalues in ascending order of the symmetric `n × n` matrix whose lower triangle is stored
/// column-major in `a` (entries above the diagonal are never read). `a` must be finite (checked by the
/// caller, [`super::linalg::eigvalsh`]).
pub fn eigenvalues_lower(a: &[f64], n: usize) -> Result<Vec<f64>> {
    assert_eq!(a.len(), n * n);
    if n == 0 {
        return Ok(vec![]);
    }
    let mut m = WorkBuf::from_slice(a);
    // exact power-of-two scaling of badly scaled matrices (keeps the norms below from over/underflow)
    let amax = (0..n)
        .flat_map(|j| m[j * n + j..(j + 1) * n].iter())
        .fold(0.0f64, |s, v| s.max(v.abs()));
    if amax == 0.0 {
        return Ok(vec![0.0; n]);
    }
    let e2 = amax.log2().round() as i32;
    let scale = if !(-300..=300).contains(&e2) {
        let s = 2f64.powi(-e2);
        for j in 0..n {
            for v in &mut m[j * n + j..(j + 1) * n] {
                *v *= s;
            }
        }
        Some(s)
    } else {
        None
    };
    let (mut d, mut e) = tridiagonalize_lower(&mut m, n);
    drop(m);
    tridiagonal_eigenvalues(&mut d, &mut e)?;
    if let Some(s) = scale {
        d.iter_mut().for_each(|v| *v /= s);
    }
    d.sort_by(f64::total_cmp);
    Ok(d)
}

/// Householder reflector (LAPACK `dlarfg`): for `(α, x)` returns `τ` and overwrites `α ← β`,
/// `x ← x / (α − β)` so that `(I − τ v vᵀ)(α, x)ᵀ = (β, 0)ᵀ`, `v = (1, x)`.
fn householder(alpha: &mut f64, x: &mut [f64]) -> f64 {
    let xnorm = dot(x, x).sqrt();
    if xnorm == 0.0 {
        return 0.0;
    }
    let beta = -alpha.hypot(xnorm).copysign(*alpha);
    let tau = (beta - *alpha) / beta;
    let s = 1.0 / (*alpha - beta);
    x.iter_mut().for_each(|v| *v *= s);
    *alpha = beta;
    tau
}

/// Reduces the symmetric matrix (lower triangle of the column-major `n × n` buffer `a`, overwritten) to
/// tridiagonal form; returns the diagonal `d` (length `n`) and off-diagonal `e` (length `n − 1`).
pub fn tridiagonalize_lower(a: &mut [f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n);
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n.saturating_sub(1)];
    if n == 0 {
        return (d, e);
    }
    let mut w = vec![0.0; n * PANEL];
    let mut y = vec![0.0; n];
    let mut i = 0;
    while i + 1 < n {
        let nb = PANEL.min(n - 1 - i);
        let m = n - i;
        panel(a, n, i, nb, &mut e, &mut w[..m * nb], &mut y);
        if i + nb < n {
            rank_update(a, n, i, nb, &w[..m * nb]);
        }
        for j in i..i + nb {
            a[j * n + j + 1] = e[j];
            d[j] = a[j * n + j];
        }
        i += nb;
    }
    d[n - 1] = a[(n - 1) * n + n - 1];
    (d, e)
}

/// Reduces columns `i .. i + nb` of the trailing matrix `A[i.., i..]` (LAPACK `dlatrd`, lower), leaving
/// the reflectors `v` in those columns (unit entries stored explicitly) and the `m × nb` matrix `W`
/// (`m = n − i`, column-major, row `r` ↔ global row `i + r`) in `w`.
fn panel(
    a: &mut [f64],
    n: usize,
    i: usize,
    nb: usize,
    e: &mut [f64],
    w: &mut [f64],
    y: &mut [f64],
) {
    let m = n - i;
    for jj in 0..nb {
        let c = i + jj;
        // bring column c (rows c..n) up to date with the panel's earlier reflectors
        for k in 0..jj {
            let (before, col) = a.split_at_mut(c * n);
            let vk = &before[(i + k) * n..(i + k + 1) * n];
            let colc = &mut col[c..n];
            axpy(-w[k * m + jj], &vk[c..n], colc);
            axpy(-vk[c], &w[k * m + jj..(k + 1) * m], colc);
        }
        // reflector for A[c+1.., c]
        let (head, tail) = a[c * n + c + 1..(c + 1) * n].split_at_mut(1);
        let tau = householder(&mut head[0], tail);
        e[c] = head[0];
        a[c * n + c + 1] = 1.0;
        let len = n - c - 1;
        let (left, right) = a.split_at_mut((c + 1) * n);
        let v = &left[c * n + c + 1..(c + 1) * n];
        let (wpanel, wcol_all) = w.split_at_mut(jj * m);
        let wcol = &mut wcol_all[jj + 1..m];
        if tau == 0.0 {
            wcol.fill(0.0);
            continue;
        }
        // w = A₂₂ v on the trailing matrix A[c+1.., c+1..] (not yet updated by this panel)
        symv_lower(&right[c + 1..], n, len, v, &mut y[..len]);
        wcol.copy_from_slice(&y[..len]);
        // w −= V (Wᵀ v) + W (Vᵀ v) with the panel's earlier columns
        for k in 0..jj {
            let wk = &wpanel[k * m + jj + 1..(k + 1) * m];
            let vk = &left[(i + k) * n + c + 1..(i + k + 1) * n];
            let t1 = dot(wk, v);
            let t2 = dot(vk, v);
            axpy(-t1, vk, wcol);
            axpy(-t2, wk, wcol);
        }
        wcol.iter_mut().for_each(|x| *x *= tau);
        let alpha = -0.5 * tau * dot(wcol, v);
        axpy(alpha, v, wcol);
    }
}

/// `A[i+nb.., i+nb..] −= V Wᵀ + W Vᵀ` on the lower triangle, as one product `[V W] [W V]ᵀ` (faer).
fn rank_update(a: &mut [f64], n: usize, i: usize, nb: usize, w: &[f64]) {
    use faer::linalg::matmul::triangular::{matmul, BlockStructure};
    let m = n - i;
    let r = n - i - nb; // rows of the trailing matrix
    let mut x = WorkBuf::zeroed(r * 2 * nb);
    let mut yv = WorkBuf::zeroed(r * 2 * nb);
    for k in 0..nb {
        let vk = &a[(i + k) * n + i + nb..(i + k + 1) * n];
        let wk = &w[k * m + nb..(k + 1) * m];
        x[k * r..(k + 1) * r].copy_from_slice(vk);
        x[(nb + k) * r..(nb + k + 1) * r].copy_from_slice(wk);
        yv[k * r..(k + 1) * r].copy_from_slice(wk);
        yv[(nb + k) * r..(nb + k + 1) * r].copy_from_slice(vk);
    }
    let off = (i + nb) * n + i + nb;
    let dst = faer::MatMut::from_column_major_slice_with_stride_mut(&mut a[off..], r, r, n);
    let xm = faer::MatRef::from_column_major_slice(&x, r, 2 * nb);
    let ym = faer::MatRef::from_column_major_slice(&yv, r, 2 * nb);
    matmul(
        dst,
        BlockStructure::TriangularLower,
        faer::Accum::Add,
        xm,
        BlockStructure::Rectangular,
        ym.transpose(),
        BlockStructure::Rectangular,
        -1.0,
        faer::get_global_parallelism(),
    );
}

/// Eigenvalues of the 2 × 2 symmetric matrix `[[a, b], [b, c]]` (LAPACK `dlae2`), larger first.
fn eig2(a: f64, b: f64, c: f64) -> (f64, f64) {
    let sm = a + c;
    let adf = (a - c).abs();
    let ab = (b + b).abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        adf * (1.0 + (ab / adf).powi(2)).sqrt()
    } else if adf < ab {
        ab * (1.0 + (adf / ab).powi(2)).sqrt()
    } else {
        ab * std::f64::consts::SQRT_2
    };
    if sm != 0.0 {
        let rt1 = 0.5 * (sm + rt.copysign(sm));
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else {
        (0.5 * rt, -0.5 * rt)
    }
}

/// Eigenvalues (unordered, overwriting `d`) of the symmetric tridiagonal matrix with diagonal `d` and
/// off-diagonal `e` (`e.len() + 1 == d.len()`, destroyed), by the root-free QL/QR iteration of Pal,
/// Walker & Kahan (LAPACK `dsterf`). At most `30 n` sweeps in total; beyond that a typed error with the
/// remaining off-diagonal mass.
pub fn tridiagonal_eigenvalues(d: &mut [f64], e: &mut [f64]) -> Result<()> {
    let n = d.len();
    assert!(e.len() + 1 == n || (n == 0 && e.is_empty()));
    let eps = f64::EPSILON / 2.0;
    let eps2 = eps * eps;
    let safmin = f64::MIN_POSITIVE;
    let ssfmax = (1.0 / safmin).sqrt() / 3.0;
    let ssfmin = safmin.sqrt() / eps2;
    let max_sweeps = 30 * n;
    let mut sweeps = 0;
    let mut l1 = 0;
    while l1 < n {
        if l1 > 0 {
            e[l1 - 1] = 0.0;
        }
        // split off the unreduced block l1 ..= m
        let mut m = l1;
        while m + 1 < n {
            let t = e[m].abs();
            if t == 0.0 {
                break;
            }
            if t <= d[m].abs().sqrt() * d[m + 1].abs().sqrt() * eps {
                e[m] = 0.0;
                break;
            }
            m += 1;
        }
        let (l, lend) = (l1, m);
        l1 = m + 1;
        if lend == l {
            continue;
        }
        let (db, eb) = (&mut d[l..=lend], &mut e[l..lend]);
        let anorm = db
            .iter()
            .chain(eb.iter())
            .fold(0.0f64, |s, v| s.max(v.abs()));
        if anorm == 0.0 {
            continue;
        }
        let scale = if anorm > ssfmax {
            Some(ssfmax / anorm)
        } else if anorm < ssfmin {
            Some(ssfmin / anorm)
        } else {
            None
        };
        if let Some(s) = scale {
            db.iter_mut().chain(eb.iter_mut()).for_each(|v| *v *= s);
        }
        eb.iter_mut().for_each(|v| *v *= *v);
        if db[db.len() - 1].abs() < db[0].abs() {
            // QR from the top = QL of the reversed block
            db.reverse();
            eb.reverse();
        }
        let ok = ql_block(db, eb, eps2, &mut sweeps, max_sweeps);
        if let Some(s) = scale {
            db.iter_mut().for_each(|v| *v /= s);
        }
        if !ok {
            let residual: f64 = eb.iter().map(|v| v.abs().sqrt()).sum();
            return Err(Error::NotConverged {
                what: format!("symmetric tridiagonal QL iteration (n = {n})"),
                iterations: sweeps,
                residual,
                tolerance: eps,
            });
        }
    }
    Ok(())
}

/// Root-free QL sweeps on one unreduced block (`e` holds squared off-diagonals); `false` when the
/// sweep budget runs out.
fn ql_block(
    d: &mut [f64],
    e: &mut [f64],
    eps2: f64,
    sweeps: &mut usize,
    max_sweeps: usize,
) -> bool {
    let lend = d.len() - 1;
    let mut l = 0;
    while l <= lend {
        // look for a small (squared) off-diagonal
        let mut m = l;
        while m < lend {
            if e[m].abs() <= eps2 * (d[m] * d[m + 1]).abs() {
                break;
            }
            m += 1;
        }
        if m < lend {
            e[m] = 0.0;
        }
        let p = d[l];
        if m == l {
            l += 1;
            continue;
        }
        if m == l + 1 {
            let (r1, r2) = eig2(d[l], e[l].sqrt(), d[l + 1]);
            d[l] = r1;
            d[l + 1] = r2;
            e[l] = 0.0;
            l += 2;
            continue;
        }
        if *sweeps == max_sweeps {
            return false;
        }
        *sweeps += 1;
        // Wilkinson shift from the leading 2 x 2 block
        let rte = e[l].sqrt();
        let mut sigma = (d[l + 1] - p) / (2.0 * rte);
        let r = sigma.hypot(1.0);
        sigma = p - rte / (sigma + r.copysign(sigma));
        let (mut c, mut s) = (1.0f64, 0.0f64);
        let mut gamma = d[m] - sigma;
        let mut p = gamma * gamma;
        for i in (l..m).rev() {
            let bb = e[i];
            let r = p + bb;
            if i != m - 1 {
                e[i + 1] = s * r;
            }
            let oldc = c;
            c = p / r;
            s = bb / r;
            let oldgam = gamma;
            let alpha = d[i];
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i + 1] = oldgam + (alpha - gamma);
            p = if c != 0.0 {
                gamma * gamma / c
            } else {
                oldc * bb
            };
        }
        e[l] = s * p;
        d[l] = sigma + gamma;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{normals, stream};

    /// Symmetric `n × n` Gaussian (GOE-like) matrix, column-major, both triangles filled.
    fn sym_matrix(n: usize, seed: u64) -> Vec<f64> {
        let g = normals(&mut stream(seed, n as u64), n * n);
        let mut a = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..n {
                a[i + j * n] = g[i.max(j) + i.min(j) * n];
            }
        }
        a
    }

    fn nalgebra_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
        let m = nalgebra::DMatrix::from_column_slice(n, n, a);
        let mut ev: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
        ev.sort_by(f64::total_cmp);
        ev
    }

    fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
        let top = b.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
            / top
    }

    #[test]
    fn agrees_with_nalgebra_on_random_matrices() {
        // sizes around the panel width and its multiples, and past the 200 switch of eigvalsh
        for &n in &[1usize, 2, 3, 5, 31, 32, 33, 64, 65, 97, 130, 257] {
            let a = sym_matrix(n, 7);
            let ev = eigenvalues_lower(&a, n).unwrap();
            let r = nalgebra_eigenvalues(&a, n);
            assert!(ev.windows(2).all(|w| w[0] <= w[1]));
            assert!(
                max_rel_diff(&ev, &r) < 1e-12,
                "n = {n}: {}",
                max_rel_diff(&ev, &r)
            );
            // trace invariance
            let tr: f64 = (0..n).map(|i| a[i * n + i]).sum();
            let s: f64 = ev.iter().sum();
            assert!((s - tr).abs() < 1e-11 * n as f64);
        }
    }

    #[test]
    fn wishart_agrees_with_nalgebra_and_faer() {
        let n = 300;
        let x = normals(&mut stream(3, 0), n * n);
        let w = crate::models::mp::gram_scaled(&x, n, n, 1.0 / n as f64);
        let ev = super::super::linalg::eigvalsh(&w, n).unwrap();
        assert!(max_rel_diff(&ev, &nalgebra_eigenvalues(&w, n)) < 1e-12);
        let ev_faer = super::super::linalg::eigvalsh_faer(&w, n).unwrap();
        assert!(max_rel_diff(&ev, &ev_faer) < 1e-12);
        // upper triangle is never read
        let mut lower = w.clone();
        for j in 0..n {
            for i in 0..j {
                lower[i + j * n] = 0.0;
            }
        }
        assert_eq!(eigenvalues_lower(&lower, n).unwrap(), ev);
    }

    #[test]
    fn same_bits_on_any_thread_count() {
        faer::set_global_parallelism(faer::Par::Seq);
        let mats: Vec<Vec<f64>> = (0..4).map(|s| sym_matrix(230, s)).collect();
        let run = |threads: usize| -> Vec<Vec<f64>> {
            use rayon::prelude::*;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                mats.par_iter()
                    .map(|a| super::super::linalg::eigvalsh(a, 230).unwrap())
                    .collect()
            })
        };
        let one = run(1);
        let two = run(2);
        for (a, b) in one.iter().zip(&two) {
            assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    #[test]
    fn tridiagonal_toeplitz_closed_form() {
        // diag a, off-diagonal b: eigenvalues a + 2 b cos(kπ/(n+1)), k = 1..n
        for &(n, a, b) in &[
            (1usize, 2.0, 1.0),
            (2, 1.0, -3.0),
            (50, 0.5, 1.0),
            (400, -1.0, 0.25),
        ] {
            let mut d = vec![a; n];
            let mut e = vec![b; n - 1];
            tridiagonal_eigenvalues(&mut d, &mut e).unwrap();
            d.sort_by(f64::total_cmp);
            let mut r: Vec<f64> = (1..=n)
                .map(|k| a + 2.0 * b * (k as f64 * std::f64::consts::PI / (n as f64 + 1.0)).cos())
                .collect();
            r.sort_by(f64::total_cmp);
            assert!(max_rel_diff(&d, &r) < 1e-13, "n = {n}");
        }
    }

    #[test]
    fn graded_tridiagonal_both_directions() {
        // strongly graded: the QR (reversed) branch runs for one order, QL for the other
        let n = 40;
        let d0: Vec<f64> = (0..n).map(|i| 10f64.powi(-(i as i32) / 4)).collect();
        let e0: Vec<f64> = (0..n - 1)
            .map(|i| 0.3 * 10f64.powi(-(i as i32) / 4))
            .collect();
        let dense = |d: &[f64], e: &[f64]| {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                a[i * n + i] = d[i];
                if i + 1 < n {
                    a[i * n + i + 1] = e[i];
                    a[(i + 1) * n + i] = e[i];
                }
            }
            nalgebra_eigenvalues(&a, n)
        };
        let r = dense(&d0, &e0);
        for rev in [false, true] {
            let (mut d, mut e) = (d0.clone(), e0.clone());
            if rev {
                d.reverse();
                e.reverse();
            }
            tridiagonal_eigenvalues(&mut d, &mut e).unwrap();
            d.sort_by(f64::total_cmp);
            assert!(max_rel_diff(&d, &r) < 1e-13);
        }
    }

    #[test]
    fn scaling_is_exact_and_degenerate_inputs() {
        let n = 70;
        let a = sym_matrix(n, 11);
        let ev = eigenvalues_lower(&a, n).unwrap();
        for p in [-400, 400] {
            let s = 2f64.powi(p);
            let b: Vec<f64> = a.iter().map(|v| v * s).collect();
            let evb = eigenvalues_lower(&b, n).unwrap();
            assert!(ev
                .iter()
                .zip(&evb)
                .all(|(x, y)| (x * s).to_bits() == y.to_bits()));
        }
        assert_eq!(eigenvalues_lower(&[0.0; 9], 3).unwrap(), vec![0.0; 3]);
        assert_eq!(eigenvalues_lower(&[], 0).unwrap(), Vec::<f64>::new());
        // identity and a diagonal matrix: exact
        let mut id = vec![0.0; 25];
        (0..5).for_each(|i| id[i * 6] = (5 - i) as f64);
        assert_eq!(
            eigenvalues_lower(&id, 5).unwrap(),
            vec![1.0, 2.0, 3.0, 4.0, 5.0]
        );
    }
}
