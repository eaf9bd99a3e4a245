//! Sampler of actual random deep linear networks: every weight matrix is drawn and the inputs are
//! propagated (the object the theory describes, not Q directly). Used by the validator.
//!
//! Inputs: a realisation `X` (P x N_0) of the Gram matrix, `X = sqrt(N_0/σ_0²) [chol(C) | 0]` so that
//! `σ_0² X Xᵀ / N_0 = C` (`N_0 >= P`). Each draw records the outputs `f` (D x P), the input-space mixing
//! scalar at input 0, `q_in = σ_L² |h^L(x_0)|² / N_L` (law `Λ C_00 q`, F3/F4), and the output-space
//! mixing matrix `Q = Λ-scaled M Mᵀ` with `M = W^L ⋯ W^1 / sqrt(N_L ⋯ N_1)` computed backwards from the
//! readout (F1). Cost O(Σ N_l N_{l+1}) normals per network.
//!
//! Equation labels (F-numbers) are those of docs/models/dln-prior.md.

use super::{DlnLaw, DlnPrior};
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::rng::Rng;
use nalgebra::DMatrix;
use rand_distr::{Distribution, StandardNormal};

/// One sampled network.
#[derive(Debug, Clone)]
pub struct NetworkDraw {
    /// Outputs `f_i(x^μ)` (D x P).
    pub f: DMatrix<f64>,
    /// `σ_L² |h^L(x_0)|² / N_L` (= `Λ C_00 q` in law).
    pub q_in: f64,
    /// `Q = (Π σ_l²) M Mᵀ` (D x D).
    pub q: DMatrix<f64>,
}

/// Sampler of actual networks with the widths of a [`DlnPrior`].
#[derive(Debug, Clone)]
pub struct NetworkSampler {
    widths: Vec<usize>,
    sigma: Vec<f64>,
    outputs: usize,
    x: DMatrix<f64>,
    n0: usize,
}

fn gaussian(rows: usize, cols: usize, scale: f64, rng: &mut Rng) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| {
        let z: f64 = StandardNormal.sample(rng);
        z * scale
    })
}

impl NetworkSampler {
    /// Networks with the prior's widths, variances, outputs and Gram matrix (σ_0 = 1), input dimension
    /// `n0 >= P`.
    pub fn for_prior(prior: &DlnPrior, n0: usize) -> Result<Self> {
        let c = prior.gram().matrix();
        let p = c.nrows();
        check::count("n0", n0, p, 1_000_000)?;
        crate::budget::check(
            "network inputs",
            crate::budget::f64s(crate::budget::elements(&[p, n0])),
        )?;
        let chol = c
            .clone()
            .cholesky()
            .ok_or_else(|| Error::InvalidData("Gram matrix is not positive definite".into()))?;
        let l = chol.l();
        let mut x = DMatrix::zeros(p, n0);
        x.view_mut((0, 0), (p, p))
            .copy_from(&(l * (n0 as f64).sqrt()));
        let mut sigma = vec![1.0];
        sigma.extend(prior.sigma2().iter().map(|v| v.sqrt()));
        let s = NetworkSampler {
            widths: prior.widths().to_vec(),
            sigma,
            outputs: prior.outputs(),
            x,
            n0,
        };
        crate::budget::check("network sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }
}

impl Sampler for NetworkSampler {
    type Output = NetworkDraw;

    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "sampler": "dense-network",
            "n0": self.n0,
            "widths": super::compress_widths(&self.widths),
            "sigma": self.sigma,
            "outputs": self.outputs,
            "inputs": self.x.nrows(),
        })
    }

    fn sample(&self, rng: &mut Rng) -> Result<NetworkDraw> {
        let l = self.widths.len();
        // h^1 = W^0 X^T / sqrt(N0)   (N_1 x P)
        let w0 = gaussian(
            self.widths[0],
            self.n0,
            self.sigma[0] / (self.n0 as f64).sqrt(),
            rng,
        );
        let mut h = w0 * self.x.transpose();
        // hidden weights W^l (N_{l+1} x N_l), scaled by σ_l / sqrt(N_l); stored for the backward product
        let mut ws: Vec<DMatrix<f64>> = Vec::with_capacity(l);
        for k in 0..l {
            let rows = if k + 1 < l {
                self.widths[k + 1]
            } else {
                self.outputs
            };
            let w = gaussian(
                rows,
                self.widths[k],
                self.sigma[k + 1] / (self.widths[k] as f64).sqrt(),
                rng,
            );
            if k + 1 == l {
                let hl = h.column(0);
                let s2 = self.sigma[l] * self.sigma[l];
                let q_in = s2 * hl.norm_squared() / self.widths[l - 1] as f64;
                let f = &w * &h;
                ws.push(w);
                let mut m = ws[l - 1].clone();
                for wk in ws[..l - 1].iter().rev() {
                    m *= wk;
                }
                let q = &m * m.transpose();
                return Ok(NetworkDraw { f, q_in, q });
            }
            h = &w * h;
            ws.push(w);
        }
        unreachable!("at least one hidden layer")
    }
    /// `W⁰` (`N_1 N_0`), every later weight matrix (kept for the backward product), the hidden
    /// activations (`N_l P`, twice) and the backward product (`D N_l`, twice).
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{elements, f64s};
        let p = self.x.nrows();
        let w = &self.widths;
        let wmax = w.iter().copied().max().unwrap_or(0);
        let mut total = elements(&[w[0], self.n0]);
        for k in 0..w.len() {
            let rows = if k + 1 < w.len() {
                w[k + 1]
            } else {
                self.outputs
            };
            total = total.saturating_add(elements(&[rows, w[k]]));
        }
        total = total
            .saturating_add(2 * elements(&[wmax, p]))
            .saturating_add(2 * elements(&[self.outputs, wmax]));
        f64s(total)
    }
    /// `f` (`D P`) and `Q` (`D²`).
    fn output_bytes(&self) -> u64 {
        use crate::budget::{elements, f64s};
        f64s(elements(&[self.outputs, self.x.nrows()]) + elements(&[self.outputs, self.outputs]))
            .saturating_add(64)
    }
}
