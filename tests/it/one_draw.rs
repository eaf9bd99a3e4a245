//! `validate mp --samples 1` used to fail a true claim: with one draw the moment checks got a NaN
//! tolerance (infinite t quantile times a zero standard error). One draw now uses the i.i.d. standard
//! error of its eigenvalues (moments) and the binomial one (atoms): every tolerance is finite, true
//! claims pass, a wrong claim still fails.

use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::validate::report::Verdict;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};

fn one_draw(
    ratio_theory: f64,
    n: usize,
    m: usize,
    seed: u64,
) -> nnlimits::validate::report::Report {
    let model = MarchenkoPastur::new(ratio_theory, 1.0).unwrap();
    let sampler = WishartSampler::new(n, m, 1.0).unwrap();
    let opts = SpectralValidation {
        samples: 1,
        seed,
        ..Default::default()
    };
    validate_spectrum(&model, &sampler, &opts).unwrap().report
}

#[test]
fn a_true_claim_passes_with_one_draw_and_no_nan_appears() {
    // ratio 0.5 (no atom) and ratio 2 (atom of mass 1/2 at 0), several seeds
    for (n, m) in [(200, 400), (400, 200)] {
        for seed in 1..=3 {
            let r = one_draw(n as f64 / m as f64, n, m, seed);
            for c in &r.checks {
                assert!(
                    c.tolerance.is_finite() && c.observed.is_finite() && c.std_error.is_finite(),
                    "{n}x{m} seed {seed}: {c:?}"
                );
                assert!(!c.rule.contains("NaN"), "{c:?}");
            }
            assert_eq!(
                r.verdict,
                Verdict::Pass,
                "{n}x{m} seed {seed}: {:#?}",
                r.checks
            );
            assert!(r.notes.iter().any(|s| s.starts_with("one draw")));
        }
    }
}

#[test]
fn a_wrong_claim_still_fails_with_one_draw() {
    // theory at ratio 0.1 against Wishart matrices at ratio 0.5: the second moment differs by 0.4,
    // against a one-draw tolerance of about 4 x 0.055 at n = 1000
    let r = one_draw(0.1, 1000, 2000, 1);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.checks.iter().any(|c| c.name == "m2" && !c.pass),
        "{:#?}",
        r.checks
    );
}
