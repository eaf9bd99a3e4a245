//! The claim as a statement about the limit: run the validation at two or three sizes and extrapolate.
//!
//! A true limit law's deviation shrinks like `n^{-r}`; a wrong one levels off. For every check present
//! at all sizes, with `y_i` its deviation at size `n_i` (the distance for `ks`/`l1_histogram`, the signed
//! `observed − theory` for moments) and `σ_i` its noise (the measured noise scale or standard error),
//! the model `y(n) = δ + a n^{-r}` is fitted by weighted least squares (weights `1/σ_i²`) with the rate
//! `r` of the family's calibration record (else the declared rate). `δ` is the extrapolated deviation at
//! `n = ∞` and `SE(δ)` its standard error from the fit. The trend passes iff every `|δ| ≤ z·SE(δ) + ε`
//! with `z` the normal quantile at [`super::noise::LEVEL`] and `ε = 1e-12·max|y|` (floating point).
//!
//! Draws: size `k` of a trend (`k = 0` the first, normally the requested size) uses the streams
//! `first_stream + k·S + i`, `i < S`, of the one seed, so the sizes are independent of each other and
//! the first size's draws are exactly those of a plain `validate` run with the same seed.
//! [`trend_runs`] runs prepared [`SizedRun`]s (the registry scales a model's declared size flags,
//! `SpectralSpec::SIZES`); [`Trend::report`] turns the result into a [`Report`] whose checks are the
//! extrapolations (so the catalogue and `--report` read it like any validation).

use super::calibrate;
use super::noise::{z_quantile, LEVEL};
use super::report::{Check, Report, Verdict};
use super::spectral::{validate_spectrum_with_progress, SpectralOutcome, SpectralValidation};
use crate::error::{Error, Result};
use crate::model::{Sampler, SpectralModel};
use serde::{Deserialize, Serialize};

/// One size of a trend validation (or of a calibration): the claimed law at that size, the finite
/// system and the validator's options.
pub struct SizedRun {
    /// The claimed law (at this size's ratios).
    pub theory: Box<dyn SpectralModel>,
    /// The finite random system.
    pub sampler: Box<dyn Sampler<Output = Vec<f64>>>,
    /// Validator options (samples, seed, first stream, bias, removed outliers, ...).
    pub options: SpectralValidation,
}

impl SizedRun {
    /// One run per size `n` in `sizes`: `theory(n)` against `sampler(n)`, each with the options `opts`.
    pub fn at_sizes<S, T, B>(
        theory: T,
        sampler: B,
        sizes: &[usize],
        opts: &SpectralValidation,
    ) -> Result<Vec<SizedRun>>
    where
        S: Sampler<Output = Vec<f64>> + 'static,
        T: Fn(usize) -> Result<Box<dyn SpectralModel>>,
        B: Fn(usize) -> Result<S>,
    {
        sizes
            .iter()
            .map(|&n| {
                Ok(SizedRun {
                    theory: theory(n)?,
                    sampler: Box::new(sampler(n)?),
                    options: opts.clone(),
                })
            })
            .collect()
    }

    /// Validate this run with its draws starting at stream `options.first_stream + offset`.
    pub fn validate(&self, offset: u64, tick: &(dyn Fn() + Sync)) -> Result<SpectralOutcome> {
        let opts = SpectralValidation {
            first_stream: self.options.first_stream + offset,
            ..self.options.clone()
        };
        validate_spectrum_with_progress(self.theory.as_ref(), self.sampler.as_ref(), &opts, tick)
    }
}

/// The matrix size of a validation as the bias rules see it: eigenvalues per draw (after removed
/// outliers).
pub fn draw_size(out: &SpectralOutcome) -> usize {
    (out.pooled.len() as f64 / out.report.samples.max(1) as f64).round() as usize
}

/// Extrapolation of one statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extrapolation {
    /// Check name.
    pub check: String,
    /// Sizes.
    pub sizes: Vec<usize>,
    /// Deviation at each size.
    pub values: Vec<f64>,
    /// Noise of each value.
    pub noise: Vec<f64>,
    /// Rate `r` used.
    pub rate: f64,
    /// Where the rate came from (`calibrated` or `declared`).
    #[serde(default)]
    pub rate_source: String,
    /// Theoretical value of the statistic (0 for distances, `m_k` at the first size for moments).
    #[serde(default)]
    pub theory: f64,
    /// Extrapolated deviation `δ` at `n = ∞`.
    pub limit: f64,
    /// Standard error of `δ`.
    pub std_error: f64,
    /// Allowed `|δ|`: `z SE(δ) + ε`.
    #[serde(default)]
    pub tolerance: f64,
    /// Whether `|δ| <= z SE(δ) + ε`.
    pub pass: bool,
}

