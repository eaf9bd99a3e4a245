//! Activations and their Gaussian constants (docs/models/fim.md (F14, F19, F23)).
//!
//! For a pre-activation `h = σ_w z`, `z ~ N(0, 1)`, the spectral laws of random shallow networks depend on
//! the activation only through a handful of Gaussian expectations:
//!
//! ```text
//! μ0 = E φ(h),  μ1 = E φ'(h) = E[h φ(h)]/σ_w²,  a = σ_w μ1,
//! η  = E φ(h)²,  η' = E φ'(h)²,  μ*² = η - μ0² - a²,  c = σ_v² (η' - μ1²),
//! b2 = σ_w² (E φ''(h))² (σ_w²/2 + σ_v²)                                   (F19, outlier shift)
//! Hermite coefficients h_k = E[φ(σ_w z) He_k(z)],  b_k = h_k²/k!  (Σ_k b_k = η; F23)
//! ```
//!
//! Closed forms are used where they exist (linear, erf, ReLU and its centred/absolute-value variants);
//! smooth activations without closed forms (tanh, user functions) use the cached probabilists'
//! Gauss–Hermite rule of [`crate::numerics::quad`]. Non-smooth activations never go through Gauss–Hermite
//! (docs/models/fim.md, "Numerical methods", step 9: a kink costs ~1% there). A fully user-defined
//! activation can also be given *only* through its constants ([`GaussianConstants::from_values`]);
//! such a model has a theory but no sampler.

use crate::error::{check, Error, Result};
use crate::models::bayes::kernels::Activation as NngpKernel;
use crate::numerics::quad::{
    gauss_hermite, gaussian_expectation, gaussian_expectation_2d, hermite_coefficients, mehler_sum,
    GH_NODES,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::f64::consts::PI;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// Number of Hermite coefficients `h_0..h_{HERMITE_ORDER}` kept in [`GaussianConstants::hermite`].
pub const HERMITE_ORDER: usize = 8;

/// A user-given smooth activation (function and derivative).
#[derive(Clone)]
pub struct CustomActivation {
    /// Name used in reports.
    pub name: String,
    /// `φ(x)`.
    pub phi: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
    /// `φ'(x)`.
    pub dphi: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
}

/// An entrywise activation function.
#[derive(Clone)]
pub enum Activation {
    /// `φ(x) = x`.
    Linear,
    /// `φ(x) = tanh x`.
    Tanh,
    /// `φ(x) = erf x`.
    Erf,
    /// `φ(x) = max(x, 0)`.
    Relu,
    /// Centred ReLU `max(x, 0) - 1/sqrt(2π)` (zero Gaussian mean at `σ_w = 1`).
    Crelu,
    /// Centred absolute value `|x| - sqrt(2/π)` (μ1 = 0: no linear component).
    Absc,
    /// A smooth user function; constants by Gauss–Hermite.
    Custom(CustomActivation),
}

impl fmt::Debug for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Activation({})", self.name())
    }
}

