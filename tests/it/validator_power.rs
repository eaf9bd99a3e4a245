//! Power of the spectral validator (issue 15): every check can fail — for each statistic a perturbed
//! theory it rejects — and small parameter errors are detected at default settings (5% for exact laws,
//! 10% for Gaussian-equivalence laws), while the true laws pass.

use nnlimits::model::SpectralModel;
use nnlimits::models::fim::{Activation, Inputs, NetworkSampler, ProportionalFim, Ratios, Trained};
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use nnlimits::validate::{Report, Verdict};

fn opts(samples: usize, seed: u64) -> SpectralValidation {
    SpectralValidation {
        samples,
        seed,
        ..SpectralValidation::default()
    }
}

fn mp(n: usize, c: f64, theory_c: f64, theory_scale: f64, seed: u64) -> Report {
    let sampler = WishartSampler::new(n, (n as f64 / c).round() as usize, 1.0).unwrap();
    let theory = MarchenkoPastur::new(theory_c, theory_scale).unwrap();
    validate_spectrum(&theory, &sampler, &opts(10, seed))
        .unwrap()
        .report
}

fn failed(r: &Report) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| c.name.clone())
        .collect()
}

#[test]
fn each_marchenko_pastur_check_can_fail() {
    // default settings (n = 1000, 10 draws): the true law passes, and says which check came closest
    let r = mp(1000, 0.5, 0.5, 1.0, 21);
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
    assert!(r.decided_by.as_ref().unwrap().margin < 1.0);
    // m2 = σ⁴(1 + c): a 5% ratio error moves m2 only (m1 = σ² is unchanged) -> m2 rejects it
    let r = mp(1000, 0.5, 0.525, 1.0, 22);
    let f = failed(&r);
    assert!(f.contains(&"m2".to_string()), "{}", r.summary());
    assert!(!f.contains(&"m1".to_string()), "{}", r.summary());
    assert_eq!(r.decided_by.as_ref().unwrap().check, "m2");
    // m1 = σ²: a 2% scale error
    let r = mp(1000, 0.5, 0.5, 1.02, 23);
    assert!(failed(&r).contains(&"m1".to_string()), "{}", r.summary());
    // ks and the histogram: a 10% ratio error reshapes the law
    let r = mp(1000, 0.5, 0.55, 1.0, 24);
    let f = failed(&r);
    assert!(f.contains(&"ks".to_string()), "{}", r.summary());
    assert!(f.contains(&"l1_histogram".to_string()), "{}", r.summary());
    // the atom of mass 1 - 1/c at c = 2: the c = 2.2 law has mass 0.545
    let r = mp(200, 2.0, 2.2, 1.0, 25);
    assert!(
        failed(&r).iter().any(|c| c.starts_with("atom@")),
        "{}",
        r.summary()
    );
    let r = mp(200, 2.0, 2.0, 1.0, 25);
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
}

fn fim_tanh(n: usize, theory_sigma_w2: f64, samples: usize, seed: u64) -> Report {
    let act = Activation::Tanh;
    let g = act.constants(theory_sigma_w2, 1.0).unwrap();
    let model =
        ProportionalFim::new(Ratios::from_sizes(n, n, n).unwrap(), g, Trained::Both).unwrap();
    let sampler = NetworkSampler::new(
        n,
        n,
        n,
        act,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Spherical,
        true,
        0,
    )
    .unwrap();
    validate_spectrum(&model as &dyn SpectralModel, &sampler, &opts(samples, seed))
        .unwrap()
        .report
}

#[test]
fn fim_tanh_detects_a_ten_percent_weight_variance_error() {
    // the setting: n = d = N = 1000, 4 draws; σ_w² = 1.3 used to be needed to fail, 1.1 fails now
    let r = fim_tanh(1000, 1.0, 4, 31);
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
    let r = fim_tanh(1000, 1.1, 4, 31);
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.summary());
}

/// The same power through `--eigenvalues`: draws of a tanh network at σ_w² = 1 (n = d = N = 1000, 4
/// draws) written to a file pass `validate fim --sigma-w2 1` and fail `--sigma-w2 1.1`.
#[test]
fn eigenvalue_files_detect_a_ten_percent_weight_variance_error() {
    use nnlimits::model::Sampler;
    let n = 1000;
    let sampler = NetworkSampler::new(
        n,
        n,
        n,
        Activation::Tanh,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Spherical,
        true,
        0,
    )
    .unwrap();
    let draws: Vec<Vec<f64>> = (0..4)
        .map(|i| sampler.sample(&mut nnlimits::rng::stream(33, i)).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eig.csv");
    nnlimits::validate::eigfile::write_draws(&file, &draws).unwrap();
    let f = file.to_str().unwrap();
    let run = |s2: &str| {
        crate::common::nnlimits(&[
            "validate",
            "fim",
            "--activation",
            "tanh",
            "--n",
            "1000",
            "--d",
            "1000",
            "--width",
            "1000",
            "--sigma-w2",
            s2,
            "--eigenvalues",
            f,
        ])
    };
    let (code, out, err) = run("1");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run("1.1");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("decided by"), "{out}");
}
