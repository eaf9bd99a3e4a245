//! Population FIM at infinite width (F23) and the single-unit block (F24), docs/models/fim.md
//! (F23, F24): theory to the reference digits, and Monte Carlo within standard errors derived from
//! the draws.

use nnlimits::model::Sampler;
use nnlimits::models::fim::population::{funk_hecke, harmonic_multiplicity};
use nnlimits::models::fim::{
    Activation, PairKernel, PopulationFim, PopulationSampler, UnitBlock, UnitBlockSampler,
};
use nnlimits::rng::stream;
use nnlimits::validate::report::{z_crit, Z_MAX};
use nnlimits::validate::stats::mean_se;
use std::f64::consts::PI;

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tol {tol:e})");
}

/// Closed-form pair kernels: κ(1) = η, and κ agrees with its Mehler series Σ_{k<=8} b_k ρ^k at small ρ.
#[test]
fn pair_kernels_closed_forms() {
    for name in ["linear", "relu", "crelu", "absc", "erf", "tanh"] {
        let act = Activation::parse(name).unwrap();
        for s2 in [1.0, 2.3] {
            let k = PairKernel::new(&act, s2).unwrap();
            let g = act.constants(s2, 0.0).unwrap();
            close(k.eval(1.0), g.eta, 1e-10, &format!("{name} κ(1) = η"));
            let b = g.kernel_coefficients();
            for rho in [-0.05f64, 0.02, 0.1] {
                let series: f64 = b
                    .iter()
                    .enumerate()
                    .map(|(j, bj)| bj * rho.powi(j as i32))
                    .sum();
                // truncation: b_9 ρ^9 + ... < 1e-9 at |ρ| <= 0.1
                close(
                    k.eval(rho),
                    series,
                    2e-9,
                    &format!("{name} Mehler at ρ = {rho}"),
                );
            }
        }
    }
    // the tabulated (Chebyshev) route reproduces the closed form for erf (smooth φ; for kinked φ the
    // Gauss–Hermite values themselves are off by ~1e-4, docs/models/fim.md, "Numerical methods",
    // step 9 — closed forms are used there)
    let (c, t) = (
        PairKernel::new(&Activation::Erf, 1.0).unwrap(),
        PairKernel::tabulated(&Activation::Erf, 1.0).unwrap(),
    );
    assert!(c.is_closed_form() && !t.is_closed_form());
    for r in [-1.0, -0.7, 0.0, 0.33, 0.999, 1.0] {
        // (160-node Gauss–Hermite values of erf(u)erf(v): ~1e-11)
        close(
            t.eval(r),
            c.eval(r),
            1e-10,
            &format!("erf tabulated at {r}"),
        );
    }
    // tanh (tabulated): the interpolant between its nodes equals direct Gauss–Hermite
    let k = PairKernel::new(&Activation::Tanh, 1.3).unwrap();
    for r in [-0.9995f64, -0.41, 0.2501, 0.9993] {
        let direct = nnlimits::numerics::quad::gaussian_expectation_2d(
            |u, v| u.tanh() * v.tanh(),
            1.3,
            1.3 * r,
            1.3,
            160,
        )
        .unwrap();
        close(
            k.eval(r),
            direct,
            1e-12,
            &format!("tanh interpolant at {r}"),
        );
    }
    assert!(PairKernel::new(&Activation::Tanh, 0.0).is_err());
    assert!(PairKernel::new(&Activation::Tanh, f64::NAN).is_err());
}