impl Activation {
    /// Parse a built-in activation name (`linear`, `tanh`, `erf`, `relu`, `crelu`, `absc`).
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "linear" | "identity" => Activation::Linear,
            "tanh" => Activation::Tanh,
            "erf" => Activation::Erf,
            "relu" => Activation::Relu,
            "crelu" => Activation::Crelu,
            "absc" => Activation::Absc,
            _ => {
                return Err(Error::param(
                    "activation",
                    s,
                    "one of linear, tanh, erf, relu, crelu, absc",
                ))
            }
        })
    }

    /// A user-given smooth activation with its derivative.
    pub fn custom(
        name: &str,
        phi: impl Fn(f64) -> f64 + Send + Sync + 'static,
        dphi: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Activation::Custom(CustomActivation {
            name: name.into(),
            phi: Arc::new(phi),
            dphi: Arc::new(dphi),
        })
    }

    /// Name for reports.
    pub fn name(&self) -> String {
        match self {
            Activation::Linear => "linear".into(),
            Activation::Tanh => "tanh".into(),
            Activation::Erf => "erf".into(),
            Activation::Relu => "relu".into(),
            Activation::Crelu => "crelu".into(),
            Activation::Absc => "absc".into(),
            Activation::Custom(c) => format!("custom:{}", c.name),
        }
    }

    /// `φ(x)`.
    #[inline]
    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Activation::Linear => x,
            Activation::Tanh => x.tanh(),
            Activation::Erf => crate::numerics::special::erf(x),
            Activation::Relu => x.max(0.0),
            Activation::Crelu => x.max(0.0) - 1.0 / (2.0 * PI).sqrt(),
            Activation::Absc => x.abs() - (2.0 / PI).sqrt(),
            Activation::Custom(c) => (c.phi)(x),
        }
    }

    /// `φ'(x)` (for ReLU/abs the a.e. derivative: step / sign, value at 0 irrelevant almost surely).
    #[inline]
    pub fn deriv(&self, x: f64) -> f64 {
        match self {
            Activation::Linear => 1.0,
            Activation::Tanh => {
                let c = x.cosh();
                1.0 / (c * c)
            }
            Activation::Erf => 2.0 / PI.sqrt() * (-x * x).exp(),
            Activation::Relu | Activation::Crelu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Absc => x.signum(),
            Activation::Custom(c) => (c.dphi)(x),
        }
    }

    /// The Gaussian constants at weight variance `σ_w²` and readout variance `σ_v²` (F14), cached per
    /// (activation, σ_w²) for the built-in activations.
    pub fn constants(&self, sigma_w2: f64, sigma_v2: f64) -> Result<GaussianConstants> {
        check::positive("sigma_w2", sigma_w2)?;
        check::non_negative("sigma_v2", sigma_v2)?;
        let base = match self {
            Activation::Custom(c) => base_constants_gh(&*c.phi, &*c.dphi, sigma_w2)?,
            _ => {
                static CACHE: OnceLock<Mutex<HashMap<(String, u64), BaseConstants>>> =
                    OnceLock::new();
                let key = (self.name(), sigma_w2.to_bits());
                let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
                let hit = cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&key)
                    .cloned();
                if let Some(b) = hit {
                    b
                } else {
                    let b = self.base_constants(sigma_w2)?;
                    cache
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(key, b.clone());
                    b
                }
            }
        };
        GaussianConstants::from_base(self.name(), sigma_w2, sigma_v2, base)
    }

    fn base_constants(&self, s2: f64) -> Result<BaseConstants> {
        let s = s2.sqrt();
        let sqrt2pi = (2.0 * PI).sqrt();
        // E[relu(z) He_k(z)] = 1/sqrt(2π), 1/2, He_{k-2}(0)/sqrt(2π) (k >= 2), by Stein's identity twice.
        let relu_h = |k: usize| -> f64 {
            match k {
                0 => 1.0 / sqrt2pi,
                1 => 0.5,
                _ => hermite_at_zero(k - 2) / sqrt2pi,
            }
        };
        Ok(match self {
            Activation::Linear => {
                let mut h = vec![0.0; HERMITE_ORDER + 1];
                h[1] = s;
                BaseConstants {
                    hermite: h,
                    eta: s2,
                    eta_p: 1.0,
                }
            }
            Activation::Relu | Activation::Crelu => {
                let mut h: Vec<f64> = (0..=HERMITE_ORDER).map(|k| s * relu_h(k)).collect();
                let shift = if matches!(self, Activation::Crelu) {
                    1.0 / sqrt2pi
                } else {
                    0.0
                };
                h[0] -= shift;
                // E (s relu(z) - shift)^2 = s^2/2 - 2 shift s /sqrt(2π) + shift^2
                let eta = s2 / 2.0 - 2.0 * shift * s / sqrt2pi + shift * shift;
                BaseConstants {
                    hermite: h,
                    eta,
                    eta_p: 0.5,
                }
            }
            Activation::Absc => {
                let mut h: Vec<f64> = (0..=HERMITE_ORDER)
                    .map(|k| if k % 2 == 0 { 2.0 * s * relu_h(k) } else { 0.0 })
                    .collect();
                let shift = (2.0 / PI).sqrt();
                h[0] -= shift;
                // E(s|z| - shift)^2 = s^2 - 2 s shift sqrt(2/π) + shift^2
                let eta = s2 - 2.0 * s * shift * (2.0 / PI).sqrt() + shift * shift;
                BaseConstants {
                    hermite: h,
                    eta,
                    eta_p: 1.0,
                }
            }
            Activation::Erf => {
                // closed forms (F14, general σ_w); odd, so even Hermite coefficients vanish.
                let mut b = base_constants_gh(
                    &|x| crate::numerics::special::erf(x),
                    &|x| 2.0 / PI.sqrt() * (-x * x).exp(),
                    s2,
                )?;
                b.hermite[1] = s * (2.0 / PI.sqrt()) / (1.0 + 2.0 * s2).sqrt();
                for k in (0..=HERMITE_ORDER).step_by(2) {
                    b.hermite[k] = 0.0;
                }
                b.eta = 2.0 / PI * (2.0 * s2 / (1.0 + 2.0 * s2)).asin();
                b.eta_p = 4.0 / PI / (1.0 + 4.0 * s2).sqrt();
                b
            }
            Activation::Tanh => {
                let mut b =
                    base_constants_gh(&|x: f64| x.tanh(), &|x: f64| 1.0 / x.cosh().powi(2), s2)?;
                for k in (0..=HERMITE_ORDER).step_by(2) {
                    b.hermite[k] = 0.0;
                }
                b
            }
            Activation::Custom(c) => base_constants_gh(&*c.phi, &*c.dphi, s2)?,
        })
    }
}

