//! The registry entries of the spectral FIM / NTK / conjugate-kernel models: `fim` and `ck`
//! (proportional limit), `fim-infinite-width` and `ck-infinite-width` (`--limit infinite-width`).
//! The fixed-data and C-output variants are in [`super::entries_data`], the population tables in
//! [`super::population_present`].
//!
//! Scale: the spectrum of the dual Gram `Θ = J Jᵀ` (`n × n`, O(1) limit, mean eigenvalue
//! `E φ² + σ_v² E φ'²`; FIM eigenvalues are these divided by `n`), with the `μ0²` spike excluded;
//! `--space parameter` reports the `p × p` law of `Jᵀ J = n F` (zero atom `1 - n/p`).
//! See docs/models/fim.md and docs/models/ck.md.

use super::params::{need_n, parameter_count, CkLayers, FimLayers, Layers, Net, Space, RANGES};
use super::params::{FimParams, InfiniteParams, NetCheck};
use crate::error::{check, Error, Result};
use crate::model::{Sampler, SpectralModel};
use crate::models::fim::{
    GaussianConstants, InfiniteWidthFim, Inputs, KarakidaStats, LinearFim, NetworkSampler,
    ParameterSpace, ProportionalFim, Ratios, Trained,
};
use crate::output::FloatList;
use crate::registry::{Plan, Spectral, SpectralSpec, Theory};
use crate::validate::spectral::SpectralValidation;
use std::marker::PhantomData;

/// Names and summaries of a family's registered models.
pub trait Family: Layers {
    /// Documentation page.
    const DOCS: &'static str;
    /// Summary of the proportional law.
    const SUMMARY: &'static str;
    /// Name of the infinite-width variant.
    const INFINITE: &'static str;
    /// Its summary.
    const INFINITE_SUMMARY: &'static str;
    /// Calibration records of the proportional validations (exact linear law, ansatz laws).
    const CALIBRATION: &'static [&'static str];
    /// Calibration records of the fixed-data validations.
    const DATA_CALIBRATION: &'static [&'static str];
    /// Name of the fixed-data variant.
    const DATA: &'static str;
    /// Its summary.
    const DATA_SUMMARY: &'static str;
}

impl Family for FimLayers {
    const DOCS: &'static str = "docs/models/fim.md";
    const SUMMARY: &'static str =
        "FIM / NTK dual Gram Θ = J Jᵀ of a random shallow network, proportional limit n, d, N → ∞.";
    const CALIBRATION: &'static [&'static str] = &[
        include_str!("../../../validation/calibration/fim-linear-both.json"),
        include_str!("../../../validation/calibration/fim-nonlinear.json"),
    ];
    const DATA_CALIBRATION: &'static [&'static str] = &[include_str!(
        "../../../validation/calibration/fim-data.json"
    )];
    const INFINITE: &'static str = "fim-infinite-width";
    const INFINITE_SUMMARY: &'static str =
        "FIM / NTK dual Gram at infinite width (N → ∞ first, then n, d → ∞ at fixed d/n): affine MP.";
    const DATA: &'static str = "fim-data";
    const DATA_SUMMARY: &'static str =
        "FIM / NTK dual Gram for one fixed data set X: deterministic equivalent with its exact kernels.";
}

impl Family for CkLayers {
    const DOCS: &'static str = "docs/models/ck.md";
    const SUMMARY: &'static str =
        "Conjugate-kernel Gram Φᵀ Φ / N of a random shallow network (readout-only NTK).";
    const CALIBRATION: &'static [&'static str] = &[
        include_str!("../../../validation/calibration/fim-linear-readout.json"),
        include_str!("../../../validation/calibration/ck-exact.json"),
    ];
    const DATA_CALIBRATION: &'static [&'static str] =
        &[include_str!("../../../validation/calibration/ck-data.json")];
    const INFINITE: &'static str = "ck-infinite-width";
    const INFINITE_SUMMARY: &'static str =
        "Conjugate-kernel Gram at infinite width (N → ∞ first, then n, d → ∞ at fixed d/n).";
    const DATA: &'static str = "ck-data";
    const DATA_SUMMARY: &'static str =
        "Conjugate-kernel Gram for one fixed data set X: the Louart–Liao–Couillet deterministic equivalent.";
}

