//! The Amari–Karakida–Oizumi single-unit FIM block, docs/models/fim.md (F24) and section
//! "Population FIM". The population readout FIM (F23) is in [`super::population`].
//!
//! **F24 (single-unit block).** A unit `u = w·x + b`, `x ~ N(0, I_n)`, `x̃ = (x, 1)`, `e = w/|w|`,
//! `u = |w| z + b`:
//!
//! ```text
//! G = E[φ'(u)² x̃ x̃ᵀ] = A P⊥ + B on span{(e, 0), (0, 1)},   A = E φ'(u)²  (multiplicity n - 1),
//! B = [[E φ'² z², E φ'² z], [E φ'² z, E φ'²]],   G⁻¹ = P⊥/A + B⁻¹ on the span.
//! ```
//!
//! Closed forms for ReLU/cReLU (`Φ(c), ϕ(c), Φ(c) - c ϕ(c)`, `c = b/|w|`), erf (Gaussian integrals),
//! linear and |x| (`φ'² = 1`); Gauss–Hermite for tanh and user activations.

use super::activation::Activation;
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::numerics::linalg::eigvalsh;
use crate::numerics::quad::{gauss_hermite, GH_NODES};
use crate::rng::{normals, Rng};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// `E[φ'(u)² z^m]`, `m = 0, 1, 2`, `u = s z + b` (F24).
fn derivative_moments(activation: &Activation, s: f64, b: f64) -> Result<[f64; 3]> {
    Ok(match activation {
        Activation::Linear | Activation::Absc => [1.0, 0.0, 1.0],
        Activation::Relu | Activation::Crelu => {
            let c = b / s;
            let cdf = 0.5 * crate::numerics::special::erfc(-c / 2f64.sqrt());
            let pdf = (-0.5 * c * c).exp() / (2.0 * PI).sqrt();
            [cdf, pdf, cdf - c * pdf]
        }
        Activation::Erf => {
            // (4/π) e^{-2u²} times the N(0,1) weight is a Gaussian of precision p = 1 + 4s²
            let p = 1.0 + 4.0 * s * s;
            let m0 = 4.0 / PI * (-2.0 * b * b / p).exp() / p.sqrt();
            let mu = -4.0 * s * b / p;
            [m0, m0 * mu, m0 * (mu * mu + 1.0 / p)]
        }
        _ => {
            let rule = gauss_hermite(GH_NODES)?;
            let g = |x: f64| activation.deriv(s * x + b).powi(2);
            let m = [
                rule.apply(g),
                rule.apply(|x| g(x) * x),
                rule.apply(|x| g(x) * x * x),
            ];
            if m.iter().any(|v| !v.is_finite()) {
                return Err(Error::Domain("E φ'(u)² is not finite".into()));
            }
            m
        }
    })
}

/// The single-unit FIM block `G = E[φ'(u)² x̃ x̃ᵀ]` of Amari, Karakida & Oizumi (F24).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitBlock {
    /// Activation name.
    pub activation: String,
    /// Input dimension `n` (`G` is `(n+1) × (n+1)`).
    pub n: usize,
    /// `|w|`.
    pub w_norm: f64,
    /// Bias `b`.
    pub bias: f64,
    /// `A = E φ'(u)²`, eigenvalue on the `n - 1` directions orthogonal to `w` (and the bias).
    pub a: f64,
    /// `B = [[E φ'² z², E φ'² z], [E φ'² z, E φ'²]]` on span{(e, 0), (0, 1)}.
    pub block: [[f64; 2]; 2],
    /// Eigenvalues of `B`, ascending.
    pub block_eigenvalues: [f64; 2],
}

impl UnitBlock {
    /// `n` in `[1, 1e6]`, `|w| > 0`, `b` finite.
    pub fn new(activation: &Activation, n: usize, w_norm: f64, bias: f64) -> Result<Self> {
        check::count("n", n, 1, 1_000_000)?;
        let s = check::positive("w_norm", w_norm)?;
        let b = check::finite("bias", bias)?;
        let [m0, m1, m2] = derivative_moments(activation, s, b)?;
        let (tr, det) = (m0 + m2, m0 * m2 - m1 * m1);
        let disc = ((m2 - m0).powi(2) + 4.0 * m1 * m1).sqrt();
        let hi = 0.5 * (tr + disc);
        Ok(UnitBlock {
            activation: activation.name(),
            n,
            w_norm: s,
            bias: b,
            a: m0,
            block: [[m2, m1], [m1, m0]],
            // lo = det/hi avoids the cancellation of (tr - disc)/2
            block_eigenvalues: [if hi > 0.0 { det / hi } else { 0.0 }, hi],
        })
    }

