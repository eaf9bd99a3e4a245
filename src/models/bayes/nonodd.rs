//! Two-order-parameter action for non-odd activations (ReLU) in a one-hidden-layer network
//! (docs/models/bayes.md (F34), deepbays `FC_1HL_nonodd`).
//!
//! With the NNGP kernel `K` (F30/F31) and the mean part `M = m m^T`, `m_mu = E phi(h_mu)`
//! (ReLU: `sqrt(C_mumu/(2 pi))`), the renormalised kernel is
//! `K_R(Qbar, Q) = sigma_1^2 [Qbar (K - M) + M/(1 + Q)]`, `A = T + K_R`, and the action
//!
//! `S(Qbar, Q) = -Qbar Q + ln(1 + Q) + (1/N1) [ln det A + y^T A^{-1} y]`.
//!
//! The centred part of the kernel is renormalised by `Qbar`, the mean part by `1/(1 + Q)`. Stationarity
//! (with `z = A^{-1} y`):
//! * `dS/dQbar = -Q + (sigma_1^2/N1) [Tr(A^{-1}(K - M)) - z^T (K - M) z] = 0`,
//! * `dS/dQ = -Qbar + 1/(1 + Q) - (sigma_1^2/(N1 (1 + Q)^2)) [m^T A^{-1} m - (m^T z)^2] = 0`.
//!
//! `M = 0` (odd activations) gives `Qbar = 1/(1 + Q)` and the first equation becomes F32's
//! `Q_F32 = 1 - alpha_1 g`, with `Qbar = Q_F32`. `S` is a saddle (not a minimum) in `(Qbar, Q)`, so the
//! equations are solved by a damped Newton iteration (finite-difference Jacobian, backtracking on the
//! residual norm) from the NNGP point `(Qbar, Q) = (1, 0)`; one Cholesky factorisation and inverse of
//! `A` per evaluation. Test kernels: `M0X = m0 m^T`, `M00 = m0^2`.

use super::data::Gram;
use super::gp::Prediction;
use super::kernels::Activation;
use crate::error::{check, Error, Result};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// One-hidden-layer network with the two-parameter action F34.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NonOddOneHidden {
    /// Activation (any; F34 differs from F32 only when `E phi(h) != 0`).
    pub activation: Activation,
    /// Hidden width `N1`.
    pub width: usize,
    /// Readout variance `sigma_1^2 = 1/lambda_1`.
    pub sigma1_sq: f64,
    /// Temperature `T > 0`.
    pub temperature: f64,
}

/// Solution of F34.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NonOddSaddle {
    /// `Qbar*` (renormalisation of the centred kernel).
    pub qbar: f64,
    /// `Q*` (conjugate variable; the mean part is scaled by `1/(1 + Q*)`).
    pub q: f64,
    /// `S(Qbar*, Q*)`.
    pub action: f64,
    /// Max-norm of the stationarity equations at the solution.
    pub residual: f64,
    /// Newton iterations.
    pub iterations: usize,
    /// GP predictor with the renormalised kernel.
    pub prediction: Prediction,
}

struct Eval {
    res: [f64; 2],
    action: f64,
}

impl NonOddOneHidden {
    /// Validated constructor: `N1 >= 1`, `sigma_1^2 > 0`, `T > 0`.
    pub fn new(
        activation: Activation,
        width: usize,
        sigma1_sq: f64,
        temperature: f64,
    ) -> Result<Self> {
        check::count("width", width, 1, 1_000_000_000)?;
        check::positive("sigma1^2", sigma1_sq)?;
        check::positive("temperature", temperature)?;
        Ok(NonOddOneHidden {
            activation,
            width,
            sigma1_sq,
            temperature,
        })
    }

    fn a_matrix(&self, k: &DMatrix<f64>, m: &DVector<f64>, qbar: f64, q: f64) -> DMatrix<f64> {
        let mm = m * m.transpose();
        let mut a = ((k - &mm) * qbar + mm / (1.0 + q)) * self.sigma1_sq;
        for i in 0..a.nrows() {
            a[(i, i)] += self.temperature;
        }
        a
    }

    fn eval(
        &self,
        k: &DMatrix<f64>,
        m: &DVector<f64>,
        y: &DVector<f64>,
        x: [f64; 2],
    ) -> Option<Eval> {
        let (qbar, q) = (x[0], x[1]);
        if !(q > -1.0 && qbar.is_finite() && q.is_finite()) {
            return None;
        }
        let ch = nalgebra::Cholesky::new(self.a_matrix(k, m, qbar, q))?;
        let ainv = ch.inverse();
        let z = &ainv * y;
        let n = self.width as f64;
        let s2 = self.sigma1_sq;
        let km = k - m * m.transpose();
        let tr_km = (&ainv * &km).trace();
        let zkmz = z.dot(&(&km * &z));
        let mam = m.dot(&(&ainv * m));
        let mz = m.dot(&z);
        let e1 = -q + s2 / n * (tr_km - zkmz);
        let e2 = -qbar + 1.0 / (1.0 + q) - s2 / (n * (1.0 + q).powi(2)) * (mam - mz * mz);
        let logdet = 2.0 * ch.l().diagonal().iter().map(|v| v.ln()).sum::<f64>();
        let action = -qbar * q + (1.0 + q).ln() + (logdet + y.dot(&z)) / n;
        Some(Eval {
            res: [e1, e2],
            action,
        })
    }

