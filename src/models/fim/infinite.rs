//! Infinite-width limits (docs/models/fim.md (F21, F22, F7)) and the parameter-space view of any
//! dual law.
//!
//! * [`InfiniteWidthFim`] (F21): `N → ∞` first, then `n, d → ∞` with `α = n/d`. The kernel tends to the
//!   deterministic NTK Gram `μ0² 1 1ᵀ + c_lin XᵀX/d + c0 I_n` (El Karoui's linearisation), whose bulk is
//!   the affine Marchenko–Pastur law `c0 + c_lin MP(α)`, atom `(1 - 1/α)₊` at `c0`, edges
//!   `c0 + c_lin (1 ± √α)²`; `c_lin = μ1²(σ_w² + σ_v²)`, `c0 = μ*² + c` (both layers);
//!   readout: `c_lin = a²`, `c0 = μ*²`; first layer: `c_lin = σ_v² μ1²`, `c0 = c`.
//!   Outlier (F19): `λ_top ≈ n μ0² + m1 + α b2`.
//! * [`KarakidaStats`] (F22): the FIM eigenvalue statistics of Karakida, Akaho & Amari for `T` fixed
//!   samples in the standard parameterisation, re-derived for one hidden layer:
//!   `κ1' = N η + d σ_v² η'`, `κ2' = N μ0²`, `λ_max = (κ1' + (T-1) κ2')/T`, the other `T - 1` nonzero
//!   eigenvalues `(κ1' - κ2')/T`, `m_λ = κ1'/p`, `s_λ = (κ1'² + (T-1) κ2'²)/(T p)`, zero mass `1 - T/p`.
//! * [`ParameterSpace`] (F7): the `p × p` law of `J ᵀJ = n F` from the dual law of `Θ`:
//!   `μ = (n/p) μ_Θ + (1 - n/p) δ_0`, `g(z) = (n/p) g_Θ(z) - (1 - n/p)/z`.

use super::activation::GaussianConstants;
use super::sampler::Trained;
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::mp::MarchenkoPastur;
use num_complex::Complex64 as C64;

/// The infinite-width (F21) affine-MP law of the dual Gram bulk.
#[derive(Debug, Clone)]
pub struct InfiniteWidthFim {
    alpha: f64,
    consts: GaussianConstants,
    trained: Trained,
    c_lin: f64,
    c0: f64,
    mp: MarchenkoPastur,
}

impl InfiniteWidthFim {
    /// `alpha = n/d` in `[1e-4, 1e4]`.
    pub fn new(alpha: f64, consts: GaussianConstants, trained: Trained) -> Result<Self> {
        let alpha = check::in_range("alpha (n/d)", alpha, 1e-4, 1e4)?;
        let g = &consts;
        let (c_lin, c0) = match trained {
            Trained::Both => (g.mu1 * g.mu1 * (g.sigma_w2 + g.sigma_v2), g.mu_star2 + g.c),
            Trained::Readout => (g.a * g.a, g.mu_star2),
            Trained::First => (g.sigma_v2 * g.mu1 * g.mu1, g.c),
        };
        if c_lin <= 0.0 {
            return Err(Error::Domain(format!(
                "infinite-width law of `{}` ({trained:?}) is a point mass at {c0}: no linear component (mu1 = 0 or sigma_v2 = 0)",
                g.activation
            )));
        }
        Ok(InfiniteWidthFim {
            mp: MarchenkoPastur::new(alpha, c_lin)?,
            alpha,
            consts,
            trained,
            c_lin,
            c0,
        })
    }
    /// `(c_lin, c0)`.
    pub fn coefficients(&self) -> (f64, f64) {
        (self.c_lin, self.c0)
    }
    /// Predicted outlier `n μ0² + m1 + α b2` (F19), for `n` data points.
    pub fn outlier(&self, n: usize) -> f64 {
        let g = &self.consts;
        let b2 = match self.trained {
            Trained::Readout => g.sigma_w2 * g.sigma_w2 * g.e_phi2 * g.e_phi2 / 2.0,
            _ => g.b2,
        };
        n as f64 * g.mu0 * g.mu0 + self.moments()[0] + self.alpha * b2
    }
}

impl SpectralModel for InfiniteWidthFim {
    fn name(&self) -> String {
        self.trained.model_name()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "infinite-width", "trained": self.trained, "alpha_n_over_d": self.alpha,
            "constants": self.consts.summary(), "c_lin": self.c_lin, "c0": self.c0,
            "scale": "eigenvalues of the dual Gram Θ = J Jᵀ (n × n), μ0² spike excluded; FIM = Θ/n",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        self.mp.stieltjes(z - self.c0)
    }
    fn density(&self, x: f64) -> Result<f64> {
        self.mp.density(check::finite("x", x)? - self.c0)
    }
    fn support(&self) -> Result<Support> {
        let s = self.mp.support()?;
        Ok(Support {
            components: s
                .components
                .iter()
                .map(|c| (c.0 + self.c0, c.1 + self.c0))
                .collect(),
            atoms: s.atoms.iter().map(|a| (a.0 + self.c0, a.1)).collect(),
        })
    }
    fn moments(&self) -> Vec<f64> {
        let (c, s) = (self.c0, self.c_lin);
        vec![c + s, c * c + 2.0 * c * s + s * s * (1.0 + self.alpha)]
    }
}

