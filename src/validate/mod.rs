//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`mcmc`] — effective sample size and batch means for Markov chains.
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).
//! * [`noise`] — noise of pooled statistics measured from the spread across draws.
//! * [`calibrate`] — calibrated finite-size bias records (measured, stored in `validation/calibration/`).
//! * [`rules`] — the checks of a spectral validation (noise + calibrated bias).
//! * [`trend`] — the claim as a statement about the limit: validation at several sizes, extrapolated.
//! * [`dln`] — the validator of the deep-linear-network prior against sampled networks.

pub mod calibrate;
pub mod dln;
pub mod mcmc;
pub mod noise;
pub mod report;
pub mod rules;
pub mod spectral;
pub mod stats;
pub mod trend;

pub use report::{Check, Report, Verdict};
