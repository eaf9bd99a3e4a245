//! Numerical kernels shared by every model (written once; models never re-implement them).
//!
//! * [`stieltjes`] — damped complex fixed points with continuation to the real axis.
//! * [`poly`] — polynomial roots and physical-branch selection.
//! * [`edges`] — support edges from the real inverse `x(m)`, support components, Brent brackets.
//! * [`quad`] — quadrature on intervals, Gauss–Hermite / Gauss–Legendre rules, Gaussian expectations.
//! * [`linalg`] — dense symmetric eigenvalues (faer / nalgebra).

pub mod edges;
pub mod linalg;
pub mod poly;
pub mod quad;
pub mod stieltjes;
