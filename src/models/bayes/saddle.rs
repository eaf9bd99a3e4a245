//! The scalar saddle point of the proportional-limit action (docs/models/bayes.md (F22–F23)),
//! shared by the deep linear network (kernel `C`) and the one-hidden-layer nonlinear network
//! (kernel `K`, F32).
//!
//! Action, with reference width `N = N_1` and `q = Lambda prod_l Q_l`:
//! `S(Q_1..Q_L) = sum_l (N_l/N)(Q_l - ln Q_l) + (1/N) Phi(q)`, `Phi(q) = ln det(T + qC) + y^T (T + qC)^{-1} y`.
//! Stationarity gives `Q_l = 1 - alpha_l g(q)`, `alpha_l = P/N_l`, which reduces to one equation in
//! `u = ln q`: `F(u) = u - ln Lambda - sum_l ln(1 - alpha_l g(e^u)) = 0`. The root is bracketed by a scan of
//! `u` on `[ln Lambda - 30, ln Lambda + 30]` restricted to the physical domain (`1 - alpha_l g > 0` for all
//! `l`) and refined with Brent's method (`roots` crate). If several roots exist the one with the smallest
//! action is returned; if none exists a [`Error::Domain`] is raised.

use crate::error::{Error, Result};
use serde::Serialize;

/// Solution of the scalar saddle-point problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalarRoot {
    /// Per-layer order parameters `Q_l*`.
    pub q_layers: Vec<f64>,
    /// Renormalisation of the kernel `q* = Lambda prod_l Q_l*`.
    pub q: f64,
    /// Value of the action `S(Q*)` (F22, reference width `N_1`).
    pub action: f64,
    /// `|F(ln q*)|`, the residual of the reduced equation.
    pub residual: f64,
    /// Number of distinct roots found in the physical domain.
    pub roots_found: usize,
}

/// Problem definition: widths (as floats), `P`, `ln Lambda`, `g(q)` and `Phi(q)`.
pub struct ScalarProblem<'a> {
    /// Hidden-layer widths `N_1..N_L`.
    pub widths: &'a [f64],
    /// Number of training points.
    pub p: f64,
    /// `ln Lambda`, the log of the product of the hidden/readout variances.
    pub ln_lambda: f64,
    /// `g(q)` of F23.
    pub g: &'a dyn Fn(f64) -> f64,
    /// `Phi(q)` (for the value of the action).
    pub phi: &'a dyn Fn(f64) -> f64,
}

impl ScalarProblem<'_> {
    fn layers(&self, q: f64) -> Option<Vec<f64>> {
        let g = (self.g)(q);
        let v: Vec<f64> = self.widths.iter().map(|&n| 1.0 - self.p / n * g).collect();
        if g.is_finite() && v.iter().all(|&x| x > 0.0) {
            Some(v)
        } else {
            None
        }
    }

    fn f(&self, u: f64) -> Option<f64> {
        let ql = self.layers(u.exp())?;
        Some(u - self.ln_lambda - ql.iter().map(|x| x.ln()).sum::<f64>())
    }

    /// Action `S` at the layer order parameters `ql`.
    pub fn action(&self, ql: &[f64]) -> f64 {
        let n = self.widths[0];
        let q = self.ln_lambda.exp() * ql.iter().product::<f64>();
        ql.iter()
            .zip(self.widths)
            .map(|(&x, &nl)| nl / n * (x - x.ln()))
            .sum::<f64>()
            + (self.phi)(q) / n
    }

    /// Solve: scan, bracket, Brent, and pick the root of smallest action.
    pub fn solve(&self) -> Result<ScalarRoot> {
        const SCAN: usize = 2400;
        let (lo, hi) = (self.ln_lambda - 30.0, self.ln_lambda + 30.0);
        let us: Vec<f64> = (0..=SCAN)
            .map(|k| lo + (hi - lo) * k as f64 / SCAN as f64)
            .collect();
        let fs: Vec<Option<f64>> = us.iter().map(|&u| self.f(u)).collect();
        let mut roots: Vec<f64> = vec![];
        for k in 0..SCAN {
            if let (Some(a), Some(b)) = (fs[k], fs[k + 1]) {
                if a == 0.0 {
                    roots.push(us[k]);
                } else if a * b < 0.0 {
                    let mut conv = roots::SimpleConvergency {
                        eps: 1e-15,
                        max_iter: 200,
                    };
                    let f = |u: f64| self.f(u).unwrap_or(f64::INFINITY);
                    match roots::find_root_brent(us[k], us[k + 1], f, &mut conv) {
                        Ok(u) => roots.push(u),
                        Err(e) => {
                            return Err(Error::NotConverged {
                                what: format!(
                                    "saddle point (Brent on ln q in [{}, {}]): {e}",
                                    us[k],
                                    us[k + 1]
                                ),
                                iterations: 200,
                                residual: a.abs().min(b.abs()),
                                tolerance: 1e-15,
                            })
                        }
                    }
                }
            }
        }
        if roots.is_empty() {
            let valid = fs.iter().filter(|f| f.is_some()).count();
            return Err(Error::Domain(format!(
                "no saddle point in the physical domain (all Q_l > 0) for ln q in [{lo:.1}, {hi:.1}] \
                 ({valid} of {} scan points admissible); the proportional-limit theory has no solution here",
                SCAN + 1
            )));
        }
        let mut best: Option<ScalarRoot> = None;
        for &u in &roots {
            let ql = self.layers(u.exp()).expect("root lies in the domain");
            let action = self.action(&ql);
            let cand = ScalarRoot {
                q: self.ln_lambda.exp() * ql.iter().product::<f64>(),
                q_layers: ql,
                action,
                residual: self.f(u).map(f64::abs).unwrap_or(f64::INFINITY),
                roots_found: roots.len(),
            };
            if best.as_ref().is_none_or(|b| cand.action < b.action) {
                best = Some(cand);
            }
        }
        let best = best.expect("at least one root");
        if best.residual.is_nan() || best.residual >= 1e-9 {
            return Err(Error::NotConverged {
                what: "saddle point (reduced equation in ln q)".into(),
                iterations: 200,
                residual: best.residual,
                tolerance: 1e-9,
            });
        }
        Ok(best)
    }
}