/// Terms of the Mehler series of [`Activation::pair_kernels`] for smooth activations without closed-form
/// kernels (the truncation error is below `0.9^61 ≈ 2e-3` times the tail of the Hermite coefficients,
/// 1e-8 or better for tanh at `σ² ≤ 4`, checked against a 300-node tensor rule).
pub const MEHLER_ORDER: usize = 60;
/// Largest `|ρ|` summed by the Mehler series; beyond it (near-duplicate data points) a tensor
/// Gauss–Hermite rule with [`PAIR_GH_NODES`] nodes per axis is used.
pub const MEHLER_MAX_RHO: f64 = 0.9;
/// Nodes per axis of the tensor Gauss–Hermite fallback.
pub const PAIR_GH_NODES: usize = 96;

/// Normalised Hermite coefficients of `φ(√s ·)` and `φ'(√s ·)` (one data point's scale `s`), for the
/// Mehler series of [`Activation::pair_kernels`].
#[derive(Debug, Clone)]
pub struct KernelSeries {
    phi: Vec<f64>,
    dphi: Vec<f64>,
}

impl Activation {
    /// Whether [`Activation::pair_kernels`] has closed forms (all built-ins except tanh).
    pub fn closed_form_kernels(&self) -> bool {
        !matches!(self, Activation::Tanh | Activation::Custom(_))
    }

    /// The Mehler coefficients at variance `s` (only used when there is no closed form).
    pub fn kernel_series(&self, s: f64) -> KernelSeries {
        let a = s.max(0.0).sqrt();
        KernelSeries {
            phi: hermite_coefficients(|x| self.eval(x), a, MEHLER_ORDER),
            dphi: hermite_coefficients(|x| self.deriv(x), a, MEHLER_ORDER),
        }
    }

