//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).

pub mod report;
pub mod spectral;
pub mod stats;

pub use report::{Check, Report, Verdict};
