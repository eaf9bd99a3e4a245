//! Exact loss Hessians of finite random shallow networks (docs/models/hessian.md).
//!
//! Network and data exactly as the FIM sampler ([`NetworkSampler`], NTK parameterisation, both layers
//! trained): `f(x) = v·φ(Wx/√d)/√N`, `W_ik ~ N(0, σ_w²)`, `v` Gaussian with `|v|² = N σ_v²`, inputs
//! uniform on the sphere of radius `√d`; parameters `θ = (W, v)` ordered `W_ik ↦ i d + k`,
//! `v_i ↦ N d + i` (`P = N d + N`). Residuals `r_μ = f(x_μ) − y_μ` are drawn i.i.d. `N(0, 2ε_net)`
//! (targets `y_μ = f(x_μ) − r_μ`), so the loss `ℓ = (1/2n) Σ r_μ²` has expectation `ε_net`.
//!
//! The Hessian of `ℓ` is built with exact second derivatives, `H = H₀ + H₁`:
//!
//! ```text
//! H₀ = JᵀJ/n,   J_{μ, ik} = v_i φ'(h_iμ) x_kμ/√(dN),   J_{μ, v_i} = φ(h_iμ)/√N,   h = Wx/√d
//! H₁ = (1/n) Σ_μ r_μ ∇²f(x_μ):
//!     ∂²f/∂W_ik∂W_jl = δ_ij v_i φ''(h_i) x_k x_l/(d√N),  ∂²f/∂W_ik∂v_j = δ_ij φ'(h_i) x_k/√(dN),
//!     ∂²f/∂v∂v = 0
//! ```
//!
//! (`H₁`'s first-layer block is block diagonal, one `d × d` block `X diag(c_i) Xᵀ` per neuron), and
//! diagonalised densely. A draw returns the eigenvalues of `P·H` (or of `P·H₀`, `P·H₁`, see
//! [`Part`]), whose scale is O(1).
//!
//! **Units.** With spherical inputs `h_iμ ~ N(0, σ_w²)` exactly, so `E tr(P H₀)/P = σ = η + σ_v² η'`
//! (`η = E φ²`, `η' = E φ'²`; the FIM's mean eigenvalue) and, the residuals being independent and
//! centred, `E tr((P H₁)²)/P = 2 ε_net φ κ`, `κ = σ_v² E φ''² + 2η'`, `φ = P/n`: both exact at every
//! size. The residual variance is set so that the Wigner part of the Pennington–Bahri law at loss `ε`
//! has the network's second moment: `2ε σ² = 2 ε_net φ κ`, i.e. `ε_net = ε σ²/(φ κ)`.

use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::models::fim::{Activation, Inputs, NetworkSampler, Trained};
use crate::rng::{normals, Rng};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use serde::{Deserialize, Serialize};

/// Largest parameter count `P` of a sampled network (dense `P × P` eigendecomposition).
pub const MAX_PARAMETERS: usize = 8_000;

/// Which part of the Hessian a draw returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// `H = H₀ + H₁`.
    Full,
    /// The Gauss–Newton part `H₀ = JᵀJ/n` (the Fisher information).
    GaussNewton,
    /// The residual part `H₁ = (1/n) Σ r_μ ∇²f(x_μ)`.
    Residual,
}

/// `φ''(x)` of a built-in activation (0 almost everywhere for the piecewise-linear ones, whose exact
/// Hessian has no second-derivative term off a null set); `None` for a custom activation.
pub fn second_derivative(act: &Activation, x: f64) -> Option<f64> {
    match act {
        Activation::Linear | Activation::Relu | Activation::Crelu | Activation::Absc => Some(0.0),
        Activation::Tanh => {
            let t = x.tanh();
            Some(-2.0 * t * (1.0 - t * t))
        }
        Activation::Erf => Some(-4.0 / std::f64::consts::PI.sqrt() * x * (-x * x).exp()),
        Activation::Custom(_) => None,
    }
}

/// Sampler of exact loss Hessians of random shallow networks (module docs).
#[derive(Debug, Clone)]
pub struct HessianSampler {
    #[doc(hidden)]
    pub net: NetworkSampler,
    loss: f64,
    part: Part,
    scale: f64,
    curvature: f64,
}

/// One drawn network: inputs `X` (`d × n`), weights `W` (`N × d`), readout `v`, residuals `r`.
#[derive(Debug, Clone)]
pub struct Draw {
    /// Inputs, one column per data point.
    pub x: Mat<f64>,
    /// First-layer weights.
    pub w: Mat<f64>,
    /// Readout weights.
    pub v: Vec<f64>,
    /// Residuals `f(x_μ) − y_μ`.
    pub r: Vec<f64>,
}

