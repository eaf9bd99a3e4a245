//! Bayesian neural networks beyond infinite width (dln.md §2–3): exact finite-width posteriors of deep
//! linear networks, proportional-limit saddle points (kernel renormalisation), the Li–Sompolinsky
//! zero-temperature closed form, multi-output and nonlinear one-hidden-layer actions, and exact posterior
//! samplers of the real networks that validate them.
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
pub mod nonodd;
pub mod onehl;
pub mod params;
pub mod posterior;
pub mod present;
pub mod saddle;
pub mod slice;
mod sweep;

pub use data::{make_ds, Dataset, Gram};
pub use dln::BayesDln;
pub use gp::{EigenGram, Prediction};
