//! Sampler of the finite `C`-output linear network (docs/models/fim.md (F13)): the dual
//! `K = I_C ⊗ A + S ⊗ B` and its eigenvalues by the exact block diagonalisation `⊕_k (A + s_k B)`
//! (see [`super::outputs`] for the identity and the limit law).

use super::sampler::{Inputs, Trained};
use crate::error::{check, Result};
use crate::model::Sampler;
use crate::numerics::linalg::eigvalsh;
use crate::rng::{normals, Rng};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};
use rayon::prelude::*;

/// Sampler of the finite `C`-output linear network: eigenvalues of `K = I_C ⊗ A + S ⊗ B`
/// (`C n × C n`), computed exactly as the union of the spectra of the `C` blocks `A + s_k B`
/// (`s_k` the eigenvalues of `S`; the orthogonal block diagonalisation of [`super::outputs`]).
#[derive(Debug, Clone)]
pub struct MultiOutputSampler {
    /// Number of data points `n`.
    pub n: usize,
    /// Input dimension `d`.
    pub d: usize,
    /// Width `N`.
    pub width: usize,
    /// Number of outputs `C`.
    pub outputs: usize,
    /// σ_w².
    pub sigma_w2: f64,
    /// σ_v².
    pub sigma_v2: f64,
    /// Input distribution (spherical: `|x_μ|² = d`).
    pub inputs: Inputs,
    /// Impose `|w₂_c|² = N σ_v²` on every row of `W₂` (then `tr S / C = σ_v²` exactly).
    pub normalize_readout: bool,
}

/// The three blocks of `K = I_C ⊗ A + S ⊗ B` of one network (`A, B`: `n × n`; `S`: `C × C`).
#[derive(Debug, Clone)]
pub struct Blocks {
    /// `A = Xᵀ W₁ᵀ W₁ X / (N d)`.
    pub a: Mat<f64>,
    /// `B = Xᵀ X / d`.
    pub b: Mat<f64>,
    /// `S = W₂ W₂ᵀ / N`.
    pub s: Mat<f64>,
}

/// `scale · Mᵀ M`.
fn gram_t(m: &Mat<f64>, scale: f64) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(m.ncols(), m.ncols());
    matmul(
        out.as_mut(),
        Accum::Replace,
        m.transpose(),
        m.as_ref(),
        scale,
        faer::get_global_parallelism(),
    );
    out
}

#[doc(hidden)]
pub fn column_major(m: &Mat<f64>) -> Vec<f64> {
    (0..m.ncols())
        .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect()
}