/// The result of a trend validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trend {
    /// Model identifier.
    pub model: String,
    /// Matrix size (eigenvalues per draw) of each run, in run order.
    #[serde(default)]
    pub sizes: Vec<usize>,
    /// First stream of each run's draws (of the one seed).
    #[serde(default)]
    pub first_streams: Vec<u64>,
    /// One extrapolation per check.
    pub extrapolations: Vec<Extrapolation>,
    /// Pass iff every extrapolation passes.
    pub verdict: Verdict,
    /// The reports at each size (verdicts of the single-size rule, for reference).
    pub reports: Vec<Report>,
}

impl Trend {
    /// Human-readable summary.
    pub fn summary(&self) -> String {
        let mut s = format!("trend validation of {} (limit n -> infinity)\n", self.model);
        for e in &self.extrapolations {
            s.push_str(&format!(
                "  {:<4} {}\n",
                if e.pass { "ok" } else { "FAIL" },
                e.line()
            ));
        }
        s.push_str(&format!("verdict: {:?}\n", self.verdict).to_uppercase());
        s
    }

    /// The trend as a validation report: one check per extrapolation (name of the statistic, observed
    /// `theory + δ`, standard error `SE(δ)`, tolerance `z SE(δ) + ε`), the first size's theory, every
    /// size's system, notes with the deviations at each size and the single-size verdicts, and the
    /// whole trend in [`Report::trend`].
    pub fn report(&self) -> Report {
        let first = &self.reports[0];
        let checks = self
            .extrapolations
            .iter()
            .map(|e| Check {
                name: e.check.clone(),
                theory: e.theory,
                observed: e.theory + e.limit,
                std_error: e.std_error,
                tolerance: e.tolerance,
                rule: format!(
                    "trend: deviation at n = {:?} fitted by delta + a n^-r (r = {:.2}, {}; weights 1/noise^2); \
                     |delta| <= {:.2} x SE(delta) (normal quantile, level {LEVEL})",
                    e.sizes,
                    e.rate,
                    e.rate_source,
                    z_quantile(LEVEL)
                ),
                pass: e.pass,
            })
            .collect();
        let mut notes = vec![format!(
            "trend validation (the claim about the limit n -> infinity): sizes n = {:?}, {} draws each; \
             size k uses streams {:?} + i of seed {} (independent sizes; the first size's draws are those \
             of a plain validation)",
            self.sizes, first.samples, self.first_streams, first.seed
        )];
        notes.extend(self.extrapolations.iter().map(Extrapolation::line));
        notes.push(format!(
            "single-size verdicts: {}",
            self.reports
                .iter()
                .zip(&self.sizes)
                .map(|(r, n)| format!(
                    "n = {n} {}{}",
                    format!("{:?}", r.verdict).to_lowercase(),
                    r.decided_by
                        .as_ref()
                        .map(|d| format!(" ({} margin {:.2})", d.check, d.margin))
                        .unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        notes.extend(
            first
                .notes
                .iter()
                .map(|n| format!("n = {}: {n}", self.sizes[0])),
        );
        let sampled = serde_json::json!({
            "sizes": self.sizes,
            "systems": self.reports.iter().map(|r| r.sampled.clone()).collect::<Vec<_>>(),
        });
        let mut r = Report::new(
            &self.model,
            first.theory.clone(),
            sampled,
            first.seed,
            first.samples,
            checks,
            notes,
        );
        r.trend = Some(Box::new(self.clone()));
        r
    }
}

impl Extrapolation {
    /// `ks: deviations 3.1e-3, 2.0e-3, 1.2e-3 (noise ...) at n = [...]; rate 0.50 (calibrated): limit δ ± SE`.
    pub fn line(&self) -> String {
        let list = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.2e}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}: deviations [{}] (noise [{}]) at n = {:?}; rate {:.2} ({}): extrapolated {:.3e} +- {:.3e} (tol {:.3e})",
            self.check,
            list(&self.values),
            list(&self.noise),
            self.sizes,
            self.rate,
            self.rate_source,
            self.limit,
            self.std_error,
            self.tolerance
        )
    }
}

/// Weighted least squares of `y = δ + a x` with weights `1/σ²`: returns `(δ, SE(δ))`.
pub fn extrapolate(x: &[f64], y: &[f64], sigma: &[f64]) -> Result<(f64, f64)> {
    if x.len() < 2 || x.len() != y.len() || y.len() != sigma.len() {
        return Err(Error::param("sizes", x.len(), "at least two sizes"));
    }
    let floor = sigma.iter().copied().fold(0.0, f64::max) * 1e-6 + 1e-300;
    let w: Vec<f64> = sigma.iter().map(|s| 1.0 / s.max(floor).powi(2)).collect();
    let (mut sw, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        sw += w[i];
        sx += w[i] * x[i];
        sy += w[i] * y[i];
        sxx += w[i] * x[i] * x[i];
        sxy += w[i] * x[i] * y[i];
    }
    let det = sw * sxx - sx * sx;
    if det.abs() <= 1e-300 {
        return Err(Error::param("sizes", "equal", "distinct sizes"));
    }
    let delta = (sxx * sy - sx * sxy) / det;
    Ok((delta, (sxx / det).sqrt()))
}

/// Validate `theory(n)` against `sampler(n)` at each size in `sizes` (≥ 2, distinct) with the options
/// `opts`, and extrapolate every check's deviation to `n = ∞` (module docs).
pub fn trend<S, T, B>(
    theory: T,
    sampler: B,
    sizes: &[usize],
    opts: &SpectralValidation,
) -> Result<Trend>
where
    S: Sampler<Output = Vec<f64>> + 'static,
    T: Fn(usize) -> Result<Box<dyn SpectralModel>>,
    B: Fn(usize) -> Result<S>,
{
    let runs = SizedRun::at_sizes(theory, sampler, sizes, opts)?;
    Ok(trend_runs(&runs, &|| {})?.0)
}

/// Validate every run (run `k` with its draws from streams `first_stream + k·S + i`) and extrapolate
/// every check's deviation to `n = ∞` (module docs). The sizes `n` are the runs' eigenvalues per draw
/// and must be distinct. Returns the trend and each run's outcome (reports, figures).
pub fn trend_runs(
    runs: &[SizedRun],
    tick: &(dyn Fn() + Sync),
) -> Result<(Trend, Vec<SpectralOutcome>)> {
    if runs.len() < 2 {
        return Err(Error::param("sizes", runs.len(), "at least two sizes"));
    }
    let mut outcomes = Vec::new();
    let mut streams = Vec::new();
    let mut offset = 0u64;
    for run in runs {
        streams.push(run.options.first_stream + offset);
        outcomes.push(run.validate(offset, tick)?);
        offset += run.options.samples as u64;
    }
    let sizes: Vec<usize> = outcomes.iter().map(draw_size).collect();
    let distinct: std::collections::BTreeSet<usize> = sizes.iter().copied().collect();
    if distinct.len() != sizes.len() {
        return Err(Error::param(
            "sizes",
            format!("{sizes:?}"),
            "distinct matrix sizes (eigenvalues per draw)",
        ));
    }
    let cal = if runs[0].options.calibrated {
        calibrate::lookup(&calibrate::family(runs[0].theory.as_ref()))
    } else {
        None
    };
    let reports: Vec<Report> = outcomes.iter().map(|o| o.report.clone()).collect();
    let z = z_quantile(LEVEL);
    let mut extrapolations = Vec::new();
    for c in &reports[0].checks {
        let found: Vec<&Check> = reports
            .iter()
            .filter_map(|r| r.checks.iter().find(|d| d.name == c.name))
            .collect();
        if found.len() != reports.len() || c.name.starts_with("atom@") {
            continue;
        }
        let (rate, rate_source) = match cal.as_ref().and_then(|k| k.bias.get(&c.name)) {
            Some(p) => (p.r, "calibrated"),
            None => (runs[0].options.bias_rate, "declared"),
        };
        let x: Vec<f64> = sizes.iter().map(|&n| (n as f64).powf(-rate)).collect();
        let y: Vec<f64> = found.iter().map(|d| d.observed - d.theory).collect();
        let sigma: Vec<f64> = found.iter().map(|d| d.std_error).collect();
        if sigma.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            continue;
        }
        let (limit, se) = extrapolate(&x, &y, &sigma)?;
        let eps = 1e-12 * y.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let tolerance = z * se + eps;
        extrapolations.push(Extrapolation {
            check: c.name.clone(),
            sizes: sizes.clone(),
            values: y,
            noise: sigma,
            rate,
            rate_source: rate_source.into(),
            theory: c.theory,
            limit,
            std_error: se,
            tolerance,
            pass: limit.is_finite() && limit.abs() <= tolerance,
        });
    }
    let verdict = if !extrapolations.is_empty() && extrapolations.iter().all(|e| e.pass) {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let trend = Trend {
        model: reports[0].model.clone(),
        sizes,
        first_streams: streams,
        extrapolations,
        verdict,
        reports,
    };
    Ok((trend, outcomes))
}