/// F23 reference numbers (docs/models/fim.md (F23, F24)): ReLU b0, b1, b2, the 97.75% share, b0 +
/// b2/d; exact finite-d Funk–Hecke values; multiplicities; the trace identity Σ_k N(d,k) λ_k = κ(1)
/// = η.
#[test]
fn f23_theory_reference_numbers() {
    let relu = Activation::Relu;
    let p = PopulationFim::new(&relu, 10, 1.0, 4).unwrap();
    let g = p.groups();
    let b: Vec<f64> = g.iter().map(|x| x.asymptotic_trace.unwrap()).collect();
    close(b[0], 1.0 / (2.0 * PI), 1e-15, "b0");
    close(b[1], 0.25, 1e-15, "b1");
    close(b[2], 1.0 / (4.0 * PI), 1e-15, "b2");
    close(b[2], 0.07958, 5e-6, "b2 digits");
    close((b[0] + b[1] + b[2]) / p.eta(), 0.9775, 5e-5, "share 0.9775");
    close(b[0] + b[2] / 10.0, 0.16711, 5e-6, "b0 + b2/d at d = 10");
    close(p.eta(), 0.5, 1e-15, "η");
    // exact finite-d (independent check: numpy/scipy Gauss–Gegenbauer, 300 nodes)
    close(g[0].eigenvalue, 0.167301, 5e-7, "λ0 d=10");
    close(
        g[1].eigenvalue,
        0.025,
        1e-13,
        "λ1 = b1/d exactly (ReLU has no odd b_k, k >= 3)",
    );
    close(g[2].trace, 0.0746634, 5e-8, "T2 d=10");
    close(g[3].trace, 0.0, 1e-12, "T3 = 0 (ReLU)");
    close(g[4].trace, 0.00539972, 5e-9, "T4 d=10");
    // the 1/d expansion: λ0 = b0 + b2/d + 3 b4/(d(d+2)) + ...
    let l0 = b[0] + b[2] / 10.0 + 3.0 * b[4] / 120.0;
    assert!(g[0].eigenvalue > l0 && g[0].eigenvalue - l0 < 3e-5);
    let p20 = PopulationFim::new(&relu, 20, 1.0, 2).unwrap();
    close(p20.groups()[0].eigenvalue, 0.163182, 5e-7, "λ0 d=20");
    close(p20.groups()[2].trace, 0.0773358, 5e-8, "T2 d=20");
    // group traces → b_k as d grows (T2: 0.0747, 0.0773, ... → 1/(4π))
    let t2: Vec<f64> = [10, 100, 1000, 100_000]
        .iter()
        .map(|&d| PopulationFim::new(&relu, d, 1.0, 2).unwrap().groups()[2].trace)
        .collect();
    assert!(t2.windows(2).all(|w| w[0] < w[1]), "{t2:?}");
    close(t2[3], b[2], 1e-5, "T2 at d = 1e5");
    // multiplicities 1, d, d(d+1)/2 - 1; S^1: 2 per degree; S^2: 2k + 1
    for d in [2usize, 3, 10, 20] {
        close(harmonic_multiplicity(d, 1), d as f64, 0.0, "N(d,1)");
        close(
            harmonic_multiplicity(d, 2),
            (d * (d + 1) / 2 - 1) as f64,
            1e-9,
            "N(d,2)",
        );
    }
    close(harmonic_multiplicity(2, 7), 2.0, 1e-12, "N(2,7)");
    close(harmonic_multiplicity(3, 7), 15.0, 1e-12, "N(3,7)");
    // trace identity: linear kernel is pure degree 1; erf (analytic kernel) sums to η over 40 degrees
    // at small d (at d = 30 the degree-40 traces are below the rounding floor N(d,k) ε, reported as
    // `rounding_error`)
    let lin = PopulationFim::new(&Activation::Linear, 7, 1.7, 6).unwrap();
    close(lin.groups()[1].trace, 1.7, 1e-13, "linear T1 = σ_w²");
    let rounding: f64 = lin.groups().iter().map(|g| g.rounding_error).sum();
    close(
        lin.residual_trace(),
        0.0,
        rounding,
        "linear residual within the rounding estimate",
    );
    for d in [2usize, 3, 5] {
        let e = PopulationFim::new(&Activation::Erf, d, 1.0, 40).unwrap();
        close(
            e.residual_trace(),
            0.0,
            1e-10,
            &format!("erf Σ T_k = η, d = {d}"),
        );
        let s: f64 = e.groups().iter().map(|x| x.share).sum();
        close(s, 1.0, 1e-9, "shares sum to 1");
    }
    // quadrature converged: 400 vs 800 nodes, the hardest case (d = 3: ReLU edge singularity, weak weight)
    let k = PairKernel::new(&relu, 1.0).unwrap();
    for d in [3usize, 10] {
        let a = funk_hecke(&k, d, 8, 400).unwrap();
        let c = funk_hecke(&k, d, 8, 800).unwrap();
        for (x, y) in a.iter().zip(&c) {
            close(x.0, y.0, 1e-11, &format!("Funk–Hecke nodes, d = {d}"));
        }
    }
    assert!(PopulationFim::new(&relu, 1, 1.0, 2).is_err());
    assert!(PopulationFim::new(&relu, 10, -1.0, 2).is_err());
    assert!(PopulationFim::new(&relu, 10, 1.0, 41).is_err());
}

