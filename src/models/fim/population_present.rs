//! `fim-population`, `ck-population` (`--limit population`) and `fim-unit-block` (`--limit unit-block`):
//! the population FIM at infinite width (degree groups, F23) and the single-unit block (F24) of
//! docs/models/fim.md "Population FIM" ([`super::population`], [`super::unit_block`]).
//!
//! These are tables, not densities: `spectrum` prints the group table (degree, multiplicity,
//! eigenvalue, trace, share, `b_k`) or the unit block (eigenvalues with multiplicities, `B`, `B⁻¹`);
//! `validate` is in [`super::population_check`]. Their registry entries implement
//! [`Entry`] directly.

use super::params::{PopulationCheck, PopulationParams, UnitBlockCheck, UnitBlockParams};
use super::population_check::{remaining_trace_figure, validate_population, validate_unit_block};
use crate::error::{Error, Result};
use crate::models::fim::population::GroupPrediction;
use crate::models::fim::{Activation, PopulationFim, UnitBlock};
use crate::output::{fmt, json_doc, to_csv, to_table, Outcome, OutputArgs, OutputFormat, RunArgs};
use crate::registry::{Context, Entry, Verb};
use clap::{ArgMatches, Args, FromArgMatches};

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

/// Declared ranges of the population and unit-block flags.
const RANGES: &[(&str, &str)] = &[
    ("activation", "linear, tanh, erf, relu, crelu, absc"),
    ("sigma-w2", "> 0, finite"),
    (
        "d",
        "integer in [2, 1e6] (population theory); [2, 20000] (population sampled); >= 1 (unit block)",
    ),
    (
        "width",
        "integer >= 1 (theory); [1, 20000] (sampled)",
    ),
    ("max-degree", "integer in [0, 40]"),
    ("bias", "finite"),
    ("n", "integer in [1, 1e6]"),
];

/// Run a validator that produces its own report and figure, with the shared run options.
fn run_validation(
    run: &RunArgs,
    ctx: &Context,
    f: impl FnOnce(&(dyn Fn() + Sync)) -> Result<(crate::validate::Report, crate::plot::Figure)>,
) -> Result<Outcome> {
    faer::set_global_parallelism(faer::Par::Seq);
    let pb = crate::output::progress(run.samples as u64, ctx.quiet, "draws");
    let out = f(&|| pb.inc(1));
    pb.finish_and_clear();
    let (report, figure) = out?;
    run.finish(&report, Some(&figure))
}

/// `fim-population` / `ck-population`: the readout population FIM (the same law for both).
pub struct Population {
    name: &'static str,
    base: &'static str,
}

impl Entry for Population {
    fn name(&self) -> &'static str {
        self.name
    }
    fn summary(&self) -> &'static str {
        "Population readout FIM at infinite width: spherical-harmonic degree groups (a table)."
    }
    fn docs(&self) -> &'static str {
        "docs/models/fim.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        RANGES
    }
    fn selected_by(&self) -> Option<(&'static str, &'static str, &'static str)> {
        Some((self.base, "limit", "population"))
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        let c = clap::Command::new(self.name);
        match verb {
            Verb::Spectrum => Some(OutputArgs::augment_args(PopulationParams::augment_args(c))),
            Verb::Validate => Some(RunArgs::augment_args(PopulationCheck::augment_args(c))),
            _ => None,
        }
    }
    fn run(&self, verb: Verb, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Spectrum => {
                let output: OutputArgs = parse(m)?;
                let a: PopulationParams = parse(m)?;
                output.check_paths()?;
                let act = Activation::parse(&a.activation)?;
                let p = PopulationFim::new(&act, a.d, a.sigma_w2, a.max_degree)?;
                let pred = a.width.map(|w| p.finite_width(w)).transpose()?;
                if let Some(path) = &output.plot {
                    remaining_trace_figure(
                        &act,
                        a.sigma_w2,
                        a.max_degree,
                        a.d,
                        pred.as_deref(),
                        None,
                        a.width.unwrap_or(10_000),
                    )?
                    .write(path)?;
                }
                output.emit(&population_text(
                    &p,
                    pred.as_deref(),
                    a.width,
                    output.format,
                )?)?;
                Ok(Outcome::Done)
            }
            Verb::Validate => {
                let run: RunArgs = parse(m)?;
                let a: PopulationCheck = parse(m)?;
                run.check()?;
                let act = Activation::parse(&a.activation)?;
                run_validation(&run, ctx, |tick| validate_population(&a, &run, act, tick))
            }
            _ => Err(Error::Domain(format!(
                "`{} {}` is not available",
                verb.name(),
                self.name
            ))),
        }
    }
}

