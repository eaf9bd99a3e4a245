//! Command-line parameters of the FIM / NTK / conjugate-kernel models (`fim`, `ck` and their variants
//! `-infinite-width`, `-data`, `-population`, `-unit-block`, `-outputs`), each with only its own flags,
//! and the declared ranges shown by `nnlimits models`.
//!
//! `fim` and `ck` share their structs through the [`Layers`] parameter: `fim` has `--trained`
//! ([`FimLayers`]), `ck` is the readout Gram and has none ([`CkLayers`]).

use crate::error::{check, Error, Result};
use crate::models::fim::{Activation, GaussianConstants, Inputs, Trained};
use crate::output::FloatList;
use clap::{Args, FromArgMatches, ValueEnum};

/// Which matrix a spectrum describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    /// The n × n dual Gram Θ = J Jᵀ.
    Dual,
    /// The p × p matrix Jᵀ J = n F (needs --n).
    Parameter,
}

/// The trained layers of a model family: `fim` chooses them (`--trained`), `ck` is the readout.
pub trait Layers: Args + FromArgMatches + Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The family name, `fim` or `ck`.
    const FAMILY: &'static str;
    /// The trained layers (`default` when `fim` is given no `--trained`).
    fn trained(&self, default: Trained) -> Trained;
}

/// `--trained` of the `fim` models.
#[derive(Debug, Clone, Args)]
pub struct FimLayers {
    /// Trained layers [default: both].
    #[arg(long, value_enum)]
    pub trained: Option<Trained>,
}

impl Layers for FimLayers {
    const FAMILY: &'static str = "fim";
    fn trained(&self, default: Trained) -> Trained {
        self.trained.unwrap_or(default)
    }
}

/// The `ck` models: the readout only is trained (no flag).
#[derive(Debug, Clone, Args)]
pub struct CkLayers {}

impl Layers for CkLayers {
    const FAMILY: &'static str = "ck";
    fn trained(&self, _default: Trained) -> Trained {
        Trained::Readout
    }
}

/// Activation and weight variances.
#[derive(Debug, Clone, Args)]
pub struct Net {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// First-layer weight variance sigma_w^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Readout weight variance sigma_v^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_v2: f64,
}

impl Net {
    /// The named activation.
    pub fn activation(&self) -> Result<Activation> {
        Activation::parse(&self.activation)
    }

    /// The Gaussian constants (F14) of the activation, or of the user's `constants`
    /// `mu0,mu1,eta,eta_p[,E phi'']`; the activation itself when it is a named one.
    pub fn constants(
        &self,
        constants: Option<&FloatList>,
    ) -> Result<(Option<Activation>, GaussianConstants)> {
        match constants {
            Some(c) => {
                let v = &c.0;
                if !(v.len() == 4 || v.len() == 5) {
                    return Err(Error::param(
                        "constants",
                        format!("{v:?}"),
                        "4 or 5 numbers mu0,mu1,eta,eta_p[,E phi'']",
                    ));
                }
                let g = GaussianConstants::from_values(
                    "user",
                    self.sigma_w2,
                    self.sigma_v2,
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    v.get(4).copied().unwrap_or(0.0),
                )?;
                Ok((None, g))
            }
            None => {
                let a = self.activation()?;
                let g = a.constants(self.sigma_w2, self.sigma_v2)?;
                Ok((Some(a), g))
            }
        }
    }
}

