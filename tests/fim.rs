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
    // O(1/n) relative corrections (fim.md F19: 0.03% at n = 900)
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
