//! Finite random shallow networks: the dual `n × n` NTK Gram matrix and its eigenvalues
//! (docs/models/fim.md (F5, F6; "Monte Carlo finite-size error")).
//!
//! Network (NTK parameterisation, one output): `f(x) = v · φ(W x / sqrt(d)) / sqrt(N)`,
//! `W_ij ~ N(0, σ_w²)`, `v_i ~ N(0, σ_v²)`, data `x_μ ~ N(0, I_d)`, `μ = 1..n`. With `J` the `n × p`
//! Jacobian (`p = N d + N`), the FIM for squared loss is `F = Jᵀ J / n` and its nonzero eigenvalues are
//! those of `Θ / n`, `Θ = J Jᵀ`, computed without forming `J` (F6):
//!
//! ```text
//! Θ = Φᵀ Φ / N  +  (Xᵀ X / d) ∘ (Φ'ᵀ diag(v²) Φ' / N),   Φ = φ(W X / sqrt d),  Φ' = φ'(W X / sqrt d)
//!   = K^(v) (readout gradient = conjugate kernel)  +  K^(W) (first-layer gradient)
//! ```
//!
//! in `O(N d n + N n²)`. The sampler returns the eigenvalues of `Θ` (the O(1) scale; divide by `n` for
//! the FIM). Options (docs/models/fim.md, "Monte Carlo finite-size error"): which layers are
//! trained, spherical inputs (`|x_μ|² = d`), normalised readout (`|v|² = N σ_v²`), and removal of
//! declared outliers (the top eigenvalue(s) created by `μ0 ≠ 0`).

use super::activation::Activation;
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::rng::{normals, Rng};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};
use serde::{Deserialize, Serialize};

/// Which parameters are trained (which gradient blocks enter the Gram matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Trained {
    /// Both layers: `Θ = K^(v) + K^(W)` (the NTK).
    Both,
    /// Readout only (random features): `Θ = K^(v) = Φᵀ Φ / N`, the conjugate kernel.
    Readout,
    /// First layer only: `Θ = K^(W)`.
    First,
}

impl Trained {
    /// Model name of a law of this Gram matrix: `"ck"` for the readout-only conjugate kernel, `"fim"`
    /// otherwise.
    pub fn model_name(self) -> String {
        match self {
            Trained::Readout => "ck".into(),
            _ => "fim".into(),
        }
    }
}

/// Input distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Inputs {
    /// `x_μ ~ N(0, I_d)`.
    Gaussian,
    /// `x_μ` uniform on the sphere of radius `sqrt(d)` (same limit, smaller finite-size error).
    Spherical,
}

/// Sampler of the eigenvalues of the dual Gram matrix `Θ` of a random shallow network.
#[derive(Debug, Clone)]
pub struct NetworkSampler {
    /// Number of data points `n` (size of the dual matrix).
    pub n: usize,
    /// Input dimension `d`.
    pub d: usize,
    /// Width `N`.
    pub width: usize,
    /// Activation.
    pub activation: Activation,
    /// σ_w².
    pub sigma_w2: f64,
    /// σ_v².
    pub sigma_v2: f64,
    /// Trained layers.
    pub trained: Trained,
    /// Input distribution.
    pub inputs: Inputs,
    /// Impose `|v|² = N σ_v²`.
    pub normalize_readout: bool,
    /// Number of top eigenvalues removed from each draw (declared outliers).
    pub remove_top: usize,
}

