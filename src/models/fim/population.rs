//! Population FIM at infinite width, docs/models/fim.md (F23) and section
//! "Population FIM". The single-unit block (F24) is in [`super::unit_block`].
//!
//! **F23 (readout population FIM = kernel operator).** Rows `w_i` of `W` (`N × d`) with
//! `|w_i|² = σ_w² d`, inputs `x ~ N(0, I_d)`. Then `h_i = w_i·x/√d` are centred Gaussians with variance
//! `σ_w²` and correlation `ρ_ij = w̃_i·w̃_j` (unit vectors), so the expectation over `x` is exact:
//!
//! ```text
//! F_pop = (1/N) E_x[φ(Wx/√d) φ(Wx/√d)ᵀ] = κ(W̃W̃ᵀ)/N,   κ(ρ) = E[φ(u)φ(v)] = Σ_k b_k ρ^k,  b_k = h_k²/k!
//! ```
//!
//! As `N → ∞` with the `w̃_i` uniform on `S^{d-1}`, the spectrum of `F_pop` tends to that of the integral
//! operator with kernel `κ(⟨u, v⟩)`. By Funk–Hecke it is diagonal on spherical harmonics: degree `k` has
//! multiplicity `N(d, k) = (2k + d - 2)/k · C(k + d - 3, k - 1)` (1, d, d(d+1)/2 - 1, ...) and eigenvalue
//!
//! ```text
//! λ_k = E_t[κ(t) P_k(t)],   t ~ c_d (1 - t²)^{(d-3)/2} on [-1, 1],   P_k(1) = 1 (Gegenbauer, λ = (d-2)/2)
//! ```
//!
//! exact at finite `d` (Gauss–Gegenbauer quadrature, [`crate::numerics::quad::gauss_gegenbauer`]).
//! Group traces `T_k = N(d, k) λ_k` sum to `κ(1) = η` (Mercer); as `d → ∞`, `λ_k ≈ k! b_k/d^k` and
//! `T_k → b_k` (ReLU: `(b0 + b1 + b2)/η = 0.9775`, Takeishi et al.'s "97.7%").
//!
//! **Finite `N`** [derived here]. Write `F_pop = (1/N) Φ Λ Φᵀ` with `Φ_im = Y_m(w̃_i)`
//! (orthonormal harmonics). Its nonzero spectrum is that of `Λ^{1/2}(I + E)Λ^{1/2}`,
//! `E = ΦᵀΦ/N - I`. By the addition theorem `Σ_{m∈k} Y_m(w)² = N(d, k)` the first-order change of a
//! group trace vanishes identically; second order, with `E[E_{mm'}²] = E[Y_m² Y_m'²]/N`, gives the bias
//!
//! ```text
//! E[T̂_k] = T_k + δ_k + O(N^-2),   δ_k = (N(d,k)/N) Σ_{k'≠k} T_k' λ_k/(λ_k - λ_k')
//! ```
//!
//! (degrees above [`INTERNAL_DEGREE`] enter through their total trace with `λ_k' → 0`). The next order
//! is estimated as `δ_k²/T_k`. Checked against a reference MC (numpy, N = 4000) and our own draws.

use super::activation::{Activation, HERMITE_ORDER};
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::models::bayes::kernels::Activation as NngpActivation;
use crate::numerics::linalg::eigvalsh;
use crate::numerics::quad::{gauss_gegenbauer, gaussian_expectation_2d, GH_NODES};
use crate::rng::{normals, Rng};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Degrees computed internally (for the finite-width bias and the eigenvalue ordering).
pub const INTERNAL_DEGREE: usize = 16;
/// Largest degree a [`PopulationFim`] reports.
pub const MAX_DEGREE: usize = 40;
/// Gauss–Gegenbauer nodes of the Funk–Hecke integrals.
pub const FH_NODES: usize = 400;
/// A group is compared with a finite-`N` sample only while the cumulative multiplicity of the groups
/// above it (itself included) is at most this fraction of `N`.
pub const RESOLVE_FRACTION: f64 = 0.5;
const CHEB_DEGREE: usize = 128;