/// `spectrum fim|ck`: the proportional limit n, d, N → ∞ at fixed d/n and N/n.
#[derive(Debug, Clone, Args)]
pub struct FimParams<L: Layers> {
    /// Activation and variances.
    #[command(flatten)]
    pub net: Net,
    /// A user activation through its Gaussian constants `mu0,mu1,eta,eta_p[,E phi'']` at the given
    /// sigma_w2 (overrides --activation).
    #[arg(long, value_parser = crate::output::parse_float_list, allow_hyphen_values = true)]
    pub constants: Option<FloatList>,
    /// Trained layers.
    #[command(flatten)]
    pub layers: L,
    /// Ratio d/n (input dimension per data point).
    #[arg(long, default_value_t = 1.0)]
    pub d_ratio: f64,
    /// Ratio N/n (width per data point).
    #[arg(long, default_value_t = 1.0)]
    pub width_ratio: f64,
    /// Dual (n × n) or parameter (p × p) space.
    #[arg(long, value_enum, default_value_t = Space::Dual)]
    pub space: Space,
    /// Number of data points n (needed for --space parameter and for tr F², Karakida statistics).
    #[arg(long)]
    pub n: Option<usize>,
}

/// `spectrum fim|ck --limit infinite-width`: N → ∞ first, then n, d → ∞ at fixed d/n.
#[derive(Debug, Clone, Args)]
pub struct InfiniteParams<L: Layers> {
    /// Activation and variances.
    #[command(flatten)]
    pub net: Net,
    /// A user activation through its Gaussian constants `mu0,mu1,eta,eta_p[,E phi'']` at the given
    /// sigma_w2 (overrides --activation).
    #[arg(long, value_parser = crate::output::parse_float_list, allow_hyphen_values = true)]
    pub constants: Option<FloatList>,
    /// Trained layers.
    #[command(flatten)]
    pub layers: L,
    /// Ratio d/n (input dimension per data point).
    #[arg(long, default_value_t = 1.0)]
    pub d_ratio: f64,
    /// Dual (n × n) or parameter (p × p) space (the parameter count and the Karakida statistics
    /// take N = n).
    #[arg(long, value_enum, default_value_t = Space::Dual)]
    pub space: Space,
    /// Number of data points n (needed for --space parameter and for tr F², Karakida statistics).
    #[arg(long)]
    pub n: Option<usize>,
}

/// `validate fim|ck` (and `--limit infinite-width`, which compares with the infinite-width law at the
/// sampled d/n).
#[derive(Debug, Clone, Args)]
pub struct NetCheck<L: Layers> {
    /// Activation and variances.
    #[command(flatten)]
    pub net: Net,
    /// Trained layers.
    #[command(flatten)]
    pub layers: L,
    /// Number of data points n.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Width N.
    #[arg(long, default_value_t = 1000)]
    pub width: usize,
    /// Input distribution [default: spherical, |x|² = d, the variance reduction of docs/models/fim.md].
    #[arg(long, value_enum)]
    pub inputs: Option<Inputs>,
    /// Do not normalise the readout to |v|² = N sigma_v².
    #[arg(long)]
    pub raw_readout: bool,
    /// Finite-size bias coefficient b of the tolerance b n^-r (r = 1 exact laws, 1/2 ansatz laws).
    #[arg(long)]
    pub bias_coeff: Option<f64>,
    /// Compare with the law at this sigma_w^2 instead of the sampled one (the samples keep
    /// --sigma-w2): a wrong theory the validator must reject (power checks, near-miss controls).
    #[arg(long)]
    pub theory_sigma_w2: Option<f64>,
}

/// `spectrum fim|ck --limit data`: one data set X (d × n, drawn from --data-seed).
#[derive(Debug, Clone, Args)]
pub struct DataParams<L: Layers> {
    /// Activation and variances.
    #[command(flatten)]
    pub net: Net,
    /// Trained layers.
    #[command(flatten)]
    pub layers: L,
    /// Number of data points n.
    #[arg(long)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long)]
    pub d: usize,
    /// Width N.
    #[arg(long)]
    pub width: usize,
    /// Seed of the data set X.
    #[arg(long, default_value_t = 1)]
    pub data_seed: u64,
    /// Input distribution of the data set.
    #[arg(long, value_enum, default_value_t = Inputs::Gaussian)]
    pub inputs: Inputs,
    /// Dual (n × n) or parameter (p × p) space.
    #[arg(long, value_enum, default_value_t = Space::Dual)]
    pub space: Space,
}

