//! The deep conjugate kernel in the linear-width regime (docs/models/ck-deep.md).
//!
//! Network: inputs `x_μ ∈ R^d` with `|x_μ|² = d` (`μ = 1..n`), `h_ℓ = W_ℓ x_{ℓ−1}/√N_{ℓ−1}`,
//! `x_ℓ = φ(h_ℓ)`, `W_ℓ` an `N_ℓ × N_{ℓ−1}` matrix of `N(0, σ_w²)` entries (`N_0 = d`), and
//! `CK_ℓ = X_ℓᵀ X_ℓ / N_ℓ` (`n × n`; `CK_0 = XᵀX/d`). In the limit `n, d, N_ℓ → ∞` at fixed ratios the
//! bulk of `CK_L` (its rank-one spike excluded) is, with `κ_0 = 0`, `q_0 = 1`,
//!
//! ```text
//! s_ℓ = σ_w² q_{ℓ−1},   c_ℓ = σ_w² κ_{ℓ−1}          (pre-activation variance, common covariance)
//! q_ℓ = E φ(u)²,  κ_ℓ = E φ(u) φ(v),  f_ℓ = E φ'(u) φ'(v),   (u, v) ~ N(0, [[s_ℓ, c_ℓ], [c_ℓ, s_ℓ]])
//! α_ℓ = σ_w² f_ℓ,   β_ℓ = q_ℓ − κ_ℓ − α_ℓ (q_{ℓ−1} − κ_{ℓ−1})
//! CK_0 = mp(n/d),   CK_ℓ = pop(α_ℓ CK_{ℓ−1} + β_ℓ, n/N_ℓ)
//! ```
//!
//! For a centred activation (`E φ(u) = 0` at every layer) `κ_ℓ = 0`, `f_ℓ = μ₁,ℓ² = (E φ'(√s_ℓ ξ))²`
//! and this is the recursion of Fan & Wang (2020, arXiv 2005.11879) in general variances:
//! `α_ℓ = σ_w² μ₁,ℓ²`, `β_ℓ = q_ℓ − μ₁,ℓ² s_ℓ`, and the mean eigenvalue is `m₁ = q_L`. For a non-centred
//! activation the features of layer `ℓ − 1` share a common mean, so the pre-activations of layer `ℓ`
//! have an O(1) common covariance `c_ℓ`: the kernel `E φ(u)φ(v)` is linearised at `c_ℓ`, not at 0, and
//! its slope is the dual-kernel derivative `f_ℓ` (Price's theorem), not `μ₁²`; `κ_ℓ n` is the spike
//! (mean eigenvalue of the bulk `q_L − κ_L`). The law is built with the engine's operations only
//! ([`Law::mp`], [`Law::affine`], [`Law::pop`]).

use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::fim::Activation;
use crate::models::free::{Expression, Law};
use crate::numerics::stieltjes::SolveStats;
use num_complex::Complex64 as C64;
use serde::Serialize;

/// Largest depth accepted.
pub const MAX_DEPTH: usize = 50;

/// Common covariances below this (relative to the variance) count as zero (centred activations).
const CENTRED_EPS: f64 = 1e-13;

/// The constants of one hidden layer `ℓ` (module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layer {
    /// Pre-activation variance `s_ℓ = σ_w² q_{ℓ−1}`.
    pub s: f64,
    /// Pre-activation common covariance `c_ℓ = σ_w² κ_{ℓ−1}` between two data points.
    pub c: f64,
    /// `q_ℓ = E φ(√s_ℓ ξ)²` (diagonal of `CK_ℓ`).
    pub q: f64,
    /// `μ₀,ℓ = E φ(√s_ℓ ξ)`.
    pub mu0: f64,
    /// `μ₁,ℓ = E φ'(√s_ℓ ξ)`.
    pub mu1: f64,
    /// `κ_ℓ = E φ(u) φ(v)` at covariance `c_ℓ` (common off-diagonal value of `CK_ℓ`; spike `≈ n κ_ℓ`).
    pub kappa: f64,
    /// Dual-kernel slope `f_ℓ = E φ'(u) φ'(v)` at covariance `c_ℓ` (`μ₁,ℓ²` when `c_ℓ = 0`).
    pub slope: f64,
    /// `α_ℓ = σ_w² f_ℓ`.
    pub alpha: f64,
    /// `β_ℓ = q_ℓ − κ_ℓ − α_ℓ (q_{ℓ−1} − κ_{ℓ−1})`.
    pub beta: f64,
    /// Centring constant `m_ℓ = E φ(√s_ℓ ξ)` subtracted from the activation at this layer
    /// ([`recursion_with`] with `centre`; 0 and not serialised otherwise).
    #[serde(skip_serializing_if = "is_zero")]
    pub shift: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The layer recursion of the module docs for `depth` layers (`q_0 = 1`, `κ_0 = 0`). The Gaussian
