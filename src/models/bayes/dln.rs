//! Bayesian deep linear network, single output: proportional-limit saddle point
//! (docs/models/bayes.md (F22–F25)) and the Li–Sompolinsky zero-temperature closed form (F26).
//!
//! Network `f(x) = W^(L) ... W^(1) W^(0) x / sqrt(N0 N1 ... N_L)`, `W^(l)_ij ~ N(0, sigma_l^2)`, posterior
//! `exp(-|y - f(X)|^2/(2T)) x prior`. The first-layer variance `sigma_0^2` sits in the Gram matrix
//! ([`super::data::Dataset::gram`]); `Lambda = prod_{l=1}^{L} sigma_l^2`.

use super::gp::{EigenGram, Prediction};
use super::saddle::{ScalarProblem, ScalarRoot};
use crate::error::{check, Error, Result};
use serde::Serialize;

/// Parameters of a Bayesian deep linear network (hidden widths, variances, temperature).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BayesDln {
    /// Hidden widths `N_1..N_L` (`L >= 1`).
    pub widths: Vec<usize>,
    /// Weight variances `sigma_1^2..sigma_L^2` of `W^(1)..W^(L)` (`W^(L)` is the readout).
    pub sigma2: Vec<f64>,
    /// Temperature `T >= 0` (Gaussian-likelihood noise variance).
    pub temperature: f64,
}

/// Saddle point and predictor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DlnSaddle {
    /// Order parameters and action.
    pub root: ScalarRoot,
    /// GP predictor with renormalised kernel `q* C` (F25; F26 at `T = 0`).
    pub prediction: Prediction,
    /// Training error `mean (y - m(x^mu))^2` of the saddle predictor on the training points.
    pub train_error: f64,
}

impl BayesDln {
    /// Validated constructor: `1 <= N_l <= 1e9`, `sigma_l^2 > 0` with `Lambda = prod sigma_l^2` in
    /// `[1e-100, 1e100]`, one variance per width, `T` in `[0, 1e100]`.
    pub fn new(widths: Vec<usize>, sigma2: Vec<f64>, temperature: f64) -> Result<Self> {
        if widths.is_empty() {
            return Err(Error::param(
                "depth",
                0,
                "an integer >= 1 (number of hidden layers)",
            ));
        }
        for &n in &widths {
            check::count("width", n, 1, 1_000_000_000)?;
        }
        if sigma2.len() != widths.len() {
            return Err(Error::param(
                "sigma2",
                format!("{} values", sigma2.len()),
                &format!("one variance per hidden layer ({} values)", widths.len()),
            ));
        }
        for &s in &sigma2 {
            check::positive("sigma2", s)?;
        }
        check::product_in("sigma2", &sigma2, 1e-100, 1e100)?;
        check::in_range("temperature", temperature, 0.0, 1e100)?;
        Ok(BayesDln {
            widths,
            sigma2,
            temperature,
        })
    }

    /// `L` hidden layers of width `n`, unit variances.
    pub fn equal(n: usize, depth: usize, temperature: f64) -> Result<Self> {
        check::count("depth", depth, 1, 100_000)?;
        Self::new(vec![n; depth], vec![1.0; depth], temperature)
    }

    /// `Lambda = prod_l sigma_l^2`.
    pub fn lambda(&self) -> f64 {
        self.sigma2.iter().product()
    }

    /// NNGP (infinite-width) predictor: GP with kernel `Lambda C` (the `alpha -> 0` limit of F25).
    pub fn nngp(&self, eg: &EigenGram) -> Result<Prediction> {
        eg.require_single_output("the scalar DLN theory")?;
        if self.temperature == 0.0 {
            return eg.predict_t0(self.lambda());
        }
        Ok(eg.predict(self.lambda(), self.temperature))
    }

    /// Saddle point of F22 (`T > 0`, via the reduced equation F23) or of F26 (`T = 0`, where
    /// `g(q) = 1 - r/q`, `r = y^T C^{-1} y / P`); predictor F25 / F26 at `q*`.
    pub fn saddle(&self, eg: &EigenGram) -> Result<DlnSaddle> {
        eg.require_single_output("the scalar DLN theory")?;
        let widths: Vec<f64> = self.widths.iter().map(|&n| n as f64).collect();
        let t = self.temperature;
        let p = eg.p() as f64;
        let root = if t > 0.0 {
            let g = |q: f64| eg.g(q, t);
            let phi = |q: f64| eg.phi(q, t);
            ScalarProblem {
                widths: &widths,
                p,
                ln_lambda: self.lambda().ln(),
                g: &g,
                phi: &phi,
            }
            .solve()?
        } else {
            let r = eg.r()?;
            let g = |q: f64| 1.0 - r / q;
            // T -> 0 limit of Phi without the divergent constant: sum ln(q l_j) + P r / q
            let sl: f64 = eg.l.iter().map(|l| l.ln()).sum();
            let phi = |q: f64| p * q.ln() + sl + p * r / q;
            ScalarProblem {
                widths: &widths,
                p,
                ln_lambda: self.lambda().ln(),
                g: &g,
                phi: &phi,
            }
            .solve()?
        };
        let prediction = if t > 0.0 {
            eg.predict(root.q, t)
        } else {
            eg.predict_t0(root.q)?
        };
        let train_error = train_error(eg, root.q, t);
        Ok(DlnSaddle {
            root,
            prediction,
            train_error,
        })
    }
}

/// Training error of the GP mean with kernel `qC` and noise `T`: residual `T (T + qC)^{-1} y`,
/// `mean_mu ((T (T + q l_j)^{-1} y~_j)^2)` in the eigenbasis (0 at `T = 0` when `C` is invertible).
pub fn train_error(eg: &EigenGram, q: f64, t: f64) -> f64 {
    eg.l.iter()
        .zip(&eg.ytil[0])
        .map(|(&l, &y)| {
            let a = t + q * l;
            if a > 0.0 {
                (t * y / a).powi(2)
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / eg.p() as f64
}

/// Li–Sompolinsky closed form for equal widths, `Lambda = 1`, `L = 1` (F26):
/// `Q = [(1 - alpha) + sqrt((1 - alpha)^2 + 4 alpha r)] / 2`.
pub fn li_sompolinsky_one_layer(alpha: f64, r: f64) -> Result<f64> {
    // alpha = P/N and r = y^T C^{-1} y / P: bounded so that (1 - alpha)^2 + 4 alpha r cannot overflow
    check::in_range("alpha", alpha, 1e-12, 1e12)?;
    check::in_range("r", r, 1e-100, 1e100)?;
    let b = 1.0 - alpha;
    let root = (b * b + 4.0 * alpha * r).sqrt();
    // for alpha > 1 the textbook form cancels (b < 0): use Q = 2 alpha r / (root - b) instead
    let q = if b >= 0.0 {
        0.5 * (b + root)
    } else {
        2.0 * alpha * r / (root - b)
    };
    if !(q.is_finite() && q > 0.0) {
        return Err(Error::Domain(format!(
            "Li-Sompolinsky Q overflows or underflows for alpha = {}, r = {}",
            crate::error::num(alpha),
            crate::error::num(r)
        )));
    }
    Ok(q)
}
