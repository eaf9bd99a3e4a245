//! `nnlimits law <model>`: closed-form laws. `law dln` evaluates the deep-linear-network prior at finite
//! width (`--widths`) or in the depth~width limit (`--limit-a`). Also the `validate dln` arguments
//! ([`ValidateDlnArgs`], [`run_validate_dln`]), wired into the `validate` command by the CLI root.

use crate::error::{Error, Result};
use crate::models::dln::mixing::{Mixing, OutputLaw};
use crate::models::dln::{parse_widths, DlnLaw, DlnLimit, DlnPrior, Gram};
use crate::output::{fmt, parse_list, to_csv, to_table, Outcome, OutputArgs, OutputFormat};
use crate::plot::{Curve, Figure};
use crate::models::dln::validate::{validate, Options};
use nalgebra::DMatrix;
use std::path::PathBuf;

/// `law` subcommands.
#[derive(Debug, clap::Args)]
pub struct LawArgs {
    /// Which law.
    #[command(subcommand)]
    pub law: LawCommand,
}

/// Laws.
#[derive(Debug, clap::Subcommand)]
pub enum LawCommand {
    /// Output law of a random deep linear network (finite width or depth~width limit).
    Dln(LawDlnArgs),
}

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
    /// Weight variances of the hidden layers σ_1²..σ_L²: one value, or one per layer (comma-separated).
    /// With --limit-a, one value per unit of depth is meaningless: give Λ = Π σ_l² with --lambda.
    #[arg(long)]
    pub sigma2: Option<String>,
    /// Λ = Π σ_l² for the limit law.
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

    fn sigma2(&self) -> Result<Vec<f64>> {
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

/// Run `law dln`.
pub fn run_law_dln(args: &LawDlnArgs) -> Result<Outcome> {
    args.output.check_paths()?;
    let at = parse_list(&args.at)
        .map_err(|e| Error::param("at", &args.at, &format!("comma-separated numbers ({e})")))?;
    let tails = parse_list(&args.tail).map_err(|e| {
        Error::param(
            "tail",
            &args.tail,
            &format!("comma-separated numbers ({e})"),
        )
    })?;
    let law = args.model.law()?;
    let summary = law.summary(&at, &tails)?;
    let text = match args.output.format {
        OutputFormat::Json => crate::output::json_doc(summary.clone())?,
        fmt_ @ (OutputFormat::Csv | OutputFormat::Table) => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            if let Some(obj) = summary.as_object() {
                for (k, v) in obj {
                    if let Some(x) = v.as_f64() {
                        rows.push(vec![k.clone(), fmt(x)]);
                    }
                }
            }
            for d in summary["density"].as_array().into_iter().flatten() {
                rows.push(vec![
                    format!("density(f={})", d["f"]),
                    fmt(d["p"].as_f64().unwrap_or(f64::NAN)),
                ]);
            }
            for d in summary["tail"].as_array().into_iter().flatten() {
                rows.push(vec![
                    format!("tail(t={})", d["t"]),
                    fmt(d["p"].as_f64().unwrap_or(f64::NAN)),
                ]);
            }
            if fmt_ == OutputFormat::Csv {
                to_csv(&["quantity", "value"], &rows)
            } else {
                to_table(&["quantity", "value"], &rows)
            }
        }
    };
    if let Some(p) = &args.output.plot {
        density_figure(law.as_ref())?.write(p)?;
    }
    args.output.emit(&text)?;
    Ok(Outcome::Done)
}

