//! Finite-width fluctuation of the deep NTK's diagonal for the ReLU centred at every layer
//! (docs/models/ntk-deep.md, "Diagnosis at depth ≥ 3: finite width, not the limit").
//!
//! The limit law replaces `CK_{ℓ−1} ∘ B_ℓ` by `O_ℓ CK_{ℓ−1} + (D_ℓ − O_ℓ) q_{ℓ−1} I` (N3); the
//! difference `Θ − Θ̃` (`Θ̃ = r_+ I + Σ τ_ℓ CK_ℓ`) vanishes like `n^{-1/2}`, but its diagonal — the
//! per-data-point fluctuation of `Θ_xx = |∇f(x)|²` — is large for the ReLU, whose step derivative
//! gives the backward norm a relative variance of about `5/N_ℓ` per layer (the mechanism of Hanin &
//! Nica, "Finite depth and width corrections to the neural tangent kernel", ICLR 2020). To first
//! order in the per-point relative fluctuations (forward `f_k(x)` of `CK_k(x, x)`, backward `u_ℓ(x)` of
//! `B_ℓ(x, x)`):
//!
//! ```text
//! Θ_xx − Θ̃_xx ≈ Σ_ℓ q_{ℓ−1} [(D_ℓ − O_ℓ) f_{ℓ−1}(x) + D_ℓ u_ℓ(x)],   f_k = Σ_{j≤k} e_j,   u_ℓ = Σ_{j≥ℓ} e'_j
//! Var e_j = κ₄/N_j,   Var e'_L = 3/N_L,   Var e'_j = (5 − 2ρ_{j+1}²)/N_j,   Cov(e_j, e'_j) = γ/N_j
//! v = n Var_x(Θ_xx − Θ̃_xx) = Σ_j (n/N_j) [a_j² κ₄ + b_j² V'_j + 2 a_j b_j γ]                        (W1)
//! a_j = Σ_{ℓ>j} q_{ℓ−1}(D_ℓ − O_ℓ),   b_j = Σ_{ℓ≤j} q_{ℓ−1} D_ℓ,   ρ_j = O_j/D_j
//! ```
//!
//! with, for `h = relu(g) − m`, `g ~ N(0, s)`, `m² = s/2π` (all scale-free): `q = s(1/2 − 1/2π)`,
//! `κ₄ = E h⁴/q² − 1 = (3/2 − 5/2π − 3/4π²)/(1/2 − 1/2π)² − 1`, `γ = 2(1/4 − 1/2π)/(1/2 − 1/2π)`
//! (`Cov(h², 2φ'ζ²)/q` per unit, `ζ` the independent backward Gaussian). The forward relative
//! fluctuation passes to the next layer with gain 1 (`∂ log E h²/∂ log s = 1` at the centring
//! variance); the backward one is scale-free (`φ'` is a step); `e'_L` has variance `3/N_L` because the
//! readout is normalised (`|v|² = N_L σ_v²`); `5 − 2ρ²` removes the part common to all data points
//! (backward signals of two points are correlated by `ρ_{j+1}`).

use super::ntk::DeepNtk;
use crate::error::{Error, Result};
use std::f64::consts::PI;

/// `v` of (W1): `Var_x(Θ_xx − Θ̃_xx) ≈ v/n` for the ReLU (or crelu) centred at every layer, from the
/// law's constants and its width ratios `N_ℓ/n`. A typed error for any other network (the constants
/// `κ₄`, `γ`, `5 − 2ρ²` are the centred ReLU's).
pub fn diagonal_variance(law: &DeepNtk) -> Result<f64> {
    if !(law.is_centred() && matches!(law.activation_name(), "relu" | "crelu")) {
        return Err(Error::param(
            "activation",
            law.activation_name(),
            "relu or crelu centred at every layer (--centre): the finite-width constants are the centred ReLU's",
        ));
    }
    let m2 = 1.0 / (2.0 * PI);
    let q1 = 0.5 - m2;
    let kappa4 = (1.5 - 5.0 * m2 - 3.0 * m2 * m2) / (q1 * q1) - 1.0;
    let gamma = 2.0 * (0.25 - m2) / q1;
    let ly = law.layers();
    let ratios = law.width_ratios();
    let depth = ly.len();
    let q = |k: usize| if k == 0 { 1.0 } else { ly[k - 1].forward.q };
    let mut v = 0.0;
    for j in 1..=depth {
        let a: f64 = (j + 1..=depth)
            .map(|l| q(l - 1) * (ly[l - 1].back_diag - ly[l - 1].back_off))
            .sum();
        let b: f64 = (1..=j).map(|l| q(l - 1) * ly[l - 1].back_diag).sum();
        let vb = if j == depth {
            3.0
        } else {
            let rho = ly[j].back_off / ly[j].back_diag;
            5.0 - 2.0 * rho * rho
        };
        v += (a * a * kappa4 + b * b * vb + 2.0 * a * b * gamma) / ratios[j - 1];
    }
    Ok(v)
}
