//! Multi-output Bayesian deep linear network in the proportional limit: the `D x D` matrix order
//! parameter of "kernel shape renormalization" (docs/models/bayes.md (F27), one hidden layer; F28,
//! `L` equal-width hidden layers).
//!
//! With `Lambda = prod_l sigma_l^2` and the `D x D` order parameter `Q` (the output-output overlap of the
//! last hidden representation, `Q = I` at infinite width), the outputs are a GP with covariance
//! `Lambda Q (x) C` (output-major vectorisation, docs/models/bayes.md, "Conventions") and the
//! action is
//!
//! `S(Q) = L Tr(Q^{1/L}) - ln det Q + (1/N) Phi(Q)`,
//! `Phi(Q) = ln det A + vec(Y)^T A^{-1} vec(Y)`, `A = T I_{DP} + Lambda Q (x) C`
//!
//! (F28; `L = 1` is F27, `D = 1` is F22 with equal widths). The prior term is the large-deviation rate of
//! the product of `L` Wishart factors, minimised at equal commuting factors `W_l = Q^{1/L}`.
//!
//! **Evaluation in two eigenbases.** With `C = U diag(l) U^T` (once, [`EigenGram`]) and
//! `Q = V diag(s) V^T` (`D x D`), `A = (V (x) U) diag(T + Lambda s_i l_j) (V (x) U)^T`, so with
//! `y~ = V^T Y^T U` (`D x P`) and `z~_ij = y~_ij / (T + Lambda s_i l_j)`:
//! `Phi = sum_ij ln(T + Lambda s_i l_j) + y~_ij z~_ij` (F21), and the gradient `dPhi = Tr(G dQ)` is
//! `G = Lambda V [diag_i(sum_j l_j/(T + Lambda s_i l_j)) - z~ diag(l) z~^T] V^T`
//! (F27: `G_ab = Tr(A^{-1}_{ba} C) - z_a^T C z_b`). Stationarity (F28):
//! `dS/dQ = Q^{1/L - 1} - Q^{-1} + G(Q)/N = 0`. Every evaluation costs `O(D^2 P)`.
//!
//! **Solver.** `S` is minimised over a Cholesky factor `Q = R R^T` with log-diagonal (always positive
//! definite; docs/models/bayes.md, "Numerical notes", warns that the fixed point `Q <- (I +
//! G/N)^{-1}` can oscillate) by BFGS (argmin, More–Thuente line search) from `Q = I`, followed by
//! Newton steps on the stationarity equation (finite-difference Jacobian of the analytic gradient).
//! The stationarity residual `max |dS/dQ|` is reported and must be below `1e-9`.
//!
//! **Predictor** (F18 at `Q*`), per test point: `m = V (Lambda s .* (z~ c~))`,
//! `Cov = V diag(Lambda s_i c00 - Lambda^2 s_i^2 sum_j c~_j^2/(T + Lambda s_i l_j)) V^T`, `c~ = U^T c0`.

use super::gp::EigenGram;
use crate::error::{check, Error, Result};
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde::Serialize;

/// Multi-output Bayesian DLN: `L` hidden layers of equal width `N`, variances `sigma_l^2`, temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiOutputDln {
    /// Hidden width `N` (all layers; the reference width of the action).
    pub width: usize,
    /// Number of hidden layers `L`.
    pub depth: usize,
    /// `Lambda = prod_{l=1}^{L} sigma_l^2` (readout included).
    pub lambda: f64,
    /// Temperature `T > 0`.
    pub temperature: f64,
}

/// Predictive statistics for `D` outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiPrediction {
    /// Predictive mean per test point, `mean[t][d]`.
    pub mean: Vec<Vec<f64>>,
    /// Predictive `D x D` covariance per test point, `cov[t][a][b]`.
    pub cov: Vec<Vec<Vec<f64>>>,
    /// Mean over test points and outputs of `(y0 - m)^2`.
    pub bias2: f64,
    /// Mean over test points of `Tr Cov / D`.
    pub variance: f64,
    /// Per-output generalization error `bias2 + variance` (F19 divided by `D`).
    pub eps_g: f64,
}

