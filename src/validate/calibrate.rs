//! Calibrated finite-size bias of the spectral statistics: measured, not declared.
//!
//! For each model family the bias allowance of every statistic (`ks`, `l1_histogram`, `m1`, `m2`) is a
//! power law `b n^{-r}` fitted to validation runs *of the true law* at several sizes `n` and several
//! seeds that are independent of any run being judged ([`calibrate`]). The fit:
//!
//! * data: at size `n_i` and seed `g`, the value `v_{ig}` of the statistic — for distances the pooled
//!   distance of `draws` draws itself (bias plus that run's noise: conservative); for moments the upper
//!   confidence bound `|m̄ − m| + 2 SE` of the offset at size `n_i` (all seeds pooled), relative to
//!   `|m|` (absolute where `m = 0`);
//! * `r`: least-squares slope of `ln v` on `ln n`, clamped to `[0.25, 1]` (no bias is assumed to vanish faster than the `O(1/n)` rigidity floor);
//! * `b`: the intercept plus three standard deviations of the log-residuals, and at least the envelope
//!   `max v_{ig} n_i^r` (every calibration point lies under the curve).
//!
//! The records are data in the repository (`validation/calibration/<family>.json`), declared by the
//! model's registry entry (`SpectralSpec::CALIBRATION`, compiled in with `include_str!`), with sizes,
//! seeds, draws, date, version and command; `nnlimits calibrate <model> [model flags] --out FILE`
//! re-measures one ([`calibrate_runs`] on the model's plan at scaled sizes, `SpectralSpec::SIZES`), and
//! `cargo run --release --features examples --example calibrate` re-measures every shipped record with the same function. A model whose family has no record falls back
//! to the declared `b n^{-r}` of [`super::spectral::SpectralValidation`], and the report says so.

use super::spectral::{validate_spectrum, SpectralValidation};
use super::trend::{draw_size, SizedRun};
use crate::error::{Error, Result};
use crate::model::{Sampler, SpectralModel};
use serde::{Deserialize, Serialize};

/// A fitted power law `b n^{-r}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLaw {
    /// Coefficient `b` (with the safety margin of the module docs).
    pub b: f64,
    /// Rate `r`.
    pub r: f64,
}

impl PowerLaw {
    /// `b n^{-r}`.
    pub fn at(&self, n: usize) -> f64 {
        self.b * (n.max(1) as f64).powf(-self.r)
    }
}

/// One measured point of a calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Statistic.
    pub statistic: String,
    /// Matrix size.
    pub n: usize,
    /// Seed (for moments: the first seed; the value pools all seeds).
    pub seed: u64,
    /// Measured value (see module docs).
    pub value: f64,
}

/// A calibration record of one model family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Family key ([`family`]).
    pub family: String,
    /// What was run (model parameters and sampler).
    pub setup: serde_json::Value,
    /// Matrix sizes.
    pub sizes: Vec<usize>,
    /// Seeds (independent of the catalogue's runs: calibration seeds start at 1000).
    pub seeds: Vec<u64>,
    /// Draws per run.
    pub draws: usize,
    /// Fitted bias per statistic: `ks`, `l1_histogram` (absolute), `m1`, `m2` (relative to `|m_k|`).
    pub bias: std::collections::BTreeMap<String, PowerLaw>,
    /// The measured points.
    pub points: Vec<Point>,
    /// UTC date of the measurement.
    pub date: String,
    /// nnlimits version that measured it.
    pub version: String,
    /// The command that measured it (`nnlimits calibrate …`), when measured by the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl Calibration {
    /// Bias allowance of `statistic` at size `n` (`None` if not calibrated).
    pub fn bias(&self, statistic: &str, n: usize) -> Option<f64> {
        self.bias.get(statistic).map(|p| p.at(n))
    }
}

