//! The models. Each module holds a model's theory and, next to it, the sampler of the finite random
//! system it describes.
//!
//! * [`mp`] — Marchenko–Pastur (base case).
//! * [`fim`] — Fisher information / NTK / conjugate-kernel spectra of random shallow networks
//!   (shared/theory/fim.md).

pub mod fim;
pub mod mp;