/// The pair kernel `κ(ρ) = E[φ(u) φ(v)]`, `(u, v)` centred Gaussian, variances `σ_w²`, correlation `ρ`.
/// Closed forms (through the NNGP kernels of [`crate::models::bayes::kernels`]) for linear, ReLU,
/// erf, and for cReLU and `|x| - √(2/π)` derived from ReLU; other activations are tabulated once by a
/// degree-128 Chebyshev interpolant of tensor Gauss–Hermite values.
#[derive(Debug, Clone)]
pub struct PairKernel {
    sigma_w2: f64,
    form: Form,
}

#[derive(Debug, Clone)]
enum Form {
    Nngp(NngpActivation),
    /// `κ_relu(ρ) - 2 c E relu + c²`.
    CRelu(f64),
    /// `2κ_relu(ρ) + 2κ_relu(-ρ) - 2 c E|u| + c²`.
    Absc(f64),
    Chebyshev(Vec<f64>),
}

impl PairKernel {
    /// The kernel of `activation` at weight variance `σ_w² > 0`.
    pub fn new(activation: &Activation, sigma_w2: f64) -> Result<Self> {
        let s2 = check::positive("sigma_w2", sigma_w2)?;
        let form = match activation {
            Activation::Linear => Form::Nngp(NngpActivation::Id),
            Activation::Relu => Form::Nngp(NngpActivation::Relu),
            Activation::Erf => Form::Nngp(NngpActivation::Erf),
            Activation::Crelu => Form::CRelu(1.0 / (2.0 * PI).sqrt()),
            Activation::Absc => Form::Absc((2.0 / PI).sqrt()),
            Activation::Tanh | Activation::Custom(_) => return Self::tabulated(activation, s2),
        };
        Ok(PairKernel { sigma_w2: s2, form })
    }

    /// The Chebyshev-tabulated kernel (tensor Gauss–Hermite, [`GH_NODES`] nodes per axis: the
    /// 64-node rule of the NNGP kernels is off by 3e-9 for tanh at ρ = 1), for any
    /// activation; [`PairKernel::new`] uses it only where no closed form exists.
    pub fn tabulated(activation: &Activation, sigma_w2: f64) -> Result<Self> {
        let s2 = check::positive("sigma_w2", sigma_w2)?;
        let f = |r: f64| {
            gaussian_expectation_2d(
                |u, v| activation.eval(u) * activation.eval(v),
                s2,
                s2 * r,
                s2,
                GH_NODES,
            )
        };
        Ok(PairKernel {
            sigma_w2: s2,
            form: Form::Chebyshev(chebyshev_fit(f)?),
        })
    }

    /// `κ(ρ)` for `ρ` in `[-1, 1]` (clamped).
    pub fn eval(&self, rho: f64) -> f64 {
        let r = rho.clamp(-1.0, 1.0);
        let s2 = self.sigma_w2;
        let relu = |r: f64| s2 / (2.0 * PI) * (r * (PI - r.acos()) + (1.0 - r * r).sqrt());
        match &self.form {
            // the closed forms cannot fail on a valid covariance (|ρ| <= 1)
            Form::Nngp(a) => a.kernel(s2, s2 * r, s2).unwrap_or(f64::NAN),
            Form::CRelu(c) => relu(r) - 2.0 * c * (s2 / (2.0 * PI)).sqrt() + c * c,
            Form::Absc(c) => 2.0 * (relu(r) + relu(-r)) - 2.0 * c * (2.0 * s2 / PI).sqrt() + c * c,
            Form::Chebyshev(coef) => clenshaw(coef, r),
        }
    }

    /// Whether `κ` is a closed form (not tabulated).
    pub fn is_closed_form(&self) -> bool {
        !matches!(self.form, Form::Chebyshev(_))
    }
}

