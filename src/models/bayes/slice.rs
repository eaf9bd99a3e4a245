//! Exact posterior sampler of a real one-hidden-layer network (docs/models/bayes.md, "Samplers").
//!
//! The readout `v ~ N(0, sigma_1^2)` is integrated analytically: given the first layer `W`,
//! `y ~ N(0, T + sigma_1^2 F F^T / N1)`, `F = phi(X W^T / sqrt(N0))`. `W` (Gaussian prior
//! `N(0, sigma_0^2)`) is sampled with elliptical slice sampling (Murray, Adams & MacKay 2010), which is
//! exact for a Gaussian prior and needs no tuning. Per kept iteration the Rao–Blackwellised GP predictor
//! with the empirical kernel is recorded, and the order parameter
//! `E[|v|^2/N1 | W, y] = sigma_1^2 [N1 - P + T tr(A^{-1}) + y^T A^{-1} y - T |A^{-1} y|^2] / N1`
//! (`A = T + sigma_1^2 F F^T/N1`), whose saddle-point value is `q* = sigma_1^2 Q*`.

use super::data::Dataset;
use super::kernels::Activation;
use super::posterior::Trace;
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::rng::{normals, Rng};
use nalgebra::{DMatrix, DVector};
use rand::RngExt;

/// Elliptical-slice sampler of the first-layer weights of a one-hidden-layer network.
#[derive(Debug, Clone)]
pub struct OneHiddenSlice {
    /// Activation.
    pub activation: Activation,
    /// Hidden width `N1`.
    pub width: usize,
    /// First-layer and readout variances.
    pub sigma0_sq: f64,
    /// Readout variance.
    pub sigma1_sq: f64,
    /// Temperature `T > 0`.
    pub temperature: f64,
    /// Data (single output).
    pub data: Dataset,
    /// Kept iterations per chain.
    pub sweeps: usize,
    /// Discarded iterations.
    pub burn_in: usize,
}

struct Eval {
    ll: f64,
    f: DMatrix<f64>,
}

