use nnlimits::error::Error;
use nnlimits::models::bayes::kernels::*;
use nnlimits::numerics::quad::gaussian_expectation_2d;

/// Found by tests/properties.rs: erf at c11 = c12 = c22 = f64::MAX gave NaN (inf/inf) and ReLU
/// overflowed `c11 c22`; infinite variances were accepted.
#[test]
fn kernels_at_huge_variances() {
    let m = f64::MAX;
    // erf: K -> (2/pi) asin(1) = 1 as c -> inf with full correlation
    assert!((Activation::Erf.kernel(m, m, m).unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(Activation::Erf.kernel(m, -m, m).unwrap(), -1.0);
    // ReLU: K(c, c, c) = c / 2
    let k = Activation::Relu.kernel(1e300, 1e300, 1e300).unwrap();
    assert!((k / 5e299 - 1.0).abs() < 1e-12, "{k}");
    assert!(Activation::Relu.kernel(m, m, m).unwrap().is_finite());
    for act in [
        Activation::Id,
        Activation::Erf,
        Activation::Relu,
        Activation::Tanh,
    ] {
        assert!(matches!(
            act.kernel(f64::INFINITY, 0.0, 1.0),
            Err(Error::InvalidData(_))
        ));
    }
}

/// Reference kernel values (docs/models/bayes.md) (16 digits) and the TINY kernel matrices (10
/// digits).
#[test]
fn kernel_reference_values() {
    let e = Activation::Erf;
    let r = Activation::Relu;
    assert!((e.kernel(1.0, 0.5, 1.0).unwrap() - 0.21634689593878548).abs() < 1e-15);
    assert!((e.kernel(0.5, -0.2, 2.0).unwrap() - -0.0807430383393609).abs() < 1e-15);
    assert!((e.kernel(2.0, 1.9, 2.0).unwrap() - 0.5496021987631493).abs() < 1e-15);
    assert!((r.kernel(1.0, 0.5, 1.0).unwrap() - 0.30449889052211465).abs() < 1e-15);
    assert!((r.kernel(0.5, -0.2, 2.0).unwrap() - 0.1123487819316327).abs() < 1e-15);
    assert!((r.kernel(2.0, 1.9, 2.0).unwrap() - 0.9533637372053628).abs() < 1e-15);
    assert!((e.kernel(1.0, 1.0, 1.0).unwrap() - 0.4645590544).abs() < 1e-10);
    assert!((e.kernel(1.0, 0.2, 1.0).unwrap() - 0.085136174).abs() < 1e-9);
    assert!((r.kernel(1.0, 0.3, 1.0).unwrap() - 0.2413721419).abs() < 1e-10);
    // the diagonal u = 1 (+ round-off) is clipped
    assert!((r.kernel(1.0, 1.0 + 1e-16, 1.0).unwrap() - 0.5).abs() < 1e-15);
    assert!(e.kernel(1.0, 2.0, 1.0).is_err());
}

/// Generic Gauss–Hermite path against the closed forms (erf, 64 nodes per axis: <= 2e-9) and ReLU mean.
#[test]
fn quadrature_matches_closed_forms() {
    for (a, b, c) in [(1.0, 0.5, 1.0), (0.5, -0.2, 2.0), (2.0, 1.9, 2.0)] {
        let gh = gaussian_expectation_2d(
            |x, y| statrs::function::erf::erf(x) * statrs::function::erf::erf(y),
            a,
            b,
            c,
            GH_NODES_2D,
        )
        .unwrap();
        let d = (gh - Activation::Erf.kernel(a, b, c).unwrap()).abs();
        // measured: 4e-12, 1e-12, 1.3e-9 (the nearly degenerate c12/c = 0.95 case converges slowest)
        assert!(d < 2e-9, "({a}, {b}, {c}): {d:e}");
    }
    let (a, b) = (
        Activation::Relu.mean(2.0),
        Activation::Relu.mean_quadrature(2.0),
    );
    // Gauss–Hermite converges slowly across the ReLU kink (1.5e-3 at 160 nodes): why F31 is used
    assert!((a - b).abs() < 2e-3, "{a} {b}");
    assert!(Activation::Tanh.kernel(1.0, 0.5, 1.0).unwrap() > 0.0);
}

/// Monte Carlo of (h1, h2): tanh through quadrature within 4 SE.
#[test]
fn tanh_kernel_monte_carlo() {
    let (c11, c12, c22): (f64, f64, f64) = (1.0, 0.5, 2.0);
    let n = 400_000;
    let mut rng = nnlimits::rng::stream(3, 0);
    let z = nnlimits::rng::normals(&mut rng, 2 * n);
    let l21 = c12 / c11.sqrt();
    let l22 = (c22 - l21 * l21).sqrt();
    let v: Vec<f64> = (0..n)
        .map(|i| {
            let h1 = c11.sqrt() * z[2 * i];
            (h1.tanh()) * (l21 * z[2 * i] + l22 * z[2 * i + 1]).tanh()
        })
        .collect();
    let (m, se) = nnlimits::validate::stats::mean_se(&v);
    let k = Activation::Tanh.kernel(c11, c12, c22).unwrap();
    assert!((m - k).abs() < 4.0 * se, "{m} +- {se} vs {k}");
}
