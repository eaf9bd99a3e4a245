//! Free-probability expressions (docs/models/expr.md): any composition of rotation-invariant laws by
//! free additive convolution `A + B` (law of `A + O B Oᵀ`), free multiplicative convolution `A * B`
//! (law of `A^{1/2} O B Oᵀ A^{1/2}`), the sample-covariance map `pop(A, c)`, dilations and shifts,
//! solved by subordination with the shared continuation solver.
//!
//! * [`parser`] — the expression language and [`LeafResolver`] for model leaves;
//! * [`law`] — the expression tree with atoms (free atom rules), moments and support bounds;
//! * `eval` — `g(z)` of a node (closed forms / subordination, warm-started nested solves);
//! * `joint` — the subordination equations of all operations of a tree as one system;
//! * `support` — support components by scanning with edge bisection, checked by the total mass;
//! * [`moments`] — exact moments by free cumulants and the Kreweras complement;
//! * [`fixedpoint`] — laws given by a user fixed-point equation;
//! * [`outliers`] — outliers of `spiked(A, θ…)` terms through free sums, `pop` and affine maps;
//! * [`sampler`] — random matrices with the expression's law, for the Monte Carlo validator.
//!
//! Entry point: [`Expression::parse`].

pub mod entry;
#[doc(hidden)]
pub mod eval;
pub mod fixedpoint;
mod hard_edge;
#[doc(hidden)]
pub mod joint;
pub mod law;
pub mod moments;
pub mod outliers;
pub mod parser;
pub mod sampler;
mod support;

pub use fixedpoint::FixedPointLaw;
pub use law::Law;
pub use outliers::Outlier;
pub use parser::{eig_files, LeafResolver, NoModels, MAX_DEPTH, MAX_LEN, MAX_OPERATIONS};
pub use sampler::ExpressionSampler;

use crate::error::{Error, Result};
use crate::model::{SpectralModel, Support};
use crate::numerics::stieltjes::{self, SolveStats, SolverOptions};
use crate::spectral::SpectralDensity;
use num_complex::Complex64 as C64;

/// A parsed free-probability expression and its solved law.
#[derive(Debug)]
pub struct Expression {
    text: String,
    law: Law,
    opts: SolverOptions,
}

impl Expression {
    /// Parse `text` (grammar in [`parser`]); model leaves `name(key=value, ...)` go to `resolver`.
    /// Malformed text gives [`Error::Syntax`] with the 1-based column and what was expected.
    pub fn parse(text: &str, resolver: &dyn LeafResolver) -> Result<Self> {
        let law = parser::Parser::parse(text, resolver)?;
        Ok(Expression {
            text: text.trim().to_string(),
            law,
            opts: SolverOptions::default(),
        })
    }

    /// An expression for a law composed in code (`Law::free_sum`, `Law::affine`, ...); its text is
    /// the law's canonical form.
    pub fn from_law(law: Law) -> Self {
        Expression {
            text: law.label.clone(),
            law,
            opts: SolverOptions::default(),
        }
    }

    /// Parse an expression without model leaves.
    pub fn parse_plain(text: &str) -> Result<Self> {
        Self::parse(text, &NoModels)
    }

    /// The text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The canonical form (fully parenthesised, numbers folded).
    pub fn canonical(&self) -> &str {
        &self.law.label
    }

    /// The expression tree.
    pub fn law(&self) -> &Law {
        &self.law
    }

    /// Atoms `(location, mass)` by the free atom rules.
    pub fn atoms(&self) -> &[(f64, f64)] {
        &self.law.atoms
    }

    /// The outliers of the expression's `spiked(...)` terms (docs/models/expr.md, "Spikes and
    /// outliers"): one entry per spike and isolated eigenvalue it produces (`location: None` when
    /// the bulk absorbs it); empty without spikes.
    pub fn outliers(&self) -> Result<Vec<Outlier>> {
        self.law.outliers(&self.opts)
    }
}

impl SpectralModel for Expression {
    fn name(&self) -> String {
        "expr".into()
    }
    fn params(&self) -> serde_json::Value {
        let mut p = serde_json::json!({ "expression": self.law.label });
        if self.law.has_spikes() {
            p["outliers"] = match self.outliers() {
                Ok(v) => serde_json::json!(v),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            };
        }
        p
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if !stieltjes::in_upper_half_plane(z) {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        self.law.g(z, &mut eval::Warm::default(), &self.opts, false)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        Ok(self.density_diagnosed(xs)?.0)
    }
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        let support = self.law.support_ref()?;
        let mut out = vec![0.0; xs.len()];
        let mut stats = SolveStats::default();
        for &(lo, hi) in &support.components {
            let mut idx: Vec<usize> = (0..xs.len())
                .filter(|&i| xs[i] > lo && xs[i] < hi)
                .collect();
            idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
            let pts: Vec<f64> = idx.iter().map(|&i| xs[i]).collect();
            let (d, s) = self.law.density_sweep(&pts, &self.opts)?;
            for (&i, v) in idx.iter().zip(d) {
                out[i] = v;
            }
            stats.max_iterations = stats.max_iterations.max(s.max_iterations);
            stats.max_residual = stats.max_residual.max(s.max_residual);
            stats.points += s.points;
        }
        Ok((out, stats))
    }
    /// The graded tabulation, retried with more nodes before the law is refused
    /// ([`SpectralDensity::from_support_refined_with`]); on every try whose mass is off, the cells next
    /// to singular hard edges are first integrated with the edges' local laws (`hard_edge`).
    fn tabulate(&self, nodes: usize) -> Result<SpectralDensity> {
        let fine = SolverOptions {
            eta_min: support::FINE_ETA,
            ..self.opts
        };
        let sweep = |xs: &[f64]| Ok(self.law.density_sweep(xs, &fine)?.0);
        let z = 1e4 * self.law.eta(&self.opts);
        SpectralDensity::from_support_refined_with(
            self.law.support_ref()?,
            nodes,
            |xs| self.density_many(xs),
            |components| {
                for c in components {
                    hard_edge::integrate_singular_ends(c, z, &sweep)?;
                }
                Ok(())
            },
        )
    }
    fn support(&self) -> Result<Support> {
        self.law.support_ref().cloned()
    }
    fn moments(&self) -> Vec<f64> {
        self.law.moments.clone()
    }
}