impl OneHiddenSlice {
    /// Validated constructor.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        activation: Activation,
        width: usize,
        sigma0_sq: f64,
        sigma1_sq: f64,
        temperature: f64,
        data: Dataset,
        sweeps: usize,
        burn_in: usize,
    ) -> Result<Self> {
        data.validate()?;
        if data.d() != 1 {
            return Err(Error::InvalidData(format!(
                "the 1HL sampler is single-output; data have D = {}",
                data.d()
            )));
        }
        check::count("width", width, 1, 100_000)?;
        check::positive("sigma0^2", sigma0_sq)?;
        check::positive("sigma1^2", sigma1_sq)?;
        check::positive("temperature", temperature)?;
        super::check_sweeps(sweeps, burn_in)?;
        let s = OneHiddenSlice {
            activation,
            width,
            sigma0_sq,
            sigma1_sq,
            temperature,
            data,
            sweeps,
            burn_in,
        };
        crate::budget::check(
            "slice sampling (one chain)",
            s.memory_per_draw().saturating_add(s.output_bytes()),
        )?;
        Ok(s)
    }

    fn features(&self, x: &DMatrix<f64>, w: &DMatrix<f64>) -> DMatrix<f64> {
        let s = 1.0 / (self.data.n0() as f64).sqrt();
        (x * w.transpose() * s).map(|h| self.activation.phi(h))
    }

    fn evaluate(&self, w: &DMatrix<f64>) -> Result<(Eval, nalgebra::Cholesky<f64, nalgebra::Dyn>)> {
        let f = self.features(&self.data.x, w);
        let mut a = &f * f.transpose() * (self.sigma1_sq / self.width as f64);
        for i in 0..a.nrows() {
            a[(i, i)] += self.temperature;
        }
        let ch = crate::numerics::linalg::cholesky(a, "T + sigma1^2 F F^T / N1")?;
        let y = self.data.y.column(0).into_owned();
        let logdet = 2.0 * ch.l().diagonal().iter().map(|x| x.ln()).sum::<f64>();
        let ll = -0.5 * (logdet + y.dot(&ch.solve(&y)));
        Ok((Eval { ll, f }, ch))
    }

    /// Run one chain from a prior draw.
    pub fn run_chain(&self, rng: &mut Rng) -> Result<Trace> {
        let (n1, n0) = (self.width, self.data.n0());
        let sd = self.sigma0_sq.sqrt();
        let draw = |rng: &mut Rng| DMatrix::from_vec(n1, n0, normals(rng, n1 * n0)) * sd;
        let mut w = draw(rng);
        let (mut cur, _) = self.evaluate(&w)?;
        let mut ch;
        let mut trace = Trace::default();
        let y = self.data.y.column(0).into_owned();
        let (p, t, s1) = (self.data.p() as f64, self.temperature, self.sigma1_sq);
        for it in 0..self.burn_in + self.sweeps {
            let nu = draw(rng);
            let u: f64 = rng.random();
            let log_y = cur.ll + (1.0 - u).ln();
            let mut theta = rng.random::<f64>() * std::f64::consts::TAU;
            let (mut lo, mut hi) = (theta - std::f64::consts::TAU, theta);
            let mut shrinks = 0;
            loop {
                let prop = &w * theta.cos() + &nu * theta.sin();
                let (e, c) = self.evaluate(&prop)?;
                if e.ll > log_y {
                    w = prop;
                    cur = e;
                    ch = c;
                    break;
                }
                if theta < 0.0 {
                    lo = theta;
                } else {
                    hi = theta;
                }
                theta = lo + (hi - lo) * rng.random::<f64>();
                shrinks += 1;
                if shrinks > 200 {
                    return Err(Error::NotConverged {
                        what: "elliptical slice sampling (bracket shrink)".into(),
                        iterations: shrinks,
                        residual: hi - lo,
                        tolerance: 0.0,
                    });
                }
            }
            if it < self.burn_in {
                continue;
            }
            let ft = self.features(&self.data.xt, &w);
            let sc = s1 / n1 as f64;
            let k0 = &ft * cur.f.transpose() * sc; // Pt x P
            let alpha: DVector<f64> = ch.solve(&y);
            let means: Vec<f64> = (&k0 * &alpha).iter().copied().collect();
            let sol = ch.solve(&k0.transpose());
            let vars = (0..k0.nrows())
                .map(|k| {
                    (ft.row(k).norm_squared() * sc - k0.row(k).dot(&sol.column(k).transpose()))
                        .max(0.0)
                })
                .collect();
            let ainv = ch.inverse();
            let q = s1
                * (n1 as f64 - p + t * ainv.trace() + y.dot(&alpha) - t * alpha.norm_squared())
                / n1 as f64;
            trace.means.push(means);
            trace.vars.push(vars);
            trace.q.push(q);
        }
        Ok(trace)
    }
}

impl Sampler for OneHiddenSlice {
    type Output = Trace;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "sampler": "elliptical slice on first layer, readout integrated out, Rao-Blackwellised predictor",
            "activation": self.activation, "width": self.width, "sigma0_sq": self.sigma0_sq, "sigma1_sq": self.sigma1_sq,
            "temperature": self.temperature, "P": self.data.p(), "N0": self.data.n0(),
            "sweeps": self.sweeps, "burn_in": self.burn_in,
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Trace> {
        self.run_chain(rng)
    }
    /// First-layer weights (current, proposal, auxiliary: `N₁ N₀` each), features at train and test
    /// inputs (`(P + Pt) N₁`, twice) and the `P x P` kernel with its Cholesky factor.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{elements, f64s};
        let pp = self.data.p() + self.data.xt.nrows();
        f64s(
            3 * elements(&[self.width, self.data.n0()])
                + 2 * elements(&[pp, self.width])
                + 3 * elements(&[pp, pp]),
        )
    }
    fn output_bytes(&self) -> u64 {
        super::trace_bytes(self.sweeps, self.data.xt.nrows())
    }
}
