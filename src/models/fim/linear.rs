//! FIM of the linear two-layer network in the proportional limit — exact (docs/models/fim.md
//! (F9–F12)).
//!
//! With `φ(h) = h` the dual Gram matrix is exactly `Θ = Xᵀ Σ_W X / d`,
//! `Σ_W = WᵀW/N + (|v|²/N) I_d`: given `(W, v)` a sample-covariance (Silverstein) matrix whose population
//! is `Σ_W`, with limiting law `H = σ_v² + σ_w² MP(γ)` (atom of `WᵀW/N` at 0 included). Its Stieltjes
//! transform solves (F9)
//!
//! ```text
//! m = 1 / ( -z + τ(m) ),   τ(m) = (1/u) [ 1 - g_H(-1/u)/u ],   u = α m,
//! g_H(ζ) = g_MP(ζ - σ_v²; c = γ, s² = σ_w²)   (closed-form MP, F3),
//! ```
//!
//! equivalently the nonzero eigenvalues of `Θ` are those of `α (MP_{1/α} ⊠ H)`. Eliminating `g_H` gives
//! the quartic F10 `c4 m⁴ + c3 m³ + c2 m² + c1 m + c0 = 0` ([`LinearFim::quartic`]), used as an
//! independent algebraic route; the free-multiplicative moments ([`LinearFim::free_moments`],
//! non-crossing-partition sums) are a third. Atom at 0 (F12): `(1 - d/n)₊` (both layers) or
//! `1 - min(n, d, N)/n` (readout only). Moments: `m1 = σ_w² + σ_v²`,
//! `m2 = m1² + α [σ_w⁴ (1 + γ) + 2 σ_w² σ_v² + σ_v⁴]`.

use super::law::{density_on_support, support_from_inverse, Ratios};
use super::sampler::Trained;
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::mp::MarchenkoPastur;
use crate::numerics::poly;
use crate::numerics::stieltjes::{self, ResolventEquation, SolverOptions};
use num_complex::Complex64 as C64;
use std::sync::OnceLock;

/// The exact proportional law of the linear network's dual Gram matrix (F9).
#[derive(Debug, Clone)]
pub struct LinearFim {
    ratios: Ratios,
    sigma_w2: f64,
    sigma_v2: f64,
    trained: Trained,
    #[doc(hidden)]
    pub mp: MarchenkoPastur,
    opts: SolverOptions,
    support: OnceLock<Support>,
    /// The same law at unit mean (`σ_w² + σ_v² = 1`), solved in place of this one when the scale is
    /// not 1: `g(z) = g₁(z/S)/S`, `S = σ_w² + σ_v²` (the edge scan and tolerances assume O(1) laws;
    /// at `σ_v² = 1e300` the unscaled law lost 0.75% of its mass).
    unit: Option<Box<LinearFim>>,
}

impl LinearFim {
    /// Both layers (`trained = Both`, needs `σ_v² > 0`) or readout only (`Readout`: `Σ_W = WᵀW/N`).
    /// First-layer-only is exactly `σ_v² MP(α)`: use [`MarchenkoPastur`].
    pub fn new(ratios: Ratios, sigma_w2: f64, sigma_v2: f64, trained: Trained) -> Result<Self> {
        let sigma_w2 = check::positive("sigma_w2", sigma_w2)?;
        let sigma_v2 =
            match trained {
                Trained::Both => check::positive("sigma_v2", sigma_v2)?,
                Trained::Readout => 0.0,
                Trained::First => return Err(Error::param(
                    "trained",
                    "first",
                    "both or readout (first-layer-only linear is sigma_v2 MP(n/d): use model mp)",
                )),
            };
        let scale = sigma_w2 + sigma_v2;
        let unit = if (scale - 1.0).abs() > 1e-12 {
            let (w1, v1) = (sigma_w2 / scale, sigma_v2 / scale);
            // σ_v² may underflow to 0 relative to σ_w²: then the law is the readout one at unit scale
            let t1 = if v1 > 0.0 { trained } else { Trained::Readout };
            Some(Box::new(LinearFim::new(ratios, w1, v1, t1)?))
        } else {
            None
        };
        Ok(LinearFim {
            mp: MarchenkoPastur::new(ratios.gamma(), sigma_w2)?,
            ratios,
            sigma_w2,
            sigma_v2,
            trained,
            opts: SolverOptions::default(),
            support: OnceLock::new(),
            unit,
        })
    }

