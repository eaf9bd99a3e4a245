//! Command-line parameters of the Bayesian networks: `saddle dln`, `saddle 1hl`, `validate dln-bayes`,
//! `validate 1hl-bayes`. Each command has only its own flags (its `clap` struct); they all resolve to
//! one [`Net`] (data and network) that the saddle points and samplers are built from.

use super::data::{make_ds_outputs, tiny, Dataset};
use super::dln::BayesDln;
use super::kernels::Activation;
use super::onehl::{BayesNonlinear, DeepVariant};
use crate::error::{Error, Result};
use crate::output::OutputArgs;
use clap::Args;
use std::path::PathBuf;

/// The allowed values of `--data`.
pub const DATA_RANGE: &str =
    "make_ds:P,Pt,N0,seed[,D] (P, N0 in [1, 1e6], D in {1, 2}), tiny, tiny2, or a CSV file path";

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaddleModel {
    /// Bayesian deep linear network.
    Dln,
    /// Nonlinear network with one (or, with `depth`, several) hidden layers.
    OneHl,
}

/// Data and network, resolved from a command's flags.
#[derive(Debug, Clone)]
pub struct Net {
    /// `--data` specification (see [`load_data`]).
    pub data: String,
    /// Hidden width N (all hidden layers).
    pub width: usize,
    /// Number of hidden layers L.
    pub depth: usize,
    /// Temperature T.
    pub temperature: f64,
    /// Activation (nonlinear networks; reported as `erf` for the linear one, as before).
    pub activation: Activation,
    /// Deep nonlinear variant.
    pub variant: DeepVariant,
    /// First-layer weight variance.
    pub sigma0: f64,
    /// Variance of every later layer.
    pub sigma: f64,
}

/// Data and network flags shared by every Bayesian command.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Data: `make_ds:P,Pt,N0,seed[,D]` (docs/models/bayes.md), `tiny` / `tiny2`, or a CSV file (columns split,x..,y..).
    #[arg(long, default_value = "tiny")]
    pub data: String,
    /// Hidden width N (all hidden layers).
    #[arg(long, default_value_t = 10)]
    pub width: usize,
    /// Number of hidden layers L.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// First-layer weight variance sigma_0^2 (= 1/lambda_0).
    #[arg(long, default_value_t = 1.0)]
    pub sigma0: f64,
    /// Variance sigma_l^2 of every later layer (= 1/lambda_l).
    #[arg(long, default_value_t = 1.0)]
    pub sigma: f64,
}

impl NetArgs {
    fn net(&self, temperature: f64, activation: Activation, variant: DeepVariant) -> Net {
        Net {
            data: self.data.clone(),
            width: self.width,
            depth: self.depth,
            temperature,
            activation,
            variant,
            sigma0: self.sigma0,
            sigma: self.sigma,
        }
    }
}

