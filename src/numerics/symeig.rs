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