    /// The two bivariate kernels of the data-dependent laws (docs/models/fim.md (F20)): for a
    /// centred Gaussian pair
    /// `(u, v)` with covariance `[[s11, s12], [s12, s22]]`, `(E[φ(u) φ(v)], E[φ'(u) φ'(v)])`.
    ///
    /// Closed forms (`ρ = s12/√(s11 s22)`): linear `(s12, 1)`; erf: the arcsine kernel and
    /// `(4/π) / √((1 + 2 s11)(1 + 2 s22) - 4 s12²)`; ReLU: the arc-cosine kernels of degree 1 and 0
    /// (`E[1(u>0) 1(v>0)] = (π - arccos ρ)/(2π)`); centred ReLU and centred `|x|` (`|u| = relu(u) +
    /// relu(-u)`, `E[sign u sign v] = (2/π) arcsin ρ`) shift those by their Gaussian means. The `φφ`
    /// kernels of linear, erf and ReLU are the NNGP kernels of [`crate::models::bayes::kernels`].
    /// Smooth activations without closed forms (tanh, user functions): the diagonal (`ρ = 1`) by the
    /// 1-D rule, `|ρ| ≤ MEHLER_MAX_RHO` by Mehler's series from `series` (computed here if `None`),
    /// larger `|ρ|` by the tensor Gauss–Hermite rule of [`crate::numerics::quad`].
    pub fn pair_kernels(
        &self,
        s11: f64,
        s12: f64,
        s22: f64,
        series: Option<(&KernelSeries, &KernelSeries)>,
    ) -> Result<(f64, f64)> {
        if !(s11 > 0.0
            && s22 > 0.0
            && s11.is_finite()
            && s22.is_finite()
            && s12.is_finite()
            && s12 * s12 <= s11 * s22 * (1.0 + 1e-10))
        {
            return Err(Error::InvalidData(format!(
                "covariance [[{s11}, {s12}], [{s12}, {s22}]] is not positive definite on the diagonal"
            )));
        }
        let r = s11.sqrt() * s22.sqrt();
        let rho = (s12 / r).clamp(-1.0, 1.0);
        // arc-cosine kernels of degree 1 and 0 with θ = atan2(√det Σ, s12): stable at ρ → ±1, where
        // arccos ρ loses half the digits (the diagonal would be off by 2e-9)
        let root_det = (s11 * s22 - s12 * s12).max(0.0).sqrt();
        let relu = |sign: f64| {
            let theta = root_det.atan2(sign * s12);
            (
                (root_det + (PI - theta) * sign * s12) / (2.0 * PI),
                (PI - theta) / (2.0 * PI),
            )
        };
        Ok(match self {
            Activation::Linear => (s12, 1.0),
            Activation::Erf => (
                NngpKernel::Erf.kernel(s11, s12, s22)?,
                4.0 / PI / ((1.0 + 2.0 * s11) * (1.0 + 2.0 * s22) - 4.0 * s12 * s12).sqrt(),
            ),
            Activation::Relu => relu(1.0),
            Activation::Crelu => {
                // E relu(u) = k √s11 with k = 1/√(2π); φ = relu - k
                let k2 = 1.0 / (2.0 * PI);
                let (kr, kd) = relu(1.0);
                (kr - k2 * (s11.sqrt() + s22.sqrt() - 1.0), kd)
            }
            Activation::Absc => {
                // |u| = relu(u) + relu(-u); E|u| = k √s11 with k = √(2/π); φ = |u| - k
                let abs_abs = 2.0 * (relu(1.0).0 + relu(-1.0).0);
                let k2 = 2.0 / PI;
                (
                    abs_abs - k2 * (s11.sqrt() + s22.sqrt() - 1.0),
                    2.0 / PI * s12.atan2(root_det),
                )
            }
            Activation::Tanh | Activation::Custom(_) => {
                if rho >= 1.0 - 1e-14 && (s11 - s22).abs() <= 1e-14 * s11 {
                    let a = s11.sqrt();
                    (
                        gaussian_expectation(|x| self.eval(x).powi(2), a),
                        gaussian_expectation(|x| self.deriv(x).powi(2), a),
                    )
                } else if rho.abs() <= MEHLER_MAX_RHO {
                    let own;
                    let (su, sv) = match series {
                        Some(p) => p,
                        None => {
                            own = (self.kernel_series(s11), self.kernel_series(s22));
                            (&own.0, &own.1)
                        }
                    };
                    (
                        mehler_sum(&su.phi, &sv.phi, rho),
                        mehler_sum(&su.dphi, &sv.dphi, rho),
                    )
                } else {
                    let n = PAIR_GH_NODES;
                    (
                        gaussian_expectation_2d(
                            |u, v| self.eval(u) * self.eval(v),
                            s11,
                            s12,
                            s22,
                            n,
                        )?,
                        gaussian_expectation_2d(
                            |u, v| self.deriv(u) * self.deriv(v),
                            s11,
                            s12,
                            s22,
                            n,
                        )?,
                    )
                }
            }
        })
    }
}

