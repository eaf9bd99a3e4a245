//! `nnlimits calibrate <model> [model flags] --out FILE`: re-measure the calibration record of a
//! model's validator bias allowances ([`crate::validate::calibrate`]) from the model's own validation
//! plan — the true law against its sampler — at its sizes times each `--factors` value (the model's
//! size flags scaled together, [`super::SpectralSpec::SIZES`]), with seeds independent of every
//! catalogue run (1000, 1001, ... by default).

use super::{all, Context, Entry};
use crate::error::{check, Error, Result};
use crate::output::{parse_float_list, FloatList, Outcome};
use crate::validate::calibrate::{calibrate_runs, family, Calibration};
use crate::validate::spectral::SpectralValidation;
use crate::validate::trend::SizedRun;
use clap::{ArgMatches, Args, FromArgMatches};
use std::path::PathBuf;

/// The options of `nnlimits calibrate`, after the model's own `validate` flags.
#[derive(Debug, Clone, Args)]
pub struct CalibrateArgs {
    /// Write the calibration record (JSON) here, atomically (e.g. validation/calibration/mp.json). An
    /// existing file is only replaced if it is a calibration record.
    #[arg(long)]
    pub out: PathBuf,
    /// Independent draws per validation run.
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Number of seeds per size.
    #[arg(long, default_value_t = 8)]
    pub seeds: usize,
    /// First seed (the seeds are first-seed, first-seed + 1, ...; the catalogue's claims use seeds
    /// below 1000).
    #[arg(long, default_value_t = 1000)]
    pub first_seed: u64,
    /// Size factors: the model's size flags times each factor.
    #[arg(long, value_name = "F1,F2,...", value_parser = parse_float_list, default_value = "0.125,0.25,0.5,1")]
    pub factors: FloatList,
    /// Family key of the record [default: the family of the model's law at these parameters].
    #[arg(long)]
    pub family: Option<String>,
}

/// Ranges of the calibration options (for errors and help).
fn checked(a: &CalibrateArgs) -> Result<Vec<f64>> {
    check::count("samples", a.samples, 2, 100_000)?;
    check::count("seeds", a.seeds, 1, 10_000)?;
    let mut f = a.factors.0.clone();
    if let Some(bad) = f
        .iter()
        .find(|x| !(x.is_finite() && **x > 0.0 && **x <= 16.0))
    {
        return Err(Error::param("factors", bad, "factors in (0, 16]"));
    }
    f.sort_by(f64::total_cmp);
    f.dedup();
    if f.len() < 2 {
        return Err(Error::param(
            "factors",
            format!("{:?}", a.factors.0),
            "at least two distinct factors",
        ));
    }
    Ok(f)
}

/// Measure the calibration record of `entry` for its parsed `calibrate` arguments `m` (model flags and
/// [`CalibrateArgs`]); `progress(done, total, seed, n)` after each validation run.
pub fn measure(
    entry: &dyn Entry,
    m: &ArgMatches,
    progress: &(dyn Fn(usize, usize, u64, usize) + Sync),
) -> Result<Calibration> {
    let a = CalibrateArgs::from_arg_matches(m)
        .map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))?;
    let factors = checked(&a)?;
    let runs = factors
        .iter()
        .map(|&f| {
            let p = entry.plan_at(m, f)?;
            Ok(SizedRun {
                theory: p.theory,
                sampler: p.sampler,
                options: SpectralValidation {
                    samples: a.samples,
                    ..p.options
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let key = match &a.family {
        Some(k) => k.clone(),
        None => family(runs[0].theory.as_ref()),
    };
    let seeds: Vec<u64> = (0..a.seeds as u64)
        .map(|i| a.first_seed.saturating_add(i))
        .collect();
    let total = runs.len() * seeds.len();
    calibrate_runs(&key, &runs, &seeds, &|done, seed, n| {
        progress(done, total, seed, n)
    })
}

/// The calibration record of `model` for the words `args` (its `validate` flags and the calibration
/// options, e.g. `["--ratio", "0.5", "--size", "800", "--out", "x.json"]`), without writing it;
/// progress on stderr unless `quiet`. The library form of `nnlimits calibrate` (used by
/// examples/calibrate.rs to re-measure every shipped record).
pub fn calibrate_model(model: &str, args: &[&str], quiet: bool) -> Result<Calibration> {
    let entry = super::find(model)?;
    let cmd = entry
        .calibrate_command()
        .ok_or_else(|| not_scalable(model))?;
    let words = std::iter::once(model).chain(args.iter().copied());
    let m = cmd
        .try_get_matches_from(words)
        .map_err(|e| Error::InvalidData(first_line(&e.to_string())))?;
    measure(entry, &m, &|done, total, seed, n| {
        if !quiet {
            eprintln!("calibrate {model}: {done}/{total} (n = {n}, seed {seed})");
        }
    })
}

fn first_line(msg: &str) -> String {
    msg.lines()
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string()
}

fn not_scalable(model: &str) -> Error {
    Error::param(
        "model",
        model,
        "a spectral model with a validator that declares its size flags",
    )
}

/// Run `nnlimits calibrate <entry>`: measure, record the command, write the record atomically to
/// `--out` (refusing to replace a file that is not a calibration record, e.g. an input), print the
/// fitted bias per statistic; progress on stderr unless quiet.
pub fn run(entry: &dyn Entry, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
    let a = CalibrateArgs::from_arg_matches(m)
        .map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))?;
    checked(&a)?;
    let out = &a.out;
    if crate::io::is_stdout(out) {
        return Err(Error::param("out", "-", "a file path"));
    }
    if out.exists() {
        let text = crate::io::read_to_string_capped(out, crate::io::MAX_INPUT_BYTES, "record")?;
        if serde_json::from_str::<Calibration>(&text).is_err() {
            return Err(Error::param(
                "out",
                out.display(),
                "a new file or an existing calibration record (refusing to overwrite another file)",
            ));
        }
    }
    crate::io::check_writable(out)?;
    let name = entry.name();
    let quiet = ctx.quiet;
    let mut record = measure(entry, m, &|done, total, seed, n| {
        if !quiet {
            eprintln!("calibrate {name}: {done}/{total} (n = {n}, seed {seed})");
        }
    })?;
    record.command = Some(crate::io::Provenance::current().command);
    let text = serde_json::to_string_pretty(&record).map_err(|e| Error::Domain(e.to_string()))?;
    crate::io::write_atomic(out, format!("{text}\n").as_bytes())?;
    let mut s = format!(
        "calibration record `{}`: sizes {:?}, seeds {:?}, {} draws -> {}\n",
        record.family,
        record.sizes,
        record.seeds,
        record.draws,
        out.display()
    );
    for (k, p) in &record.bias {
        s.push_str(&format!("  {k:<13} b = {:.4e}, r = {:.3}\n", p.b, p.r));
    }
    crate::output::emit(None, &s)?;
    Ok(Outcome::Done)
}

/// The subcommands of `nnlimits calibrate`: one per model that declares its sizes.
pub fn subcommands() -> Vec<clap::Command> {
    all()
        .iter()
        .filter_map(|e| {
            e.calibrate_command().map(|c| {
                c.name(e.name())
                    .about(e.summary())
                    .after_help(format!("Documentation: {}", e.docs()))
            })
        })
        .collect()
}

/// Run `nnlimits calibrate <model>` on its parsed arguments.
pub fn run_model(model: &str, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
    let entry = super::find(model)?;
    if entry.calibrate_command().is_none() {
        return Err(not_scalable(model));
    }
    run(entry, m, ctx)
}
