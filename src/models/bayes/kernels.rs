//! NNGP kernels of one hidden layer: `K(c11, c12, c22) = E[phi(h1) phi(h2)]`,
//! `(h1, h2) ~ N(0, [[c11, c12], [c12, c22]])` (docs/models/bayes.md (F30, F31)).
//!
//! * erf (F30): `K = (2/pi) arcsin(2 c12 / sqrt((1 + 2 c11)(1 + 2 c22)))`;
//! * ReLU (F31, arc-cosine): `u = c12/sqrt(c11 c22)` clipped to `[-1, 1]`,
//!   `K = sqrt(c11 c22)/(2 pi) [u (pi - arccos u) + sqrt(1 - u^2)]`; mean `E phi(h) = sqrt(c/(2 pi))`;
//! * identity: `K = c12`;
//! * any other activation (here `tanh`): tensor Gauss–Hermite double integral
//!   ([`crate::numerics::quad::gaussian_product_expectation_2d`], [`GH_NODES_2D`] nodes per axis).

use super::data::Gram;
use crate::error::{num, Error, Result};
use crate::numerics::quad::{gaussian_expectation, gaussian_product_expectation_2d};
use nalgebra::DMatrix;
use std::f64::consts::PI;

/// Gauss–Hermite nodes per axis for generic activations (erf: error <= 2e-9 for overlaps up to 2).
pub const GH_NODES_2D: usize = 64;

/// Activation functions with known (or quadrature) kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `phi(x) = x` (deep linear network).
    Id,
    /// `phi = erf` (closed-form kernel F30).
    Erf,
    /// `phi(x) = max(x, 0)` (arc-cosine kernel F31).
    Relu,
    /// `phi = tanh` (generic activation through Gauss–Hermite double integrals).
    Tanh,
}

impl Activation {
    /// `phi(x)`.
    pub fn phi(self, x: f64) -> f64 {
        match self {
            Activation::Id => x,
            Activation::Erf => crate::numerics::special::erf(x),
            Activation::Relu => x.max(0.0),
            Activation::Tanh => x.tanh(),
        }
    }

    /// Whether `phi` is odd (mean of `phi(h)` is zero for centred `h`).
    pub fn is_odd(self) -> bool {
        !matches!(self, Activation::Relu)
    }

    /// `K(c11, c12, c22)`. Error if the covariance is not positive semi-definite.
    pub fn kernel(self, c11: f64, c12: f64, c22: f64) -> Result<f64> {
        if !(c11 >= 0.0
            && c22 >= 0.0
            && c11.is_finite()
            && c22.is_finite()
            && c12 * c12 <= c11 * c22 * (1.0 + 1e-10) + 1e-300
            && c12.is_finite())
        {
            return Err(Error::InvalidData(format!(
                "overlaps (c11, c12, c22) = ({}, {}, {}) are not a covariance",
                num(c11),
                num(c12),
                num(c22)
            )));
        }
        Ok(match self {
            Activation::Id => c12,
            Activation::Erf => {
                // 2 c12 / sqrt((1 + 2 c11)(1 + 2 c22)), factored so that nothing overflows near
                // f64::MAX, and clamped so rounding never takes asin outside [-1, 1]
                let u = c12 / ((0.5 + c11).sqrt() * (0.5 + c22).sqrt());
                (2.0 / PI) * u.clamp(-1.0, 1.0).asin()
            }
            Activation::Relu => {
                let s = c11.sqrt() * c22.sqrt();
                if s == 0.0 {
                    return Ok(0.0);
                }
                let u = (c12 / s).clamp(-1.0, 1.0);
                s / (2.0 * PI) * (u * (PI - u.acos()) + (1.0 - u * u).sqrt())
            }
            Activation::Tanh => {
                if c11 == 0.0 {
                    return Ok(0.0);
                }
                gaussian_product_expectation_2d(f64::tanh, f64::tanh, c11, c12, c22, GH_NODES_2D)?
            }
        })
    }