/// The family key of a spectral model: the calibration record it uses. Families: `mp`, `gep-linear`,
/// `gep-nonlinear`, `fim-linear-<trained>` (exact linear law), `fim-linear-outputs`,
/// `fim-nonlinear` (proportional Gaussian-equivalence laws), `ck-exact` (the proved readout law),
/// `<fim|ck>-data` (fixed data set), and otherwise the model's name (`semicircle`, `expr`, `ck-deep`,
/// `fim-deep`, `hessian`, ...).
pub fn family(model: &dyn SpectralModel) -> String {
    let name = model.name();
    let p = model.params();
    match name.as_str() {
        "gep" => {
            if p["theta2_sq"].as_f64() == Some(0.0) {
                "gep-linear".into()
            } else {
                "gep-nonlinear".into()
            }
        }
        "fim-linear" => format!("fim-linear-{}", p["trained"].as_str().unwrap_or("both")),
        "fim" | "ck" => match p["limit"].as_str() {
            Some("data") => format!("{name}-data"),
            Some("proportional") if p["exact"].as_bool() == Some(true) => format!("{name}-exact"),
            Some("proportional") => format!("{name}-nonlinear"),
            Some(other) => format!("{name}-{other}"),
            None => name,
        },
        // A deep law whose activation is centred at every layer (`--centre`; ReLU and the other
        // non-odd activations) converges more slowly than the odd activations of the plain family:
        // it has its own record. From depth 3 the per-point fluctuation of the NTK diagonal broadens
        // the sampled spectrum by O(n^{-1/2}) more at every layer (docs/models/ntk-deep.md,
        // "Diagnosis at depth ≥ 3"): one record per depth (`fim-deep-centred-L3`, …), and a depth
        // without a record falls back to the declared bias, as any family without one.
        "fim-deep" if !p["centred"].is_null() => match p["depth"].as_u64() {
            Some(depth) if depth >= 3 => format!("{name}-centred-L{depth}"),
            _ => format!("{name}-centred"),
        },
        _ => name,
    }
}

