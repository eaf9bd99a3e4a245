//! Exact sampler of the output-space mixing matrix `Q` (F2): a product of Wishart matrices drawn with
//! Bartlett's decomposition, O(L D³) per draw; no N x N matrix is formed.
//!
//! `Q_L ~ W_D(N_L, σ_L² I/N_L)`, `Q_l | Q_{l+1} ~ W_D(N_l, σ_l² Q_{l+1}/N_l)`, `Q = Q_1`. With
//! `Q_{l+1} = R Rᵀ`, `Q_l = σ_l² R A Aᵀ Rᵀ / N_l` where `A` is Bartlett's lower-triangular factor
//! (`A_ii = sqrt(χ²_{N-i})`, i = 0..D-1, `A_ij ~ N(0, 1)` below the diagonal), so the new factor
//! `σ_l R A / sqrt(N_l)` is again lower triangular: no Cholesky is ever needed. The order of the factors
//! does not matter in law (orthogonal invariance). Degrees of freedom may be real (`N_l > D - 1`), which
//! the limit chain uses.
//!
//! Equation labels (F-numbers) are those of docs/models/dln-prior.md.

use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::rng::Rng;
use nalgebra::DMatrix;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Longest chain [`WishartProduct::limit_chain`] builds (`ceil(a n_eff)` factors).
pub const MAX_CHAIN: usize = 10_000_000;

/// Sampler of `Q = Λ × (product of unit Wisharts)` (F2).
#[derive(Debug, Clone)]
pub struct WishartProduct {
    d: usize,
    lambda: f64,
    /// Distinct dofs with their Bartlett diagonal laws `χ²_{N-i}`, and per-layer index into them.
    kinds: Vec<(f64, Vec<ChiSquared<f64>>)>,
    layers: Vec<usize>,
}

impl WishartProduct {
    /// Factors with degrees of freedom `dofs` (each `> D - 1`), D x D, overall scale `Λ > 0`.
    pub fn new(dofs: &[f64], d: usize, lambda: f64) -> Result<Self> {
        check::count("outputs", d, 1, super::MAX_OUTPUTS)?;
        check::count("layers", dofs.len(), 1, 100_000_000)?;
        check::in_range("lambda", lambda, 1e-300, 1e300)?;
        let mut kinds: Vec<(f64, Vec<ChiSquared<f64>>)> = Vec::new();
        let mut layers = Vec::with_capacity(dofs.len());
        for &n in dofs {
            // Bartlett needs N > D - 1; N >= D keeps every chi-square dof >= 1 (a dof of 4e-5 draws
            // values that underflow to 0, and Q = 0 with log-scale -inf; found by tests/properties.rs)
            if !(n.is_finite() && n >= d as f64 && n <= 1e15) {
                return Err(Error::param(
                    "width",
                    n,
                    &format!("in [D, 1e15] = [{d}, 1e15] for Bartlett's decomposition"),
                ));
            }
            let k = match kinds.iter().position(|k| k.0 == n) {
                Some(k) => k,
                None => {
                    let chis = (0..d)
                        .map(|i| {
                            ChiSquared::new(n - i as f64).map_err(|e| {
                                Error::Domain(format!("chi-square({}): {e}", n - i as f64))
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    kinds.push((n, chis));
                    kinds.len() - 1
                }
            };
            layers.push(k);
        }
        Ok(WishartProduct {
            d,
            lambda,
            kinds,
            layers,
        })
    }

    /// The exact mixing matrix of a finite-width prior.
    pub fn from_prior(p: &super::DlnPrior) -> Result<Self> {
        use super::DlnLaw;
        let dofs: Vec<f64> = p.widths().iter().map(|&n| n as f64).collect();
        WishartProduct::new(&dofs, p.outputs(), p.lambda())
    }

    /// Approximate sampler of the limit `Q_a` (F13): the exact chain with `L = ceil(a n_eff)` factors of
    /// real width `N = L / a` (so `Σ 1/N = a` exactly); law error O(1/n_eff) (use `n_eff >= 1000`).
    /// For `a = 0` a single factor of width `1e12` (Q = Λ I up to 1e-6).
    pub fn limit_chain(a: f64, d: usize, lambda: f64, n_eff: f64) -> Result<Self> {
        check::in_range("a", a, 0.0, 50.0)?;
        check::in_range("n_eff", n_eff, d as f64, 1e9)?;
        if a == 0.0 {
            return WishartProduct::new(&[1e12], d, lambda);
        }
        let l = (a * n_eff).ceil().max(1.0);
        if l > MAX_CHAIN as f64 {
            // checked before allocating the chain (a * n_eff can reach 5e10)
            return Err(Error::param(
                "n_eff",
                n_eff,
                &format!("such that a * n_eff <= {MAX_CHAIN:e} (a = {a})"),
            ));
        }
        WishartProduct::new(&vec![l / a; l as usize], d, lambda)
    }

    /// Degrees of freedom of each factor.
    pub fn dofs(&self) -> Vec<f64> {
        self.layers.iter().map(|&k| self.kinds[k].0).collect()
    }

    /// One draw of the lower-triangular factor `R` with `Q = e^{2s} R Rᵀ`, returned as `(R, s)`
    /// (row-major D x D; the log-scale `s` avoids overflow for very deep chains).
    pub fn sample_factor(&self, rng: &mut Rng) -> (Vec<f64>, f64) {
        let d = self.d;
        let mut r = vec![0.0; d * d];
        for i in 0..d {
            r[i * d + i] = 1.0;
        }
        let mut log_scale = 0.5 * self.lambda.ln();
        let mut a = vec![0.0; d * d];
        let mut tmp = vec![0.0; d * d];
        for &k in &self.layers {
            let (n, chis) = &self.kinds[k];
            for i in 0..d {
                a[i * d + i] = chis[i].sample(rng).sqrt();
                for j in 0..i {
                    a[i * d + j] = StandardNormal.sample(rng);
                }
            }
            // tmp = R A (both lower triangular)
            let mut mx: f64 = 0.0;
            for i in 0..d {
                for j in 0..=i {
                    let mut s = 0.0;
                    for m in j..=i {
                        s += r[i * d + m] * a[m * d + j];
                    }
                    tmp[i * d + j] = s;
                    mx = mx.max(s.abs());
                }
            }
            log_scale -= 0.5 * n.ln();
            // keep entries O(1)
            let inv = if mx > 0.0 { 1.0 / mx } else { 1.0 };
            log_scale += mx.ln();
            for i in 0..d {
                for j in 0..=i {
                    r[i * d + j] = tmp[i * d + j] * inv;
                }
            }
        }
        (r, log_scale)
    }
}

impl Sampler for WishartProduct {
    type Output = DMatrix<f64>;

    fn describe(&self) -> serde_json::Value {
        let dofs = self.dofs();
        serde_json::json!({
            "sampler": "bartlett-wishart-product",
            "outputs": self.d,
            "lambda": self.lambda,
            "factors": dofs.len(),
            "a": dofs.iter().map(|n| 1.0 / n).sum::<f64>(),
        })
    }

    /// One draw of `Q` (D x D).
    fn sample(&self, rng: &mut Rng) -> Result<DMatrix<f64>> {
        let d = self.d;
        let (r, s) = self.sample_factor(rng);
        let rm = DMatrix::from_row_slice(d, d, &r);
        Ok(&rm * rm.transpose() * (2.0 * s).exp())
    }
}
