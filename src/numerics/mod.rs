//! Numerical kernels shared by every model (written once; models never re-implement them).
//!
//! * [`stieltjes`] — damped complex fixed points with continuation to the real axis.
//! * [`poly`] — polynomial roots and physical-branch selection.
//! * [`edges`] — support edges from the real inverse `x(m)`, support components, Brent brackets.
//! * [`quad`] — quadrature on intervals, Gauss–Hermite / Gauss–Legendre rules, Gaussian expectations.
//! * [`linalg`] — dense symmetric eigenvalues and eigendecompositions (faer / nalgebra), Cholesky.
//! * [`symeig`] — eigenvalues only of large symmetric matrices (tridiagonalisation + root-free QL), on
//!   the vector [`kernels`].
//! * [`special`] — complex log-gamma, log-gamma ratios, trigamma.
//! * [`mcmc`] — effective sample size, batch means and standard errors of (correlated) chains.
//! * [`system`] — systems of coupled resolvent fixed points (vector Newton with continuation).
//! * [`subordination`] — free additive / multiplicative subordination and the sample-covariance map.
//! * [`mellin`] — densities, tails and CDFs of positive variables from their Mellin transforms.

pub mod discrete_pop;
pub mod edges;
pub mod kernels;
pub mod linalg;
pub mod mcmc;
pub mod mellin;
pub mod poly;
pub mod quad;
pub mod special;
pub mod stieltjes;
pub mod subordination;
pub mod symeig;
pub mod system;
