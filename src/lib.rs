//! # nnlimits — a theory solver for random neural networks
//!
//! nnlimits evaluates the closed equations that describe large random networks — spectra from
//! Stieltjes/resolvent fixed points, mixture-of-Gaussians laws of deep linear networks, replica saddle
//! points of Bayesian networks — and checks each against a Monte Carlo sampler of the finite system.
//!
//! Layout:
//! * [`numerics`] — shared numerical kernels (fixed points, roots, quadrature, edges).
//! * [`spectral`] — the spectral-density type (support, atoms, CDF, quantiles, moments).
//! * [`model`] — the traits a model implements.
//! * [`models`] — the models, each with its theory and its sampler side by side.
//! * [`validate`] — the generic Monte Carlo validator and its reports.
//! * [`plot`], [`io`] — SVG figures, atomic file output, bounded input, provenance.
//! * [`budget`] — the memory budget every large allocation is checked against.
//! * [`cancel`] — cooperative cancellation of long computations (Ctrl-C in the Python package).
#![warn(missing_docs)]

pub mod budget;
pub mod cancel;
pub mod check;
pub mod cli;
pub mod error;
pub mod io;
pub mod model;
pub mod models;
pub mod numerics;
pub mod output;
pub mod plot;
pub mod registry;
pub mod rng;
pub mod spectral;
pub mod table;
pub mod validate;

pub use error::{Error, Result};