/// Density of one output (input 0) with the limit law of the same `a` and the Gaussian.
fn density_figure(law: &dyn DlnLaw) -> Result<Figure> {
    let ol = law.output_law(0)?;
    let c = ol.c();
    let a = law.mixing().a();
    let xs: Vec<f64> = (0..=400)
        .map(|k| -4.0 * c.sqrt() + 8.0 * c.sqrt() * k as f64 / 400.0)
        .collect();
    let mut curves = vec![Curve {
        label: format!(
            "{} (a = {a:.3})",
            law.params()["model"].as_str().unwrap_or("dln")
        ),
        xs: xs.clone(),
        ys: ol.pdf_many(&xs)?,
    }];
    if matches!(law.mixing(), Mixing::Product { .. }) {
        curves.push(Curve {
            label: format!("limit a = {a:.3}"),
            xs: xs.clone(),
            ys: OutputLaw::new(Mixing::log_normal(a)?, c)?.pdf_many(&xs)?,
        });
    }
    curves.push(Curve {
        label: "Gaussian (a = 0)".into(),
        xs: xs.clone(),
        ys: OutputLaw::new(Mixing::log_normal(0.0)?, c)?.pdf_many(&xs)?,
    });
    Ok(Figure {
        title: "deep linear network: density of one output".into(),
        x_label: "f".into(),
        y_label: "density".into(),
        histogram: None,
        curves,
        atoms: vec![],
    })
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

/// Run `validate dln`: print the summary, write report and plot, exit code from the verdict.
pub fn run_validate_dln(args: &ValidateDlnArgs) -> Result<Outcome> {
    for p in [&args.plot, &args.report].into_iter().flatten() {
        crate::io::check_writable(p)?;
    }
    if args.model.limit_a.is_some() {
        return Err(Error::param(
            "limit-a",
            "given",
            "absent: validate samples finite networks (--widths)",
        ));
    }
    let sampled = args.model.prior()?;
    let theory = match &args.theory_widths {
        Some(w) => sampled.with_widths(parse_widths(w)?)?,
        None => sampled.clone(),
    };
    let opts = Options {
        samples: args.samples,
        seed: args.seed,
        n0: args.n0,
        ..Options::default()
    };
    let (report, fig) = validate(&theory, &sampled, &opts)?;
    crate::output::finish_validation(
        &report,
        Some(&fig),
        args.report.as_deref(),
        args.plot.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{dispatch, Cli};
    use clap::Parser;

    fn law_json(args: &[&str]) -> serde_json::Value {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.json");
        let mut v = vec![
            "nnlimits",
            "law",
            "dln",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ];
        v.extend_from_slice(args);
        let cli = Cli::try_parse_from(v).unwrap();
        assert_eq!(dispatch(&cli).unwrap(), Outcome::Done);
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
    }

    #[test]
    fn law_dln_json() {
        let v = law_json(&[
            "--widths",
            "50x25",
            "--outputs",
            "2",
            "--at",
            "0,1",
            "--tail",
            "1,3",
        ]);
        assert!((v["kurtosis"].as_f64().unwrap() - 7.99751).abs() < 5e-6);
        assert!((v["e_abs"].as_f64().unwrap() - 0.704137).abs() < 5e-7);
        assert!((v["mean_log_q"].as_f64().unwrap() + 0.503333).abs() < 5e-7);
        assert!((v["var_log_q"].as_f64().unwrap() - 1.020267).abs() < 5e-7);
        assert!((v["tail"][0]["p"].as_f64().unwrap() - 0.231542).abs() < 5e-7);
        assert!((v["density"][0]["p"].as_f64().unwrap() - 0.583411).abs() < 5e-7);
        assert!(v["corr_sq"].as_f64().is_some());
        let v = law_json(&["--limit-a", "0.5", "--outputs", "2"]);
        assert!((v["corr_sq"].as_f64().unwrap() - 0.240156).abs() < 5e-7);
        let v = law_json(&["--widths", "100,5,100", "--at", "1"]);
        assert!((v["density"][0]["p"].as_f64().unwrap() - 0.20818045).abs() < 5e-9);
        assert!(v.get("corr_sq").is_none());
        let v = law_json(&["--limit-a", "1", "--rho", "0.5", "--outputs", "2"]);
        assert!((v["cross_f1f2"].as_f64().unwrap() - 3.602558).abs() < 5e-7);
    }

    #[test]
    fn bad_input_is_an_error() {
        for args in [
            vec!["nnlimits", "law", "dln", "--widths", "0x3"],
            vec!["nnlimits", "law", "dln"],
            vec!["nnlimits", "law", "dln", "--limit-a", "-1"],
            vec![
                "nnlimits", "law", "dln", "--widths", "5x3", "--gram", "1,2;2,1",
            ],
            vec!["nnlimits", "law", "dln", "--widths", "5x3", "--tail", "-1"],
        ] {
            let cli = Cli::try_parse_from(args.clone()).unwrap();
            assert!(dispatch(&cli).is_err(), "{args:?}");
        }
    }

    #[test]
    fn validate_args_run() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("r.json");
        let plot = dir.path().join("p.svg");
        let args = ValidateDlnArgs {
            model: DlnModelArgs {
                widths: Some("20x10".into()),
                limit_a: None,
                outputs: 2,
                sigma2: None,
                lambda: 1.0,
                gram: None,
                rho: None,
                inputs: None,
                random_inputs: None,
                input_dim: 100,
                input_seed: 0,
                sigma0_sq: 1.0,
            },
            theory_widths: None,
            samples: 1000,
            seed: 2,
            n0: None,
            plot: Some(plot.clone()),
            report: Some(report.clone()),
        };
        assert_eq!(run_validate_dln(&args).unwrap(), Outcome::Passed);
        assert!(std::fs::read_to_string(plot).unwrap().contains("<svg"));
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
        assert_eq!(r["verdict"], "pass");
    }
}
