//! Tests of the deep NTK (docs/models/ntk-deep.md): depth 1 = the shallow `fim` law, the CK special
//! case = the engine's iterated `pop`, closed-form moments and the trace recursion, the Gram builder
//! against an explicit (finite-difference) Jacobian and the shallow sampler, Monte Carlo at moderate
//! size, refusals.

use nnlimits::error::Error;
use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::deep::ck::DeepCk;
use nnlimits::models::deep::ntk::DeepNtk;
use nnlimits::models::deep::ntk_entry::{FimDeepCheck, FimDeepSpec};
use nnlimits::models::deep::ntk_sampler::DeepNtkSampler;
use nnlimits::models::deep::ntk_solver::System;
use nnlimits::models::fim::entries::dual_law;
use nnlimits::models::fim::{Activation, Inputs, NetworkSampler, Ratios, Trained};
use nnlimits::numerics::quad::gaussian_expectation;
use nnlimits::output::FloatList;
use nnlimits::registry::SpectralSpec;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::report::Verdict;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use num_complex::Complex64 as C64;

fn interior(m: &dyn SpectralModel, k: usize) -> Vec<f64> {
    let s = m.support().unwrap();
    let mut xs = Vec::new();
    for &(lo, hi) in &s.components {
        for i in 0..k {
            xs.push(lo + (hi - lo) * (0.01 + 0.98 * (i as f64 + 0.5) / k as f64));
        }
    }
    xs
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |s, x| s.max(x.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

/// Depth 1 is the shallow `fim` law (both layers trained; F16, or F9 for a linear network).
#[test]
fn depth_one_is_the_shallow_fim_law() {
    for (act, s2, v2, dr, wr) in [
        ("tanh", 1.0, 1.0, 1.0, 1.0),
        ("tanh", 1.7, 0.6, 0.7, 1.3),
        ("erf", 0.8, 1.2, 1.5, 0.6),
        ("relu", 1.0, 1.0, 1.2, 0.9),
        ("linear", 1.3, 0.8, 0.8, 1.5),
    ] {
        let a = Activation::parse(act).unwrap();
        let deep = DeepNtk::new(&a, s2, v2, dr, &[wr]).unwrap();
        let g = a.constants(s2, v2).unwrap();
        let shallow = dual_law(&g, Ratios::new(dr, wr).unwrap(), Trained::Both, false).unwrap();
        // Stieltjes transforms off the axis: two exact equations of the same Gaussian model
        for z in [C64::new(0.5, 0.3), C64::new(2.0, 0.05), C64::new(4.0, 1.0)] {
            let (m1, m2) = (deep.stieltjes(z).unwrap(), shallow.stieltjes(z).unwrap());
            assert!(
                (m1 - m2).norm() <= 1e-10 * m2.norm(),
                "{act}: m({z}) = {m1} vs {m2}"
            );
        }
        let xs = interior(shallow.as_ref(), 40);
        let err = max_rel(
            &deep.density_many(&xs).unwrap(),
            &shallow.density_many(&xs).unwrap(),
        );
        // both are boundary values at Im z = 1e-10 (times the scale) of different solves
        assert!(err <= 1e-9, "{act}: density differs by {err:e} of the max");
        let (s1, sh) = (deep.support().unwrap(), shallow.support().unwrap());
        assert_eq!(s1.components.len(), sh.components.len(), "{act}");
        for (c1, c2) in s1.components.iter().zip(&sh.components) {
            let tol = 1e-8 * (1.0 + c2.1);
            let mid = 0.5 * (c1.0 + c2.0);
            assert!(
                (c1.0 - c2.0).abs() <= tol && (c1.1 - c2.1).abs() <= tol,
                "{act}: {c1:?} vs {c2:?}; at {mid}: {:?} {:?} {:?}",
                deep.stieltjes(C64::new(mid, 1e-10)),
                deep.stieltjes(C64::new(mid, 1e-12)),
                shallow.stieltjes(C64::new(mid, 1e-10)),
            );
        }
        assert_eq!(s1.atoms.len(), sh.atoms.len(), "{act}");
        for (x, y) in s1.atoms.iter().zip(&sh.atoms) {
            assert!((x.0 - y.0).abs() <= 1e-12 && (x.1 - y.1).abs() <= 1e-12);
        }
        let (m1, m2) = (deep.moments(), shallow.moments());
        for k in 0..2 {
            assert!(
                (m1[k] - m2[k]).abs() <= 1e-12 * m2[k].abs(),
                "{act} m{}: {} vs {}",
                k + 1,
                m1[k],
                m2[k]
            );
        }
    }
}

/// With weights `τ = (0, …, 0, 1)` and no shift the recursion is the deep conjugate kernel, whose law
/// the expression engine computes through iterated `pop` (another evaluation path).
#[test]
fn ck_weights_give_the_engine_deep_ck() {
    let a = Activation::Erf;
    let (dr, wrs) = (1.2, [1.5, 0.8, 1.6]);
    let ck = DeepCk::new(&a, 1.3, dr, &wrs).unwrap();
    let mut sys = DeepNtk::new(&a, 1.3, 1.0, dr, &wrs)
        .unwrap()
        .system()
        .clone();
    sys.tau = vec![0.0, 0.0, 0.0, 1.0];
    sys.shift = 0.0;
    for z in [C64::new(0.3, 0.2), C64::new(1.0, 0.01), C64::new(2.5, 0.5)] {
        let m1 = sys.solve(z, None, 1.0).unwrap().m;
        let m2 = ck.stieltjes(z).unwrap();
        assert!(
            (m1 - m2).norm() <= 1e-9 * m2.norm(),
            "m({z}) = {m1} vs {m2}"
        );
    }
}

/// `m(z)` at large `|z|`: `−(z² m + z) = m₁ + m₂/z + …` (Richardson over `z = iy, 2iy, 4iy`).
fn numeric_moments(sys: &System, scale: f64) -> (f64, f64) {
    let f = |y: f64| {
        let z = C64::new(0.0, y * scale);
        let m = sys.solve(z, None, scale).unwrap().m;
        let v = -(z * z * m + z);
        (v.re, -v.im * z.im)
    };
    let y = 50.0;
    let (a, b, c) = (f(y), f(2.0 * y), f(4.0 * y));
    let rich = |a: f64, b: f64, c: f64| {
        let (ab, bc) = ((4.0 * b - a) / 3.0, (4.0 * c - b) / 3.0);
        (16.0 * bc - ab) / 15.0
    };
    (rich(a.0, b.0, c.0), rich(a.1, b.1, c.1))
}

/// The law's mean is the trace recursion `m₁ = Σ_ℓ D_ℓ q_{ℓ−1} + q_L` (computed here with the shared
/// Gauss–Hermite expectation, not the activation tables), and its second moment the closed form; both
/// also from the solver at large `|z|` and from the tabulated density (which has mass 1).
#[test]
fn moments_and_trace_recursion() {
    for (act, s2, v2, dr, wrs) in [
        ("tanh", 1.5, 1.0, 1.0, vec![1.5, 1.5]),
        ("erf", 0.9, 0.7, 0.8, vec![1.2, 0.7, 1.5]),
        ("linear", 1.2, 1.0, 1.3, vec![1.5, 2.0]),
    ] {
        let a = Activation::parse(act).unwrap();
        let law = DeepNtk::new(&a, s2, v2, dr, &wrs).unwrap();
        // trace recursion: q_l, eta'_l forward; D_l backward
        let (mut q, mut qs, mut etas) = (1.0f64, vec![1.0], vec![]);
        for _ in 0..wrs.len() {
            let sd = (s2 * q).sqrt();
            etas.push(gaussian_expectation(|x| a.deriv(x).powi(2), sd));
            q = gaussian_expectation(|x| a.eval(x).powi(2), sd);
            qs.push(q);
        }
        let mut dd = v2;
        let mut trace = qs[wrs.len()];
        for l in (0..wrs.len()).rev() {
            dd *= etas[l];
            trace += dd * qs[l];
            dd *= s2;
        }
        let m = law.moments();
        assert!(
            (m[0] - trace).abs() <= 1e-9 * trace,
            "{act}: {} vs {trace}",
            m[0]
        );
        let (n1, n2) = numeric_moments(law.system(), m[0]);
        assert!(
            (n1 - m[0]).abs() <= 1e-8 * m[0],
            "{act}: m1 {n1} vs {}",
            m[0]
        );
        assert!(
            (n2 - m[1]).abs() <= 1e-6 * m[1],
            "{act}: m2 {n2} vs {}",
            m[1]
        );
        let t = SpectralDensity::from_model(&law, 400).unwrap();
        let mass = t.mass() + law.support().unwrap().atom_mass();
        assert!((mass - 1.0).abs() <= 1e-5, "{act}: mass {mass}");
        let q1 = t.moment(1);
        assert!(
            (q1 - m[0]).abs() <= 1e-4 * m[0],
            "{act}: quadrature m1 {q1}"
        );
    }
}

/// The Gram builder: at depth 1 the same draw as the shallow sampler (spherical inputs, normalised
/// readout), to rounding.
#[test]
fn depth_one_sampler_is_the_shallow_sampler() {
    let (n, d, w) = (40, 30, 50);
    let deep = DeepNtkSampler::new(n, d, &[w], Activation::Tanh, 1.3, 0.8, 0).unwrap();
    let shallow = NetworkSampler::new(
        n,
        d,
        w,
        Activation::Tanh,
        1.3,
        0.8,
        Trained::Both,
        Inputs::Spherical,
        true,
        0,
    )
    .unwrap();
    let a = deep.sample(&mut nnlimits::rng::stream(5, 0)).unwrap();
    let b = shallow.sample(&mut nnlimits::rng::stream(5, 0)).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= 1e-10 * (1.0 + y.abs()), "{x} vs {y}");
    }
}

