//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`dln`] — the validator of the deep-linear-network prior against sampled networks.
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).

pub mod dln;
pub mod report;
pub mod stats;

pub use report::{Check, Report, Verdict};