/// The dual-space law: infinite-width (affine MP) or proportional (exact linear law, or the
/// Gaussian-equivalence law), with its constants and trained layers.
pub fn dual_law(
    g: &GaussianConstants,
    ratios: Ratios,
    trained: Trained,
    infinite: bool,
) -> Result<Box<dyn SpectralModel>> {
    Ok(if infinite {
        Box::new(InfiniteWidthFim::new(ratios.alpha(), g.clone(), trained)?)
    } else if g.activation == "linear" && trained != Trained::First {
        Box::new(LinearFim::new(ratios, g.sigma_w2, g.sigma_v2, trained)?)
    } else {
        Box::new(ProportionalFim::new(ratios, g.clone(), trained)?)
    })
}

/// The written law of `spectrum fim|ck` (and of the infinite-width variants, with `N/n = 1` for the
/// parameter count and the Karakida statistics): the dual law with its constants, the traces of F, the
/// Karakida statistics when `n` is given, in the dual or the parameter space.
pub fn network_theory(
    g: GaussianConstants,
    ratios: Ratios,
    trained: Trained,
    infinite: bool,
    space: Space,
    n: Option<usize>,
) -> Result<Theory> {
    let dual = dual_law(&g, ratios, trained, infinite)?;
    let m = dual.moments();
    let mu04 = g.mu0.powi(4);
    let mut extra = serde_json::json!({
        "activation_constants": g,
        "traces": {
            "trace_F": m[0] + g.mu0 * g.mu0,
            "n_trace_F2": format!("{} + n * {}", m[1], mu04),
            "note": "tr F = (1/n) tr Θ -> m1 + mu0^2 (spike included); tr F^2 = (1/n^2) tr Θ^2 = (m2 + n mu0^4)/n",
        },
    });
    if let Some(n) = n {
        check::count("n", n, 1, 100_000_000)?;
        let nf = n as f64;
        extra["traces"]["trace_F2"] = serde_json::json!((m[1] + nf * mu04) / nf);
        let d = (ratios.d_over_n * nf).round().max(1.0) as usize;
        let w = (ratios.width_over_n * nf).round().max(1.0) as usize;
        if let Ok(k) = KarakidaStats::new(w, d, n.min(w * d + w), &g) {
            extra["karakida_f22_standard_parameterisation"] =
                serde_json::to_value(k).map_err(|e| Error::Domain(e.to_string()))?;
        }
    }
    let (model, axis): (Box<dyn SpectralModel>, &str) = match space {
        Space::Dual => (
            dual,
            "eigenvalues of Θ = J Jᵀ (n x n; FIM = Θ/n; mu0² spike excluded)",
        ),
        Space::Parameter => {
            let n = need_n(n)?;
            let p = parameter_count(trained, n as f64, ratios.d_over_n, ratios.width_over_n).round()
                as usize;
            (
                Box::new(ParameterSpace::new(dual, n, p.max(n))?),
                "eigenvalues of Jᵀ J = n F (p x p; zero atom 1 - n/p)",
            )
        }
    };
    Ok(Theory {
        model,
        axis: axis.into(),
        extra,
    })
}

/// A sampled single-output network to validate: its activation, variances, trained layers, sizes and
/// options.
pub struct NetworkRun<'a> {
    /// Activation and variances.
    pub net: &'a Net,
    /// Trained layers.
    pub trained: Trained,
    /// Sizes `(n, d, N)`.
    pub sizes: (usize, usize, usize),
    /// Input distribution (default spherical).
    pub inputs: Option<Inputs>,
    /// Do not normalise the readout.
    pub raw_readout: bool,
    /// Finite-size bias coefficient (default 1).
    pub bias_coeff: Option<f64>,
    /// The theory's sigma_w^2 when it differs from the sampled one (a wrong claim to reject).
    pub theory_sigma_w2: Option<f64>,
}

