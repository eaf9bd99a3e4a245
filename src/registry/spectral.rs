//! The generic registry entry of a spectral model: `spectrum <model>` writes its law (grid, points,
//! JSON with support, atoms, moments and solver diagnostics, plot) and `validate <model>` runs the
//! generic Monte Carlo validator on the model's sampler. A model only says how its parameters build its
//! theory ([`SpectralSpec::theory`]) and, if it can be validated, its validation plan
//! ([`SpectralSpec::plan`]).

use super::{Context, Entry, Verb};
use crate::error::{Error, Result};
use crate::model::{Sampler, SpectralModel, Support};
use crate::numerics::stieltjes::SolveStats;
use crate::output::{
    parse_float_list, write_spectrum, FloatList, GridArgs, Outcome, OutputArgs, RunArgs,
};
use crate::validate::spectral::{validate_spectrum_with_progress, SpectralValidation};
use clap::{ArgMatches, Args, FromArgMatches};
use num_complex::Complex64 as C64;
use std::marker::PhantomData;

/// A spectral law ready to be written: the model, the quantity on its axis (e.g. "eigenvalues of
/// Θ = J Jᵀ (n x n)"), and extra JSON merged into its parameters (constants, traces, ...).
pub struct Theory {
    /// The law.
    pub model: Box<dyn SpectralModel>,
    /// What the eigenvalues are eigenvalues of (axis label, `normalization` in the JSON).
    pub axis: String,
    /// Extra fields merged into `params` (an object, or `null`).
    pub extra: serde_json::Value,
}

impl Theory {
    /// A law with a plain axis label and no extra fields.
    pub fn plain(model: Box<dyn SpectralModel>) -> Self {
        Theory {
            model,
            axis: "eigenvalues".into(),
            extra: serde_json::Value::Null,
        }
    }
}

/// A validation plan: the theory to test, the sampler of the finite system, the validator's options
/// (samples and seed are filled from the run options) and notes for the report.
pub struct Plan {
    /// The claimed law.
    pub theory: Box<dyn SpectralModel>,
    /// The finite random system.
    pub sampler: Box<dyn Sampler<Output = Vec<f64>>>,
    /// Validator options (finite-size bias, removed outliers, ...).
    pub options: SpectralValidation,
    /// Notes appended to the report.
    pub notes: Vec<String>,
}

/// A spectral model as the registry sees it. Implemented by a unit struct next to the model.
pub trait SpectralSpec: Send + Sync + 'static {
    /// Command-line name.
    const NAME: &'static str;
    /// One-line summary.
    const SUMMARY: &'static str;
    /// Documentation page.
    const DOCS: &'static str;
    /// Allowed ranges by long flag name.
    const RANGES: &'static [(&'static str, &'static str)] = &[];
    /// `(base model, flag, value)` when this model is a variant selected by a flag of another.
    const SELECTED_BY: Option<(&'static str, &'static str, &'static str)> = None;
    /// `(base model, flags)` when this model is a variant selected by the presence of any of these flags
    /// on another model (the flags stay: they are this model's own).
    const SELECTED_BY_FLAGS: Option<(&'static str, &'static [&'static str])> = None;
    /// Whether `validate <name>` exists.
    const VALIDATES: bool = true;
    /// The calibration records of this model's validations: JSON texts of
    /// [`crate::validate::calibrate::Calibration`] (measured bias `b n^-r` per statistic with sizes,
    /// seeds, draws, date and version), kept as `validation/calibration/<family>.json` and compiled in
    /// with `include_str!`; re-measured by `nnlimits calibrate <name> [flags] --out FILE`.
    const CALIBRATION: &'static [&'static str] = &[];
    /// The long names of the `validate` flags that are sizes (`n`, `d`, `width`, `widths`, ...). They
    /// scale together — all multiplied by the same factor, so their ratios (the law's parameters) are
    /// kept — for `validate … --trend` and `nnlimits calibrate` ([`super::scale`]). Empty: the model
    /// cannot be scaled, and both refuse it.
    const SIZES: &'static [&'static str] = &[];
    /// The parameters of `spectrum <name>`.
    type Params: Args + FromArgMatches;
    /// The parameters of `validate <name>` (without the shared run options); [`NoValidation`] when
    /// `VALIDATES` is false.
    type Check: Args + FromArgMatches;
    /// The law for given parameters.
    fn theory(p: &Self::Params) -> Result<Theory>;
    /// Files the command reads besides `--eigenvalues` (what names them, path): no output may
    /// overwrite them.
    fn input_files(_m: &ArgMatches) -> Vec<(String, std::path::PathBuf)> {
        vec![]
    }
    /// The validation plan for given parameters.
    fn plan(_p: &Self::Check) -> Result<Plan> {
        Err(Error::Domain(format!(
            "`validate {}` is not available",
            Self::NAME
        )))
    }
}