    /// The kernel with its partial derivatives, `[κ, ∂κ/∂c11, ∂κ/∂c12, ∂κ/∂c22]`, for an off-diagonal
    /// entry (two distinct points). Closed forms for id, erf and ReLU (`∂κ/∂c12 = (π - acos u)/2π`,
    /// `∂κ/∂c11 = s √(1 - u²)/(4π c11)` with `s = √(c11 c22)`, `u = c12/s`); for tanh the exact
    /// derivative of the same tensor Gauss–Hermite rule as [`Activation::kernel`] (through the Cholesky
    /// factors `l11 = √c11`, `l21 = c12/l11`, `l22 = √(c22 - l21²)`), so that a gradient-based
    /// minimiser sees the derivative of the action it evaluates. A perfectly correlated pair (a
    /// degenerate factor) falls back to central differences of [`Activation::kernel`].
    pub fn kernel_grad(self, c11: f64, c12: f64, c22: f64) -> Result<[f64; 4]> {
        let k = self.kernel(c11, c12, c22)?;
        Ok(match self {
            Activation::Id => [k, 0.0, 1.0, 0.0],
            Activation::Erf => {
                let (a, b) = (0.5 + c11, 0.5 + c22);
                let r = a.sqrt() * b.sqrt();
                let u = (c12 / r).clamp(-1.0, 1.0);
                if 1.0 - u * u <= 1e-12 {
                    return self.kernel_grad_fd(k, c11, c12, c22);
                }
                let dk = (2.0 / PI) / (1.0 - u * u).sqrt();
                [k, -dk * u / (2.0 * a), dk / r, -dk * u / (2.0 * b)]
            }
            Activation::Relu => {
                let s = c11.sqrt() * c22.sqrt();
                if s == 0.0 {
                    return Ok([k, 0.0, 0.0, 0.0]);
                }
                let u = (c12 / s).clamp(-1.0, 1.0);
                let w = s * (1.0 - u * u).max(0.0).sqrt() / (4.0 * PI);
                [k, w / c11, (PI - u.acos()) / (2.0 * PI), w / c22]
            }
            Activation::Tanh => {
                if c11 == 0.0 {
                    return Ok([k, 0.0, 0.0, 0.0]);
                }
                let l11 = c11.sqrt();
                let l21 = c12 / l11;
                let l22 = (c22 - l21 * l21).max(0.0).sqrt();
                if l22 <= 1e-6 * (l11 + c22.sqrt()) {
                    return self.kernel_grad_fd(k, c11, c12, c22);
                }
                let rule = crate::numerics::quad::gauss_hermite(GH_NODES_2D)?;
                let (mut g11, mut g21, mut g22) = (0.0, 0.0, 0.0);
                for (&x, &wx) in rule.nodes.iter().zip(&rule.weights) {
                    let ta = (l11 * x).tanh();
                    let da = 1.0 - ta * ta;
                    for (&y, &wy) in rule.nodes.iter().zip(&rule.weights) {
                        let tb = (l21 * x + l22 * y).tanh();
                        let db = 1.0 - tb * tb;
                        let w = wx * wy;
                        g11 += w * x * da * tb;
                        g21 += w * x * ta * db;
                        g22 += w * y * ta * db;
                    }
                }
                // chain rule through (l11, l21, l22)(c11, c12, c22)
                let d21 = g21 - g22 * l21 / l22;
                [
                    k,
                    g11 / (2.0 * l11) - d21 * l21 / (2.0 * c11),
                    d21 / l11,
                    g22 / (2.0 * l22),
                ]
            }
        })
    }

