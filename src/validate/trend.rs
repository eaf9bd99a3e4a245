//! The claim as a statement about the limit: run the validation at two or three sizes and extrapolate.
//!
//! A true limit law's deviation shrinks like `n^{-r}`; a wrong one levels off. For every check present
//! at all sizes, with `y_i` its deviation at size `n_i` (the distance for `ks`/`l1_histogram`, the signed
//! `observed − theory` for moments) and `σ_i` its noise (the measured noise scale or standard error),
//! the model `y(n) = δ + a n^{-r}` is fitted by weighted least squares (weights `1/σ_i²`) with the rate
//! `r` of the family's calibration record (else the declared rate). `δ` is the extrapolated deviation at
//! `n = ∞` and `SE(δ)` its standard error from the fit. The trend passes iff every `|δ| ≤ z·SE(δ) + ε`
//! with `z` the normal quantile at [`super::noise::LEVEL`] and `ε = 1e-12·max|y|` (floating point).

use super::calibrate;
use super::noise::{z_quantile, LEVEL};
use super::report::Verdict;
use super::spectral::{validate_spectrum, SpectralValidation};
use crate::error::{Error, Result};
use crate::model::{Sampler, SpectralModel};
use serde::{Deserialize, Serialize};

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
    /// Extrapolated deviation `δ` at `n = ∞`.
    pub limit: f64,
    /// Standard error of `δ`.
    pub std_error: f64,
    /// Whether `|δ| <= z SE(δ)`.
    pub pass: bool,
}

/// The result of a trend validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trend {
    /// Model identifier.
    pub model: String,
    /// One extrapolation per check.
    pub extrapolations: Vec<Extrapolation>,
    /// Pass iff every extrapolation passes.
    pub verdict: Verdict,
    /// The reports at each size (verdicts of the single-size rule, for reference).
    pub reports: Vec<super::Report>,
}

impl Trend {
    /// Human-readable summary.
    pub fn summary(&self) -> String {
        let mut s = format!("trend validation of {} (limit n -> infinity)\n", self.model);
        for e in &self.extrapolations {
            s.push_str(&format!(
                "  {:<4} {:<14} values {:?} at n = {:?}: limit {:.3e} +- {:.3e} (rate {:.2})\n",
                if e.pass { "ok" } else { "FAIL" },
                e.check,
                e.values
                    .iter()
                    .map(|v| format!("{v:.2e}"))
                    .collect::<Vec<_>>(),
                e.sizes,
                e.limit,
                e.std_error,
                e.rate
            ));
        }
        s.push_str(&format!("verdict: {:?}\n", self.verdict).to_uppercase());
        s
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
    S: Sampler<Output = Vec<f64>>,
    T: Fn(usize) -> Result<Box<dyn SpectralModel>>,
    B: Fn(usize) -> Result<S>,
{
    let distinct: std::collections::BTreeSet<usize> = sizes.iter().copied().collect();
    if distinct.len() < 2 || distinct.len() != sizes.len() {
        return Err(Error::param(
            "sizes",
            format!("{sizes:?}"),
            "at least two distinct sizes",
        ));
    }
    let mut reports = Vec::new();
    let mut model_name = String::new();
    let mut cal = None;
    for &n in sizes {
        let model = theory(n)?;
        if cal.is_none() && opts.calibrated {
            cal = calibrate::lookup(&calibrate::family(model.as_ref()));
        }
        model_name = model.name();
        let out = validate_spectrum(model.as_ref(), &sampler(n)?, opts)?;
        reports.push(out.report);
    }
    let z = z_quantile(LEVEL);
    let mut extrapolations = Vec::new();
    for c in &reports[0].checks {
        let found: Vec<&super::Check> = reports
            .iter()
            .filter_map(|r| r.checks.iter().find(|d| d.name == c.name))
            .collect();
        if found.len() != reports.len() || c.name.starts_with("atom@") {
            continue;
        }
        let rate = cal
            .as_ref()
            .and_then(|k: &calibrate::Calibration| k.bias.get(&c.name).map(|p| p.r))
            .unwrap_or(opts.bias_rate);
        let x: Vec<f64> = sizes.iter().map(|&n| (n as f64).powf(-rate)).collect();
        let y: Vec<f64> = found.iter().map(|d| d.observed - d.theory).collect();
        let sigma: Vec<f64> = found.iter().map(|d| d.std_error).collect();
        if sigma.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            continue;
        }
        let (limit, se) = extrapolate(&x, &y, &sigma)?;
        let eps = 1e-12 * y.iter().map(|v| v.abs()).fold(0.0, f64::max);
        extrapolations.push(Extrapolation {
            check: c.name.clone(),
            sizes: sizes.to_vec(),
            values: y,
            noise: sigma,
            rate,
            limit,
            std_error: se,
            pass: limit.abs() <= z * se + eps,
        });
    }
    let verdict = if !extrapolations.is_empty() && extrapolations.iter().all(|e| e.pass) {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Ok(Trend {
        model: model_name,
        extrapolations,
        verdict,
        reports,
    })
}
