//! The Monte Carlo validator, generic over models.
//!
//! * [`report`] — checks, verdicts and reports (JSON-serialisable), shared by every model.
//! * [`stats`] — KS distance, histograms, means with standard errors.
//! * [`mcmc`] — effective sample size and batch means for Markov chains (re-exported from
//!   [`crate::numerics::mcmc`], where the models' posterior summaries also take them).
//! * [`spectral`] — the validator for spectral models ([`crate::model::SpectralModel`]).
//! * [`eigfile`] — reading and writing files of eigenvalue draws (a user's own eigenvalues).
//! * [`noise`] — noise of pooled statistics measured from the spread across draws.
//! * [`calibrate`] — calibrated finite-size bias records (measured, stored in `validation/calibration/`).
//! * [`rules`] — the checks of a spectral validation (noise + calibrated bias).
//! * [`trend`] — the claim as a statement about the limit: validation at several sizes, extrapolated.
//!
//! Model-specific validators live next to their models (e.g. `crate::models::dln::validate`).

pub use crate::numerics::mcmc;
pub mod calibrate;
pub mod eigfile;
pub mod noise;
pub mod report;
pub mod rules;
pub mod spectral;
pub mod stats;
pub mod trend;

pub use report::{Check, Report, Verdict};
