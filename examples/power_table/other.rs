//! Rows of the validators that are not spectral: the deep-linear-network prior (`validate dln`), the
//! Bayesian posteriors (`validate dln-bayes`, `validate 1hl-bayes`), the population FIM
//! (`validate fim --limit population`) and the single-unit block (`validate fim --limit unit-block`). Each samples the true system once per seed and builds the
//! validator's own checks against every perturbed theory (the functions `validate` itself calls).

use super::{tally, Row, EPS};
use nnlimits::error::{Error, Result};
use nnlimits::model::Sampler;
use nnlimits::models::bayes::entry::{dln_bayes_checks, one_hl_checks};
use nnlimits::models::bayes::exact::exact_posterior;
use nnlimits::models::bayes::gibbs::{run_chains, DlnGibbs};
use nnlimits::models::bayes::kernels::Activation as BayesActivation;
use nnlimits::models::bayes::onehl::BayesNonlinear;
use nnlimits::models::bayes::params::load_data;
use nnlimits::models::bayes::posterior::combine;
use nnlimits::models::bayes::slice::OneHiddenSlice;
use nnlimits::models::bayes::{BayesDln, EigenGram};
use nnlimits::models::dln::validate::{compare, sample_networks, Options};
use nnlimits::models::dln::{DlnLaw, DlnPrior};
use nnlimits::models::fim::population_check::{population_checks, unit_block_checks};
use nnlimits::models::fim::{
    Activation, PopulationFim, PopulationSampler, UnitBlock, UnitBlockSampler,
};
use nnlimits::validate::Report;

/// The families of this module run without arguments.
pub const ALL: &[&str] = &[
    "dln-prior",
    "dln-prior-d10",
    "dln-prior-sigma",
    "dln-bayes",
    "dln-bayes-widths",
    "1hl-bayes",
    "1hl-bayes-n50",
    "fim-population",
    "fim-unit-block",
];

/// The row of a non-spectral family; `None` for other names.
pub fn row(name: &str, seeds: u64) -> Option<Result<Row>> {
    Some(match name {
        "dln-prior" => dln_prior(2, Perturb::Widths, seeds),
        "dln-prior-d10" => dln_prior(10, Perturb::Widths, seeds),
        "dln-prior-sigma" => dln_prior(2, Perturb::LastVariance, seeds),
        "dln-bayes" => dln_bayes(seeds),
        "dln-bayes-widths" => dln_bayes_widths(seeds),
        "1hl-bayes" => one_hl_bayes(10, seeds),
        "1hl-bayes-n50" => one_hl_bayes(50, seeds),
        "fim-population" => population(seeds),
        "fim-unit-block" => unit_block(seeds),
        _ => return None,
    })
}

/// The parameter of the `dln-prior` rows that the theory gets wrong.
#[derive(Clone, Copy)]
enum Perturb {
    /// Every hidden width `N(1 + ε)`.
    Widths,
    /// The weight variance of the last hidden layer `σ_L²(1 + ε)` (the other layers keep 1).
    LastVariance,
}

/// `validate dln --widths 100x10 --outputs d` (4000 networks) against the finite-width law with one
/// parameter off by `ε` ([`Perturb`]).
fn dln_prior(d: usize, perturb: Perturb, seeds: u64) -> Result<Row> {
    let (n, l) = (100usize, 10usize);
    let sampled = DlnPrior::equal(n, l, d)?;
    let theories: Vec<DlnPrior> = EPS
        .iter()
        .map(|e| match perturb {
            Perturb::Widths => {
                sampled.with_widths(vec![(n as f64 * (1.0 + e)).round() as usize; l])
            }
            Perturb::LastVariance => {
                let mut s2 = vec![1.0; l];
                s2[l - 1] = 1.0 + e;
                DlnPrior::new(vec![n; l], s2, d, sampled.gram().clone())
            }
        })
        .collect::<Result<_>>()?;
    let opts = Options::default();
    tally(
        "dln-prior",
        format!(
            "widths {n}x{l}{}, D = {d}, {} networks (default)",
            match perturb {
                Perturb::Widths => "",
                Perturb::LastVariance => " (σ_l² = 1)",
            },
            opts.samples
        ),
        match perturb {
            Perturb::Widths => "widths N",
            Perturb::LastVariance => "σ_L² (last layer's weight variance)",
        },
        seeds,
        &|seed| {
            let o = Options {
                seed,
                ..opts.clone()
            };
            let (sampler, draws) = sample_networks(&sampled, &o)?;
            let described = sampler.describe();
            theories
                .iter()
                .map(|t| Ok(compare(t, &sampled, &described, &draws, &o)?.0))
                .collect()
        },
    )
}