impl NetworkSampler {
    /// A validated sampler. Sizes `1..=20000`; `σ_w² > 0`, `σ_v² >= 0` (`σ_v² > 0` when the first layer
    /// is trained, otherwise `K^(W) = 0`); `remove_top < n`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        n: usize,
        d: usize,
        width: usize,
        activation: Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        trained: Trained,
        inputs: Inputs,
        normalize_readout: bool,
        remove_top: usize,
    ) -> Result<Self> {
        check::count("n", n, 1, 20_000)?;
        check::count("d", d, 1, 20_000)?;
        check::count("width", width, 1, 20_000)?;
        check::positive("sigma_w2", sigma_w2)?;
        if trained == Trained::Readout {
            check::non_negative("sigma_v2", sigma_v2)?;
        } else {
            check::positive("sigma_v2", sigma_v2)?;
        }
        check::count("remove_top", remove_top, 0, n - 1)?;
        let s = NetworkSampler {
            n,
            d,
            width,
            activation,
            sigma_w2,
            sigma_v2,
            trained,
            inputs,
            normalize_readout,
            remove_top,
        };
        crate::budget::check("network sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// Number of parameters of the trained layers: `N d + N`, `N`, or `N d`.
    pub fn parameter_count(&self) -> usize {
        let (nn, d) = (self.width, self.d);
        match self.trained {
            Trained::Both => nn * d + nn,
            Trained::Readout => nn,
            Trained::First => nn * d,
        }
    }

    /// Draw `(X, W, v)`: `X` is `d × n`, `W` is `N × d`, `v` has length `N` (inputs first, then the
    /// weights, from the same stream).
    pub fn draw(&self, rng: &mut Rng) -> (Mat<f64>, Mat<f64>, Vec<f64>) {
        let x = draw_inputs(rng, self.n, self.d, self.inputs);
        let (w, v) = self.draw_weights(rng);
        (x, w, v)
    }

    /// Draw the parameters `(W, v)` only (`W` is `N × d`), for a fixed data set.
    pub fn draw_weights(&self, rng: &mut Rng) -> (Mat<f64>, Vec<f64>) {
        let (d, nn) = (self.d, self.width);
        let sw = self.sigma_w2.sqrt();
        let ws = normals(rng, nn * d);
        let w = Mat::<f64>::from_fn(nn, d, |i, j| sw * ws[j * nn + i]);
        let sv = self.sigma_v2.sqrt();
        let mut v: Vec<f64> = normals(rng, nn).into_iter().map(|z| sv * z).collect();
        if self.normalize_readout && self.sigma_v2 > 0.0 {
            let norm2: f64 = v.iter().map(|x| x * x).sum();
            let s = (nn as f64 * self.sigma_v2 / norm2).sqrt();
            v.iter_mut().for_each(|x| *x *= s);
        }
        (w, v)
    }

    /// The dual Gram matrix `Θ` (`n × n`) of given `(X, W, v)`, without forming the Jacobian (F6).
    pub fn gram(&self, x: &Mat<f64>, w: &Mat<f64>, v: &[f64]) -> Mat<f64> {
        let n = self.n;
        let k = self.gram_lower(x, w, v);
        Mat::<f64>::from_fn(
            n,
            n,
            |i, j| if i >= j { k[i + j * n] } else { k[j + i * n] },
        )
    }

    /// Lower triangle (column-major, `n × n`; the strict upper part is unspecified) of `Θ`. The
    /// symmetric products `ΦᵀΦ`, `Φ'ᵀΦ'`, `XᵀX` are computed on their lower triangle only (half the
    /// flops) and the entrywise activations in parallel.
    pub fn gram_lower(&self, x: &Mat<f64>, w: &Mat<f64>, v: &[f64]) -> Vec<f64> {
        use faer::linalg::matmul::triangular::{matmul as tri, BlockStructure};
        use faer::{MatMut, MatRef};
        use rayon::prelude::*;
        let (n, d, nn) = (self.n, self.d, self.width);
        let par = faer::get_global_parallelism();
        let mut h = vec![0.0; nn * n];
        matmul(
            MatMut::from_column_major_slice_mut(&mut h, nn, n),
            Accum::Replace,
            w,
            x,
            1.0 / (d as f64).sqrt(),
            par,
        );
        let inv_n = 1.0 / nn as f64;
        let lower = BlockStructure::TriangularLower;
        let rect = BlockStructure::Rectangular;
        let sym = |a: &[f64], rows: usize, scale: f64, out: &mut [f64]| {
            let a = MatRef::from_column_major_slice(a, rows, n);
            tri(
                MatMut::from_column_major_slice_mut(out, n, n),
                lower,
                Accum::Replace,
                a.transpose(),
                rect,
                a,
                rect,
                scale,
                par,
            );
        };
        let mut k = vec![0.0; n * n];
        if self.trained != Trained::First {
            let mut phi = vec![0.0; nn * n];
            phi.par_chunks_mut(nn)
                .zip(h.par_chunks(nn))
                .for_each(|(p, hc)| {
                    for (o, &z) in p.iter_mut().zip(hc) {
                        *o = self.activation.eval(z);
                    }
                });
            sym(&phi, nn, inv_n, &mut k);
        }
        if self.trained != Trained::Readout {
            let mut dphi = vec![0.0; nn * n];
            dphi.par_chunks_mut(nn)
                .zip(h.par_chunks(nn))
                .for_each(|(p, hc)| {
                    for ((o, &z), vi) in p.iter_mut().zip(hc).zip(v) {
                        *o = vi.abs() * self.activation.deriv(z);
                    }
                });
            let mut a = vec![0.0; n * n];
            sym(&dphi, nn, inv_n, &mut a);
            let xs: Vec<f64> = (0..n)
                .flat_map(|j| (0..d).map(move |i| (i, j)))
                .map(|(i, j)| x[(i, j)])
                .collect();
            let mut g = vec![0.0; n * n];
            sym(&xs, d, 1.0 / d as f64, &mut g);
            k.par_chunks_mut(n)
                .zip(a.par_chunks(n).zip(g.par_chunks(n)))
                .enumerate()
                .for_each(|(j, (kc, (ac, gc)))| {
                    for i in j..n {
                        kc[i] += ac[i] * gc[i];
                    }
                });
        }
        k
    }

    /// Generic rank of `Θ`: linear networks `min(n, d, N)` (readout) or `min(n, d)` (first layer or
    /// both, `Σ_W` being full rank); nonlinear networks `min(n, N)` (readout), `min(n, dN)` (first
    /// layer: a Hadamard product of ranks d and N), `min(n, N + dN)` (both).
    pub fn structural_rank(&self) -> usize {
        let (n, d, nn) = (self.n, self.d, self.width);
        let linear = matches!(self.activation, Activation::Linear);
        match (linear, self.trained) {
            (true, Trained::Readout) => n.min(d).min(nn),
            (true, _) => n.min(d),
            (false, Trained::Readout) => n.min(nn),
            (false, Trained::First) => n.min(d.saturating_mul(nn)),
            (false, Trained::Both) => n.min(nn.saturating_add(d.saturating_mul(nn))),
        }
    }

    /// Sorted eigenvalues of `Θ` for one draw, top `remove_top` removed.
    pub fn eigenvalues(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let (x, w, v) = self.draw(rng);
        self.spectrum_of(&x, &w, &v)
    }

    /// Sorted eigenvalues of `Θ(X, W, v)` (structural zeros set to 0, top `remove_top` removed).
    pub fn spectrum_of(&self, x: &Mat<f64>, w: &Mat<f64>, v: &[f64]) -> Result<Vec<f64>> {
        let k = self.gram_lower(x, w, v);
        let mut ev = crate::numerics::linalg::eigvalsh(&k, self.n)?;
        // Θ is a PSD Gram matrix whose rank is bounded by its construction (docs/models/fim.md
        // (F12, F19)): the n - rank smallest eigenvalues are structural zeros (rounding noise
        // around 0). Set exactly those to 0 — a relative threshold would also zero genuine tiny
        // eigenvalues near a hard edge.
        let zeros = self.n - self.structural_rank();
        ev.iter_mut().take(zeros).for_each(|e| *e = 0.0);
        ev.truncate(self.n - self.remove_top);
        Ok(ev)
    }
}

/// Draw `n` inputs in dimension `d` (`d × n`, one column per data point): `N(0, I_d)`, or uniform on
/// the sphere of radius `sqrt(d)` for [`Inputs::Spherical`].
pub fn draw_inputs(rng: &mut Rng, n: usize, d: usize, inputs: Inputs) -> Mat<f64> {
    let xs = normals(rng, d * n);
    let mut x = Mat::<f64>::from_fn(d, n, |i, j| xs[j * d + i]);
    if inputs == Inputs::Spherical {
        for j in 0..n {
            let norm: f64 = (0..d).map(|i| x[(i, j)] * x[(i, j)]).sum::<f64>().sqrt();
            let s = (d as f64).sqrt() / norm;
            for i in 0..d {
                x[(i, j)] *= s;
            }
        }
    }
    x
}

/// Eigenvalues (ascending) of a symmetric faer matrix, through the core's
/// [`crate::numerics::linalg::eigvalsh`].
pub fn eigvalsh(m: &Mat<f64>) -> Result<Vec<f64>> {
    let n = m.nrows();
    let data: Vec<f64> = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect();
    crate::numerics::linalg::eigvalsh(&data, n)
}

impl Sampler for NetworkSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "n": self.n, "d": self.d, "width": self.width,
            "ratio_d_over_n": self.d as f64 / self.n as f64,
            "ratio_width_over_n": self.width as f64 / self.n as f64,
            "activation": self.activation.name(),
            "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "trained": self.trained, "inputs": self.inputs,
            "normalize_readout": self.normalize_readout,
            "removed_top_eigenvalues": self.remove_top,
            "parameters": self.parameter_count(),
            "matrix": "dual Gram Θ = J Jᵀ (n × n); FIM eigenvalues = eig(Θ)/n",
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        self.eigenvalues(rng)
    }
    /// `X` (`d n`, three copies), `W` (`N d`, twice), `WX`, `φ`, `φ'` (`N n` each), three `n x n`
    /// Gram blocks and the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let (n, d, nn) = (self.n, self.d, self.width);
        f64s(3 * elements(&[d, n]) + 2 * elements(&[nn, d]) + 3 * elements(&[nn, n]))
            .saturating_add(f64s(3 * elements(&[n, n])))
            .saturating_add(eigen_bytes(n))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.n as u128)
    }
}