/// `Θ` equals `J Jᵀ` with `J` from central finite differences of the network output (depth 3).
#[test]
fn gram_equals_finite_difference_jacobian() {
    let (n, d, widths) = (5usize, 4usize, [3usize, 6, 4]);
    let (s2, v2) = (1.4, 0.9);
    let act = Activation::Erf;
    let sampler = DeepNtkSampler::new(n, d, &widths, act.clone(), s2, v2, 0).unwrap();
    let theta = sampler.gram(&mut nnlimits::rng::stream(9, 0));
    // replay the draw: inputs, W_1..W_L, v (normalised)
    let mut rng = nnlimits::rng::stream(9, 0);
    let x = nnlimits::models::fim::draw_inputs(&mut rng, n, d, Inputs::Spherical);
    let mut params: Vec<f64> = Vec::new();
    let mut shapes = Vec::new();
    let mut prev = d;
    for &w in &widths {
        let z = nnlimits::rng::normals(&mut rng, w * prev);
        params.extend(z.iter().map(|v| v * s2.sqrt())); // column-major (i + j w)
        shapes.push((w, prev));
        prev = w;
    }
    let mut v: Vec<f64> = nnlimits::rng::normals(&mut rng, prev)
        .into_iter()
        .map(|z| z * v2.sqrt())
        .collect();
    let s = (prev as f64 * v2 / v.iter().map(|a| a * a).sum::<f64>()).sqrt();
    v.iter_mut().for_each(|a| *a *= s);
    params.extend(&v);
    let f = |p: &[f64], mu: usize| -> f64 {
        let mut h: Vec<f64> = (0..d).map(|i| x[(i, mu)]).collect();
        let mut off = 0;
        for &(w, pr) in &shapes {
            let g: Vec<f64> = (0..w)
                .map(|i| {
                    (0..pr).map(|j| p[off + i + j * w] * h[j]).sum::<f64>() / (pr as f64).sqrt()
                })
                .collect();
            off += w * pr;
            h = g.iter().map(|&t| act.eval(t)).collect();
        }
        h.iter().zip(&p[off..]).map(|(a, b)| a * b).sum::<f64>() / (h.len() as f64).sqrt()
    };
    let eps = 1e-5;
    let jac: Vec<Vec<f64>> = (0..n)
        .map(|mu| {
            (0..params.len())
                .map(|k| {
                    let (mut up, mut dn) = (params.clone(), params.clone());
                    up[k] += eps;
                    dn[k] -= eps;
                    (f(&up, mu) - f(&dn, mu)) / (2.0 * eps)
                })
                .collect()
        })
        .collect();
    for i in 0..n {
        for j in 0..n {
            let fd: f64 = jac[i].iter().zip(&jac[j]).map(|(a, b)| a * b).sum();
            assert!(
                (fd - theta[(i, j)]).abs() <= 1e-7 * (1.0 + fd.abs()), // FD error ~1e-10 per entry
                "Θ[{i},{j}] = {} vs J Jᵀ {fd}",
                theta[(i, j)]
            );
        }
    }
}