/// `He_n(0)`: 0 for odd n, `(-1)^{n/2} (n-1)!!` for even n.
fn hermite_at_zero(n: usize) -> f64 {
    if n % 2 == 1 {
        return 0.0;
    }
    let mut v = 1.0;
    let mut k = n as i64 - 1;
    while k > 1 {
        v *= k as f64;
        k -= 2;
    }
    if (n / 2) % 2 == 1 {
        -v
    } else {
        v
    }
}

#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct BaseConstants {
    pub hermite: Vec<f64>,
    pub eta: f64,
    pub eta_p: f64,
}

/// Gauss–Hermite route for smooth activations.
#[doc(hidden)]
pub fn base_constants_gh(
    phi: &dyn Fn(f64) -> f64,
    dphi: &dyn Fn(f64) -> f64,
    s2: f64,
) -> Result<BaseConstants> {
    let rule = gauss_hermite(GH_NODES)?;
    let s = s2.sqrt();
    let mut hermite = vec![0.0; HERMITE_ORDER + 1];
    let (mut eta, mut eta_p) = (0.0, 0.0);
    for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
        let f = phi(s * x);
        let df = dphi(s * x);
        eta += w * f * f;
        eta_p += w * df * df;
        // He_0 = 1, He_1 = x, He_{k+1} = x He_k - k He_{k-1}
        let (mut hm, mut h) = (0.0, 1.0);
        for (k, hk) in hermite.iter_mut().enumerate() {
            *hk += w * f * h;
            let next = x * h - k as f64 * hm;
            hm = h;
            h = next;
        }
    }
    if !(eta.is_finite() && eta_p.is_finite() && hermite.iter().all(|h| h.is_finite())) {
        return Err(Error::Domain(
            "activation has no finite Gaussian moments (E φ², E φ'² must be finite)".into(),
        ));
    }
    Ok(BaseConstants {
        hermite,
        eta,
        eta_p,
    })
}

/// The Gaussian constants of an activation at `(σ_w², σ_v²)` (docs/models/fim.md (F14, F19, F23)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianConstants {
    /// Activation name.
    pub activation: String,
    /// First-layer weight variance σ_w².
    pub sigma_w2: f64,
    /// Readout weight variance σ_v².
    pub sigma_v2: f64,
    /// μ0 = E φ(h).
    pub mu0: f64,
    /// μ1 = E φ'(h).
    pub mu1: f64,
    /// a = σ_w μ1 (first Hermite coefficient).
    pub a: f64,
    /// η = E φ(h)².
    pub eta: f64,
    /// η' = E φ'(h)².
    pub eta_p: f64,
    /// μ*² = η - μ0² - a² (variance of the nonlinear part).
    pub mu_star2: f64,
    /// c = σ_v² (η' - μ1²) (first-layer kernel diagonal shift).
    pub c: f64,
    /// E φ''(h) (Stein: h_2/σ_w²).
    pub e_phi2: f64,
    /// b2 = σ_w² (E φ'')² (σ_w²/2 + σ_v²) (outlier shift, F19).
    pub b2: f64,
    /// Hermite coefficients h_k = E[φ(σ_w z) He_k(z)], k = 0..=HERMITE_ORDER.
    pub hermite: Vec<f64>,
}