/// `validate fim|ck --limit data`: X fixed (from --data-seed), W, v redrawn per sample (from --seed).
#[derive(Debug, Clone, Args)]
pub struct DataCheck<L: Layers> {
    /// Activation and variances.
    #[command(flatten)]
    pub net: Net,
    /// Trained layers.
    #[command(flatten)]
    pub layers: L,
    /// Number of data points n.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Width N.
    #[arg(long, default_value_t = 1000)]
    pub width: usize,
    /// Seed of the data set X (W, v use --seed).
    #[arg(long, default_value_t = 1)]
    pub data_seed: u64,
    /// Input distribution of the data set.
    #[arg(long, value_enum, default_value_t = Inputs::Gaussian)]
    pub inputs: Inputs,
    /// Do not normalise the readout to |v|² = N sigma_v².
    #[arg(long)]
    pub raw_readout: bool,
    /// Finite-size bias coefficient b of the tolerance b n^-r (r = 1 exact laws, 1/2 ansatz laws).
    #[arg(long)]
    pub bias_coeff: Option<f64>,
}

/// `spectrum fim-outputs` (`spectrum fim --outputs-ratio C/N` or `--outputs C`): the linear network
/// with C outputs, both layers trained.
#[derive(Debug, Clone, Args)]
pub struct OutputsParams {
    /// Activation: linear (C > 1; with --outputs 1 the single-output law of any activation).
    #[arg(long, default_value = "linear")]
    pub activation: String,
    /// First-layer weight variance sigma_w^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Readout weight variance sigma_v^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_v2: f64,
    /// Ratio d/n (input dimension per data point).
    #[arg(long, default_value_t = 1.0)]
    pub d_ratio: f64,
    /// Ratio N/n (width per data point).
    #[arg(long, default_value_t = 1.0)]
    pub width_ratio: f64,
    /// Dual ((C n) × (C n)) or parameter (p × p) space.
    #[arg(long, value_enum, default_value_t = Space::Dual)]
    pub space: Space,
    /// Number of data points n (needed with --outputs and --space parameter).
    #[arg(long)]
    pub n: Option<usize>,
    /// Number of outputs C (needs --n: C/N = C/(width_ratio · n)).
    #[arg(long, conflicts_with = "outputs_ratio")]
    pub outputs: Option<usize>,
    /// Ratio C/N (outputs per hidden unit), in [0, 100].
    #[arg(long)]
    pub outputs_ratio: Option<f64>,
}

/// `validate fim-outputs` (`validate fim --outputs C`).
#[derive(Debug, Clone, Args)]
pub struct OutputsCheck {
    /// Activation and variances (linear for C > 1).
    #[command(flatten)]
    pub net: Net,
    /// Number of data points n.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Width N.
    #[arg(long, default_value_t = 1000)]
    pub width: usize,
    /// Number of outputs C (C > 1: the dual is (C n) × (C n); 1: the single-output network).
    #[arg(long, default_value_t = 1)]
    pub outputs: usize,
    /// Input distribution [default: spherical, |x|² = d].
    #[arg(long, value_enum)]
    pub inputs: Option<Inputs>,
    /// Do not normalise the readout to |v|² = N sigma_v².
    #[arg(long)]
    pub raw_readout: bool,
    /// Finite-size bias coefficient b of the tolerance b (C n)^-r [default: C, i.e. 1/n].
    #[arg(long)]
    pub bias_coeff: Option<f64>,
}

