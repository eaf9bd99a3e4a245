//! The fixed data set of the data-dependent laws ([`super::dataeq`]) and its exact infinite-width
//! kernels (docs/models/fim.md (F20)): the draw of `X` from a seed, and `K_CK`, `K_W` computed entry by
//! entry from the pair kernels of the activation.

use super::activation::{Activation, KernelSeries};
use super::sampler::{draw_inputs, Inputs};
use crate::error::{check, Error, Result};
use crate::rng::stream;
use faer::Mat;
use nalgebra::DMatrix;
use rayon::prelude::*;

/// Stream index of the data draw of [`draw_data`] (distinct from the Monte Carlo draws `0..samples`).
pub const DATA_STREAM: u64 = 0xDA7A_0000_0000_0000;

/// The data set `X` (`d × n`) drawn from `seed` (stream [`DATA_STREAM`]).
pub fn draw_data(n: usize, d: usize, inputs: Inputs, seed: u64) -> Mat<f64> {
    draw_inputs(&mut stream(seed, DATA_STREAM), n, d, inputs)
}

/// [`draw_data`] with its sizes checked first (`1 <= n <= 20000`, `1 <= d <= 1e6`) and its memory
/// (`X` and its draw, `2 d n` doubles) against the budget ([`crate::budget`]): the entry point for
/// sizes that come from a user.
pub fn try_draw_data(n: usize, d: usize, inputs: Inputs, seed: u64) -> Result<Mat<f64>> {
    check::count("n", n, 1, 20_000)?;
    check::count("d", d, 1, 1_000_000)?;
    crate::budget::check(
        "the data set X (d x n)",
        crate::budget::f64s(2 * crate::budget::elements(&[d, n])),
    )?;
    Ok(draw_data(n, d, inputs, seed))
}

/// The exact infinite-width kernels `K_CK`, `K_W` of a data set (F20).
#[derive(Debug, Clone)]
pub struct DataKernels {
    /// `K_CK = E_w[φ(h) φ(h)ᵀ]` (`n × n`).
    pub ck: DMatrix<f64>,
    /// `K_W = σ_v² E_w[φ'(h) φ'(h)ᵀ] ∘ (XᵀX/d)` (if requested).
    pub first: Option<DMatrix<f64>>,
}

impl DataKernels {
    /// Kernels of the data `x` (`d × n`, one column per point) for an activation and `σ_w², σ_v²`
    /// (entries by [`Activation::pair_kernels`], columns in parallel).
    pub fn new(
        x: &Mat<f64>,
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        first_layer: bool,
    ) -> Result<Self> {
        let (d, n) = (x.nrows(), x.ncols());
        check::count("n", n, 1, 20_000)?;
        check::count("d", d, 1, 1_000_000)?;
        check::positive("sigma_w2", sigma_w2)?;
        check::non_negative("sigma_v2", sigma_v2)?;
        crate::budget::check(
            "the data kernels (n x n)",
            crate::budget::f64s(5 * crate::budget::elements(&[n, n])),
        )?;
        let mut g = Mat::<f64>::zeros(n, n);
        faer::linalg::matmul::matmul(
            g.as_mut(),
            faer::Accum::Replace,
            x.transpose(),
            x,
            1.0 / d as f64,
            faer::get_global_parallelism(),
        );
        if let Some(j) = (0..n).find(|&j| !(g[(j, j)] > 0.0 && g[(j, j)].is_finite())) {
            return Err(Error::InvalidData(format!(
                "data point {j} has norm {} (need finite, nonzero inputs)",
                g[(j, j)].sqrt()
            )));
        }
        let series: Vec<KernelSeries> = if act.closed_form_kernels() {
            vec![]
        } else {
            (0..n)
                .into_par_iter()
                .map(|j| act.kernel_series(sigma_w2 * g[(j, j)]))
                .collect()
        };
        let cols: Vec<Vec<(f64, f64)>> = (0..n)
            .into_par_iter()
            .map(|j| {
                (j..n)
                    .map(|i| {
                        let pair = series.get(i).zip(series.get(j));
                        let s = (g[(i, i)], g[(i, j)], g[(j, j)]);
                        let (k, kd) =
                            act.pair_kernels(sigma_w2 * s.0, sigma_w2 * s.1, sigma_w2 * s.2, pair)?;
                        Ok((k, sigma_v2 * s.1 * kd))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        let sym = |f: fn(&(f64, f64)) -> f64| {
            DMatrix::from_fn(n, n, |i, j| {
                let (a, b) = if i >= j { (i, j) } else { (j, i) };
                f(&cols[b][a - b])
            })
        };
        Ok(DataKernels {
            ck: sym(|p| p.0),
            first: first_layer.then(|| sym(|p| p.1)),
        })
    }
}
