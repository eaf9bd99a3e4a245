//! Exact Gibbs sampler of the weight posterior of a real deep linear network (docs/models/bayes.md,
//! "Samplers").
//!
//! Every layer's conditional is Gaussian. Writing `f(X) = c A W B` with `c = 1/sqrt(N0 N1 ... N_L)`,
//! `A = W^(L)...W^(l+1)` (`D x N_{l+1}`, identity for the readout) and `B = W^(l-1)...W^(0) X^T`
//! (`N_l x P`), a draw from `W^(l) | rest` is obtained by pathwise conditioning (Matheron's rule):
//! `W0 ~ N(0, s2)`, `eps ~ N(0, T)`, `R = Y^T - c A W0 B - eps`,
//! `Z = Ua [(Ua^T R Ub) ./ (s2 c^2 sa sb^T + T)] Ub^T` with `A A^T = Ua diag(sa) Ua^T`,
//! `B^T B = Ub diag(sb) Ub^T`, and `W^(l) = W0 + s2 c A^T Z B^T`. No discretisation error.
//! The readout is Rao–Blackwellised: given the last hidden representation `H`, the test outputs are a GP
//! with the empirical kernel `c^2 s2_L H^T H` (F25 with that kernel). The order parameter recorded is
//! `Q = M M^T` with `M = c sqrt(N0) W^(L)...W^(1)` (F1), i.e. `q` for one output and `Q_11` otherwise.

use super::data::Dataset;
use super::dln::BayesDln;
use super::posterior::Trace;
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::rng::{normals, Rng};
use nalgebra::{DMatrix, SymmetricEigen};

/// Gibbs sampler configuration: network, data, first-layer variance, sweeps and burn-in per chain.
#[derive(Debug, Clone)]
pub struct DlnGibbs {
    /// The network (widths, variances, temperature > 0).
    pub model: BayesDln,
    /// Training and test data (real inputs).
    pub data: Dataset,
    /// First-layer weight variance `sigma_0^2`.
    pub sigma0_sq: f64,
    /// Sweeps kept per chain.
    pub sweeps: usize,
    /// Sweeps discarded at the start of each chain.
    pub burn_in: usize,
}

fn gaussian(rng: &mut Rng, r: usize, c: usize, sd: f64) -> DMatrix<f64> {
    DMatrix::from_vec(r, c, normals(rng, r * c)) * sd
}

impl DlnGibbs {
    /// Validated constructor (`T > 0`, `sweeps >= 10`).
    pub fn new(
        model: BayesDln,
        data: Dataset,
        sigma0_sq: f64,
        sweeps: usize,
        burn_in: usize,
    ) -> Result<Self> {
        data.validate()?;
        check::positive("sigma0^2", sigma0_sq)?;
        if model.temperature <= 0.0 {
            return Err(Error::param(
                "temperature",
                model.temperature,
                "> 0 for posterior sampling",
            ));
        }
        super::check_sweeps(sweeps, burn_in)?;
        let g = DlnGibbs {
            model,
            data,
            sigma0_sq,
            sweeps,
            burn_in,
        };
        crate::budget::check(
            "Gibbs sampling (one chain)",
            g.memory_per_draw().saturating_add(g.output_bytes()),
        )?;
        Ok(g)
    }

    fn dims(&self) -> Vec<usize> {
        // n[0] = N0, n[1..=L] = hidden widths, n[L+1] = D
        let mut n = vec![self.data.n0()];
        n.extend(&self.model.widths);
        n.push(self.data.d());
        n
    }

    fn variances(&self) -> Vec<f64> {
        let mut s = vec![self.sigma0_sq];
        s.extend(&self.model.sigma2);
        s
    }