/// constants come from [`Activation::constants`] (closed forms or the shared Gauss–Hermite rule) and,
/// where the common covariance is nonzero, the bivariate kernels of [`Activation::pair_kernels`].
pub fn recursion(act: &Activation, sigma_w2: f64, depth: usize) -> Result<Vec<Layer>> {
    recursion_with(act, sigma_w2, depth, false)
}

/// [`recursion`], or with `centre` the recursion of the activation centred at every layer:
/// `φ_ℓ(x) = φ(x) − m_ℓ`, `m_ℓ = E φ(√s_ℓ ξ)` (the variance `s_ℓ` from the centred recursion
/// itself). Then every layer is centred for any `σ_w²` and activation: `c_ℓ = κ_ℓ = 0`,
/// `q_ℓ = E φ(√s_ℓ ξ)² − m_ℓ²`, `f_ℓ = μ₁,ℓ²` (a constant shift changes neither `φ'` nor `μ₁`),
/// `α_ℓ = σ_w² μ₁,ℓ²`, `β_ℓ = q_ℓ − α_ℓ q_{ℓ−1}`: the centred recursion of Fan & Wang (2020). The
/// constants are those of [`Activation::constants`] (closed forms for ReLU: `m_ℓ = √(s_ℓ/2π)`,
/// `q_ℓ = s_ℓ (1/2 − 1/2π)`, `μ₁ = 1/2`; no quadrature of a step).
pub fn recursion_with(
    act: &Activation,
    sigma_w2: f64,
    depth: usize,
    centre: bool,
) -> Result<Vec<Layer>> {
    check::positive("sigma_w2", sigma_w2)?;
    check::count("depth", depth, 1, MAX_DEPTH)?;
    let (mut q_prev, mut k_prev) = (1.0f64, 0.0f64);
    let mut out = Vec::with_capacity(depth);
    for l in 1..=depth {
        let s = sigma_w2 * q_prev;
        let mut c = sigma_w2 * k_prev;
        if !(s.is_finite() && s > 1e-150 && s < 1e150) {
            return Err(Error::Domain(format!(
                "depth {depth}: the pre-activation variance of layer {l} is {s:e} (the variance \
                 recursion q_l = E phi(sqrt(sigma_w2 q_(l-1)) xi)^2 vanished or diverged; lower the depth \
                 or change sigma_w2)"
            )));
        }
        if c.abs() <= CENTRED_EPS * s {
            c = 0.0;
        }
        let g = act.constants(s, 1.0)?;
        if centre {
            let q = g.eta - g.mu0 * g.mu0;
            let alpha = sigma_w2 * g.mu1 * g.mu1;
            let beta = q - alpha * q_prev;
            let beta = if beta < 0.0 && beta > -1e-12 * g.eta {
                0.0
            } else {
                beta
            };
            if !(q > 0.0 && beta >= 0.0 && alpha.is_finite()) {
                return Err(Error::Domain(format!(
                    "layer {l} (centred): variance q = {q}, alpha = {alpha}, beta = {beta} (need q > 0, \
                     beta >= 0)"
                )));
            }
            out.push(Layer {
                s,
                c: 0.0,
                q,
                mu0: 0.0,
                mu1: g.mu1,
                kappa: 0.0,
                slope: g.mu1 * g.mu1,
                alpha,
                beta,
                shift: g.mu0,
            });
            q_prev = q;
            continue;
        }
        let (kappa, slope) = if c == 0.0 {
            (g.mu0 * g.mu0, g.mu1 * g.mu1)
        } else {
            act.pair_kernels(s, c, s, None)?
        };
        let alpha = sigma_w2 * slope;
        let beta = g.eta - kappa - alpha * (q_prev - k_prev);
        // β is the variance of the nonlinear part: negative only by rounding
        let beta = if beta < 0.0 && beta > -1e-12 * g.eta {
            0.0
        } else {
            beta
        };
        if !(beta >= 0.0 && alpha.is_finite()) {
            return Err(Error::Domain(format!(
                "layer {l}: linear coefficient alpha = {alpha}, remainder beta = {beta} (beta must be >= 0)"
            )));
        }
        out.push(Layer {
            s,
            c,
            q: g.eta,
            mu0: g.mu0,
            mu1: g.mu1,
            kappa,
            slope,
            alpha,
            beta,
            shift: 0.0,
        });
        q_prev = g.eta;
        k_prev = if kappa.abs() <= CENTRED_EPS * g.eta {
            0.0
        } else {
            kappa
        };
    }
    Ok(out)
}