impl MultiOutputSampler {
    /// A validated sampler: sizes in `1..=20000`, `C n <= 10⁶`, `σ_w², σ_v² > 0`. Any `C` is sampled
    /// exactly (for `C > N`, `S` has `C - N` structurally zero eigenvalues); the limit law
    /// ([`MultiOutputLinearFim`](super::outputs::MultiOutputLinearFim)) covers `C/N <= 100`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        n: usize,
        d: usize,
        width: usize,
        outputs: usize,
        sigma_w2: f64,
        sigma_v2: f64,
        inputs: Inputs,
        normalize_readout: bool,
    ) -> Result<Self> {
        check::count("n", n, 1, 20_000)?;
        check::count("d", d, 1, 20_000)?;
        check::count("width", width, 1, 20_000)?;
        check::count("outputs", outputs, 1, 20_000)?;
        check::count(
            "outputs * n (size of the dual Gram)",
            outputs * n,
            1,
            1_000_000,
        )?;
        check::positive("sigma_w2", sigma_w2)?;
        check::positive("sigma_v2", sigma_v2)?;
        let s = MultiOutputSampler {
            n,
            d,
            width,
            outputs,
            sigma_w2,
            sigma_v2,
            inputs,
            normalize_readout,
        };
        crate::budget::check(
            "multi-output network sampling (one draw)",
            s.memory_per_draw(),
        )?;
        Ok(s)
    }

    /// Number of parameters `p = N d + C N`.
    pub fn parameter_count(&self) -> usize {
        self.width * self.d + self.outputs * self.width
    }

    /// Draw `(X, W₁, W₂)`: `X` is `d × n`, `W₁` is `N × d`, `W₂` is `C × N`.
    pub fn draw(&self, rng: &mut Rng) -> (Mat<f64>, Mat<f64>, Mat<f64>) {
        let (n, d, nn, c) = (self.n, self.d, self.width, self.outputs);
        let xs = normals(rng, d * n);
        let mut x = Mat::<f64>::from_fn(d, n, |i, j| xs[j * d + i]);
        if self.inputs == Inputs::Spherical {
            for j in 0..n {
                let norm = (0..d).map(|i| x[(i, j)].powi(2)).sum::<f64>().sqrt();
                let s = (d as f64).sqrt() / norm;
                (0..d).for_each(|i| x[(i, j)] *= s);
            }
        }
        let sw = self.sigma_w2.sqrt();
        let ws = normals(rng, nn * d);
        let w1 = Mat::<f64>::from_fn(nn, d, |i, j| sw * ws[j * nn + i]);
        let sv = self.sigma_v2.sqrt();
        let vs = normals(rng, c * nn);
        let mut w2 = Mat::<f64>::from_fn(c, nn, |i, j| sv * vs[j * c + i]);
        if self.normalize_readout {
            for i in 0..c {
                let norm2: f64 = (0..nn).map(|j| w2[(i, j)].powi(2)).sum();
                let s = (nn as f64 * self.sigma_v2 / norm2).sqrt();
                (0..nn).for_each(|j| w2[(i, j)] *= s);
            }
        }
        (x, w1, w2)
    }

    /// The blocks `A`, `B`, `S` of given `(X, W₁, W₂)`.
    pub fn blocks(&self, x: &Mat<f64>, w1: &Mat<f64>, w2: &Mat<f64>) -> Blocks {
        let (d, nn) = (self.d as f64, self.width as f64);
        let mut h = Mat::<f64>::zeros(self.width, self.n);
        matmul(
            h.as_mut(),
            Accum::Replace,
            w1.as_ref(),
            x.as_ref(),
            1.0,
            faer::get_global_parallelism(),
        );
        Blocks {
            a: gram_t(&h, 1.0 / (nn * d)),
            b: gram_t(x, 1.0 / d),
            s: gram_t(&w2.transpose().to_owned(), 1.0 / nn),
        }
    }

    /// The full `C n × C n` dual `K = I_C ⊗ A + S ⊗ B` (index `(c, μ) ↦ c n + μ`), for checks at small size.
    pub fn kronecker(&self, b: &Blocks) -> Mat<f64> {
        let n = self.n;
        Mat::<f64>::from_fn(self.outputs * n, self.outputs * n, |i, j| {
            let (c, mu) = (i / n, i % n);
            let (c2, nu) = (j / n, j % n);
            let diag = if c == c2 { b.a[(mu, nu)] } else { 0.0 };
            diag + b.s[(c, c2)] * b.b[(mu, nu)]
        })
    }

    /// Eigenvalues of `K` (ascending) by the exact block diagonalisation: the eigenvalues `s_k` of `S`,
    /// then the spectra of `A + s_k B` (in parallel over `k`). In each block the `n - rank` smallest
    /// eigenvalues are structural zeros (rank `min(n, d)`, or `min(n, d, N)` for the `C - min(C, N)`
    /// structurally zero `s_k` when `C > N`) and are set to exactly 0.
    pub fn eigenvalues_of(&self, b: &Blocks) -> Result<Vec<f64>> {
        let (n, d, nn, c) = (self.n, self.d, self.width, self.outputs);
        let s = eigvalsh(&column_major(&b.s), c)?;
        let zero_s = c - c.min(nn);
        let (a, bb) = (column_major(&b.a), column_major(&b.b));
        let per: Vec<Vec<f64>> = s
            .par_iter()
            .enumerate()
            .map(|(k, &sk)| {
                let (sk, rank) = if k < zero_s {
                    (0.0, n.min(d).min(nn))
                } else {
                    (sk, n.min(d))
                };
                let m: Vec<f64> = a.iter().zip(&bb).map(|(x, y)| x + sk * y).collect();
                let mut ev = eigvalsh(&m, n)?;
                ev.iter_mut().take(n - rank).for_each(|e| *e = 0.0);
                Ok(ev)
            })
            .collect::<Result<_>>()?;
        let mut all: Vec<f64> = per.into_iter().flatten().collect();
        all.sort_by(f64::total_cmp);
        Ok(all)
    }

    /// `(m1, m2)` of one network's dual, `(1/(Cn)) tr K` and `(1/(Cn)) tr K²`, from the trace identities
    /// `tr K = C tr A + tr S tr B`, `tr K² = C tr A² + 2 tr S tr(AB) + tr S² tr B²` (no diagonalisation).
    pub fn trace_moments(&self, b: &Blocks) -> (f64, f64) {
        let (n, c) = (self.n, self.outputs);
        let tr = |m: &Mat<f64>| (0..m.nrows()).map(|i| m[(i, i)]).sum::<f64>();
        // tr(XY) for symmetric X, Y = Σ_ij X_ij Y_ij
        let dot = |x: &Mat<f64>, y: &Mat<f64>| {
            (0..x.ncols())
                .flat_map(|j| (0..x.nrows()).map(move |i| (i, j)))
                .map(|(i, j)| x[(i, j)] * y[(i, j)])
                .sum::<f64>()
        };
        let (cf, size) = (c as f64, (c * n) as f64);
        let m1 = (cf * tr(&b.a) + tr(&b.s) * tr(&b.b)) / size;
        let m2 = (cf * dot(&b.a, &b.a)
            + 2.0 * tr(&b.s) * dot(&b.a, &b.b)
            + dot(&b.s, &b.s) * dot(&b.b, &b.b))
            / size;
        (m1, m2)
    }

    /// Exact finite-size `E m2 = E (1/(Cn)) tr K²` for Gaussian inputs and Gaussian (not normalised)
    /// readout: with `G = W₁ᵀW₁/N`, `E tr G = d σ_w²`, `E tr G² = σ_w⁴ d (N + d + 1)/N`,
    /// `E (tr G)² = σ_w⁴ (d² + 2d/N)`, `E tr S²/C = σ_v⁴ (C + N + 1)/N`, and per block
    /// `E_X (1/n) tr (Xᵀ Σ X/d)² = [(n + 1) tr Σ² + (tr Σ)²]/d²` (F12) at `Σ = G + s_k I`.
    /// The limit is the F13 `m2` (`7.6087` at d = 100, n = 75, N = 200, C = 20; docs/models/fim.md
    /// (F9–F13)).
    pub fn expected_m2_gaussian(&self) -> f64 {
        let (n, d, nn, c) = (
            self.n as f64,
            self.d as f64,
            self.width as f64,
            self.outputs as f64,
        );
        let (sw, sv) = (self.sigma_w2, self.sigma_v2);
        let tr_g = d * sw;
        let tr_g2 = sw * sw * d * (nn + d + 1.0) / nn;
        let tr_g_sq = sw * sw * (d * d + 2.0 * d / nn);
        let s1 = sv;
        let s2 = sv * sv * (c + nn + 1.0) / nn;
        // (1/C) Σ_k [(n+1) tr Σ_k² + (tr Σ_k)²] / d²,  tr Σ_k² = tr G² + 2 s_k tr G + d s_k²,
        // (tr Σ_k)² = (tr G)² + 2 d s_k tr G + d² s_k²
        ((n + 1.0) * (tr_g2 + 2.0 * s1 * tr_g + d * s2)
            + tr_g_sq
            + 2.0 * d * s1 * tr_g
            + d * d * s2)
            / (d * d)
    }
}

