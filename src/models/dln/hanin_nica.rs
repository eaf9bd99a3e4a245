//! Hanin–Nica: log-normality of products of random matrices (docs/models/dln-prior.md (F35–F37)),
//! the cross-check of the D = 1 mixing variable.
//!
//! `M = W_d ⋯ W_1`, `W_i ∈ R^{n_i × n_{i-1}}`. For any `u ≠ 0`, `Y = ln((n_0/n_d) |M u|² / |u|²)`:
//! * F35 (Gaussian entries `N(0, 1/n_{i-1})`, exact): `Y = Σ_i ln(χ²_{n_i}/n_i)` — the same law as
//!   `ln q` of F4/F6 with widths `n_1..n_d`; mean `Σ[ψ(n_i/2) - ln(n_i/2)]`, variance `Σ ψ'(n_i/2)`;
//!   limit `N(-β, 2β)`, `β = Σ 1/n_i`.
//! * F36 (ReLU after every layer, He entries `N(0, 2/n_{i-1})`): `Y = Σ_i ln(2 χ²_{K_i}/n_i)`,
//!   `K_i ~ Bin(n_i, 1/2)` conditioned on `K_i >= 1`: per layer mean `E_K ψ(K/2) + ln(4/n)`, variance
//!   `E_K ψ'(K/2) + Var_K ψ(K/2)`; limit `N(-5β/2, 5β)`.
//! * F37 (non-Gaussian entries with fourth moment `μ4/n_0²`, one layer):
//!   `Var(|A u|²)/(E|A u|²)² = (2 + (μ4 - 3) Σ u_j⁴/|u|⁴)/n_1`.

use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::numerics::special::{digamma, ln_gamma, trigamma};
use crate::rng::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Activation between the factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// Linear (Gaussian entries of variance `1/n_{i-1}`).
    Linear,
    /// ReLU after every layer (He initialisation, variance `2/n_{i-1}`).
    Relu,
}

fn check_widths(widths: &[usize]) -> Result<()> {
    check::count("layers (widths n_0..n_d)", widths.len(), 2, 1_000_000)?;
    for &n in widths {
        check::count("width", n, 1, 100_000_000)?;
    }
    Ok(())
}

/// Exact mean and variance of `Y` for widths `n_0..n_d` (F35 / F36).
pub fn log_norm_moments(widths: &[usize], act: Activation) -> Result<(f64, f64)> {
    check_widths(widths)?;
    let (mut m, mut v) = (0.0, 0.0);
    for &n in &widths[1..] {
        let nf = n as f64;
        match act {
            Activation::Linear => {
                m += digamma(0.5 * nf) - (0.5 * nf).ln();
                v += trigamma(0.5 * nf);
            }
            Activation::Relu => {
                // K ~ Bin(n, 1/2) given K >= 1
                let norm = 1.0 - (-nf * 2f64.ln()).exp();
                let (mut e1, mut e2, mut et) = (0.0, 0.0, 0.0);
                for k in 1..=n {
                    let kf = k as f64;
                    let lp = ln_gamma(nf + 1.0)
                        - ln_gamma(kf + 1.0)
                        - ln_gamma(nf - kf + 1.0)
                        - nf * 2f64.ln();
                    let w = lp.exp() / norm;
                    if w == 0.0 {
                        continue;
                    }
                    let p = digamma(0.5 * kf);
                    e1 += w * p;
                    e2 += w * p * p;
                    et += w * trigamma(0.5 * kf);
                }
                m += e1 + (4.0 / nf).ln();
                v += et + (e2 - e1 * e1);
            }
        }
    }
    Ok((m, v))
}

/// Limit `(mean, variance)` for `β = Σ_{i>=1} 1/n_i`: `(-β, 2β)` (linear) or `(-5β/2, 5β)` (ReLU).
pub fn log_norm_limit(beta: f64, act: Activation) -> (f64, f64) {
    match act {
        Activation::Linear => (-beta, 2.0 * beta),
        Activation::Relu => (-2.5 * beta, 5.0 * beta),
    }
}