/// Chebyshev–Lobatto interpolation coefficients of `f` on `[-1, 1]`.
fn chebyshev_fit(f: impl Fn(f64) -> Result<f64>) -> Result<Vec<f64>> {
    let m = CHEB_DEGREE;
    let vals: Vec<f64> = (0..=m)
        .map(|j| f((PI * j as f64 / m as f64).cos()))
        .collect::<Result<_>>()?;
    if vals.iter().any(|v| !v.is_finite()) {
        return Err(Error::Domain(
            "pair kernel E[φ(u)φ(v)] is not finite (activation without finite Gaussian moments)"
                .into(),
        ));
    }
    Ok((0..=m)
        .map(|k| {
            let s: f64 = (0..=m)
                .map(|j| {
                    let w = if j == 0 || j == m { 0.5 } else { 1.0 };
                    w * vals[j] * (PI * (k * j) as f64 / m as f64).cos()
                })
                .sum();
            let c = 2.0 * s / m as f64;
            if k == 0 || k == m {
                c / 2.0
            } else {
                c
            }
        })
        .collect())
}

fn clenshaw(c: &[f64], x: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    for &ck in c[1..].iter().rev() {
        let b = ck + 2.0 * x * b1 - b2;
        b2 = b1;
        b1 = b;
    }
    c[0] + x * b1 - b2
}

/// Dimension `N(d, k)` of the degree-`k` spherical harmonics on `S^{d-1}` (`d >= 2`).
pub fn harmonic_multiplicity(d: usize, k: usize) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let df = d as f64;
    let binom: f64 = (1..k).map(|i| (df - 2.0 + i as f64) / i as f64).product();
    (2.0 * k as f64 + df - 2.0) / k as f64 * binom
}

/// One spherical-harmonic degree group of the population FIM (F23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DegreeGroup {
    /// Degree `k`.
    pub degree: usize,
    /// Multiplicity `N(d, k)`.
    pub multiplicity: f64,
    /// Exact finite-`d` eigenvalue `λ_k` (Funk–Hecke).
    pub eigenvalue: f64,
    /// Group trace `T_k = N(d, k) λ_k`.
    pub trace: f64,
    /// `T_k / η`.
    pub share: f64,
    /// Rounding-error estimate of `T_k` (`16 (k+1) ε N(d,k) E|κ P_k|`); a computed `|T_k|` below it
    /// is reported as exactly 0.
    pub rounding_error: f64,
    /// `d → ∞` limit of the group trace, `b_k` (known for `k <= 8`).
    pub asymptotic_trace: Option<f64>,
    /// Leading-order eigenvalue `k! b_k / d^k`.
    pub asymptotic_eigenvalue: Option<f64>,
}

/// A group compared with a finite-width sample: its ranks and the O(1/N)-corrected prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupPrediction {
    /// Degree `k`.
    pub degree: usize,
    /// First rank (0 = largest eigenvalue) of the group in the sorted sample.
    pub first_rank: usize,
    /// Number of eigenvalues (the multiplicity).
    pub count: usize,
    /// Infinite-width group trace `T_k`.
    pub trace: f64,
    /// Second-order finite-width shift `δ_k`.
    pub shift: f64,
    /// `T_k + δ_k`.
    pub predicted: f64,
    /// Next-order (O(N⁻²)) estimate `δ_k²/|T_k|`.
    pub next_order: f64,
}

/// The readout population FIM at infinite width, grouped by spherical-harmonic degree (F23).
#[derive(Debug, Clone)]
pub struct PopulationFim {
    activation: String,
    d: usize,
    sigma_w2: f64,
    eta: f64,
    mean_kappa_sq: f64,
    shown: usize,
    groups: Vec<DegreeGroup>,
}

