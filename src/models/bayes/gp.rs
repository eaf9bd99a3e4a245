//! Gaussian-process regression with a scaled kernel `q C`, evaluated in the eigenbasis of `C`.
//!
//! `C = U diag(l) U^T` is diagonalised once (`O(P^3)`, faer); with `y~ = U^T y`, `c~ = U^T c0`
//! every quantity below costs `O(P)` per test point (docs/models/bayes.md (F20)):
//!
//! * `Phi(q) = ln det(T + qC) + y^T (T + qC)^{-1} y = sum_j ln(T + q l_j) + y~_j^2 / (T + q l_j)`;
//! * `g(q) = (q/P) dPhi/dq = (1/P) sum_j [q l_j/(T + q l_j) - y~_j^2 q l_j/(T + q l_j)^2]` (F23);
//! * predictor (F25): `m = q sum_j c~_j y~_j / (T + q l_j)`, `V = q c00 - q^2 sum_j c~_j^2/(T + q l_j)`.

use super::data::Gram;
use crate::error::{Error, Result};
use serde::Serialize;

/// A Gram matrix in its eigenbasis, with projected labels and test overlaps.
#[derive(Debug, Clone)]
pub struct EigenGram {
    /// Eigenvalues `l_j >= 0` of `C` (round-off negatives clamped to 0).
    pub l: Vec<f64>,
    /// Projected labels `y~_d = U^T y_d`, one vector of length `P` per output.
    pub ytil: Vec<Vec<f64>>,
    /// Projected test overlaps `c~_t = U^T c0_t`, one per test point.
    pub ctil: Vec<Vec<f64>>,
    /// Test self-overlaps `c00_t`.
    pub c00: Vec<f64>,
    /// Test labels, `y0[t][d]`.
    pub y0: Vec<Vec<f64>>,
    /// Eigenvectors `U` (columns), kept for multi-output models.
    pub u: nalgebra::DMatrix<f64>,
}

/// Predictor statistics on the test points (one output).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Posterior mean at each test point.
    pub mean: Vec<f64>,
    /// Posterior variance at each test point.
    pub var: Vec<f64>,
    /// Mean over test points of `(y0 - m)^2`.
    pub bias2: f64,
    /// Mean over test points of `V`.
    pub variance: f64,
    /// Generalization error `bias2 + variance` (F19/F25).
    pub eps_g: f64,
}

impl Prediction {
    /// Build from means and variances and the test labels (bias/variance split of F19).
    pub fn new(mean: Vec<f64>, var: Vec<f64>, y0: &[f64]) -> Self {
        let n = mean.len().max(1) as f64;
        let bias2 = mean
            .iter()
            .zip(y0)
            .map(|(m, y)| (y - m).powi(2))
            .sum::<f64>()
            / n;
        let variance = var.iter().sum::<f64>() / n;
        Prediction {
            mean,
            var,
            bias2,
            variance,
            eps_g: bias2 + variance,
        }
    }
}

impl EigenGram {
    /// Diagonalise `C`. Error if `C` is not positive semi-definite (an eigenvalue below
    /// `-1e-10 max(1, l_max)`).
    pub fn new(g: &Gram) -> Result<Self> {
        let (mut l, u) = crate::numerics::linalg::sym_eigen(&g.c)?;
        let lmax = l.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        if let Some(&lmin) = l.first() {
            if lmin < -1e-10 * lmax.max(1.0) {
                return Err(Error::InvalidData(format!(
                    "Gram matrix is not positive semi-definite (smallest eigenvalue {lmin:.3e})"
                )));
            }
        }
        for v in l.iter_mut() {
            *v = v.max(0.0);
        }
        let ut = u.transpose();
        let ytil = (0..g.d())
            .map(|d| (&ut * g.y.column(d)).as_slice().to_vec())
            .collect();
        let c0t = &ut * g.c0.transpose();
        let ctil = (0..g.pt())
            .map(|t| c0t.column(t).as_slice().to_vec())
            .collect();
        let y0 = (0..g.pt())
            .map(|t| g.yt.row(t).iter().copied().collect())
            .collect();
        Ok(EigenGram {
            l,
            ytil,
            ctil,
            c00: g.c00.clone(),
            y0,
            u,
        })
    }

    /// Number of training points.
    pub fn p(&self) -> usize {
        self.l.len()
    }

    /// Number of outputs.
    pub fn d(&self) -> usize {
        self.ytil.len()
    }

