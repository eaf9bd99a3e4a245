//! The Monte Carlo validator for spectral models, generic over [`SpectralModel`] and any
//! [`Sampler`] whose draws are eigenvalue lists.
//!
//! Draws run in parallel (rayon), draw `i` from `rng::stream(seed, i)`, so the pooled spectrum does not
//! depend on the thread count. The pooled eigenvalues are compared with the theory by:
//!
//! * **KS distance** between the pooled empirical CDF and the theoretical CDF (atoms included).
//!   Tolerance: `ks_critical(N, 0.001) + b·n^{-r}`, the 99.9% Kolmogorov critical value for the
//!   `N` pooled eigenvalues (conservative: eigenvalues are more rigid than iid samples) plus the model's
//!   declared finite-size bias `b n^{-r}` at matrix size `n` ([`SpectralValidation::bias`]).
//! * **L1 distance** between the histogram and the theoretical bin masses. Tolerance:
//!   `2·E[L1]` for `N` iid samples ([`stats::l1_expected`]) `+ 2 b n^{-r}`.
//! * **moments** `m₁, m₂` (per-draw means, standard error across draws): `|obs - th| <= t·SE + k |m_k| b n^{-r}`
//!   `+ 1e-12 E|x|^k` (a floating-point floor, relevant only for `m_k = 0`), `t` the Student-t quantile for
//!   the number of draws at the level of 4 normal deviations ([`z_crit`]).
//! * **atoms**: the fraction of eigenvalues in a window around each atom (per draw, SE across draws).
//!
//! The verdict is pass iff every check passes. The same rules are stated in `docs/architecture.md`.

use super::report::{z_crit, Check, Report, Z_MAX};
use super::stats::{self, Histogram};
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
    /// Seed (draw `i` uses `rng::stream(seed, i)`).
    pub seed: u64,
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
}

impl Default for SpectralValidation {
    fn default() -> Self {
        SpectralValidation {
            samples: 10,
            seed: 1,
            bins: 40,
            bias_coeff: 1.0,
            bias_rate: 1.0,
            remove_top: 0,
            atom_window: 0.01,
        }
    }
}

