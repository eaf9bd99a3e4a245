use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::free::outliers::Outlier;
use nnlimits::models::free::{Expression, ExpressionSampler};
use num_complex::Complex64 as C64;

fn outliers(text: &str) -> Vec<Outlier> {
    Expression::parse_plain(text).unwrap().outliers().unwrap()
}

fn located(v: &[Outlier]) -> Vec<f64> {
    v.iter().filter_map(|o| o.location).collect()
}

/// Wigner + rank one (BBP): `sc(σ²) + spiked(0, θ)` has the outlier `θ + σ²/θ` iff `|θ| > σ`,
/// none otherwise; several spikes, affine maps of the sum and a spike of the term itself.
#[test]
fn wigner_rank_one_is_bbp() {
    for s2 in [1.0f64, 0.5] {
        let s = s2.sqrt();
        for theta in [2.0, 1.5 * s, -3.0, 0.5 * s, -0.9 * s] {
            let v = outliers(&format!("sc({s2}) + spiked(0, {theta})"));
            assert_eq!(v.len(), 1, "{v:?}");
            assert_eq!(v[0].spike, theta);
            if theta.abs() > s {
                let z = v[0].location.expect("above the threshold");
                let bbp = theta + s2 / theta;
                assert!(
                    (z - bbp).abs() <= 1e-9 * bbp.abs(),
                    "θ = {theta}: {z} vs {bbp}"
                );
            } else {
                assert_eq!(v[0].location, None, "θ = {theta} is below the threshold");
            }
        }
    }
    let v = outliers("sc(1) + spiked(0, 2, -3, 0.5)");
    assert_eq!(v.len(), 3);
    let z = located(&v);
    assert_eq!(z.len(), 2, "{v:?}");
    assert!(
        (z[0] - 2.5).abs() < 1e-9 && (z[1] + 3.0 + 1.0 / 3.0).abs() < 1e-9,
        "{z:?}"
    );
    let z = located(&outliers("2 * (sc(1) + spiked(0, 2)) + 1"));
    assert!((z[0] - 6.0).abs() < 1e-9, "{z:?}");
    // a spike of the term itself: an outlier when outside the support, absorbed inside it
    let v = outliers("spiked(sc(1), 3, 1)");
    assert_eq!(located(&v), vec![3.0]);
    assert_eq!(v[1].location, None);
    assert!(Expression::parse_plain("sc(1) + mp(0.5)")
        .unwrap()
        .outliers()
        .unwrap()
        .is_empty());
}

/// Spiked covariance (Baik–Silverstein): `pop(spiked(1, θ), c)` has the outlier
/// `θ (1 + c/(θ − 1))` iff `θ > 1 + √c`.
#[test]
fn spiked_covariance() {
    let c: f64 = 0.25;
    for theta in [3.0, 2.0, 1.2] {
        let v = outliers(&format!("pop(spiked(1, {theta}), {c})"));
        if theta > 1.0 + c.sqrt() {
            let want = theta * (1.0 + c / (theta - 1.0));
            let z = v[0].location.expect("above the threshold");
            assert!(
                (z - want).abs() <= 1e-9 * want,
                "θ = {theta}: {z} vs {want}"
            );
        } else {
            assert_eq!(v[0].location, None, "θ = {theta}");
        }
    }
}

/// A Keating-type batch Hessian `s X + A`, `X` Wigner, `A` a uniform bulk with spikes: the outlier
/// satisfies the R-transform form of the subordination, `z + s² g(z) = θ` (`ω_A(z) = z −
/// R_X(G(z))`, `R_X(G) = s² G` for `sc(s²)`, `G = −g`), checked with the law's own `g` only.
#[test]
fn batch_hessian_outliers_satisfy_the_r_transform() {
    let s2 = 0.25;
    let e = Expression::parse_plain(&format!("sc({s2}) + spiked(unif(0, 1), 2, 3, -1.5)")).unwrap();
    let v = e.outliers().unwrap();
    let z = located(&v);
    assert_eq!(z.len(), 3, "{v:?}");
    for (o, &x) in v.iter().zip(&z) {
        let g = e.stieltjes(C64::new(x, 1e-12)).unwrap().re;
        let res = x + s2 * g - o.spike;
        assert!(
            res.abs() <= 1e-8,
            "spike {}: z = {x}, residual {res:e}",
            o.spike
        );
    }
    assert!(Expression::parse_plain("spiked(sc(1), 2) * mp(0.5)").is_err());
    assert!(Expression::parse_plain("spiked(sc(1))").is_err());
    assert!(Expression::parse_plain("pop(spiked(1, -2), 0.5)").is_err());
    assert!(Expression::parse_plain("spiked(sc(1), 1/0)").is_err());
}

/// Monte Carlo, 8 draws at n = 400: the outlier of sampled matrices (largest or smallest
/// eigenvalue) agrees with the theory within `t₈ SE + 1/n` (Student-t at `10⁻³`, the
/// validator's rule for means; `1/n` the finite-size bias of an outlier); a spike below the
/// threshold leaves no eigenvalue beyond the edge by more than the edge's own fluctuation.
#[test]
fn monte_carlo_outliers() {
    let n = 400;
    let t8 = 5.41;
    for (text, top) in [
        ("sc(1) + spiked(0, 2)", true),
        ("0.5 * sc(1) + spiked(unif(0, 1), 3)", true),
        ("pop(spiked(1, 3), 0.25)", true),
        ("sc(1) + spiked(0, -2.5)", false),
    ] {
        let e = Expression::parse_plain(text).unwrap();
        let want = located(&e.outliers().unwrap())[0];
        let sampler = ExpressionSampler::new(&e, n).unwrap();
        let xs: Vec<f64> = (0..8)
            .map(|i| {
                let ev = sampler.sample(&mut nnlimits::rng::stream(3, i)).unwrap();
                if top {
                    ev[n - 1]
                } else {
                    ev[0]
                }
            })
            .collect();
        let mean = xs.iter().sum::<f64>() / 8.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 7.0;
        let tol = t8 * (var / 8.0).sqrt() + 1.0 / n as f64;
        assert!(
            (mean - want).abs() <= tol,
            "{text}: sampled {mean} ± {:.4} vs theory {want} (tol {tol})",
            (var / 8.0).sqrt()
        );
    }
    // below the threshold: the top eigenvalue stays at the edge 2 (no outlier at 1.5 + 1/1.5)
    let e = Expression::parse_plain("sc(1) + spiked(0, 0.5)").unwrap();
    let ev = ExpressionSampler::new(&e, n)
        .unwrap()
        .sample(&mut nnlimits::rng::stream(3, 0))
        .unwrap();
    assert!(ev[n - 1] < 2.1, "top eigenvalue {}", ev[n - 1]);
}