/// `fim-unit-block`: the Amari–Karakida–Oizumi single-unit first-layer block.
pub struct UnitBlockEntry;

impl Entry for UnitBlockEntry {
    fn name(&self) -> &'static str {
        "fim-unit-block"
    }
    fn summary(&self) -> &'static str {
        "Single-unit first-layer FIM block G = E[φ'(u)² x̃x̃ᵀ], u = w·x + b: eigenvalues, B, B⁻¹ (a table)."
    }
    fn docs(&self) -> &'static str {
        "docs/models/fim.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        RANGES
    }
    fn selected_by(&self) -> Option<(&'static str, &'static str, &'static str)> {
        Some(("fim", "limit", "unit-block"))
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        let c = clap::Command::new("fim-unit-block");
        match verb {
            Verb::Spectrum => Some(UnitBlockParams::augment_args(c)),
            Verb::Validate => Some(RunArgs::augment_args(UnitBlockCheck::augment_args(c))),
            _ => None,
        }
    }
    fn run(&self, verb: Verb, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Spectrum => {
                let a: UnitBlockParams = parse(m)?;
                let output = OutputArgs {
                    format: a.format,
                    out: a.out.clone(),
                    plot: None,
                };
                output.check_paths()?;
                let act = Activation::parse(&a.activation)?;
                let u = UnitBlock::new(&act, a.d, a.sigma_w2.sqrt(), a.bias)?;
                output.emit(&unit_block_text(&u, output.format)?)?;
                Ok(Outcome::Done)
            }
            Verb::Validate => {
                let run: RunArgs = parse(m)?;
                let a: UnitBlockCheck = parse(m)?;
                run.check()?;
                let act = Activation::parse(&a.activation)?;
                run_validation(&run, ctx, |tick| validate_unit_block(&a, &run, act, tick))
            }
            _ => Err(Error::Domain(format!(
                "`{} fim-unit-block` is not available",
                verb.name()
            ))),
        }
    }
}

/// `fim-population` in the registry.
pub static FIM_POPULATION: Population = Population {
    name: "fim-population",
    base: "fim",
};
/// `ck-population` in the registry (the same law: the population FIM is the readout's).
pub static CK_POPULATION: Population = Population {
    name: "ck-population",
    base: "ck",
};
/// `fim-unit-block` in the registry.
pub static FIM_UNIT_BLOCK: UnitBlockEntry = UnitBlockEntry;

