//! `ck-deep` in the registry: `nnlimits spectrum ck --depth L [--width-ratios r1,...,rL | --width-ratio r]
//! [--d-ratio d/n]` and `nnlimits validate ck --depth L --n n --d d --widths N1,...,NL` (the flag
//! `--depth` on `ck` selects this variant, so `spectrum ck` without it is unchanged).

use super::ck::{recursion_with, DeepCk, MAX_DEPTH};
use super::sampler::DeepCkSampler;
use crate::error::{Error, Result};
use crate::model::SpectralModel;
use crate::models::fim::Activation;
use crate::output::{parse_float_list, FloatList};
use crate::registry::{Plan, Spectral, SpectralSpec, Theory};
use crate::validate::spectral::SpectralValidation;

/// `spectrum ck --depth L`: the last layer's conjugate kernel in the linear-width limit.
#[derive(Debug, Clone, clap::Args)]
pub struct CkDeepParams {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Weight variance sigma_w^2 of every layer.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Number of hidden layers L.
    #[arg(long)]
    pub depth: usize,
    /// Centre the activation at every layer: phi - E phi(sqrt(s_l) xi) at layer l, with s_l from
    /// the variance recursion (e.g. a ReLU centred at every depth); `--centre` alone means true.
    #[arg(long, num_args = 0..=1, default_value_t = false, default_missing_value = "true",
          action = clap::ArgAction::Set)]
    pub centre: bool,
    /// Ratio d/n (input dimension per data point).
    #[arg(long, default_value_t = 1.0)]
    pub d_ratio: f64,
    /// Ratio N/n of every hidden layer [default: 1].
    #[arg(long, conflicts_with = "width_ratios")]
    pub width_ratio: Option<f64>,
    /// Ratios N_1/n, ..., N_L/n, one per layer.
    #[arg(long, value_parser = parse_float_list)]
    pub width_ratios: Option<FloatList>,
}

/// `validate ck --depth L`: sampled deep networks.
#[derive(Debug, Clone, clap::Args)]
pub struct CkDeepCheck {
    /// Activation: linear, tanh, erf, relu, crelu, absc.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Weight variance sigma_w^2 of every layer.
    #[arg(long, default_value_t = 1.0)]
    pub sigma_w2: f64,
    /// Number of hidden layers L.
    #[arg(long)]
    pub depth: usize,
    /// Centre the activation at every layer: phi - E phi(sqrt(s_l) xi) at layer l, with s_l from
    /// the variance recursion (e.g. a ReLU centred at every depth); `--centre` alone means true.
    #[arg(long, num_args = 0..=1, default_value_t = false, default_missing_value = "true",
          action = clap::ArgAction::Set)]
    pub centre: bool,
    /// Number of data points n.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Input dimension d.
    #[arg(long, default_value_t = 1000)]
    pub d: usize,
    /// Widths N_1, ..., N_L [default: n for every layer].
    #[arg(long, value_parser = parse_float_list)]
    pub widths: Option<FloatList>,
    /// Finite-size bias coefficient b of the tolerance b n^-r (r = 1 linear, 1/2 nonlinear).
    #[arg(long)]
    pub bias_coeff: Option<f64>,
    /// Compare with the law at this sigma_w^2 instead of the sampled one (the samples keep
    /// --sigma-w2): a wrong theory the validator must reject (power checks, near-miss controls).
    #[arg(long)]
    pub theory_sigma_w2: Option<f64>,
}

/// The `--theory-sigma-w2` of `validate ck|fim --depth`: finite and > 0.
pub(super) fn theory_sigma_w2(v: Option<f64>) -> Result<Option<f64>> {
    match v {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            Err(Error::param("theory-sigma-w2", s, "finite and > 0"))
        }
        v => Ok(v),
    }
}

/// The per-layer width ratios of `spectrum ck|fim --depth`: `--width-ratios` (one per layer) or
/// `--width-ratio` for every layer (default 1).
pub(super) fn layer_ratios(
    list: Option<&FloatList>,
    ratio: Option<f64>,
    depth: usize,
) -> Result<Vec<f64>> {
    match list {
        Some(v) if v.0.len() != depth => Err(Error::param(
            "width-ratios",
            format!("{} values", v.0.len()),
            &format!("one ratio per layer (--depth {depth})"),
        )),
        Some(v) => Ok(v.0.clone()),
        None => Ok(vec![ratio.unwrap_or(1.0); depth]),
    }
}

/// The widths of `validate ck|fim --depth` (integers in `[1, 20000]`, one per layer; default `n`).
pub(super) fn layer_widths(list: Option<&FloatList>, n: usize, depth: usize) -> Result<Vec<usize>> {
    let Some(v) = list else {
        return Ok(vec![n; depth]);
    };
    if v.0.len() != depth {
        return Err(Error::param(
            "widths",
            format!("{} values", v.0.len()),
            &format!("one width per layer (--depth {depth})"),
        ));
    }
    v.0.iter()
        .map(|&w| {
            if w.fract() == 0.0 && (1.0..=20_000.0).contains(&w) {
                Ok(w as usize)
            } else {
                Err(Error::param("widths", w, "integers in [1, 20000]"))
            }
        })
        .collect()
}

/// The registry's view of the deep conjugate kernel.
pub struct CkDeepSpec;

