//! The models, each with its theory and its sampler side by side.
//!
//! * [`fim`] — Fisher information / NTK / conjugate-kernel spectra of random shallow networks
//!   (shared/theory/fim.md).

pub mod fim;
