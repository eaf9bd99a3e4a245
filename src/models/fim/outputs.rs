//! FIM of the linear two-layer network with `C` outputs, proportional limit — exact
//! (docs/models/fim.md (F13)).
//!
//! Network: `y = W₂ W₁ x / sqrt(N d)`, `W₁ ∈ R^{N×d}` iid `N(0, σ_w²)`, `W₂ ∈ R^{C×N}` iid `N(0, σ_v²)`,
//! data `x_μ ~ N(0, I_d)`, `μ = 1..n`. With `J` the `(C n) × p` Jacobian of all outputs at all data points
//! (`p = N d + C N`), the FIM for squared loss (unit Gaussian output noise) is `F = JᵀJ/n`; its nonzero
//! eigenvalues are those of `K/n`, `K = J Jᵀ` (`C n × C n`, index `(c, μ) ↦ c n + μ`):
//!
//! ```text
//! K = I_C ⊗ A + S ⊗ B,   A = Xᵀ W₁ᵀ W₁ X / (N d),   B = Xᵀ X / d,   S = W₂ W₂ᵀ / N.
//! ```
//!
//! **Exact block diagonalisation.** With `S = U diag(s_1..s_C) Uᵀ`,
//! `(U ⊗ I_n)ᵀ K (U ⊗ I_n) = I_C ⊗ A + diag(s) ⊗ B = ⊕_k (A + s_k B)`, an orthogonal similarity: the
//! spectrum of `K` is the union of the spectra of the `C` blocks `A + s_k B = Xᵀ (W₁ᵀW₁/N + s_k I) X / d`,
//! and block `k` is *exactly* the dual Gram of the single-output linear network with `|v|²/N` replaced
//! by `s_k` ([`super::linear`], F9). The identity holds at every size (no limit is taken);
//! [`MultiOutputSampler`] uses it and the tests check it against the full Kronecker matrix to 1e-10.
//!
//! **Limit law.** As `n, d, N, C → ∞` with `α = n/d`, `γ = d/N`, `c = C/N` fixed, the eigenvalues of `S`
//! follow `MP(c, σ_v²)` and each block's law converges to the F9 law at `σ_v² → s`, so
//!
//! ```text
//! μ_K = ∫ μ_lin(σ_v² → s) dMP(s; c, σ_v²),      g_K(z) = ∫ g_lin(z; s) dMP(s; c, σ_v²),
//! ```
//!
//! a mixture of F9 laws; density, Stieltjes transform and CDF are the same mixtures. The integral over
//! the continuous part of MP is a Gauss–Legendre rule in the arcsine variable
//! `s = a + (b - a)(1 - cos θ)/2`, `θ ∈ [0, π]` (`[a, b] = σ_v² (1 ∓ √c)²`), where the MP weight becomes
//! `∝ sin²θ / s(θ)` — smooth, so the rule converges exponentially at every `x` inside all component
//! bulks (at the reference points: 1e-10 from 12 nodes). Near an edge of the mixture the integrand has
//! square-root kinks in `s` (components switch on one after another) and the convergence is algebraic:
//! with [`DEFAULT_NODES`] nodes the density is within ~3e-3 of the 200-node value pointwise and ~4e-4 in
//! L1, the CDF within ~5e-5 (module tests of `tests/fim_outputs.rs`). The weights are normalised to
//! the exact continuous mass. For `c > 1` the MP atom `1 - 1/c` at `s = 0` is one more component: the
//! blocks `A` alone, the readout-only linear law (F11/F12). Each component is a [`LinearFim`] whose
//! warm-started grid solve is reused (in parallel over components; the sum is taken in a fixed order,
//! so results do not depend on the thread count).
//!
//! **Support.** `A + s B` increases with `s` in the Loewner order, so by Weyl's inequalities every
//! eigenvalue — hence every quantile, and both edges of a single-interval component support — is
//! nondecreasing in `s`: the support of the mixture is the union of the component supports, i.e.
//! `[lo(s₋), hi(s₊)]` for single-interval components. Computed as the union of the component supports
//! at `s₋`, `s₊` and every node. **Atom** at 0: `(1 - 1/α)₊` for `c <= 1` (`rank(A + s B) = min(n, d)`
//! for `s > 0`); for `c > 1` plus `(1 - 1/c)` times the readout atom `1 - min(n, d, N)/n`.
//! **Moments** (F13, any `c`): `m1 = σ_w² + σ_v²`,
//! `m2 = α [σ_w⁴ (1 + γ) + 2 σ_w² σ_v² + σ_v⁴ (1 + c)] + (σ_w² + σ_v²)² + σ_v⁴ c`
//! (the F12 moments are polynomials in `σ_v²`; `E s = σ_v²`, `E s² = σ_v⁴ (1 + c)` under MP).
//!
//! **Range.** `0 <= c <= 100`; `c = 0` is the single-output law ([`LinearFim`]; `C = O(1)` outputs give
//! `C` copies of it). Accuracy degrades mildly as `c → 1` (MP hard edge at 0): quadrature moments
//! within ~1e-3 relative at `c = 0.99`. Only both layers trained (the F13 statement).