impl MultiPrediction {
    /// Assemble from means and covariances and the test labels `y0[t][d]`.
    pub fn new(mean: Vec<Vec<f64>>, cov: Vec<Vec<Vec<f64>>>, y0: &[Vec<f64>]) -> Self {
        let pt = mean.len().max(1) as f64;
        let d = mean.first().map(|m| m.len()).unwrap_or(1).max(1) as f64;
        let bias2 = mean
            .iter()
            .zip(y0)
            .map(|(m, y)| m.iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum::<f64>())
            .sum::<f64>()
            / (pt * d);
        let variance = cov
            .iter()
            .map(|c| (0..c.len()).map(|k| c[k][k]).sum::<f64>())
            .sum::<f64>()
            / (pt * d);
        MultiPrediction {
            mean,
            cov,
            bias2,
            variance,
            eps_g: bias2 + variance,
        }
    }
}

/// Solution of the matrix saddle point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiSaddle {
    /// `Q*` (`D x D`, row-major rows); the kernel is `Lambda Q* (x) C`.
    pub q: Vec<Vec<f64>>,
    /// Per-layer factor `Q*^{1/L}` (equal for all layers).
    pub q_layer: Vec<Vec<f64>>,
    /// `S(Q*)`.
    pub action: f64,
    /// `max_ab |dS/dQ_ab|` at the solution.
    pub residual: f64,
    /// BFGS + Newton iterations used.
    pub iterations: usize,
    /// Predictor F18 at `Q*`.
    pub prediction: MultiPrediction,
}

/// Rows of a square matrix.
pub fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

fn sym_fun(e: &SymmetricEigen<f64, nalgebra::Dyn>, f: impl Fn(f64) -> f64) -> DMatrix<f64> {
    let d = DMatrix::from_diagonal(&e.eigenvalues.map(f));
    &e.eigenvectors * d * e.eigenvectors.transpose()
}

/// The labels `Y^T U` as a `D x P` matrix.
fn ymat(eg: &EigenGram) -> DMatrix<f64> {
    DMatrix::from_fn(eg.d(), eg.p(), |d, j| eg.ytil[d][j])
}

impl MultiOutputDln {
    /// Validated constructor: `1 <= N <= 1e9`, `1 <= L <= 1000`, `Lambda > 0`, `T > 0` (the `T = 0` matrix
    /// action is not implemented).
    pub fn new(width: usize, depth: usize, lambda: f64, temperature: f64) -> Result<Self> {
        check::count("width", width, 1, 1_000_000_000)?;
        check::count("depth", depth, 1, 1000)?;
        check::positive("Lambda (product of variances)", lambda)?;
        check::positive("temperature", temperature)?;
        Ok(MultiOutputDln {
            width,
            depth,
            lambda,
            temperature,
        })
    }

    /// `(Phi(Q), G(Q))` for symmetric positive-definite `Q` (module docs).
    pub fn phi_grad(&self, eg: &EigenGram, q: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
        let e = SymmetricEigen::new(q.clone());
        let yt = e.eigenvectors.transpose() * ymat(eg);
        let (t, lam) = (self.temperature, self.lambda);
        let d = q.nrows();
        let mut phi = 0.0;
        let mut diag = vec![0.0; d];
        let mut zt = DMatrix::zeros(d, eg.p());
        for i in 0..d {
            let s = e.eigenvalues[i];
            for (j, &l) in eg.l.iter().enumerate() {
                let a = t + lam * s * l;
                let z = yt[(i, j)] / a;
                phi += a.ln() + yt[(i, j)] * z;
                diag[i] += l / a;
                zt[(i, j)] = z;
            }
        }
        let zl = DMatrix::from_fn(d, eg.p(), |i, j| zt[(i, j)] * eg.l[j]);
        let inner = DMatrix::from_diagonal(&DVector::from_vec(diag)) - zl * zt.transpose();
        let g = &e.eigenvectors * inner * e.eigenvectors.transpose() * lam;
        (phi, g)
    }

    /// Action `S(Q)` and its gradient `dS/dQ`; `None` outside the positive-definite cone.
    pub fn action_grad(&self, eg: &EigenGram, q: &DMatrix<f64>) -> Option<(f64, DMatrix<f64>)> {
        let e = SymmetricEigen::new(q.clone());
        if e.eigenvalues.iter().any(|&s| !(s > 0.0 && s.is_finite())) {
            return None;
        }
        let l = self.depth as f64;
        let n = self.width as f64;
        let (phi, g) = self.phi_grad(eg, q);
        let prior: f64 = e
            .eigenvalues
            .iter()
            .map(|&s| l * s.powf(1.0 / l) - s.ln())
            .sum();
        let dprior = sym_fun(&e, |s| s.powf(1.0 / l - 1.0) - 1.0 / s);
        let s = prior + phi / n;
        s.is_finite().then_some((s, dprior + g / n))
    }

