//! Rows of the spectral validators: the draws of a seed (draw i from stream(seed, i), sorted, the
//! declared outliers removed, as `validate` makes them) compared with every perturbed theory by
//! `validate::spectral::compare` with the model's validation options.

use super::cached::Cached;
use super::{tally, Row, EPS};
use clap::{Args, FromArgMatches};
use nnlimits::error::{Error, Result};
use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::fim::entries_data::Data;
use nnlimits::models::fim::params::CkLayers;
use nnlimits::models::fim::{
    draw_data, Activation, DataFim, FixedDataSampler, Inputs, LinearFim, MultiOutputLinearFim,
    MultiOutputSampler, NetworkSampler, ProportionalFim, Ratios, Trained,
};
use nnlimits::models::gep::{EntrywiseWishart, EntrywiseWishartSampler};
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::registry::SpectralSpec;
use nnlimits::validate::spectral::{compare, SpectralValidation};

/// Draws per validation (the default of `validate`).
const DRAWS: usize = 10;

/// The spectral families, in table order (all run without arguments).
pub const ALL: &[&str] = &[
    "mp",
    "mp-n1000",
    "gep-relu",
    "fim-linear",
    "fim-linear-n1000",
    "fim-tanh",
    "fim-tanh-n1000",
    "ck-tanh",
    "ck-data",
    "ck-data-n1000",
    "fim-outputs",
    "hessian",
    "expr",
    "expr-n1000",
    "ck-deep",
    "fim-deep",
];

/// Compare the draws of every seed with `theory(ε)` for every `ε`, with validation options `opts`
/// (their `samples` draws; `seed` set per seed).
#[allow(clippy::too_many_arguments)]
fn sweep_with<S: Sampler<Output = Vec<f64>> + ?Sized>(
    family: &'static str,
    setting: String,
    parameter: &'static str,
    theory: &dyn Fn(f64) -> Result<Box<dyn SpectralModel>>,
    sampler: &S,
    seeds: u64,
    opts: &SpectralValidation,
) -> Result<Row> {
    use rayon::prelude::*;
    let models: Vec<Cached> = EPS
        .iter()
        .map(|&e| theory(e).map(Cached::new))
        .collect::<Result<_>>()?;
    tally(family, setting, parameter, seeds, &|seed| {
        let sample: Vec<Vec<f64>> = (0..opts.samples as u64)
            .into_par_iter()
            .map(|i| {
                sampler
                    .sample(&mut nnlimits::rng::stream(seed, i))
                    .map(|mut ev| {
                        ev.sort_by(f64::total_cmp);
                        ev.truncate(ev.len().saturating_sub(opts.remove_top));
                        ev
                    })
            })
            .collect::<Result<_>>()?;
        let o = SpectralValidation {
            seed,
            ..opts.clone()
        };
        models
            .iter()
            .map(|m| Ok(compare(m, serde_json::Value::Null, sample.clone(), &o)?.report))
            .collect()
    })
}

/// [`sweep_with`] at the default options with `draws` draws.
fn sweep<S: Sampler<Output = Vec<f64>>>(
    family: &'static str,
    setting: String,
    parameter: &'static str,
    theory: &dyn Fn(f64) -> Result<Box<dyn SpectralModel>>,
    sampler: &S,
    seeds: u64,
    draws: usize,
) -> Result<Row> {
    let opts = SpectralValidation {
        samples: draws,
        ..SpectralValidation::default()
    };
    sweep_with(family, setting, parameter, theory, sampler, seeds, &opts)
}

/// The `validate` parameters of a registry model from command-line arguments.
fn parse_check<S: SpectralSpec>(args: &[String]) -> Result<S::Check> {
    let cmd = S::Check::augment_args(clap::Command::new("power"));
    let m = cmd
        .try_get_matches_from(std::iter::once("power".to_string()).chain(args.iter().cloned()))
        .map_err(|e| Error::InvalidData(e.to_string()))?;
    S::Check::from_arg_matches(&m).map_err(|e| Error::InvalidData(e.to_string()))
}

