use nnlimits::error::Error;
use nnlimits::models::fim::activation::*;
use nnlimits::numerics::quad::gaussian_expectation_2d;
use std::f64::consts::PI;

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

/// docs/models/fim.md (F14) table, σ_w² = σ_v² = 1, to the 6 digits given.
#[test]
fn f14_table() {
    let rows: [(&str, [f64; 6]); 6] = [
        (
            "tanh",
            [0.0, 0.605706, 0.394294, 0.464403, 0.027415, 0.097524],
        ),
        (
            "erf",
            [0.0, 0.651470, 0.464559, 0.569410, 0.040146, 0.144997],
        ),
        ("relu", [0.398942, 0.5, 0.5, 0.5, 0.090845, 0.25]),
        ("crelu", [0.0, 0.5, 0.340845, 0.5, 0.090845, 0.25]),
        ("absc", [0.0, 0.0, 0.363380, 1.0, 0.363380, 1.0]),
        ("linear", [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]),
    ];
    for (name, v) in rows {
        let g = Activation::parse(name)
            .unwrap()
            .constants(1.0, 1.0)
            .unwrap();
        let got = [g.mu0, g.mu1, g.eta, g.eta_p, g.mu_star2, g.c];
        for (x, y) in got.iter().zip(v) {
            close(*x, y, 6e-7);
        }
    }
}

#[test]
fn closed_forms_and_identities() {
    // erf exact values
    let g = Activation::Erf.constants(1.0, 1.0).unwrap();
    close(g.mu1, 2.0 / (3.0 * PI).sqrt(), 1e-14);
    close(g.eta, 2.0 / PI * (2.0f64 / 3.0).asin(), 1e-14);
    close(g.eta_p, 4.0 / (PI * 5f64.sqrt()), 1e-14);
    // erf closed-form μ1 agrees with the Gauss–Hermite route at another σ_w
    let s2 = 2.3;
    let gh = base_constants_gh(
        &|x| statrs::function::erf::erf(x),
        &|x| 2.0 / PI.sqrt() * (-x * x).exp(),
        s2,
    )
    .unwrap();
    let g = Activation::Erf.constants(s2, 1.0).unwrap();
    // (160-node Gauss–Hermite of an analytic function: ~1e-11 quadrature error)
    close(gh.hermite[1] / s2.sqrt(), g.mu1, 1e-10);
    close(gh.eta, g.eta, 1e-10);
    close(gh.eta_p, g.eta_p, 1e-10);
    // ReLU at general σ_w (F14): μ0 = σ_w/sqrt(2π), η = σ_w²/2
    let g = Activation::Relu.constants(2.0, 1.0).unwrap();
    close(g.mu0, 2f64.sqrt() / (2.0 * PI).sqrt(), 1e-15);
    close(g.eta, 1.0, 1e-15);
    // F23: ReLU b0 = 1/(2π), b1 = 1/4, b2 = 1/(4π); Σ b_k -> η
    let g = Activation::Relu.constants(1.0, 1.0).unwrap();
    let b = g.kernel_coefficients();
    close(b[0], 1.0 / (2.0 * PI), 1e-15);
    close(b[1], 0.25, 1e-15);
    close(b[2], 1.0 / (4.0 * PI), 1e-15);
    close((b[0] + b[1] + b[2]) / g.eta, 0.9775, 1e-4);
    assert!(b.iter().sum::<f64>() < g.eta && b.iter().sum::<f64>() > 0.99 * g.eta);
    // F19: ReLU E φ'' = 1/sqrt(2π); b2 = (1/2π)(1/2 + 1)
    close(g.e_phi2, 1.0 / (2.0 * PI).sqrt(), 1e-15);
    close(g.b2, 1.5 / (2.0 * PI), 1e-15);
    // tanh: Σ_k b_k -> η (odd series, fast convergence)
    let g = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let s: f64 = g.kernel_coefficients().iter().sum();
    assert!(s <= g.eta + 1e-12 && s > g.eta - 2e-3, "{s} {}", g.eta);
    // a custom smooth function reproduces a built-in one
    let c = Activation::custom("mytanh", |x| x.tanh(), |x| 1.0 / x.cosh().powi(2))
        .constants(1.0, 1.0)
        .unwrap();
    close(c.eta, 0.394294, 6e-7);
    close(c.mu0, 0.0, 1e-14);
}

