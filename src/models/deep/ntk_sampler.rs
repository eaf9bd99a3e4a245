//! Finite deep networks: the dual NTK Gram `Θ = J Jᵀ` over all layers, without forming `J`
//! (docs/models/ntk-deep.md (N1)).
//!
//! One draw: inputs `X_0` (`d × n`) uniform on the sphere of radius `√d`, then `W_1, …, W_L`
//! (`N_ℓ × N_{ℓ−1}`, entries `N(0, σ_w²)`) and `v` (`N_L`, entries `N(0, σ_v²)`, rescaled to
//! `|v|² = N_L σ_v²` as the shallow sampler's normalised readout), in that order from the stream.
//! Forward: `g_ℓ = W_ℓ h_{ℓ−1}/√N_{ℓ−1}`, `h_ℓ = φ(g_ℓ)`. Backward (per data point, as `N_ℓ × n`
//! matrices): `b_L = diag(v) φ'(g_L)/√N_L`, `b_ℓ = φ'(g_ℓ) ∘ (W_{ℓ+1}ᵀ b_{ℓ+1})/√N_ℓ`. Then
//! `Θ = Σ_ℓ (h_{ℓ−1}ᵀh_{ℓ−1}/N_{ℓ−1}) ∘ (b_ℓᵀ b_ℓ) + h_Lᵀh_L/N_L`, and its eigenvalues through
//! [`crate::numerics::linalg::eigvalsh`]. Products run sequentially, so draws do not depend on the
//! thread count. At `L = 1` the draw (and `Θ`) is exactly the shallow `fim` sampler's with spherical
//! inputs and normalised readout.

use crate::error::{check, Result};
use crate::model::Sampler;
use crate::models::fim::{draw_inputs, Activation, Inputs};
use crate::rng::{normals, Rng};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

/// Sampler of the eigenvalues of the dual NTK Gram of a random deep network.
#[derive(Debug, Clone)]
pub struct DeepNtkSampler {
    n: usize,
    d: usize,
    widths: Vec<usize>,
    activation: Activation,
    sigma_w2: f64,
    sigma_v2: f64,
    remove_top: usize,
    /// Constants subtracted from the activation at each layer (empty: none).
    shifts: Vec<f64>,
}

