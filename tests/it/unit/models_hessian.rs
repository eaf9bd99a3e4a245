use nnlimits::error::Error;
use nnlimits::model::SpectralModel;
use nnlimits::models::hessian::*;
use nnlimits::models::mp::MarchenkoPastur;
use nnlimits::spectral::{SpectralDensity, DEFAULT_NODES};

#[test]
fn zero_loss_is_the_wishart_part() {
    for phi in [0.3, 2.0] {
        let h = PbHessian::new(phi, 0.0, 1.7).unwrap();
        let mp = MarchenkoPastur::new(phi, 1.7).unwrap();
        for x in [0.2, 1.0, 2.5, 4.0] {
            let (a, b) = (h.density(x).unwrap(), mp.density_closed(x));
            // the affine node's density is the boundary value at η = 1e-10 σ
            assert!((a - b).abs() < 1e-9, "φ = {phi}, x = {x}: {a} vs {b}");
        }
        assert_eq!(h.negative_fraction().unwrap(), 0.0);
        let (sh, sm) = (h.support().unwrap(), mp.support().unwrap());
        assert_eq!(sh.components.len(), sm.components.len());
        for (a, b) in sh.components.iter().zip(&sm.components) {
            assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12);
        }
        assert_eq!(sh.atoms.len(), sm.atoms.len());
    }
}

#[test]
fn moments_are_free_cumulant_sums() {
    // κ1 = σ, κ2 = σ²(φ + 2ε): m1 = σ, m2 = σ²(1 + φ + 2ε)
    let (phi, eps, s) = (0.4, 0.05, 1.3);
    let h = PbHessian::new(phi, eps, s).unwrap();
    let m = h.moments();
    assert!((m[0] - s).abs() < 1e-12);
    assert!((m[1] - s * s * (1.0 + phi + 2.0 * eps)).abs() < 1e-12);
    let tab = SpectralDensity::from_model(&h, DEFAULT_NODES).unwrap();
    assert!((tab.mass() - 1.0).abs() < 1e-6);
    assert!((tab.moment(2) - m[1]).abs() < 1e-5);
}

#[test]
fn critical_loss_is_where_the_lower_edge_reaches_zero() {
    // the closed form against the engine's support: the lower edge crosses 0 at ε_c
    assert!((PbHessian::critical_loss(1e-12) - 0.125).abs() < 1e-10);
    assert_eq!(PbHessian::critical_loss(1.0), 0.0);
    for phi in [0.1, 0.5, 0.8] {
        let ec = PbHessian::critical_loss(phi);
        let lo = PbHessian::new(phi, ec, 1.0)
            .unwrap()
            .support()
            .unwrap()
            .components[0]
            .0;
        assert!(lo.abs() < 1e-7, "φ = {phi}: lower edge {lo} at ε_c = {ec}");
        let below = PbHessian::new(phi, ec * 0.99, 1.0).unwrap();
        assert_eq!(below.negative_fraction().unwrap(), 0.0);
        let above = PbHessian::new(phi, ec * 1.01, 1.0).unwrap();
        assert!(above.negative_fraction().unwrap() > 0.0);
    }
}

#[test]
fn index_grows_with_the_loss_and_follows_the_three_halves_law() {
    let phi = 0.5;
    let ec = PbHessian::critical_loss(phi);
    let alpha = |e: f64| {
        PbHessian::new(phi, e, 1.0)
            .unwrap()
            .negative_fraction()
            .unwrap()
    };
    let mut last = 0.0;
    for e in [0.012, 0.02, 0.05, 0.1, 0.3, 1.0, 10.0, 1000.0] {
        let a = alpha(e);
        assert!(a > last, "α({e}) = {a} <= {last}");
        last = a;
    }
    // large loss: the semicircle dominates, α → 1/2 from below
    assert!(last < 0.5 && last > 0.49, "{last}");
    // α ∝ (ε − ε_c)^{3/2} near ε_c: local exponent from two nearby loss levels
    let (d1, d2) = (2e-3 * ec, 8e-3 * ec);
    let slope = (alpha(ec + d2) / alpha(ec + d1)).ln() / (d2 / d1).ln();
    assert!((slope - 1.5).abs() < 0.02, "exponent {slope}");
}

#[test]
fn limits_in_phi() {
    // φ → 0: MP(φ) → δ₁, the law is 1 + SC(2ε) (variance 2ε + φ): α = semicircle mass below −1
    let eps = 0.3;
    let s2: f64 = 2.0 * eps + 1e-6;
    let u: f64 = -1.0 / (2.0 * s2.sqrt());
    let closed = 0.5 + (u * (1.0 - u * u).sqrt() + u.asin()) / std::f64::consts::PI;
    let a = PbHessian::new(1e-6, eps, 1.0)
        .unwrap()
        .negative_fraction()
        .unwrap();
    assert!((a - closed).abs() < 1e-4, "{a} vs {closed}");
    // φ > 1: the atom 1 − 1/φ of H₀ at 0 spreads symmetrically, α → (1 − 1/φ)/2 as ε → 0+
    let phi = 2.0;
    let a = PbHessian::new(phi, 1e-4, 1.0)
        .unwrap()
        .negative_fraction()
        .unwrap();
    assert!((a - 0.25).abs() < 5e-3, "{a}");
}

#[test]
fn bad_parameters_are_typed_errors() {
    for (p, e, s) in [
        (0.0, 0.1, 1.0),
        (0.5, -0.1, 1.0),
        (0.5, 0.1, 0.0),
        (f64::NAN, 0.1, 1.0),
    ] {
        assert!(matches!(
            PbHessian::new(p, e, s),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