    /// All eigenvalues with multiplicities: `(A, n - 1)` and the two block eigenvalues.
    pub fn eigenvalues(&self) -> Vec<(f64, usize)> {
        let mut v = vec![
            (self.block_eigenvalues[0], 1),
            (self.block_eigenvalues[1], 1),
        ];
        if self.n > 1 {
            v.push((self.a, self.n - 1));
        }
        v.sort_by(|x, y| x.0.total_cmp(&y.0));
        v
    }

    /// All `n + 1` eigenvalues of `G`, each repeated by its multiplicity, sorted.
    pub fn spectrum(&self) -> Vec<f64> {
        self.eigenvalues()
            .iter()
            .flat_map(|&(v, m)| std::iter::repeat_n(v, m))
            .collect()
    }

    /// `B⁻¹` (error if `B` is singular to working precision).
    pub fn block_inverse(&self) -> Result<[[f64; 2]; 2]> {
        let [[p, q], [_, r]] = self.block;
        let det = p * r - q * q;
        if det.is_nan() || det <= 1e-14 * (p * r).abs() {
            return Err(Error::Domain(format!(
                "unit block is singular (det B = {det:e}): no inverse"
            )));
        }
        Ok([[r / det, -q / det], [-q / det, p / det]])
    }

    fn embed(&self, e: &[f64], perp: f64, b: [[f64; 2]; 2]) -> Result<DMatrix<f64>> {
        let n = self.n;
        if e.len() != n {
            return Err(Error::InvalidData(format!(
                "direction has {} entries, n = {n}",
                e.len()
            )));
        }
        let norm = e.iter().map(|x| x * x).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return Err(Error::InvalidData(
                "direction must be finite and nonzero".into(),
            ));
        }
        let mut g = DMatrix::zeros(n + 1, n + 1);
        for i in 0..n {
            for j in 0..n {
                let (ei, ej) = (e[i] / norm, e[j] / norm);
                g[(i, j)] = perp * (f64::from(u8::from(i == j)) - ei * ej) + b[0][0] * ei * ej;
            }
            g[(i, n)] = b[0][1] * e[i] / norm;
            g[(n, i)] = g[(i, n)];
        }
        g[(n, n)] = b[1][1];
        Ok(g)
    }

    /// `G` as an `(n+1) × (n+1)` matrix for the weight direction `e` (normalised here).
    pub fn matrix(&self, e: &[f64]) -> Result<DMatrix<f64>> {
        self.embed(e, self.a, self.block)
    }

    /// `G⁻¹ = P⊥/A + B⁻¹` on the span, for the weight direction `e`.
    pub fn inverse_matrix(&self, e: &[f64]) -> Result<DMatrix<f64>> {
        if self.n > 1 && (self.a.is_nan() || self.a <= 0.0) {
            return Err(Error::Domain("A = E φ'(u)² = 0: G is singular".into()));
        }
        self.embed(e, 1.0 / self.a, self.block_inverse()?)
    }
}

/// One Monte Carlo estimate of `G` from `T` samples of `x` (F24), with per-sample standard errors.
#[derive(Debug, Clone)]
pub struct UnitBlockEstimate {
    /// `Ĝ = (1/T) Σ φ'(u_t)² x̃_t x̃_tᵀ`.
    pub matrix: DMatrix<f64>,
    /// Eigenvalues of `Ĝ`, ascending (its extremes are biased at finite `T`).
    pub eigenvalues: Vec<f64>,
    /// `(eᵀĜe, eᵀĜ_{x,1}, Ĝ_{11})`, unbiased for the entries of `B`.
    pub block: [f64; 3],
    /// Their standard errors (sample standard deviation of the `T` terms over `√T`).
    pub block_se: [f64; 3],
    /// `tr(P⊥ Ĝ)/(n - 1)`, unbiased for `A` (none for `n = 1`), and its standard error.
    pub bulk_mean: Option<(f64, f64)>,
}

