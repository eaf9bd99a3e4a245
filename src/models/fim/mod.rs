//! Fisher information, NTK and conjugate-kernel spectra of random shallow networks
//! (docs/models/fim.md; docs/models/fim.md and docs/models/ck.md).
//!
//! * [`activation`] — activations, their Gaussian constants (F14) and bivariate kernels (F20).
//! * [`dataeq`] — the data-dependent deterministic equivalent for a fixed data set (F20, F30) and its
//!   sampler conditional on the data.
//! * [`infinite`] — infinite-width limits (F21 affine MP, F22 Karakida statistics) and the
//!   parameter-space view (F7).
//! * [`law`] — size ratios and the support/density plumbing shared by the laws.
//! * [`linear`] — the linear network, exact (F9–F12).
//! * [`population`] — population FIM at infinite width: kernel operator, spherical-harmonic degree
//!   groups (F23), with its sampler.
//! * [`outputs`] — the linear network with `C` outputs, exact: a mixture of F9 laws over MP (F13).
//! * [`outputs_sampler`] — finite `C`-output linear networks: `K = I_C ⊗ A + S ⊗ B` block by block.
//! * [`proportional`] — proportional limit via Gaussian equivalence (F15–F19).
//! * [`pw2017`] — Pennington–Worah 2017 CK law in the paper's normalisation, by its quartic (F27).
//! * [`unit_block`] — the Amari–Karakida–Oizumi single-unit block (F24) and its sampler.
//! * [`params`], [`entries`], [`entries_data`], [`population_present`], [`population_check`] — the
//!   command-line parameters and registry entries of `fim`, `ck` and their variants (`-infinite-width`,
//!   `-data`, `-outputs`, `-population`, `-unit-block`).
//! * [`sampler`] — finite networks: the dual `n × n` Gram matrix `Θ = J Jᵀ` and its eigenvalues (F6),
//!   also for a fixed data set.

pub mod activation;
pub mod data_kernels;
pub mod dataeq;
pub mod entries;
pub mod entries_data;
pub mod infinite;
pub mod law;
pub mod linear;
pub mod outputs;
pub mod outputs_sampler;
pub mod params;
pub mod population;
pub mod population_check;
pub mod population_present;
pub mod proportional;
pub mod pw2017;
pub mod sampler;
pub mod unit_block;

pub use activation::{Activation, GaussianConstants};
pub use dataeq::{draw_data, try_draw_data, DataFim, DataKernels};
pub use infinite::{InfiniteWidthFim, KarakidaStats, ParameterSpace};
pub use law::Ratios;
pub use linear::LinearFim;
pub use outputs::{MultiOutputLinearFim, MultiOutputSampler};
pub use population::{PairKernel, PopulationFim, PopulationSampler};
pub use proportional::ProportionalFim;
pub use pw2017::Pw2017;
pub use sampler::{draw_inputs, FixedDataSampler, Inputs, NetworkSampler, Trained};
pub use unit_block::{UnitBlock, UnitBlockEstimate, UnitBlockSampler};
