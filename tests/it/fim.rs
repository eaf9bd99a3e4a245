//! Monte Carlo tests of the FIM / CK laws against sampled networks (moderate sizes; tolerances from the
//! finite-size error: standard errors across draws, the validator's KS critical value + declared bias).

use nnlimits::model::Sampler;
use nnlimits::models::fim::{
    Activation, Inputs, LinearFim, NetworkSampler, ProportionalFim, Ratios, Trained,
};
use nnlimits::rng::stream;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use nnlimits::validate::stats::mean_se;
use nnlimits::validate::Verdict;

fn sampler(act: Activation, n: usize, d: usize, w: usize, t: Trained) -> NetworkSampler {
    NetworkSampler::new(n, d, w, act, 1.0, 1.0, t, Inputs::Spherical, true, 0).unwrap()
}

/// F8: with spherical inputs and |v|² = N σ_v², E (1/n) tr Θ = η + σ_v² η' exactly at every size.
#[test]
fn trace_identity_exact_at_finite_size() {
    for act in ["tanh", "relu", "erf"] {
        let a = Activation::parse(act).unwrap();
        let g = a.constants(1.0, 1.0).unwrap();
        let s = sampler(a, 120, 60, 90, Trained::Both);
        let per: Vec<f64> = (0..12)
            .map(|i| {
                let ev = s.sample(&mut stream(77, i)).unwrap();
                ev.iter().sum::<f64>() / ev.len() as f64
            })
            .collect();
        let (m, se) = mean_se(&per);
        let th = g.eta + g.sigma_v2 * g.eta_p;
        assert!((m - th).abs() <= 4.0 * se, "{act}: {m} ± {se} vs {th}");
    }
}

/// The exact linear law (F9) and the tanh ansatz (F16) pass the validator at n = 300; a wrong theory
/// (the linear law for tanh data) fails it.
#[test]
fn validator_passes_and_detects_wrong_theory() {
    let r = Ratios::from_sizes(300, 200, 400).unwrap();
    let lin = LinearFim::new(r, 1.0, 1.0, Trained::Both).unwrap();
    let opts = SpectralValidation {
        samples: 4,
        seed: 5,
        bias_coeff: 1.0,
        bias_rate: 1.0,
        ..SpectralValidation::default()
    };
    let s = sampler(Activation::Linear, 300, 200, 400, Trained::Both);
    let out = validate_spectrum(&lin, &s, &opts).unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );
    // zero atom 1 - d/n is exact (rank)
    let zeros = out.pooled.iter().filter(|x| x.abs() < 1e-8).count() as f64;
    assert!((zeros / out.pooled.len() as f64 - 1.0 / 3.0).abs() < 1e-12);

    let g = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let tanh = ProportionalFim::new(r, g, Trained::Both).unwrap();
    let st = sampler(Activation::Tanh, 300, 200, 400, Trained::Both);
    let o2 = SpectralValidation {
        bias_rate: 0.5,
        ..opts.clone()
    };
    let out = validate_spectrum(&tanh, &st, &o2).unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );
    let wrong = validate_spectrum(&lin, &st, &o2).unwrap();
    assert_eq!(wrong.report.verdict, Verdict::Fail);
}

/// ReLU CK (readout): the μ0 spike sits at n μ0² + m1 + α b2 (F19); the bulk passes once it is removed.
#[test]
fn relu_outlier_and_bulk() {
    let (n, d, w) = (300, 200, 400);
    let a = Activation::Relu;
    let g = a.constants(1.0, 1.0).unwrap();
    let s = sampler(a, n, d, w, Trained::Both);
    let tops: Vec<f64> = (0..6)
        .map(|i| *s.sample(&mut stream(9, i)).unwrap().last().unwrap())
        .collect();
    let (m, se) = mean_se(&tops);
    let r = Ratios::from_sizes(n, d, w).unwrap();
    let law = ProportionalFim::new(r, g.clone(), Trained::Both).unwrap();
    let pred = n as f64 * g.mu0 * g.mu0 + law.bulk_moments()[0] + r.alpha() * g.b2;
    // O(1/n) relative corrections (docs/models/fim.md (F19): 0.03% at n = 900)
    assert!(
        (m - pred).abs() <= 4.0 * se + 2e-3 * pred,
        "{m} ± {se} vs {pred}"
    );
    let opts = SpectralValidation {
        samples: 4,
        seed: 2,
        bias_rate: 0.5,
        remove_top: 1,
        ..SpectralValidation::default()
    };
    let out = validate_spectrum(&law, &s, &opts).unwrap();
    assert_eq!(
        out.report.verdict,
        Verdict::Pass,
        "{}",
        out.report.summary()
    );
}

/// F12, exact at finite size: for the linear network and Gaussian inputs, given `(W, v)`,
/// `E_X tr Θ = n tr Σ/d` and `E_X tr Θ² = n [(n + 1) tr Σ² + (tr Σ)²]/d²`, `Σ = WᵀW/N + (|v|²/N) I`
/// (so `tr F = tr Θ/n`, `tr F² = tr Θ²/n²` exactly in expectation). The per-draw difference
/// (observed - conditional expectation) has mean 0; checked to 4 SE. Power: dropping the `+ 1` of
/// `(n + 1)` moves the mean by ~17 SE at these sizes (checked by hand).
#[test]
fn linear_traces_exact_at_finite_size() {
    let (n, d, w) = (4usize, 6usize, 8usize);
    let s = NetworkSampler::new(
        n,
        d,
        w,
        Activation::Linear,
        1.3,
        0.8,
        Trained::Both,
        Inputs::Gaussian,
        false,
        0,
    )
    .unwrap();
    let (mut d1, mut d2) = (Vec::new(), Vec::new());
    for i in 0..20_000 {
        let (x, wm, v) = s.draw(&mut stream(31, i));
        let k = s.gram(&x, &wm, &v);
        let tr1: f64 = (0..n).map(|a| k[(a, a)]).sum();
        let tr2: f64 = (0..n)
            .flat_map(|a| (0..n).map(move |b| (a, b)))
            .map(|(a, b)| k[(a, b)].powi(2))
            .sum();
        // Σ = WᵀW/N + (|v|²/N) I (d × d)
        let v2: f64 = v.iter().map(|t| t * t).sum::<f64>() / w as f64;
        let mut sig = vec![0.0; d * d];
        for a in 0..d {
            for b in 0..d {
                let dot: f64 = (0..w).map(|r| wm[(r, a)] * wm[(r, b)]).sum();
                sig[a * d + b] = dot / w as f64 + if a == b { v2 } else { 0.0 };
            }
        }
        let trs: f64 = (0..d).map(|a| sig[a * d + a]).sum();
        let trs2: f64 = sig.iter().map(|t| t * t).sum();
        let (nf, df) = (n as f64, d as f64);
        d1.push(tr1 - nf * trs / df);
        d2.push(tr2 - nf * ((nf + 1.0) * trs2 + trs * trs) / (df * df));
    }
    for (name, diffs) in [("tr Θ", d1), ("tr Θ²", d2)] {
        let (m, se) = mean_se(&diffs);
        assert!(m.abs() <= 4.0 * se, "{name}: mean difference {m} ± {se}");
    }
}