use super::law::Ratios;
use super::linear::LinearFim;
use super::sampler::Trained;
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::numerics::quad::gauss_legendre;
use crate::numerics::stieltjes::{self, SolverOptions};
use num_complex::Complex64 as C64;
use rayon::prelude::*;
use std::sync::OnceLock;

pub use super::outputs_sampler::{Blocks, MultiOutputSampler};

/// Default number of Gauss–Legendre nodes of the MP mixture (θ variable). At the F13 reference point
/// (α = 0.75, γ = 0.5, c = 0.1) the densities at x = 0.5, 1, 2, 4 agree with the 78-node values (the
/// reference's count) to 1e-12 from 16 nodes up; 24 keeps the edge-region error small (module docs).
pub const DEFAULT_NODES: usize = 24;

/// Largest accepted `c = C/N`.
pub const MAX_OUTPUTS_OVER_WIDTH: f64 = 100.0;

/// The exact proportional law of the `C`-output linear network's dual Gram matrix (F13).
#[derive(Debug, Clone)]
pub struct MultiOutputLinearFim {
    ratios: Ratios,
    outputs_over_width: f64,
    sigma_w2: f64,
    sigma_v2: f64,
    /// Mixture nodes `s_j` and weights `w_j` (sum 1; `s = 0` is the MP atom when `c > 1`).
    nodes: Vec<(f64, f64)>,
    components: Vec<LinearFim>,
    /// Components at the MP edges `s₋`, `s₊` (support only).
    edge_components: Vec<LinearFim>,
    support: OnceLock<Support>,
}

impl MultiOutputLinearFim {
    /// Validated law: `σ_w², σ_v² > 0`, `c = C/N ∈ [0, 100]`, both layers trained, [`DEFAULT_NODES`]
    /// nodes.
    pub fn new(
        ratios: Ratios,
        outputs_over_width: f64,
        sigma_w2: f64,
        sigma_v2: f64,
    ) -> Result<Self> {
        Self::with_nodes(
            ratios,
            outputs_over_width,
            sigma_w2,
            sigma_v2,
            DEFAULT_NODES,
        )
    }

