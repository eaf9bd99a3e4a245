//! Numerical kernels shared by every model (written once; models never re-implement them).
//!
//! * [`quad`] — quadrature on intervals, Gauss–Hermite / Gauss–Legendre rules, Gaussian expectations.
//! * [`special`] — complex log-gamma, log-gamma ratios, trigamma.
//! * [`mellin`] — densities, tails and CDFs of positive variables from their Mellin transforms.

pub mod mellin;
pub mod quad;
pub mod special;