/// The validation plan of a sampled single-output network against the proportional (or, with
/// `infinite`, the infinite-width) law at the sampled ratios. The `μ0²` spike is removed; a predicted
/// atom at `c ≠ 0` (first layer only, infinite width) is a narrow cluster at finite size: its mass is
/// checked in a window, and for the KS/L1 checks the eigenvalues inside that window count at `c`.
pub fn network_plan(r: NetworkRun<'_>, infinite: bool) -> Result<Plan> {
    let (n, d, width) = r.sizes;
    let ratios = Ratios::from_sizes(n, d, width)?;
    let (act, g) = r.net.constants(None)?;
    let model = match r.theory_sigma_w2 {
        Some(s) => {
            if !(s.is_finite() && s > 0.0) {
                return Err(Error::param("theory-sigma-w2", s, "finite and > 0"));
            }
            let claimed = Net {
                sigma_w2: s,
                ..r.net.clone()
            };
            dual_law(&claimed.constants(None)?.1, ratios, r.trained, infinite)?
        }
        None => dual_law(&g, ratios, r.trained, infinite)?,
    };
    let act = act.ok_or_else(|| {
        Error::param(
            "constants",
            "given",
            "a named --activation (a sampler needs the function)",
        )
    })?;
    let remove_top = usize::from(g.mu0.abs() > 1e-12 && r.trained != Trained::First);
    let sampler = NetworkSampler::new(
        n,
        d,
        width,
        act,
        r.net.sigma_w2,
        r.net.sigma_v2,
        r.trained,
        r.inputs.unwrap_or(Inputs::Spherical),
        !r.raw_readout,
        0,
    )?;
    let exact = g.mu_star2 == 0.0 && g.activation == "linear";
    let options = SpectralValidation {
        bias_coeff: r.bias_coeff.unwrap_or(1.0),
        calibrated: r.bias_coeff.is_none(),
        bias_rate: if exact { 1.0 } else { 0.5 },
        remove_top,
        ..SpectralValidation::default()
    };
    let support = model.support()?;
    let span = support.components.last().map_or(1.0, |c| c.1)
        - support.components.first().map_or(0.0, |c| c.0);
    let atoms: Vec<(f64, f64)> = support
        .atoms
        .iter()
        .filter(|a| a.0 != 0.0)
        .map(|a| (a.0, options.atom_window * span))
        .collect();
    let mut notes: Vec<String> = atoms
        .iter()
        .map(|(c, w)| {
            format!(
                "eigenvalues within ±{w:.4} of the predicted atom at {c:.6} were counted at the atom \
                 (finite-size cluster; its mass is the atom@ check)"
            )
        })
        .collect();
    notes.push(format!(
        "theory: {} ({}, {}); {}",
        if exact {
            "exact law"
        } else {
            "Gaussian-equivalence (Wishart ansatz) law"
        },
        model.name(),
        if exact {
            "rigidity floor O(1/n)"
        } else {
            "O(d^-1/2) corrections, docs/models/fim.md, Monte Carlo finite-size error"
        },
        options.bias_text()
    ));
    if let Some(s) = r.theory_sigma_w2 {
        notes.push(theory_sigma_note(s, r.net.sigma_w2));
    }
    Ok(Plan {
        theory: model,
        sampler: Box::new(Snap {
            inner: sampler,
            atoms,
        }),
        options,
        notes,
    })
}

/// Counts sampled eigenvalues within a window of a predicted atom at the atom's location.
struct Snap {
    inner: NetworkSampler,
    atoms: Vec<(f64, f64)>,
}

impl Sampler for Snap {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        self.inner.describe()
    }
    fn sample(&self, rng: &mut crate::rng::Rng) -> Result<Vec<f64>> {
        let mut ev = self.inner.sample(rng)?;
        for e in ev.iter_mut() {
            if let Some(a) = self.atoms.iter().find(|a| (*e - a.0).abs() <= a.1) {
                *e = a.0;
            }
        }
        Ok(ev)
    }
}

