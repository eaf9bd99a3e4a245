//! Gradient of the nested deep action (docs/models/bayes.md, nonlinear network) by reverse mode through
//! the kernel maps, for its quasi-Newton minimisation.
//!
//! With `u_l = ln Q_l`, `s_l = Q_l σ_l²`, `K_l = s_l κ(K_{l-1})` (entrywise on the `P × P` training
//! Gram, `K_0 = C`) and `A = T + K_L`,
//!
//! ```text
//! S(u) = Σ_l (Q_l - u_l) + (1/N)[ln det A + yᵀ A⁻¹ y],
//! ∂S/∂u_l = Q_l - 1 + Σ_ab G_l[a,b] K_l[a,b],   G_L = (A⁻¹ - A⁻¹y yᵀA⁻¹)/N,
//! ```
//!
//! where `G_l` is the adjoint of `K_l` (`dS = Σ_ab G_l[a,b] dK_l[a,b]`), carried down a layer by the
//! partial derivatives of `κ(c11, c12, c22)` at every entry ([`Activation::kernel_grad`]; the
//! diagonal `κ(c, c, c)` by [`Activation::diag_kernel_grad`]). One gradient costs about two
//! evaluations of the action (for tanh, where each entry is a 64 × 64 Gauss–Hermite sum), against
//! `2L` for central differences; Nelder–Mead, used before, needed thousands of evaluations at
//! `L = 20`.

use super::data::Gram;
use super::kernels::Activation;
use super::onehl::BayesNonlinear;
use crate::error::Result;
use nalgebra::DMatrix;
use rayon::prelude::*;

/// `s κ(C)` on the training block with the per-entry partial derivatives `[∂κ/∂c11, ∂κ/∂c12,
/// ∂κ/∂c22]` (lower triangle, diagonal: `[dκ/dc, 0, 0]`), rows in parallel.
fn map_with_grad(
    act: Activation,
    c: &DMatrix<f64>,
    s: f64,
) -> Result<(DMatrix<f64>, Vec<[f64; 3]>)> {
    let p = c.nrows();
    let rows: Vec<Vec<[f64; 4]>> = (0..p)
        .into_par_iter()
        .map(|i| {
            (0..=i)
                .map(|j| {
                    if i == j {
                        let [k, d] = act.diag_kernel_grad(c[(i, i)])?;
                        Ok([k, d, 0.0, 0.0])
                    } else {
                        act.kernel_grad(c[(i, i)], c[(i, j)], c[(j, j)])
                    }
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    let mut k = DMatrix::zeros(p, p);
    let mut d = Vec::with_capacity(p * (p + 1) / 2);
    for (i, row) in rows.into_iter().enumerate() {
        for (j, v) in row.into_iter().enumerate() {
            k[(i, j)] = s * v[0];
            k[(j, i)] = s * v[0];
            d.push([v[1], v[2], v[3]]);
        }
    }
    Ok((k, d))
}

impl BayesNonlinear {
    /// The nested action and its gradient in `u_l = ln Q_l` (module docs). Errors as the action's
    /// (an invalid covariance, `T + K_L` not positive definite).
    pub fn nested_action_grad(&self, input: &Gram, q: &[f64]) -> Result<(f64, Vec<f64>)> {
        let l = self.depth;
        let p = input.p();
        let mut ks: Vec<DMatrix<f64>> = Vec::with_capacity(l + 1);
        let mut ds: Vec<Vec<[f64; 3]>> = Vec::with_capacity(l);
        ks.push(input.c.clone());
        for (ql, s2) in q.iter().zip(&self.sigma2) {
            let (k, d) = map_with_grad(self.activation, &ks[ks.len() - 1], ql * s2)?;
            ks.push(k);
            ds.push(d);
        }
        let mut a = ks[l].clone();
        for i in 0..p {
            a[(i, i)] += self.temperature;
        }
        let ch = crate::numerics::linalg::cholesky(a, "T + K_R")?;
        let logdet = 2.0 * ch.l().diagonal().iter().map(|x| x.ln()).sum::<f64>();
        let y = input.y.column(0).into_owned();
        let alpha = ch.solve(&y);
        let n = self.width as f64;
        let action = q.iter().map(|x| x - x.ln()).sum::<f64>() + (logdet + y.dot(&alpha)) / n;
        let mut g = (ch.inverse() - &alpha * alpha.transpose()) / n;
        let mut grad = vec![0.0; l];
        for layer in (0..l).rev() {
            let k = &ks[layer + 1];
            grad[layer] = q[layer] - 1.0 + g.component_mul(k).sum();
            if layer == 0 {
                break;
            }
            let s = q[layer] * self.sigma2[layer];
            let mut prev = DMatrix::zeros(p, p);
            let mut idx = 0;
            for i in 0..p {
                for j in 0..=i {
                    let [d11, d12, d22] = ds[layer][idx];
                    idx += 1;
                    if i == j {
                        prev[(i, i)] += g[(i, i)] * s * d11;
                    } else {
                        let w = 2.0 * g[(i, j)] * s;
                        prev[(i, i)] += w * d11;
                        prev[(j, j)] += w * d22;
                        prev[(i, j)] += 0.5 * w * d12;
                        prev[(j, i)] += 0.5 * w * d12;
                    }
                }
            }
            g = prev;
        }
        Ok((action, grad))
    }
}
