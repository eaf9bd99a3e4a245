//! Speicher–Wendel Gaussian equivalence for an entrywise nonlinearity of a Wishart matrix
//! (docs/models/gep.md (F32)): reference numbers, the two reductions, quadrature identities, typed
//! errors, and Monte Carlo through the generic validator (tolerances from the validator's critical
//! values and standard errors across draws; see docs/models/gep.md for the measured finite-size rates).

use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::fim::Activation;
use nnlimits::models::gep::{activation_by_name, EntrywiseWishart, EntrywiseWishartSampler};
use nnlimits::models::mp::MarchenkoPastur;
use nnlimits::rng::stream;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::report::z_crit;
use nnlimits::validate::spectral::{compare, SpectralValidation};
use nnlimits::validate::stats::mean_se;
use nnlimits::validate::Verdict;
use nnlimits::Error;
use num_complex::Complex64 as C64;
use std::f64::consts::PI;

fn law(act: &str, c: f64) -> EntrywiseWishart {
    EntrywiseWishart::new(c, &activation_by_name(act).unwrap()).unwrap()
}

/// |a - b| within half a unit of the last stated digit (`digits` decimals), plus solver noise.
fn to_digits(a: f64, b: f64, digits: i32, what: &str) {
    let tol = 0.5 * 10f64.powi(-digits) + 1e-9;
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tol {tol:.1e})");
}

/// Every reference number of F32 (c = 0.5): θ's, ρ at the listed points, m2.
#[test]
fn f32_reference_numbers() {
    let c = 0.5;
    // ReLU: θ1 = 1/2, θ2² = s2 (1/4 - 1/(2π)) = 0.045423, mean sqrt(s2/(2π)) = 0.282095 subtracted
    let l = law("relu", c);
    assert!((l.theta1() - 0.5).abs() < 1e-15);
    assert!((l.theta2_sq() - c * (0.25 - 0.5 / PI)).abs() < 1e-15);
    to_digits(l.theta2_sq(), 0.045423, 6, "relu theta2^2");
    to_digits(l.mean().unwrap(), 0.282095, 6, "relu mean");
    to_digits(l.moments()[1], 0.170423, 6, "relu m2");
    let rho = l.density_many(&[-0.5, 0.0, 0.5, 1.0]).unwrap();
    for (r, want) in rho.iter().zip([0.82701, 0.78141, 0.44939, 0.09067]) {
        to_digits(*r, want, 5, "relu rho");
    }
    // tanh (Gauss–Hermite constants)
    let l = law("tanh", c);
    to_digits(l.theta1(), 0.726324, 6, "tanh theta1");
    to_digits(l.theta2_sq(), 0.009903, 6, "tanh theta2^2");
    to_digits(l.moments()[1], 0.27368, 5, "tanh m2");
    let rho = l.density_many(&[-0.5, 0.0, 0.5, 1.0]).unwrap();
    for (r, want) in rho.iter().zip([0.97508, 0.57778, 0.36583, 0.20765]) {
        to_digits(*r, want, 5, "tanh rho");
    }
    // cube through Activation::custom: θ1 = 3 s2, θ2² = 15 s2³ - 9 s2³
    let cube = Activation::custom("cube", |x| x * x * x, |x| 3.0 * x * x);
    let l = EntrywiseWishart::new(c, &cube).unwrap();
    assert!((l.theta1() - 1.5).abs() < 1e-12 && (l.theta2_sq() - 0.75).abs() < 1e-12);
    assert!((l.moments()[1] - 1.875).abs() < 1e-12);
    let rho = l.density_many(&[-1.0, 0.0, 1.0]).unwrap();
    for (r, want) in rho.iter().zip([0.25938, 0.23834, 0.18378]) {
        to_digits(*r, want, 5, "cube rho");
    }
    // the named `cube` of the CLI is the same law (a consistency check of the two spellings only)
    assert_eq!(law("cube", c).theta2_sq(), l.theta2_sq());
    // independent reference: the free sum θ1 (MP(c) - 1) ⊞ SC(θ2²) solved by the expression language's
    // subordination solver (src/models/free), a different code path from the GEP fixed point
    let free =
        nnlimits::models::free::Expression::parse_plain("1.5 * (mp(0.5) - 1) + sc(0.75)").unwrap();
    let xs = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0];
    let want = free.density_many(&xs).unwrap();
    let got = l.density_many(&xs).unwrap();
    for ((x, a), b) in xs.iter().zip(&got).zip(&want) {
        assert!(
            (a - b).abs() < 1e-6 * (1.0 + b),
            "cube rho({x}): {a} vs free sum {b}"
        );
    }
    assert!((free.moments()[1] - l.moments()[1]).abs() < 1e-9);
}

