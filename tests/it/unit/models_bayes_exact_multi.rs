use nnlimits::models::bayes::data::tiny;
use nnlimits::models::bayes::dln::BayesDln;
use nnlimits::models::bayes::exact::exact_posterior;
use nnlimits::models::bayes::exact_multi::*;
use nnlimits::models::bayes::gp::EigenGram;
use nnlimits::models::bayes::posterior::Estimate;

/// |x - ref| within 4 combined standard errors plus half a unit of the reference's last digit. The
/// reference used 1e6 prior draws with IS-ESS 6.4e5 (docs/models/bayes.md, "Numerical notes"),
/// so its SE is ours x sqrt(ess/6.4e5).
fn close(e: Estimate, ess: f64, r: f64, half_ulp: f64) -> bool {
    let se = e.se * (1.0 + ess / 6.4e5).sqrt();
    (e.value - r).abs() < 4.0 * se + half_ulp
}

/// D = 1: importance sampling agrees with the exact grid F20 within 4 SE (N = 10, L = 1 and N = 3, L = 2).
#[test]
fn single_output_matches_grid() {
    let eg = EigenGram::new(&tiny(1).unwrap().gram(1.0).unwrap()).unwrap();
    for (n, l) in [(10, 1), (3, 2)] {
        let ex = exact_posterior(&BayesDln::equal(n, l, 0.1).unwrap(), &eg).unwrap();
        let is = exact_multi(&eg, &vec![n; l], 1.0, 0.1, 100_000, 5).unwrap();
        let z = |e: Estimate, v: f64| (e.value - v).abs() / e.se;
        assert!(
            z(is.mean[0][0], ex.prediction.mean[0]) < 4.0,
            "{:?}",
            is.mean
        );
        assert!(
            z(is.cov[0][0][0], ex.prediction.var[0]) < 4.0,
            "{:?}",
            is.cov
        );
        assert!(z(is.mean_q[0][0], ex.mean_q) < 4.0, "{:?}", is.mean_q);
    }
}

/// Exact two-output TINY reference numbers, T = 0.1 (docs/models/bayes.md, "Reference numbers").
#[test]
fn two_output_tiny_reference() {
    let eg = EigenGram::new(&tiny(2).unwrap().gram(1.0).unwrap()).unwrap();
    let ex = exact_multi(&eg, &[10], 1.0, 0.1, 200_000, 7).unwrap();
    let e = ex.ess;
    assert!(close(ex.mean[0][0], e, 0.644044, 5e-7), "{:?}", ex.mean);
    assert!(close(ex.mean[0][1], e, 0.587900, 5e-7));
    assert!(close(ex.cov[0][0][0], e, 0.58152, 5e-6), "{:?}", ex.cov);
    assert!(close(ex.cov[0][0][1], e, 0.08978, 5e-6));
    assert!(close(ex.cov[0][1][1], e, 0.52400, 5e-6));
    assert!(close(ex.mean_q[0][0], e, 0.97847, 5e-6), "{:?}", ex.mean_q);
    assert!(close(ex.mean_q[0][1], e, 0.15889, 5e-6));
    assert!(close(ex.mean_q[1][1], e, 0.87621, 5e-6));
    let ex = exact_multi(&eg, &[10, 10], 1.0, 0.1, 200_000, 8).unwrap();
    let e = ex.ess;
    assert!(close(ex.mean[0][0], e, 0.640454, 5e-7), "{:?}", ex.mean);
    assert!(close(ex.mean[0][1], e, 0.578786, 5e-7));
    assert!(close(ex.cov[0][0][0], e, 0.57418, 5e-6), "{:?}", ex.cov);
    assert!(close(ex.cov[0][0][1], e, 0.15272, 5e-6));
    assert!(close(ex.cov[0][1][1], e, 0.47933, 5e-6));
    let ex = exact_multi(&eg, &[3], 1.0, 0.1, 200_000, 9).unwrap();
    let e = ex.ess;
    assert!(close(ex.mean[0][0], e, 0.649516, 5e-7), "{:?}", ex.mean);
    assert!(close(ex.mean[0][1], e, 0.567618, 5e-7));
}

#[test]
fn bad_parameters() {
    let eg = EigenGram::new(&tiny(2).unwrap().gram(1.0).unwrap()).unwrap();
    assert!(exact_multi(&eg, &[], 1.0, 0.1, 1000, 1).is_err());
    assert!(exact_multi(&eg, &[3], 1.0, 0.0, 1000, 1).is_err());
    assert!(exact_multi(&eg, &[3], 1.0, 0.1, 10, 1).is_err());
}