/// F37: `Var(|A u|²)/(E|A u|²)²` for one layer of iid entries with normalised fourth moment `μ4`
/// (3 for Gaussian) and output width `n1`.
pub fn one_step_relative_variance(u: &[f64], mu4: f64, n1: usize) -> Result<f64> {
    check::count("n1", n1, 1, usize::MAX)?;
    // E x^4 >= (E x^2)^2, so mu4 >= 1; the upper bound keeps (mu4 - 3) s4 finite
    check::in_range("mu4", mu4, 1.0, 1e12)?;
    let s2: f64 = u.iter().map(|x| x * x).sum();
    if !(s2 > 0.0 && s2.is_finite()) {
        return Err(Error::InvalidData(
            "u must be a finite non-zero vector".into(),
        ));
    }
    let s4: f64 = u.iter().map(|x| x.powi(4)).sum();
    Ok((2.0 + (mu4 - 3.0) * s4 / (s2 * s2)) / n1 as f64)
}

/// Sampler of `Y` from actual products of dense random matrices applied to the all-ones vector
/// (ReLU layers with no active unit are redrawn, matching the conditioning `K_i >= 1` of F36).
#[derive(Debug, Clone)]
pub struct ProductNormSampler {
    widths: Vec<usize>,
    act: Activation,
}

impl ProductNormSampler {
    /// Widths `n_0..n_d` (at least two entries).
    pub fn new(widths: Vec<usize>, act: Activation) -> Result<Self> {
        check_widths(&widths)?;
        let s = ProductNormSampler { widths, act };
        crate::budget::check("product-norm sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }
}

impl Sampler for ProductNormSampler {
    type Output = f64;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({"sampler": "dense-product", "widths": self.widths, "activation": self.act})
    }
    fn sample(&self, rng: &mut Rng) -> Result<f64> {
        let n0 = self.widths[0];
        let mut a = vec![1.0; n0];
        // Y = ln(n0/n_d) + Σ_i ln(|a_i|²/|a_{i-1}|²), the ratios taken on unit-normalised vectors
        // (both activations are positively homogeneous), so nothing under- or overflows
        let mut y = (n0 as f64).ln() - (*self.widths.last().unwrap_or(&1) as f64).ln();
        let gain = match self.act {
            Activation::Linear => 1.0,
            Activation::Relu => 2.0,
        };
        for w in self.widths.windows(2) {
            let (nin, nout) = (w[0], w[1]);
            let sd = (gain / nin as f64).sqrt();
            let before: f64 = a.iter().map(|x| x * x).sum();
            // a ReLU layer with no active unit (probability 2^-n) is redrawn: the law of F36 is
            // conditioned on K_i >= 1 (otherwise Y = -inf)
            let mut next = vec![0.0; nout];
            let mut after = 0.0;
            for _attempt in 0..1000 {
                for v in next.iter_mut() {
                    let mut s = 0.0;
                    for x in &a {
                        let z: f64 = StandardNormal.sample(rng);
                        s += z * x;
                    }
                    *v = match self.act {
                        Activation::Linear => sd * s,
                        Activation::Relu => (sd * s).max(0.0),
                    };
                }
                after = next.iter().map(|x| x * x).sum();
                if after > 0.0 {
                    break;
                }
            }
            if after == 0.0 {
                return Err(Error::Domain(
                    "all units of a ReLU layer stayed inactive in 1000 redraws".into(),
                ));
            }
            y += (after / before).ln();
            let s = after.sqrt();
            a = next.into_iter().map(|x| x / s).collect();
        }
        Ok(y)
    }
    /// Two activation vectors of the largest width (the weights are streamed, never stored).
    fn memory_per_draw(&self) -> u64 {
        crate::budget::f64s(2 * self.widths.iter().copied().max().unwrap_or(0) as u128)
    }
    fn output_bytes(&self) -> u64 {
        8
    }
}
