//! Deep random networks in the linear-width regime (docs/models/ck-deep.md): the conjugate kernel of
//! the last hidden layer of an `L`-layer network, as an expression of the free-probability engine
//! ([`crate::models::free`]), and the sampler of the finite network.
//!
//! * [`ck`] — the layer recursion (variances, common correlations, linear coefficients) and the law
//!   `CK_ℓ = pop(α_ℓ CK_{ℓ−1} + β_ℓ, n/N_ℓ)`, `CK_0 = mp(n/d)` (Fan & Wang 2020).
//! * [`sampler`] — finite deep networks: the Gram matrix of the last layer's features.
//! * [`entry`] — the registry entry `ck-deep` (`spectrum ck --depth L`, `validate ck --depth L`).
//! * [`ntk`], [`ntk_solver`], [`ntk_sampler`], [`ntk_entry`] — the deep NTK (docs/models/ntk-deep.md):
//!   `r_+ I + Σ_ℓ τ_ℓ CK_ℓ`, its resolvent by iterated deterministic equivalents, the dual Gram of
//!   sampled networks, and the registry entry `fim-deep` (`spectrum fim --depth L`); [`ntk_width`]
//!   the finite-width variance of the NTK's diagonal for the centred ReLU (diagnosis at depth ≥ 3).

pub mod ck;
pub mod entry;
pub mod ntk;
pub mod ntk_entry;
pub mod ntk_sampler;
pub mod ntk_solver;
pub mod ntk_width;
pub mod sampler;

pub use ck::{DeepCk, Layer};
pub use sampler::DeepCkSampler;