/// A row of a registry model through its own validation plan (`SpectralSpec::plan`: sampler, options
/// such as the bias rate and removed outliers): the sampler and options of `validate S base --flag
/// value`, the theories of `--flag value(1 + ε)`.
fn plan_row<S: SpectralSpec>(
    family: &'static str,
    setting: String,
    parameter: &'static str,
    base: &[&str],
    (flag, value): (&str, f64),
    seeds: u64,
) -> Result<Row> {
    let args = |v: f64| -> Vec<String> {
        base.iter()
            .map(|s| s.to_string())
            .chain([flag.to_string(), v.to_string()])
            .collect()
    };
    let plan = S::plan(&parse_check::<S>(&args(value))?)?;
    let theory = |e: f64| Ok(S::plan(&parse_check::<S>(&args(value * (1.0 + e)))?)?.theory);
    sweep_with(
        family,
        setting,
        parameter,
        &theory,
        plan.sampler.as_ref(),
        seeds,
        &plan.options,
    )
}

fn network_row(
    family: &'static str,
    act: Activation,
    trained: Trained,
    n: usize,
    seeds: u64,
    draws: usize,
) -> Result<Row> {
    let linear = matches!(act, Activation::Linear);
    let sampler = NetworkSampler::new(
        n,
        n,
        n,
        act.clone(),
        1.0,
        1.0,
        trained,
        Inputs::Spherical,
        true,
        0,
    )?;
    let r = Ratios::from_sizes(n, n, n)?;
    let theory = |e: f64| -> Result<Box<dyn SpectralModel>> {
        let s = 1.0 + e;
        Ok(if linear {
            Box::new(LinearFim::new(r, s, 1.0, trained)?)
        } else {
            Box::new(ProportionalFim::new(r, act.constants(s, 1.0)?, trained)?)
        })
    };
    sweep(
        family,
        format!("n = d = N = {n}, {draws} draws"),
        "σ_w²",
        &theory,
        &sampler,
        seeds,
        draws,
    )
}

/// The row of a spectral family; `None` for other names.
pub fn row(name: &str, seeds: u64) -> Option<Result<Row>> {
    ALL.contains(&name).then(|| build(name, seeds))
}

