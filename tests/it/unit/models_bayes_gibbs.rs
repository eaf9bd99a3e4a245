use nnlimits::models::bayes::data::tiny;
use nnlimits::models::bayes::dln::BayesDln;
use nnlimits::models::bayes::exact::exact_posterior;
use nnlimits::models::bayes::gibbs::*;
use nnlimits::models::bayes::gp::EigenGram;
use nnlimits::models::bayes::posterior::combine;

/// Gibbs (real weights) vs the exact mixture F17 on TINY, D = 1: mean, variance and E[q|y] agree within
/// 4 standard errors (ESS-based); exact values are the reference numbers of
/// docs/models/bayes.md.
#[test]
fn gibbs_matches_exact_posterior_tiny() {
    let ds = tiny(1).unwrap();
    let eg = EigenGram::new(&ds.gram(1.0).unwrap()).unwrap();
    for (n, l) in [(10, 1), (3, 2)] {
        let model = BayesDln::equal(n, l, 0.1).unwrap();
        let ex = exact_posterior(&model, &eg).unwrap();
        let g = DlnGibbs::new(model, ds.clone(), 1.0, 6000, 300).unwrap();
        let s = combine(&run_chains(&g, 4, 11).unwrap(), &eg.y0);
        let z =
            |e: nnlimits::models::bayes::posterior::Estimate, v: f64| (e.value - v).abs() / e.se;
        assert!(
            z(s.mean[0], ex.prediction.mean[0]) < 4.0,
            "{n},{l} mean {:?} vs {}",
            s.mean[0],
            ex.prediction.mean[0]
        );
        assert!(
            z(s.var[0], ex.prediction.var[0]) < 4.0,
            "{n},{l} var {:?} vs {}",
            s.var[0],
            ex.prediction.var[0]
        );
        assert!(
            z(s.q, ex.mean_q) < 4.0,
            "{n},{l} q {:?} vs {}",
            s.q,
            ex.mean_q
        );
        assert!(s.mean[0].se < 0.01 && s.ess_min > 500.0);
    }
}

/// Two outputs (TINY, N = 10, L = 1): exact posterior mean (0.644044, 0.587900) (reference:
/// importance sampling, 1e6 draws, so its own error ~1e-4 is added to the tolerance).
#[test]
fn gibbs_two_outputs_tiny() {
    let ds = tiny(2).unwrap();
    let model = BayesDln::equal(10, 1, 0.1).unwrap();
    let g = DlnGibbs::new(model, ds, 1.0, 6000, 300).unwrap();
    let y0 = vec![vec![0.5, 0.5]];
    let s = combine(&run_chains(&g, 4, 12).unwrap(), &y0);
    for (k, v) in [0.644044, 0.587900].iter().enumerate() {
        assert!(
            (s.mean[k].value - v).abs() < 4.0 * s.mean[k].se + 2e-4,
            "{k}: {:?}",
            s.mean[k]
        );
    }
    for (k, v) in [0.58152, 0.52400].iter().enumerate() {
        assert!(
            (s.var[k].value - v).abs() < 4.0 * s.var[k].se + 1e-3,
            "{k}: {:?}",
            s.var[k]
        );
    }
}

#[test]
fn rejects_zero_temperature() {
    let m = BayesDln::equal(3, 1, 0.0).unwrap();
    assert!(DlnGibbs::new(m, tiny(1).unwrap(), 1.0, 100, 10).is_err());
}
