//! Diagnostic of the deep NTK law's approximations for the ReLU centred at every layer
//! (docs/models/ntk-deep.md, "A ReLU centred at every layer"): on sampled networks, each term
//! `CK_{ℓ−1} ∘ B_ℓ` of (N1) against its replacement `O_ℓ CK_{ℓ−1} + (D_ℓ − O_ℓ) q_{ℓ−1} I` of (N3),
//! and the spectrum of the sampled `Θ` and of `Θ̃ = r_+ I + Σ τ_ℓ CK_ℓ` built from the same sampled
//! CKs, both against the law.
//!
//! `cargo run --release --features examples --example ntk_deep_diag -- [n] [depth] [draws] [activation]`
//! (defaults 800, 3, 1, relu; `d = n`, `N_ℓ = 1.5 n`, `σ_w² = σ_v² = 1`, seed 1, centred).

use faer::Mat;
use nnlimits::model::SpectralModel;
use nnlimits::models::deep::ntk::DeepNtk;
use nnlimits::models::deep::ntk_sampler::DeepNtkSampler;
use nnlimits::models::fim::Activation;
use nnlimits::numerics::linalg::eigvalsh;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::stats::ks_distance;

fn eig(m: &Mat<f64>) -> nnlimits::Result<Vec<f64>> {
    let n = m.nrows();
    let data: Vec<f64> = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| 0.5 * (m[(i, j)] + m[(j, i)]))
        .collect();
    eigvalsh(&data, n)
}

fn frob(m: &Mat<f64>) -> f64 {
    let n = m.nrows();
    let mut s = 0.0;
    for j in 0..n {
        for i in 0..n {
            s += m[(i, j)] * m[(i, j)];
        }
    }
    (s / n as f64).sqrt()
}

/// Frobenius inner product / n.
fn dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let n = a.nrows();
    let mut s = 0.0;
    for j in 0..n {
        for i in 0..n {
            s += a[(i, j)] * b[(i, j)];
        }
    }
    s / n as f64
}