fn check(act: &str, s2: f64, n: usize, d: usize, widths: &[f64]) -> FimDeepCheck {
    FimDeepCheck {
        activation: act.into(),
        sigma_w2: s2,
        sigma_v2: 1.0,
        depth: widths.len(),
        n,
        d,
        widths: Some(FloatList(widths.to_vec())),
        bias_coeff: None,
        centre: false,
        theory_sigma_w2: None,
    }
}

fn run(c: &FimDeepCheck, theory: Option<&dyn SpectralModel>) -> (Verdict, f64, f64) {
    let plan = FimDeepSpec::plan(c).unwrap();
    let opts = SpectralValidation {
        samples: 4,
        seed: 11,
        ..plan.options
    };
    let model = theory.unwrap_or(plan.theory.as_ref());
    let out = validate_spectrum(model, plan.sampler.as_ref(), &opts).unwrap();
    let ks = out.report.checks.iter().find(|k| k.name == "ks").unwrap();
    (out.report.verdict, ks.observed, ks.tolerance)
}

/// Monte Carlo, 4 draws: tanh at depth 2 (`n = d = 500`, `N = (500, 750)`) and erf at depth 2
/// (`n = 400`, `d = 600`, `N = (600, 400)`) pass the validator (KS, L1, m1, m2 with the declared
/// `n^{-1/2}` bias); the tanh draws against the law of `σ_w² = 1.5` fail (negative control).
#[test]
fn monte_carlo_centred_depth_two() {
    let c = check("tanh", 1.0, 500, 500, &[500.0, 750.0]);
    let (v, ks, tol) = run(&c, None);
    assert_eq!(v, Verdict::Pass, "tanh depth 2: KS {ks} (tol {tol})");
    let c2 = check("erf", 1.0, 400, 600, &[600.0, 400.0]);
    let (v, ks2, tol2) = run(&c2, None);
    assert_eq!(v, Verdict::Pass, "erf depth 2: KS {ks2} (tol {tol2})");
    let wrong = DeepNtk::new(&Activation::Tanh, 1.5, 1.0, 1.0, &[1.0, 1.5]).unwrap();
    let (v, ks3, _) = run(&c, Some(&wrong));
    assert_eq!(v, Verdict::Fail, "wrong sigma_w2 must fail (KS {ks3})");
}