/// Default run settings of the Bayesian validators: 20000 kept sweeps after 1000 burn-in, 4 chains.
const SWEEPS: usize = 20_000;
const BURN_IN: usize = 1000;
const CHAINS: usize = 4;

/// `validate dln-bayes` at its defaults (data `tiny`, width 10, depth 1, T = 0.1, σ_0² = σ² = 1):
/// Gibbs sampling of the true network against the exact posterior, saddle point and NNGP of the
/// network with layer variance `σ²(1 + ε)`.
fn dln_bayes(seeds: u64) -> Result<Row> {
    let (width, t, s0) = (10usize, 0.1, 1.0);
    let ds = load_data("tiny")?;
    let eg = EigenGram::new(&ds.gram(s0)?)?;
    let model = |e: f64| BayesDln::new(vec![width], vec![1.0 + e], t);
    let theories = EPS
        .iter()
        .map(|&e| {
            let m = model(e)?;
            Ok((m.saddle(&eg)?, exact_posterior(&m, &eg)?, m.nngp(&eg)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let g = DlnGibbs::new(model(0.0)?, ds.clone(), s0, SWEEPS, BURN_IN)?;
    tally(
        "dln-bayes",
        format!(
            "data tiny, N = {width}, L = 1, T = {t}, {CHAINS} chains × {SWEEPS} sweeps (defaults)"
        ),
        "σ² (layer variance)",
        seeds,
        &|seed| {
            let mc = combine(&run_chains(&g, CHAINS, seed)?, &eg.y0);
            Ok(theories
                .iter()
                .map(|(sp, ex, ng)| {
                    let (checks, notes) = dln_bayes_checks(sp, ex, ng, &mc, width);
                    report("dln-bayes", seed, checks, notes)
                })
                .collect())
        },
    )
}

/// `validate dln-bayes --widths 10,20,40` at the other defaults (data `tiny`, depth 1, T = 0.1,
/// σ_0² = σ² = 1, 4 chains × 20000 sweeps per width; width k sampled with seed `splitmix64(seed + k)`
/// as `validate` does): the per-width checks against the exact posterior and the saddle point of the
/// network with layer variance `σ²(1 + ε)`.
fn dln_bayes_widths(seeds: u64) -> Result<Row> {
    use nnlimits::models::bayes::sweep::width_checks;
    let (widths, t, s0) = ([10usize, 20, 40], 0.1, 1.0);
    let ds = load_data("tiny")?;
    let eg = EigenGram::new(&ds.gram(s0)?)?;
    let model = |n: usize, e: f64| BayesDln::new(vec![n], vec![1.0 + e], t);
    // per width: the samplers of the true network and (exact, saddle) eps_g of every theory
    let per_width = widths
        .iter()
        .map(|&n| {
            let theories = EPS
                .iter()
                .map(|&e| {
                    let m = model(n, e)?;
                    Ok((
                        exact_posterior(&m, &eg)?.prediction.eps_g,
                        m.saddle(&eg)?.prediction.eps_g,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            let g = DlnGibbs::new(model(n, 0.0)?, ds.clone(), s0, SWEEPS, BURN_IN)?;
            Ok((n, g, theories))
        })
        .collect::<Result<Vec<_>>>()?;
    tally(
        "dln-bayes",
        format!(
            "width sweep --widths 10,20,40: data tiny, L = 1, T = {t}, {CHAINS} chains × {SWEEPS} sweeps per width (defaults)"
        ),
        "σ² (layer variance)",
        seeds,
        &|seed| {
            let mut checks = vec![Vec::new(); EPS.len()];
            for (k, (n, g, theories)) in per_width.iter().enumerate() {
                let s = nnlimits::rng::splitmix64(&mut seed.wrapping_add(k as u64));
                let mc = combine(&run_chains(g, CHAINS, s)?, &eg.y0);
                for (c, &(ex, sp)) in checks.iter_mut().zip(theories) {
                    c.extend(width_checks(*n, ex, sp, &mc.eps_g));
                }
            }
            Ok(checks
                .into_iter()
                .map(|c| report("dln-bayes (width sweep)", seed, c, vec![]))
                .collect())
        },
    )
}

/// `validate 1hl-bayes --width width` at the other defaults (data `tiny`, erf, T = 0.1,
/// σ_0² = σ_1² = 1; the default width is 10):
/// elliptical slice sampling of the true network against the saddle point of the network with
/// readout-layer variance `σ_1²(1 + ε)`.
fn one_hl_bayes(width: usize, seeds: u64) -> Result<Row> {
    let (t, s0) = (0.1, 1.0);
    let act = BayesActivation::Erf;
    let ds = load_data("tiny")?;
    let gram = ds.gram(s0)?;
    let theories = EPS
        .iter()
        .map(|&e| {
            let m = BayesNonlinear::new(act, width, 1, vec![1.0 + e], t)?;
            Ok((m.saddle(&gram)?, m.nngp(&gram)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let s = OneHiddenSlice::new(act, width, s0, 1.0, t, ds.clone(), SWEEPS, BURN_IN)?;
    let y0: Vec<Vec<f64>> = (0..ds.yt.nrows()).map(|i| vec![ds.yt[(i, 0)]]).collect();
    tally(
        "1hl-bayes",
        format!(
            "data tiny, erf, N = {width}{}, T = {t}, {CHAINS} chains × {SWEEPS} iterations (defaults)",
            if width == 10 { "" } else { " (default 10)" }
        ),
        "σ_1² (readout variance)",
        seeds,
        &|seed| {
            let mc = combine(&run_chains(&s, CHAINS, seed)?, &y0);
            Ok(theories
                .iter()
                .map(|(sp, ng)| {
                    let (checks, notes) = one_hl_checks(sp, ng, &mc, width);
                    report("1hl-bayes", seed, checks, notes)
                })
                .collect())
        },
    )
}

fn report(
    model: &str,
    seed: u64,
    checks: Vec<nnlimits::validate::Check>,
    notes: Vec<String>,
) -> Report {
    Report::new(
        model,
        serde_json::Value::Null,
        serde_json::Value::Null,
        seed,
        SWEEPS * CHAINS,
        checks,
        notes,
    )
}

/// `validate fim --limit population` (tanh, degrees ≤ 4, 10 draws) at d = 100, N = 400: sampled
/// `κ(W̃W̃ᵀ)/N` at σ_w² = 1 against the group traces at σ_w²(1 + ε).
fn population(seeds: u64) -> Result<Row> {
    use rayon::prelude::*;
    let (d, width, draws, max_degree) = (100usize, 400usize, 10usize, 4usize);
    let act = Activation::Tanh;
    let theories = EPS
        .iter()
        .map(|&e| {
            let p = PopulationFim::new(&act, d, 1.0 + e, max_degree)?;
            let pred = p.finite_width(width)?;
            Ok((p, pred))
        })
        .collect::<Result<Vec<_>>>()?;
    if theories[0].1.is_empty() {
        return Err(Error::Domain("no degree group resolved".into()));
    }
    let sampler = PopulationSampler::new(&act, width, d, 1.0)?;
    tally(
        "fim-population",
        format!("tanh, d = {d}, N = {width}, degrees ≤ {max_degree}, {draws} draws"),
        "σ_w²",
        seeds,
        &|seed| {
            let sample: Vec<Vec<f64>> = (0..draws as u64)
                .into_par_iter()
                .map(|i| sampler.sample(&mut nnlimits::rng::stream(seed, i)))
                .collect::<Result<_>>()?;
            Ok(theories
                .iter()
                .map(|(p, pred)| {
                    Report::new(
                        "fim-population",
                        p.params(),
                        serde_json::Value::Null,
                        seed,
                        draws,
                        population_checks(p, pred, width, &sample),
                        vec![],
                    )
                })
                .collect())
        },
    )
}

/// `validate fim --limit unit-block` (tanh, b = 0, 10 draws of T = 1000 inputs each) at d = 100:
/// the sampled `Ĝ` of a unit with `|w|² = 1` against the block of `|w|² = 1 + ε`.
fn unit_block(seeds: u64) -> Result<Row> {
    use rayon::prelude::*;
    let (d, t, draws) = (100usize, 1000usize, 10usize);
    let act = Activation::Tanh;
    let theories = EPS
        .iter()
        .map(|&e| UnitBlock::new(&act, d, (1.0 + e).sqrt(), 0.0))
        .collect::<Result<Vec<_>>>()?;
    let sampler = UnitBlockSampler::new(act.clone(), d, 1.0, 0.0, t)?;
    tally(
        "fim-unit-block",
        format!(
            "tanh, d = {d}, b = 0, T = {t} inputs per draw, {draws} draws (defaults: d = T = 1000)"
        ),
        "‖w‖² (σ_w²)",
        seeds,
        &|seed| {
            let sample: Vec<_> = (0..draws as u64)
                .into_par_iter()
                .map(|i| sampler.sample(&mut nnlimits::rng::stream(seed, i)))
                .collect::<Result<_>>()?;
            theories
                .iter()
                .map(|u| {
                    Ok(Report::new(
                        "fim-unit-block",
                        serde_json::to_value(u).map_err(|e| Error::Domain(e.to_string()))?,
                        serde_json::Value::Null,
                        seed,
                        draws,
                        unit_block_checks(u, &sample),
                        vec![],
                    ))
                })
                .collect()
        },
    )
}