    /// Error unless there is exactly one output.
    pub fn require_single_output(&self, what: &str) -> Result<()> {
        if self.d() != 1 {
            return Err(Error::Domain(format!(
                "{what} is the single-output theory; the data have D = {} outputs (use the multi-output saddle)",
                self.d()
            )));
        }
        Ok(())
    }

    /// `Phi(q) = ln det(T + qC) + y^T (T + qC)^{-1} y` for output 0.
    pub fn phi(&self, q: f64, t: f64) -> f64 {
        self.l
            .iter()
            .zip(&self.ytil[0])
            .map(|(&l, &y)| {
                let a = t + q * l;
                a.ln() + y * y / a
            })
            .sum()
    }

    /// `g(q)` of F23 for output 0.
    pub fn g(&self, q: f64, t: f64) -> f64 {
        let s: f64 = self
            .l
            .iter()
            .zip(&self.ytil[0])
            .map(|(&l, &y)| {
                let a = t + q * l;
                let ql = q * l;
                ql / a - y * y * ql / (a * a)
            })
            .sum();
        s / self.p() as f64
    }

    /// `-1/2 ln det(2 pi (T + qC)) - 1/2 y^T (T + qC)^{-1} y`, the log evidence at scale `q` (output 0).
    pub fn log_evidence(&self, q: f64, t: f64) -> f64 {
        -0.5 * (self.phi(q, t) + self.p() as f64 * (2.0 * std::f64::consts::PI).ln())
    }

    /// GP predictor with kernel `q C` and noise `T` (F25) for output 0: means and variances per test point.
    pub fn predict_raw(&self, q: f64, t: f64) -> (Vec<f64>, Vec<f64>) {
        let mut means = Vec::with_capacity(self.ctil.len());
        let mut vars = Vec::with_capacity(self.ctil.len());
        for (ct, &c00) in self.ctil.iter().zip(&self.c00) {
            let (mut m, mut v) = (0.0, 0.0);
            for ((&l, &y), &c) in self.l.iter().zip(&self.ytil[0]).zip(ct) {
                let a = t + q * l;
                m += c * y / a;
                v += c * c / a;
            }
            means.push(q * m);
            vars.push((q * c00 - q * q * v).max(0.0));
        }
        (means, vars)
    }

    /// [`EigenGram::predict_raw`] with the bias/variance split against the test labels (output 0).
    pub fn predict(&self, q: f64, t: f64) -> Prediction {
        let (m, v) = self.predict_raw(q, t);
        let y0: Vec<f64> = self.y0.iter().map(|r| r[0]).collect();
        Prediction::new(m, v, &y0)
    }

    /// Error unless `C` is invertible (`l_min > 1e-10 l_max`), as the `T = 0` formulas need.
    pub fn require_invertible(&self) -> Result<()> {
        let lmax = self.l.last().copied().unwrap_or(0.0);
        let lmin = self.l.first().copied().unwrap_or(0.0);
        if !(lmin > 1e-10 * lmax && lmax > 0.0) {
            return Err(Error::Domain(format!(
                "T = 0 needs an invertible Gram matrix (P <= N0); smallest/largest eigenvalue {lmin:.3e}/{lmax:.3e}; use T > 0"
            )));
        }
        Ok(())
    }

    /// `r = y^T C^{-1} y / P` (F26), output 0. Requires an invertible `C`.
    pub fn r(&self) -> Result<f64> {
        self.require_invertible()?;
        Ok(self
            .l
            .iter()
            .zip(&self.ytil[0])
            .map(|(&l, &y)| y * y / l)
            .sum::<f64>()
            / self.p() as f64)
    }

    /// `T = 0` predictor (F26): mean `c0^T C^{-1} y` and variance `q (c00 - c0^T C^{-1} c0)`.
    pub fn predict_t0(&self, q: f64) -> Result<Prediction> {
        self.require_invertible()?;
        let mut means = vec![];
        let mut vars = vec![];
        for (ct, &c00) in self.ctil.iter().zip(&self.c00) {
            let (mut m, mut v) = (0.0, 0.0);
            for ((&l, &y), &c) in self.l.iter().zip(&self.ytil[0]).zip(ct) {
                m += c * y / l;
                v += c * c / l;
            }
            means.push(m);
            vars.push((q * (c00 - v)).max(0.0));
        }
        let y0: Vec<f64> = self.y0.iter().map(|r| r[0]).collect();
        Ok(Prediction::new(means, vars, &y0))
    }
}
