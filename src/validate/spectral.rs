//! The Monte Carlo validator for spectral models, generic over [`SpectralModel`] and any
//! [`Sampler`] whose draws are eigenvalue lists.
//!
//! Draws run in parallel (rayon), draw `i` from `rng::stream(seed, i)`, so the pooled spectrum does not
//! depend on the thread count. The pooled eigenvalues are compared with the theory by:
//!
//! * **KS distance** between the pooled empirical CDF and the theoretical CDF (atoms included);
//! * **L1 distance** between the histogram (bins aligned to the support's edges) and the theoretical
//!   bin masses;
//! * **moments** `m₁, m₂` (per-draw values, mean over draws);
//! * **atoms**: the fraction of eigenvalues in a window around each atom (per draw).
//!
//! Each tolerance is the statistic's noise *measured from the spread across draws* (or known in closed
//! form; [`super::noise`]) plus the model family's *calibrated* finite-size bias ([`super::calibrate`]);
//! the rules are in [`super::rules`] and `docs/architecture.md`. The report names the check that
//! decided the verdict and every check's margin `|statistic| / tolerance`.
//!
//! The verdict is pass iff every check passes. The same rules are stated in `docs/architecture.md`.

use super::report::Report;
use crate::error::{check, Error, Result};
use crate::model::{Sampler, SpectralModel};
use crate::plot::{Curve, Figure};
use crate::spectral::{SpectralDensity, DEFAULT_NODES};
use rayon::prelude::*;

/// Options of a spectral validation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpectralValidation {
    /// Independent draws.
    pub samples: usize,
    /// Seed (draw `i` uses `rng::stream(seed, first_stream + i)`).
    pub seed: u64,
    /// Stream number of the first draw (0 for a plain validation; the sizes of a trend validation
    /// use consecutive blocks of streams of one seed, [`super::trend`]).
    #[serde(default)]
    pub first_stream: u64,
    /// Histogram bins over the support.
    pub bins: usize,
    /// Finite-size bias coefficient `b` (see module docs).
    pub bias_coeff: f64,
    /// Finite-size bias rate `r`: 1 for exact laws (rigidity floor `O(1/n)`), 1/2 for Gaussian-equivalence laws.
    pub bias_rate: f64,
    /// Largest eigenvalues removed from every draw before comparing (declared outliers).
    pub remove_top: usize,
    /// Half-width of the window counted as an atom at a nonzero location, relative to the support width.
    pub atom_window: f64,
    /// Use the model family's calibration record for the bias allowances when one exists
    /// ([`super::calibrate`]); otherwise (or when `false`) the declared `b n^{-r}` above.
    pub calibrated: bool,
}

impl Default for SpectralValidation {
    fn default() -> Self {
        SpectralValidation {
            samples: 10,
            seed: 1,
            first_stream: 0,
            bins: 40,
            bias_coeff: 1.0,
            bias_rate: 1.0,
            remove_top: 0,
            atom_window: 0.01,
            calibrated: true,
        }
    }
}

impl SpectralValidation {
    /// Finite-size bias `b n^{-r}` at matrix size `n`.
    pub fn bias(&self, n: usize) -> f64 {
        self.bias_coeff * (n.max(1) as f64).powf(-self.bias_rate)
    }

    /// How the bias allowance is chosen, for a report note: the family's calibration record (when
    /// [`Self::calibrated`]; the declared `b n^-r` is the fallback without a record), or the `b n^-r`
    /// given on the command line.
    pub fn bias_text(&self) -> String {
        if self.calibrated {
            format!(
                "tolerance bias from the calibration record (note `bias allowances`; without one, the declared b n^-r with b = {}, r = {})",
                self.bias_coeff, self.bias_rate
            )
        } else {
            format!(
                "tolerance bias b n^-r with b = {}, r = {} (--bias-coeff)",
                self.bias_coeff, self.bias_rate
            )
        }
    }
}

/// What a spectral validation returns.
#[derive(Debug, Clone)]
pub struct SpectralOutcome {
    /// The report (checks and verdict).
    pub report: Report,
    /// Histogram vs theory plot.
    pub figure: Figure,
    /// Pooled (sorted) eigenvalues.
    pub pooled: Vec<f64>,
}