/// Sampled `κ(W̃W̃ᵀ)/N` against the exact finite-d group traces with the O(1/N) shift; the total trace
/// is η in every draw. Tolerance: Student-t critical value for the number of draws × SE across draws,
/// plus the next-order estimate δ²/T. The uncorrected T_k and the asymptotic b_k are rejected.
/// Then the reference MC (numpy, ReLU, N = 4000, one draw, seed 3) against `T_k + δ_k` at
/// N = 4000, within 4 per-draw standard deviations: the SD measured here at N = 500 scaled by 500/4000
/// (per-draw SDs scale as 1/N: docs/models/fim.md, "Population FIM").
#[test]
fn f23_monte_carlo_groups() {
    let draws: u64 = 12;
    let refs = [[0.16738, 0.25017, 0.07454], [0.16328, 0.25036, 0.07742]];
    for ((d, width), r) in [(10usize, 500usize), (20, 500)].into_iter().zip(refs) {
        let p = PopulationFim::new(&Activation::Relu, d, 1.0, 4).unwrap();
        let pred = p.finite_width(width).unwrap();
        let s = PopulationSampler::new(&Activation::Relu, width, d, 1.0).unwrap();
        let mut trace_sq = Vec::new();
        let per: Vec<Vec<f64>> = (0..draws)
            .map(|i| {
                let ev = s.sample(&mut stream(3, i)).unwrap();
                // the total trace is η for ANY weights (a consistency check of the sampler only)
                let tr: f64 = ev.iter().sum();
                close(tr, p.eta(), 1e-12, "trace = η per draw");
                trace_sq.push(ev.iter().map(|x| x * x).sum::<f64>());
                PopulationFim::observed(&ev, &pred)
            })
            .collect();
        // a check that can fail: E tr F² = κ(1)²/N + (1 - 1/N) E_t κ(t)² (exact at every N) ...
        let (m, se) = mean_se(&trace_sq);
        let want = p.expected_trace_sq(width);
        close(m, want, z_crit(draws as usize) * se, "E tr F_pop^2");
        // ... which rejects the wrong input dimension (directions on S^{2d-1} instead of S^{d-1})
        let wrong = PopulationFim::new(&Activation::Relu, 2 * d, 1.0, 4)
            .unwrap()
            .expected_trace_sq(width);
        assert!(
            (m - wrong).abs() > 10.0 * se,
            "{m} vs wrong-d {wrong} (se {se})"
        );
        // Parseval: E_t κ² = Σ_k N(d, k) λ_k² (quadrature of κ² vs the Funk–Hecke groups, k <= 40; the
        // tail beyond degree 40 of the ReLU kernel is below 1e-4 of the sum)
        let full = PopulationFim::new(&Activation::Relu, d, 1.0, 40).unwrap();
        let parseval: f64 = full
            .groups()
            .iter()
            .map(|g| g.multiplicity * g.eigenvalue * g.eigenvalue)
            .sum();
        close(
            parseval,
            p.mean_kappa_sq(),
            1e-4 * p.mean_kappa_sq(),
            "Parseval",
        );
        for (j, x) in pred.iter().enumerate() {
            let v: Vec<f64> = per.iter().map(|o| o[j]).collect();
            let (m, se) = mean_se(&v);
            let tol = z_crit(draws as usize) * se + x.next_order;
            println!(
                "d {d} N {width} degree {}: MC {m:.6} ± {se:.1e}  predicted {:.6} (T {:.6} + δ {:.2e})  b_k {:?}",
                x.degree, x.predicted, x.trace, x.shift, p.groups()[x.degree].asymptotic_trace
            );
            close(m, x.predicted, tol, &format!("d {d} degree {}", x.degree));
            assert!((m - x.trace).abs() > 8.0 * se, "δ_k is resolved");
            let b = p.groups()[x.degree].asymptotic_trace.unwrap();
            if x.degree == 2 {
                assert!((m - b).abs() > 20.0 * se, "finite-d differs from b_2");
            }
            let sd4000 = se * (draws as f64).sqrt() * width as f64 / 4000.0;
            let at4000 = p.finite_width(4000).unwrap()[j].predicted;
            println!(
                "  reference {} vs predicted {at4000:.6} at N = 4000 (SD/draw {sd4000:.1e})",
                r[j]
            );
            close(r[j], at4000, 4.0 * sd4000, "reference MC, N = 4000");
        }
    }
    // tanh (odd: degree 0 is empty, degree 1 on top) through the tabulated kernel
    let p = PopulationFim::new(&Activation::Tanh, 10, 1.0, 4).unwrap();
    let pred = p.finite_width(400).unwrap();
    assert_eq!(pred[0].degree, 1);
    assert!(p.groups()[0].trace.abs() < 1e-12);
    let s = PopulationSampler::new(&Activation::Tanh, 400, 10, 1.0).unwrap();
    let per: Vec<Vec<f64>> = (0..draws)
        .map(|i| PopulationFim::observed(&s.sample(&mut stream(5, i)).unwrap(), &pred))
        .collect();
    for (j, x) in pred.iter().enumerate() {
        let (m, se) = mean_se(&per.iter().map(|o| o[j]).collect::<Vec<_>>());
        println!(
            "tanh d 10 N 400 degree {}: MC {m:.6} ± {se:.1e} predicted {:.6}",
            x.degree, x.predicted
        );
        close(
            m,
            x.predicted,
            z_crit(draws as usize) * se + x.next_order,
            "tanh",
        );
    }
}

