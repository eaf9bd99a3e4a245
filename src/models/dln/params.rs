//! Command-line parameters of the deep-linear-network prior (`law dln`, `validate dln`): the
//! architecture, the input Gram matrix (given, from a pair overlap, from a CSV of inputs, or sampled) and
//! the law they select (finite width [`DlnPrior`] or the depth~width limit [`DlnLimit`]).

use super::{parse_widths, DlnLaw, DlnLimit, DlnPrior, Gram};
use crate::error::{Error, Result};
use crate::output::{parse_list, OutputArgs};
use nalgebra::DMatrix;
use std::path::PathBuf;

/// Architecture and inputs of a deep linear network.
#[derive(Debug, Clone, clap::Args)]
pub struct DlnModelArgs {
    /// Hidden widths: `50x25` (25 layers of width 50), `100,5,100`, or mixed `100,5x3`.
    #[arg(long)]
    pub widths: Option<String>,
    /// Depth~width limit a = lim Σ 1/N_l (instead of --widths); 0 is the NNGP.
    #[arg(long, conflicts_with = "widths", allow_hyphen_values = true)]
    pub limit_a: Option<f64>,
    /// Number of outputs D.
    #[arg(long, default_value_t = 1)]
    pub outputs: usize,
    /// Weight variances of the hidden layers σ_1²..σ_L²: one value, or one per layer (comma-separated);
    /// used with --widths only (with --limit-a, give Λ = Π σ_l² with --lambda).
    #[arg(long)]
    pub sigma2: Option<String>,
    /// Λ = Π σ_l² for the limit law (with --limit-a; with --widths, Λ comes from --sigma2).
    #[arg(long, default_value_t = 1.0)]
    pub lambda: f64,
    /// Input Gram matrix C, rows separated by `;`, e.g. `1,0.5;0.5,1` (default: one input, C = 1).
    #[arg(long, conflicts_with_all = ["rho", "inputs", "random_inputs"])]
    pub gram: Option<String>,
    /// Two unit-norm inputs with overlap rho: C = [[1, rho], [rho, 1]].
    #[arg(long, conflicts_with_all = ["inputs", "random_inputs"], allow_hyphen_values = true)]
    pub rho: Option<f64>,
    /// Inputs from a CSV file (one input per line, N_0 comma-separated values): C = σ_0² X Xᵀ / N_0.
    #[arg(long, conflicts_with = "random_inputs")]
    pub inputs: Option<PathBuf>,
    /// P random inputs x ~ N(0, I_{N_0}) (N_0 from --input-dim, seed from --input-seed).
    #[arg(long)]
    pub random_inputs: Option<usize>,
    /// Input dimension N_0 for --random-inputs.
    #[arg(long, default_value_t = 100)]
    pub input_dim: usize,
    /// Seed of --random-inputs.
    #[arg(long, default_value_t = 0)]
    pub input_seed: u64,
    /// First-layer weight variance σ_0² (multiplies C built from inputs).
    #[arg(long, default_value_t = 1.0)]
    pub sigma0_sq: f64,
}

impl DlnModelArgs {
    /// The files this network reads (`--inputs`), which no output may overwrite.
    pub fn input_files(&self) -> Vec<(&str, &std::path::Path)> {
        self.inputs
            .as_deref()
            .map(|p| ("--inputs", p))
            .into_iter()
            .collect()
    }

    /// The input Gram matrix.
    pub fn gram(&self) -> Result<Gram> {
        if let Some(g) = &self.gram {
            let rows: Vec<Vec<f64>> = g
                .split(';')
                .map(|r| {
                    parse_list(r).map_err(|e| {
                        Error::param(
                            "gram",
                            g,
                            &format!("rows of numbers separated by `;` ({e})"),
                        )
                    })
                })
                .collect::<Result<_>>()?;
            let p = rows.len();
            if rows.iter().any(|r| r.len() != p) {
                return Err(Error::param("gram", g, "a square matrix"));
            }
            return Gram::new(DMatrix::from_row_iterator(p, p, rows.into_iter().flatten()));
        }
        if let Some(rho) = self.rho {
            return Gram::pair(rho);
        }
        if let Some(path) = &self.inputs {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                action: "read",
                path: path.clone(),
                source,
            })?;
            let rows: Vec<Vec<f64>> = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| {
                    parse_list(l).map_err(|message| Error::Parse {
                        path: path.clone(),
                        message,
                    })
                })
                .collect::<Result<_>>()?;
            let n0 = rows.first().map(|r| r.len()).unwrap_or(0);
            if n0 == 0 || rows.iter().any(|r| r.len() != n0) {
                return Err(Error::Parse {
                    path: path.clone(),
                    message: "every line must have the same number (>= 1) of values".into(),
                });
            }
            let x = DMatrix::from_row_iterator(rows.len(), n0, rows.into_iter().flatten());
            return Gram::from_inputs(&x, self.sigma0_sq);
        }
        if let Some(p) = self.random_inputs {
            return Gram::sampled(p, self.input_dim, self.sigma0_sq, self.input_seed);
        }
        Ok(Gram::unit())
    }

    /// The per-layer variances of --sigma2 (empty: all 1).
    pub fn sigma2(&self) -> Result<Vec<f64>> {
        match &self.sigma2 {
            None => Ok(vec![]),
            Some(s) => parse_list(s)
                .map_err(|e| Error::param("sigma2", s, &format!("comma-separated numbers ({e})"))),
        }
    }

    /// The finite-width prior (needs --widths).
    pub fn prior(&self) -> Result<DlnPrior> {
        let w = self
            .widths
            .as_deref()
            .ok_or_else(|| Error::param("widths", "(missing)", "given, e.g. --widths 50x25"))?;
        DlnPrior::new(parse_widths(w)?, self.sigma2()?, self.outputs, self.gram()?)
    }

    /// The law selected by the arguments: finite width or limit.
    pub fn law(&self) -> Result<Box<dyn DlnLaw>> {
        match (self.limit_a, &self.widths) {
            (Some(a), None) => Ok(Box::new(DlnLimit::new(
                a,
                self.lambda,
                self.outputs,
                self.gram()?,
            )?)),
            (None, Some(_)) => Ok(Box::new(self.prior()?)),
            _ => Err(Error::param(
                "widths / limit-a",
                "(neither)",
                "exactly one of --widths, --limit-a",
            )),
        }
    }
}

/// `nnlimits law dln`.
#[derive(Debug, Clone, clap::Args)]
pub struct LawDlnArgs {
    /// The network.
    #[command(flatten)]
    pub model: DlnModelArgs,
    /// Points f at which to evaluate the density of one output at input 0 (comma-separated).
    #[arg(long, default_value = "0,0.5,1,2,3", allow_hyphen_values = true)]
    pub at: String,
    /// Thresholds t for the tail probabilities P(|f| > t) (comma-separated).
    #[arg(long, default_value = "1,3", allow_hyphen_values = true)]
    pub tail: String,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `nnlimits validate dln`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateDlnArgs {
    /// The sampled network (--widths required).
    #[command(flatten)]
    pub model: DlnModelArgs,
    /// Widths given to the theory, if different from the sampled ones (to test the validator's power).
    #[arg(long)]
    pub theory_widths: Option<String>,
    /// Number of sampled networks.
    #[arg(long, default_value_t = 4000)]
    pub samples: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Input dimension N_0 of the sampled networks (default max(P, N_1)).
    #[arg(long)]
    pub n0: Option<usize>,
    /// Write the validation plot (SVG) here.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Write the report (JSON) here.
    #[arg(long)]
    pub report: Option<PathBuf>,
}