    /// `S = σ_w² + σ_v²`, the mean of the law.
    fn scale(&self) -> f64 {
        self.sigma_w2 + self.sigma_v2
    }

    /// `τ(m)` of F9, `τ(m) = ∫ t dH(t)/(1 + u t) = (1/u) ∫ t dH(t)/(t - ζ)`, `ζ = -1/u`, `u = α m`.
    ///
    /// Near the support of `H` through the closed-form MP transform, `(1/u)[1 - g_H(ζ)/u]`. Far from
    /// it (`|u|` small) that form cancels catastrophically (`g_H(ζ)/u → 1`; at `α = 0.01` the
    /// fixed point could not reach its tolerance and the solver gave up), so there
    /// `∫ t dH/(t - ζ) = σ_v² g_MP(ζ') + W(ζ')`, `ζ' = ζ - σ_v²`, with `W = 1 + ζ' g_MP(ζ')` the small
    /// root of `γ s W² + (ζ' - s(1 + γ)) W + s = 0` (`s = σ_w²`; from the MP quadratic), which has no
    /// cancellation.
    pub fn tau(&self, m: C64) -> C64 {
        let u = m * self.ratios.alpha();
        let zeta = -u.inv();
        let zp = zeta - self.sigma_v2;
        let (_, hi) = self.mp.edges();
        if zp.norm() <= 8.0 * hi.max(self.sigma_w2) {
            let gh = self.mp.stieltjes_closed(zp);
            return (C64::new(1.0, 0.0) - gh / u) / u;
        }
        let (c, s) = (self.ratios.gamma(), self.sigma_w2);
        let b = zp - s * (1.0 + c);
        let mut q = (b * b - 4.0 * c * s * s).sqrt();
        if (q * b.conj()).re < 0.0 {
            q = -q;
        }
        let w = -2.0 * s / (b + q);
        let g = (w - 1.0) / zp;
        (g * self.sigma_v2 + w) / u
    }

    /// Coefficients `[c0, c1, c2, c3, c4]` of the quartic F10 at `z`.
    pub fn quartic(&self, z: C64) -> [C64; 5] {
        let (a, g, s, v) = (
            self.ratios.alpha(),
            self.ratios.gamma(),
            self.sigma_w2,
            self.sigma_v2,
        );
        [
            C64::new(-1.0, 0.0),
            a * g * s * (a - 1.0) - (a - 1.0) * (v + s) - z,
            a * (g * v * s * (a - 1.0).powi(2) + g * s * z * (2.0 * a - 1.0) - (v + s) * z),
            a * a * g * s * z * (2.0 * (a - 1.0) * v + z),
            a.powi(3) * g * v * s * z * z,
        ]
    }

    /// `m(z)` from the roots of the quartic F10, choosing the root nearest to `reference`
    /// (the continuation value) among those in the closed upper half plane.
    pub fn stieltjes_quartic(&self, z: C64, reference: C64) -> Result<C64> {
        let c = self.quartic(z);
        let coeffs: Vec<C64> = if c[4].norm() == 0.0 {
            c[..4].to_vec()
        } else {
            c.to_vec()
        };
        let r = poly::roots(&coeffs)?;
        poly::select_physical(&r, reference)
            .ok_or_else(|| Error::Domain(format!("no root of F10 in C+ at z = {z}")))
    }