impl PopulationFim {
    /// Degree groups `k = 0..=max_degree` for input dimension `d` in `[2, 1e6]`, `σ_w² > 0`,
    /// `max_degree <= 40`.
    pub fn new(
        activation: &Activation,
        d: usize,
        sigma_w2: f64,
        max_degree: usize,
    ) -> Result<Self> {
        check::count("d", d, 2, 1_000_000)?;
        check::count("max_degree", max_degree, 0, MAX_DEGREE)?;
        let consts = activation.constants(sigma_w2, 0.0)?;
        let kernel = PairKernel::new(activation, sigma_w2)?;
        let b = consts.kernel_coefficients();
        let kmax = max_degree.max(INTERNAL_DEGREE);
        let eta = kernel.eval(1.0);
        let rule = gauss_gegenbauer(FH_NODES, (d as f64 - 2.0) / 2.0)?;
        let mean_kappa_sq = rule
            .nodes
            .iter()
            .zip(&rule.weights)
            .map(|(&t, w)| w * kernel.eval(t).powi(2))
            .sum::<f64>();
        let groups = funk_hecke(&kernel, d, kmax, FH_NODES)?
            .into_iter()
            .enumerate()
            .map(|(k, (lam, abs))| {
                let mult = harmonic_multiplicity(d, k);
                let err = 16.0 * (k + 1) as f64 * f64::EPSILON * mult * abs;
                // below the rounding floor the value is noise: report 0 (± rounding_error)
                let lam = if (mult * lam).abs() <= err { 0.0 } else { lam };
                let bk = (k <= HERMITE_ORDER).then(|| b[k]);
                let fact: f64 = (1..=k).map(|i| i as f64).product();
                DegreeGroup {
                    degree: k,
                    multiplicity: mult,
                    eigenvalue: lam,
                    trace: mult * lam,
                    share: mult * lam / eta,
                    rounding_error: err,
                    asymptotic_trace: bk,
                    asymptotic_eigenvalue: bk.map(|bk| fact * bk / (d as f64).powi(k as i32)),
                }
            })
            .collect();
        Ok(PopulationFim {
            activation: activation.name(),
            d,
            sigma_w2,
            eta,
            mean_kappa_sq,
            shown: max_degree + 1,
            groups,
        })
    }

    /// The groups `k = 0..=max_degree`.
    pub fn groups(&self) -> &[DegreeGroup] {
        &self.groups[..self.shown]
    }

    /// Total trace `κ(1) = η = E φ(h)²` (exact at every `N`: the diagonal of `κ(W̃W̃ᵀ)/N`).
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// Exact `E tr F_pop²` at width `N` (the second moment of the sampled spectrum, a statistic that
    /// depends on the weights — unlike the total trace `η`, which is the same for any `W`):
    /// `tr F_pop² = (1/N²) Σ_ij κ(ρ_ij)²` with `ρ_ii = 1` and, for `i ≠ j`, `ρ_ij = ⟨w̃_i, w̃_j⟩`
    /// distributed as `t ~ c_d (1 - t²)^{(d-3)/2}`, so
    /// `E tr F_pop² = κ(1)²/N + (1 - 1/N) E_t[κ(t)²]`, with `E_t[κ²]` by Gauss–Gegenbauer quadrature
    /// of `κ²` itself (by Parseval it equals `Σ_k N(d, k) λ_k²`, an independent cross-check of the groups).
    pub fn expected_trace_sq(&self, width: usize) -> f64 {
        let n = width.max(1) as f64;
        self.eta * self.eta / n + (1.0 - 1.0 / n) * self.mean_kappa_sq
    }

    /// `E_t[κ(t)²]` for `t` the cosine between two independent uniform directions on `S^{d-1}`.
    pub fn mean_kappa_sq(&self) -> f64 {
        self.mean_kappa_sq
    }

    /// `η - Σ_{k <= max_degree} T_k`: the trace of the degrees not listed.
    pub fn residual_trace(&self) -> f64 {
        self.eta - self.groups().iter().map(|g| g.trace).sum::<f64>()
    }

