use nnlimits::numerics::quad::*;

/// The product form sums the same rule in another order: equal to the generic one up to rounding.
#[test]
fn product_form_equals_the_generic_rule() {
    for (a, b, c) in [
        (1.0, 0.5, 1.0),
        (0.5, -0.2, 2.0),
        (2.0, 2.0, 2.0),
        (3.0, 0.0, 0.1),
    ] {
        let g = gaussian_expectation_2d(|x, y| x.tanh() * (y * y).sin(), a, b, c, 64).unwrap();
        let p = gaussian_product_expectation_2d(f64::tanh, |y| (y * y).sin(), a, b, c, 64).unwrap();
        assert!((g - p).abs() < 1e-14, "({a}, {b}, {c}): {g} vs {p}");
    }
    assert!(gaussian_product_expectation_2d(f64::tanh, f64::tanh, 1.0, 2.0, 1.0, 8).is_err());
}

#[test]
fn hermite_moments() {
    let r = gauss_hermite(20).unwrap();
    assert!((r.apply(|_| 1.0) - 1.0).abs() < 1e-13);
    assert!(r.apply(|x| x).abs() < 1e-13);
    assert!((r.apply(|x| x * x) - 1.0).abs() < 1e-12);
    assert!((r.apply(|x| x.powi(4)) - 3.0).abs() < 1e-11);
    assert!((r.apply(|x| x.powi(8)) - 105.0).abs() < 1e-8);
}

#[test]
fn hermite_smooth_expectations() {
    // E tanh(z)^2 = 0.394294 (docs/models/fim.md (F14)); E erf(z)^2 = (2/pi) asin(2/3).
    let t = gaussian_expectation(|x| x.tanh().powi(2), 1.0);
    assert!((t - 0.394294).abs() < 1e-6, "{t}");
    let e = gaussian_expectation(|x| (x * x).exp().recip(), 1.0);
    assert!((e - 1.0 / 3f64.sqrt()).abs() < 1e-12, "{e}");
}

#[test]
fn legendre_and_tanh_sinh() {
    let r = gauss_legendre(10).unwrap();
    assert!((r.apply(|x| x.powi(6)) - 2.0 / 7.0).abs() < 1e-14);
    // Hard-edge singularity x^{-1/2} on [0, 1].
    let v = integrate(|x| x.powf(-0.5), 0.0, 1.0, 1e-10).unwrap();
    // the crate stops at ~350 evaluations: ~3e-7 on an inverse-square-root edge
    assert!((v - 2.0).abs() < 1e-6, "{v}");
    assert!(integrate(|x| x, 0.0, f64::INFINITY, 1e-8).is_err());
}

#[test]
fn gegenbauer_sphere_moments() {
    // one coordinate t of a uniform point on S^{d-1}: E t² = 1/d, E t⁴ = 3/(d(d+2))
    for d in [2usize, 3, 10, 1000] {
        let r = gauss_gegenbauer(12, (d as f64 - 2.0) / 2.0).unwrap();
        let df = d as f64;
        assert!((r.apply(|_| 1.0) - 1.0).abs() < 1e-13);
        assert!((r.apply(|t| t * t) - 1.0 / df).abs() < 1e-14, "d = {d}");
        assert!((r.apply(|t| t.powi(4)) - 3.0 / (df * (df + 2.0))).abs() < 1e-14);
    }
    // λ = 1/2 is Gauss–Legendre (weights halved)
    let g = gauss_gegenbauer(10, 0.5).unwrap();
    let l = gauss_legendre(10).unwrap();
    for (a, b) in g.weights.iter().zip(&l.weights) {
        assert!((2.0 * a - b).abs() < 1e-13);
    }
    assert!(gauss_gegenbauer(10, -0.5).is_err());
}

#[test]
fn mehler_matches_closed_form() {
    // E[e^{-u²} e^{-v²}] = det(I + 2Σ)^{-1/2} for a centred pair with covariance Σ
    let g = |x: f64| (-x * x).exp();
    for &(a, b, rho) in &[(1.0, 1.0, 0.3), (1.2, 0.7, -0.6), (0.9, 1.4, 0.85)] {
        let (ca, cb) = (
            hermite_coefficients(g, a, 80),
            hermite_coefficients(g, b, 80),
        );
        let (s11, s22, s12): (f64, f64, f64) = (a * a, b * b, rho * a * b);
        let exact = 1.0 / ((1.0 + 2.0 * s11) * (1.0 + 2.0 * s22) - 4.0 * s12 * s12).sqrt();
        let m = mehler_sum(&ca, &cb, rho);
        assert!((m - exact).abs() < 1e-12, "{a} {b} {rho}: {m} vs {exact}");
        let t = gaussian_expectation_2d(|u, v| g(u) * g(v), s11, s12, s22, 60).unwrap();
        assert!((t - exact).abs() < 1e-10, "{t} vs {exact}");
    }
    // a non-decaying function: the high coefficients of tanh stay small (E tanh² = Σ ĉ_k²)
    let c = hermite_coefficients(|x| x.tanh(), 1.0, 60);
    assert!(c.iter().all(|v| v.abs() < 0.61), "{c:?}");
    let s: f64 = c.iter().map(|v| v * v).sum();
    assert!((s - 0.394294).abs() < 1e-5, "{s}");
}

#[test]
fn bivariate_covariance() {
    let v = gaussian_expectation_2d(|u, v| u * v, 2.0, 0.7, 1.5, 10).unwrap();
    assert!((v - 0.7).abs() < 1e-12);
    assert!(gaussian_expectation_2d(|u, v| u * v, 1.0, 2.0, 1.0, 10).is_err());
}
