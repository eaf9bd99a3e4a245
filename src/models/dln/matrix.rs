//! D x D statistics of the output-space mixing matrix `Q` (F8–F10, F16), for unit variances
//! (`E Q = I`); with variances `σ_l²` every `Q` is multiplied by `Λ = Π σ_l²`.
//!
//! Equation labels (F-numbers) are those of docs/models/dln-prior.md.

use crate::error::{Error, Result};
use crate::numerics::special::{digamma, trigamma};

/// Invariant second moments of `Q`: `A = E Q11²`, `B = E Q11 Q22`, `Γ = E Q12²` (orthogonal invariance:
/// `A = B + 2Γ`; independent of D).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QSecondMoments {
    /// `A = E Q11²`.
    pub a: f64,
    /// `B = E Q11 Q22`.
    pub b: f64,
    /// `Γ = E Q12²`.
    pub gam: f64,
}

impl QSecondMoments {
    /// Exact finite width (F8): start `(A, B, Γ) = (1, 1, 0)`; per factor of width N
    /// `A <- A(1 + 2/N)`, `B <- B + 2Γ/N`, `Γ <- Γ + (B + Γ)/N`.
    pub fn finite(widths: &[f64]) -> Self {
        let (mut a, mut b, mut g) = (1.0, 1.0, 0.0);
        for &n in widths {
            let (b0, g0) = (b, g);
            a *= 1.0 + 2.0 / n;
            b = b0 + 2.0 * g0 / n;
            g = g0 + (b0 + g0) / n;
        }
        QSecondMoments { a, b, gam: g }
    }

    /// Depth~width limit (F16): `A = e^{2a}`, `B = (e^{2a} + 2e^{-a})/3`, `Γ = (e^{2a} - e^{-a})/3`.
    pub fn limit(a: f64) -> Self {
        let (e2, em) = ((2.0 * a).exp(), (-a).exp());
        QSecondMoments {
            a: e2,
            b: (e2 + 2.0 * em) / 3.0,
            gam: (e2 - em) / 3.0,
        }
    }

    /// `Corr(f_1², f_2²) = (A - 1)/(3A - 1)` at one input (F10, F16): 0 for the NNGP.
    pub fn corr_sq(&self) -> f64 {
        (self.a - 1.0) / (3.0 * self.a - 1.0)
    }

    /// `E[f_1(x) f_2(x) f_1(y) f_2(y)] / Λ² = Γ (C_xx C_yy + C_xy²) + B C_xy²` (Isserlis given Q; F10
    /// with `C_xx = C_yy = 1`, `C_xy = ρ` gives `Γ + (B + Γ) ρ²`).
    pub fn cross(&self, cxx: f64, cxy: f64, cyy: f64) -> f64 {
        self.gam * (cxx * cyy + cxy * cxy) + self.b * cxy * cxy
    }
}

/// Moments of `ln det Q` and `E det Q` for D x D `Q` (F9, F16), unit variances.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogDet {
    /// `E ln det Q`.
    pub mean: f64,
    /// `Var ln det Q`.
    pub var: f64,
    /// `E det Q`.
    pub e_det: f64,
}

impl LogDet {
    /// Finite width (F9): `ln det Q = Σ_l Σ_{i<D} ln(χ²_{N_l - i}/N_l)`; needs `N_l >= D` (otherwise
    /// `Q` is singular).
    pub fn finite(widths: &[f64], d: usize) -> Result<Self> {
        let (mut mean, mut var, mut e_det) = (0.0, 0.0, 1.0);
        for &n in widths {
            if n < d as f64 {
                return Err(Error::Domain(format!(
                    "det Q = 0 almost surely: hidden width {n} < number of outputs {d}"
                )));
            }
            for i in 0..d {
                let k = 0.5 * (n - i as f64);
                mean += digamma(k) - (0.5 * n).ln();
                var += trigamma(k);
                e_det *= 1.0 - i as f64 / n;
            }
        }
        Ok(LogDet { mean, var, e_det })
    }

    /// Limit (F16): `ln det Q_a ~ N(-a D(D+1)/2, 2aD)`, `E det Q_a = e^{-a D(D-1)/2}`.
    pub fn limit(a: f64, d: usize) -> Self {
        let d = d as f64;
        LogDet {
            mean: -a * d * (d + 1.0) / 2.0,
            var: 2.0 * a * d,
            e_det: (-a * d * (d - 1.0) / 2.0).exp(),
        }
    }
}