/// `nnlimits saddle dln`.
#[derive(Debug, Clone, Args)]
pub struct SaddleDlnArgs {
    /// Data and network.
    #[command(flatten)]
    pub net: NetArgs,
    /// Temperature T (likelihood noise variance); 0 = Li–Sompolinsky closed form (single output).
    #[arg(long, default_value_t = 0.1)]
    pub temperature: f64,
    /// Also compute the exact finite-width posterior (F20 grid for D = 1, F21 importance sampling with
    /// --exact-draws prior draws for D > 1).
    #[arg(long)]
    pub exact: bool,
    /// Prior draws for the exact multi-output posterior F21.
    #[arg(long, default_value_t = 200_000)]
    pub exact_draws: usize,
    /// Seed of the F21 importance sampler (alias --seed).
    #[arg(long, alias = "seed", default_value_t = 1)]
    pub exact_seed: u64,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `nnlimits saddle 1hl`.
#[derive(Debug, Clone, Args)]
pub struct Saddle1hlArgs {
    /// Data and network.
    #[command(flatten)]
    pub net: NetArgs,
    /// Temperature T (likelihood noise variance).
    #[arg(long, default_value_t = 0.1)]
    pub temperature: f64,
    /// Activation.
    #[arg(long, value_enum, default_value_t = Activation::Erf)]
    pub activation: Activation,
    /// Deep nonlinear variant (F33) when --depth > 1.
    #[arg(long, value_enum, default_value_t = DeepVariant::Nested)]
    pub variant: DeepVariant,
    /// Use the two-order-parameter action F34 (Qbar, Q) meant for non-odd activations (ReLU).
    #[arg(long)]
    pub two_parameter: bool,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Run options of the Bayesian validators.
#[derive(Debug, Clone, Args)]
pub struct BayesRunArgs {
    /// Kept sweeps (iterations) per chain.
    #[arg(long, default_value_t = 20000)]
    pub samples: usize,
    /// Burn-in sweeps per chain.
    #[arg(long, default_value_t = 1000)]
    pub burn_in: usize,
    /// Independent chains (streams (seed, chain)).
    #[arg(long, default_value_t = 4)]
    pub chains: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write an SVG plot of predictive means per test point.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Write the JSON report.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// `nnlimits validate dln-bayes`.
#[derive(Debug, Clone, Args)]
pub struct ValidateDlnBayesArgs {
    /// Data and network.
    #[command(flatten)]
    pub net: NetArgs,
    /// Temperature T > 0 (likelihood noise variance; posterior sampling needs T > 0).
    #[arg(long, default_value_t = 0.1)]
    pub temperature: f64,
    /// Run options.
    #[command(flatten)]
    pub run: BayesRunArgs,
    /// Finite-size sweep over these hidden widths (comma list, at least 3), printing a table of Gibbs vs
    /// exact vs saddle vs NNGP generalization errors and `N x gap` (--width is ignored).
    #[arg(long)]
    pub widths: Option<String>,
}

/// `nnlimits validate 1hl-bayes`.
#[derive(Debug, Clone, Args)]
pub struct Validate1hlBayesArgs {
    /// Data and network (--depth 1: the sampler is for one hidden layer).
    #[command(flatten)]
    pub net: NetArgs,
    /// Temperature T > 0 (likelihood noise variance; posterior sampling needs T > 0).
    #[arg(long, default_value_t = 0.1)]
    pub temperature: f64,
    /// Activation.
    #[arg(long, value_enum, default_value_t = Activation::Erf)]
    pub activation: Activation,
    /// Run options.
    #[command(flatten)]
    pub run: BayesRunArgs,
}

/// A saddle-point computation: which network, and its options.
#[derive(Debug, Clone)]
pub struct SaddleArgs {
    /// Network type.
    pub model: SaddleModel,
    /// Data and network.
    pub net: Net,
    /// `1hl` only: the two-order-parameter action.
    pub two_parameter: bool,
    /// `dln` only: also the exact finite-width posterior.
    pub exact: bool,
    /// Prior draws of the exact multi-output posterior.
    pub exact_draws: usize,
    /// Seed of the exact multi-output posterior.
    pub seed: u64,
    /// Output.
    pub output: OutputArgs,
}

impl From<SaddleDlnArgs> for SaddleArgs {
    fn from(a: SaddleDlnArgs) -> Self {
        SaddleArgs {
            model: SaddleModel::Dln,
            net: a
                .net
                .net(a.temperature, Activation::Erf, DeepVariant::Nested),
            two_parameter: false,
            exact: a.exact,
            exact_draws: a.exact_draws,
            seed: a.exact_seed,
            output: a.output,
        }
    }
}

impl From<Saddle1hlArgs> for SaddleArgs {
    fn from(a: Saddle1hlArgs) -> Self {
        SaddleArgs {
            model: SaddleModel::OneHl,
            net: a.net.net(a.temperature, a.activation, a.variant),
            two_parameter: a.two_parameter,
            exact: false,
            exact_draws: 200_000,
            seed: 1,
            output: a.output,
        }
    }
}

/// A Bayesian validation: data, network and run options.
#[derive(Debug, Clone)]
pub struct ValidateBayesArgs {
    /// Data and network.
    pub net: Net,
    /// Kept sweeps per chain.
    pub samples: usize,
    /// Burn-in sweeps per chain.
    pub burn_in: usize,
    /// Independent chains.
    pub chains: usize,
    /// Seed.
    pub seed: u64,
    /// SVG plot.
    pub plot: Option<PathBuf>,
    /// JSON report.
    pub report: Option<PathBuf>,
    /// `dln-bayes` only: widths of the finite-size sweep.
    pub widths: Option<String>,
}

impl ValidateBayesArgs {
    fn with(net: Net, run: BayesRunArgs, widths: Option<String>) -> Self {
        ValidateBayesArgs {
            net,
            samples: run.samples,
            burn_in: run.burn_in,
            chains: run.chains,
            seed: run.seed,
            plot: run.plot,
            report: run.report,
            widths,
        }
    }
}

impl From<ValidateDlnBayesArgs> for ValidateBayesArgs {
    fn from(a: ValidateDlnBayesArgs) -> Self {
        let net = a
            .net
            .net(a.temperature, Activation::Erf, DeepVariant::Nested);
        ValidateBayesArgs::with(net, a.run, a.widths)
    }
}

impl From<Validate1hlBayesArgs> for ValidateBayesArgs {
    fn from(a: Validate1hlBayesArgs) -> Self {
        let net = a.net.net(a.temperature, a.activation, DeepVariant::Nested);
        ValidateBayesArgs::with(net, a.run, None)
    }
}

/// The file a `--data` specification reads (none for `make_ds:…`, `tiny`, `tiny2`): an input that
/// no output may overwrite.
pub fn data_inputs(spec: &str) -> Vec<(&'static str, &std::path::Path)> {
    if spec.starts_with("make_ds:") || ["tiny", "tiny2"].contains(&spec) {
        vec![]
    } else {
        vec![("--data", std::path::Path::new(spec))]
    }
}

/// Parse `--data`: `make_ds:P,Pt,N0,seed[,D]`, `tiny`, `tiny2`, or a CSV file.
pub fn load_data(spec: &str) -> Result<Dataset> {
    if let Some(rest) = spec.strip_prefix("make_ds:") {
        let v: Vec<u64> = rest
            .split(',')
            .map(|t| {
                t.trim().parse::<u64>().map_err(|_| {
                    Error::param("data", spec, "make_ds:P,Pt,N0,seed[,D] with integers")
                })
            })
            .collect::<Result<_>>()?;
        if !(4..=5).contains(&v.len()) {
            return Err(Error::param("data", spec, "make_ds:P,Pt,N0,seed[,D]"));
        }
        let d = v.get(4).copied().unwrap_or(1) as usize;
        return make_ds_outputs(v[0] as usize, v[1] as usize, v[2] as usize, v[3], d);
    }
    match spec {
        "tiny" => tiny(1),
        "tiny2" => tiny(2),
        path => Dataset::from_csv(std::path::Path::new(path)),
    }
}

/// The Bayesian deep linear network of `net`.
pub fn dln(net: &Net) -> Result<BayesDln> {
    crate::error::check::count("depth", net.depth, 1, 100_000)?;
    BayesDln::new(
        vec![net.width; net.depth],
        vec![net.sigma; net.depth],
        net.temperature,
    )
}

/// The Bayesian nonlinear network of `net`.
pub fn nonlinear(net: &Net) -> Result<BayesNonlinear> {
    crate::error::check::count("depth", net.depth, 1, 20)?;
    BayesNonlinear::new(
        net.activation,
        net.width,
        net.depth,
        vec![net.sigma; net.depth],
        net.temperature,
    )
}