    /// Parameters for reports.
    pub fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "population", "trained": "readout", "activation": self.activation,
            "d": self.d, "sigma_w2": self.sigma_w2, "eta": self.eta,
            "matrix": "(1/N) E_x[φ(Wx/√d)φ(Wx/√d)ᵀ] = κ(W̃W̃ᵀ)/N, |w_i|² = σ_w² d; N → ∞",
        })
    }

    fn resolved(&self, g: &DegreeGroup) -> bool {
        g.eigenvalue > 1e-12 * self.eta && g.trace > 100.0 * g.rounding_error
    }

    /// The groups a width-`N` sample resolves, in decreasing eigenvalue, with their ranks and the
    /// finite-width prediction `T_k + δ_k`: positive and resolved eigenvalue, at least twice the next
    /// eigenvalue, and cumulative multiplicity at most [`RESOLVE_FRACTION`]` N`.
    pub fn finite_width(&self, width: usize) -> Result<Vec<GroupPrediction>> {
        check::count("width", width, 1, usize::MAX / 2)?;
        let nf = width as f64;
        let mut order: Vec<&DegreeGroup> = self.groups.iter().collect();
        order.sort_by(|a, b| b.eigenvalue.total_cmp(&a.eigenvalue));
        let listed: f64 = self.groups.iter().map(|g| g.trace).sum();
        let rest = self.eta - listed;
        let mut out = Vec::new();
        let mut rank = 0usize;
        for (i, g) in order.iter().enumerate() {
            let next = order.get(i + 1).map_or(0.0, |h| h.eigenvalue.max(0.0));
            let cum = rank as f64 + g.multiplicity;
            if !(self.resolved(g) && g.eigenvalue >= 2.0 * next && cum <= RESOLVE_FRACTION * nf) {
                break;
            }
            let lam = g.eigenvalue;
            let sum: f64 = self
                .groups
                .iter()
                .filter(|h| h.degree != g.degree && h.trace.abs() > h.rounding_error)
                .map(|h| h.trace * lam / (lam - h.eigenvalue))
                .sum::<f64>()
                + rest;
            let shift = g.multiplicity / nf * sum;
            out.push(GroupPrediction {
                degree: g.degree,
                first_rank: rank,
                count: g.multiplicity as usize,
                trace: g.trace,
                shift,
                predicted: g.trace + shift,
                next_order: shift * shift / g.trace.abs(),
            });
            rank = cum as usize;
        }
        if out.is_empty() {
            return Err(Error::Domain(format!(
                "no degree group of `{}` at d = {} is resolved by width {width} (the top group needs \
                 multiplicity <= {RESOLVE_FRACTION} N and a gap to the next)",
                self.activation, self.d
            )));
        }
        Ok(out)
    }

    /// Observed group traces of a sample: sums of the eigenvalues (any order) at the ranks of `pred`.
    pub fn observed(eigenvalues: &[f64], pred: &[GroupPrediction]) -> Vec<f64> {
        let mut desc = eigenvalues.to_vec();
        desc.sort_by(|a, b| b.total_cmp(a));
        pred.iter()
            .map(|p| desc.iter().skip(p.first_rank).take(p.count).sum())
            .collect()
    }
}