/// θ2 = 0: a linear f gives exactly θ1 (MP - 1) — at c < 1, c = 1 (hard edge, reflected by θ1 < 0) and
/// c > 1 (atom 1 - 1/c at -θ1).
#[test]
fn theta2_zero_is_shifted_marchenko_pastur() {
    for c in [0.5, 2.0] {
        let l = law("linear", c);
        assert_eq!((l.theta1(), l.theta2_sq()), (1.0, 0.0), "c = {c}");
        let mp = MarchenkoPastur::new(c, 1.0).unwrap();
        let (lo, hi) = mp.edges();
        let s = l.support().unwrap();
        assert_eq!(s.components.len(), 1);
        assert!((s.components[0].0 - (lo - 1.0)).abs() < 1e-9);
        assert!((s.components[0].1 - (hi - 1.0)).abs() < 1e-9);
        let atom = mp.atom();
        assert_eq!(s.atoms.len(), usize::from(atom > 0.0));
        if atom > 0.0 {
            assert!((s.atoms[0].0 + 1.0).abs() < 1e-12 && (s.atoms[0].1 - atom).abs() < 1e-15);
        }
        let xs: Vec<f64> = (0..41).map(|k| -1.5 + 0.15 * k as f64).collect();
        let d = l.density_many(&xs).unwrap();
        for (x, r) in xs.iter().zip(&d) {
            let want = mp.density_closed(x + 1.0);
            assert!(
                (r - want).abs() < 1e-8 * (1.0 + want),
                "c={c} x={x}: {r} vs {want}"
            );
        }
    }
    // θ1 = -0.7 at c = 1: the law of -0.7 (MP(1) - 1), hard edge at +0.7
    let (t, c) = (-0.7, 1.0);
    let l = EntrywiseWishart::from_thetas(c, t, 0.0).unwrap();
    let mp = MarchenkoPastur::new(c, 1.0).unwrap();
    let s = l.support().unwrap();
    assert!((s.components[0].0 + 2.1).abs() < 1e-8 && (s.components[0].1 - 0.7).abs() < 1e-12);
    for x in [-2.0, -1.0, 0.0, 0.5, 0.69] {
        let want = mp.density_closed(1.0 + x / t) / t.abs();
        let got = l.density(x).unwrap();
        assert!(
            (got - want).abs() < 1e-8 * (1.0 + want),
            "x={x}: {got} vs {want}"
        );
    }
}

/// θ1 = 0: a pure semicircle of variance θ2² (absc has μ1 = 0: θ2² = Var|g| = c (1 - 2/π)); a tiny θ1
/// stays on it (the cancellation-free MP root).
#[test]
fn theta1_zero_is_semicircle() {
    let c = 0.5;
    let l = law("absc", c);
    assert_eq!(l.theta1(), 0.0);
    let v = c * (1.0 - 2.0 / PI);
    assert!((l.theta2_sq() - v).abs() < 1e-15);
    let sc = |x: f64, v: f64| (4.0 * v - x * x).max(0.0).sqrt() / (2.0 * PI * v);
    let r = 2.0 * v.sqrt();
    let s = l.support().unwrap();
    assert!((s.components[0].0 + r).abs() < 1e-9 && (s.components[0].1 - r).abs() < 1e-9);
    for k in 0..21 {
        let x = -1.1 * r + 0.11 * r * k as f64;
        assert!((l.density(x).unwrap() - sc(x, v)).abs() < 1e-8, "x = {x}");
    }
    let tiny = EntrywiseWishart::from_thetas(2.0, 1e-9, 0.3).unwrap();
    for x in [-1.0, 0.0, 0.7] {
        assert!(
            (tiny.density(x).unwrap() - sc(x, 0.3)).abs() < 1e-7,
            "x = {x}"
        );
    }
}