impl HessianSampler {
    /// A validated sampler: sizes `n, d, N >= 1` with `P = N(d + 1) <= 8000` and `n <= 100000`;
    /// `σ_w², σ_v² > 0`; loss `ε` in `[0, 1e6]` (in the law's units, module docs; `ε > 0` for
    /// [`Part::Residual`]); a built-in activation (the second derivative is needed).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        n: usize,
        d: usize,
        width: usize,
        activation: Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        loss: f64,
        part: Part,
    ) -> Result<Self> {
        check::count("n", n, 1, 100_000)?;
        check::count("d", d, 1, MAX_PARAMETERS)?;
        check::count("width", width, 1, MAX_PARAMETERS)?;
        let p = width.saturating_mul(d + 1);
        if p > MAX_PARAMETERS {
            return Err(Error::param(
                "width",
                width,
                &format!("a parameter count N(d + 1) <= {MAX_PARAMETERS} (dense Hessian); got {p}"),
            ));
        }
        check::positive("sigma_w2", sigma_w2)?;
        check::positive("sigma_v2", sigma_v2)?;
        let loss = check::in_range("loss", loss, 0.0, 1e6)?;
        if part == Part::Residual && loss == 0.0 {
            return Err(Error::param(
                "loss",
                loss,
                "> 0 for --part residual (H₁ = 0 at zero loss)",
            ));
        }
        if second_derivative(&activation, 0.0).is_none() {
            return Err(Error::param(
                "activation",
                activation.name(),
                "a built-in activation (linear, tanh, erf, relu, crelu, absc): the Hessian needs φ''",
            ));
        }
        let g = activation.constants(sigma_w2, sigma_v2)?;
        let scale = g.eta + sigma_v2 * g.eta_p;
        let act2 = activation.clone();
        let e2 = crate::numerics::quad::gaussian_expectation(
            |h| second_derivative(&act2, h).unwrap_or(0.0).powi(2),
            sigma_w2.sqrt(),
        );
        let curvature = sigma_v2 * e2 + 2.0 * g.eta_p;
        if !(scale > 0.0 && curvature > 0.0) {
            return Err(Error::Domain(format!(
                "activation {}: degenerate Hessian constants (σ = {scale}, κ = {curvature})",
                activation.name()
            )));
        }
        let net = NetworkSampler {
            n,
            d,
            width,
            activation,
            sigma_w2,
            sigma_v2,
            trained: Trained::Both,
            inputs: Inputs::Spherical,
            normalize_readout: true,
            remove_top: 0,
        };
        let s = HessianSampler {
            net,
            loss,
            part,
            scale,
            curvature,
        };
        crate::budget::check("Hessian sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }

    /// Parameter count `P = N d + N`.
    pub fn parameter_count(&self) -> usize {
        self.net.width * (self.net.d + 1)
    }

    /// `φ = P/n`.
    pub fn phi(&self) -> f64 {
        self.parameter_count() as f64 / self.net.n as f64
    }

    /// `σ = η + σ_v² η'`: the exact mean eigenvalue of `P H₀`.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// `κ = σ_v² E φ''² + 2η'`: `E‖∇²f(x)‖_F² ` at one input.
    pub fn curvature(&self) -> f64 {
        self.curvature
    }

    /// The loss level `ε` in the law's units.
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// The part returned by a draw.
    pub fn part(&self) -> Part {
        self.part
    }

    /// The network's expected loss `ε_net = ε σ²/(φ κ)` (module docs).
    pub fn network_loss(&self) -> f64 {
        self.loss * self.scale * self.scale / (self.phi() * self.curvature)
    }

    /// The underlying network sampler (sizes, activation, weight variances).
    pub fn network(&self) -> &NetworkSampler {
        &self.net
    }

    /// Draw a network and its residuals (inputs, weights, readout as [`NetworkSampler::draw`], then the
    /// residuals, from the same stream).
    pub fn draw(&self, rng: &mut Rng) -> Draw {
        let (x, w, v) = self.net.draw(rng);
        let sr = (2.0 * self.network_loss()).sqrt();
        let r = normals(rng, self.net.n)
            .into_iter()
            .map(|z| sr * z)
            .collect();
        Draw { x, w, v, r }
    }

    /// The `P × P` matrix `H₀`, `H₁` or `H₀ + H₁` of a drawn network (unscaled; module docs).
    pub fn hessian(&self, dr: &Draw, part: Part) -> Mat<f64> {
        let (n, d, nn) = (self.net.n, self.net.d, self.net.width);
        let p = self.parameter_count();
        let act = &self.net.activation;
        let (sd, sn) = ((d as f64).sqrt(), (nn as f64).sqrt());
        let mut h = Mat::<f64>::zeros(nn, n);
        matmul(h.as_mut(), Accum::Replace, &dr.w, &dr.x, 1.0 / sd, Par::Seq);
        let mut hm = Mat::<f64>::zeros(p, p);
        if part != Part::Residual {
            let mut j = Mat::<f64>::zeros(n, p);
            for i in 0..nn {
                for mu in 0..n {
                    j[(mu, nn * d + i)] = act.eval(h[(i, mu)]) / sn;
                }
                for k in 0..d {
                    for mu in 0..n {
                        j[(mu, i * d + k)] =
                            dr.v[i] * act.deriv(h[(i, mu)]) * dr.x[(k, mu)] / (sd * sn);
                    }
                }
            }
            matmul(
                hm.as_mut(),
                Accum::Replace,
                j.transpose(),
                &j,
                1.0 / n as f64,
                Par::Seq,
            );
        }
        if part != Part::GaussNewton && dr.r.iter().any(|&t| t != 0.0) {
            let inv = 1.0 / n as f64;
            for i in 0..nn {
                // first-layer block of neuron i: X diag(c) Xᵀ, c_μ = r_μ v_i φ''(h_iμ)/(n d √N)
                let c: Vec<f64> = (0..n)
                    .map(|mu| {
                        dr.r[mu] * dr.v[i] * second_derivative(act, h[(i, mu)]).unwrap_or(0.0) * inv
                            / (d as f64 * sn)
                    })
                    .collect();
                if c.iter().any(|&t| t != 0.0) {
                    let xc = Mat::<f64>::from_fn(d, n, |k, mu| dr.x[(k, mu)] * c[mu]);
                    let mut b = Mat::<f64>::zeros(d, d);
                    matmul(
                        b.as_mut(),
                        Accum::Replace,
                        &xc,
                        dr.x.transpose(),
                        1.0,
                        Par::Seq,
                    );
                    for l in 0..d {
                        for k in 0..d {
                            hm[(i * d + k, i * d + l)] += b[(k, l)];
                        }
                    }
                }
                // coupling W_i·–v_i: (1/n) Σ_μ r_μ φ'(h_iμ) x_kμ/√(dN)
                let e: Vec<f64> = (0..n)
                    .map(|mu| dr.r[mu] * act.deriv(h[(i, mu)]) * inv / (sd * sn))
                    .collect();
                for k in 0..d {
                    let s: f64 = (0..n).map(|mu| e[mu] * dr.x[(k, mu)]).sum();
                    hm[(i * d + k, nn * d + i)] += s;
                    hm[(nn * d + i, i * d + k)] += s;
                }
            }
        }
        hm
    }

    /// Sorted eigenvalues of `P·H` (the sampler's part) of a drawn network.
    pub fn spectrum_of(&self, dr: &Draw) -> Result<Vec<f64>> {
        let p = self.parameter_count();
        let hm = self.hessian(dr, self.part);
        let scale = p as f64;
        let mut a = vec![0.0; p * p];
        for j in 0..p {
            for i in j..p {
                a[i + j * p] = scale * hm[(i, j)];
            }
        }
        let mut ev = crate::numerics::linalg::eigvalsh(&a, p)?;
        // H₀ ⪰ 0 has rank <= n: for P > n its P − n smallest eigenvalues are structural zeros
        // (rounding noise around 0, half of it negative), set to 0 as in the FIM sampler
        if self.part == Part::GaussNewton {
            let zeros = p.saturating_sub(self.net.n);
            ev.iter_mut().take(zeros).for_each(|e| *e = 0.0);
        }
        Ok(ev)
    }
}

impl Sampler for HessianSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        let net = &self.net;
        serde_json::json!({
            "network": "f(x) = v·φ(Wx/√d)/√N, both layers; spherical inputs, |v|² = N σ_v²",
            "n": net.n, "d": net.d, "width": net.width,
            "parameters": self.parameter_count(),
            "phi": self.phi(),
            "activation": net.activation.name(),
            "sigma_w2": net.sigma_w2, "sigma_v2": net.sigma_v2,
            "part": self.part,
            "loss_law_units": self.loss,
            "network_loss_expected": self.network_loss(),
            "residuals": "r_μ ~ N(0, 2 ε_net) i.i.d., targets y = f(x) − r",
            "scale_sigma": self.scale,
            "curvature_kappa": self.curvature,
            "matrix": "P·H (P × P), exact second derivatives",
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let dr = self.draw(rng);
        self.spectrum_of(&dr)
    }
    /// `X` (`d n`), `W` (`N d`), pre-activations (`N n`), the Jacobian (`n P`), `H` and its lower copy
    /// (`P²` each), the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let (n, d, nn) = (self.net.n, self.net.d, self.net.width);
        let p = self.parameter_count();
        f64s(
            2 * elements(&[d, n])
                + elements(&[nn, d])
                + elements(&[nn, n])
                + elements(&[n, p])
                + 2 * elements(&[p, p]),
        )
        .saturating_add(eigen_bytes(p))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.parameter_count() as u128)
    }
}