/// `--eigenvalues FILE`, added to every spectral model's `validate`.
#[derive(Debug, Clone, Args)]
pub struct EigenvaluesArg {
    /// Compare the theory with these eigenvalues (your own simulation or experiment) instead of the
    /// built-in sampler: CSV or one number a line; draws separated by blank lines, or a `draw` column
    /// (`draw,eigenvalue`). The sizes flags still describe the claimed system.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["samples", "seed"])]
    pub eigenvalues: Option<std::path::PathBuf>,
}

/// `--trend`, added to every spectral model's `validate`.
#[derive(Debug, Clone, Args)]
pub struct TrendArgs {
    /// Test the claim as a statement about the limit: validate at the given sizes and at 1/2 and 1/4
    /// of them (the model's size flags scaled together) and extrapolate each check's deviation to
    /// n = ∞ (docs/validation/trend.md).
    #[arg(long)]
    pub trend: bool,
    /// Size factors of --trend, e.g. `1,0.5` [default: 1,0.5,0.25].
    #[arg(long, value_name = "F1,F2,...", value_parser = parse_float_list, requires = "trend")]
    pub trend_factors: Option<FloatList>,
}

impl TrendArgs {
    /// The factors of a trend run of model `name` (with size flags `sizes`), or an error saying why
    /// the run cannot scale.
    pub fn factors(&self, name: &str, sizes: &[&str], eigenvalues: bool) -> Result<Vec<f64>> {
        if eigenvalues {
            return Err(Error::param(
                "trend",
                "with --eigenvalues",
                "a run of the built-in sampler: a file of eigenvalues holds draws at one size, which \
                 cannot be rescaled",
            ));
        }
        if sizes.is_empty() {
            return Err(Error::param(
                "trend",
                name,
                "a model that declares its size flags (`validate {name}` has none to scale)",
            ));
        }
        super::scale::trend_factors(
            self.trend_factors
                .as_ref()
                .map_or(&[1.0, 0.5, 0.25][..], |f| &f.0),
        )
    }
}

/// Parameters of a model without a validator.
#[derive(Debug, Clone, Args)]
pub struct NoValidation {}

/// The registry entry of a [`SpectralSpec`].
pub struct Spectral<S>(PhantomData<fn() -> S>);

impl<S> Spectral<S> {
    /// The entry (a `static` next to the model).
    pub const fn new() -> Self {
        Spectral(PhantomData)
    }
}

impl<S> Default for Spectral<S> {
    fn default() -> Self {
        Self::new()
    }
}

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