    /// As [`new`](Self::new) with `nodes` Gauss–Legendre nodes (`1..=400`) on the continuous part of MP.
    pub fn with_nodes(
        ratios: Ratios,
        outputs_over_width: f64,
        sigma_w2: f64,
        sigma_v2: f64,
        nodes: usize,
    ) -> Result<Self> {
        let sigma_w2 = check::positive("sigma_w2", sigma_w2)?;
        let sigma_v2 = check::positive("sigma_v2", sigma_v2)?;
        let c = check::in_range(
            "outputs_over_width (C/N)",
            outputs_over_width,
            0.0,
            MAX_OUTPUTS_OVER_WIDTH,
        )?;
        let nodes = check::count("nodes", nodes, 1, 400)?;
        let rule = mp_rule(c, sigma_v2, nodes)?;
        // s = 0 (the MP atom for c > 1, the hard edge for c = 1): blocks A alone, the readout-only law
        let mk = |s: f64| {
            if s > 0.0 {
                LinearFim::new(ratios, sigma_w2, s, Trained::Both)
            } else {
                LinearFim::new(ratios, sigma_w2, 0.0, Trained::Readout)
            }
        };
        let components = rule.iter().map(|&(s, _)| mk(s)).collect::<Result<_>>()?;
        let edge_components = if c > 0.0 {
            let r = c.sqrt();
            vec![
                mk(sigma_v2 * (1.0 - r).powi(2))?,
                mk(sigma_v2 * (1.0 + r).powi(2))?,
            ]
        } else {
            vec![]
        };
        Ok(MultiOutputLinearFim {
            ratios,
            outputs_over_width: c,
            sigma_w2,
            sigma_v2,
            nodes: rule,
            components,
            edge_components,
            support: OnceLock::new(),
        })
    }

    /// `c = C/N`.
    pub fn outputs_over_width(&self) -> f64 {
        self.outputs_over_width
    }

    /// The mixture: MP nodes `s_j` with their normalised weights `w_j`.
    pub fn nodes(&self) -> &[(f64, f64)] {
        &self.nodes
    }

    /// The component F9 laws, one per node.
    pub fn components(&self) -> &[LinearFim] {
        &self.components
    }

    /// Atom at 0: `Σ_j w_j (atom of component j)`, i.e. `(1 - 1/α)₊` for `c <= 1` (every block has rank
    /// `min(n, d)`), plus `(1 - 1/c)` times the readout-only atom `1 - min(n, d, N)/n` for `c > 1`.
    pub fn atom_mass(&self) -> f64 {
        let a: f64 = self
            .components
            .iter()
            .zip(&self.nodes)
            .map(|(c, &(_, w))| w * c.atom_mass())
            .sum();
        if a > 1e-12 {
            a
        } else {
            0.0
        }
    }

    fn support_cached(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let parts: Vec<Support> = self
            .edge_components
            .par_iter()
            .chain(self.components.par_iter())
            .map(|c| c.support())
            .collect::<Result<_>>()?;
        let mut iv: Vec<(f64, f64)> = parts.iter().flat_map(|s| s.components.clone()).collect();
        iv.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut components: Vec<(f64, f64)> = Vec::new();
        for (lo, hi) in iv {
            match components.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => components.push((lo, hi)),
            }
        }
        let a = self.atom_mass();
        let atoms = if a > 0.0 { vec![(0.0, a)] } else { vec![] };
        let _ = self.support.set(Support { components, atoms });
        Ok(self.support.get().expect("just set"))
    }
}

/// Quadrature rule for `MP(c, s2)`: `(s_j, w_j)`, ascending, weights summing to 1. The continuous part
/// (mass `min(1, 1/c)`) by Gauss–Legendre in the arcsine variable, its weights normalised to that
/// mass; for `c > 1` the atom `1 - 1/c` at `s = 0` is the first node; `c = 0` is the point mass at `s2`.
fn mp_rule(c: f64, s2: f64, n: usize) -> Result<Vec<(f64, f64)>> {
    if c == 0.0 {
        return Ok(vec![(s2, 1.0)]);
    }
    let (a, b) = (s2 * (1.0 - c.sqrt()).powi(2), s2 * (1.0 + c.sqrt()).powi(2));
    let gl = gauss_legendre(n)?;
    let half = std::f64::consts::FRAC_PI_2;
    let mut out: Vec<(f64, f64)> = gl
        .nodes
        .iter()
        .zip(&gl.weights)
        .map(|(&t, &w)| {
            let theta = half * (t + 1.0);
            let s = a + (b - a) * (1.0 - theta.cos()) / 2.0;
            // MP density sqrt((b-s)(s-a)) / (2π c s2 s) ds, with ds = (b-a)/2 sin θ dθ, dθ = π/2 dt
            let sin = theta.sin();
            let dens =
                ((b - a) / 2.0).powi(2) * sin * sin / (2.0 * std::f64::consts::PI * c * s2 * s);
            (s, w * half * dens)
        })
        .collect();
    let continuous = (1.0 / c).min(1.0);
    let total: f64 = out.iter().map(|p| p.1).sum();
    out.iter_mut().for_each(|p| p.1 *= continuous / total);
    out.sort_by(|x, y| x.0.total_cmp(&y.0));
    if c > 1.0 {
        out.insert(0, (0.0, 1.0 - 1.0 / c));
    }
    Ok(out)
}

