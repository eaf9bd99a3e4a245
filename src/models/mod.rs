//! The models, each with its theory and its sampler side by side.

pub mod bayes;