fn build(name: &str, seeds: u64) -> Result<Row> {
    match name {
        "mp" => {
            let sampler = WishartSampler::new(200, 400, 1.0)?;
            sweep(
                "mp",
                format!("c = 0.5, n = 200, {DRAWS} draws"),
                "ratio c",
                &|e| Ok(Box::new(MarchenkoPastur::new(0.5 * (1.0 + e), 1.0)?) as _),
                &sampler,
                seeds,
                DRAWS,
            )
        }
        "mp-n1000" => {
            // the default size of `validate mp` (n = 1000, m = 2000)
            let sampler = WishartSampler::new(1000, 2000, 1.0)?;
            sweep(
                "mp",
                format!("c = 0.5, n = 1000 (default size), {DRAWS} draws"),
                "ratio c",
                &|e| Ok(Box::new(MarchenkoPastur::new(0.5 * (1.0 + e), 1.0)?) as _),
                &sampler,
                seeds,
                DRAWS,
            )
        }
        "fim-linear" => network_row(
            "fim-linear",
            Activation::Linear,
            Trained::Both,
            200,
            seeds,
            DRAWS,
        ),
        // the default size of `validate fim` with the catalogue's 4 draws
        "fim-linear-n1000" => network_row(
            "fim-linear",
            Activation::Linear,
            Trained::Both,
            1000,
            seeds,
            4,
        ),
        "fim-tanh-n1000" => {
            network_row("fim-tanh", Activation::Tanh, Trained::Both, 1000, seeds, 4)
        }
        "fim-tanh" => network_row(
            "fim-tanh",
            Activation::Tanh,
            Trained::Both,
            200,
            seeds,
            DRAWS,
        ),
        "ck-tanh" => network_row(
            "ck-tanh",
            Activation::Tanh,
            Trained::Readout,
            200,
            seeds,
            DRAWS,
        ),
        "fim-outputs" => {
            let (n, d, w) = (75, 100, 200);
            let sampler = MultiOutputSampler::new(n, d, w, 20, 1.0, 1.0, Inputs::Spherical, true)?;
            let r = Ratios::from_sizes(n, d, w)?;
            sweep(
                "fim-outputs",
                format!("n = {n}, d = {d}, N = {w}, C = 20, {DRAWS} draws"),
                "σ_w²",
                &|e| Ok(Box::new(MultiOutputLinearFim::new(r, 0.1, 1.0 + e, 1.0)?) as _),
                &sampler,
                seeds,
                DRAWS,
            )
        }
        "ck-data" => {
            let (n, d, w) = (256, 64, 128);
            let x = draw_data(n, d, Inputs::Gaussian, 31);
            let net = NetworkSampler::new(
                n,
                d,
                w,
                Activation::Relu,
                1.0,
                1.0,
                Trained::Readout,
                Inputs::Gaussian,
                true,
                0,
            )?;
            let sampler = FixedDataSampler::new(net, x.clone())?;
            sweep(
                "ck-data",
                format!("ReLU, fixed X: n = {n}, d = {d}, N = {w}, {DRAWS} draws"),
                "σ_w²",
                &|e| {
                    Ok(Box::new(DataFim::new(
                        &x,
                        w,
                        &Activation::Relu,
                        1.0 + e,
                        1.0,
                        Trained::Readout,
                    )?) as _)
                },
                &sampler,
                seeds,
                DRAWS,
            )
        }
        // the default of `validate ck --limit data` (n = d = N = 1000, data seed 1, Gaussian inputs)
        "ck-data-n1000" => plan_row::<Data<CkLayers>>(
            "ck-data",
            format!("ReLU, fixed X: n = d = N = 1000 (default size), {DRAWS} draws"),
            "σ_w²",
            &["--activation", "relu"],
            ("--sigma-w2", 1.0),
            seeds,
        ),
        "gep-relu" => {
            let sampler = EntrywiseWishartSampler::new(250, 500, Activation::Relu)?;
            sweep(
                "gep-relu",
                format!("c = 0.5, N = 250, {DRAWS} draws"),
                "ratio c",
                &|e| Ok(Box::new(EntrywiseWishart::new(0.5 * (1.0 + e), &Activation::Relu)?) as _),
                &sampler,
                seeds,
                DRAWS,
            )
        }
        "expr" => expr_row(400, seeds),
        // the default size of `validate expr`
        "expr-n1000" => expr_row(1000, seeds),
        "ck-deep" => plan_row::<nnlimits::models::deep::entry::CkDeepSpec>(
            "ck-deep",
            format!("tanh, depth 2, n = d = N = 400, {DRAWS} draws"),
            "σ_w²",
            &["--depth", "2", "--n", "400", "--d", "400"],
            ("--sigma-w2", 1.0),
            seeds,
        ),
        "fim-deep" => plan_row::<nnlimits::models::deep::ntk_entry::FimDeepSpec>(
            "fim-deep",
            format!("tanh, depth 2, n = d = N = 300, {DRAWS} draws"),
            "σ_w²",
            &["--depth", "2", "--n", "300", "--d", "300"],
            ("--sigma-w2", 1.0),
            seeds,
        ),
        "hessian" => plan_row::<nnlimits::models::hessian::entry::HessianSpec>(
            "hessian",
            format!("free-sum ansatz (not a true claim, see below): tanh, n = 840, d = N = 20 (P = 420), loss 0.02, full Hessian, {DRAWS} draws (defaults)"),
            "σ_w²",
            &[],
            ("--sigma-w2", 1.0),
            seeds,
        ),
        other => Err(Error::param("family", other, "a spectral family")),
    }
}

/// `validate expr 'mp(0.5) + sc(0.5)' --n n` against the law with the semicircle's variance off by ε.
fn expr_row(n: usize, seeds: u64) -> Result<Row> {
    use nnlimits::models::free::{sampler::ExpressionSampler, Expression};
    let sampled = Expression::parse_plain("mp(0.5) + sc(0.5)")?;
    let sampler = ExpressionSampler::new(&sampled, n)?;
    let size = if n == 1000 {
        "n = 1000 (default size)".to_string()
    } else {
        format!("n = {n}")
    };
    sweep(
        "expr",
        format!("mp(0.5) + sc(v), v = 0.5, {size}, {DRAWS} draws"),
        "variance v",
        &|e| {
            Ok(Box::new(Expression::parse_plain(&format!(
                "mp(0.5) + sc({})",
                0.5 * (1.0 + e)
            ))?) as _)
        },
        &sampler,
        seeds,
        DRAWS,
    )
}