    fn theta_to_q(d: usize, th: &DVector<f64>) -> DMatrix<f64> {
        let r = Self::theta_to_r(d, th);
        &r * r.transpose()
    }

    fn theta_to_r(d: usize, th: &DVector<f64>) -> DMatrix<f64> {
        let mut r = DMatrix::zeros(d, d);
        let mut k = 0;
        for i in 0..d {
            for j in 0..=i {
                r[(i, j)] = if i == j { th[k].exp() } else { th[k] };
                k += 1;
            }
        }
        r
    }

    fn cost_grad(&self, eg: &EigenGram, th: &DVector<f64>) -> Option<(f64, DVector<f64>)> {
        let d = eg.d();
        let r = Self::theta_to_r(d, th);
        let (s, gq) = self.action_grad(eg, &(&r * r.transpose()))?;
        let gr = (&gq + gq.transpose()) * &r; // dS/dR for symmetric dS/dQ
        let mut out = DVector::zeros(th.len());
        let mut k = 0;
        for i in 0..d {
            for j in 0..=i {
                out[k] = if i == j {
                    gr[(i, j)] * r[(i, i)]
                } else {
                    gr[(i, j)]
                };
                k += 1;
            }
        }
        Some((s, out))
    }

    /// Solve F27/F28 (minimum of `S` over positive-definite `Q`) and evaluate the predictor.
    pub fn saddle(&self, eg: &EigenGram) -> Result<MultiSaddle> {
        let d = eg.d();
        let np = d * (d + 1) / 2;
        let max_iters = 500;
        let eval = |th: &DVector<f64>| self.cost_grad(eg, th);
        let mut th = DVector::zeros(np);
        let (mut s0, mut g0) = eval(&th).ok_or_else(|| {
            Error::Domain("multi-output saddle: action not finite at Q = I".into())
        })?;
        let mut iterations = 0;
        while iterations < max_iters && g0.amax() >= 1e-13 {
            iterations += 1;
            // Hessian by central differences of the analytic gradient, symmetrised
            let h = 1e-6;
            let mut hess = DMatrix::zeros(np, np);
            let mut ok = true;
            for k in 0..np {
                let mut up = th.clone();
                let mut dn = th.clone();
                up[k] += h;
                dn[k] -= h;
                match (eval(&up), eval(&dn)) {
                    (Some(a), Some(b)) => hess.set_column(k, &((a.1 - b.1) / (2.0 * h))),
                    _ => ok = false,
                }
            }
            let hess = (&hess + hess.transpose()) * 0.5;
            // Levenberg regularisation until the Newton matrix is positive definite
            let mut mu = 0.0;
            let dir = loop {
                let m = &hess + DMatrix::identity(np, np) * mu;
                match (ok, nalgebra::Cholesky::new(m)) {
                    (true, Some(ch)) => break -ch.solve(&g0),
                    _ => {
                        mu = if mu == 0.0 {
                            1e-8 * (1.0 + hess.amax())
                        } else {
                            mu * 10.0
                        }
                    }
                }
                if mu > 1e12 || !ok {
                    break -g0.clone();
                }
            };
            // backtracking (Armijo) on S; near the minimum accept a step that reduces |grad|
            let slope = g0.dot(&dir);
            let mut step = 1.0;
            let mut accepted = false;
            for _ in 0..60 {
                let cand = &th + &dir * step;
                if let Some((s1, g1)) = eval(&cand) {
                    if s1 <= s0 + 1e-4 * step * slope
                        || (s1 - s0).abs() < 1e-14 * s0.abs().max(1.0) && g1.amax() < g0.amax()
                    {
                        th = cand;
                        s0 = s1;
                        g0 = g1;
                        accepted = true;
                        break;
                    }
                }
                step *= 0.5;
            }
            if !accepted {
                break;
            }
        }
        let q = Self::theta_to_q(d, &th);
        let (action, gq) = self.action_grad(eg, &q).ok_or_else(|| {
            Error::Domain("multi-output saddle: Q* is not positive definite".into())
        })?;
        let residual = gq.amax();
        if residual.is_nan() || residual >= 1e-9 {
            return Err(Error::NotConverged {
                what: "multi-output saddle point (BFGS + Newton on a Cholesky factor of Q)".into(),
                iterations,
                residual,
                tolerance: 1e-9,
            });
        }
        let e = SymmetricEigen::new(q.clone());
        let q_layer = rows(&sym_fun(&e, |s| s.powf(1.0 / self.depth as f64)));
        Ok(MultiSaddle {
            q: rows(&q),
            q_layer,
            action,
            residual,
            iterations,
            prediction: self.predict(eg, &q),
        })
    }