fn network_check<L: Layers>(c: &NetCheck<L>, infinite: bool) -> Result<Plan> {
    network_plan(
        NetworkRun {
            net: &c.net,
            trained: c.layers.trained(Trained::Both),
            sizes: (c.n, c.d, c.width),
            inputs: c.inputs,
            raw_readout: c.raw_readout,
            bias_coeff: c.bias_coeff,
            theory_sigma_w2: c.theory_sigma_w2,
        },
        infinite,
    )
}

fn constants(net: &Net, constants: Option<&FloatList>) -> Result<GaussianConstants> {
    Ok(net.constants(constants)?.1)
}

/// `fim` / `ck`: the proportional limit.
pub struct Proportional<L>(PhantomData<fn() -> L>);

impl<L: Family> SpectralSpec for Proportional<L> {
    const NAME: &'static str = L::FAMILY;
    const SUMMARY: &'static str = L::SUMMARY;
    const DOCS: &'static str = L::DOCS;
    const CALIBRATION: &'static [&'static str] = L::CALIBRATION;
    const SIZES: &'static [&'static str] = &["n", "d", "width"];
    const RANGES: &'static [(&'static str, &'static str)] = RANGES;
    type Params = FimParams<L>;
    type Check = NetCheck<L>;
    fn theory(p: &FimParams<L>) -> Result<Theory> {
        let ratios = Ratios::new(p.d_ratio, p.width_ratio)?;
        let g = constants(&p.net, p.constants.as_ref())?;
        network_theory(
            g,
            ratios,
            p.layers.trained(Trained::Both),
            false,
            p.space,
            p.n,
        )
    }
    fn plan(c: &NetCheck<L>) -> Result<Plan> {
        network_check(c, false)
    }
}

/// `fim-infinite-width` / `ck-infinite-width` (`--limit infinite-width`).
pub struct InfiniteWidth<L>(PhantomData<fn() -> L>);

impl<L: Family> SpectralSpec for InfiniteWidth<L> {
    const NAME: &'static str = L::INFINITE;
    const SIZES: &'static [&'static str] = &["n", "d", "width"];
    const SUMMARY: &'static str = L::INFINITE_SUMMARY;
    const DOCS: &'static str = L::DOCS;
    const RANGES: &'static [(&'static str, &'static str)] = RANGES;
    const SELECTED_BY: Option<(&'static str, &'static str, &'static str)> =
        Some((L::FAMILY, "limit", "infinite-width"));
    type Params = InfiniteParams<L>;
    type Check = NetCheck<L>;
    fn theory(p: &InfiniteParams<L>) -> Result<Theory> {
        let ratios = Ratios::new(p.d_ratio, 1.0)?;
        let g = constants(&p.net, p.constants.as_ref())?;
        network_theory(
            g,
            ratios,
            p.layers.trained(Trained::Both),
            true,
            p.space,
            p.n,
        )
    }
    fn plan(c: &NetCheck<L>) -> Result<Plan> {
        network_check(c, true)
    }
}

/// `fim` in the registry.
pub static FIM: Spectral<Proportional<FimLayers>> = Spectral::new();
/// `ck` in the registry.
pub static CK: Spectral<Proportional<CkLayers>> = Spectral::new();
/// `fim-infinite-width` in the registry.
pub static FIM_INFINITE: Spectral<InfiniteWidth<FimLayers>> = Spectral::new();
/// `ck-infinite-width` in the registry.
pub static CK_INFINITE: Spectral<InfiniteWidth<CkLayers>> = Spectral::new();

/// The validation note of `--theory-sigma-w2`: the law is taken at `claimed`, the samples at `drawn`.
pub(crate) fn theory_sigma_note(claimed: f64, drawn: f64) -> String {
    format!(
        "the theory is the law at sigma_w^2 = {claimed}, the samples are drawn at sigma_w^2 = {drawn} \
         (a wrong claim the validator must reject unless they are equal)"
    )
}