/// Non-centred activations: refused at depth >= 2 with a typed error naming the activation; ReLU at
/// depth 1 is the shallow law with its spike removed.
#[test]
fn non_centred_refused_at_depth_two() {
    let e = DeepNtk::new(&Activation::Relu, 1.0, 1.0, 1.0, &[1.0, 1.5]).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParameter { .. }) && e.to_string().contains("activation"),
        "{e}"
    );
    assert!(FimDeepSpec::plan(&check("relu", 1.0, 100, 100, &[100.0, 100.0])).is_err());
    let law = DeepNtk::new(&Activation::Relu, 1.0, 1.0, 1.0, &[1.5]).unwrap();
    assert!(law.has_spike());
}

/// Bad input is a typed error, never a panic.
#[test]
fn bad_input_is_typed() {
    let a = Activation::Tanh;
    assert!(DeepNtk::new(&a, 1.0, 1.0, 1.0, &[]).is_err());
    assert!(DeepNtk::new(&a, -1.0, 1.0, 1.0, &[1.0]).is_err());
    assert!(DeepNtk::new(&a, 1.0, 0.0, 1.0, &[1.0]).is_err());
    assert!(DeepNtk::new(&a, 1.0, 1.0, f64::NAN, &[1.0]).is_err());
    assert!(DeepNtk::new(&a, 1.0, 1.0, 1.0, &[1.0, 0.0]).is_err());
    assert!(DeepNtk::new(&a, 1.0, 1.0, 1.0, &vec![1.0; 51]).is_err());
    let law = DeepNtk::new(&a, 1.0, 1.0, 1.0, &[1.0, 1.0]).unwrap();
    assert!(law.stieltjes(C64::new(1.0, -0.1)).is_err());
    assert!(law.density(f64::NAN).is_err());
    let mut c = check("tanh", 1.0, 100, 100, &[100.0]);
    c.depth = 2;
    assert!(FimDeepSpec::plan(&c).is_err());
    c.widths = Some(FloatList(vec![100.0, 50.5]));
    assert!(FimDeepSpec::plan(&c).is_err());
}