impl GaussianConstants {
    fn from_base(name: String, s2: f64, v2: f64, b: BaseConstants) -> Result<Self> {
        let s = s2.sqrt();
        let mu0 = b.hermite[0];
        let mu1 = b.hermite[1] / s;
        let e_phi2 = b.hermite[2] / s2;
        let mut g = Self::from_values(&name, s2, v2, mu0, mu1, b.eta, b.eta_p, e_phi2)?;
        g.hermite = b.hermite;
        Ok(g)
    }

    /// Constants given directly (a user activation known only through its Gaussian constants). Validates
    /// the Cauchy–Schwarz constraints `η >= μ0² + σ_w² μ1²` and `η' >= μ1²` (to 1e-12).
    #[allow(clippy::too_many_arguments)]
    pub fn from_values(
        name: &str,
        sigma_w2: f64,
        sigma_v2: f64,
        mu0: f64,
        mu1: f64,
        eta: f64,
        eta_p: f64,
        e_phi2: f64,
    ) -> Result<Self> {
        let s2 = check::positive("sigma_w2", sigma_w2)?;
        let v2 = check::non_negative("sigma_v2", sigma_v2)?;
        check::finite("mu0", mu0)?;
        check::finite("mu1", mu1)?;
        check::finite("e_phi2", e_phi2)?;
        let eta = check::non_negative("eta", eta)?;
        let eta_p = check::non_negative("eta_p", eta_p)?;
        let a = s2.sqrt() * mu1;
        let mu_star2 = eta - mu0 * mu0 - a * a;
        if mu_star2 < -1e-12 * eta.max(1.0) {
            return Err(Error::param(
                "eta",
                eta,
                &format!(">= mu0^2 + sigma_w2 mu1^2 = {}", mu0 * mu0 + a * a),
            ));
        }
        if eta_p - mu1 * mu1 < -1e-12 * eta_p.max(1.0) {
            return Err(Error::param(
                "eta_p",
                eta_p,
                &format!(">= mu1^2 = {}", mu1 * mu1),
            ));
        }
        let mut hermite = vec![0.0; HERMITE_ORDER + 1];
        hermite[0] = mu0;
        hermite[1] = a;
        hermite[2] = s2 * e_phi2;
        Ok(GaussianConstants {
            activation: name.into(),
            sigma_w2: s2,
            sigma_v2: v2,
            mu0,
            mu1,
            a,
            eta,
            eta_p,
            mu_star2: mu_star2.max(0.0),
            c: (v2 * (eta_p - mu1 * mu1)).max(0.0),
            e_phi2,
            b2: s2 * e_phi2 * e_phi2 * (s2 / 2.0 + v2),
            hermite,
        })
    }

    /// The constants the spectral laws use, as compact JSON (for model parameters and plot titles).
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "activation": self.activation, "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "mu0": self.mu0, "mu1": self.mu1, "eta": self.eta, "eta_p": self.eta_p,
            "mu_star2": self.mu_star2, "c": self.c,
        })
    }

    /// Degree-k kernel coefficients `b_k = h_k²/k!` (F23); `Σ_k b_k = η` for the full series.
    pub fn kernel_coefficients(&self) -> Vec<f64> {
        let mut fact = 1.0;
        self.hermite
            .iter()
            .enumerate()
            .map(|(k, h)| {
                if k > 0 {
                    fact *= k as f64;
                }
                h * h / fact
            })
            .collect()
    }
}
