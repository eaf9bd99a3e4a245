//! Nonlinear networks in the proportional limit (Pacelli et al. 2023; docs/models/bayes.md
//! (F32–F33)).
//!
//! One hidden layer, `f(x) = N1^{-1/2} sum_i v_i phi(w_i . x / sqrt(N0))`, `w ~ N(0, sigma_0^2)`,
//! `v ~ N(0, sigma_1^2)`. The effective action F32 is F22 with the input Gram `C` replaced by the NNGP
//! kernel `K` of the activation and `L = 1`, `Lambda = sigma_1^2`, so the same scalar saddle solver is
//! used (`q* = sigma_1^2 Q*`, predictor = GP with kernel `q* K`).
//!
//! Deep variants (F33, both as in the deepbays reference code; which one the NMI paper uses could not be
//! verified): *vanilla* — kernel composed `L` times without renormalisation and one common scale
//! `prod_l Q_l` (equal widths give equal `Q_l`; solved by the scalar reduction); *nested* —
//! `K_R^(l) = Q_l sigma_l^2 K(K_R^(l-1))`, `K_R^(0) = C`, action
//! `S = sum_l (Q_l - ln Q_l) + (1/N)[ln det(T + K_R^(L)) + y^T (T + K_R^(L))^{-1} y]`, minimised over `ln Q_l`
//! by L-BFGS (argmin) with the analytic gradient of `nested.rs` (reverse mode through the kernel maps).

use super::data::Gram;
use super::dln::{BayesDln, DlnSaddle};
use super::gp::{EigenGram, Prediction};
use super::kernels::Activation;
use crate::error::{check, Error, Result};
use serde::Serialize;

/// A Bayesian network with `L` equal-width nonlinear hidden layers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BayesNonlinear {
    /// Activation.
    pub activation: Activation,
    /// Hidden width `N` (all layers).
    pub width: usize,
    /// Number of hidden layers `L`.
    pub depth: usize,
    /// Variances `sigma_1^2..sigma_L^2` of the weights after each hidden layer (the last is the readout).
    pub sigma2: Vec<f64>,
    /// Temperature.
    pub temperature: f64,
}

/// Which deep variant of F33.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeepVariant {
    /// Renormalised kernel fed through the next layer's kernel map (one `Q_l` per layer).
    Nested,
    /// One common scale on the un-renormalised composed kernel.
    Vanilla,
}

/// Nested saddle point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NestedSaddle {
    /// `Q_l*`, first hidden layer first.
    pub q_layers: Vec<f64>,
    /// Action at the minimum.
    pub action: f64,
    /// Largest central-difference derivative `|dS/d ln Q_l|` at the solution.
    pub residual: f64,
    /// Predictor with the renormalised kernel.
    pub prediction: Prediction,
}

impl BayesNonlinear {
    /// Validated constructor (`N >= 1`, `1 <= L <= 20`, `sigma^2 > 0` per layer with a product in
    /// `[1e-100, 1e100]`, `T` in `[0, 1e100]`).
    pub fn new(
        activation: Activation,
        width: usize,
        depth: usize,
        sigma2: Vec<f64>,
        temperature: f64,
    ) -> Result<Self> {
        check::count("width", width, 1, 1_000_000_000)?;
        check::count("depth", depth, 1, 20)?;
        if sigma2.len() != depth {
            return Err(Error::param(
                "sigma2",
                format!("{} values", sigma2.len()),
                &format!("{depth} values (one per hidden layer)"),
            ));
        }
        for &s in &sigma2 {
            check::positive("sigma2", s)?;
        }
        check::product_in("sigma2", &sigma2, 1e-100, 1e100)?;
        check::in_range("temperature", temperature, 0.0, 1e100)?;
        Ok(BayesNonlinear {
            activation,
            width,
            depth,
            sigma2,
            temperature,
        })
    }

    /// One hidden layer with unit readout variance.
    pub fn one_hidden(activation: Activation, width: usize, temperature: f64) -> Result<Self> {
        Self::new(activation, width, 1, vec![1.0], temperature)
    }

    /// The un-renormalised NNGP kernel after `L` layers, `K^(l) = sigma_l^2 K(K^(l-1))`, `K^(0) = C`
    /// (the last factor `sigma_L^2` is left out: it is the scale `Lambda` of the action).
    pub fn composed_kernel(&self, input: &Gram) -> Result<Gram> {
        let mut g = input.clone();
        for l in 0..self.depth {
            let scale = if l + 1 < self.depth {
                self.sigma2[l]
            } else {
                1.0
            };
            g = self.activation.map_gram(&g, scale)?;
        }
        Ok(g)
    }

    /// NNGP predictor (kernel `sigma_L^2 K^(L)`).
    pub fn nngp(&self, input: &Gram) -> Result<Prediction> {
        let eg = EigenGram::new(&self.composed_kernel(input)?)?;
        BayesDln::new(
            vec![self.width],
            vec![self.sigma2[self.depth - 1]],
            self.temperature,
        )?
        .nngp(&eg)
    }