/// Karakida–Akaho–Amari statistics of the empirical FIM with `T` samples (F22), standard
/// parameterisation, both layers, zero-mean inputs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KarakidaStats {
    /// Number of parameters `p = N d + N`.
    pub parameters: f64,
    /// `κ1' = N η + d σ_v² η'`.
    pub kappa1: f64,
    /// `κ2' = N μ0²`.
    pub kappa2: f64,
    /// Largest eigenvalue `(κ1' + (T-1) κ2')/T`.
    pub lambda_max: f64,
    /// The other `T - 1` nonzero eigenvalues, `(κ1' - κ2')/T`.
    pub lambda_bulk: f64,
    /// Mean eigenvalue `m_λ = κ1'/p`.
    pub mean: f64,
    /// Second moment `s_λ = (κ1'² + (T-1) κ2'²)/(T p)`.
    pub second_moment: f64,
    /// Mass at zero `1 - T/p`.
    pub zero_mass: f64,
    /// `T → ∞` limits of `λ_max` (`κ2'`) and `s_λ` (`κ2'²/p`).
    pub lambda_max_population: f64,
    /// `T → ∞` limit of `s_λ`.
    pub second_moment_population: f64,
}

impl KarakidaStats {
    /// Statistics for width `N`, input dimension `d`, `T` samples (`T <= p`).
    pub fn new(width: usize, d: usize, samples: usize, consts: &GaussianConstants) -> Result<Self> {
        check::count("width", width, 1, usize::MAX / 2)?;
        check::count("d", d, 1, usize::MAX / 2)?;
        let (nn, dd) = (width as f64, d as f64);
        let p = nn * dd + nn;
        check::count("samples", samples, 1, p as usize)?;
        let t = samples as f64;
        let g = consts;
        let k1 = nn * g.eta + dd * g.sigma_v2 * g.eta_p;
        let k2 = nn * g.mu0 * g.mu0;
        Ok(KarakidaStats {
            parameters: p,
            kappa1: k1,
            kappa2: k2,
            lambda_max: (k1 + (t - 1.0) * k2) / t,
            lambda_bulk: (k1 - k2) / t,
            mean: k1 / p,
            second_moment: (k1 * k1 + (t - 1.0) * k2 * k2) / (t * p),
            zero_mass: 1.0 - t / p,
            lambda_max_population: k2,
            second_moment_population: k2 * k2 / p,
        })
    }
}

/// The `p × p` parameter-space law of `Jᵀ J = n F` built from a dual law of `Θ` (F7).
pub struct ParameterSpace {
    #[doc(hidden)]
    pub dual: Box<dyn SpectralModel>,
    n: f64,
    p: f64,
}

impl ParameterSpace {
    /// `n` data points, `p` parameters (`n <= p`).
    pub fn new(dual: Box<dyn SpectralModel>, n: usize, p: usize) -> Result<Self> {
        check::count("n", n, 1, p)?;
        Ok(ParameterSpace {
            dual,
            n: n as f64,
            p: p as f64,
        })
    }
    fn r(&self) -> f64 {
        self.n / self.p
    }
}

impl SpectralModel for ParameterSpace {
    fn name(&self) -> String {
        format!("{}-parameter", self.dual.name())
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "dual": self.dual.params(), "n": self.n, "parameters": self.p,
            "space": "parameter: law of Jᵀ J = n F (p × p); FIM eigenvalues = these / n",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        Ok(self.dual.stieltjes(z)? * self.r() - (1.0 - self.r()) / z)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.r() * self.dual.density(x)?)
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        Ok(self
            .dual
            .density_many(xs)?
            .into_iter()
            .map(|d| d * self.r())
            .collect())
    }
    fn support(&self) -> Result<Support> {
        let s = self.dual.support()?;
        let r = self.r();
        let mut atoms: Vec<(f64, f64)> = s.atoms.iter().map(|a| (a.0, a.1 * r)).collect();
        match atoms.iter_mut().find(|a| a.0 == 0.0) {
            Some(a) => a.1 += 1.0 - r,
            None => atoms.insert(0, (0.0, 1.0 - r)),
        }
        Ok(Support {
            components: s.components,
            atoms,
        })
    }
    fn moments(&self) -> Vec<f64> {
        self.dual.moments().iter().map(|m| m * self.r()).collect()
    }
}
