//! The neural tangent kernel of a deep network in the linear-width regime (docs/models/ntk-deep.md).
//!
//! Network: inputs `x_μ ∈ R^d` (`|x_μ|² = d`), `g_ℓ = W_ℓ h_{ℓ−1}/√N_{ℓ−1}`, `h_ℓ = φ(g_ℓ)`
//! (`h_0 = x`, `N_0 = d`, `W_ℓ` entries `N(0, σ_w²)`), output `f = v·h_L/√N_L` (`v_i ~ N(0, σ_v²)`),
//! all of `W_1, …, W_L, v` trained. The dual Gram `Θ = J Jᵀ` (`n × n`) is, without forming `J`,
//!
//! ```text
//! Θ = Σ_{ℓ=1}^{L} CK_{ℓ−1} ∘ B_ℓ + CK_L,   CK_ℓ = h_ℓᵀh_ℓ/N_ℓ,   B_ℓ = b_ℓᵀ b_ℓ,   b_ℓ = ∂f/∂g_ℓ   (N1)
//! ```
//!
//! (at `L = 1` exactly the shallow `fim` Gram F6). In the limit, for activations centred at every
//! layer below the last, the backward Grams are `B_ℓ ≈ (D_ℓ − O_ℓ) I + O_ℓ 11ᵀ` (fluctuations are
//! killed by the Hadamard product with `CK_{ℓ−1}`, whose off-diagonal entries are `O(n^{-1/2})`), with
//!
//! ```text
//! D_L = σ_v² η'_L,  O_L = σ_v² f_L,   D_ℓ = σ_w² η'_ℓ D_{ℓ+1},  O_ℓ = σ_w² f_ℓ O_{ℓ+1} = α_ℓ O_{ℓ+1}     (N2)
//! Θ ≈ r_+ I + Σ_{ℓ=0}^{L} τ_ℓ CK_ℓ,   τ_L = 1,  τ_{ℓ−1} = O_ℓ,  r_+ = Σ_{ℓ=1}^{L} (D_ℓ − O_ℓ) q_{ℓ−1}
//! ```
//!
//! (`η'_ℓ = E φ'(g_ℓ)²`, `f_ℓ = E φ'(u)φ'(v)` the slope of [`super::ck::recursion`], `q_0 = 1`). This is
//! the structure of Fan & Wang (2020, arXiv 2005.11879: the NTK is asymptotically a linear combination
//! of the CKs of all layers plus a multiple of the identity); the law of the combination is computed by
//! the recursion of [`super::ntk_solver`] (derived here: iterated deterministic equivalents). The CKs
//! are not free of each other: the combination is not a free sum.
//!
//! Mean and second moment (closed forms): with `p_ℓ = (1/n) tr CK_ℓ` (`p_0 = 1`,
//! `p_ℓ = α_ℓ p_{ℓ−1} + β_ℓ = q_ℓ − κ_ℓ`) and `T_{ij} = (1/n) tr(CK_i CK_j)`,
//! `T_00 = 1 + n/d`, `T_{ℓj} = α_ℓ T_{ℓ−1,j} + β_ℓ p_j` (`j < ℓ`),
//! `T_{ℓℓ} = α_ℓ² T_{ℓ−1,ℓ−1} + 2α_ℓβ_ℓ p_{ℓ−1} + β_ℓ² + (n/N_ℓ) p_ℓ²`:
//! `m₁ = r_+ + Σ τ_ℓ p_ℓ = Σ_ℓ D_ℓ q_{ℓ−1} + q_L − κ_L` (the trace recursion),
//! `m₂ = r_+² + 2 r_+ Σ τ_ℓ p_ℓ + Σ_{ij} τ_i τ_j T_{ij}`.

use super::ck::{recursion_with, Layer, MAX_DEPTH};
use super::ntk_solver::{Point, System, ETA_MIN};
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::fim::Activation;
use crate::numerics::stieltjes::{density_of, Solution, SolveStats};
use num_complex::Complex64 as C64;
use serde::Serialize;
use std::sync::OnceLock;

/// The constants of one hidden layer of the NTK (module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NtkLayer {
    /// The forward (conjugate-kernel) constants of the layer.
    pub forward: Layer,
    /// `η'_ℓ = E φ'(g_ℓ)²`.
    pub eta_p: f64,
    /// Diagonal `D_ℓ` of the backward Gram `B_ℓ`.
    pub back_diag: f64,
    /// Off-diagonal value `O_ℓ` of `B_ℓ`.
    pub back_off: f64,
}