/// Sampler of `Θ` for a fixed data set (the law of [`super::dataeq::DataFim`]): every draw redraws
/// `(W, v)` only, with the Gram builder, rank rules and options of [`NetworkSampler`].
#[derive(Debug, Clone)]
pub struct FixedDataSampler {
    net: NetworkSampler,
    x: Mat<f64>,
}

impl FixedDataSampler {
    /// A sampler for `x` (`d × n`, matching the network's sizes).
    pub fn new(net: NetworkSampler, x: Mat<f64>) -> Result<Self> {
        if x.nrows() != net.d || x.ncols() != net.n {
            return Err(Error::InvalidData(format!(
                "data are {} x {}, the network needs d x n = {} x {}",
                x.nrows(),
                x.ncols(),
                net.d,
                net.n
            )));
        }
        Ok(FixedDataSampler { net, x })
    }
}

impl Sampler for FixedDataSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        let mut v = self.net.describe();
        v["data"] = "fixed X; W, v redrawn per sample".into();
        v
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let (w, v) = self.net.draw_weights(rng);
        self.net.spectrum_of(&self.x, &w, &v)
    }
    fn memory_per_draw(&self) -> u64 {
        self.net.memory_per_draw()
    }
    fn output_bytes(&self) -> u64 {
        self.net.output_bytes()
    }
}
