//! Numerical kernels shared by every model (written once; models never re-implement them).
//!
//! * [`quad`] — quadrature on intervals, Gauss–Hermite / Gauss–Legendre rules, Gaussian expectations.
//! * [`linalg`] — symmetric eigendecomposition (faer) and Cholesky helpers.

pub mod linalg;
pub mod quad;
