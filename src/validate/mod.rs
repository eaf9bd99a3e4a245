//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`mcmc`] — effective sample size and batch means for Markov chains.
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).
//! * [`eigfile`] — reading and writing files of eigenvalue draws (a user's own eigenvalues).
//! * [`dln`] — the validator of the deep-linear-network prior against sampled networks.

pub mod dln;
pub mod eigfile;
pub mod mcmc;
pub mod report;
pub mod spectral;
pub mod stats;

pub use report::{Check, Report, Verdict};