/// The tabulated law has mass 1 and reproduces the free-cumulant moments m1..m4; g(z) equals the
/// quadrature of ∫ρ(t)/(t - z) dt (Bai–Silverstein sign) and behaves as -1/z at infinity.
#[test]
fn mass_moments_and_stieltjes_by_quadrature() {
    // (law, quadrature tolerance): 1e-8 for square-root edges; a semicircle of relative variance 2e-9
    // on the hard edge of MP(1) leaves an edge layer of width ~1e-4 that 300 graded nodes resolve to 1e-6
    let cases = [
        (law("relu", 0.5), 1e-8),
        (law("tanh", 0.5), 1e-8),
        (law("cube", 0.5), 1e-8),
        (law("relu", 2.0), 1e-8),
        (law("erf", 0.25), 1e-8),
        (EntrywiseWishart::from_thetas(2.0, 0.7, 0.0).unwrap(), 1e-8),
        (EntrywiseWishart::from_thetas(0.5, -1.3, 0.2).unwrap(), 1e-8),
        // small θ₂ next to soft edges (tabulating this took 80 s at the solver's default tolerance)
        (law("tanh", 0.01), 1e-8),
        // small θ₂ next to the hard edge of MP(1), just above THETA2_FLOOR = 1e-9
        (EntrywiseWishart::from_thetas(1.0, 1.0, 2e-9).unwrap(), 1e-6),
    ];
    for (l, tol) in &cases {
        let sd = SpectralDensity::from_model(l, 300).unwrap();
        let m = l.closed_moments();
        assert!(
            (sd.mass() - 1.0).abs() < *tol,
            "{:?} mass {}",
            l.params(),
            sd.mass()
        );
        for k in 1..=4 {
            let q = sd.moment(k);
            assert!(
                (q - m[k as usize - 1]).abs() < 10.0 * tol * m[1].powf(k as f64 / 2.0),
                "{:?}: m{k} {q} vs {}",
                l.params(),
                m[k as usize - 1]
            );
        }
        let z = C64::new(0.1, 0.4);
        let g = l.stieltjes(z).unwrap();
        let mut quad: C64 = sd.atoms.iter().map(|(a, w)| *w / (*a - z)).sum();
        for comp in &sd.components {
            for (x, w) in comp.x.iter().zip(&comp.weights) {
                quad += *w / (*x - z);
            }
        }
        assert!(g.im > 0.0 && (g - quad).norm() < 1e-7, "{g} vs {quad}");
        let far = C64::new(0.0, 1e6);
        assert!((l.stieltjes(far).unwrap() * far + 1.0).norm() < 1e-6);
    }
    // below the floor the semicircle part is dropped: the law of θ1 (MP(1) - 1) with its hard edge
    let l = EntrywiseWishart::from_thetas(1.0, 1.0, 1e-10).unwrap();
    assert!((l.support().unwrap().components[0].0 + 1.0).abs() < 1e-9);
    assert_eq!(l.theta2_sq(), 1e-10); // the constant is kept as given; only the solver drops it
                                      // scale invariance: g_{aY}(z) = g_Y(z/a)/a at a = 1e-40
    let (a, b) = (
        EntrywiseWishart::from_thetas(0.5, 0.5, 0.045).unwrap(),
        EntrywiseWishart::from_thetas(0.5, 0.5e-40, 0.045e-80).unwrap(),
    );
    let z = C64::new(0.2, 0.05);
    let (ga, gb) = (
        a.stieltjes(z).unwrap(),
        b.stieltjes(z * 1e-40).unwrap() * 1e-40,
    );
    assert!((ga - gb).norm() < 1e-9 * ga.norm(), "{ga} vs {gb}");
}

