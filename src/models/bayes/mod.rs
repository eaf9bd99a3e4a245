//! Bayesian neural networks beyond infinite width (docs/models/bayes.md): exact finite-width
//! posteriors of deep linear networks, proportional-limit saddle points (kernel renormalisation),
//! the Li–Sompolinsky zero-temperature closed form, multi-output and nonlinear one-hidden-layer
//! actions, and exact posterior samplers of the real networks that validate them.
//!
//! * [`data`] — `make_ds` generator (SplitMix64), TINY case, CSV input, Gram matrices.
//! * [`gp`] — GP regression with a scaled kernel in the eigenbasis of the Gram matrix (F20, F25).
//! * [`saddle`] — the scalar saddle point (F22–F23), shared by linear and nonlinear models.
//! * [`dln`] — Bayesian deep linear network: saddle, NNGP, T = 0 closed form (F22–F26).
//! * [`exact`] — exact finite-width posterior of a single-output DLN (F17–F20).
//! * [`exact_multi`] — exact multi-output posterior by importance sampling over `Q` (F21).
//! * [`multi`] — multi-output and deep multi-output matrix saddle point (F27, F28).
//! * [`nonodd`] — two-order-parameter action for non-odd activations such as ReLU (F34).
//! * [`params`], [`present`], [`entry`] — the command-line parameters, the `saddle` output and the
//!   registry entries `1hl`, `dln-bayes`, `1hl-bayes` (`saddle dln` is served by the `dln` entry).

pub mod data;
pub mod dln;
pub mod entry;
pub mod exact;
pub mod exact_multi;
pub mod gibbs;
pub mod gp;
pub mod kernels;
pub mod multi;
pub mod nested;
pub mod nonodd;
pub mod onehl;
pub mod params;
pub mod posterior;
pub mod present;
pub mod saddle;
pub mod slice;
pub mod sweep;

pub use data::{make_ds, Dataset, Gram};

use crate::error::{check, Result};

/// Largest number of MCMC sweeps per chain, for the kept samples and for the burn-in each (a chain of
/// 1e8 sweeps already takes hours; larger requests are refused instead of running for days).
pub const MAX_SWEEPS: usize = 100_000_000;

/// Check an MCMC run length: `samples` kept sweeps in `[10, MAX_SWEEPS]` and `burn_in` in
/// `[0, MAX_SWEEPS]` (names as the CLI spells them).
pub fn check_sweeps(samples: usize, burn_in: usize) -> Result<()> {
    check::count("samples (sweeps)", samples, 10, MAX_SWEEPS)?;
    check::count("burn-in", burn_in, 0, MAX_SWEEPS)?;
    Ok(())
}

/// Bytes of a [`posterior::Trace`] of `sweeps` kept sweeps with `values` test values each (two
/// `Vec<f64>` per sweep, with their 24-byte headers, and `q`).
pub fn trace_bytes(sweeps: usize, values: usize) -> u64 {
    let per = 2 * (24 + 8 * values as u128) + 8;
    (sweeps as u128).saturating_mul(per).min(u64::MAX as u128) as u64
}
pub use dln::BayesDln;
pub use gp::{EigenGram, Prediction};