/// Every calibration record shipped with nnlimits: the records each registry entry declares
/// ([`crate::registry::Entry::calibration`], `validation/calibration/*.json` compiled in), one per
/// family (a record declared by several entries, e.g. `fim` and its variants, is listed once). Records
/// that fail to parse are skipped; a test checks they all parse.
pub fn records() -> Vec<Calibration> {
    let mut out: Vec<Calibration> = Vec::new();
    for e in crate::registry::all() {
        for text in e.calibration() {
            if let Ok(c) = serde_json::from_str::<Calibration>(text) {
                if !out.iter().any(|o| o.family == c.family) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The shipped record of a family.
pub fn lookup(family: &str) -> Option<Calibration> {
    records().into_iter().find(|c| c.family == family)
}

/// Fit `b n^{-r}` to `(n, v)` points as in the module docs.
pub fn fit(points: &[(usize, f64)]) -> Result<PowerLaw> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.1 > 0.0 && p.1.is_finite() && p.0 > 0)
        .map(|p| ((p.0 as f64).ln(), p.1.ln()))
        .collect();
    let sizes: std::collections::BTreeSet<usize> = points.iter().map(|p| p.0).collect();
    if pts.len() < 2 || sizes.len() < 2 {
        return Err(Error::param(
            "sizes",
            format!("{sizes:?}"),
            "at least two sizes with positive values",
        ));
    }
    let k = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx = pts.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    let sxy = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>();
    let r = if sxx > 0.0 { -sxy / sxx } else { 0.5 }.clamp(0.25, 1.0);
    let a = my + r * mx;
    let s = (pts.iter().map(|p| (p.1 - a + r * p.0).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
    let envelope = pts
        .iter()
        .map(|p| (p.1 + r * p.0).exp())
        .fold(0.0, f64::max);
    Ok(PowerLaw {
        b: (a + 3.0 * s).exp().max(envelope),
        r,
    })
}

/// Measure a calibration record: for every size `n` in `sizes` and seed in `seeds`, run the validator of
/// the *true* law `theory(n)` against `sampler(n)` with the options `base` (its `samples` draws,
/// `remove_top`, ...) and fit the bias of each statistic (module docs). The bias allowance is switched
/// off for these runs (`bias_coeff = 0`, `calibrated = false`): only the raw statistics are used.
pub fn calibrate<S, T, B>(
    family_key: &str,
    theory: T,
    sampler: B,
    sizes: &[usize],
    seeds: &[u64],
    base: &SpectralValidation,
) -> Result<Calibration>
where
    S: Sampler<Output = Vec<f64>> + 'static,
    T: Fn(usize) -> Result<Box<dyn SpectralModel>>,
    B: Fn(usize) -> Result<S>,
{
    let runs = SizedRun::at_sizes(theory, sampler, sizes, base)?;
    measure(family_key, &runs, Some(sizes), seeds, &|_, _, _| {})
}

/// Measure a calibration record from prepared runs, one per size (each run's theory the *true* law of
/// its sampler, e.g. a registry model's plan at scaled sizes): every run is validated once per seed
/// (draws `rng::stream(seed, i)`, bias allowance off) and the bias of each statistic is fitted (module
/// docs). The size `n` of a run is its eigenvalues per draw, the `n` the validator's rules look the
/// bias up with. `progress(done, seed, n)` is called after each validation.
pub fn calibrate_runs(
    family_key: &str,
    runs: &[SizedRun],
    seeds: &[u64],
    progress: &(dyn Fn(usize, u64, usize) + Sync),
) -> Result<Calibration> {
    measure(family_key, runs, None, seeds, progress)
}

fn measure(
    family_key: &str,
    runs: &[SizedRun],
    given: Option<&[usize]>,
    seeds: &[u64],
    progress: &(dyn Fn(usize, u64, usize) + Sync),
) -> Result<Calibration> {
    if seeds.is_empty() {
        return Err(Error::param("seeds", "[]", "at least one seed"));
    }
    if runs.len() < 2 {
        return Err(Error::param("sizes", runs.len(), "at least two sizes"));
    }
    let mut points = Vec::new();
    let mut setup = serde_json::Value::Null;
    let mut sizes = Vec::new();
    let mut moment_runs: std::collections::BTreeMap<(String, usize), Vec<(f64, f64)>> =
        Default::default();
    let mut done = 0;
    for (k, run) in runs.iter().enumerate() {
        for &seed in seeds {
            let opts = SpectralValidation {
                seed,
                bias_coeff: 0.0,
                calibrated: false,
                ..run.options.clone()
            };
            let out = validate_spectrum(run.theory.as_ref(), run.sampler.as_ref(), &opts)?;
            let n = given.map_or_else(|| draw_size(&out), |s| s[k]);
            if sizes.last() != Some(&n) {
                sizes.push(n);
            }
            done += 1;
            progress(done, seed, n);
            if setup.is_null() {
                setup =
                    serde_json::json!({"theory": out.report.theory, "sampled": out.report.sampled});
            }
            for c in &out.report.checks {
                match c.name.as_str() {
                    "ks" | "l1_histogram" => points.push(Point {
                        statistic: c.name.clone(),
                        n,
                        seed,
                        value: c.observed,
                    }),
                    "m1" | "m2" => moment_runs
                        .entry((c.name.clone(), n))
                        .or_default()
                        .push((c.observed, c.theory)),
                    _ => {}
                }
            }
        }
    }
    for ((name, n), runs) in moment_runs {
        // all seeds pooled: each run's observed value is a mean over `draws` draws
        let obs: Vec<f64> = runs.iter().map(|r| r.0).collect();
        let th = runs[0].1;
        let (m, se) = super::stats::mean_se(&obs);
        let se = if se.is_finite() { se } else { 0.0 };
        let scale = if th.abs() > 0.0 { th.abs() } else { 1.0 };
        points.push(Point {
            statistic: name,
            n,
            seed: seeds[0],
            value: ((m - th).abs() + 2.0 * se) / scale,
        });
    }
    let mut bias = std::collections::BTreeMap::new();
    for stat in ["ks", "l1_histogram", "m1", "m2"] {
        let pts: Vec<(usize, f64)> = points
            .iter()
            .filter(|p| p.statistic == stat)
            .map(|p| (p.n, p.value))
            .collect();
        if pts.iter().any(|p| p.1 > 0.0) {
            bias.insert(stat.to_string(), fit(&pts)?);
        } else if !pts.is_empty() {
            bias.insert(stat.to_string(), PowerLaw { b: 0.0, r: 1.0 });
        }
    }
    Ok(Calibration {
        family: family_key.into(),
        setup,
        sizes,
        seeds: seeds.to_vec(),
        draws: runs[0].options.samples,
        bias,
        points,
        date: utc_date(crate::io::Provenance::current().created_unix),
        version: env!("CARGO_PKG_VERSION").into(),
        command: None,
    })
}

impl Calibration {
    /// Combine records of several parameter points of one family into one: per statistic the fit of
    /// the module docs to the union of their points (so the envelope covers every point of each).
    pub fn merge(family_key: &str, records: &[Calibration]) -> Result<Calibration> {
        let first = records
            .first()
            .ok_or_else(|| Error::param("records", "[]", "at least one record"))?;
        let points: Vec<Point> = records.iter().flat_map(|c| c.points.clone()).collect();
        let mut bias = std::collections::BTreeMap::new();
        for st in ["ks", "l1_histogram", "m1", "m2"] {
            let pts: Vec<(usize, f64)> = points
                .iter()
                .filter(|p| p.statistic == st)
                .map(|p| (p.n, p.value))
                .collect();
            if pts.iter().any(|p| p.1 > 0.0) {
                bias.insert(st.to_string(), fit(&pts)?);
            }
        }
        Ok(Calibration {
            family: family_key.into(),
            setup: serde_json::Value::Array(records.iter().map(|c| c.setup.clone()).collect()),
            sizes: first.sizes.clone(),
            seeds: first.seeds.clone(),
            draws: first.draws,
            bias,
            points,
            date: first.date.clone(),
            version: first.version.clone(),
            command: first.command.clone(),
        })
    }
}

/// `YYYY-MM-DD` of a Unix time (proleptic Gregorian; Hinnant's civil-from-days).
#[doc(hidden)]
pub fn utc_date(unix: u64) -> String {
    let z = (unix / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
