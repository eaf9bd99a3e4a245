//! The models. Each module holds a model's theory and, next to it, the sampler of the finite random
//! system it describes.
//!
//! * [`mp`] — Marchenko–Pastur (base case).
//! * [`dln`] — deep linear network prior at finite width and in the depth~width limit.
//! * [`fim`] — Fisher information / NTK / conjugate-kernel spectra of random shallow networks
//!   (shared/theory/fim.md).
//! * [`bayes`] — Bayesian deep linear and one-hidden-layer networks: exact posteriors, saddle points.

pub mod bayes;
pub mod dln;
pub mod fim;
pub mod mp;