    /// Run one chain from a prior draw.
    pub fn run_chain(&self, rng: &mut Rng) -> Result<Trace> {
        let n = self.dims();
        let s2 = self.variances();
        let layers = n.len() - 1; // weight matrices W^(0..=L)
        let t = self.model.temperature;
        let c = 1.0
            / n[..layers]
                .iter()
                .map(|&k| k as f64)
                .product::<f64>()
                .sqrt();
        let d = self.data.d();
        let xt = self.data.x.transpose(); // N0 x P
        let xtt = self.data.xt.transpose(); // N0 x Pt
        let yt = self.data.y.transpose(); // D x P
        let mut w: Vec<DMatrix<f64>> = (0..layers)
            .map(|l| gaussian(rng, n[l + 1], n[l], s2[l].sqrt()))
            .collect();
        let mut trace = Trace::default();
        for sweep in 0..self.burn_in + self.sweeps {
            // suffix products A_l = W^(L) ... W^(l+1)
            let mut a: Vec<DMatrix<f64>> = vec![DMatrix::identity(d, d); layers];
            for l in (0..layers - 1).rev() {
                a[l] = &a[l + 1] * &w[l + 1];
            }
            let mut b = xt.clone();
            for l in 0..layers {
                let w0 = gaussian(rng, n[l + 1], n[l], s2[l].sqrt());
                let eps = gaussian(rng, d, b.ncols(), t.sqrt());
                let r = &yt - (&a[l] * &w0 * &b) * c - eps;
                let ea = SymmetricEigen::new(&a[l] * a[l].transpose());
                let eb = SymmetricEigen::new(b.transpose() * &b);
                let mut z = ea.eigenvectors.transpose() * r * &eb.eigenvectors;
                for i in 0..z.nrows() {
                    for j in 0..z.ncols() {
                        let sa = ea.eigenvalues[i].max(0.0);
                        let sb = eb.eigenvalues[j].max(0.0);
                        z[(i, j)] /= s2[l] * c * c * sa * sb + t;
                    }
                }
                let z = &ea.eigenvectors * z * eb.eigenvectors.transpose();
                w[l] = w0 + (a[l].transpose() * z * b.transpose()) * (s2[l] * c);
                if l + 1 < layers {
                    b = &w[l] * b;
                }
            }
            if sweep < self.burn_in {
                continue;
            }
            // Rao–Blackwellised readout: b = H (N_L x P) with the updated weights
            let mut ht = xtt.clone();
            for wl in &w[..layers - 1] {
                ht = wl * ht;
            }
            let scale = c * c * s2[layers - 1];
            let mut kmat = b.transpose() * &b * scale;
            for i in 0..kmat.nrows() {
                kmat[(i, i)] += t;
            }
            let chol = crate::numerics::linalg::cholesky(kmat, "T + K (empirical kernel)")?;
            let k0 = ht.transpose() * &b * scale; // Pt x P
            let alpha = chol.solve(&self.data.y); // P x D
            let mvec = &k0 * alpha; // Pt x D
            let sol = chol.solve(&k0.transpose()); // P x Pt
            let pt = k0.nrows();
            let mut means = Vec::with_capacity(pt * d);
            let mut vars = Vec::with_capacity(pt);
            for ti in 0..pt {
                for k in 0..d {
                    means.push(mvec[(ti, k)]);
                }
                let k00 = ht.column(ti).norm_squared() * scale;
                vars.push((k00 - k0.row(ti).dot(&sol.column(ti).transpose())).max(0.0));
            }
            // order parameter Q = M M^T, M = c sqrt(N0) W^(L) ... W^(1)
            let mut m = w[layers - 1].clone();
            for l in (1..layers - 1).rev() {
                m *= &w[l];
            }
            let q11 = m.row(0).norm_squared() * c * c * n[0] as f64;
            trace.means.push(means);
            trace.vars.push(vars);
            trace.q.push(q11);
        }
        Ok(trace)
    }
}

impl Sampler for DlnGibbs {
    type Output = Trace;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "sampler": "exact Gibbs (pathwise conditioning), readout Rao-Blackwellised",
            "widths": self.model.widths, "sigma2": self.model.sigma2, "sigma0_sq": self.sigma0_sq,
            "temperature": self.model.temperature, "P": self.data.p(), "N0": self.data.n0(), "D": self.data.d(),
            "sweeps": self.sweeps, "burn_in": self.burn_in,
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Trace> {
        self.run_chain(rng)
    }
    /// The weights (three copies per layer: current, proposal, product) and the data-sized work
    /// arrays (`P` and `Pt` times the widest layer, `P x P`).
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{elements, f64s};
        let n = self.dims();
        let wmax = n.iter().copied().max().unwrap_or(0);
        let pp = self.data.p() + self.data.xt.nrows();
        let w: u128 = n.windows(2).map(|k| elements(&[k[0], k[1]])).sum();
        f64s(3 * w + 4 * elements(&[pp, wmax]) + 3 * elements(&[pp, pp]))
    }
    /// The trace: per kept sweep, mean and variance at each test point and output (`Vec` headers
    /// included), and `q`.
    fn output_bytes(&self) -> u64 {
        super::trace_bytes(self.sweeps, self.data.xt.nrows() * self.data.d())
    }
}

/// Run `chains` independent chains in parallel (stream `(seed, chain)` each; thread-count independent).
pub fn run_chains<S: Sampler<Output = Trace>>(
    sampler: &S,
    chains: usize,
    seed: u64,
) -> Result<Vec<Trace>> {
    use rayon::prelude::*;
    check::count("chains", chains, 1, 1024)?;
    crate::model::check_sampler_budget(sampler, "posterior sampling", chains)?;
    (0..chains)
        .into_par_iter()
        .map(|k| sampler.sample(&mut crate::rng::stream(seed, k as u64)))
        .collect()
}