/// Funk–Hecke eigenvalues of `κ(⟨u, v⟩)` on `S^{d-1}`: `(λ_k, E|κ P_k|)` for `k = 0..=kmax` by
/// `nodes`-point Gauss–Gegenbauer quadrature ([`PopulationFim`] uses [`FH_NODES`]); `P_k` by the
/// normalised recurrence `P_{k+1} = ((2k + d - 2) t P_k - k P_{k-1})/(k + d - 2)`, `P_k(1) = 1`.
pub fn funk_hecke(
    kernel: &PairKernel,
    d: usize,
    kmax: usize,
    nodes: usize,
) -> Result<Vec<(f64, f64)>> {
    let rule = gauss_gegenbauer(nodes, (d as f64 - 2.0) / 2.0)?;
    let kv: Vec<f64> = rule.nodes.iter().map(|&t| kernel.eval(t)).collect();
    let df = d as f64;
    let mut p_prev = vec![1.0; rule.nodes.len()];
    let mut p = rule.nodes.clone();
    let mut out = Vec::with_capacity(kmax + 1);
    for k in 0..=kmax {
        let cur = if k == 0 { &p_prev } else { &p };
        let (mut lam, mut abs) = (0.0, 0.0);
        for ((w, kk), pk) in rule.weights.iter().zip(&kv).zip(cur) {
            lam += w * kk * pk;
            abs += w * (kk * pk).abs();
        }
        out.push((lam, abs));
        if k >= 1 {
            let kf = k as f64;
            let next: Vec<f64> = rule
                .nodes
                .iter()
                .zip(p.iter().zip(&p_prev))
                .map(|(t, (pk, pm))| ((2.0 * kf + df - 2.0) * t * pk - kf * pm) / (kf + df - 2.0))
                .collect();
            p_prev = std::mem::replace(&mut p, next);
        }
    }
    Ok(out)
}

/// Sampler of the population readout FIM `κ(W̃W̃ᵀ)/N` (F23): the only randomness is `W`, the
/// expectation over `x` being exact through `κ`. One draw = its eigenvalues, ascending.
#[derive(Debug, Clone)]
pub struct PopulationSampler {
    width: usize,
    d: usize,
    activation: String,
    sigma_w2: f64,
    kernel: PairKernel,
}

impl PopulationSampler {
    /// Width `N` in `[1, 20000]`, `d` in `[2, 20000]`, `σ_w² > 0`.
    pub fn new(activation: &Activation, width: usize, d: usize, sigma_w2: f64) -> Result<Self> {
        check::count("width", width, 1, 20_000)?;
        check::count("d", d, 2, 20_000)?;
        let s = PopulationSampler {
            width,
            d,
            activation: activation.name(),
            sigma_w2,
            kernel: PairKernel::new(activation, sigma_w2)?,
        };
        crate::budget::check("population FIM sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// Lower triangle (column-major `N × N`) of `κ(W̃W̃ᵀ)/N` for a fresh `W`; the diagonal is exactly
    /// `κ(1)/N`.
    pub fn matrix(&self, rng: &mut Rng) -> Vec<f64> {
        use rayon::prelude::*;
        let (nn, d) = (self.width, self.d);
        let mut u = normals(rng, nn * d);
        for row in u.chunks_mut(d) {
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
        }
        let inv = 1.0 / nn as f64;
        let mut m = vec![0.0; nn * nn];
        m.par_chunks_mut(nn).enumerate().for_each(|(j, col)| {
            let uj = &u[j * d..(j + 1) * d];
            col[j] = self.kernel.eval(1.0) * inv;
            for (i, c) in col.iter_mut().enumerate().skip(j + 1) {
                let ui = &u[i * d..(i + 1) * d];
                let rho: f64 = ui.iter().zip(uj).map(|(a, b)| a * b).sum();
                *c = self.kernel.eval(rho) * inv;
            }
        });
        m
    }
}

impl Sampler for PopulationSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "width": self.width, "d": self.d, "activation": self.activation, "sigma_w2": self.sigma_w2,
            "kernel": if self.kernel.is_closed_form() { "closed form" } else { "Chebyshev-tabulated" },
            "matrix": "κ(W̃W̃ᵀ)/N (N × N): readout population FIM, expectation over x exact",
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        eigvalsh(&self.matrix(rng), self.width)
    }
    /// `W` (`N d`), the `N x N` matrix and the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let (nn, d) = (self.width, self.d);
        f64s(elements(&[nn, d]) + elements(&[nn, nn])).saturating_add(eigen_bytes(nn))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.width as u128)
    }
}
