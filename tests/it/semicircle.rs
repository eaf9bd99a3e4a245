//! The semicircle law (the registry's worked example): closed forms and the GOE sampler.

use crate::common;
use nnlimits::model::SpectralModel;
use nnlimits::models::semicircle::{GoeSampler, Semicircle};
use nnlimits::spectral::{SpectralDensity, DEFAULT_NODES};
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use nnlimits::validate::Verdict;
use num_complex::Complex64 as C64;

#[test]
fn mass_and_moments_match_the_catalan_numbers() {
    for s2 in [0.25, 1.0, 3.0] {
        let law = Semicircle::new(s2).unwrap();
        let tab = SpectralDensity::from_model(&law, DEFAULT_NODES).unwrap();
        assert!((tab.mass() - 1.0).abs() < 1e-9);
        let m = law.moments();
        assert_eq!(m, vec![0.0, s2, 0.0, 2.0 * s2 * s2]);
        for k in 1..=4 {
            assert!((tab.moment(k) - m[k as usize - 1]).abs() < 1e-8 * s2.powi(k / 2).max(1.0));
        }
        // sixth moment: Catalan C_3 = 5
        assert!((tab.moment(6) - 5.0 * s2.powi(3)).abs() < 1e-8 * s2.powi(3).max(1.0));
    }
}

#[test]
fn stieltjes_is_the_transform_of_the_density() {
    let law = Semicircle::new(2.0).unwrap();
    for z in [
        C64::new(0.3, 0.5),
        C64::new(-3.5, 0.01),
        C64::new(10.0, 2.0),
    ] {
        let g = law.stieltjes(z).unwrap();
        assert!(g.im > 0.0);
        // quadratic s² g² + z g + 1 = 0
        assert!((2.0 * g * g + z * g + 1.0).norm() < 1e-13);
        let e = law.edge();
        let re = nnlimits::numerics::quad::integrate(
            |t| law.density(t).unwrap() * (t - z.re) / ((t - z.re).powi(2) + z.im * z.im),
            -e,
            e,
            1e-13,
        )
        .unwrap();
        let im = nnlimits::numerics::quad::integrate(
            |t| law.density(t).unwrap() * z.im / ((t - z.re).powi(2) + z.im * z.im),
            -e,
            e,
            1e-13,
        )
        .unwrap();
        assert!(
            (g - C64::new(re, im)).norm() < 1e-8,
            "{z}: {g} vs {re} {im}"
        );
    }
    assert!(law.stieltjes(C64::new(1.0, 0.0)).is_err());
    assert!(Semicircle::new(-1.0).is_err() && Semicircle::new(f64::NAN).is_err());
}

#[test]
fn goe_sampler_confirms_the_law_and_rejects_a_wrong_variance() {
    let opts = SpectralValidation {
        samples: 8,
        seed: 3,
        ..SpectralValidation::default()
    };
    let sampler = GoeSampler::new(400, 1.0).unwrap();
    let ok = validate_spectrum(&Semicircle::new(1.0).unwrap(), &sampler, &opts).unwrap();
    assert_eq!(ok.report.verdict, Verdict::Pass, "{}", ok.report.summary());
    let wrong = validate_spectrum(&Semicircle::new(1.2).unwrap(), &sampler, &opts).unwrap();
    assert_eq!(
        wrong.report.verdict,
        Verdict::Fail,
        "{}",
        wrong.report.summary()
    );
}

#[test]
fn cli_spectrum_and_validate_semicircle() {
    let (code, out, err) = common::nnlimits(&[
        "spectrum",
        "semicircle",
        "--variance",
        "4",
        "--at",
        "0,1,5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d0 = v["points"][0]["density"].as_f64().unwrap();
    assert!((d0 - 1.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-15);
    assert_eq!(v["points"][2]["density"].as_f64().unwrap(), 0.0);
    assert_eq!(v["support"][0][1].as_f64().unwrap(), 4.0);
    let (code, out, _) = common::nnlimits(&[
        "--quiet",
        "validate",
        "semicircle",
        "--n",
        "300",
        "--samples",
        "6",
        "--theory-variance",
        "1.3",
    ]);
    assert_eq!(code, 1, "{out}");
}