/// A ReLU centred at every layer: the closed-form constants (`η' = 1/2`, `f = μ₁² = 1/4`,
/// `q_ℓ = s_ℓ (1/2 − 1/2π)`), so `D_L = σ_v²/2`, `O_L = σ_v²/4`, `D_ℓ = σ_w² D_{ℓ+1}/2`,
/// `O_ℓ = σ_w² O_{ℓ+1}/4`, `τ_{ℓ−1} = O_ℓ`, `r_+ = Σ (D_ℓ − O_ℓ) q_{ℓ−1}`, `m₁ = Σ D_ℓ q_{ℓ−1} + q_L`;
/// refused without centring at depth 2, accepted with it; at depth 1 the centred law is the
/// plain ReLU law (spike excluded).
#[test]
fn centred_relu_coefficients() {
    let (s2, v2) = (1.3, 0.7);
    let k2 = 1.0 / (2.0 * std::f64::consts::PI);
    let law = DeepNtk::with_centring(&Activation::Relu, s2, v2, 1.1, &[1.5, 0.9], true).unwrap();
    assert!(DeepNtk::new(&Activation::Relu, s2, v2, 1.1, &[1.5, 0.9]).is_err());
    let q1 = s2 * (0.5 - k2);
    let q2 = s2 * q1 * (0.5 - k2);
    let (d2, o2) = (v2 / 2.0, v2 / 4.0);
    let (d1, o1) = (s2 * d2 / 2.0, s2 * o2 / 4.0);
    let tau = [o1, o2, 1.0];
    let r_plus = (d1 - o1) + (d2 - o2) * q1;
    for (a, b) in law.tau().iter().zip(tau) {
        assert!((a - b).abs() <= 1e-14, "tau {:?} vs {tau:?}", law.tau());
    }
    assert!(
        (law.r_plus() - r_plus).abs() <= 1e-14,
        "r_+ {}",
        law.r_plus()
    );
    let m1 = d1 + d2 * q1 + q2;
    assert!(
        (law.moments()[0] - m1).abs() <= 1e-13 * m1,
        "m1 {:?}",
        law.moments()
    );
    assert!(!law.has_spike());
    // depth 1: centring the last (only) layer removes the spike and changes nothing else
    let c1 = DeepNtk::with_centring(&Activation::Relu, 2.0, 1.0, 0.8, &[1.3], true).unwrap();
    let p1 = DeepNtk::new(&Activation::Relu, 2.0, 1.0, 0.8, &[1.3]).unwrap();
    for z in [C64::new(0.5, 0.1), C64::new(2.0, 1e-3), C64::new(-1.0, 1.0)] {
        let (a, b) = (c1.stieltjes(z).unwrap(), p1.stieltjes(z).unwrap());
        assert!((a - b).norm() <= 1e-12 * b.norm(), "{z}: {a} vs {b}");
    }
}

/// Monte Carlo, 4 draws: a ReLU centred at every layer at depth 2 (`n = d = 400`, `N = (600, 600)`)
/// passes the validator; the same draws against the law at `σ_w² = 1.5` fail.
#[test]
fn monte_carlo_centred_relu_depth_two() {
    let mut c = check("relu", 1.0, 400, 400, &[600.0, 600.0]);
    c.centre = true;
    let (v, ks, tol) = run(&c, None);
    assert_eq!(
        v,
        Verdict::Pass,
        "centred relu depth 2: KS {ks} (tol {tol})"
    );
    c.theory_sigma_w2 = Some(1.5);
    let (v, ks, _) = run(&c, None);
    assert_eq!(
        v,
        Verdict::Fail,
        "law at sigma_w2 = 1.5 must fail (KS {ks})"
    );
}