impl DeepNtkSampler {
    /// A validated sampler: `n, d, N_ℓ` in `1..=20000`, depth `1..=50`, `σ_w², σ_v² > 0`,
    /// `remove_top < n` (declared outliers removed from each draw).
    pub fn new(
        n: usize,
        d: usize,
        widths: &[usize],
        activation: Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        remove_top: usize,
    ) -> Result<Self> {
        super::sampler::check_network(n, d, widths, sigma_w2)?;
        check::positive("sigma_v2", sigma_v2)?;
        check::count("remove_top", remove_top, 0, n - 1)?;
        let s = DeepNtkSampler {
            n,
            d,
            widths: widths.to_vec(),
            activation,
            sigma_w2,
            sigma_v2,
            remove_top,
            shifts: Vec::new(),
        };
        crate::budget::check("deep NTK sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// The network whose activation at layer `ℓ` is `φ(x) − shifts[ℓ − 1]` (centring constants of
    /// [`super::ck::recursion_with`]; the derivatives are unchanged); one finite constant per layer.
    pub fn with_shifts(mut self, shifts: Vec<f64>) -> Result<Self> {
        super::sampler::check_shifts(&shifts, self.widths.len())?;
        self.shifts = shifts;
        Ok(self)
    }

    /// Generic rank of `Θ`: `min(n, d)` for a linear network (every term factors through `X`),
    /// `min(n, d + N_1 + … + N_L)` otherwise.
    pub fn structural_rank(&self) -> usize {
        if matches!(self.activation, Activation::Linear) {
            self.n.min(self.d)
        } else {
            self.n
                .min(self.d.saturating_add(self.widths.iter().sum::<usize>()))
        }
    }

    /// The dual Gram `Θ` (`n × n`, symmetric) of one draw, by (N1).
    pub fn gram(&self, rng: &mut Rng) -> Mat<f64> {
        let mut theta: Option<Mat<f64>> = None;
        self.walk(rng, |_, ck, bb| match (theta.as_mut(), bb) {
            (None, _) => theta = Some(ck),
            (Some(t), Some(bb)) => {
                for j in 0..t.ncols() {
                    for i in 0..t.nrows() {
                        t[(i, j)] += ck[(i, j)] * bb[(i, j)];
                    }
                }
            }
            (Some(_), None) => unreachable!("only the first term has no backward Gram"),
        });
        theta.expect("depth >= 1")
    }

    /// The terms of (N1) for one draw (same stream and numbers as [`DeepNtkSampler::gram`]):
    /// `CK_0, …, CK_L` and `B_1, …, B_L` (`n × n` each). For diagnostics of the law's approximations
    /// (`examples/ntk_deep_diag.rs`).
    #[doc(hidden)]
    pub fn parts(&self, rng: &mut Rng) -> (Vec<Mat<f64>>, Vec<Mat<f64>>) {
        let depth = self.widths.len();
        let mut cks: Vec<Option<Mat<f64>>> = vec![None; depth + 1];
        let mut bs: Vec<Option<Mat<f64>>> = vec![None; depth];
        self.walk(rng, |l, ck, bb| {
            cks[l] = Some(ck);
            if let Some(bb) = bb {
                bs[l] = Some(bb);
            }
        });
        (
            cks.into_iter().map(|m| m.expect("every CK")).collect(),
            bs.into_iter().map(|m| m.expect("every B")).collect(),
        )
    }

    /// One draw, its terms in the order of [`DeepNtkSampler::gram`]: `visit(L, CK_L, None)`, then
    /// `visit(ℓ − 1, CK_{ℓ−1}, Some(B_ℓ))` for `ℓ = L, …, 1`.
    fn walk(&self, rng: &mut Rng, mut visit: impl FnMut(usize, Mat<f64>, Option<Mat<f64>>)) {
        let n = self.n;
        let act = &self.activation;
        let mut h = vec![draw_inputs(rng, n, self.d, Inputs::Spherical)];
        let sw = self.sigma_w2.sqrt();
        let mut ws = Vec::with_capacity(self.widths.len());
        let mut dphi = Vec::with_capacity(self.widths.len());
        for (l, &w) in self.widths.iter().enumerate() {
            let shift = self.shifts.get(l).copied().unwrap_or(0.0);
            let x = h.last().expect("inputs drawn");
            let prev = x.nrows();
            let z = normals(rng, w * prev);
            let wm = Mat::<f64>::from_fn(w, prev, |i, j| sw * z[j * w + i]);
            let mut g = Mat::<f64>::zeros(w, n);
            matmul(
                g.as_mut(),
                Accum::Replace,
                wm.as_ref(),
                x.as_ref(),
                1.0 / (prev as f64).sqrt(),
                Par::Seq,
            );
            dphi.push(Mat::from_fn(w, n, |i, j| act.deriv(g[(i, j)])));
            h.push(Mat::from_fn(w, n, |i, j| act.eval(g[(i, j)]) - shift));
            ws.push(wm);
        }
        let last = *self.widths.last().expect("depth >= 1");
        let sv = self.sigma_v2.sqrt();
        let mut v: Vec<f64> = normals(rng, last).into_iter().map(|z| sv * z).collect();
        let norm2: f64 = v.iter().map(|x| x * x).sum();
        let s = (last as f64 * self.sigma_v2 / norm2).sqrt();
        v.iter_mut().for_each(|x| *x *= s);

        let gram = |a: &Mat<f64>, scale: f64| {
            let mut k = Mat::<f64>::zeros(n, n);
            matmul(
                k.as_mut(),
                Accum::Replace,
                a.transpose(),
                a.as_ref(),
                scale,
                Par::Seq,
            );
            k
        };
        let depth = self.widths.len();
        visit(depth, gram(&h[depth], 1.0 / last as f64), None);
        let inv_sqrt = 1.0 / (last as f64).sqrt();
        let mut b = Mat::from_fn(last, n, |i, j| v[i] * dphi[depth - 1][(i, j)] * inv_sqrt);
        for l in (1..=depth).rev() {
            // layer l: CK_{l-1} ∘ (b_lᵀ b_l)
            let ck = gram(&h[l - 1], 1.0 / h[l - 1].nrows() as f64);
            visit(l - 1, ck, Some(gram(&b, 1.0)));
            if l > 1 {
                // b_{l-1} = φ'(g_{l-1}) ∘ (W_lᵀ b_l)/√N_{l-1}
                let rows = ws[l - 1].ncols();
                let mut back = Mat::<f64>::zeros(rows, n);
                matmul(
                    back.as_mut(),
                    Accum::Replace,
                    ws[l - 1].transpose(),
                    b.as_ref(),
                    1.0 / (rows as f64).sqrt(),
                    Par::Seq,
                );
                b = Mat::from_fn(rows, n, |i, j| dphi[l - 2][(i, j)] * back[(i, j)]);
            }
        }
    }

    /// Sorted eigenvalues of `Θ` for one draw (structural zeros exact, top `remove_top` removed).
    pub fn eigenvalues(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let t = self.gram(rng);
        let n = self.n;
        let data: Vec<f64> = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| 0.5 * (t[(i, j)] + t[(j, i)]))
            .collect();
        let mut ev = crate::numerics::linalg::eigvalsh(&data, n)?;
        let zeros = n - self.structural_rank();
        ev.iter_mut().take(zeros).for_each(|e| *e = 0.0);
        ev.truncate(n - self.remove_top);
        Ok(ev)
    }
}

impl Sampler for DeepNtkSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "n": self.n, "d": self.d, "widths": self.widths, "depth": self.widths.len(),
            "activation": self.activation.name(), "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "inputs": "spherical (|x|^2 = d)", "normalize_readout": true,
            "removed_top_eigenvalues": self.remove_top,
            "matrix": "dual NTK Gram Θ = J Jᵀ over W_1..W_L and v (n x n), built from Hadamard products of Grams",
        });
        if !self.shifts.is_empty() {
            v["centring_shifts"] = serde_json::json!(self.shifts);
        }
        v
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        self.eigenvalues(rng)
    }
    /// Inputs, every layer's features, derivatives and weights, two backward matrices, four
    /// `n × n` Grams and the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let n = self.n;
        let mut total: u128 = elements(&[self.d, n]);
        let mut prev = self.d;
        for &w in &self.widths {
            total += 3 * elements(&[w, n]) + elements(&[w, prev]);
            prev = w;
        }
        let widest = self.widths.iter().copied().fold(self.d, usize::max);
        total += 2 * elements(&[widest, n]) + 5 * elements(&[n, n]);
        f64s(total).saturating_add(eigen_bytes(n))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.n as u128)
    }
}