    /// One-sided second-order differences of [`Activation::kernel`] for the degenerate pairs of
    /// [`Activation::kernel_grad`] (`c12² ≈ c11 c22`): steps that increase `c11`, `c22` and decrease
    /// `|c12|`, so every perturbed matrix stays a covariance.
    fn kernel_grad_fd(self, k: f64, c11: f64, c12: f64, c22: f64) -> Result<[f64; 4]> {
        let h = 1e-5 * (c11 + c22).max(1e-300);
        let one_sided = |f: &dyn Fn(f64) -> Result<f64>| -> Result<f64> {
            Ok((-3.0 * k + 4.0 * f(h)? - f(2.0 * h)?) / (2.0 * h))
        };
        let d11 = one_sided(&|t| self.kernel(c11 + t, c12, c22))?;
        let d22 = one_sided(&|t| self.kernel(c11, c12, c22 + t))?;
        let sg = if c12 < 0.0 { -1.0 } else { 1.0 };
        let d12 = -sg * one_sided(&|t| self.kernel(c11, c12 - sg * t, c22))?;
        Ok([k, d11, d12, d22])
    }

    /// The diagonal entry `κ(c, c, c)` with its derivative `d/dc`: `erf` `(1/π)/((½ + c)√(¼ + c))`,
    /// ReLU `½`, id 1; tanh the exact derivative of the Gauss–Hermite rule of [`Activation::kernel`].
    pub fn diag_kernel_grad(self, c: f64) -> Result<[f64; 2]> {
        let k = self.kernel(c, c, c)?;
        Ok(match self {
            Activation::Id => [k, 1.0],
            Activation::Erf => [k, (1.0 / PI) / ((0.5 + c) * (0.25 + c).sqrt())],
            Activation::Relu => [k, 0.5],
            Activation::Tanh => {
                if c == 0.0 {
                    return Ok([k, 0.0]);
                }
                let rule = crate::numerics::quad::gauss_hermite(GH_NODES_2D)?;
                let wy: f64 = rule.weights.iter().sum();
                let l = c.sqrt();
                let g: f64 = rule
                    .nodes
                    .iter()
                    .zip(&rule.weights)
                    .map(|(&x, &wx)| {
                        let t = (l * x).tanh();
                        wx * 2.0 * t * (1.0 - t * t) * x
                    })
                    .sum();
                [k, wy * g / (2.0 * l)]
            }
        })
    }

    /// `E phi(h)`, `h ~ N(0, c)` (zero for odd activations; `sqrt(c/(2 pi))` for ReLU).
    pub fn mean(self, c: f64) -> f64 {
        match self {
            Activation::Relu => (c.max(0.0) / (2.0 * PI)).sqrt(),
            Activation::Id | Activation::Erf | Activation::Tanh => 0.0,
        }
    }

    /// Generic `E[phi(h)]` by Gauss–Hermite (used to check [`Activation::mean`]).
    pub fn mean_quadrature(self, c: f64) -> f64 {
        gaussian_expectation(|x| self.phi(x), c.max(0.0).sqrt())
    }

    /// Apply the kernel map to a Gram structure: `K_{mu nu} = K(C_mumu, C_munu, C_nunu)`,
    /// `k0_{t mu} = K(c00_t, c0_{t mu}, C_mumu)`, `k00_t = K(c00_t, c00_t, c00_t)`, times `scale`.
    pub fn map_gram(self, g: &Gram, scale: f64) -> Result<Gram> {
        let p = g.p();
        let mut k = DMatrix::zeros(p, p);
        for i in 0..p {
            for j in 0..=i {
                let v = scale * self.kernel(g.c[(i, i)], g.c[(i, j)], g.c[(j, j)])?;
                k[(i, j)] = v;
                k[(j, i)] = v;
            }
        }
        let pt = g.pt();
        let k0 = DMatrix::from_fn(pt, p, |t, mu| {
            scale
                * self
                    .kernel(g.c00[t], g.c0[(t, mu)], g.c[(mu, mu)])
                    .unwrap_or(f64::NAN)
        });
        let k00 = g
            .c00
            .iter()
            .map(|&c| self.kernel(c, c, c).map(|v| scale * v))
            .collect::<Result<Vec<_>>>()?;
        Gram::new(k, k0, k00, g.y.clone(), g.yt.clone())
    }
}
