//! Tests of the deep conjugate kernel: closed forms (depth 1 = the shallow `ck` law, `m₁ = q_L`,
//! linear networks = iterated Marchenko–Pastur products) and Monte Carlo at moderate size.

use nnlimits::model::SpectralModel;
use nnlimits::models::deep::ck::{law, recursion, recursion_with, DeepCk};
use nnlimits::models::deep::entry::{CkDeepCheck, CkDeepSpec};
use nnlimits::models::fim::entries::dual_law;
use nnlimits::models::fim::{Activation, Ratios, Trained};
use nnlimits::models::free::{Expression, Law};
use nnlimits::output::FloatList;
use nnlimits::registry::SpectralSpec;
use nnlimits::validate::report::Verdict;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};

/// Interior points of the support (avoiding the edges by 1% of each component).
fn interior(m: &dyn SpectralModel, k: usize) -> Vec<f64> {
    let s = m.support().unwrap();
    let mut xs = Vec::new();
    for &(lo, hi) in &s.components {
        let w = hi - lo;
        for i in 0..k {
            xs.push(lo + w * (0.01 + 0.98 * (i as f64 + 0.5) / k as f64));
        }
    }
    xs
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Depth 1 is the shallow `ck` law (proportional limit, readout Gram) for every activation.
#[test]
fn depth_one_is_the_shallow_ck_law() {
    for (act, s2, dr, wr) in [
        ("tanh", 1.0, 1.0, 1.0),
        ("tanh", 1.7, 0.7, 1.3),
        ("erf", 0.8, 1.5, 0.6),
        ("relu", 1.0, 1.2, 0.9),
        ("crelu", 2.0, 0.9, 1.4),
        ("linear", 1.3, 0.8, 1.5),
    ] {
        let a = Activation::parse(act).unwrap();
        let deep = DeepCk::new(&a, s2, dr, &[wr]).unwrap();
        let g = a.constants(s2, 1.0).unwrap();
        let shallow = dual_law(&g, Ratios::new(dr, wr).unwrap(), Trained::Readout, false).unwrap();
        let xs = interior(shallow.as_ref(), 40);
        let d1 = deep.density_many(&xs).unwrap();
        let d2 = shallow.density_many(&xs).unwrap();
        let scale = d2.iter().cloned().fold(0.0, f64::max);
        let err = max_abs_diff(&d1, &d2) / scale;
        assert!(
            err <= 1e-9, // both are boundary values at η = 1e-10 of different solves: 1.5e-10 measured
            "{act} s2={s2}: density differs by {err:e} (relative to max)"
        );
        let (s1, sh) = (deep.support().unwrap(), shallow.support().unwrap());
        assert_eq!(s1.components.len(), sh.components.len(), "{act}");
        for (c1, c2) in s1.components.iter().zip(&sh.components) {
            assert!(
                (c1.0 - c2.0).abs() <= 1e-9 * (1.0 + c2.1),
                "{act}: {c1:?} vs {c2:?}"
            );
            assert!(
                (c1.1 - c2.1).abs() <= 1e-9 * (1.0 + c2.1),
                "{act}: {c1:?} vs {c2:?}"
            );
        }
        let (m1, m2) = (deep.moments(), shallow.moments());
        for k in 0..2 {
            assert!(
                (m1[k] - m2[k]).abs() <= 1e-12 * m2[k].abs(),
                "{act} m{}",
                k + 1
            );
        }
    }
}

/// The mean eigenvalue is the variance recursion: `m₁ = q_L` for centred activations, `q_L − κ_L`
/// (spike excluded) otherwise.
#[test]
fn mean_is_the_variance_recursion() {
    for (act, s2) in [("tanh", 1.5), ("erf", 0.9), ("relu", 2.0), ("linear", 1.2)] {
        let a = Activation::parse(act).unwrap();
        let deep = DeepCk::new(&a, s2, 0.8, &[1.2, 0.7, 1.5]).unwrap();
        let last = deep.layers().last().unwrap().clone();
        let m1 = deep.moments()[0];
        assert!(
            (m1 - (last.q - last.kappa)).abs() <= 1e-12 * last.q,
            "{act}"
        );
        if act != "relu" {
            assert_eq!(last.kappa, 0.0, "{act} is centred");
        }
        // q_L by its own recursion through the shared Gaussian expectation
        let mut q = 1.0;
        for _ in 0..3 {
            let s: f64 = s2 * q;
            q = nnlimits::numerics::quad::gaussian_expectation(|x| a.eval(x).powi(2), s.sqrt());
        }
        let tol = if act == "relu" { 1e-6 } else { 1e-10 };
        assert!((last.q - q).abs() <= tol * q, "{act}: {} vs {q}", last.q);
    }
}

/// A linear network: `CK_L = σ_w^{2L} mp(n/d) ⊠ mp(n/N_1) ⊠ … ⊠ mp(n/N_L)`, through the engine's free
/// product (another evaluation path than `pop`).
#[test]
fn linear_network_is_an_iterated_mp_product() {
    let (s2, dr, wrs) = (1.3f64, 1.25, [1.5, 1.3]);
    let deep = DeepCk::new(&Activation::Linear, s2, dr, &wrs).unwrap();
    for l in deep.layers() {
        assert_eq!(l.beta, 0.0);
    }
    let mut p = Law::mp(1.0 / dr, 1.0).unwrap();
    for r in wrs {
        p = Law::free_product(p, Law::mp(1.0 / r, 1.0).unwrap()).unwrap();
    }
    let prod = Expression::from_law(Law::affine(s2 * s2, 0.0, p).unwrap());
    let xs = interior(&prod, 60);
    let (a, b) = (
        deep.density_many(&xs).unwrap(),
        prod.density_many(&xs).unwrap(),
    );
    let scale = b.iter().cloned().fold(0.0, f64::max);
    let err = max_abs_diff(&a, &b) / scale;
    assert!(err <= 1e-8, "linear deep CK vs MP product: {err:e}");
    let (sa, sb) = (deep.support().unwrap(), prod.support().unwrap());
    assert_eq!(sa.atoms.len(), sb.atoms.len());
    for (x, y) in sa.atoms.iter().zip(&sb.atoms) {
        assert!((x.1 - y.1).abs() <= 1e-12, "atoms {x:?} vs {y:?}");
    }
}

fn check(act: &str, depth: usize, n: usize, d: usize, widths: &[f64]) -> CkDeepCheck {
    CkDeepCheck {
        activation: act.into(),
        sigma_w2: 1.0,
        depth,
        n,
        d,
        widths: Some(FloatList(widths.to_vec())),
        bias_coeff: None,
        centre: false,
        theory_sigma_w2: None,
    }
}

fn run(c: &CkDeepCheck, theory: Option<&dyn SpectralModel>, samples: usize) -> (Verdict, f64) {
    let plan = CkDeepSpec::plan(c).unwrap();
    let opts = SpectralValidation {
        samples,
        seed: 7,
        ..plan.options
    };
    let model = theory.unwrap_or(plan.theory.as_ref());
    let out = validate_spectrum(model, plan.sampler.as_ref(), &opts).unwrap();
    let ks = out
        .report
        .checks
        .iter()
        .find(|k| k.name == "ks")
        .map(|k| k.observed)
        .unwrap();
    (out.report.verdict, ks)
}

/// Monte Carlo at n = 400: tanh at depth 2 and erf at depth 3 (unequal widths) pass; the same draws
/// against the law of another weight variance fail.
#[test]
fn monte_carlo_centred_activations() {
    let c = check("tanh", 2, 400, 400, &[400.0, 600.0]);
    let (v, ks) = run(&c, None, 4);
    assert_eq!(v, Verdict::Pass, "tanh depth 2: KS {ks}");
    let c3 = check("erf", 3, 300, 450, &[300.0, 450.0, 450.0]);
    let (v, ks) = run(&c3, None, 4);
    assert_eq!(v, Verdict::Pass, "erf depth 3: KS {ks}");
    // negative control: the law at sigma_w2 = 1.6 against networks at sigma_w2 = 1
    let wrong = DeepCk::new(&Activation::Tanh, 1.6, 1.0, &[1.0, 1.5]).unwrap();
    let (v, ks) = run(&c, Some(&wrong), 4);
    assert_eq!(v, Verdict::Fail, "wrong sigma_w2 must fail (KS {ks})");
}

/// ReLU at depth 2 (non-centred): the recursion with the dual-kernel slope at the common covariance
/// passes; the naive recursion (each layer's shallow constants, `α = σ_w² μ₁²`, `β = q − μ₀² − μ₁² s`)
/// fails on the same draws.
#[test]
fn monte_carlo_relu_depth_two() {
    let c = check("relu", 2, 400, 400, &[400.0, 600.0]);
    let (v, ks) = run(&c, None, 4);
    assert_eq!(v, Verdict::Pass, "relu depth 2 (corrected): KS {ks}");
    let layers = recursion(&Activation::Relu, 1.0, 2).unwrap();
    assert!(
        layers[1].c > 0.1,
        "common covariance at layer 2: {}",
        layers[1].c
    );
    let naive: Vec<(f64, f64, f64)> = layers
        .iter()
        .zip([1.0, 400.0 / 600.0])
        .map(|(l, r)| (l.mu1 * l.mu1, l.q - l.mu0 * l.mu0 - l.mu1 * l.mu1 * l.s, r))
        .collect();
    let naive = Expression::from_law(law(1.0, &naive).unwrap());
    let (v, ks_naive) = run(&c, Some(&naive), 4);
    assert_eq!(
        v,
        Verdict::Fail,
        "naive recursion must fail (KS {ks_naive})"
    );
    assert!(ks_naive > 3.0 * ks, "naive KS {ks_naive} vs corrected {ks}");
}

/// Bad input is a typed error.
#[test]
fn bad_input_is_typed() {
    let a = Activation::Tanh;
    assert!(DeepCk::new(&a, 1.0, 1.0, &[]).is_err());
    assert!(DeepCk::new(&a, -1.0, 1.0, &[1.0]).is_err());
    assert!(DeepCk::new(&a, 1.0, 0.0, &[1.0]).is_err());
    assert!(DeepCk::new(&a, 1.0, 1.0, &[1.0, f64::NAN]).is_err());
    assert!(DeepCk::new(&a, 1.0, 1.0, &vec![1.0; 51]).is_err());
    let mut c = check("tanh", 2, 100, 100, &[100.0]);
    assert!(CkDeepSpec::plan(&c).is_err());
    c.widths = Some(FloatList(vec![100.0, 50.5]));
    assert!(CkDeepSpec::plan(&c).is_err());
}

/// Square layers at depth 2 (`N_1 = N_2 = n`, the CLI default): the law has an inverse-square-root
/// hard edge at 0 over a non-MP population. Its support is accepted (the engine's mass check uses the
/// Gauss–Chebyshev rule, exact to high order at such an edge, where the graded rule, whose nodes come
/// within 1e-12 of the edge, misses ~√η of the mass next to it), its mass is 1 and its mean `q_L`,
/// and it agrees with sampled networks.
#[test]
fn square_last_layer_at_depth_two() {
    let deep = DeepCk::new(&Activation::Tanh, 1.0, 1.0, &[1.0, 1.0]).unwrap();
    let s = deep.support().unwrap();
    assert_eq!(s.components.len(), 1, "{s:?}");
    assert_eq!(s.components[0].0, 0.0, "hard edge at 0: {s:?}");
    let (lo, hi) = s.components[0];
    let mass_mean = |n: usize| {
        let (x, w) = nnlimits::numerics::quad::chebyshev_rule(lo, hi, n);
        let d = deep.density_many(&x).unwrap();
        let m0: f64 = d.iter().zip(&w).map(|(r, w)| r * w).sum();
        let m1: f64 = d.iter().zip(&w).zip(&x).map(|((r, w), x)| r * w * x).sum();
        (m0, m1)
    };
    let q = deep.layers()[1].q;
    for n in [256, 1024] {
        let (m0, m1) = mass_mean(n);
        assert!((m0 - 1.0).abs() < 1e-6, "{n} nodes: mass {m0}");
        assert!((m1 - q).abs() < 1e-6 * q, "{n} nodes: mean {m1} vs q_L {q}");
    }
    // the graded tabulation misses the boundary layer at the edge (~1e-5, within its 2e-3 tolerance)
    let graded = nnlimits::spectral::SpectralDensity::from_model(&deep, 4096).unwrap();
    assert!((graded.mass() - 1.0).abs() < 1e-4, "{}", graded.mass());
    // Monte Carlo: n = d = N_1 = N_2 = 400
    let c = check("tanh", 2, 400, 400, &[400.0, 400.0]);
    let (v, ks) = run(&c, None, 4);
    assert_eq!(v, Verdict::Pass, "tanh depth 2, square layers: KS {ks}");
}

/// The fast path (all operations of the nested `pop` chain solved as one system) gives the nested
/// solves' density: depth 3, equal widths, at interior points.
#[test]
fn joint_density_equals_nested_solves() {
    let deep = DeepCk::new(&Activation::Erf, 1.0, 1.0, &[1.5, 1.5, 1.5]).unwrap();
    let xs = interior(&deep, 12);
    let d = deep.density_many(&xs).unwrap();
    let m = deep.moments();
    let eta = 1e-10 * (m[1] - m[0] * m[0]).sqrt();
    for (x, v) in xs.iter().zip(&d) {
        let g = deep
            .stieltjes(num_complex::Complex64::new(*x, eta))
            .unwrap();
        let nested = g.im / std::f64::consts::PI;
        assert!(
            (v - nested).abs() <= 1e-10 * nested,
            "x = {x}: {v} vs {nested}"
        );
    }
}

/// A ReLU centred at every layer (`φ_ℓ = relu − E relu(√s_ℓ ξ)`): the closed forms
/// `s_ℓ = σ_w² q_{ℓ−1}`, `m_ℓ = √(s_ℓ/2π)`, `q_ℓ = s_ℓ (1/2 − 1/2π)`, `α_ℓ = σ_w²/4`,
/// `β_ℓ = q_ℓ − α_ℓ q_{ℓ−1}`, `κ_ℓ = 0`; `relu` and `crelu` centred are the same network (their
/// shifts differ by the crelu constant); odd activations are unchanged by centring; `m₁ = q_L`; at
/// depth 1 the law is the shallow law of the centred ReLU (`crelu` at `σ_w² = 1`, and `relu` with its
/// spike excluded at any `σ_w²`).
#[test]
fn centred_relu_closed_forms() {
    let k2 = 1.0 / (2.0 * std::f64::consts::PI);
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= 1e-14 * (1.0 + b.abs()),
            "{what}: {a} vs {b}"
        )
    };
    for s2 in [0.7, 1.0, 2.0] {
        let relu = recursion_with(&Activation::Relu, s2, 3, true).unwrap();
        let crelu = recursion_with(&Activation::Crelu, s2, 3, true).unwrap();
        let mut q_prev = 1.0;
        for (l, c) in relu.iter().zip(&crelu) {
            let s = s2 * q_prev;
            let q = s * (0.5 - k2);
            close(l.s, s, "s");
            close(l.q, q, "q");
            close(l.shift, (s * k2).sqrt(), "shift");
            close(l.alpha, s2 / 4.0, "alpha");
            close(l.beta, q - s2 / 4.0 * q_prev, "beta");
            assert_eq!((l.c, l.kappa, l.mu0), (0.0, 0.0, 0.0));
            for (a, b, w) in [(c.s, s, "crelu s"), (c.q, q, "crelu q")] {
                close(a, b, w);
            }
            close(c.alpha, l.alpha, "crelu alpha");
            close(c.beta, l.beta, "crelu beta");
            close(c.shift, (s.sqrt() - 1.0) * k2.sqrt(), "crelu shift");
            q_prev = q;
        }
        let deep =
            DeepCk::with_centring(&Activation::Relu, s2, 1.2, &[1.5, 0.8, 1.3], true).unwrap();
        assert!(!deep.has_spike());
        let m1 = deep.moments()[0];
        assert!(
            (m1 - q_prev).abs() <= 1e-12 * q_prev,
            "m1 {m1} vs q_L {q_prev}"
        );
    }
    // odd activations: centring changes nothing (to rounding)
    for act in [Activation::Tanh, Activation::Erf, Activation::Linear] {
        let (a, b) = (
            recursion_with(&act, 1.3, 3, true).unwrap(),
            recursion(&act, 1.3, 3).unwrap(),
        );
        for (x, y) in a.iter().zip(&b) {
            assert_eq!((x.shift, x.kappa, x.c), (0.0, 0.0, 0.0), "{act:?}");
            for (u, v) in [(x.q, y.q), (x.alpha, y.alpha), (x.beta, y.beta), (x.s, y.s)] {
                close(u, v, &format!("{act:?}"));
            }
        }
    }
    // depth 1: the shallow law of crelu at sigma_w2 = 1 (centred there), relu (spike excluded) at 2
    let centred = DeepCk::with_centring(&Activation::Relu, 1.0, 0.9, &[1.4], true).unwrap();
    let g = Activation::Crelu.constants(1.0, 1.0).unwrap();
    let shallow = dual_law(&g, Ratios::new(0.9, 1.4).unwrap(), Trained::Readout, false).unwrap();
    let xs = interior(shallow.as_ref(), 40);
    let (a, b) = (
        centred.density_many(&xs).unwrap(),
        shallow.density_many(&xs).unwrap(),
    );
    let err = max_abs_diff(&a, &b) / b.iter().cloned().fold(0.0, f64::max);
    assert!(
        err <= 1e-9,
        "depth 1 centred relu vs shallow crelu: {err:e}"
    );
    let centred = DeepCk::with_centring(&Activation::Relu, 2.0, 1.1, &[0.8], true).unwrap();
    let plain = DeepCk::new(&Activation::Relu, 2.0, 1.1, &[0.8]).unwrap();
    let xs = interior(&plain, 40);
    let (a, b) = (
        centred.density_many(&xs).unwrap(),
        plain.density_many(&xs).unwrap(),
    );
    let err = max_abs_diff(&a, &b) / b.iter().cloned().fold(0.0, f64::max);
    assert!(err <= 1e-12, "depth 1 centred relu vs relu: {err:e}");
}

/// Monte Carlo, 4 draws: a ReLU centred at every layer at depth 3 (`n = d = 300`, `N_ℓ = 450`)
/// passes; the same draws against the law at `σ_w² = 1.05` (5% off) fail.
#[test]
fn monte_carlo_centred_relu_depth_three() {
    let mut c = check("relu", 3, 300, 300, &[450.0, 450.0, 450.0]);
    c.centre = true;
    let (v, ks) = run(&c, None, 4);
    assert_eq!(v, Verdict::Pass, "centred relu depth 3: KS {ks}");
    c.theory_sigma_w2 = Some(1.05);
    let (v, ks) = run(&c, None, 4);
    assert_eq!(
        v,
        Verdict::Fail,
        "law at sigma_w2 = 1.05 must fail (KS {ks})"
    );
}
