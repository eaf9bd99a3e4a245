//! The models, each with its theory and its sampler side by side.
//!
//! * [`dln`] — deep linear network prior at finite width and in the depth~width limit.

pub mod dln;