/// A smeared MP atom that has just merged with the bulk (c = 3.905, θ₁ = 0.902, θ₂² = 0.677, the
/// known failure of docs/models/gep.md "Robustness"): the density has a near-cusp at x ≈ 0.39 in the
/// middle of its one component, where the 300-node graded rule is coarse; that tabulation misses 2.1e-3
/// of the mass and is refused, and the model's tabulation retries with more nodes. Reference values: the
/// density from the cubic of the fixed point (its root with the largest imaginary part), integrated by
/// the trapezoidal rule on 4e5 points (error ~1e-8): `F(0.395) = 0.744248`, and the closed moments.
#[test]
fn merged_atom_cusp_is_tabulated_with_more_nodes() {
    let l = EntrywiseWishart::from_thetas(3.905, 0.902, 0.677).unwrap();
    let support = l.support().unwrap();
    assert_eq!(support.components.len(), 1);
    let coarse = SpectralDensity::from_support(&support, 300, |xs| l.density_many(xs));
    assert!(matches!(coarse, Err(Error::Domain(_))), "{coarse:?}");
    let sd = SpectralDensity::from_model(&l, 300).unwrap();
    assert!((sd.mass() - 1.0).abs() < 2e-4, "mass {}", sd.mass());
    let m = l.closed_moments();
    for k in 2..=4 {
        let q = sd.moment(k);
        let exact = m[k as usize - 1];
        assert!((q - exact).abs() < 1e-3 * exact, "m{k}: {q} vs {exact}");
    }
    // within a cell the CDF is interpolated linearly; the cells near the cusp are ~0.04 wide
    let f = sd.cdf(0.395);
    assert!((f - 0.744248).abs() < 2e-3, "F(0.395) = {f}");
    // a law that passed before is returned as it was
    let easy = EntrywiseWishart::from_thetas(3.905, 0.902, 0.6).unwrap();
    let plain =
        SpectralDensity::from_support(&easy.support().unwrap(), 300, |xs| easy.density_many(xs));
    assert_eq!(
        SpectralDensity::from_model(&easy, 300).unwrap(),
        plain.unwrap()
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let relu = Activation::Relu;
    for c in [0.0, -1.0, f64::NAN, 1e5] {
        assert!(matches!(
            EntrywiseWishart::new(c, &relu),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let e = EntrywiseWishart::from_thetas(0.5, 1.0, -0.1).unwrap_err();
    assert!(e.to_string().contains("theta2_sq"), "{e}");
    assert!(EntrywiseWishart::from_thetas(0.5, f64::NAN, 0.1).is_err());
    assert!(EntrywiseWishart::from_thetas(0.5, 1.0, f64::INFINITY).is_err());
    assert!(matches!(
        EntrywiseWishart::from_thetas(0.5, 0.0, 0.0),
        Err(Error::Domain(_))
    ));
    // Gaussian moments that do not exist
    let wild = Activation::custom(
        "exp4",
        |x| (x.powi(4)).exp(),
        |x| 4.0 * x.powi(3) * (x.powi(4)).exp(),
    );
    assert!(EntrywiseWishart::new(0.5, &wild).is_err());
    assert!(EntrywiseWishartSampler::new(100, 200, wild).is_err());
    let e = activation_by_name("sigmoid").unwrap_err();
    assert!(e.to_string().contains("cube"), "{e}");
    // z on the real axis, non-finite points
    let l = law("relu", 0.5);
    assert!(matches!(
        l.stieltjes(C64::new(0.3, 0.0)),
        Err(Error::NotInUpperHalfPlane { .. })
    ));
    assert!(l.stieltjes(C64::new(0.3, -1.0)).is_err());
    assert!(l.density(f64::NAN).is_err());
    assert!(l.density_many(&[0.1, f64::INFINITY]).is_err());
    // sampler sizes
    assert!(EntrywiseWishartSampler::new(1, 10, Activation::Relu).is_err());
    assert!(EntrywiseWishartSampler::new(10, 1_000_000, Activation::Relu).is_err());
    assert!(EntrywiseWishartSampler::new(20_001, 20_000, Activation::Relu).is_err());
}

/// One draw: symmetric, zero diagonal (trace 0 to rounding), reproducible from its stream.
#[test]
fn sampler_draws_the_stated_matrix() {
    let s = EntrywiseWishartSampler::new(60, 120, Activation::Relu).unwrap();
    let y = s.matrix(&mut stream(3, 0));
    for i in 0..60 {
        assert_eq!(y[i + 60 * i], 0.0);
        for j in 0..i {
            assert_eq!(y[i + 60 * j], y[j + 60 * i]);
        }
    }
    let a = s.sample(&mut stream(3, 0)).unwrap();
    assert_eq!(a, s.sample(&mut stream(3, 0)).unwrap());
    assert!(a.iter().sum::<f64>().abs() < 1e-12);
    assert_ne!(a, s.sample(&mut stream(3, 1)).unwrap());
}

fn draws(s: &EntrywiseWishartSampler, seed: u64, k: usize) -> Vec<Vec<f64>> {
    (0..k)
        .map(|i| s.sample(&mut stream(seed, i as u64)).unwrap())
        .collect()
}

fn opts(rate: f64) -> SpectralValidation {
    SpectralValidation {
        bias_coeff: 1.0,
        bias_rate: rate,
        ..SpectralValidation::default()
    }
}

/// Monte Carlo at N = 500, M = 1000 (c = 0.5), 6 draws, seed 8, through the generic validator with the
/// rule `validate gep` uses (bias N^-1/2 for nonlinear f, N^-1 for linear f): the GEP law passes for ReLU,
/// cube and linear f; m3 and m4 (free cumulants) agree within t_S SE + k |m_k| N^-1/2; wrong theories
/// (the naive linearisation θ2 = 0, or the wrong ratio c = 0.6) fail.
#[test]
fn monte_carlo_passes_and_wrong_theory_fails() {
    let (n, m) = (500, 1000);
    let relu = EntrywiseWishartSampler::new(n, m, Activation::Relu).unwrap();
    let d = draws(&relu, 8, 6);
    let theory = law("relu", 0.5);
    let out = compare(&theory, relu.describe(), d.clone(), &opts(0.5)).unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );
    let bias = (n as f64).powf(-0.5);
    for k in [3i32, 4] {
        let per: Vec<f64> = d
            .iter()
            .map(|e| e.iter().map(|x| x.powi(k)).sum::<f64>() / n as f64)
            .collect();
        let (mean, se) = mean_se(&per);
        let th = theory.closed_moments()[k as usize - 1];
        let tol = z_crit(per.len()) * se + k as f64 * th.abs() * bias;
        assert!((mean - th).abs() <= tol, "m{k}: {mean} ± {se} vs {th}");
    }
    // wrong theories fail (both checks named)
    let naive = EntrywiseWishart::from_thetas(0.5, 0.5, 0.0).unwrap();
    let out = compare(&naive, relu.describe(), d.clone(), &opts(1.0)).unwrap();
    assert_eq!(out.report.verdict, Verdict::Fail);
    let failed: Vec<&str> = out
        .report
        .checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        failed.contains(&"ks") && failed.contains(&"m2"),
        "{failed:?}"
    );
    let wrong_c = law("relu", 0.6);
    let out = compare(&wrong_c, relu.describe(), d, &opts(0.5)).unwrap();
    assert_eq!(out.report.verdict, Verdict::Fail);
    assert!(out.report.checks.iter().any(|c| c.name == "m2" && !c.pass));

    let cube_act = activation_by_name("cube").unwrap();
    let cube = EntrywiseWishartSampler::new(n, m, cube_act).unwrap();
    let out = compare(
        &law("cube", 0.5),
        cube.describe(),
        draws(&cube, 8, 6),
        &opts(0.5),
    )
    .unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );

    let lin = EntrywiseWishartSampler::new(n, m, Activation::Linear).unwrap();
    let out = compare(
        &law("linear", 0.5),
        lin.describe(),
        draws(&lin, 8, 4),
        &opts(1.0),
    )
    .unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );
}

