//! Exact finite-width posterior of a multi-output Bayesian deep linear network
//! (docs/models/bayes.md (F17–F19, F21)), by self-normalised importance sampling with prior draws
//! of the `D x D` mixing matrix `Q`.
//!
//! Given `Q = M M^T`, `M = sqrt(Lambda) W^(L) ... W^(1) / sqrt(N_1 ... N_L)` (`D x N_1`, F1), the outputs
//! are a GP with covariance `Q (x) C`, so `p(Q | Y) ∝ rho(Q) N(vec Y; 0, T + Q (x) C)` (F17) and the
//! predictive law is the mixture of the conditional GP predictors F18 (mean `E[m]`, covariance
//! `E[V] + Cov[m]`, F19). Prior draws (exact, F2): `Q_L = G G^T / N_L`, then
//! `Q_l = R G G^T R^T / N_l` with `R = chol(Q_{l+1})` and `G` a fresh `D x N_l` standard Gaussian matrix
//! (the columns of `M_{l+1} W^(l)` are iid `N(0, Q_{l+1})` given `M_{l+1}`), times `Lambda`.
//! Each draw costs `O(D^2 (N + P))` with the eigen formulas of F21.
//!
//! Weights `w_k = N(vec Y; 0, T + Q_k (x) C)` are handled in log space; every statistic `E[f]` is the
//! ratio estimator `sum w f / sum w` with the delta-method standard error
//! `sqrt(sum w^2 (f - E f)^2) / sum w`, and the importance-sampling effective sample size is
//! `(sum w)^2 / sum w^2`. Draws are split in blocks of [`BLOCK`] with one random stream per block
//! (`rng::stream(seed, block)`), so results do not depend on the thread count. Importance sampling from
//! the prior collapses when `P D` is large compared with `N` (docs/models/bayes.md, "Numerical
//! notes"); the ESS is reported and a typed error is raised when it falls below 100.

use super::gp::EigenGram;
use super::multi::{phi_kernel, predict_raw_q, rows};
use super::posterior::Estimate;
use crate::error::{check, Error, Result};
use crate::rng::{normals, stream};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

/// Prior draws per random stream.
pub const BLOCK: usize = 4096;

/// Exact multi-output posterior summaries (with importance-sampling standard errors).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactMulti {
    /// `E[Q | Y]` (`D x D`).
    pub mean_q: Vec<Vec<Estimate>>,
    /// Predictive mean `mean[t][d]`.
    pub mean: Vec<Vec<Estimate>>,
    /// Predictive covariance `cov[t][a][b]` (`E[V] + Cov[m]`).
    pub cov: Vec<Vec<Vec<Estimate>>>,
    /// Per-output generalization error (F19 / D) from the point estimates.
    pub eps_g: f64,
    /// Importance-sampling effective sample size.
    pub ess: f64,
    /// Number of prior draws.
    pub draws: usize,
}

#[derive(Clone)]
struct Acc {
    max: f64,
    sw: f64,
    sw2: f64,
    swf: Vec<f64>,
    sw2f: Vec<f64>,
    sw2f2: Vec<f64>,
}

impl Acc {
    fn new(k: usize) -> Self {
        Acc {
            max: f64::NEG_INFINITY,
            sw: 0.0,
            sw2: 0.0,
            swf: vec![0.0; k],
            sw2f: vec![0.0; k],
            sw2f2: vec![0.0; k],
        }
    }
    fn rescale(&mut self, new_max: f64) {
        if self.max == new_max || self.max == f64::NEG_INFINITY {
            self.max = new_max;
            return;
        }
        let r = (self.max - new_max).exp();
        self.sw *= r;
        self.sw2 *= r * r;
        self.swf.iter_mut().for_each(|v| *v *= r);
        self.sw2f.iter_mut().for_each(|v| *v *= r * r);
        self.sw2f2.iter_mut().for_each(|v| *v *= r * r);
        self.max = new_max;
    }
    fn push(&mut self, logw: f64, f: &[f64]) {
        if logw > self.max {
            self.rescale(logw);
        }
        let w = (logw - self.max).exp();
        self.sw += w;
        self.sw2 += w * w;
        for (k, &v) in f.iter().enumerate() {
            self.swf[k] += w * v;
            self.sw2f[k] += w * w * v;
            self.sw2f2[k] += w * w * v * v;
        }
    }
    fn merge(mut self, mut o: Acc) -> Acc {
        let m = self.max.max(o.max);
        self.rescale(m);
        o.rescale(m);
        self.sw += o.sw;
        self.sw2 += o.sw2;
        for k in 0..self.swf.len() {
            self.swf[k] += o.swf[k];
            self.sw2f[k] += o.sw2f[k];
            self.sw2f2[k] += o.sw2f2[k];
        }
        self
    }
    fn estimate(&self, k: usize) -> Estimate {
        let f = self.swf[k] / self.sw;
        let v = (self.sw2f2[k] - 2.0 * f * self.sw2f[k] + f * f * self.sw2).max(0.0);
        Estimate {
            value: f,
            se: v.sqrt() / self.sw,
        }
    }
}