/// Sampler of [`UnitBlockEstimate`]s: `w = |w| e` with `e = (1, …, 1)/√n`, `x ~ N(0, I_n)`.
#[derive(Debug, Clone)]
pub struct UnitBlockSampler {
    activation: Activation,
    block: UnitBlock,
    samples: usize,
}

impl UnitBlockSampler {
    /// `samples` (`T`) in `[2, 1e9]` per draw; other parameters as [`UnitBlock::new`].
    pub fn new(
        activation: Activation,
        n: usize,
        w_norm: f64,
        bias: f64,
        samples: usize,
    ) -> Result<Self> {
        check::count("samples", samples, 2, 1_000_000_000)?;
        let block = UnitBlock::new(&activation, n, w_norm, bias)?;
        let s = UnitBlockSampler {
            activation,
            block,
            samples,
        };
        crate::budget::check("unit-block sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// The theory this sampler simulates.
    pub fn theory(&self) -> &UnitBlock {
        &self.block
    }
}

impl Sampler for UnitBlockSampler {
    type Output = UnitBlockEstimate;
    fn describe(&self) -> serde_json::Value {
        let b = &self.block;
        serde_json::json!({
            "n": b.n, "w_norm": b.w_norm, "bias": b.bias, "activation": b.activation,
            "samples_per_draw": self.samples, "direction": "e = (1, ..., 1)/sqrt(n)",
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<UnitBlockEstimate> {
        let (n, t) = (self.block.n, self.samples);
        let e = 1.0 / (n as f64).sqrt();
        let mut g = DMatrix::<f64>::zeros(n + 1, n + 1);
        let mut sums = [[0.0; 2]; 4]; // Σ v, Σ v² for g z², g z, g, g|x⊥|²/(n-1)
        let mut done = 0;
        while done < t {
            let chunk = (t - done).min(4096);
            let xs = normals(rng, chunk * n);
            for x in xs.chunks(n) {
                let z: f64 = x.iter().sum::<f64>() * e;
                let gw = self
                    .activation
                    .deriv(self.block.w_norm * z + self.block.bias)
                    .powi(2);
                let perp = x.iter().map(|v| v * v).sum::<f64>() - z * z;
                let vals = [gw * z * z, gw * z, gw, gw * perp / (n.max(2) - 1) as f64];
                for (s, v) in sums.iter_mut().zip(vals) {
                    s[0] += v;
                    s[1] += v * v;
                }
                for j in 0..=n {
                    let xj = if j < n { x[j] } else { 1.0 };
                    for i in j..=n {
                        let xi = if i < n { x[i] } else { 1.0 };
                        g[(i, j)] += gw * xi * xj;
                    }
                }
            }
            done += chunk;
        }
        let tf = t as f64;
        for j in 0..=n {
            for i in j..=n {
                g[(i, j)] /= tf;
                g[(j, i)] = g[(i, j)];
            }
        }
        let stat = |s: [f64; 2]| {
            let m = s[0] / tf;
            let var = ((s[1] / tf - m * m) * tf / (tf - 1.0)).max(0.0);
            (m, (var / tf).sqrt())
        };
        let st: Vec<(f64, f64)> = sums.iter().map(|s| stat(*s)).collect();
        Ok(UnitBlockEstimate {
            eigenvalues: eigvalsh(g.as_slice(), n + 1)?,
            matrix: g,
            block: [st[0].0, st[1].0, st[2].0],
            block_se: [st[0].1, st[1].1, st[2].1],
            bulk_mean: (n > 1).then_some(st[3]),
        })
    }
    /// The `(n+1) x (n+1)` matrix (kept in the result), a chunk of 4096 inputs and the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let n = self.block.n;
        f64s(elements(&[n + 1, n + 1]) + elements(&[4096, n])).saturating_add(eigen_bytes(n + 1))
    }
    fn output_bytes(&self) -> u64 {
        let n = self.block.n;
        crate::budget::f64s(crate::budget::elements(&[n + 1, n + 2]))
    }
}
