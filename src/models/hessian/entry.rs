//! `spectrum hessian` and `validate hessian` (registry view of [`super::PbHessian`] and
//! [`super::HessianSampler`]).

use super::{HessianSampler, Part, PbHessian};
use crate::error::Result;
use crate::model::SpectralModel;
use crate::models::fim::Activation;
use crate::models::semicircle::Semicircle;
use crate::registry::{Plan, Spectral, SpectralSpec, Theory};
use crate::validate::spectral::SpectralValidation;

/// `spectrum hessian` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct HessianParams {
    /// Parameters per sample φ = P/n (ratio of the Wishart part).
    #[arg(long, default_value_t = 0.5)]
    pub phi: f64,
    /// Loss level ε: the Wigner part has variance 2ε·scale².
    #[arg(long, default_value_t = 0.02)]
    pub loss: f64,
    /// Scale σ: mean eigenvalue of the Wishart part (the law is σ·(MP(φ) ⊞ SC(2ε))).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
}

/// `validate hessian` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct HessianCheck {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Number of samples n (φ = P/n with P = N(d + 1)).
    #[arg(long, default_value_t = 840)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long, default_value_t = 20)]
    pub d: usize,
    /// Hidden width N.
    #[arg(long, default_value_t = 20)]
    pub width: usize,
    /// First-layer weight variance σ_w².
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Readout weight variance σ_v².
    #[arg(long, default_value_t = 1.0)]
    pub sigma_v2: f64,
    /// Loss level ε in the law's units; the residuals are drawn so that the Wigner part has the
    /// network's second moment (the network's own loss is reported).
    #[arg(long, default_value_t = 0.02)]
    pub loss: f64,
    /// Which part to compare: full (H₀ + H₁ against the free sum), gauss-newton (H₀ against the
    /// Wishart part), residual (H₁ against the Wigner part).
    #[arg(long, value_enum, default_value_t = Part::Full)]
    pub part: Part,
}

/// The registry's view of the Hessian model.
pub struct HessianSpec;

/// `hessian` in the registry.
pub static ENTRY: Spectral<HessianSpec> = Spectral::new();

fn extra(law: &PbHessian) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "critical_loss": PbHessian::critical_loss(law.phi()),
        "negative_fraction": law.negative_fraction()?,
    }))
}

impl SpectralSpec for HessianSpec {
    const NAME: &'static str = "hessian";
    /// d is kept: the parameter count P = N(d + 1) grows with the width N, so φ = P/n is kept.
    const SIZES: &'static [&'static str] = &["n", "width"];
    const SUMMARY: &'static str =
        "Loss Hessian of a shallow network: Pennington–Bahri free sum σ(MP(φ) ⊞ SC(2ε)), index α(ε, φ); exact network Hessians";
    const DOCS: &'static str = "docs/models/hessian.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("phi", "[1e-6, 1e6]"),
        ("loss", "[0, 1e6]"),
        ("scale", "[1e-100, 1e100]"),
        ("activation", "linear, tanh, erf, relu, crelu, absc"),
        ("n", "integer in [1, 100000]"),
        ("d", "integer in [1, 8000], N(d + 1) <= 8000"),
        ("width", "integer in [1, 8000], N(d + 1) <= 8000"),
        ("sigma-w2", "(0, inf)"),
        ("sigma-v2", "(0, inf)"),
    ];
    type Params = HessianParams;
    type Check = HessianCheck;
    fn theory(p: &HessianParams) -> Result<Theory> {
        let law = PbHessian::new(p.phi, p.loss, p.scale)?;
        let extra = extra(&law)?;
        Ok(Theory {
            axis: "eigenvalues of the loss Hessian (P × P), law σ(MP(φ) ⊞ SC(2ε))".into(),
            model: Box::new(law),
            extra,
        })
    }
    fn plan(p: &HessianCheck) -> Result<Plan> {
        let act = Activation::parse(&p.activation)?;
        let s = HessianSampler::new(
            p.n, p.d, p.width, act, p.sigma_w2, p.sigma_v2, p.loss, p.part,
        )?;
        let (phi, sigma) = (s.phi(), s.scale());
        let theory: Box<dyn SpectralModel> = match p.part {
            Part::Full => Box::new(PbHessian::new(phi, p.loss, sigma)?),
            Part::GaussNewton => Box::new(PbHessian::new(phi, 0.0, sigma)?),
            Part::Residual => Box::new(Semicircle::new(2.0 * p.loss * sigma * sigma)?),
        };
        let notes = vec![
            format!(
                "Pennington–Bahri free-sum ansatz (an assumption, measured here): φ = P/n = {phi:.6}, \
                 σ = η + σ_v² η' = {sigma:.6} (exact mean of P·H₀), Wigner variance 2εσ² = {:.6} \
                 (exact second moment of P·H₁)",
                2.0 * p.loss * sigma * sigma
            ),
            format!(
                "network loss level ε_net = εσ²/(φκ) = {:.6} (κ = σ_v² E φ''² + 2η' = {:.6}); \
                 residuals r ~ N(0, 2ε_net)",
                s.network_loss(),
                s.curvature()
            ),
        ];
        Ok(Plan {
            theory,
            sampler: Box::new(s),
            // an ansatz: declared finite-size bias n^{-1/2} as for the Gaussian-equivalence laws; the
            // measured distance (docs/models/hessian.md) does not shrink with the size
            options: SpectralValidation {
                bias_rate: 0.5,
                ..SpectralValidation::default()
            },
            notes,
        })
    }
}
