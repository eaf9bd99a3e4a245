//! The models. Each module holds a model's theory and, next to it, the sampler of the finite random
//! system it describes.
//!
//! * [`mp`] — Marchenko–Pastur (base case).

pub mod mp;
