//! Exact finite-width posterior of a single-output Bayesian deep linear network
//! (docs/models/bayes.md (F17–F20)).
//!
//! Given the scalar mixing variable `q = Lambda prod_l chi2_{N_l}/N_l` (F4), the outputs are a GP with
//! kernel `q C`, so the posterior over `q` is one-dimensional:
//! `p(q | y) ∝ rho(q) N(y; 0, T + qC)` (F17), and the predictive law at a test point is the mixture of the
//! GP predictors F18 over it: mean `E[m(q)]`, variance `E[V(q)] + Var[m(q)]` (F19).
//!
//! Numerics: the prior density of `v = ln q - ln Lambda` is the convolution of the densities of
//! `ln(chi2_N/N)`, `p(v) = (N/2)^{N/2}/Gamma(N/2) exp((N/2)(v - e^v))`, each tabulated on a uniform grid
//! (cut where it falls below `e^{-45}` of its mode; step `min_l sd_l / 40`) and convolved discretely
//! (trapezoidal rule, spectrally accurate for these smooth, fast-decaying densities). Posterior weights
//! use log-sum-exp.

use super::dln::BayesDln;
use super::gp::{EigenGram, Prediction};
use crate::error::{Error, Result};
use serde::Serialize;
use statrs::function::gamma::ln_gamma;

/// Exact posterior summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactPosterior {
    /// Posterior mean `E[q | y]` of the kernel scale.
    pub mean_q: f64,
    /// Predictive mean and variance at the test points (mixture F19).
    pub prediction: Prediction,
    /// `ln p(y)`, the log evidence of the finite network.
    pub log_evidence: f64,
    /// Number of grid points in `ln q`.
    pub grid_points: usize,
}

fn log_density_lnchi2(n: f64, v: f64) -> f64 {
    let k = n / 2.0;
    k * k.ln() - ln_gamma(k) + k * (v - v.exp())
}

/// Where `(N/2)(v - e^v + 1)` drops to `-45` on the side `sign` (bisection; monotone on each side).
fn cut(n: f64, sign: f64) -> f64 {
    let f = |v: f64| n / 2.0 * (v - v.exp() + 1.0) + 45.0;
    let (mut a, mut b) = (0.0, sign);
    while f(b) > 0.0 {
        b *= 2.0;
    }
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if f(m) > 0.0 {
            a = m;
        } else {
            b = m;
        }
    }
    b
}

/// Prior density of `v = sum_l ln(chi2_{N_l}/N_l)` on a uniform grid: `(v_0, h, density)`.
pub fn log_q_prior_grid(widths: &[usize]) -> Result<(f64, f64, Vec<f64>)> {
    let sd = |n: f64| (2.0 / n).sqrt() * (1.0 + 1.0 / n);
    let h = widths
        .iter()
        .map(|&n| sd(n as f64))
        .fold(f64::INFINITY, f64::min)
        / 40.0;
    let mut total = 0usize;
    let mut start = 0.0;
    let mut dens: Vec<f64> = vec![];
    for (k, &n) in widths.iter().enumerate() {
        let n = n as f64;
        let (lo, hi) = (cut(n, -1.0), cut(n, 1.0));
        let m = ((hi - lo) / h).ceil() as usize + 1;
        total += m;
        if total > 400_000 {
            return Err(Error::Domain(format!(
                "exact posterior grid would need {total} points in ln q (too many layers or too different widths); \
                 use the Gibbs sampler instead"
            )));
        }
        let p: Vec<f64> = (0..m)
            .map(|i| log_density_lnchi2(n, lo + i as f64 * h).exp())
            .collect();
        if k == 0 {
            start = lo;
            dens = p;
        } else {
            let mut c = vec![0.0; dens.len() + m - 1];
            for (i, &a) in dens.iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for (j, &b) in p.iter().enumerate() {
                    c[i + j] += a * b * h;
                }
            }
            start += lo;
            dens = c;
        }
    }
    Ok((start, h, dens))
}

/// Exact posterior of the finite-width network (single output, `T > 0`).
pub fn exact_posterior(model: &BayesDln, eg: &EigenGram) -> Result<ExactPosterior> {
    eg.require_single_output("the exact scalar-mixing posterior")?;
    let t = model.temperature;
    if t <= 0.0 {
        return Err(Error::param(
            "temperature",
            t,
            "> 0 for the exact finite-width posterior",
        ));
    }
    let (v0, h, dens) = log_q_prior_grid(&model.widths)?;
    let ln_lambda = model.lambda().ln();
    let mut logw = Vec::with_capacity(dens.len());
    let mut qs = Vec::with_capacity(dens.len());
    for (i, &d) in dens.iter().enumerate() {
        let q = (ln_lambda + v0 + i as f64 * h).exp();
        qs.push(q);
        logw.push(if d > 0.0 {
            d.ln() + eg.log_evidence(q, t)
        } else {
            f64::NEG_INFINITY
        });
    }
    let mx = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !mx.is_finite() {
        return Err(Error::Domain(
            "exact posterior: likelihood underflows on the whole grid".into(),
        ));
    }
    let w: Vec<f64> = logw.iter().map(|&l| (l - mx).exp()).collect();
    let z: f64 = w.iter().sum();
    let log_evidence = mx + (z * h).ln();
    let pt = eg.c00.len();
    let (mut em, mut em2, mut ev) = (vec![0.0; pt], vec![0.0; pt], vec![0.0; pt]);
    let mut eq = 0.0;
    for (&wi, &q) in w.iter().zip(&qs) {
        if wi < 1e-300 {
            continue;
        }
        let wi = wi / z;
        eq += wi * q;
        let (m, v) = eg.predict_raw(q, t);
        for k in 0..pt {
            em[k] += wi * m[k];
            em2[k] += wi * m[k] * m[k];
            ev[k] += wi * v[k];
        }
    }
    let var: Vec<f64> = (0..pt)
        .map(|k| ev[k] + (em2[k] - em[k] * em[k]).max(0.0))
        .collect();
    let y0: Vec<f64> = eg.y0.iter().map(|r| r[0]).collect();
    Ok(ExactPosterior {
        mean_q: eq,
        prediction: Prediction::new(em, var, &y0),
        log_evidence,
        grid_points: dens.len(),
    })
}
