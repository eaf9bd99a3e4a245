//! The loss Hessian of a shallow network at random initialisation with squared loss
//! (docs/models/hessian.md).
//!
//! For `ℓ(θ) = (1/2n) Σ_μ (f(x_μ; θ) − y_μ)²` the Hessian splits as `H = H₀ + H₁` with the
//! Gauss–Newton part `H₀ = JᵀJ/n` (`J` the `n × P` Jacobian; the Fisher information of the network)
//! and the residual part `H₁ = (1/n) Σ_μ r_μ ∇²f(x_μ)`, `r_μ = f(x_μ) − y_μ`.
//!
//! **The law (Pennington & Bahri, ICML 2017).** `H₀` is modelled as a Wishart matrix with ratio
//! `φ = P/n` (parameters per sample) and `H₁` as a Wigner matrix whose variance is set by the loss
//! level `ε`, free of each other. In units where `H₀` has mean eigenvalue `σ`:
//!
//! ```text
//! μ_H = σ · ( MP(φ) ⊞ SC(2ε) ),     R_H(w) = σ/(1 − σφw) + 2εσ² w
//! ```
//!
//! (`MP(φ)` the Marchenko–Pastur law of ratio `φ` and mean 1, `SC(s²)` the centred semicircle of
//! variance `s²`). The law is composed with the expression engine ([`Law::free_sum`], [`Law::mp`],
//! [`Law::sc`], [`Law::affine`]) and solved by its subordination solver; no second solver.
//!
//! **Index.** The fraction of negative eigenvalues `α(ε, φ) = μ_H((−∞, 0))` is integrated from the
//! law's density (Gauss–Legendre in the arcsine variable of each support component below 0). For
//! `φ < 1`, `α = 0` up to the critical loss (derived on the docs page from `z(G) = 0 = z'(G)` with
//! `z(G) = 1/G + 1/(1 − φG) + 2εG`)
//!
//! ```text
//! ε_c(φ) = (1 − 20φ − 8φ² + (1 + 8φ)^{3/2}) / 16,
//! ```
//!
//! and above it `α ∝ (ε − ε_c)^{3/2}` (a square-root edge crossing 0 linearly). For `φ > 1`,
//! `α → (1 − 1/φ)/2` as `ε → 0+` (the atom of `H₀` at 0 spreads symmetrically).
//!
//! * [`sampler`] — exact Hessians of finite networks (`f(x) = v·φ(Wx/√d)/√N`, both layers), with
//!   exact second derivatives, diagonalised densely.
//! * [`entry`] — `spectrum hessian`, `validate hessian` (registry).

pub mod entry;
pub mod sampler;

pub use sampler::{HessianSampler, Part};

use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::free::{Expression, Law};
use crate::numerics::quad::gauss_legendre;
use num_complex::Complex64 as C64;

/// Gauss–Legendre nodes of the negative-mass quadrature (per component).
const ALPHA_NODES: usize = 96;

/// The Pennington–Bahri law `σ (MP(φ) ⊞ SC(2ε))` (module docs).
#[derive(Debug)]
pub struct PbHessian {
    phi: f64,
    loss: f64,
    scale: f64,
    expr: Expression,
}

impl PbHessian {
    /// The law for `φ` in `[1e-6, 1e6]`, loss `ε` in `[0, 1e6]` and scale `σ` in `[1e-100, 1e100]`.
    /// `ε = 0` is the Marchenko–Pastur law `MP(φ, σ)` exactly.
    pub fn new(phi: f64, loss: f64, scale: f64) -> Result<Self> {
        let phi = check::in_range("phi", phi, 1e-6, 1e6)?;
        let loss = check::in_range("loss", loss, 0.0, 1e6)?;
        let scale = check::in_range("scale", scale, 1e-100, 1e100)?;
        let sum = Law::free_sum(Law::mp(phi, 1.0)?, Law::sc(2.0 * loss)?)?;
        let law = Law::affine(scale, 0.0, sum)?;
        Ok(PbHessian {
            phi,
            loss,
            scale,
            expr: Expression::from_law(law),
        })
    }

    /// `φ = P/n`.
    pub fn phi(&self) -> f64 {
        self.phi
    }

    /// The loss level `ε`.
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// The scale `σ` (mean eigenvalue).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The expression the law is solved as (canonical text, e.g. `2 * (mp(0.5) + sc(0.04))`).
    pub fn expression(&self) -> &Expression {
        &self.expr
    }

    /// The critical loss `ε_c(φ)` below which the law has no negative part: the closed form of the
    /// module docs for `φ < 1`, 0 for `φ ≥ 1` (the Wishart part touches 0).
    pub fn critical_loss(phi: f64) -> f64 {
        if phi >= 1.0 {
            return 0.0;
        }
        (1.0 - 20.0 * phi - 8.0 * phi * phi + (1.0 + 8.0 * phi).powf(1.5)) / 16.0
    }

    /// The fraction of negative eigenvalues `α(ε, φ) = μ((−∞, 0))` (independent of `σ`): on each
    /// support component `[lo, hi]` with `lo < 0`, `∫_lo^{min(hi, 0)} ρ` by Gauss–Legendre in
    /// `θ ∈ [0, π]`, `x = lo + (b − lo)(1 − cos θ)/2` (square-root edges become smooth integrands),
    /// plus the atoms below 0.
    pub fn negative_fraction(&self) -> Result<f64> {
        let s = self.expr.support()?;
        let rule = gauss_legendre(ALPHA_NODES)?;
        // a loop, not `sum()`: an empty float sum is −0
        let mut alpha: f64 = 0.0;
        for a in s.atoms.iter().filter(|a| a.0 < 0.0) {
            alpha += a.1;
        }
        for &(lo, hi) in &s.components {
            if lo >= 0.0 {
                continue;
            }
            let b = hi.min(0.0);
            let half = std::f64::consts::FRAC_PI_2;
            let thetas: Vec<f64> = rule.nodes.iter().map(|t| half * (t + 1.0)).collect();
            let xs: Vec<f64> = thetas
                .iter()
                .map(|th| lo + (b - lo) * (1.0 - th.cos()) / 2.0)
                .collect();
            let rho = self.expr.density_many(&xs)?;
            alpha += rule
                .weights
                .iter()
                .zip(&thetas)
                .zip(&rho)
                .map(|((w, th), r)| w * half * r * (b - lo) * th.sin() / 2.0)
                .sum::<f64>();
        }
        if !alpha.is_finite() {
            return Err(Error::Domain(format!(
                "negative fraction of `{}` is not finite",
                self.expr.canonical()
            )));
        }
        Ok(alpha.clamp(0.0, 1.0))
    }
}

impl SpectralModel for PbHessian {
    fn name(&self) -> String {
        "hessian".into()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "phi": self.phi, "loss": self.loss, "scale": self.scale,
            "expression": self.expr.canonical(),
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        self.expr.stieltjes(z)
    }
    fn density(&self, x: f64) -> Result<f64> {
        self.expr.density(x)
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        self.expr.density_many(xs)
    }
    fn density_diagnosed(
        &self,
        xs: &[f64],
    ) -> Result<(Vec<f64>, crate::numerics::stieltjes::SolveStats)> {
        self.expr.density_diagnosed(xs)
    }
    fn support(&self) -> Result<Support> {
        self.expr.support()
    }
    fn moments(&self) -> Vec<f64> {
        self.expr.moments()
    }
}
