//! The checks of a spectral validation: statistics, their measured noise ([`super::noise`]) and their
//! calibrated finite-size bias ([`super::calibrate`]). Used by [`super::spectral::compare`]; the rules
//! are stated in `docs/architecture.md` ("Tolerance rules").
//!
//! | check | statistic | tolerance |
//! |---|---|---|
//! | `ks` | pooled KS distance | `K_SUP·σ̂_sup/√S + bias_ks(n)` |
//! | `l1_histogram` | pooled histogram L1 | `K_L1·σ̂_L1/√S + bias_l1(n)` |
//! | `m1`, `m2` | mean of per-draw moments | `q·SE + bias_mk(n)·|m_k| + 1e-12 E|x|^k` |
//! | `atom@a` | mean per-draw fraction near `a` | `t·SE + bias_ks(n) + 1/n` |
//!
//! `q` is the normal quantile at [`noise::LEVEL`] when the model knows the variance of its linear
//! spectral statistics (`SE = √Var/(n√S)`), otherwise the Student-t quantile with `S − 1` degrees of
//! freedom and the SE measured across draws. The bias terms come from the model family's calibration
//! record; without one, from the declared `b n^{-r}` (`ks`: 1×, `l1`: 2×, `m_k`: `k`×).

use super::calibrate::{self, Calibration};
use super::noise::{self, K_L1, K_SUP, LEVEL};
use super::report::{Check, Z_MAX};
use super::spectral::SpectralValidation;
use super::stats::{self, Histogram};
use crate::model::SpectralModel;
use crate::spectral::SpectralDensity;

/// What [`spectral_checks`] returns.
pub struct Checked {
    /// The checks.
    pub checks: Vec<Check>,
    /// Remarks for the report.
    pub notes: Vec<String>,
    /// The pooled histogram (density scale, continuous part) for the figure.
    pub hist: Histogram,
    /// Histogram range.
    pub range: (f64, f64),
}

/// Where each bias allowance comes from.
struct Allowance {
    cal: Option<Calibration>,
    declared: f64,
    n: usize,
}

impl Allowance {
    /// Absolute bias of a distance statistic; declared fallback multiplied by `k_declared`.
    fn distance(&self, stat: &str, k_declared: f64) -> (f64, &'static str) {
        match self.cal.as_ref().and_then(|c| c.bias(stat, self.n)) {
            Some(b) => (b, "calibrated"),
            None => (k_declared * self.declared, "declared"),
        }
    }
    /// Bias of moment `k` (absolute units).
    fn moment(&self, k: i32, mk: f64) -> (f64, &'static str) {
        let scale = if mk.abs() > 0.0 { mk.abs() } else { 1.0 };
        match self
            .cal
            .as_ref()
            .and_then(|c| c.bias(&format!("m{k}"), self.n))
        {
            Some(b) => (b * scale, "calibrated"),
            None => (k as f64 * mk.abs() * self.declared, "declared"),
        }
    }
}