/// F24 reference numbers (|w| = 1) to the 6 digits given, G G⁻¹ = I, the eigenvalues of the
/// assembled matrix, and closed forms vs Gauss–Hermite.
#[test]
fn f24_theory_reference_numbers() {
    let rows = [
        ("tanh", 0.0, [0.464403, 0.107810, 0.464403]),
        ("tanh", 0.5, [0.421919, 0.083481, 0.499315]),
        ("erf", 0.0, [0.569410, 0.113882, 0.569410]),
        ("erf", 0.5, [0.515224, 0.086429, 0.614275]),
    ];
    for (name, b, want) in rows {
        let act = Activation::parse(name).unwrap();
        let u = UnitBlock::new(&act, 20, 1.0, b).unwrap();
        close(u.a, want[0], 5e-7, &format!("{name} b={b} A"));
        close(u.block_eigenvalues[0], want[1], 5e-7, "block low");
        close(u.block_eigenvalues[1], want[2], 5e-7, "block high");
        let e: Vec<f64> = (0..20).map(|i| (i as f64 * 0.7).sin() + 0.1).collect();
        let g = u.matrix(&e).unwrap();
        let gi = u.inverse_matrix(&e).unwrap();
        let id = &g * &gi;
        assert!(
            (id - nalgebra::DMatrix::<f64>::identity(21, 21))
                .abs()
                .max()
                < 1e-13
        );
        let ev = nalgebra::SymmetricEigen::new(g).eigenvalues;
        let mut ev: Vec<f64> = ev.iter().copied().collect();
        ev.sort_by(f64::total_cmp);
        let th = u.spectrum();
        for (x, y) in ev.iter().zip(&th) {
            close(*x, *y, 1e-13, "eigenvalues of G");
        }
    }
    // closed form (erf) vs the Gauss–Hermite route of the same function given as a user activation
    let custom = Activation::custom(
        "erf",
        |x| Activation::Erf.eval(x),
        |x| Activation::Erf.deriv(x),
    );
    // (160-node Gauss–Hermite loses accuracy as the integrand e^{-2(sz+b)²} narrows: 4e-9 at s = 2)
    for (s, b, tol) in [(1.0, 0.0, 1e-12), (0.7, -1.3, 1e-12), (2.0, 0.5, 1e-8)] {
        let c = UnitBlock::new(&Activation::Erf, 5, s, b).unwrap();
        let q = UnitBlock::new(&custom, 5, s, b).unwrap();
        close(c.a, q.a, tol, "A erf closed vs GH");
        for i in 0..2 {
            for j in 0..2 {
                close(c.block[i][j], q.block[i][j], tol, "B erf closed vs GH");
            }
        }
    }
    // ReLU: A = Φ(b/|w|); b = 0: B = diag(1/2, 1/2) + cross 1/√(2π)
    let r = UnitBlock::new(&Activation::Relu, 4, 1.0, 0.0).unwrap();
    close(r.a, 0.5, 1e-15, "relu A");
    close(r.block[0][1], 1.0 / (2.0 * PI).sqrt(), 1e-15, "relu cross");
    assert!(UnitBlock::new(&Activation::Tanh, 0, 1.0, 0.0).is_err());
    assert!(UnitBlock::new(&Activation::Tanh, 3, 0.0, 0.0).is_err());
    assert!(UnitBlock::new(&Activation::Tanh, 3, 1.0, f64::INFINITY).is_err());
    // linear: B = I, singular-free; |x|: same
    let l = UnitBlock::new(&Activation::Linear, 3, 1.0, 0.3).unwrap();
    assert_eq!(l.block, [[1.0, 0.0], [0.0, 1.0]]);
}