/// The law `CK_L` built with the engine's operations from the input ratio `n/d` and one
/// `(α_ℓ, β_ℓ, n/N_ℓ)` per layer: `pop(α_L · … pop(α_1 mp(n/d) + β_1, n/N_1) … + β_L, n/N_L)`.
pub fn law(n_over_d: f64, layers: &[(f64, f64, f64)]) -> Result<Law> {
    let mut k = Law::mp(n_over_d, 1.0)?;
    for &(alpha, beta, n_over_width) in layers {
        k = Law::pop(Law::affine(alpha, beta, k)?, n_over_width)?;
    }
    Ok(k)
}

/// The deep conjugate-kernel law: ratios, activation, the layer recursion and the engine's expression.
#[derive(Debug)]
pub struct DeepCk {
    activation: String,
    sigma_w2: f64,
    d_ratio: f64,
    width_ratios: Vec<f64>,
    layers: Vec<Layer>,
    expr: Expression,
    centred: bool,
}

impl DeepCk {
    /// The law for an activation, `σ_w²`, `d/n` and the ratios `N_ℓ/n` (one per layer; the depth is
    /// their number). Ratios in `[1e-4, 1e4]`, depth `1..=50`.
    pub fn new(
        act: &Activation,
        sigma_w2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
    ) -> Result<Self> {
        Self::with_centring(act, sigma_w2, d_ratio, width_ratios, false)
    }

    /// [`DeepCk::new`], or with `centre` the network whose activation is centred at every layer
    /// (`φ − E φ(√s_ℓ ξ)` at layer `ℓ`, [`recursion_with`]).
    pub fn with_centring(
        act: &Activation,
        sigma_w2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
        centre: bool,
    ) -> Result<Self> {
        check::in_range("d_ratio", d_ratio, 1e-4, 1e4)?;
        for &r in width_ratios {
            check::in_range("width_ratio", r, 1e-4, 1e4)?;
        }
        let layers = recursion_with(act, sigma_w2, width_ratios.len(), centre)?;
        let coef: Vec<(f64, f64, f64)> = layers
            .iter()
            .zip(width_ratios)
            .map(|(l, r)| (l.alpha, l.beta, 1.0 / r))
            .collect();
        let expr = Expression::from_law(law(1.0 / d_ratio, &coef)?);
        Ok(DeepCk {
            activation: act.name(),
            sigma_w2,
            d_ratio,
            width_ratios: width_ratios.to_vec(),
            layers,
            expr,
            centred: centre,
        })
    }

    /// The centring constants `m_ℓ` subtracted at each layer (all 0 unless centred).
    pub fn shifts(&self) -> Vec<f64> {
        self.layers.iter().map(|l| l.shift).collect()
    }

    /// The layer constants.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The engine's expression of the law.
    pub fn expression(&self) -> &Expression {
        &self.expr
    }

    /// Whether the last layer has a rank-one spike (`κ_L ≠ 0`: a non-centred activation), excluded
    /// from the law.
    pub fn has_spike(&self) -> bool {
        self.layers.last().is_some_and(|l| l.kappa != 0.0)
    }
}

impl SpectralModel for DeepCk {
    fn name(&self) -> String {
        "ck-deep".into()
    }
    fn params(&self) -> serde_json::Value {
        let mut p = serde_json::json!({
            "activation": self.activation,
            "sigma_w2": self.sigma_w2,
            "depth": self.layers.len(),
            "d_over_n": self.d_ratio,
            "width_over_n": self.width_ratios,
            "layers": self.layers,
            "expression": self.expr.canonical(),
        });
        if self.centred {
            p["centred"] = serde_json::json!("at every layer: phi - E phi(sqrt(s_l) xi)");
        }
        p
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
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        self.expr.density_diagnosed(xs)
    }
    fn tabulate(&self, nodes: usize) -> Result<crate::spectral::SpectralDensity> {
        self.expr.tabulate(nodes)
    }
    fn support(&self) -> Result<Support> {
        self.expr.support()
    }
    fn moments(&self) -> Vec<f64> {
        self.expr.moments()
    }
}
