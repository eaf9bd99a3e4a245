//! Diagnostics for Markov-chain Monte Carlo output: effective sample size and batch-means errors.
//!
//! A correlated chain `x_1..x_n` has `Var(mean) = (sigma^2 / n) * tau`, with the integrated
//! autocorrelation time `tau = 1 + 2 sum_{k>=1} rho_k`. The effective sample size is `n / tau`.
//! `tau` is estimated with Geyer's initial-positive-sequence estimator (Geyer 1992, Stat. Sci. 7, 473):
//! sum the autocorrelations in pairs `Gamma_m = rho_{2m} + rho_{2m+1}` while they stay positive.

use serde::{Deserialize, Serialize};

/// Summary of one scalar chain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Sample mean.
    pub mean: f64,
    /// Sample variance (of the values, not of the mean).
    pub variance: f64,
    /// Integrated autocorrelation time `tau >= 1` (Geyer IPS).
    pub tau: f64,
    /// Effective sample size `n / tau`.
    pub ess: f64,
    /// Standard error of the mean, `sqrt(variance / ess)`.
    pub se: f64,
}

/// Sample autocorrelations `rho_0..rho_{max_lag}` (biased normalisation `1/n`, which keeps the sequence
/// positive definite).
pub fn autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return vec![1.0];
    }
    let m = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let c0 = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let max_lag = max_lag.min(n - 1);
    if c0 <= 0.0 {
        let mut r = vec![0.0; max_lag + 1];
        r[0] = 1.0;
        return r;
    }
    (0..=max_lag)
        .map(|k| (0..n - k).map(|i| d[i] * d[i + k]).sum::<f64>() / (n as f64 * c0))
        .collect()
}

/// Mean, variance, autocorrelation time (Geyer initial positive sequence), ESS and SE of a chain.
pub fn summarize(x: &[f64]) -> ChainSummary {
    let n = x.len();
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf.max(1.0);
    let variance = if n > 1 {
        x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)
    } else {
        f64::NAN
    };
    if n < 4 || variance <= 0.0 {
        return ChainSummary {
            mean,
            variance,
            tau: 1.0,
            ess: nf,
            se: (variance.max(0.0) / nf).sqrt(),
        };
    }
    // Autocorrelations are needed up to the first non-positive pair; grow the window if needed.
    let mut max_lag = (n / 2).min(2000);
    loop {
        let rho = autocorrelation(x, max_lag);
        let mut tau = -1.0;
        let mut m = 0;
        let mut closed = false;
        while 2 * m + 1 < rho.len() {
            let g = rho[2 * m] + rho[2 * m + 1];
            if g <= 0.0 {
                closed = true;
                break;
            }
            tau += 2.0 * g;
            m += 1;
        }
        if closed || max_lag >= n - 1 {
            let tau = tau.max(1.0).min(nf);
            let ess = nf / tau;
            return ChainSummary {
                mean,
                variance,
                tau,
                ess,
                se: (variance / ess).sqrt(),
            };
        }
        max_lag = (2 * max_lag).min(n - 1);
    }
}

/// Batch-means estimate: mean and standard error from `batches` contiguous batches.
pub fn batch_means(x: &[f64], batches: usize) -> (f64, f64) {
    let b = batches.max(2).min(x.len().max(2));
    let len = x.len() / b;
    if len == 0 {
        return mean_se(x);
    }
    let means: Vec<f64> = (0..b)
        .map(|k| x[k * len..(k + 1) * len].iter().sum::<f64>() / len as f64)
        .collect();
    mean_se(&means)
}

/// Mean and standard error of the mean of independent values.
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (m, f64::INFINITY);
    }
    let v = values.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}