/// `ck-deep` in the registry.
pub static CK_DEEP: Spectral<CkDeepSpec> = Spectral::new();

impl SpectralSpec for CkDeepSpec {
    const NAME: &'static str = "ck-deep";
    const SIZES: &'static [&'static str] = &["n", "d", "widths"];
    const CALIBRATION: &'static [&'static str] =
        &[include_str!("../../../validation/calibration/ck-deep.json")];
    const SUMMARY: &'static str = "Conjugate kernel X_Lᵀ X_L / N_L of the last layer of a random \
L-layer network, linear-width limit (Fan–Wang recursion on the expression engine); `ck --depth L`.";
    const DOCS: &'static str = "docs/models/ck-deep.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("activation", "linear, tanh, erf, relu, crelu, absc"),
        ("sigma-w2", "> 0, finite"),
        ("depth", "integer in [1, 50]"),
        ("d-ratio", "[1e-4, 1e4]"),
        ("width-ratio", "[1e-4, 1e4]"),
        ("width-ratios", "one ratio in [1e-4, 1e4] per layer"),
        ("n", "integer in [1, 20000]"),
        ("d", "integer in [1, 20000]"),
        ("widths", "one integer in [1, 20000] per layer"),
        ("bias-coeff", ">= 0, finite [default: 1]"),
        (
            "centre",
            "true or false (--centre alone: true) [default: false]",
        ),
        ("theory-sigma-w2", "> 0, finite [default: --sigma-w2]"),
    ];
    const SELECTED_BY_FLAGS: Option<(&'static str, &'static [&'static str])> =
        Some(("ck", &["depth"]));
    type Params = CkDeepParams;
    type Check = CkDeepCheck;
    fn theory(p: &CkDeepParams) -> Result<Theory> {
        let act = Activation::parse(&p.activation)?;
        let law = DeepCk::with_centring(
            &act,
            p.sigma_w2,
            p.d_ratio,
            &layer_ratios(p.width_ratios.as_ref(), p.width_ratio, p.depth)?,
            p.centre,
        )?;
        let axis = if law.has_spike() {
            "eigenvalues of CK_L = X_Lᵀ X_L / N_L (n x n; rank-one spike ≈ n κ_L excluded)"
        } else {
            "eigenvalues of CK_L = X_Lᵀ X_L / N_L (n x n)"
        };
        Ok(Theory {
            model: Box::new(law),
            axis: axis.into(),
            extra: serde_json::Value::Null,
        })
    }
    fn plan(c: &CkDeepCheck) -> Result<Plan> {
        let act = Activation::parse(&c.activation)?;
        let ws = layer_widths(c.widths.as_ref(), c.n, c.depth)?;
        crate::error::check::count("depth", c.depth, 1, MAX_DEPTH)?;
        crate::error::check::count("n", c.n, 1, 20_000)?;
        crate::error::check::count("d", c.d, 1, 20_000)?;
        let ratios: Vec<f64> = ws.iter().map(|&w| w as f64 / c.n as f64).collect();
        let claimed = theory_sigma_w2(c.theory_sigma_w2)?;
        let d_ratio = c.d as f64 / c.n as f64;
        let sampled = DeepCk::with_centring(&act, c.sigma_w2, d_ratio, &ratios, c.centre)?;
        let remove_top = usize::from(sampled.has_spike());
        let law = match claimed {
            Some(s) => DeepCk::with_centring(&act, s, d_ratio, &ratios, c.centre)?,
            None => sampled,
        };
        let exact = matches!(act, Activation::Linear);
        let mut sampler = DeepCkSampler::new(c.n, c.d, &ws, act.clone(), c.sigma_w2)?;
        if c.centre {
            // the sampled network's own centring constants (not the claimed law's)
            let own = recursion_with(&act, c.sigma_w2, c.depth, true)?;
            sampler = sampler.with_shifts(own.iter().map(|l| l.shift).collect())?;
        }
        let options = SpectralValidation {
            bias_coeff: crate::error::check::in_range(
                "bias_coeff",
                c.bias_coeff.unwrap_or(1.0),
                0.0,
                1e150,
            )?,
            bias_rate: if exact { 1.0 } else { 0.5 },
            remove_top,
            calibrated: c.bias_coeff.is_none(),
            ..SpectralValidation::default()
        };
        let mut notes = vec![format!(
            "theory: {} ({}); {}{}",
            if exact {
                "exact law (iterated Marchenko–Pastur map)"
            } else {
                "linear-width law, Gaussian-equivalence corrections O(n^-1/2)"
            },
            law.expression().canonical(),
            options.bias_text(),
            if remove_top > 0 {
                "; the top eigenvalue (spike ≈ n κ_L of the non-centred activation) removed"
            } else {
                ""
            }
        )];
        if let Some(s) = claimed {
            notes.push(crate::models::fim::entries::theory_sigma_note(
                s, c.sigma_w2,
            ));
        }
        if c.centre {
            notes.push(
                "activation centred at every layer: phi - E phi(sqrt(s_l) xi) (docs/models/ck-deep.md)"
                    .into(),
            );
        }
        Ok(Plan {
            theory: Box::new(law) as Box<dyn SpectralModel>,
            sampler: Box::new(sampler),
            options,
            notes,
        })
    }
}