    /// NNGP predictor (`Q = I`: independent outputs with kernel `Lambda C`).
    pub fn nngp(&self, eg: &EigenGram) -> MultiPrediction {
        self.predict(eg, &DMatrix::identity(eg.d(), eg.d()))
    }

    /// GP predictor F18 with kernel `Lambda Q (x) C` at every test point.
    pub fn predict(&self, eg: &EigenGram, q: &DMatrix<f64>) -> MultiPrediction {
        predict_q(eg, &(q * self.lambda), self.temperature)
    }
}

/// F18 for a given `D x D` kernel matrix `Qk` (kernel `Qk (x) C`) and noise `T`, in the eigenbases
/// (F21): mean `V (s .* (z~ c~))`, covariance `V diag(s_i c00 - s_i^2 sum_j c~_j^2/(T + s_i l_j)) V^T`.
pub fn predict_q(eg: &EigenGram, qk: &DMatrix<f64>, t: f64) -> MultiPrediction {
    let (mean, cov) = predict_raw_q(eg, qk, t);
    MultiPrediction::new(
        mean.iter().map(|m| m.as_slice().to_vec()).collect(),
        cov.iter().map(rows).collect(),
        &eg.y0,
    )
}

/// `Phi = ln det(T + Qk (x) C) + vec(Y)^T (T + Qk (x) C)^{-1} vec(Y)` for a `D x D` kernel matrix `Qk`
/// (F21: `sum_ij ln(T + s_i l_j) + y~_ij^2/(T + s_i l_j)`); `+inf` if some `T + s_i l_j <= 0`.
pub fn phi_kernel(eg: &EigenGram, qk: &DMatrix<f64>, t: f64) -> f64 {
    let e = SymmetricEigen::new(qk.clone());
    let yt = e.eigenvectors.transpose() * ymat(eg);
    let mut phi = 0.0;
    for i in 0..qk.nrows() {
        for (j, &l) in eg.l.iter().enumerate() {
            let a = t + e.eigenvalues[i] * l;
            if a <= 0.0 {
                return f64::INFINITY;
            }
            phi += a.ln() + yt[(i, j)] * yt[(i, j)] / a;
        }
    }
    phi
}

/// Raw per-test-point means (`D` vectors) and covariances (`D x D`) of [`predict_q`].
pub fn predict_raw_q(
    eg: &EigenGram,
    qk: &DMatrix<f64>,
    t: f64,
) -> (Vec<DVector<f64>>, Vec<DMatrix<f64>>) {
    let e = SymmetricEigen::new(qk.clone());
    let yt = e.eigenvectors.transpose() * ymat(eg);
    let d = qk.nrows();
    let mut means = vec![];
    let mut covs = vec![];
    for (ct, &c00) in eg.ctil.iter().zip(&eg.c00) {
        let mut mv = DVector::zeros(d);
        let mut cv = DVector::zeros(d);
        for i in 0..d {
            let s = e.eigenvalues[i].max(0.0);
            let (mut m, mut v) = (0.0, 0.0);
            for ((&l, &c), j) in eg.l.iter().zip(ct).zip(0..) {
                let a = t + s * l;
                m += c * yt[(i, j)] / a;
                v += c * c / a;
            }
            mv[i] = s * m;
            cv[i] = (s * c00 - s * s * v).max(0.0);
        }
        means.push(&e.eigenvectors * mv);
        covs.push(&e.eigenvectors * DMatrix::from_diagonal(&cv) * e.eigenvectors.transpose());
    }
    (means, covs)
}
