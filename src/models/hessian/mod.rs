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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::mp::MarchenkoPastur;
    use crate::spectral::{SpectralDensity, DEFAULT_NODES};

    #[test]
    fn zero_loss_is_the_wishart_part() {
        for phi in [0.3, 2.0] {
            let h = PbHessian::new(phi, 0.0, 1.7).unwrap();
            let mp = MarchenkoPastur::new(phi, 1.7).unwrap();
            for x in [0.2, 1.0, 2.5, 4.0] {
                let (a, b) = (h.density(x).unwrap(), mp.density_closed(x));
                // the affine node's density is the boundary value at η = 1e-10 σ
                assert!((a - b).abs() < 1e-9, "φ = {phi}, x = {x}: {a} vs {b}");
            }
            assert_eq!(h.negative_fraction().unwrap(), 0.0);
            let (sh, sm) = (h.support().unwrap(), mp.support().unwrap());
            assert_eq!(sh.components.len(), sm.components.len());
            for (a, b) in sh.components.iter().zip(&sm.components) {
                assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12);
            }
            assert_eq!(sh.atoms.len(), sm.atoms.len());
        }
    }

    #[test]
    fn moments_are_free_cumulant_sums() {
        // κ1 = σ, κ2 = σ²(φ + 2ε): m1 = σ, m2 = σ²(1 + φ + 2ε)
        let (phi, eps, s) = (0.4, 0.05, 1.3);
        let h = PbHessian::new(phi, eps, s).unwrap();
        let m = h.moments();
        assert!((m[0] - s).abs() < 1e-12);
        assert!((m[1] - s * s * (1.0 + phi + 2.0 * eps)).abs() < 1e-12);
        let tab = SpectralDensity::from_model(&h, DEFAULT_NODES).unwrap();
        assert!((tab.mass() - 1.0).abs() < 1e-6);
        assert!((tab.moment(2) - m[1]).abs() < 1e-5);
    }

    #[test]
    fn critical_loss_is_where_the_lower_edge_reaches_zero() {
        // the closed form against the engine's support: the lower edge crosses 0 at ε_c
        assert!((PbHessian::critical_loss(1e-12) - 0.125).abs() < 1e-10);
        assert_eq!(PbHessian::critical_loss(1.0), 0.0);
        for phi in [0.1, 0.5, 0.8] {
            let ec = PbHessian::critical_loss(phi);
            let lo = PbHessian::new(phi, ec, 1.0)
                .unwrap()
                .support()
                .unwrap()
                .components[0]
                .0;
            assert!(lo.abs() < 1e-7, "φ = {phi}: lower edge {lo} at ε_c = {ec}");
            let below = PbHessian::new(phi, ec * 0.99, 1.0).unwrap();
            assert_eq!(below.negative_fraction().unwrap(), 0.0);
            let above = PbHessian::new(phi, ec * 1.01, 1.0).unwrap();
            assert!(above.negative_fraction().unwrap() > 0.0);
        }
    }

    #[test]
    fn index_grows_with_the_loss_and_follows_the_three_halves_law() {
        let phi = 0.5;
        let ec = PbHessian::critical_loss(phi);
        let alpha = |e: f64| {
            PbHessian::new(phi, e, 1.0)
                .unwrap()
                .negative_fraction()
                .unwrap()
        };
        let mut last = 0.0;
        for e in [0.012, 0.02, 0.05, 0.1, 0.3, 1.0, 10.0, 1000.0] {
            let a = alpha(e);
            assert!(a > last, "α({e}) = {a} <= {last}");
            last = a;
        }
        // large loss: the semicircle dominates, α → 1/2 from below
        assert!(last < 0.5 && last > 0.49, "{last}");
        // α ∝ (ε − ε_c)^{3/2} near ε_c: local exponent from two nearby loss levels
        let (d1, d2) = (2e-3 * ec, 8e-3 * ec);
        let slope = (alpha(ec + d2) / alpha(ec + d1)).ln() / (d2 / d1).ln();
        assert!((slope - 1.5).abs() < 0.02, "exponent {slope}");
    }

    #[test]
    fn limits_in_phi() {
        // φ → 0: MP(φ) → δ₁, the law is 1 + SC(2ε) (variance 2ε + φ): α = semicircle mass below −1
        let eps = 0.3;
        let s2: f64 = 2.0 * eps + 1e-6;
        let u: f64 = -1.0 / (2.0 * s2.sqrt());
        let closed = 0.5 + (u * (1.0 - u * u).sqrt() + u.asin()) / std::f64::consts::PI;
        let a = PbHessian::new(1e-6, eps, 1.0)
            .unwrap()
            .negative_fraction()
            .unwrap();
        assert!((a - closed).abs() < 1e-4, "{a} vs {closed}");
        // φ > 1: the atom 1 − 1/φ of H₀ at 0 spreads symmetrically, α → (1 − 1/φ)/2 as ε → 0+
        let phi = 2.0;
        let a = PbHessian::new(phi, 1e-4, 1.0)
            .unwrap()
            .negative_fraction()
            .unwrap();
        assert!((a - 0.25).abs() < 5e-3, "{a}");
    }

    #[test]
    fn bad_parameters_are_typed_errors() {
        for (p, e, s) in [
            (0.0, 0.1, 1.0),
            (0.5, -0.1, 1.0),
            (0.5, 0.1, 0.0),
            (f64::NAN, 0.1, 1.0),
        ] {
            assert!(matches!(
                PbHessian::new(p, e, s),
                Err(Error::InvalidParameter { .. })
            ));
        }
    }
}
