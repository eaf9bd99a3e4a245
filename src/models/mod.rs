//! The models. Each module holds a model's theory and, next to it, the sampler of the finite random
//! system it describes.
//!
//! * [`mp`] — Marchenko–Pastur (base case).
//! * [`bayes`] — Bayesian deep linear and one-hidden-layer networks: exact posteriors, saddle points.

pub mod bayes;
pub mod mp;