/// The layer constants, the weights `τ_0..τ_L` and the shift `r_+` of the NTK for `depth` layers.
///
/// Refused (typed error) when an activation is not centred at a layer below the last
/// (`κ_ℓ ≠ 0` for some `ℓ < L`, e.g. ReLU at depth ≥ 2): then `CK_ℓ` has an O(1) common off-diagonal
/// value `κ_ℓ` and `CK_ℓ ∘ B_{ℓ+1}` keeps `κ_ℓ` times the O(1)-norm fluctuation of `B_{ℓ+1}`, which
/// (N2) drops.
pub fn coefficients(
    act: &Activation,
    sigma_w2: f64,
    sigma_v2: f64,
    depth: usize,
) -> Result<(Vec<NtkLayer>, Vec<f64>, f64)> {
    coefficients_with(act, sigma_w2, sigma_v2, depth, false)
}

/// [`coefficients`], or with `centre` those of the network whose activation is centred at every
/// layer (`φ − E φ(√s_ℓ ξ)`, [`super::ck::recursion_with`]): then `κ_ℓ = 0` at every layer and
/// (N2)–(N3) hold for any activation (ReLU included); `η'_ℓ` and the slopes are unchanged by the
/// shift.
pub fn coefficients_with(
    act: &Activation,
    sigma_w2: f64,
    sigma_v2: f64,
    depth: usize,
    centre: bool,
) -> Result<(Vec<NtkLayer>, Vec<f64>, f64)> {
    let (layers, tau, r_plus) = unchecked_with(act, sigma_w2, sigma_v2, depth, centre)?;
    if let Some(l) = layers[..depth - 1]
        .iter()
        .position(|l| l.forward.kappa != 0.0)
    {
        return Err(Error::param(
            "activation",
            act.name(),
            &format!(
                "an activation centred at every layer below the last for the deep NTK (E phi(g_l) = 0 for \
                 l < L: tanh, erf, linear); at depth {depth} layer {} has common correlation kappa = {:e}, \
                 and its conjugate kernel times the backward Gram's fluctuation is not in the law \
                 (docs/models/ntk-deep.md); use --centre (centred at every layer) or --depth 1 for \
                 non-centred activations",
                l + 1,
                layers[l].forward.kappa
            ),
        ));
    }
    Ok((layers, tau, r_plus))
}

/// (N2)–(N3) applied without the centring condition of [`coefficients`]: for a non-centred activation
/// at a layer below the last this is **not** the law (it drops `κ_ℓ ΔB_{ℓ+1}`); used to measure how
/// far that naive extension is from sampled networks (docs/models/ntk-deep.md).
pub fn coefficients_unchecked(
    act: &Activation,
    sigma_w2: f64,
    sigma_v2: f64,
    depth: usize,
) -> Result<(Vec<NtkLayer>, Vec<f64>, f64)> {
    unchecked_with(act, sigma_w2, sigma_v2, depth, false)
}

fn unchecked_with(
    act: &Activation,
    sigma_w2: f64,
    sigma_v2: f64,
    depth: usize,
    centre: bool,
) -> Result<(Vec<NtkLayer>, Vec<f64>, f64)> {
    check::positive("sigma_v2", sigma_v2)?;
    let fwd = recursion_with(act, sigma_w2, depth, centre)?;
    let mut layers: Vec<NtkLayer> = Vec::with_capacity(depth);
    for l in &fwd {
        let eta_p = act.constants(l.s, 1.0)?.eta_p;
        layers.push(NtkLayer {
            forward: l.clone(),
            eta_p,
            back_diag: 0.0,
            back_off: 0.0,
        });
    }
    let (mut dd, mut oo) = (sigma_v2, sigma_v2);
    for (i, l) in layers.iter_mut().enumerate().rev() {
        if i + 1 < depth {
            dd *= sigma_w2;
            oo *= sigma_w2;
        }
        dd *= l.eta_p;
        oo *= l.forward.slope;
        l.back_diag = dd;
        l.back_off = oo;
    }
    let mut tau: Vec<f64> = layers.iter().map(|l| l.back_off).collect();
    tau.push(1.0);
    let mut r_plus = 0.0;
    let mut q_prev = 1.0;
    for l in &layers {
        r_plus += (l.back_diag - l.back_off) * q_prev;
        q_prev = l.forward.q;
    }
    // D_ℓ ≥ O_ℓ by Cauchy–Schwarz: a negative r_+ is rounding
    let r_plus = if r_plus < 0.0 && r_plus > -1e-12 * (1.0 + tau[0]) {
        0.0
    } else {
        r_plus
    };
    if !(r_plus >= 0.0 && r_plus.is_finite() && tau.iter().all(|t| t.is_finite())) {
        return Err(Error::Domain(format!(
            "deep NTK coefficients are not finite/admissible: r_+ = {r_plus}, tau = {tau:?}"
        )));
    }
    Ok((layers, tau, r_plus))
}