/// Density of one component at sorted points: 0 outside its support; inside each support interval
/// `Im m/π` from the shared grid solver with extrapolated warm starts
/// ([`stieltjes::solve_grid_extrapolated`]: ~1.9 Newton iterations per point instead of ~3.3 from the
/// previous value alone).
fn component_density(c: &LinearFim, xs: &[f64]) -> Result<Vec<f64>> {
    let opts = SolverOptions::default();
    let mut out = vec![0.0; xs.len()];
    for &(lo, hi) in &c.support()?.components {
        let start = xs.partition_point(|&x| x <= lo);
        let end = xs.partition_point(|&x| x < hi);
        let sol = stieltjes::solve_grid_extrapolated(c, &xs[start..end], &opts)?;
        for (o, s) in out[start..end].iter_mut().zip(&sol) {
            *o = stieltjes::density_of(s.m);
        }
    }
    Ok(out)
}

impl SpectralModel for MultiOutputLinearFim {
    fn name(&self) -> String {
        "fim-linear-outputs".into()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "proportional", "activation": "linear", "exact": true, "trained": Trained::Both,
            "ratios": self.ratios.json(),
            "outputs_over_width": self.outputs_over_width,
            "outputs_over_width_meaning": "c = C/N (number of outputs per hidden unit)",
            "outputs_over_n": self.outputs_over_width * self.ratios.width_over_n,
            "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "mixture_nodes": self.nodes.len(),
            "scale": "eigenvalues of the dual Gram K = J Jᵀ ((C n) × (C n)); FIM = K/n",
            "law": "F13: mixture over s ~ MP(C/N, sigma_v2) of the F9 law with sigma_v2 -> s",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        let parts: Vec<C64> = self
            .components
            .par_iter()
            .map(|c| c.stieltjes(z))
            .collect::<Result<_>>()?;
        Ok(parts
            .iter()
            .zip(&self.nodes)
            .map(|(g, &(_, w))| g * w)
            .sum())
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        let support = self.support_cached()?;
        let (lo, hi) = (
            support.components.first().map_or(0.0, |c| c.0),
            support.components.last().map_or(0.0, |c| c.1),
        );
        // sorted points inside the hull (outside it no component has mass)
        let mut inside: Vec<usize> = (0..xs.len())
            .filter(|&i| xs[i] > lo && xs[i] < hi)
            .collect();
        inside.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
        let pts: Vec<f64> = inside.iter().map(|&i| xs[i]).collect();
        let parts: Vec<Vec<f64>> = self
            .components
            .par_iter()
            .map(|c| component_density(c, &pts))
            .collect::<Result<_>>()?;
        let mut out = vec![0.0; xs.len()];
        for (part, &(_, w)) in parts.iter().zip(&self.nodes) {
            for (&i, d) in inside.iter().zip(part) {
                out[i] += w * d;
            }
        }
        Ok(out)
    }
    fn support(&self) -> Result<Support> {
        Ok(self.support_cached()?.clone())
    }
    fn moments(&self) -> Vec<f64> {
        let (a, g, c) = (
            self.ratios.alpha(),
            self.ratios.gamma(),
            self.outputs_over_width,
        );
        let (s, v) = (self.sigma_w2, self.sigma_v2);
        let m1 = s + v;
        let m2 = a * (s * s * (1.0 + g) + 2.0 * s * v + v * v * (1.0 + c)) + m1 * m1 + v * v * c;
        vec![m1, m2]
    }
}
