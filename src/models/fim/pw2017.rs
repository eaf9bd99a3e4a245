//! Pennington & Worah 2017, conjugate-kernel Gram `M = YYᵀ/m` in the paper's own normalisation
//! (docs/models/fim.md (F26–F28)), by its quartic — an algebraic route independent of the F16 fixed
//! point.
//!
//! `Y = f(WX)`, `W ∈ R^{n1×n0}` with entries `N(0, σ_w²/n0)`, `X ∈ R^{n0×m}` with entries `N(0, σ_x²)`,
//! `φ = n0/m`, `ψ = n0/n1`, `f` of zero Gaussian mean; `η = E f(σ_w σ_x z)²`,
//! `ζ = (σ_w σ_x E f'(σ_w σ_x z))²`. With PW's `G(z) = ∫ ρ(t)/(z - t) dt = -g(z)`:
//!
//! ```text
//! G(z) = (ψ/z) P(1/(zψ)) + (1 - ψ)/z,
//! (P - 1 - (η - ζ) Q)(1 - ζ Q) - ζ Q = 0,   Q = t (1 + (P - 1)φ)(1 + (P - 1)ψ),   t = 1/(zψ),
//! ```
//!
//! a quartic in `P`. Root selection: at `z = x + i` the root with `Im G < 0` nearest `1/z`, then
//! nearest-root continuation as `Im z` decreases (docs/models/fim.md, "Numerical methods", step 4).
//! The link to this crate's CK law is
//! `ρ_M(x) = r² ρ_CK(r x)`, `r = n/N = φ^{-1} ψ`, with `α = n/d = 1/φ`, `γ = d/N = ψ` (F28).

use crate::error::{check, Error, Result};
use crate::numerics::poly;
use num_complex::Complex64 as C64;

/// PW2017's law of `M`, evaluated through the F27 quartic.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pw2017 {
    /// `φ = n0/m`.
    pub phi: f64,
    /// `ψ = n0/n1`.
    pub psi: f64,
    /// `η`.
    pub eta: f64,
    /// `ζ`.
    pub zeta: f64,
}

fn mul(a: &[C64], b: &[C64]) -> Vec<C64> {
    let mut out = vec![C64::new(0.0, 0.0); a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

impl Pw2017 {
    /// Validated parameters: `φ, ψ` in `[1e-4, 1e4]` (the ratio range of [`super::Ratios`]),
    /// `η` in `[1e-100, 1e100]`, `0 <= ζ <= η`.
    pub fn new(phi: f64, psi: f64, eta: f64, zeta: f64) -> Result<Self> {
        check::in_range("phi", phi, 1e-4, 1e4)?;
        check::in_range("psi", psi, 1e-4, 1e4)?;
        check::in_range("eta", eta, 1e-100, 1e100)?;
        check::in_range("zeta", zeta, 0.0, eta)?;
        Ok(Pw2017 {
            phi,
            psi,
            eta,
            zeta,
        })
    }

    /// Coefficients (ascending in `P`) of the F27 quartic at `z`.
    pub fn quartic(&self, z: C64) -> Vec<C64> {
        let (f, s, e, zt) = (self.phi, self.psi, self.eta - self.zeta, self.zeta);
        let t = (z * s).inv();
        let c = |v: f64| C64::new(v, 0.0);
        let q = mul(&[c(1.0 - f), c(f)], &[c(1.0 - s), c(s)])
            .into_iter()
            .map(|v| v * t)
            .collect::<Vec<_>>();
        let a = vec![c(-1.0) - q[0] * e, c(1.0) - q[1] * e, -q[2] * e];
        let b = vec![c(1.0) - q[0] * zt, -q[1] * zt, -q[2] * zt];
        let mut p = mul(&a, &b);
        for (k, qk) in q.iter().enumerate() {
            p[k] -= qk * zt;
        }
        while p.len() > 1 && p.last().is_some_and(|v| v.norm() == 0.0) {
            p.pop();
        }
        p
    }

    fn g_of_p(&self, z: C64, p: C64) -> C64 {
        p * (self.psi / z) + (1.0 - self.psi) / z
    }

    /// PW's `G(x + iη)` by continuation from `η = 1`.
    pub fn g_pw(&self, x: f64, eta: f64) -> Result<C64> {
        check::finite("x", x)?;
        check::positive("eta", eta)?;
        let mut e = 1.0f64.max(eta);
        let z0 = C64::new(x, e);
        let roots = poly::roots(&self.quartic(z0))?;
        let mut g = roots
            .iter()
            .map(|&p| self.g_of_p(z0, p))
            .filter(|g| g.im < 0.0)
            .min_by(|a, b| (a - z0.inv()).norm().total_cmp(&(b - z0.inv()).norm()))
            .ok_or_else(|| Error::Domain(format!("F27: no root with Im G < 0 at {z0}")))?;
        while e > eta {
            e = (e / 1.5).max(eta);
            let z = C64::new(x, e);
            let roots = poly::roots(&self.quartic(z))?;
            g = roots
                .iter()
                .map(|&p| self.g_of_p(z, p))
                .min_by(|a, b| (a - g).norm().total_cmp(&(b - g).norm()))
                .ok_or_else(|| Error::Domain("F27: no roots".into()))?;
        }
        Ok(g)
    }

    /// Density `-Im G(x + i0)/π` (η = 1e-9).
    pub fn density(&self, x: f64) -> Result<f64> {
        Ok((-self.g_pw(x, 1e-9)?.im / std::f64::consts::PI).max(0.0))
    }
}
