//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`mcmc`] — effective sample size and batch means for Markov chains (re-exported from
//!   [`crate::numerics::mcmc`], where the models' posterior summaries also take them).
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).
//! * [`eigfile`] — reading and writing files of eigenvalue draws (a user's own eigenvalues).
//!
//! Model-specific validators live next to their models (e.g. `crate::models::dln::validate`).

pub use crate::numerics::mcmc;
pub mod eigfile;
pub mod report;
pub mod spectral;
pub mod stats;

pub use report::{Check, Report, Verdict};