/// F24 Monte Carlo (n = 20): the block entries eᵀĜe, eᵀĜ_{x,1}, Ĝ_11 and the bulk mean tr(P⊥Ĝ)/(n-1)
/// are sample means of iid terms; each agrees with the theory within Z_MAX standard errors computed
/// from the samples themselves.
#[test]
fn f24_monte_carlo() {
    for (name, b) in [
        ("tanh", 0.0),
        ("tanh", 0.5),
        ("erf", 0.0),
        ("erf", 0.5),
        ("relu", -0.4),
    ] {
        let act = Activation::parse(name).unwrap();
        let s = UnitBlockSampler::new(act, 20, 1.0, b, 100_000).unwrap();
        let est = s.sample(&mut stream(11, 0)).unwrap();
        let u = s.theory();
        let th = [u.block[0][0], u.block[0][1], u.block[1][1]];
        for (k, (t, (o, se))) in th
            .iter()
            .zip(est.block.iter().zip(&est.block_se))
            .enumerate()
        {
            close(*o, *t, Z_MAX * se, &format!("{name} b={b} block {k}"));
        }
        let (m, se) = est.bulk_mean.unwrap();
        close(m, u.a, Z_MAX * se, &format!("{name} b={b} bulk mean"));
        // consistency of the estimate: the matrix holds the same numbers
        close(est.matrix[(20, 20)], est.block[2], 1e-12, "Ĝ_11");
        println!(
            "{name} b={b}: A {:.6} MC {m:.6} ± {se:.1e}; block eig {:.6} {:.6}; MC extremes {:.6} {:.6}",
            u.a,
            u.block_eigenvalues[0],
            u.block_eigenvalues[1],
            est.eigenvalues[0],
            est.eigenvalues[20]
        );
    }
}