/// Two-sample KS distance of sorted samples.
fn ks2(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            i += 1;
        } else {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// Least-squares coefficients of `target` on `basis` (Frobenius), with the residual's norm.
fn fit(target: &Mat<f64>, basis: &[&Mat<f64>]) -> (Vec<f64>, f64) {
    let k = basis.len();
    let g = nalgebra::DMatrix::from_fn(k, k, |i, j| dot(basis[i], basis[j]));
    let r = nalgebra::DVector::from_fn(k, |i, _| dot(basis[i], target));
    let c = g
        .lu()
        .solve(&r)
        .map(|c| c.iter().copied().collect::<Vec<_>>())
        .unwrap_or(vec![f64::NAN; k]);
    let n = target.nrows();
    let res = Mat::from_fn(n, n, |i, j| {
        target[(i, j)]
            - basis
                .iter()
                .zip(&c)
                .map(|(b, c)| c * b[(i, j)])
                .sum::<f64>()
    });
    (c, frob(&res))
}

/// CDF of `law ⊞ semicircle(σ²)` on a grid of `points` over `[lo, hi]`, by subordination
/// `m(z) = m_law(z + σ² m(z))` (damped iteration, the law's solver warm-started along the grid);
/// returns the grid, the CDF (normalised by its last value) and that total mass.
fn broadened_cdf(
    law: &DeepNtk,
    multiplicative: bool,
    sigma2: f64,
    lo: f64,
    hi: f64,
    points: usize,
) -> nnlimits::Result<(Vec<f64>, Vec<f64>, f64)> {
    use num_complex::Complex64 as C64;
    let sys = law.system();
    let scale = law.moments()[0];
    let mut start: Option<Vec<C64>> = None;
    let mut m = C64::new(0.0, 0.0);
    let (mut xs, mut dens) = (Vec::with_capacity(points), Vec::with_capacity(points));
    for k in 0..points {
        let x = lo + (hi - lo) * k as f64 / (points - 1) as f64;
        let z = C64::new(x, 1e-8 * scale);
        for _ in 0..5000 {
            // additive: m = m_law(z + σ² m); multiplicative (law ⊠ MP(σ²), the sample-covariance
            // map with ratio σ²): m = m_law(z/s)/s, s = 1 − σ² − σ² z m
            let (w, f) = if multiplicative {
                let s = 1.0 - sigma2 - sigma2 * z * m;
                (z / s, 1.0 / s)
            } else {
                (z + sigma2 * m, C64::new(1.0, 0.0))
            };
            let p = sys.solve(w, start.as_deref(), scale)?;
            let new = 0.5 * (m + f * p.m);
            start = Some(p.delta);
            let done = (new - m).norm() <= 1e-10 * (1.0 + m.norm());
            m = new;
            if done {
                break;
            }
        }
        xs.push(x);
        dens.push(m.im.max(0.0) / std::f64::consts::PI);
    }
    let mut cdf = vec![0.0; points];
    for k in 1..points {
        cdf[k] = cdf[k - 1] + 0.5 * (dens[k] + dens[k - 1]) * (xs[k] - xs[k - 1]);
    }
    let mass = cdf[points - 1];
    cdf.iter_mut().for_each(|c| *c /= mass);
    Ok((xs, cdf, mass))
}

fn main() -> nnlimits::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (n, depth, draws) = (arg(1, 800), arg(2, 3), arg(3, 1));
    let act = match args.get(4).map(String::as_str) {
        Some("tanh") => Activation::Tanh,
        Some("erf") => Activation::Erf,
        _ => Activation::Relu,
    };
    let widths = vec![(1.5 * n as f64).round() as usize; depth];
    let law = DeepNtk::with_centring(&act, 1.0, 1.0, 1.0, &vec![1.5; depth], true)?;
    let dens = SpectralDensity::from_model(&law, 400)?;
    let sampler =
        DeepNtkSampler::new(n, n, &widths, act.clone(), 1.0, 1.0, 0)?.with_shifts(law.shifts())?;
    let tau = law.tau().to_vec();
    let r_plus = law.r_plus();
    println!(
        "{} depth {depth}, n = {n}, N = {}, tau = {tau:?}, r_+ = {r_plus:.6}",
        act.name(),
        widths[0]
    );
    for (l, ly) in law.layers().iter().enumerate() {
        println!(
            "layer {}: D = {:.6}, O = {:.6}, q = {:.6}, alpha = {:.6}, beta = {:.6}",
            l + 1,
            ly.back_diag,
            ly.back_off,
            ly.forward.q,
            ly.forward.alpha,
            ly.forward.beta
        );
    }
    let (mut all_theta, mut all_tilde) = (Vec::new(), Vec::new());
    let (mut goe_all, mut diag_only, mut off_only) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scaled, mut permuted) = (Vec::new(), Vec::new());
    let (mut v_total, mut v_diag, mut v_rel) = (0.0, 0.0, 0.0);
    let mut all_partial: Vec<Vec<f64>> = vec![Vec::new(); depth];
    for draw in 0..draws {
        let (cks, bs) = sampler.parts(&mut nnlimits::rng::stream(1, draw as u64));
        let mut theta = cks[depth].clone();
        let mut tilde = Mat::from_fn(n, n, |i, j| if i == j { r_plus } else { 0.0 });
        for (l, ck) in cks.iter().enumerate() {
            for j in 0..n {
                for i in 0..n {
                    tilde[(i, j)] += tau[l] * ck[(i, j)];
                }
            }
        }
        let mut errs = Vec::new();
        for l in 1..=depth {
            let (ck, b) = (&cks[l - 1], &bs[l - 1]);
            let ly = &law.layers()[l - 1];
            let q_prev = if l == 1 {
                1.0
            } else {
                law.layers()[l - 2].forward.q
            };
            let had = Mat::from_fn(n, n, |i, j| ck[(i, j)] * b[(i, j)]);
            for j in 0..n {
                for i in 0..n {
                    theta[(i, j)] += had[(i, j)];
                }
            }
            let (mut bd, mut bo, mut cd) = (0.0, 0.0, 0.0);
            for j in 0..n {
                for i in 0..n {
                    if i == j {
                        bd += b[(i, j)];
                        cd += ck[(i, j)];
                    } else {
                        bo += b[(i, j)];
                    }
                }
            }
            let nf = n as f64;
            // per-point relative variance of the backward norm B_ℓ(x,x), times N_ℓ
            let bmean = bd / nf;
            let bvar = (0..n).map(|i| (b[(i, i)] - bmean).powi(2)).sum::<f64>() / (nf - 1.0);
            println!(
                "draw {draw} term {l}: N_l Var_x B_l(x,x) / mean^2 = {:.3}",
                widths[l - 1] as f64 * bvar / (bmean * bmean)
            );
            let e = Mat::from_fn(n, n, |i, j| {
                had[(i, j)]
                    - ly.back_off * ck[(i, j)]
                    - if i == j {
                        (ly.back_diag - ly.back_off) * q_prev
                    } else {
                        0.0
                    }
            });
            let ev = eig(&e)?;
            // E restricted to the bulk: remove the projection on the top two eigenvectors of Θ̃ is
            // costly; report the spread instead
            let eye = Mat::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 });
            let mut basis: Vec<&Mat<f64>> = vec![&eye];
            basis.extend(cks.iter());
            let (c, res) = fit(&e, &basis);
            println!(
                "draw {draw} term {l}: B diag {:.5} (D {:.5}), B offdiag {:.5} (O {:.5}), CK diag {:.5} (q {:.5}); \
                 |E|_F/sqrt n = {:.5}, E eigen low {:?} high {:?}; fit E on (I, CK_0..CK_L) = {:?}, residual {:.5}",
                bd / nf,
                ly.back_diag,
                bo / (nf * (nf - 1.0)),
                ly.back_off,
                cd / nf,
                q_prev,
                frob(&e),
                ev[..3].iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>(),
                ev[n - 3..].iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>(),
                c.iter().map(|x| format!("{x:.5}")).collect::<Vec<_>>(),
                res
            );
            errs.push(e);
        }
        for (l, e) in errs.iter().enumerate() {
            all_partial[l].extend(eig(&Mat::from_fn(n, n, |i, j| tilde[(i, j)] + e[(i, j)]))?);
        }
        // the total error Θ − Θ̃, its diagonal and off-diagonal parts, and a GOE of the same
        // (outlier-free) variance added to Θ̃
        let e = Mat::from_fn(n, n, |i, j| theta[(i, j)] - tilde[(i, j)]);
        let ev = eig(&e)?;
        let nf = n as f64;
        let s2_all: f64 = ev.iter().map(|x| x * x).sum::<f64>() / nf;
        let s2: f64 = ev[..n - 2].iter().map(|x| x * x).sum::<f64>() / nf;
        v_total += nf * s2 / draws as f64;
        let diag2: f64 = (0..n).map(|i| e[(i, i)] * e[(i, i)]).sum::<f64>() / nf;
        v_diag += nf * diag2 / draws as f64;
        println!(
            "draw {draw}: Θ − Θ̃: n·var (all) {:.4}, n·var (top 2 removed) {:.4}, n·diag var {:.4}, mean diag {:.5}, top eigen {:?}",
            nf * s2_all,
            nf * s2,
            nf * diag2,
            (0..n).map(|i| e[(i, i)]).sum::<f64>() / nf,
            ev[n - 3..].iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>()
        );
        let mut rng = nnlimits::rng::stream(2, draw as u64);
        let z = nnlimits::rng::normals(&mut rng, n * n);
        let sd = (s2 / nf).sqrt();
        let goe = Mat::from_fn(n, n, |i, j| {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            let v = z[a * n + b] * sd;
            if i == j {
                v * std::f64::consts::SQRT_2
            } else {
                v
            }
        });
        goe_all.extend(eig(&Mat::from_fn(n, n, |i, j| {
            tilde[(i, j)] + goe[(i, j)]
        }))?);
        diag_only.extend(eig(&Mat::from_fn(n, n, |i, j| {
            tilde[(i, j)] + if i == j { e[(i, j)] } else { 0.0 }
        }))?);
        off_only.extend(eig(&Mat::from_fn(n, n, |i, j| {
            tilde[(i, j)] + if i == j { 0.0 } else { e[(i, j)] }
        }))?);
        // per-data-point scale: a_x = sqrt(Θ_xx / Θ̃_xx), D_a Θ̃ D_a
        let a: Vec<f64> = (0..n)
            .map(|i| (theta[(i, i)] / tilde[(i, i)]).sqrt())
            .collect();
        let a2m = a.iter().map(|x| x * x).sum::<f64>() / nf;
        v_rel += a.iter().map(|x| (x * x / a2m - 1.0).powi(2)).sum::<f64>() / nf / draws as f64;
        scaled.extend(eig(&Mat::from_fn(n, n, |i, j| {
            a[i] * a[j] * tilde[(i, j)]
        }))?);
        // the diagonal of Θ − Θ̃ permuted (same values, no relation to Θ̃)
        let perm: Vec<usize> = (0..n).map(|i| (i * 7919 + 13) % n).collect();
        permuted.extend(eig(&Mat::from_fn(n, n, |i, j| {
            tilde[(i, j)] + if i == j { e[(perm[i], perm[i])] } else { 0.0 }
        }))?);
        all_theta.extend(eig(&theta)?);
        all_tilde.extend(eig(&tilde)?);
    }
    let (theta, tilde) = (sorted(all_theta), sorted(all_tilde));
    let ks = |s: &[f64]| ks_distance(s, |x| dens.cdf(x), |x| dens.cdf_left(x));
    println!(
        "KS(Θ, law) = {:.4}, KS(Θ̃, law) = {:.4}, KS(Θ, Θ̃) = {:.4}",
        ks(&theta),
        ks(&tilde),
        ks2(&theta, &tilde)
    );
    for (l, p) in all_partial.into_iter().enumerate() {
        let p = sorted(p);
        println!(
            "Θ̃ + E_{}: KS to law {:.4}, to Θ̃ {:.4}, to Θ {:.4}",
            l + 1,
            ks(&p),
            ks2(&p, &tilde),
            ks2(&p, &theta)
        );
    }
    for (name, v) in [
        ("Θ̃ + GOE", goe_all),
        ("Θ̃ + diag(Θ − Θ̃)", diag_only),
        ("Θ̃ + offdiag(Θ − Θ̃)", off_only),
        ("D_a Θ̃ D_a", scaled),
        ("Θ̃ + permuted diag(Θ − Θ̃)", permuted),
    ] {
        let v = sorted(v);
        println!(
            "{name}: KS to law {:.4}, to Θ {:.4}",
            ks(&v),
            ks2(&v, &theta)
        );
    }
    // the law broadened by a free semicircular noise of the measured variance v/n, or multiplied
    // (free multiplicative convolution) by a Marchenko–Pastur law of the measured relative variance
    // of the per-point scale Θ_xx/Θ̃_xx: a diagnostic of the finite-width mechanism (one measured
    // constant per run)
    let (lo, hi) = dens.range();
    let v_derived = nnlimits::models::deep::ntk_width::diagonal_variance(&law)?;
    println!("n Var_x(Θ_xx − Θ̃_xx): measured {v_diag:.4}, derived (centred ReLU) {v_derived:.4}");
    for (name, v) in [
        ("derived diagonal", v_derived),
        ("measured diagonal", v_diag),
        ("measured total", v_total),
        ("relative", v_rel),
    ] {
        let sd = (v / n as f64).sqrt();
        let (xs, cdf, mass) = if name == "relative" {
            broadened_cdf(
                &law,
                true,
                v,
                lo * (1.0 - 6.0 * v.sqrt()),
                hi * (1.0 + 6.0 * v.sqrt()),
                800,
            )?
        } else {
            broadened_cdf(&law, false, v / n as f64, lo - 6.0 * sd, hi + 6.0 * sd, 800)?
        };
        let at = |x: f64| {
            let k = xs.partition_point(|&g| g <= x);
            if k == 0 {
                0.0
            } else if k == xs.len() {
                1.0
            } else {
                let t = (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
                cdf[k - 1] + t * (cdf[k] - cdf[k - 1])
            }
        };
        let what = if name == "relative" {
            format!("law ⊠ MP(v), v = {v:.5} (relative variance of Θ_xx/Θ̃_xx)")
        } else {
            format!("law ⊞ semicircle(v/n), v = {v:.4} ({name} variance of Θ − Θ̃ times n)")
        };
        println!(
            "{what}: KS(Θ) = {:.4}, KS(Θ̃) = {:.4} (mass {mass:.5})",
            ks_distance(&theta, at, at),
            ks_distance(&tilde, at, at)
        );
    }
    let q = |s: &[f64], p: f64| s[((s.len() as f64 * p) as usize).min(s.len() - 1)];
    for p in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
        println!(
            "quantile {p}: Θ {:.4}, Θ̃ {:.4}, law {:.4}",
            q(&theta, p),
            q(&tilde, p),
            dens.quantile(p)?
        );
    }
    Ok(())
}
