use nnlimits::models::bayes::data::tiny;
use nnlimits::models::bayes::dln::BayesDln;
use nnlimits::models::bayes::exact::exact_posterior;
use nnlimits::models::bayes::gibbs::run_chains;
use nnlimits::models::bayes::gp::EigenGram;
use nnlimits::models::bayes::kernels::Activation;
use nnlimits::models::bayes::posterior::combine;
use nnlimits::models::bayes::slice::*;

/// With phi = id the 1HL network is a DLN with L = 1: the slice sampler must reproduce the exact
/// posterior F17 (TINY, N1 = 10) within 4 SE, including E[q|y] from the Rao–Blackwellised readout.
#[test]
fn slice_sampler_exact_for_linear_activation() {
    let ds = tiny(1).unwrap();
    let eg = EigenGram::new(&ds.gram(1.0).unwrap()).unwrap();
    let ex = exact_posterior(&BayesDln::equal(10, 1, 0.1).unwrap(), &eg).unwrap();
    let s = OneHiddenSlice::new(Activation::Id, 10, 1.0, 1.0, 0.1, ds, 6000, 300).unwrap();
    let m = combine(&run_chains(&s, 4, 21).unwrap(), &eg.y0);
    assert!(
        (m.mean[0].value - ex.prediction.mean[0]).abs() < 4.0 * m.mean[0].se,
        "{:?}",
        m.mean[0]
    );
    assert!(
        (m.var[0].value - ex.prediction.var[0]).abs() < 4.0 * m.var[0].se,
        "{:?}",
        m.var[0]
    );
    assert!(
        (m.q.value - ex.mean_q).abs() < 4.0 * m.q.se,
        "{:?} vs {}",
        m.q,
        ex.mean_q
    );
}
