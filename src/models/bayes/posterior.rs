//! Monte Carlo summaries of posterior samplers: traces of Rao–Blackwellised predictors and of the
//! order parameter, combined over independent chains into estimates with standard errors
//! (Geyer effective sample size per chain, [`crate::numerics::mcmc`]).
//!
//! Equation labels (F-numbers) are those of docs/models/bayes.md.

use crate::numerics::mcmc::summarize;
use serde::Serialize;

/// One chain's trace after burn-in. For each kept sweep: the conditional GP means at the test points
/// (`means[s][t * D + d]`), the conditional GP variance (`vars[s][t]`, shared by the outputs) and the
/// order parameter (`q[s]`: the scalar kernel scale, or `Q_11` for several outputs).
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Conditional means per kept sweep.
    pub means: Vec<Vec<f64>>,
    /// Conditional variances per kept sweep.
    pub vars: Vec<Vec<f64>>,
    /// Order parameter per kept sweep.
    pub q: Vec<f64>,
}

/// An estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Value.
    pub value: f64,
    /// Standard error (ESS-based, pooled over chains).
    pub se: f64,
}

/// Posterior predictive summaries over all chains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McSummary {
    /// Predictive mean per test point and output (`[t * D + d]`).
    pub mean: Vec<Estimate>,
    /// Predictive variance per test point and output: `E[V] + Var[m]`.
    pub var: Vec<Estimate>,
    /// Generalization error averaged over test points and outputs.
    pub eps_g: Estimate,
    /// Posterior mean of the order parameter.
    pub q: Estimate,
    /// Smallest effective sample size (summed over chains) among the monitored series.
    pub ess_min: f64,
    /// Number of chains and kept sweeps per chain.
    pub chains: usize,
    /// Kept sweeps per chain.
    pub kept: usize,
}

fn pooled(series: &[Vec<f64>]) -> (Estimate, f64) {
    let sums: Vec<_> = series.iter().map(|s| summarize(s)).collect();
    let c = sums.len() as f64;
    let value = sums.iter().map(|s| s.mean).sum::<f64>() / c;
    let se = (sums.iter().map(|s| s.se * s.se).sum::<f64>()).sqrt() / c;
    let ess = sums.iter().map(|s| s.ess).sum::<f64>();
    (Estimate { value, se }, ess)
}

/// Combine chains; `y0[t][d]` are the test labels.
pub fn combine(chains: &[Trace], y0: &[Vec<f64>]) -> McSummary {
    let pt = y0.len();
    let d = y0.first().map(|r| r.len()).unwrap_or(1);
    let mut ess_min = f64::INFINITY;
    let mut mean = vec![];
    let mut var = vec![];
    for t in 0..pt {
        for k in 0..d {
            let idx = t * d + k;
            let ms: Vec<Vec<f64>> = chains
                .iter()
                .map(|c| c.means.iter().map(|m| m[idx]).collect())
                .collect();
            let (em, ess) = pooled(&ms);
            ess_min = ess_min.min(ess);
            // per-sweep V + (m - mbar)^2 has expectation E V + Var m (up to O(1/n))
            let vs: Vec<Vec<f64>> = chains
                .iter()
                .map(|c| {
                    c.means
                        .iter()
                        .zip(&c.vars)
                        .map(|(m, v)| v[t] + (m[idx] - em.value).powi(2))
                        .collect()
                })
                .collect();
            let (ev, ess) = pooled(&vs);
            ess_min = ess_min.min(ess);
            mean.push(em);
            var.push(ev);
        }
    }
    let es: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            c.means
                .iter()
                .zip(&c.vars)
                .map(|(m, v)| {
                    let mut e = 0.0;
                    for t in 0..pt {
                        for k in 0..d {
                            e += (y0[t][k] - m[t * d + k]).powi(2) + v[t];
                        }
                    }
                    e / (pt * d).max(1) as f64
                })
                .collect()
        })
        .collect();
    let (eps_g, ess) = pooled(&es);
    ess_min = ess_min.min(ess);
    let qs: Vec<Vec<f64>> = chains.iter().map(|c| c.q.clone()).collect();
    let (q, ess) = pooled(&qs);
    ess_min = ess_min.min(ess);
    McSummary {
        mean,
        var,
        eps_g,
        q,
        ess_min,
        chains: chains.len(),
        kept: chains.first().map(|c| c.q.len()).unwrap_or(0),
    }
}

/// Predictive covariance between outputs `a` and `b` at test point `t` (`D` outputs):
/// `E[V] delta_ab + Cov[m_a, m_b]` (F19). The conditional GP variance of the sampled readout is shared by
/// the outputs and the conditional cross-covariance is zero, so the off-diagonal part comes entirely from
/// the spread of the conditional means across samples. Standard error pooled over chains (Geyer ESS).
pub fn predictive_cov(chains: &[Trace], t: usize, a: usize, b: usize, d: usize) -> Estimate {
    let (ia, ib) = (t * d + a, t * d + b);
    let mbar = |i: usize| {
        let (s, n) = chains.iter().fold((0.0, 0usize), |acc, c| {
            (
                acc.0 + c.means.iter().map(|m| m[i]).sum::<f64>(),
                acc.1 + c.means.len(),
            )
        });
        s / n.max(1) as f64
    };
    let (ma, mb) = (mbar(ia), mbar(ib));
    let series: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            c.means
                .iter()
                .zip(&c.vars)
                .map(|(m, v)| (m[ia] - ma) * (m[ib] - mb) + if a == b { v[t] } else { 0.0 })
                .collect()
        })
        .collect();
    pooled(&series).0
}
