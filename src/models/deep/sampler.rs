//! Finite deep networks: the conjugate-kernel Gram matrix of the last hidden layer
//! (docs/models/ck-deep.md).
//!
//! One draw: inputs `X_0` (`d × n`) uniform on the sphere of radius `√d` (so `q_0 = 1` exactly, as in
//! the shallow `ck` sampler), then for `ℓ = 1..L` a fresh `W_ℓ` (`N_ℓ × N_{ℓ−1}`, entries
//! `N(0, σ_w²)`) and `X_ℓ = φ(W_ℓ X_{ℓ−1}/√N_{ℓ−1})`; the eigenvalues of `CK_L = X_Lᵀ X_L / N_L`
//! (`n × n`), its structural zeros (`n − rank`) set to 0 (the validator removes declared outliers, the
//! spike of a non-centred activation). All randomness comes from the given
//! stream in a fixed order; the products run sequentially, so draws do not depend on the thread count.

use crate::error::{check, Result};
use crate::model::Sampler;
use crate::models::fim::{draw_inputs, Activation, Inputs};
use crate::rng::{normals, Rng};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

/// Sampler of the eigenvalues of the last layer's conjugate kernel of a random deep network.
#[derive(Debug, Clone)]
pub struct DeepCkSampler {
    n: usize,
    d: usize,
    widths: Vec<usize>,
    activation: Activation,
    sigma_w2: f64,
    /// Constants subtracted from the activation at each layer (empty: none).
    shifts: Vec<f64>,
}

/// One finite centring constant per layer.
pub(super) fn check_shifts(shifts: &[f64], depth: usize) -> Result<()> {
    if shifts.len() != depth {
        return Err(crate::Error::param(
            "shifts",
            format!("{} values", shifts.len()),
            &format!("one centring constant per layer (depth {depth})"),
        ));
    }
    for &m in shifts {
        check::finite("shift", m)?;
    }
    Ok(())
}

/// The sizes and weight variance shared by the deep samplers: `n, d, N_ℓ` in `1..=20000`, depth
/// `1..=50`, `σ_w² > 0`.
pub(super) fn check_network(n: usize, d: usize, widths: &[usize], sigma_w2: f64) -> Result<()> {
    check::count("n", n, 1, 20_000)?;
    check::count("d", d, 1, 20_000)?;
    check::count("depth", widths.len(), 1, super::ck::MAX_DEPTH)?;
    for &w in widths {
        check::count("widths", w, 1, 20_000)?;
    }
    check::positive("sigma_w2", sigma_w2)?;
    Ok(())
}

impl DeepCkSampler {
    /// A validated sampler: `n, d, N_ℓ` in `1..=20000`, depth `1..=50`, `σ_w² > 0`.
    pub fn new(
        n: usize,
        d: usize,
        widths: &[usize],
        activation: Activation,
        sigma_w2: f64,
    ) -> Result<Self> {
        check_network(n, d, widths, sigma_w2)?;
        let s = DeepCkSampler {
            n,
            d,
            widths: widths.to_vec(),
            activation,
            sigma_w2,
            shifts: Vec::new(),
        };
        crate::budget::check("deep network sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// The network whose activation at layer `ℓ` is `φ(x) − shifts[ℓ − 1]` (the centring constants
    /// of [`super::ck::recursion_with`]); one finite constant per layer.
    pub fn with_shifts(mut self, shifts: Vec<f64>) -> Result<Self> {
        check_shifts(&shifts, self.widths.len())?;
        self.shifts = shifts;
        Ok(self)
    }

    /// Generic rank of `CK_L`: `min(n, d, N_1, …, N_L)` for a linear network, `min(n, N_L)` otherwise.
    pub fn structural_rank(&self) -> usize {
        let last = *self.widths.last().expect("depth >= 1");
        if matches!(self.activation, Activation::Linear) {
            self.widths
                .iter()
                .copied()
                .fold(self.n.min(self.d), usize::min)
        } else {
            self.n.min(last)
        }
    }

    /// The features `X_L` (`N_L × n`) of one draw.
    pub fn features(&self, rng: &mut Rng) -> Mat<f64> {
        let mut x = draw_inputs(rng, self.n, self.d, Inputs::Spherical);
        let sw = self.sigma_w2.sqrt();
        for (l, &w) in self.widths.iter().enumerate() {
            let shift = self.shifts.get(l).copied().unwrap_or(0.0);
            let prev = x.nrows();
            let z = normals(rng, w * prev);
            let wm = Mat::<f64>::from_fn(w, prev, |i, j| sw * z[j * w + i]);
            let mut h = Mat::<f64>::zeros(w, self.n);
            matmul(
                h.as_mut(),
                Accum::Replace,
                wm.as_ref(),
                x.as_ref(),
                1.0 / (prev as f64).sqrt(),
                Par::Seq,
            );
            x = Mat::from_fn(w, self.n, |i, j| self.activation.eval(h[(i, j)]) - shift);
        }
        x
    }

    /// Sorted eigenvalues of `CK_L` for one draw (structural zeros exact).
    pub fn eigenvalues(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let x = self.features(rng);
        let n = self.n;
        let mut k = Mat::<f64>::zeros(n, n);
        matmul(
            k.as_mut(),
            Accum::Replace,
            x.transpose(),
            x.as_ref(),
            1.0 / x.nrows() as f64,
            Par::Seq,
        );
        let data: Vec<f64> = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| 0.5 * (k[(i, j)] + k[(j, i)]))
            .collect();
        let mut ev = crate::numerics::linalg::eigvalsh(&data, n)?;
        let zeros = n - self.structural_rank();
        ev.iter_mut().take(zeros).for_each(|e| *e = 0.0);
        Ok(ev)
    }
}

impl Sampler for DeepCkSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "n": self.n, "d": self.d, "widths": self.widths, "depth": self.widths.len(),
            "activation": self.activation.name(), "sigma_w2": self.sigma_w2,
            "inputs": "spherical (|x|^2 = d)",
            "matrix": "last-layer conjugate kernel CK_L = X_L^T X_L / N_L (n x n)",
        });
        if !self.shifts.is_empty() {
            v["centring_shifts"] = serde_json::json!(self.shifts);
        }
        v
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        self.eigenvalues(rng)
    }
    /// The inputs, two consecutive layers' features and weights, the Gram matrix and the eigen
    /// workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let n = self.n;
        let widest = self.widths.iter().copied().fold(self.d, usize::max);
        f64s(3 * elements(&[widest, n]) + elements(&[widest, widest]) + 2 * elements(&[n, n]))
            .saturating_add(eigen_bytes(n))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.n as u128)
    }
}