/// The group table of `spectrum fim|ck --limit population` (JSON, CSV or aligned table).
pub fn population_text(
    p: &PopulationFim,
    pred: Option<&[GroupPrediction]>,
    width: Option<usize>,
    format: OutputFormat,
) -> Result<String> {
    let predicted = |k: usize| pred.and_then(|v| v.iter().find(|x| x.degree == k));
    Ok(match format {
        OutputFormat::Json => {
            let first3: f64 = p.groups().iter().take(3).map(|g| g.share).sum();
            json_doc(serde_json::json!({
                "model": "fim-population",
                "params": p.params(),
                "eta": p.eta(),
                "groups": p.groups(),
                "share_first_three_degrees": first3,
                "residual_trace": p.residual_trace(),
                "finite_width": width.map(|w| serde_json::json!({"width": w, "groups": pred})),
                "normalization": "eigenvalues of the N × N readout population FIM times 1 (each group: \
                    eigenvalue λ_k with multiplicity N(d,k); trace T_k = N(d,k) λ_k; Σ_k T_k = η)",
            }))?
        }
        OutputFormat::Csv | OutputFormat::Table => {
            let mut header = vec![
                "degree",
                "multiplicity",
                "eigenvalue",
                "trace",
                "share",
                "b_k",
                "asymptotic_eigenvalue",
                "rounding_error",
            ];
            if width.is_some() {
                header.push("predicted_trace_at_width");
            }
            let opt = |x: Option<f64>| x.map_or(String::new(), fmt);
            let rows: Vec<Vec<String>> = p
                .groups()
                .iter()
                .map(|g| {
                    let mut r = vec![
                        g.degree.to_string(),
                        fmt(g.multiplicity),
                        fmt(g.eigenvalue),
                        fmt(g.trace),
                        fmt(g.share),
                        opt(g.asymptotic_trace),
                        opt(g.asymptotic_eigenvalue),
                        format!("{:.1e}", g.rounding_error),
                    ];
                    if width.is_some() {
                        r.push(opt(predicted(g.degree).map(|x| x.predicted)));
                    }
                    r
                })
                .collect();
            if format == OutputFormat::Csv {
                to_csv(&header, &rows)
            } else {
                format!(
                    "# fim-population {}  η = {}  residual trace = {}\n{}",
                    crate::validate::spectral::compact(&p.params()),
                    fmt(p.eta()),
                    fmt(p.residual_trace()),
                    to_table(&header, &rows)
                )
            }
        }
    })
}

/// The unit block of `spectrum fim --limit unit-block` (JSON, CSV or aligned table).
pub fn unit_block_text(u: &UnitBlock, format: OutputFormat) -> Result<String> {
    let inv = u.block_inverse();
    Ok(match format {
        OutputFormat::Json => {
            let ev: Vec<serde_json::Value> = u
                .eigenvalues()
                .iter()
                .map(|(v, m)| serde_json::json!({"value": v, "multiplicity": m}))
                .collect();
            let (lo, hi) = (
                u.eigenvalues()[0].0,
                u.eigenvalues().last().map_or(0.0, |e| e.0),
            );
            json_doc(serde_json::json!({
                "model": "fim-unit-block",
                "unit_block": u,
                "eigenvalues": ev,
                "condition_number": hi / lo,
                "block_inverse": inv.as_ref().ok(),
                "inverse_perp": 1.0 / u.a,
                "structure": "G = A P_perp + B on span{(e,0),(0,1)}, G^-1 = P_perp/A + B^-1 (F24)",
            }))?
        }
        OutputFormat::Csv | OutputFormat::Table => {
            let [lo, hi] = u.block_eigenvalues;
            let mut rows = vec![
                vec!["block_low".into(), fmt(lo), "1".into()],
                vec!["block_high".into(), fmt(hi), "1".into()],
            ];
            if u.n > 1 {
                rows.push(vec!["perp (A)".into(), fmt(u.a), (u.n - 1).to_string()]);
            }
            let header = ["component", "eigenvalue", "multiplicity"];
            if format == OutputFormat::Csv {
                to_csv(&header, &rows)
            } else {
                let b = u.block;
                format!(
                    "# fim-unit-block {} n={} |w|={} b={}  B = [[{}, {}], [{}, {}]]  B^-1 = {}\n{}",
                    u.activation,
                    u.n,
                    fmt(u.w_norm),
                    fmt(u.bias),
                    fmt(b[0][0]),
                    fmt(b[0][1]),
                    fmt(b[1][0]),
                    fmt(b[1][1]),
                    inv.map_or_else(|e| e.to_string(), |i| format!("{i:?}")),
                    to_table(&header, &rows)
                )
            }
        }
    })
}
