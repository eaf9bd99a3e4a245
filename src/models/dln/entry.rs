//! The registry entry `dln`: the deep-linear-network prior law (`law dln`), its Monte Carlo validator
//! against sampled networks (`validate dln`), and the saddle point of the Bayesian deep linear network
//! (`saddle dln`, served by [`crate::models::bayes::entry`]). The Bayesian validator is a model of its
//! own (`validate dln-bayes`).

use super::mixing::{Mixing, OutputLaw};
use super::params::{LawDlnArgs, ValidateDlnArgs};
use super::parse_widths;
use super::validate::{validate, Options};
use super::DlnLaw;
use crate::error::{Error, Result};
use crate::output::{fmt, parse_list, to_csv, to_table, Outcome, OutputFormat};
use crate::plot::{Curve, Figure};
use crate::registry::{Context, Entry, Verb};
use clap::{ArgMatches, Args, FromArgMatches};

/// The registry entry of the deep linear network (`law`, `saddle`, `validate`).
pub struct DlnEntry;

/// `dln` in the registry.
pub static ENTRY: DlnEntry = DlnEntry;

/// Ranges of the flags of `law dln`, `validate dln` and `saddle dln`.
const RANGES: &[(&str, &str)] = &[
    (
        "widths",
        "comma list of N or NxR (N in [1, 1e8], R >= 1), at most 1e6 layers",
    ),
    ("theory-widths", "as --widths"),
    ("limit-a", "[0, 50]"),
    ("outputs", "integer in [1, 64]"),
    (
        "sigma2",
        "comma list of positive numbers (one, or one per layer), product in [1e-300, 1e300]",
    ),
    ("lambda", "[1e-300, 1e300]"),
    (
        "gram",
        "symmetric positive-definite matrix, rows separated by `;`",
    ),
    ("rho", "(-1, 1)"),
    (
        "inputs",
        "CSV file path (one input per line, equal lengths)",
    ),
    ("random-inputs", "integer in [1, 10000]"),
    ("input-dim", "integer in [P, 1e6]"),
    ("input-seed", "integer in [0, 2^64)"),
    ("sigma0-sq", "> 0"),
    ("tail", "comma-separated numbers >= 0"),
    ("samples", "integer in [100, 1e8]"),
    ("n0", "integer in [P, 1e6]"),
    ("data", crate::models::bayes::params::DATA_RANGE),
    ("width", "integer in [1, 1e9] (1e5 with --exact and D > 1)"),
    ("depth", "integer in [1, 1e5] (1000 for D > 1)"),
    (
        "temperature",
        "[0, 1e100] (0: Li–Sompolinsky closed form; > 0 for D > 1)",
    ),
    ("sigma0", "[1e-100, 1e100]"),
    ("sigma", "> 0, with sigma^depth in [1e-100, 1e100]"),
    ("exact-draws", "integer in [100, 1e9]"),
    ("exact-seed", "integer in [0, 2^64)"),
];

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

impl Entry for DlnEntry {
    fn name(&self) -> &'static str {
        "dln"
    }
    fn summary(&self) -> &'static str {
        "Deep linear network: prior output law at finite width or depth~width limit (law, validate); Bayesian saddle point (saddle)"
    }
    fn docs(&self) -> &'static str {
        "docs/models/dln-prior.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        RANGES
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        let c = clap::Command::new("dln");
        match verb {
            Verb::Law => Some(LawDlnArgs::augment_args(c)),
            Verb::Validate => Some(ValidateDlnArgs::augment_args(c)),
            Verb::Saddle => Some(crate::models::bayes::entry::saddle_dln_command(c)),
            Verb::Spectrum => None,
        }
    }
    fn run(&self, verb: Verb, m: &ArgMatches, _ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Law => run_law(&parse(m)?),
            Verb::Validate => run_validate(&parse(m)?),
            Verb::Saddle => crate::models::bayes::entry::run_saddle_dln(m),
            Verb::Spectrum => Err(Error::Domain("`spectrum dln` is not available".into())),
        }
    }
}

/// Run `law dln`.
pub fn run_law(args: &LawDlnArgs) -> Result<Outcome> {
    args.output.check_paths_against(&args.model.input_files())?;
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

/// Run `validate dln`: print the summary, write report and plot, exit code from the verdict.
pub fn run_validate(args: &ValidateDlnArgs) -> Result<Outcome> {
    crate::io::check_outputs(
        &[
            ("--plot", args.plot.as_deref()),
            ("--report", args.report.as_deref()),
        ],
        &args.model.input_files(),
    )?;
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