/// The deep NTK law (bulk; the spike of a non-centred last layer at depth 1 excluded).
#[derive(Debug)]
pub struct DeepNtk {
    activation: String,
    sigma_w2: f64,
    sigma_v2: f64,
    d_ratio: f64,
    width_ratios: Vec<f64>,
    layers: Vec<NtkLayer>,
    system: System,
    /// Atom at `r_+` of mass `(1 − rank/n)₊` (`rank = d` linear, `d + Σ N_ℓ` otherwise).
    atom: Option<(f64, f64)>,
    moments: [f64; 2],
    support: OnceLock<Support>,
    centred: bool,
}

/// `d/n` and the ratios `N_ℓ/n` in `[1e-4, 1e4]`, depth `1..=50`.
fn check_ratios(d_ratio: f64, width_ratios: &[f64]) -> Result<()> {
    check::in_range("d_ratio", d_ratio, 1e-4, 1e4)?;
    check::count("depth", width_ratios.len(), 1, MAX_DEPTH)?;
    for &r in width_ratios {
        check::in_range("width_ratio", r, 1e-4, 1e4)?;
    }
    Ok(())
}

impl DeepNtk {
    /// The law for an activation, `σ_w²`, `σ_v²`, `d/n` and the ratios `N_ℓ/n` (the depth is their
    /// number). Ratios in `[1e-4, 1e4]`, depth `1..=50`, `σ_w², σ_v² > 0`.
    pub fn new(
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
    ) -> Result<Self> {
        Self::with_centring(act, sigma_w2, sigma_v2, d_ratio, width_ratios, false)
    }

    /// [`DeepNtk::new`], or with `centre` the network whose activation is centred at every layer
    /// ([`coefficients_with`]; any activation at any depth).
    pub fn with_centring(
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
        centre: bool,
    ) -> Result<Self> {
        check_ratios(d_ratio, width_ratios)?;
        let (layers, tau, shift) =
            coefficients_with(act, sigma_w2, sigma_v2, width_ratios.len(), centre)?;
        let mut law = Self::assemble(
            act,
            sigma_w2,
            sigma_v2,
            d_ratio,
            width_ratios,
            layers,
            tau,
            shift,
        )?;
        law.centred = centre;
        Ok(law)
    }

    /// The centring constants `m_ℓ` subtracted at each layer (all 0 unless centred).
    pub fn shifts(&self) -> Vec<f64> {
        self.layers.iter().map(|l| l.forward.shift).collect()
    }