impl Sampler for MultiOutputSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "n": self.n, "d": self.d, "width": self.width, "outputs": self.outputs,
            "ratio_d_over_n": self.d as f64 / self.n as f64,
            "ratio_width_over_n": self.width as f64 / self.n as f64,
            "ratio_outputs_over_width": self.outputs as f64 / self.width as f64,
            "activation": "linear", "trained": Trained::Both,
            "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "inputs": self.inputs, "normalize_readout_rows": self.normalize_readout,
            "parameters": self.parameter_count(),
            "matrix": "dual Gram K = I_C ⊗ A + S ⊗ B ((C n) × (C n)), eigenvalues by the exact block \
                       diagonalisation ⊕_k (A + s_k B); FIM eigenvalues = eig(K)/n",
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let (x, w1, w2) = self.draw(rng);
        self.eigenvalues_of(&self.blocks(&x, &w1, &w2))
    }
    /// `X`, `W₁`, `W₂` (twice each), `W₁X`, the blocks and their column-major copies, the `C` block
    /// spectra, and one block eigenproblem per thread.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s, parallel_draws};
        let (n, d, nn, c) = (self.n, self.d, self.width, self.outputs);
        f64s(
            2 * (elements(&[d, n]) + elements(&[nn, d]) + elements(&[c, nn]))
                + elements(&[nn, n])
                + 5 * elements(&[n, n])
                + 2 * elements(&[c, c])
                + 2 * elements(&[c, n]),
        )
        .saturating_add(eigen_bytes(n).saturating_mul(parallel_draws(c)))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(crate::budget::elements(&[self.outputs, self.n]))
    }
}