/// F20 kernels: the diagonal gives η, η' (F14); closed forms against the quadrature routes.
#[test]
fn pair_kernels_diagonal_and_cross_checks() {
    for act in ["linear", "tanh", "erf", "relu", "crelu", "absc"] {
        let a = Activation::parse(act).unwrap();
        for s2 in [0.7, 1.0, 2.0] {
            let g = a.constants(s2, 1.0).unwrap();
            let (k, kd) = a.pair_kernels(s2, s2, s2, None).unwrap();
            close(k, g.eta, 1e-10);
            close(kd, g.eta_p, 1e-10);
        }
    }
    // smooth closed form (erf) against the tensor rule; tanh's Mehler series against it
    let (s11, s12, s22) = (1.3, 0.5, 0.8);
    let erf = |x: f64| statrs::function::erf::erf(x);
    let (k, kd) = Activation::Erf.pair_kernels(s11, s12, s22, None).unwrap();
    close(
        k,
        gaussian_expectation_2d(|u, v| erf(u) * erf(v), s11, s12, s22, 80).unwrap(),
        1e-10,
    );
    let de = |x: f64| 2.0 / PI.sqrt() * (-x * x).exp();
    close(
        kd,
        gaussian_expectation_2d(|u, v| de(u) * de(v), s11, s12, s22, 80).unwrap(),
        1e-10,
    );
    let (k, kd) = Activation::Tanh.pair_kernels(s11, s12, s22, None).unwrap();
    let t2 = gaussian_expectation_2d(|u, v| u.tanh() * v.tanh(), s11, s12, s22, 300).unwrap();
    let sech2 = |x: f64| 1.0 / x.cosh().powi(2);
    let d2 = gaussian_expectation_2d(|u, v| sech2(u) * sech2(v), s11, s12, s22, 300).unwrap();
    close(k, t2, 1e-9);
    close(kd, d2, 1e-8);
    // the |ρ| > 0.9 fallback joins the series continuously
    let r = (s11 * s22).sqrt();
    let below = Activation::Tanh
        .pair_kernels(s11, 0.9 * r, s22, None)
        .unwrap();
    let above = Activation::Tanh
        .pair_kernels(s11, 0.900001 * r, s22, None)
        .unwrap();
    close(below.0, above.0, 1e-6);
    // ReLU degree-0 kernel: E[1(u>0)1(v>0)] at ρ = 0 is 1/4; sign kernel odd in ρ
    close(
        Activation::Relu
            .pair_kernels(1.0, 0.0, 2.0, None)
            .unwrap()
            .1,
        0.25,
        1e-15,
    );
    let p = Activation::Absc
        .pair_kernels(1.0, 0.3, 1.0, None)
        .unwrap()
        .1;
    let m = Activation::Absc
        .pair_kernels(1.0, -0.3, 1.0, None)
        .unwrap()
        .1;
    close(p, -m, 1e-15);
    assert!(Activation::Erf.pair_kernels(1.0, 2.0, 1.0, None).is_err());
    assert!(Activation::Erf.pair_kernels(0.0, 0.0, 1.0, None).is_err());
}

#[test]
fn derivative_is_consistent() {
    for act in ["linear", "tanh", "erf", "relu", "crelu", "absc"] {
        let a = Activation::parse(act).unwrap();
        for &x in &[-1.3, -0.2, 0.4, 2.1] {
            let h = 1e-6;
            let fd = (a.eval(x + h) - a.eval(x - h)) / (2.0 * h);
            close(fd, a.deriv(x), 1e-6);
        }
    }
}

#[test]
fn bad_input_is_typed() {
    assert!(matches!(
        Activation::parse("sigmoidal"),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(Activation::Tanh.constants(0.0, 1.0).is_err());
    assert!(Activation::Tanh.constants(1.0, -1.0).is_err());
    assert!(Activation::Tanh.constants(f64::NAN, 1.0).is_err());
    assert!(GaussianConstants::from_values("x", 1.0, 1.0, 0.0, 1.0, 0.5, 1.0, 0.0).is_err());
    assert!(GaussianConstants::from_values("x", 1.0, 1.0, 0.0, 1.0, 1.0, 0.5, 0.0).is_err());
    let bad = Activation::custom("exp2", |x| (x * x).exp(), |x| 2.0 * x * (x * x).exp());
    assert!(bad.constants(1.0, 1.0).is_err());
}