/// Build every check of a spectral validation from sorted draws.
pub fn spectral_checks(
    model: &dyn SpectralModel,
    law: &SpectralDensity,
    draws: &[Vec<f64>],
    opts: &SpectralValidation,
) -> crate::error::Result<Checked> {
    let n = draws.iter().map(Vec::len).max().unwrap_or(0);
    let s = draws.len();
    let family = calibrate::family(model);
    let allow = Allowance {
        cal: if opts.calibrated {
            calibrate::lookup(&family)
        } else {
            None
        },
        declared: opts.bias(n),
        n,
    };
    let mut pooled: Vec<f64> = draws.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    let total = pooled.len() as f64;
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    match &allow.cal {
        Some(c) => notes.push(format!(
            "bias allowances: calibration record `{}` (sizes {:?}, seeds {:?}, {} draws, {}, nnlimits {})",
            c.family, c.sizes, c.seeds, c.draws, c.date, c.version
        )),
        None if opts.calibrated => notes.push(format!(
            "bias allowances: no calibration record for `{family}`; declared b n^-r = {:.2e}",
            allow.declared
        )),
        None => notes.push(format!(
            "bias allowances: b n^-r = {:.2e} as given (--bias-coeff); calibration records not used",
            allow.declared
        )),
    }

    // KS of the pooled sample; noise from the spread of the draws' CDFs
    let ks = stats::ks_distance(&pooled, |x| law.cdf(x), |x| law.cdf_left(x));
    let (kb, ksrc) = allow.distance("ks", 1.0);
    let ks_noise = noise::ks_noise(draws);
    let (ks_tol, rule) = match ks_noise {
        Some(sig) => (
            K_SUP * sig + kb,
            format!(
                "KS <= {K_SUP} x noise {sig:.2e} (sup spread of the {s} draws' CDFs / sqrt(S)) + {ksrc} bias {kb:.2e} (n = {n})"
            ),
        ),
        None => (
            stats::ks_critical(total, LEVEL) + kb,
            format!("one draw: KS <= iid Kolmogorov value c/sqrt(N = {total}) (conservative) + {ksrc} bias {kb:.2e}"),
        ),
    };
    let mut c = Check::distance("ks", ks, ks_tol, &rule);
    c.std_error = ks_noise.unwrap_or(0.0);
    checks.push(c);

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
    let in_atom = |x: f64| {
        law.atoms
            .iter()
            .any(|a| (x - a.0).abs() <= atom_half_width(a.0, width, opts))
    };
    let cont: Vec<f64> = pooled.iter().copied().filter(|&x| !in_atom(x)).collect();
    // bins never straddle a support edge (a straddling bin averages the density with zero)
    let comps: Vec<(f64, f64)> = law.components.iter().map(|c| (c.lo, c.hi)).collect();
    let edges = Histogram::support_edges(&comps, hist_lo, hist_hi, opts.bins);
    let mut hist = Histogram::with_edges(&cont, edges.clone());
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
                        cont_cdf(law, b) - cont_cdf(law, a)
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
    let per_counts: Vec<Vec<u64>> = draws
        .iter()
        .map(|d| {
            let c: Vec<f64> = d.iter().copied().filter(|&x| !in_atom(x)).collect();
            Histogram::with_edges(&c, edges.clone()).counts
        })
        .collect();
    let sizes: Vec<usize> = draws.iter().map(Vec::len).collect();
    let (lb, lsrc) = allow.distance("l1_histogram", 2.0);
    let l1_noise = noise::l1_noise(&per_counts, &sizes);
    let (l1_tol, rule) = match l1_noise {
        Some(sig) => (
            K_L1 * sig + lb,
            format!("L1 <= {K_L1} x noise {sig:.2e} (spread of the draws' histograms / sqrt(S)) + {lsrc} bias {lb:.2e}"),
        ),
        None => (
            2.0 * stats::l1_expected(&bin_mass, total) + lb,
            format!("one draw: L1 <= 2 x E[L1 | {total} iid points] (conservative) + {lsrc} bias {lb:.2e}"),
        ),
    };
    let mut c = Check::distance("l1_histogram", l1, l1_tol, &rule);
    c.std_error = l1_noise.unwrap_or(0.0);
    checks.push(c);

    // moments: per-draw, SE across draws or known LSS variance
    let th = model.moments();
    let known = model.lss_variance(n);
    for (k, &mk) in th.iter().take(2).enumerate() {
        let k1 = (k + 1) as i32;
        let per: Vec<f64> = draws
            .iter()
            .map(|d| d.iter().map(|x| x.powi(k1)).sum::<f64>() / d.len().max(1) as f64)
            .collect();
        let (m, se_obs) = stats::mean_se(&per);
        let abs_k = pooled.iter().map(|x| x.abs().powi(k1)).sum::<f64>() / total.max(1.0);
        let (bias, src) = allow.moment(k1, mk);
        let bias = bias + 1e-12 * abs_k;
        let (se, q, how) = match known {
            Some(v) if opts.remove_top == 0 => (
                v[k].sqrt() / (n.max(1) as f64) / (s.max(1) as f64).sqrt(),
                noise::z_quantile(LEVEL),
                "known LSS variance, normal quantile",
            ),
            _ if s >= 2 => (
                se_obs,
                noise::t_quantile(s, LEVEL),
                "SE across draws, Student-t quantile",
            ),
            _ => {
                // one draw: no spread across draws; the i.i.d. standard error of the eigenvalues'
                // k-th powers bounds the draw-to-draw one from above (eigenvalues repel: a linear
                // spectral statistic fluctuates by O(1/n), the i.i.d. error is O(1/sqrt(n)))
                let xk: Vec<f64> = pooled.iter().map(|x| x.powi(k1)).collect();
                let (_, se_iid) = stats::mean_se(&xk);
                (
                    if se_iid.is_finite() { se_iid } else { 0.0 },
                    Z_MAX,
                    "one draw: i.i.d. SE of the eigenvalues (conservative)",
                )
            }
        };
        let mut c = Check::statistical(&format!("m{k1}"), mk, m, se, q, bias);
        c.rule = format!(
            "|obs - theory| <= {q:.2} x SE({se:.2e}) ({how}, level {LEVEL}) + {src} bias {bias:.2e}"
        );
        checks.push(c);
    }
    if s < 2 {
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
        let (m, se, q) = if s >= 2 {
            let (m, se) = stats::mean_se(&per);
            (m, se, noise::t_quantile(s, LEVEL))
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
            q,
            kb + 1.0 / n.max(1) as f64,
        ));
    }

    if let (Some(first), Some(last)) = (law.components.first(), law.components.last()) {
        if let (Some(mn), Some(mx)) = (cont.first(), cont.last()) {
            notes.push(format!(
                "edges: theory [{:.6}, {:.6}], sampled bulk [{:.6}, {:.6}] (soft check: Tracy-Widom scale n^-2/3)",
                first.lo, last.hi, mn, mx
            ));
        }
    }
    Ok(Checked {
        checks,
        notes,
        hist,
        range: (hist_lo, hist_hi),
    })
}

/// Half-width of the window counted as an atom at `a`.
pub fn atom_half_width(a: f64, width: f64, opts: &SpectralValidation) -> f64 {
    if a == 0.0 {
        1e-8 * width.max(1.0)
    } else {
        opts.atom_window * width
    }
}

/// CDF of the continuous part only.
fn cont_cdf(law: &SpectralDensity, x: f64) -> f64 {
    law.cdf(x)
        - law
            .atoms
            .iter()
            .filter(|a| a.0 <= x)
            .map(|a| a.1)
            .sum::<f64>()
}