    /// The law of `r_+ I + Σ τ_ℓ CK_ℓ` with the coefficients of [`coefficients_unchecked`] (no
    /// centring check): for diagnostics only — at depth ≥ 2 with a non-centred activation it is not
    /// the NTK's law (docs/models/ntk-deep.md).
    pub fn unchecked(
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
    ) -> Result<Self> {
        check_ratios(d_ratio, width_ratios)?;
        let (layers, tau, shift) =
            coefficients_unchecked(act, sigma_w2, sigma_v2, width_ratios.len())?;
        Self::assemble(
            act,
            sigma_w2,
            sigma_v2,
            d_ratio,
            width_ratios,
            layers,
            tau,
            shift,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        d_ratio: f64,
        width_ratios: &[f64],
        layers: Vec<NtkLayer>,
        tau: Vec<f64>,
        shift: f64,
    ) -> Result<Self> {
        let mut alpha = vec![0.0];
        let mut beta = vec![1.0];
        let mut ratio = vec![1.0 / d_ratio];
        for (l, r) in layers.iter().zip(width_ratios) {
            alpha.push(l.forward.alpha);
            beta.push(l.forward.beta);
            ratio.push(1.0 / r);
        }
        let system = System {
            tau,
            alpha,
            beta,
            ratio,
            shift,
        };
        let rank = if matches!(act, Activation::Linear) {
            d_ratio
        } else {
            d_ratio + width_ratios.iter().sum::<f64>()
        };
        let atom = (rank < 1.0).then_some((shift, 1.0 - rank));
        let moments = closed_moments(&system);
        Ok(DeepNtk {
            activation: act.name(),
            sigma_w2,
            sigma_v2,
            d_ratio,
            width_ratios: width_ratios.to_vec(),
            layers,
            system,
            atom,
            moments,
            support: OnceLock::new(),
            centred: false,
        })
    }

    /// The layer constants.
    pub fn layers(&self) -> &[NtkLayer] {
        &self.layers
    }
    /// The weights `τ_0, …, τ_L` of `CK_0, …, CK_L`.
    pub fn tau(&self) -> &[f64] {
        &self.system.tau
    }
    /// The multiple `r_+` of the identity.
    pub fn r_plus(&self) -> f64 {
        self.system.shift
    }
    /// Whether the last layer's conjugate kernel has a rank-one spike (`κ_L ≠ 0`), excluded.
    pub fn has_spike(&self) -> bool {
        self.layers.last().is_some_and(|l| l.forward.kappa != 0.0)
    }
    /// Whether the activation is centred at every layer (`--centre`).
    pub fn is_centred(&self) -> bool {
        self.centred
    }
    /// The activation's name.
    pub fn activation_name(&self) -> &str {
        &self.activation
    }
    /// The width ratios `N_ℓ/n`.
    pub fn width_ratios(&self) -> &[f64] {
        &self.width_ratios
    }
    /// The solver's system (coefficients of the recursion).
    pub fn system(&self) -> &System {
        &self.system
    }

    fn scale(&self) -> f64 {
        self.moments[0].max(1e-300)
    }

    /// An upper bound of the spectrum: `r_+ + Σ τ_ℓ ‖CK_ℓ‖` with
    /// `‖CK_ℓ‖ ≤ (α_ℓ ‖CK_{ℓ−1}‖ + β_ℓ)(1 + √c_ℓ)²`.
    fn upper_bound(&self) -> f64 {
        let s = &self.system;
        let mut norm = 0.0;
        let mut total = s.shift;
        for l in 0..s.tau.len() {
            norm = (s.alpha[l] * norm + s.beta[l]) * (1.0 + s.ratio[l].sqrt()).powi(2);
            total += s.tau[l] * norm;
        }
        total
    }

    /// Boundary value at `x + iη` (atom Lorentzian removed) from a cold start or a neighbour.
    fn boundary(&self, x: f64, start: Option<&[C64]>) -> Result<(f64, Point)> {
        self.boundary_at(x, ETA_MIN * self.scale(), start)
    }

    /// Whether `x` is inside the support: `Im m(x + iη)/π` above `1e-6/m₁`, and not an outside point
    /// near a steep edge, where `Im m ≈ η m'(x)` is large but falls with `η` (checked at `η/100`).
    fn inside(&self, x: f64) -> Result<bool> {
        let thresh = 1e-6 / self.scale();
        let (rho, p) = self.boundary(x, None)?;
        if rho <= thresh {
            return Ok(false);
        }
        let (rho2, _) = self.boundary_at(x, 0.01 * ETA_MIN * self.scale(), Some(&p.delta))?;
        Ok(rho2 > 0.5 * rho)
    }

    fn boundary_at(&self, x: f64, eta: f64, start: Option<&[C64]>) -> Result<(f64, Point)> {
        let z = C64::new(x, eta);
        let p = self.system.solve(z, start, self.scale())?;
        let lorentz = self
            .atom
            .map_or(0.0, |(a, w)| w * z.im / ((x - a).powi(2) + z.im * z.im));
        Ok((density_of(p.m - C64::new(0.0, lorentz)), p))
    }

    fn solve_points(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<Solution>)> {
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        self.solve_on(&self.support()?, xs)
    }

    /// Densities at `xs` on the components of `support` (0 outside), warm-started along each.
    fn solve_on(&self, support: &Support, xs: &[f64]) -> Result<(Vec<f64>, Vec<Solution>)> {
        let mut out = vec![0.0; xs.len()];
        let mut sols = Vec::new();
        for &(lo, hi) in &support.components {
            let mut idx: Vec<usize> = (0..xs.len())
                .filter(|&i| xs[i] > lo && xs[i] < hi)
                .collect();
            idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
            let mut prev: Option<Vec<C64>> = None;
            for i in idx {
                crate::cancel::check()?;
                let (rho, p) = self.boundary(xs[i], prev.as_deref())?;
                out[i] = rho;
                sols.push(Solution {
                    m: p.m,
                    iterations: p.iterations,
                    residual: p.residual,
                });
                prev = Some(p.delta);
            }
        }
        Ok((out, sols))
    }
}

/// `[m₁, m₂]` of `r + Σ τ_ℓ CK_ℓ` (module docs).
pub fn closed_moments(s: &System) -> [f64; 2] {
    let k = s.tau.len();
    let mut p = vec![0.0; k];
    let mut t = vec![vec![0.0; k]; k];
    for l in 0..k {
        let (a, b, c) = (s.alpha[l], s.beta[l], s.ratio[l]);
        let p_prev = if l == 0 { 0.0 } else { p[l - 1] };
        p[l] = a * p_prev + b;
        for j in 0..l {
            t[l][j] = a * t[l - 1][j] + b * p[j];
            t[j][l] = t[l][j];
        }
        let t_prev = if l == 0 { 0.0 } else { t[l - 1][l - 1] };
        t[l][l] = a * a * t_prev + 2.0 * a * b * p_prev + b * b + c * p[l] * p[l];
    }
    let r = s.shift;
    let tp: f64 = (0..k).map(|l| s.tau[l] * p[l]).sum();
    let tt: f64 = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| s.tau[i] * s.tau[j] * t[i][j])
        .sum();
    [r + tp, r * r + 2.0 * r * tp + tt]
}