/// Exact posterior of the multi-output DLN with hidden widths `widths` (`N_1..N_L`), `Lambda`,
/// temperature `T > 0`, from `draws` prior draws (seeded).
pub fn exact_multi(
    eg: &EigenGram,
    widths: &[usize],
    lambda: f64,
    t: f64,
    draws: usize,
    seed: u64,
) -> Result<ExactMulti> {
    if widths.is_empty() {
        return Err(Error::param("depth", 0, "an integer >= 1"));
    }
    for &n in widths {
        check::count("width", n, 1, 100_000)?;
    }
    check::positive("Lambda", lambda)?;
    check::positive("temperature", t)?;
    check::count("draws", draws, 100, 1_000_000_000)?;
    let d = eg.d();
    let pt = eg.c00.len();
    let k_obs = pt * d + pt * d * d + d * d;
    let blocks = draws.div_ceil(BLOCK);
    let acc = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(seed, b as u64);
            let mut acc = Acc::new(k_obs);
            let n_here = BLOCK.min(draws - b * BLOCK);
            let mut f = vec![0.0; k_obs];
            for _ in 0..n_here {
                let mut q = DMatrix::<f64>::identity(d, d);
                for &n in widths.iter().rev() {
                    let g = DMatrix::from_vec(d, n, normals(&mut rng, d * n));
                    let r = match nalgebra::Cholesky::new(q.clone()) {
                        Some(c) => c.l(),
                        None => q.clone(), // rank-deficient (N < D): Q = 0 direction stays 0
                    };
                    let rg = r * g;
                    q = &rg * rg.transpose() / n as f64;
                }
                q *= lambda;
                let phi = phi_kernel(eg, &q, t);
                if !phi.is_finite() {
                    continue;
                }
                let (ms, vs) = predict_raw_q(eg, &q, t);
                let mut k = 0;
                for m in &ms {
                    for a in 0..d {
                        f[k] = m[a];
                        k += 1;
                    }
                }
                for (m, v) in ms.iter().zip(&vs) {
                    for a in 0..d {
                        for bb in 0..d {
                            f[k] = v[(a, bb)] + m[a] * m[bb];
                            k += 1;
                        }
                    }
                }
                for a in 0..d {
                    for bb in 0..d {
                        f[k] = q[(a, bb)];
                        k += 1;
                    }
                }
                acc.push(-0.5 * phi, &f);
            }
            acc
        })
        .reduce(|| Acc::new(k_obs), Acc::merge);
    let ess = acc.sw * acc.sw / acc.sw2;
    if ess.is_nan() || ess < 100.0 {
        return Err(Error::Domain(format!(
            "importance sampling from the prior collapsed (ESS {ess:.1} of {draws} draws): P D is too large \
             for this width; use the Gibbs sampler (validate dln-bayes)"
        )));
    }
    let mean: Vec<Vec<Estimate>> = (0..pt)
        .map(|ti| (0..d).map(|a| acc.estimate(ti * d + a)).collect())
        .collect();
    let off = pt * d;
    let cov: Vec<Vec<Vec<Estimate>>> = (0..pt)
        .map(|ti| {
            (0..d)
                .map(|a| {
                    (0..d)
                        .map(|bb| {
                            let e = acc.estimate(off + ti * d * d + a * d + bb);
                            Estimate {
                                value: e.value - mean[ti][a].value * mean[ti][bb].value,
                                se: e.se,
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let off = off + pt * d * d;
    let mean_q = (0..d)
        .map(|a| (0..d).map(|bb| acc.estimate(off + a * d + bb)).collect())
        .collect();
    let pm = super::multi::MultiPrediction::new(
        mean.iter()
            .map(|r| r.iter().map(|e| e.value).collect())
            .collect(),
        cov.iter()
            .map(|c| rows(&DMatrix::from_fn(d, d, |a, bb| c[a][bb].value)))
            .collect(),
        &eg.y0,
    );
    Ok(ExactMulti {
        mean_q,
        mean,
        cov,
        eps_g: pm.eps_g,
        ess,
        draws,
    })
}