/// Draw `opts.samples` spectra and compare with `model`.
pub fn validate_spectrum<S>(
    model: &dyn SpectralModel,
    sampler: &S,
    opts: &SpectralValidation,
) -> Result<SpectralOutcome>
where
    S: Sampler<Output = Vec<f64>> + ?Sized,
{
    validate_spectrum_with_progress(model, sampler, opts, &|| {})
}

/// [`validate_spectrum`], calling `tick` after each draw (for a progress bar).
pub fn validate_spectrum_with_progress<S>(
    model: &dyn SpectralModel,
    sampler: &S,
    opts: &SpectralValidation,
    tick: &(dyn Fn() + Sync),
) -> Result<SpectralOutcome>
where
    S: Sampler<Output = Vec<f64>> + ?Sized,
{
    check::count("samples", opts.samples, 1, 1_000_000)?;
    check::count("bins", opts.bins, 2, 10_000)?;
    crate::model::check_sampler_budget(sampler, "spectral validation", opts.samples)?;
    faer::set_global_parallelism(faer::Par::Seq);
    let draws: Vec<Vec<f64>> = (0..opts.samples)
        .into_par_iter()
        .map(|i| {
            crate::cancel::check()?;
            let mut rng = crate::rng::stream(opts.seed, opts.first_stream + i as u64);
            let draw = sampler.sample(&mut rng);
            tick();
            draw.map(|mut ev| {
                ev.sort_by(f64::total_cmp);
                let keep = ev.len().saturating_sub(opts.remove_top);
                ev.truncate(keep);
                ev
            })
        })
        .collect::<Result<_>>()?;
    compare(model, sampler.describe(), draws, opts)
}

/// Validate given draws (e.g. read with [`super::eigfile::read_draws`]) without sampling: each draw
/// is sorted and loses its `opts.remove_top` largest values, as in [`validate_spectrum`], then
/// [`compare`]. `sampled` describes where the draws came from.
pub fn validate_draws(
    model: &dyn SpectralModel,
    sampled: serde_json::Value,
    draws: Vec<Vec<f64>>,
    opts: &SpectralValidation,
) -> Result<SpectralOutcome> {
    check::count("draws", draws.len(), 1, 1_000_000)?;
    check::count("bins", opts.bins, 2, 10_000)?;
    let draws = draws
        .into_iter()
        .map(|mut ev| {
            ev.sort_by(f64::total_cmp);
            let keep = ev.len().saturating_sub(opts.remove_top);
            ev.truncate(keep);
            ev
        })
        .collect();
    compare(model, sampled, draws, opts)
}

/// Compare given draws (each a list of eigenvalues) with a model.
pub fn compare(
    model: &dyn SpectralModel,
    sampled: serde_json::Value,
    mut draws: Vec<Vec<f64>>,
    opts: &SpectralValidation,
) -> Result<SpectralOutcome> {
    if draws.is_empty() || draws.iter().all(|d| d.is_empty()) {
        return Err(Error::InvalidData(
            "no sampled eigenvalues to compare".into(),
        ));
    }
    let law = SpectralDensity::from_model(model, DEFAULT_NODES)?;
    for d in draws.iter_mut() {
        d.sort_by(f64::total_cmp);
    }
    let checked = super::rules::spectral_checks(model, &law, &draws, opts)?;
    let mut pooled: Vec<f64> = draws.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    let (hist_lo, hist_hi) = checked.range;

    // figure
    let xs: Vec<f64> = (0..=600)
        .map(|k| hist_lo + (hist_hi - hist_lo) * k as f64 / 600.0)
        .collect();
    let ys = model.density_many(&xs)?;
    let report = Report::new(
        &model.name(),
        model.params(),
        sampled,
        opts.seed,
        draws.len(),
        checked.checks,
        checked.notes,
    );
    let figure = Figure {
        title: format!(
            "{} {}{}",
            model.name(),
            compact(&model.params()),
            report.decided_by_caption()
        ),
        x_label: "eigenvalue".into(),
        y_label: "density".into(),
        histogram: Some(checked.hist),
        curves: vec![Curve {
            label: "theory".into(),
            xs,
            ys,
        }],
        atoms: law.atoms.clone(),
    };
    Ok(SpectralOutcome {
        report,
        figure,
        pooled,
    })
}

/// `{"a":1,"b":2}` -> `a=1 b=2` for titles.
pub fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.to_string().trim_matches('"')))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}