impl SpectralValidation {
    /// Finite-size bias `b n^{-r}` at matrix size `n`.
    pub fn bias(&self, n: usize) -> f64 {
        self.bias_coeff * (n.max(1) as f64).powf(-self.bias_rate)
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
            let mut rng = crate::rng::stream(opts.seed, i as u64);
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
    draws: Vec<Vec<f64>>,
    opts: &SpectralValidation,
) -> Result<SpectralOutcome> {
    if draws.is_empty() || draws.iter().all(|d| d.is_empty()) {
        return Err(Error::InvalidData(
            "no sampled eigenvalues to compare".into(),
        ));
    }
    let law = SpectralDensity::from_model(model, DEFAULT_NODES)?;
    let n = draws.iter().map(|d| d.len()).max().unwrap_or(0);
    let bias = opts.bias(n);
    let mut pooled: Vec<f64> = draws.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    let total = pooled.len() as f64;
    let mut checks = Vec::new();
    let mut notes = Vec::new();

    // KS
    let ks = stats::ks_distance(&pooled, |x| law.cdf(x), |x| law.cdf_left(x));
    let ks_tol = stats::ks_critical(total, 0.001) + bias;
    checks.push(Check::distance(
        "ks",
        ks,
        ks_tol,
        &format!(
            "KS <= 1.949/sqrt(N = {total}) + bias {bias:.2e} (99.9% Kolmogorov value + b n^-r, n = {n})"
        ),
    ));

    // histogram over the continuous support
    let (lo, hi) = {
        let c = &law.components;
        if c.is_empty() {
            law.range()
        } else {
            (c[0].lo, c[c.len() - 1].hi)
        }
    };
    let width = (hi - lo).max(1e-12);
    let hist_lo = lo - 0.02 * width;
    let hist_hi = hi + 0.02 * width;
    let cont: Vec<f64> = pooled
        .iter()
        .copied()
        .filter(|x| {
            !law.atoms
                .iter()
                .any(|a| (x - a.0).abs() <= atom_half_width(a.0, width, opts))
        })
        .collect();
    // bins never straddle a support edge (a straddling bin averages the density with zero)
    let comps: Vec<(f64, f64)> = law.components.iter().map(|c| (c.lo, c.hi)).collect();
    let mut hist = Histogram::with_edges(
        &cont,
        Histogram::support_edges(&comps, hist_lo, hist_hi, opts.bins),
    );
    // normalise the histogram to the whole sample, so it integrates to the continuous mass
    let scale = cont.len() as f64 / total.max(1.0);
    for (d, e) in hist.density.iter_mut().zip(hist.std_error.iter_mut()) {
        *d *= scale;
        *e *= scale;
    }
    hist.total = total as u64;
    let bin_mass: Vec<f64> = hist
        .edges
        .windows(2)
        .map(|e| {
            law.components
                .iter()
                .map(|c| {
                    let a = e[0].max(c.lo);
                    let b = e[1].min(c.hi);
                    if b > a {
                        law_cont_cdf(&law, b) - law_cont_cdf(&law, a)
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
        })
        .collect();
    let l1 = hist
        .counts
        .iter()
        .zip(&bin_mass)
        .map(|(&c, &p)| (c as f64 / total - p).abs())
        .sum::<f64>();
    let l1_tol = 2.0 * stats::l1_expected(&bin_mass, total) + 2.0 * bias;
    checks.push(Check::distance(
        "l1_histogram",
        l1,
        l1_tol,
        &format!("L1 <= 2 x E[L1 | {total} iid samples] + 2 x bias"),
    ));

    // moments (closed forms of the model), per-draw with SE across draws
    let th = model.moments();
    for (k, &mk) in th.iter().take(2).enumerate() {
        let k1 = (k + 1) as i32;
        let per: Vec<f64> = draws
            .iter()
            .map(|d| d.iter().map(|x| x.powi(k1)).sum::<f64>() / d.len().max(1) as f64)
            .collect();
        let (m, se, z) = if draws.len() >= 2 {
            let (m, se) = stats::mean_se(&per);
            (m, se, z_crit(draws.len()))
        } else {
            // one draw: no spread across draws; the i.i.d. standard error of the pooled eigenvalues'
            // k-th powers bounds the draw-to-draw one from above (eigenvalues repel: a linear spectral
            // statistic fluctuates by O(1/n), the i.i.d. error is O(1/sqrt(n)))
            let xk: Vec<f64> = pooled.iter().map(|x| x.powi(k1)).collect();
            let (_, se_iid) = stats::mean_se(&xk);
            (per[0], if se_iid.is_finite() { se_iid } else { 0.0 }, Z_MAX)
        };
        // floating-point floor of a sum of n eigenvalues: ~ n ε max|x|^k relative to the sum, bounded
        // here by 1e-12 E|x|^k (matters only when m_k = 0 and the draws have no spread, e.g. a
        // zero-diagonal matrix whose trace vanishes exactly)
        let abs_k = pooled.iter().map(|x| x.abs().powi(k1)).sum::<f64>() / total.max(1.0);
        checks.push(Check::statistical(
            &format!("m{k1}"),
            mk,
            m,
            se,
            z,
            (k1 as f64) * mk.abs() * bias + 1e-12 * abs_k,
        ));
    }
    if draws.len() < 2 {
        notes.push(
            "one draw: moment and atom checks use the i.i.d. standard error of its eigenvalues \
             (conservative; there is no spread across draws to estimate)"
                .into(),
        );
    }
    if opts.remove_top > 0 {
        notes.push(format!(
            "the {} largest eigenvalue(s) of every draw were removed as declared outliers",
            opts.remove_top
        ));
    }

    // atoms
    for &(a, mass) in &law.atoms {
        let w = atom_half_width(a, width, opts);
        let per: Vec<f64> = draws
            .iter()
            .map(|d| {
                d.iter().filter(|x| (*x - a).abs() <= w).count() as f64 / d.len().max(1) as f64
            })
            .collect();
        let (m, se, z) = if draws.len() >= 2 {
            let (m, se) = stats::mean_se(&per);
            (m, se, z_crit(draws.len()))
        } else {
            // one draw: binomial standard error of the fraction in the window
            let k = draws[0].len().max(1) as f64;
            (per[0], (per[0] * (1.0 - per[0]) / k).sqrt(), Z_MAX)
        };
        checks.push(Check::statistical(
            &format!("atom@{a:.4}"),
            mass,
            m,
            se,
            z,
            bias + 1.0 / n.max(1) as f64,
        ));
    }

    // edges: a soft check, reported as notes
    if let (Some(first), Some(last)) = (law.components.first(), law.components.last()) {
        let bulk: Vec<&f64> = cont.iter().collect();
        if let (Some(mn), Some(mx)) = (bulk.first(), bulk.last()) {
            notes.push(format!(
                "edges: theory [{:.6}, {:.6}], sampled bulk [{:.6}, {:.6}] (soft check: Tracy-Widom scale n^-2/3)",
                first.lo, last.hi, mn, mx
            ));
        }
    }

    // figure
    let xs: Vec<f64> = (0..=600)
        .map(|k| hist_lo + (hist_hi - hist_lo) * k as f64 / 600.0)
        .collect();
    let ys = model.density_many(&xs)?;
    let figure = Figure {
        title: format!("{} {}", model.name(), compact(&model.params())),
        x_label: "eigenvalue".into(),
        y_label: "density".into(),
        histogram: Some(hist),
        curves: vec![Curve {
            label: "theory".into(),
            xs,
            ys,
        }],
        atoms: law.atoms.clone(),
    };
    let report = Report::new(
        &model.name(),
        model.params(),
        sampled,
        opts.seed,
        draws.len(),
        checks,
        notes,
    );
    Ok(SpectralOutcome {
        report,
        figure,
        pooled,
    })
}

fn atom_half_width(a: f64, width: f64, opts: &SpectralValidation) -> f64 {
    if a == 0.0 {
        1e-8 * width.max(1.0)
    } else {
        opts.atom_window * width
    }
}

/// CDF of the continuous part only.
fn law_cont_cdf(law: &SpectralDensity, x: f64) -> f64 {
    law.cdf(x)
        - law
            .atoms
            .iter()
            .filter(|a| a.0 <= x)
            .map(|a| a.1)
            .sum::<f64>()
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