proptest::proptest! {
    // a fixed seed: the same 96 cases on every run (a random seed found c = 3.905, θ1 = 0.902,
    // θ2² = 0.677, whose tabulated mass 0.99787 is refused; docs/models/gep.md, "Robustness")
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 96,
        rng_seed: proptest::test_runner::RngSeed::Fixed(1),
        ..Default::default()
    })]

    /// Over the whole accepted range (ratio 1e-4..1e4, both signs of θ1, θ2² from below the floor to
    /// 10): the law tabulates with mass 1 and m2 by quadrature equals θ1² c + θ2², both within 5e-3 (the
    /// 300-node tabulation misses up to 1.1e-3 of the mass where a smeared MP atom has just merged with
    /// the bulk into a cusp, measured over 10^4 parameter points, docs/models/gep.md "Robustness"); the
    /// density is finite and non-negative on a grid.
    #[test]
    fn tabulates_over_the_parameter_range(
        lc in -4.0f64..4.0,
        t1 in -3.0f64..3.0,
        ls in -12.0f64..1.0,
    ) {
        let (c, s2) = (10f64.powf(lc), 10f64.powf(ls));
        let l = EntrywiseWishart::from_thetas(c, t1, s2).unwrap();
        let sd = SpectralDensity::from_model(&l, 300).unwrap();
        let mass = sd.mass();
        proptest::prop_assert!((mass - 1.0).abs() < 5e-3, "c {c} t1 {t1} s2 {s2}: {mass}");
        let m2 = l.closed_moments()[1];
        let q2 = sd.moment(2);
        proptest::prop_assert!((q2 - m2).abs() < 5e-3 * m2, "m2 {q2} vs {m2}");
        let (lo, hi) = sd.range();
        let xs: Vec<f64> = (0..50).map(|k| lo + (hi - lo) * k as f64 / 49.0).collect();
        for d in l.density_many(&xs).unwrap() {
            proptest::prop_assert!(d.is_finite() && d >= 0.0);
        }
    }
}