    /// Moments `m_1..m_4` by the free multiplicative convolution `α (MP_{1/α} ⊠ H)`: with `h_k` the
    /// moments of `H` and `c = 1/α`, `s_k = Σ_{π ∈ NC(k)} c^{|π|-1} Π_{B∈π} h_{|B|}` and
    /// `m_k = α^{k-1} s_k` (the `(1 - d/n)` zero atom included).
    pub fn free_moments(&self) -> [f64; 4] {
        let mp = self.mp.narayana_moments(4);
        let mpk = |j: usize| if j == 0 { 1.0 } else { mp[j - 1] };
        let binom = |n: usize, k: usize| -> f64 {
            (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
        };
        let h: Vec<f64> = (0..=4)
            .map(|k| {
                (0..=k)
                    .map(|j| binom(k, j) * self.sigma_v2.powi((k - j) as i32) * mpk(j))
                    .sum()
            })
            .collect();
        let c = 1.0 / self.ratios.alpha();
        let s = [
            h[1],
            h[2] + c * h[1] * h[1],
            h[3] + 3.0 * c * h[1] * h[2] + c * c * h[1].powi(3),
            h[4] + c * (4.0 * h[1] * h[3] + 2.0 * h[2] * h[2])
                + 6.0 * c * c * h[1] * h[1] * h[2]
                + c.powi(3) * h[1].powi(4),
        ];
        let a = self.ratios.alpha();
        [s[0], a * s[1], a * a * s[2], a.powi(3) * s[3]]
    }

    /// Atom at 0 (F12).
    pub fn atom_mass(&self) -> f64 {
        let (dn, wn) = (self.ratios.d_over_n, self.ratios.width_over_n);
        let rank = match self.trained {
            Trained::Readout => dn.min(wn).min(1.0),
            _ => dn.min(1.0),
        };
        let a = 1.0 - rank;
        if a > 1e-12 {
            a
        } else {
            0.0
        }
    }

    /// Real inverse `x(m) = τ(m) - 1/m` (NaN where `τ` is not real).
    fn x_of_m(&self, m: f64) -> f64 {
        if m == 0.0 || !m.is_finite() {
            return f64::NAN;
        }
        let zeta = -1.0 / (self.ratios.alpha() * m) - self.sigma_v2;
        let (lo, hi) = self.mp.edges();
        if zeta == 0.0 || (zeta >= lo && zeta <= hi) {
            return f64::NAN;
        }
        let t = self.tau(C64::new(m, 0.0));
        if t.im.abs() > 1e-9 * (1.0 + t.re.abs()) {
            return f64::NAN;
        }
        t.re - 1.0 / m
    }

    fn support_cached(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let a = self.atom_mass();
        let atoms = if a > 0.0 { vec![(0.0, a)] } else { vec![] };
        let s = support_from_inverse(self, |m| self.x_of_m(m), &[0.0], 0.0, atoms, &self.opts)?;
        let _ = self.support.set(s);
        Ok(self.support.get().expect("just set"))
    }
}

impl ResolventEquation for LinearFim {
    fn map(&self, m: C64, z: C64) -> C64 {
        (-z + self.tau(m)).inv()
    }
    fn describe(&self) -> String {
        format!(
            "linear FIM law F9 (alpha {}, gamma {})",
            self.ratios.alpha(),
            self.ratios.gamma()
        )
    }
}

impl SpectralModel for LinearFim {
    fn name(&self) -> String {
        "fim-linear".into()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "proportional", "activation": "linear", "exact": true,
            "trained": self.trained, "ratios": self.ratios.json(),
            "sigma_w2": self.sigma_w2, "sigma_v2": self.sigma_v2,
            "scale": "eigenvalues of the dual Gram Θ = J Jᵀ (n × n); FIM = Θ/n",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if let Some(u) = &self.unit {
            let sc = self.scale();
            return Ok(u.stieltjes(z / sc)? / sc);
        }
        Ok(stieltjes::solve(self, z, None, &self.opts)?.m)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        if let Some(u) = &self.unit {
            let sc = self.scale();
            let unit: Vec<f64> = xs.iter().map(|x| x / sc).collect();
            return Ok(u.density_many(&unit)?.into_iter().map(|r| r / sc).collect());
        }
        density_on_support(self, self.support_cached()?, xs, &self.opts)
    }
    fn support(&self) -> Result<Support> {
        if let Some(u) = &self.unit {
            let (s, sc) = (u.support()?, self.scale());
            return Ok(Support {
                components: s.components.iter().map(|c| (c.0 * sc, c.1 * sc)).collect(),
                atoms: s.atoms.iter().map(|a| (a.0 * sc, a.1)).collect(),
            });
        }
        Ok(self.support_cached()?.clone())
    }
    fn moments(&self) -> Vec<f64> {
        let (a, g, s, v) = (
            self.ratios.alpha(),
            self.ratios.gamma(),
            self.sigma_w2,
            self.sigma_v2,
        );
        let m1 = s + v;
        vec![m1, m1 * m1 + a * (s * s * (1.0 + g) + 2.0 * s * v + v * v)]
    }
}
