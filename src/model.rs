//! The traits a model implements.
//!
//! A model is a plain struct of validated parameters (its constructor returns a typed
//! [`Error`](crate::Error) on bad input). It exposes its theory through one of the traits below, and a
//! *sampler* of the finite random system it describes lives next to it in the same module, so a reader
//! sees the claim and its test in one place. The validator ([`crate::validate`]) is generic over these
//! traits.

use crate::error::Result;
use crate::numerics::stieltjes::SolveStats;
use crate::rng::Rng;
use num_complex::Complex64;

/// Support of a spectral law: disjoint components `[lo, hi]` of the absolutely continuous part, and
/// atoms `(location, mass)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Support {
    /// Components of the continuous part, sorted, disjoint.
    pub components: Vec<(f64, f64)>,
    /// Atoms `(location, mass)`.
    pub atoms: Vec<(f64, f64)>,
}

impl Support {
    /// Total mass of the atoms.
    pub fn atom_mass(&self) -> f64 {
        self.atoms.iter().map(|a| a.1).sum()
    }
}

/// A limiting eigenvalue law given by its Stieltjes transform
/// `g(z) = ∫ ρ(dt) / (t - z)` (Bai–Silverstein sign: `Im g > 0` on `C+`, `g ~ -1/z` at infinity).
pub trait SpectralModel: Send + Sync {
    /// Short identifier, e.g. `"mp"`.
    fn name(&self) -> String;
    /// The parameters, for reports and provenance.
    fn params(&self) -> serde_json::Value;
    /// `g(z)` for `Im z > 0`; an error for `z` not in the upper half plane.
    fn stieltjes(&self, z: Complex64) -> Result<Complex64>;
    /// Density of the absolutely continuous part at a real point (0 outside the support).
    fn density(&self, x: f64) -> Result<f64>;
    /// Support components and atoms.
    fn support(&self) -> Result<Support>;
    /// Closed-form moments `[m1, m2, ...]` of the law (atoms included), as many as known.
    fn moments(&self) -> Vec<f64>;
    /// Known variances `[Var Σ_i λ_i, Var Σ_i λ_i²]` of the linear spectral statistics of one sampled
    /// `n × n` matrix (sums over its `n` eigenvalues, `O(1)` as `n → ∞` by the CLT for linear spectral
    /// statistics, Bai & Silverstein 2004), where a closed form exists; `None` otherwise (the validator
    /// then estimates the variance from the spread across draws).
    fn lss_variance(&self, n: usize) -> Option<[f64; 2]> {
        let _ = n;
        None
    }
    /// Density on many points at once; models with a continuation solver override this to warm-start
    /// along the grid.
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        xs.iter()
            .map(|&x| {
                crate::cancel::check()?;
                self.density(x)
            })
            .collect()
    }
    /// The law tabulated with `nodes` graded nodes per support component (for CDFs, quantiles and
    /// quadrature moments), with more nodes where that fails the mass check
    /// ([`crate::spectral::SpectralDensity::from_support_refined`]). Models that know each
    /// component's exact mass override this to refine the components whose quadrature misses it.
    fn tabulate(&self, nodes: usize) -> Result<crate::spectral::SpectralDensity> {
        crate::spectral::SpectralDensity::from_support_refined(&self.support()?, nodes, |xs| {
            self.density_many(xs)
        })
    }
    /// Density on many points with the solver's convergence diagnostics. Closed-form models keep this
    /// default (zero iterations, zero residual); solver-based models override it.
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        Ok((self.density_many(xs)?, SolveStats::default()))
    }
}

/// A sampler of a finite random system: one independent draw per call, from the given stream.
pub trait Sampler: Send + Sync {
    /// What one draw produces (eigenvalues, network outputs, posterior samples, ...).
    type Output: Send;
    /// Sizes and parameters of the simulated system, for reports.
    fn describe(&self) -> serde_json::Value;
    /// One independent draw.
    fn sample(&self, rng: &mut Rng) -> Result<Self::Output>;
    /// Estimated peak memory of one draw in bytes (its dominant arrays), checked against the memory
    /// budget ([`crate::budget`]) before draws run in parallel. Samplers whose draws are small keep the
    /// default 0.
    fn memory_per_draw(&self) -> u64 {
        0
    }
    /// Bytes of one draw's result, kept until every draw is done (e.g. `8 n` for `n` eigenvalues).
    fn output_bytes(&self) -> u64 {
        0
    }
}

/// Refuse to run `samples` draws of `sampler` on the thread pool if the draws in memory at once
/// (`min(samples, threads)` of them) plus the `samples` results kept would exceed the memory budget.
pub fn check_sampler_budget<S: Sampler + ?Sized>(
    sampler: &S,
    what: &str,
    samples: usize,
) -> Result<()> {
    let k = crate::budget::parallel_draws(samples);
    let need = sampler
        .memory_per_draw()
        .saturating_mul(k)
        .saturating_add(sampler.output_bytes().saturating_mul(samples as u64));
    crate::budget::check(&format!("{what} ({samples} draws, {k} in parallel)"), need)
}