    /// Solve F34 and evaluate the predictor on the test points of `input` (first-layer overlaps).
    pub fn saddle(&self, input: &Gram) -> Result<NonOddSaddle> {
        if input.d() != 1 {
            return Err(Error::Domain(
                "the two-parameter action F34 is single-output".into(),
            ));
        }
        let kg = self.activation.map_gram(input, 1.0)?;
        let k = kg.c.clone();
        let p = input.p();
        let m = DVector::from_fn(p, |i, _| self.activation.mean(input.c[(i, i)]));
        let y = input.y.column(0).into_owned();
        let norm = |r: [f64; 2]| r[0].abs().max(r[1].abs());
        let mut x = [1.0, 0.0];
        let mut cur = self
            .eval(&k, &m, &y, x)
            .ok_or_else(|| Error::Domain("F34: T + K is not positive definite".into()))?;
        let max_iters = 200;
        let mut iterations = 0;
        while norm(cur.res) > 1e-14 && iterations < max_iters {
            iterations += 1;
            let h = 1e-7;
            let mut jac = [[0.0; 2]; 2];
            for c in 0..2 {
                let mut up = x;
                let mut dn = x;
                up[c] += h;
                dn[c] -= h;
                let (eu, ed) = match (self.eval(&k, &m, &y, up), self.eval(&k, &m, &y, dn)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => break,
                };
                for (r, row) in jac.iter_mut().enumerate() {
                    row[c] = (eu.res[r] - ed.res[r]) / (2.0 * h);
                }
            }
            let det = jac[0][0] * jac[1][1] - jac[0][1] * jac[1][0];
            if det == 0.0 || !det.is_finite() {
                break;
            }
            let dx = [
                -(jac[1][1] * cur.res[0] - jac[0][1] * cur.res[1]) / det,
                -(-jac[1][0] * cur.res[0] + jac[0][0] * cur.res[1]) / det,
            ];
            let mut step = 1.0;
            let mut moved = false;
            for _ in 0..50 {
                let cand = [x[0] + step * dx[0], x[1] + step * dx[1]];
                if let Some(e) = self.eval(&k, &m, &y, cand) {
                    if norm(e.res) < norm(cur.res) {
                        x = cand;
                        cur = e;
                        moved = true;
                        break;
                    }
                }
                step *= 0.5;
            }
            if !moved {
                break;
            }
        }
        let residual = norm(cur.res);
        if residual.is_nan() || residual > 1e-10 {
            return Err(Error::NotConverged {
                what: "two-parameter saddle F34 (damped Newton in (Qbar, Q))".into(),
                iterations,
                residual,
                tolerance: 1e-10,
            });
        }
        let prediction = self.predict(input, &kg, &m, x[0], x[1])?;
        Ok(NonOddSaddle {
            qbar: x[0],
            q: x[1],
            action: cur.action,
            residual,
            iterations,
            prediction,
        })
    }

    fn predict(
        &self,
        input: &Gram,
        kg: &Gram,
        m: &DVector<f64>,
        qbar: f64,
        q: f64,
    ) -> Result<Prediction> {
        let ch =
            crate::numerics::linalg::cholesky(self.a_matrix(&kg.c, m, qbar, q), "T + K_R (F34)")?;
        let y = input.y.column(0).into_owned();
        let z = ch.solve(&y);
        let s2 = self.sigma1_sq;
        let mut means = vec![];
        let mut vars = vec![];
        for t in 0..input.pt() {
            let m0 = self.activation.mean(input.c00[t]);
            let kr0 = DVector::from_fn(input.p(), |mu, _| {
                s2 * (qbar * (kg.c0[(t, mu)] - m0 * m[mu]) + m0 * m[mu] / (1.0 + q))
            });
            let kr00 = s2 * (qbar * (kg.c00[t] - m0 * m0) + m0 * m0 / (1.0 + q));
            means.push(kr0.dot(&z));
            vars.push((kr00 - kr0.dot(&ch.solve(&kr0))).max(0.0));
        }
        let y0: Vec<f64> = (0..input.pt()).map(|t| input.yt[(t, 0)]).collect();
        Ok(Prediction::new(means, vars, &y0))
    }
}