/// Declared ranges of every flag of the FIM / CK models (a flag a model does not have is not shown).
pub const RANGES: &[(&str, &str)] = &[
    ("activation", "linear, tanh, erf, relu, crelu, absc"),
    (
        "constants",
        "4 or 5 finite numbers mu0,mu1,eta,eta_p[,E phi''] with eta, eta_p >= 0",
    ),
    ("sigma-w2", "> 0, finite"),
    ("theory-sigma-w2", "> 0, finite"),
    ("sigma-v2", ">= 0, finite (> 0 when sampled)"),
    ("d-ratio", "[1e-4, 1e4]"),
    ("width-ratio", "[1e-4, 1e4]"),
    (
        "n",
        "integer in [1, 1e8] (theory); [1, 20000] (sampled, --limit data)",
    ),
    (
        "d",
        "integer in [1, 20000] (sampled); [1, 1e6] (--limit data theory); >= 2 (population)",
    ),
    ("width", "integer in [1, 20000] (sampled); >= 1 (theory)"),
    ("data-seed", "integer in [0, 2^64)"),
    ("bias-coeff", ">= 0, finite [default: 1]"),
    ("outputs", "integer in [1, 20000]"),
    ("outputs-ratio", "[0, 100]"),
    ("max-degree", "integer in [0, 40]"),
    ("bias", "finite"),
];

/// The number of parameters `p` of the trained layers for sizes `n`, `d = (d/n) n`, `N = (N/n) n`.
pub fn parameter_count(trained: Trained, n: f64, d_over_n: f64, width_over_n: f64) -> f64 {
    let (d, w) = (d_over_n * n, width_over_n * n);
    match trained {
        Trained::Both => w * d + w,
        Trained::Readout => w,
        Trained::First => w * d,
    }
}

/// `n` for the parameter space, or the error saying it is needed.
pub fn need_n(n: Option<usize>) -> Result<usize> {
    n.ok_or_else(|| Error::param("n", "missing", "--n is required with --space parameter"))
}

/// A checked count for the `--limit data` sizes.
pub fn data_sizes(n: usize, d: usize) -> Result<()> {
    check::count("n", n, 1, 20_000)?;
    check::count("d", d, 1, 1_000_000)?;
    Ok(())
}

/// `spectrum fim|ck --limit population`: the readout population FIM at infinite width (degree groups).
#[derive(Debug, Clone, Args)]
pub struct PopulationParams {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// First-layer weight variance sigma_w^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Input dimension d.
    #[arg(long)]
    pub d: usize,
    /// Largest spherical-harmonic degree listed.
    #[arg(long, default_value_t = 4)]
    pub max_degree: usize,
    /// Width N: adds the finite-width prediction of the group traces.
    #[arg(long)]
    pub width: Option<usize>,
}

/// `validate fim|ck --limit population`: κ(W̃W̃ᵀ)/N sampled at width N.
#[derive(Debug, Clone, Args)]
pub struct PopulationCheck {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// First-layer weight variance sigma_w^2.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Width N.
    #[arg(long, default_value_t = 1000)]
    pub width: usize,
    /// Largest spherical-harmonic degree checked.
    #[arg(long, default_value_t = 4)]
    pub max_degree: usize,
}

/// `spectrum fim --limit unit-block`: the single-unit first-layer block G = E[φ'(u)² x̃x̃ᵀ],
/// u = w·x + b, |w| = sqrt(sigma_w2).
#[derive(Debug, Clone, Args)]
pub struct UnitBlockParams {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Squared weight norm |w|² of the unit.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Input dimension d.
    #[arg(long)]
    pub d: usize,
    /// Bias b of the unit.
    #[arg(long, default_value_t = 0.0)]
    pub bias: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::output::OutputFormat::Csv)]
    pub format: crate::output::OutputFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<std::path::PathBuf>,
}

/// `validate fim --limit unit-block`: Ĝ from --n inputs per draw.
#[derive(Debug, Clone, Args)]
pub struct UnitBlockCheck {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Squared weight norm |w|² of the unit.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Bias b of the unit.
    #[arg(long, default_value_t = 0.0)]
    pub bias: f64,
    /// Inputs T per draw (each estimate is a mean of T terms).
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
}