impl<S: SpectralSpec> Entry for Spectral<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }
    fn summary(&self) -> &'static str {
        S::SUMMARY
    }
    fn docs(&self) -> &'static str {
        S::DOCS
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        S::RANGES
    }
    fn selected_by(&self) -> Option<(&'static str, &'static str, &'static str)> {
        S::SELECTED_BY
    }
    fn selected_by_flags(&self) -> Option<(&'static str, &'static [&'static str])> {
        S::SELECTED_BY_FLAGS
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        let c = clap::Command::new(S::NAME);
        match verb {
            Verb::Spectrum => Some(OutputArgs::augment_args(GridArgs::augment_args(
                S::Params::augment_args(c),
            ))),
            Verb::Validate if S::VALIDATES => Some(TrendArgs::augment_args(
                EigenvaluesArg::augment_args(RunArgs::augment_args(S::Check::augment_args(c))),
            )),
            _ => None,
        }
    }
    fn run(&self, verb: Verb, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Spectrum => {
                let output: OutputArgs = parse(m)?;
                let grid: GridArgs = parse(m)?;
                let inputs = S::input_files(m);
                let inputs: Vec<(&str, &std::path::Path)> = inputs
                    .iter()
                    .map(|(w, p)| (w.as_str(), p.as_path()))
                    .collect();
                output.check_paths_against(&inputs)?;
                let t = S::theory(&parse(m)?)?;
                if t.extra.is_null() {
                    write_spectrum(t.model.as_ref(), &grid, &output, &t.axis, ctx.quiet)?;
                } else {
                    write_spectrum(
                        &Annotated::of(t.model, t.extra),
                        &grid,
                        &output,
                        &t.axis,
                        ctx.quiet,
                    )?;
                }
                Ok(Outcome::Done)
            }
            Verb::Validate if S::VALIDATES => {
                let run: RunArgs = parse(m)?;
                let own: EigenvaluesArg = parse(m)?;
                run.check()?;
                let mut inputs = S::input_files(m);
                if let Some(file) = &own.eigenvalues {
                    inputs.push(("--eigenvalues".into(), file.clone()));
                }
                for (flag, p) in [("--plot", &run.plot), ("--report", &run.report)] {
                    if let Some(p) = p {
                        for (what, file) in &inputs {
                            crate::io::check_distinct(&[(flag, p)], &[(what, file)])?;
                        }
                    }
                }
                let trend: TrendArgs = parse(m)?;
                if trend.trend {
                    let factors = trend.factors(S::NAME, S::SIZES, own.eigenvalues.is_some())?;
                    let plans = factors
                        .iter()
                        .map(|&f| plan_at::<S>(m, f))
                        .collect::<Result<Vec<_>>>()?;
                    return validate_trend(plans, &run, ctx);
                }
                let plan = S::plan(&parse(m)?)?;
                validate(plan, &run, own.eigenvalues.as_deref(), ctx)
            }
            _ => Err(Error::Domain(format!(
                "`{} {}` is not available",
                verb.name(),
                S::NAME
            ))),
        }
    }
    fn calibration(&self) -> &'static [&'static str] {
        S::CALIBRATION
    }
    fn sizes(&self) -> &'static [&'static str] {
        S::SIZES
    }
    fn calibrate_command(&self) -> Option<clap::Command> {
        (S::VALIDATES && !S::SIZES.is_empty()).then(|| {
            super::calibrate::CalibrateArgs::augment_args(S::Check::augment_args(
                clap::Command::new(S::NAME),
            ))
        })
    }
    fn plan_at(&self, m: &ArgMatches, factor: f64) -> Result<Plan> {
        plan_at::<S>(m, factor)
    }
    fn spectral_law(&self, m: &ArgMatches) -> Option<Result<Theory>> {
        Some(parse(m).and_then(|p| S::theory(&p)))
    }
}

/// The validation plan of `S` for the arguments `m` with every size flag ([`SpectralSpec::SIZES`])
/// multiplied by `factor` ([`super::scale`]); factor 1 is the plan of `m` itself.
pub fn plan_at<S: SpectralSpec>(m: &ArgMatches, factor: f64) -> Result<Plan> {
    if factor == 1.0 {
        return S::plan(&parse(m)?);
    }
    if S::SIZES.is_empty() {
        return Err(Error::param(
            "sizes",
            S::NAME,
            "a model that declares its size flags",
        ));
    }
    let cmd = S::Check::augment_args(clap::Command::new(S::NAME));
    let words = super::scale::scaled_words(&cmd, m, S::SIZES, factor)?;
    S::plan(&parse(&super::scale::reparse(cmd, words)?)?)
}