    /// One hidden layer (F32) or the vanilla deep variant: scalar saddle on the composed kernel.
    pub fn saddle(&self, input: &Gram) -> Result<DlnSaddle> {
        let eg = EigenGram::new(&self.composed_kernel(input)?)?;
        BayesDln::new(
            vec![self.width; self.depth],
            {
                let mut s = vec![1.0; self.depth];
                s[self.depth - 1] = self.sigma2[self.depth - 1];
                s
            },
            self.temperature,
        )?
        .saddle(&eg)
    }

    fn nested_kernel(&self, input: &Gram, q: &[f64]) -> Result<Gram> {
        let mut g = input.clone();
        for (ql, s2) in q.iter().zip(&self.sigma2) {
            g = self.activation.map_gram(&g, ql * s2)?;
        }
        Ok(g)
    }

    #[doc(hidden)]
    pub fn nested_action(&self, input: &Gram, q: &[f64]) -> Result<f64> {
        let g = self.nested_kernel(input, q)?;
        let mut a = g.c.clone();
        for i in 0..a.nrows() {
            a[(i, i)] += self.temperature;
        }
        let ch = crate::numerics::linalg::cholesky(a, "T + K_R")?;
        let logdet = 2.0 * ch.l().diagonal().iter().map(|x| x.ln()).sum::<f64>();
        let y = g.y.column(0).into_owned();
        let quad = y.dot(&ch.solve(&y));
        Ok(q.iter().map(|x| x - x.ln()).sum::<f64>() + (logdet + quad) / self.width as f64)
    }

    /// Nested deep variant (F33): minimise the action over `ln Q_l` from `Q_l = 1` by L-BFGS with the
    /// analytic gradient of [`BayesNonlinear::nested_action_grad`] (More–Thuente line search).
    pub fn nested_saddle(&self, input: &Gram) -> Result<NestedSaddle> {
        use argmin::core::{CostFunction, Executor, Gradient};
        use argmin::solver::linesearch::MoreThuenteLineSearch;
        use argmin::solver::quasinewton::LBFGS;
        use nalgebra::DVector;
        if self.temperature <= 0.0 {
            return Err(Error::param(
                "temperature",
                self.temperature,
                "> 0 for the nested deep action",
            ));
        }
        if input.d() != 1 {
            return Err(Error::Domain(
                "the nested deep action is single-output".into(),
            ));
        }
        // the forward pass keeps the L training Grams and three derivatives per entry
        let p = input.p() as u64;
        crate::budget::check(
            "the nested deep saddle",
            (self.depth as u64 + 2)
                .saturating_mul(p * p)
                .saturating_mul(8 * 4),
        )?;
        struct Cost<'a>(&'a BayesNonlinear, &'a Gram);
        impl CostFunction for Cost<'_> {
            type Param = DVector<f64>;
            type Output = f64;
            fn cost(&self, u: &DVector<f64>) -> std::result::Result<f64, argmin::core::Error> {
                crate::cancel::check()?;
                let q: Vec<f64> = u.iter().map(|x| x.exp()).collect();
                Ok(self.0.nested_action(self.1, &q).unwrap_or(f64::INFINITY))
            }
        }
        impl Gradient for Cost<'_> {
            type Param = DVector<f64>;
            type Gradient = DVector<f64>;
            fn gradient(
                &self,
                u: &DVector<f64>,
            ) -> std::result::Result<DVector<f64>, argmin::core::Error> {
                crate::cancel::check()?;
                let q: Vec<f64> = u.iter().map(|x| x.exp()).collect();
                let (_, g) = self.0.nested_action_grad(self.1, &q)?;
                Ok(DVector::from_vec(g))
            }
        }
        let l = self.depth;
        let iters: u64 = 1000;
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(1e-10)
            .map_err(|e| Error::Domain(format!("L-BFGS setup: {e}")))?;
        let res = Executor::new(Cost(self, input), solver)
            .configure(|s| s.param(DVector::zeros(l)).max_iters(iters))
            .run()
            .map_err(|e| match e.downcast::<Error>() {
                Ok(err) => err,
                Err(e) => Error::Domain(format!("nested saddle: {e}")),
            })?;
        let u = res
            .state
            .best_param
            .clone()
            .ok_or_else(|| Error::Domain("nested saddle: no parameter found".into()))?;
        let q: Vec<f64> = u.iter().map(|x| x.exp()).collect();
        let action = self.nested_action(input, &q)?;
        // stationarity check by central differences in ln Q_l
        let h: f64 = 1e-5;
        let mut residual = 0.0f64;
        for k in 0..l {
            let mut up = q.clone();
            let mut dn = q.clone();
            up[k] *= h.exp();
            dn[k] *= (-h).exp();
            let d = (self.nested_action(input, &up)? - self.nested_action(input, &dn)?) / (2.0 * h);
            residual = residual.max(d.abs());
        }
        if residual.is_nan() || residual >= 1e-6 {
            return Err(Error::NotConverged {
                what: "nested deep saddle (L-BFGS on ln Q)".into(),
                iterations: iters as usize,
                residual,
                tolerance: 1e-6,
            });
        }
        let g = self.nested_kernel(input, &q)?;
        let eg = EigenGram::new(&g)?;
        Ok(NestedSaddle {
            q_layers: q,
            action,
            residual,
            prediction: eg.predict(1.0, self.temperature),
        })
    }
}
