//! Memory budget: every site that allocates from user-controlled sizes refuses an oversized request
//! before allocating, with the one-line budget message. Each case runs under a 1 GB budget
//! scoped to the test's thread (`budget::scoped`), so the outcome does not depend on the machine and
//! concurrent tests are not disturbed.

use nnlimits::budget;
use nnlimits::model::{check_sampler_budget, Sampler};
use nnlimits::Error;

const GB: u64 = 1_000_000_000;

/// Run `f` under a 1 GB budget; it must fail with `Error::Budget` whose message is one line naming
/// `what` and pointing at `--max-memory`. (`Error::Budget` comes only from the size estimate made before
/// allocating, so the refusal itself shows nothing was allocated; no wall-clock assertion, which would
/// be flaky on a loaded machine.)
fn refused<T: std::fmt::Debug>(what: &str, f: impl FnOnce() -> nnlimits::Result<T>) {
    let r = budget::scoped(GB, f);
    match r {
        Err(e @ Error::Budget { .. }) => {
            let m = e.to_string();
            assert!(m.starts_with(what), "{what}: {m}");
            assert!(
                m.contains("more than the memory budget 1 GB (raise it with --max-memory)"),
                "{m}"
            );
            assert!(!m.contains('\n'), "{m}");
        }
        other => panic!("{what}: expected a budget error, got {other:?}"),
    }
}

#[test]
fn wishart_and_its_validation() {
    use nnlimits::models::mp::WishartSampler;
    refused("Wishart sampling (one draw)", || {
        WishartSampler::new(20_000, 20_000, 1.0)
    });
    // `validate mp --size 4000 --samples 1000000`: each draw is small, the pooled eigenvalues are not
    let s = WishartSampler::new(4000, 4000, 1.0).unwrap();
    refused("spectral validation (1000000 draws", || {
        check_sampler_budget(&s, "spectral validation", 1_000_000)
    });
    budget::scoped(GB, || check_sampler_budget(&s, "spectral validation", 1)).unwrap_or_else(|e| {
        // one 4000 x 4000 draw needs ~0.77 GB
        panic!("{e}")
    });
    assert!(s.memory_per_draw() > 700_000_000 && s.memory_per_draw() < GB);
}

#[test]
fn gep_and_network_samplers() {
    use nnlimits::models::fim::sampler::{Inputs, NetworkSampler, Trained};
    use nnlimits::models::fim::{Activation, MultiOutputSampler, PopulationSampler};
    use nnlimits::models::gep::EntrywiseWishartSampler;
    refused("GEP sampling (one draw)", || {
        EntrywiseWishartSampler::new(20_000, 20_000, Activation::Tanh)
    });
    refused("network sampling (one draw)", || {
        NetworkSampler::new(
            20_000,
            20_000,
            20_000,
            Activation::Tanh,
            1.0,
            1.0,
            Trained::Both,
            Inputs::Gaussian,
            false,
            0,
        )
    });
    refused("multi-output network sampling (one draw)", || {
        MultiOutputSampler::new(
            1000,
            20_000,
            20_000,
            1000,
            1.0,
            1.0,
            Inputs::Gaussian,
            false,
        )
    });
    refused("population FIM sampling (one draw)", || {
        PopulationSampler::new(&Activation::Tanh, 20_000, 20_000, 1.0)
    });
    refused("unit-block sampling (one draw)", || {
        nnlimits::models::fim::unit_block::UnitBlockSampler::new(
            Activation::Tanh,
            1_000_000,
            1.0,
            0.0,
            10,
        )
    });
}

#[test]
fn dln_inputs_and_networks() {
    use nnlimits::models::dln::hanin_nica::{Activation, ProductNormSampler};
    use nnlimits::models::dln::network::NetworkSampler;
    use nnlimits::models::dln::{DlnPrior, Gram};
    // `law dln --widths 10 --random-inputs 10000 --input-dim 1000000` tried to allocate 80 GB
    refused("dln input generation", || {
        Gram::sampled(10_000, 1_000_000, 1.0, 1)
    });
    let prior = DlnPrior::new(vec![100_000, 100_000], vec![1.0, 1.0], 1, Gram::unit()).unwrap();
    refused("network sampling (one draw)", || {
        NetworkSampler::for_prior(&prior, 10)
    });
    refused("product-norm sampling (one draw)", || {
        ProductNormSampler::new(vec![100_000_000, 100_000_000], Activation::Linear)
    });
}

#[test]
fn fixed_data_law_and_grids() {
    use nnlimits::models::fim::sampler::{Inputs, Trained};
    use nnlimits::models::fim::{try_draw_data, Activation, DataFim};
    refused("the data set X (d x n)", || {
        try_draw_data(20_000, 1_000_000, Inputs::Gaussian, 1)
    });
    // n = 20000 points in dimension 1: X is tiny, the n x n kernels are not
    let x = try_draw_data(20_000, 1, Inputs::Gaussian, 1).unwrap();
    refused("the fixed-data law", || {
        DataFim::new(&x, 100, &Activation::Relu, 1.0, 1.0, Trained::Readout)
    });
    let support = nnlimits::model::Support {
        components: vec![(0.0, 1.0)],
        atoms: vec![],
    };
    refused("a density on 10000000 points", || {
        nnlimits::spectral::interior_grid(&support, 10_000_000)
    });
    let g = nnlimits::spectral::interior_grid(&support, 4).unwrap();
    assert_eq!(g, vec![0.125, 0.375, 0.625, 0.875]);
}

#[test]
fn bayes_samplers() {
    use nnlimits::models::bayes::kernels::Activation;
    use nnlimits::models::bayes::slice::OneHiddenSlice;
    use nnlimits::models::bayes::{make_ds, MAX_SWEEPS};
    let ds = make_ds(20, 50, 10, 1).unwrap();
    // 1e8 kept sweeps of 50 test values: an 86 GB trace
    refused("slice sampling (one chain)", || {
        OneHiddenSlice::new(
            Activation::Erf,
            10,
            1.0,
            1.0,
            0.1,
            ds.clone(),
            MAX_SWEEPS,
            0,
        )
    });
    // `validate 1hl-bayes --burn-in 1000000000000`: a typed range error, not days of sweeps
    let e = OneHiddenSlice::new(
        Activation::Erf,
        10,
        1.0,
        1.0,
        0.1,
        ds.clone(),
        100,
        1_000_000_000_000,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "invalid parameter `burn-in` = 1000000000000: must be an integer in [0, 100000000]"
    );
    let m = nnlimits::models::bayes::BayesDln::equal(10, 1, 0.1).unwrap();
    let e = nnlimits::models::bayes::gibbs::DlnGibbs::new(m, ds, 1.0, 100, usize::MAX)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`burn-in`") && e.contains("[0, 100000000]"),
        "{e}"
    );
}