impl SpectralModel for DeepNtk {
    fn name(&self) -> String {
        "fim-deep".into()
    }
    fn params(&self) -> serde_json::Value {
        let mut p = serde_json::json!({
            "activation": self.activation,
            "sigma_w2": self.sigma_w2,
            "sigma_v2": self.sigma_v2,
            "depth": self.layers.len(),
            "d_over_n": self.d_ratio,
            "width_over_n": self.width_ratios,
            "layers": self.layers,
            "tau": self.system.tau,
            "r_plus": self.system.shift,
            "combination": "Θ ≈ r_+ I + Σ_l tau_l CK_l (l = 0..L, CK_0 = XᵀX/d)",
        });
        if self.centred {
            p["centred"] = serde_json::json!("at every layer: phi - E phi(sqrt(s_l) xi)");
        }
        p
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        Ok(self.system.solve(z, None, self.scale())?.m)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        Ok(self.solve_points(xs)?.0)
    }
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        let (d, s) = self.solve_points(xs)?;
        Ok((d, SolveStats::of(&s)))
    }
    /// Components by a scan of the density (600 cold probes on `[r_+ − 1.3%, 1.02 × bound]`, edges
    /// bisected to `1e-10` of the range; inside = density above `1e-6/m₁` at `Im z = 1e-10 m₁` that
    /// does not fall at `Im z/100`); the atom at `r_+` when the rank is below `n`.
    fn support(&self) -> Result<Support> {
        if let Some(s) = self.support.get() {
            return Ok(s.clone());
        }
        let (r, bound) = (self.system.shift, 1.02 * self.upper_bound());
        let [m1, m2] = self.moments;
        // the norm bound is loose at large depth (a factor (1 + √c)² per layer): scan up to
        // m₁ + 60 sd first, and fall back to the bound unless that range carries the whole mass
        let near = (m1 + 60.0 * (m2 - m1 * m1).max(0.0).sqrt()).min(bound);
        let atoms: Vec<(f64, f64)> = self.atom.into_iter().collect();
        let mut support = None;
        for hi in [near, bound] {
            let lo = r - 0.0131 * (hi - r);
            let comps = crate::numerics::edges::scan_components(
                |x| self.inside(x),
                lo,
                hi,
                600,
                1e-10 * (hi - lo),
            )?;
            if comps.is_empty() {
                continue;
            }
            let s = Support {
                components: comps,
                atoms: atoms.clone(),
            };
            if hi < bound {
                let t = crate::spectral::SpectralDensity::from_support(&s, 100, |xs| {
                    Ok(self.solve_on(&s, xs)?.0)
                })?;
                if (t.mass() + s.atom_mass() - 1.0).abs() > 1e-4 {
                    continue;
                }
            }
            support = Some(s);
            break;
        }
        let Some(s) = support else {
            return Err(Error::Domain(format!(
                "deep NTK: no support component carrying the law's mass found on [{r}, {bound}] \
                 (600-probe scans up to m1 + 60 sd = {near} and up to the norm bound)"
            )));
        };
        Ok(self.support.get_or_init(|| s).clone())
    }
    fn moments(&self) -> Vec<f64> {
        self.moments.to_vec()
    }
}