/// Run a trend validation of `plans` (the first at the requested sizes, then the smaller ones) with
/// the shared run options: draws with a progress bar, the trend's report (checks = extrapolations,
/// [`crate::validate::trend`]), the first size's histogram with the trend verdict in its title,
/// summary, exit code.
pub fn validate_trend(plans: Vec<Plan>, run: &RunArgs, ctx: &Context) -> Result<Outcome> {
    use crate::validate::trend::{trend_runs, SizedRun};
    let mut notes = Vec::new();
    let runs: Vec<SizedRun> = plans
        .into_iter()
        .enumerate()
        .map(|(k, p)| {
            if k == 0 {
                notes = p.notes;
            }
            SizedRun {
                theory: p.theory,
                sampler: p.sampler,
                options: SpectralValidation {
                    samples: run.samples,
                    seed: run.seed,
                    ..p.options
                },
            }
        })
        .collect();
    let pb = crate::output::progress((runs.len() * run.samples) as u64, ctx.quiet, "draws");
    let (trend, outcomes) = trend_runs(&runs, &|| pb.inc(1))?;
    pb.finish_and_clear();
    crate::output::record_pooled(&outcomes[0].pooled);
    let mut report = trend.report();
    report.notes.extend(notes);
    let mut figure = outcomes[0].figure.clone();
    figure.title = format!(
        "{} {} — trend over n = {:?}{}",
        report.model,
        crate::validate::spectral::compact(&report.theory),
        trend.sizes,
        report.decided_by_caption()
    );
    run.finish(&report, Some(&figure))
}

/// Run a validation plan with the shared run options: draws with a progress bar, report, plot,
/// summary, exit code.
/// With `eigenvalues`, the draws of that file (the user's own simulation or experiment) replace the
/// built-in sampler; everything else (checks, report, plot, verdict) is the same.
pub fn validate(
    plan: Plan,
    run: &RunArgs,
    eigenvalues: Option<&std::path::Path>,
    ctx: &Context,
) -> Result<Outcome> {
    let opts = SpectralValidation {
        samples: run.samples,
        seed: run.seed,
        ..plan.options
    };
    let out = match eigenvalues {
        Some(file) => {
            let draws = crate::validate::eigfile::read_draws(file)?;
            let opts = SpectralValidation {
                samples: draws.len(),
                ..opts
            };
            let sampled = serde_json::json!({
                "eigenvalues_file": file.display().to_string(),
                "draws": draws.len(),
                "claimed_system": plan.sampler.describe(),
            });
            crate::validate::spectral::validate_draws(plan.theory.as_ref(), sampled, draws, &opts)?
        }
        None => {
            let pb = crate::output::progress(opts.samples as u64, ctx.quiet, "draws");
            let out = validate_spectrum_with_progress(
                plan.theory.as_ref(),
                plan.sampler.as_ref(),
                &opts,
                &|| pb.inc(1),
            )?;
            pb.finish_and_clear();
            out
        }
    };
    crate::output::record_pooled(&out.pooled);
    let mut report = out.report;
    report.notes.extend(plan.notes);
    run.finish(&report, Some(&out.figure))
}

/// A model with extra JSON (constants, traces, ...) merged into its parameters.
pub struct Annotated {
    inner: Box<dyn SpectralModel>,
    extra: serde_json::Value,
}

impl Annotated {
    /// Wrap `inner`; `extra` (an object or `null`) is merged into its parameters.
    pub fn of(inner: Box<dyn SpectralModel>, extra: serde_json::Value) -> Self {
        Annotated { inner, extra }
    }
}

impl SpectralModel for Annotated {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn params(&self) -> serde_json::Value {
        let mut p = self.inner.params();
        if let (Some(o), Some(e)) = (p.as_object_mut(), self.extra.as_object()) {
            for (k, v) in e {
                o.insert(k.clone(), v.clone());
            }
        }
        p
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        self.inner.stieltjes(z)
    }
    fn density(&self, x: f64) -> Result<f64> {
        self.inner.density(x)
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        self.inner.density_many(xs)
    }
    // every method with a default body is forwarded too: the defaults would silently replace the
    // model's own (a refined tabulation, the solver's diagnostics)
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        self.inner.density_diagnosed(xs)
    }
    fn tabulate(&self, nodes: usize) -> Result<crate::spectral::SpectralDensity> {
        self.inner.tabulate(nodes)
    }
    fn lss_variance(&self, n: usize) -> Option<[f64; 2]> {
        self.inner.lss_variance(n)
    }
    fn support(&self) -> Result<Support> {
        self.inner.support()
    }
    fn moments(&self) -> Vec<f64> {
        self.inner.moments()
    }
}
