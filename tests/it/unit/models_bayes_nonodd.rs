use nnlimits::models::bayes::data::{make_ds, tiny};
use nnlimits::models::bayes::kernels::Activation;
use nnlimits::models::bayes::nonodd::*;
use nnlimits::models::bayes::onehl::BayesNonlinear;

/// Reference values (docs/models/bayes.md): ReLU 1HL on make_ds(50, 20, 50, 7), N1 = 50, T =
/// 0.1: Qbar* = 1.335762, Q* = -0.265633, eps_g 0.426981 (6 digits).
#[test]
fn relu_reference_numbers() {
    let g = make_ds(50, 20, 50, 7).unwrap().gram(1.0).unwrap();
    let s = NonOddOneHidden::new(Activation::Relu, 50, 1.0, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((s.qbar - 1.335762).abs() < 1e-6, "{s:?}");
    assert!((s.q - -0.265633).abs() < 1e-6, "{s:?}");
    assert!(
        (s.prediction.eps_g - 0.426981).abs() < 1e-6,
        "{}",
        s.prediction.eps_g
    );
    // the single-Q theory on the same data is within 6e-6 (docs/models/bayes.md, "Numerical
    // notes")
    let f32 = BayesNonlinear::one_hidden(Activation::Relu, 50, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((s.prediction.eps_g - f32.prediction.eps_g).abs() < 1e-5);
}

/// M = 0 (erf is odd): F34 reduces exactly to F32 with Qbar = Q_F32, 1/(1 + Q) = Qbar.
#[test]
fn odd_activation_reduces_to_single_parameter() {
    let g = tiny(1).unwrap().gram(1.0).unwrap();
    for n in [3, 10] {
        let s = NonOddOneHidden::new(Activation::Erf, n, 1.0, 0.1)
            .unwrap()
            .saddle(&g)
            .unwrap();
        let f32 = BayesNonlinear::one_hidden(Activation::Erf, n, 0.1)
            .unwrap()
            .saddle(&g)
            .unwrap();
        assert!((s.qbar - f32.root.q).abs() < 1e-11, "{n}: {s:?}");
        assert!((1.0 / (1.0 + s.q) - s.qbar).abs() < 1e-11);
        assert!((s.prediction.eps_g - f32.prediction.eps_g).abs() < 1e-11);
        // S(Qbar, Q(Qbar)) = Q - ln Q + Phi/N - 1 (F24 eliminates Q up to the constant 1)
        assert!(
            (s.action - (f32.root.action - 1.0)).abs() < 1e-11,
            "{} {}",
            s.action,
            f32.root.action
        );
    }
}

/// Monte Carlo: elliptical slice sampling of real ReLU networks (TINY realised with N0 = 4, N1 = 10)
/// against F34: eps_g within 4 SE plus the declared finite-size bias 1.2/N1 x theory
/// (docs/models/bayes.md, "Tolerances").
#[test]
fn relu_matches_slice_sampler() {
    use nnlimits::models::bayes::gibbs::run_chains;
    use nnlimits::models::bayes::posterior::combine;
    use nnlimits::models::bayes::slice::OneHiddenSlice;
    let ds = tiny(1).unwrap();
    let g = ds.gram(1.0).unwrap();
    let s = NonOddOneHidden::new(Activation::Relu, 10, 1.0, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    let sampler = OneHiddenSlice::new(Activation::Relu, 10, 1.0, 1.0, 0.1, ds, 4000, 400).unwrap();
    let mc = combine(&run_chains(&sampler, 4, 31).unwrap(), &[vec![0.5]]);
    let th = s.prediction.eps_g;
    let tol = 4.0 * mc.eps_g.se + 1.2 / 10.0 * th;
    assert!((mc.eps_g.value - th).abs() < tol, "{:?} vs {th}", mc.eps_g);
    // the check can fail: the NNGP (infinite-width kernel, no renormalisation) is a wrong theory here
    let ng = BayesNonlinear::one_hidden(Activation::Relu, 10, 0.1)
        .unwrap()
        .nngp(&g)
        .unwrap()
        .eps_g;
    // measured: sampled 0.3113 ± 0.0033, saddle 0.2870, NNGP 0.2625, tolerance 0.0476 — the NNGP is
    // rejected by the same tolerance and the saddle point is the closer theory
    let (d_saddle, d_nngp) = ((mc.eps_g.value - th).abs(), (mc.eps_g.value - ng).abs());
    assert!(
        d_nngp > tol && d_saddle < d_nngp,
        "NNGP {ng} not rejected: {:?}, saddle {th}, tolerance {tol}",
        mc.eps_g
    );
}

#[test]
fn bad_parameters() {
    assert!(NonOddOneHidden::new(Activation::Relu, 0, 1.0, 0.1).is_err());
    assert!(NonOddOneHidden::new(Activation::Relu, 5, 0.0, 0.1).is_err());
    assert!(NonOddOneHidden::new(Activation::Relu, 5, 1.0, 0.0).is_err());
}
