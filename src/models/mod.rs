//! The models. Each module holds a model's theory and, next to it, the sampler of the finite random
//! system it describes.
//!
//! * [`mp`] — Marchenko–Pastur (base case).
//! * [`dln`] — deep linear network prior at finite width and in the depth~width limit.
//! * [`fim`] — Fisher information / NTK / conjugate-kernel spectra of random shallow networks
//!   (docs/models/fim.md).
//! * [`gep`] — Speicher–Wendel Gaussian equivalence for an entrywise nonlinearity of a Wishart
//!   matrix (docs/models/fim.md (F32)).
//! * [`free`] — free-probability expressions (free sums and products, the sample-covariance map),
//!   solved by subordination.
//! * [`hessian`] — loss Hessian of a shallow network at random initialisation: the Pennington–Bahri
//!   free-sum law and exact Hessians of finite networks.
//! * [`deep`] — deep nonlinear networks in the linear-width regime: the last layer's conjugate kernel
//!   as an expression of the free-probability engine (docs/models/ck-deep.md).
//! * [`bayes`] — Bayesian deep linear and one-hidden-layer networks: exact posteriors, saddle points.

pub mod bayes;
pub mod deep;
pub mod dln;
pub mod fim;
pub mod free;
pub mod gep;
pub mod hessian;
pub mod mp;
pub mod semicircle;
