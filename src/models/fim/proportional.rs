//! FIM / NTK / CK Gram spectra in the proportional limit `n, d, N → ∞` through Gaussian equivalence
//! (the "Wishart ansatz"), docs/models/fim.md (F15–F19).
//!
//! The dual Gram matrix is replaced by `K ≈ μ0² 1 1ᵀ + Ψᵀ Ψ + c I` with `Ψ = M G` Gaussian (F15): the
//! empirical conjugate kernel becomes a Wishart matrix with `N` degrees of freedom whose population is the
//! linearised infinite-width kernel, and the first-layer kernel its infinite-width value. The bulk
//! (without the `μ0²` spike) then has the Silverstein law (F16)
//!
//! ```text
//! m = 1 / ( -(z - c) + τ(m) ),   τ(m) = (1/n) Σ_j t_j / (1 + t_j m),
//! ```
//!
//! with population eigenvalues `t_j` those of `B(s) = [[A s² + t_u, α a σ_v μ1 s], [α a σ_v μ1 s, t_d]]`
//! for `s²` the nonzero MP(γ) eigenvalues of `W̃ᵀW̃/N` (`A = α a²`, `t_u = (n/N) μ*²`,
//! `t_d = α σ_v² μ1²`), plus `(N - d)₊` copies of `t_u` and `(d - N)₊` of `t_d`. In closed form (F17),
//! with `C0 = t_u + t_d`, `D = t_u t_d`, `a_g = (1 - 1/γ)₊`,
//!
//! ```text
//! τ(m) = (1/α)(1/m)[(1 - a_g) - ((1 - m² D)/(m A)) ĝ(ζ)] + ((1/γ - 1)₊/α) t_u/(1 + t_u m)
//!        + ((1 - 1/γ)₊/α) t_d/(1 + t_d m),   ζ = -(1 + m C0 + m² D)/(m A),   ĝ(ζ) = g_MP(ζ; γ, 1) + a_g/ζ,
//! ```
//!
//! and for `A = 0`: `τ(m) = min(1, 1/γ)/α [t_u/(1 + t_u m) + t_d/(1 + t_d m)]` + the same two terms.
//! Variants: readout only (`t_d = 0`, `c = 0`; the CK, equal to Pennington–Worah 2017 / Louart–Liao–
//! Couillet and *asymptotically exact*), first layer only (`A = 0`, `t_u = 0`: `c + σ_v² μ1² MP(α)`,
//! atom `(1 - d/n)₊` at `c`), both (the NTK; an *ansatz*, confirmed by Monte Carlo only). For a linear
//! activation the law is exact and equals F9 ([`super::linear`]).
//!
//! Atom at `c`: `(1 - rank(M)/n)₊` (F12, F19). Moments of the bulk (F18):
//! `m1 = (η - μ0²) + σ_v² η'`, `m2 - m1² = α (a² + σ_v² μ1²)² + (n/N)(η - μ0²)²` (both layers; readout:
//! drop the `σ_v²` terms; first layer: `m1 = σ_v² η'`, `m2 - m1² = α σ_v⁴ μ1⁴`).

use super::activation::GaussianConstants;
use super::law::{density_on_support, support_from_inverse, Ratios};
use super::sampler::Trained;
use crate::error::{Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::mp::MarchenkoPastur;
use crate::numerics::stieltjes::{self, ResolventEquation, SolverOptions};
use num_complex::Complex64 as C64;
use std::sync::OnceLock;

/// Terms of the small-`m` series of `τ` (used for `|m| t_max < 0.1`: truncation error `< 0.1^40`).
const SERIES_TERMS: usize = 40;

/// The proportional-limit law of the dual Gram matrix `Θ` (bulk, `μ0²` spike excluded), F16–F18.
#[derive(Debug, Clone)]
pub struct ProportionalFim {
    ratios: Ratios,
    consts: GaussianConstants,
    trained: Trained,
    mp: MarchenkoPastur,
    big_a: f64,
    t_u: f64,
    t_d: f64,
    #[doc(hidden)]
    pub shift: f64,
    /// `S = m1`: the equation is solved for the law of `Θ/S` (unit mean), `A, t_u, t_d, c` all divided
    /// by `S`, and mapped back (`g(z) = g₁(z/S)/S`). The edge scan and tolerances assume O(1) laws; at
    /// `σ_w² = 1e-3` (bulk mean ~1e-6) the unscaled scan found spurious edges and failed.
    scale: f64,
    opts: SolverOptions,
    /// Support of the unit-scale law `Θ/S`.
    support: OnceLock<Support>,
    /// Small-`m` series of the unit-scale `τ₁`: `τ₁(m) = Σ_k p_{k+1} (-m)^k` with `p_k` the population
    /// power sums, and its radius `1/t_max`.
    #[doc(hidden)]
    pub series: (Vec<f64>, f64),
    /// First layer only: the law is exactly `c + σ_v² μ₁² MP(ratio α)` (F17, A = t_u = 0); evaluated in
    /// closed form (the generic continuation is slow for MP-type laws at α ~ 1e3).
    first_only: Option<MarchenkoPastur>,
}

impl ProportionalFim {
    /// The law for given ratios, activation constants (with `σ_w², σ_v²`) and trained layers.
    pub fn new(ratios: Ratios, consts: GaussianConstants, trained: Trained) -> Result<Self> {
        let (alpha, gamma) = (ratios.alpha(), ratios.gamma());
        let g = &consts;
        let (mut big_a, mut t_u, mut t_d, mut shift) = (
            alpha * g.a * g.a,
            alpha * gamma * g.mu_star2,
            alpha * g.sigma_v2 * g.mu1 * g.mu1,
            g.c,
        );
        match trained {
            Trained::Both => {}
            Trained::Readout => {
                t_d = 0.0;
                shift = 0.0;
            }
            Trained::First => {
                big_a = 0.0;
                t_u = 0.0;
            }
        }
        if big_a + t_u + t_d <= 0.0 {
            return Err(Error::Domain(format!(
                "degenerate law: the {trained:?} kernel of `{}` is c I (no random part); \
                 need a nonconstant activation (and sigma_v2 > 0 with mu1 != 0 for the first layer only)",
                g.activation
            )));
        }
        let mut law = ProportionalFim {
            ratios,
            mp: MarchenkoPastur::new(gamma, 1.0)?,
            first_only: None,
            consts,
            trained,
            big_a,
            t_u,
            t_d,
            shift,
            scale: 1.0,
            opts: SolverOptions::default(),
            support: OnceLock::new(),
            series: (Vec::new(), 0.0),
        };
        let scale = law.bulk_moments()[0];
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::Domain(format!(
                "degenerate law: bulk mean {scale} of the {trained:?} kernel of `{}`",
                law.consts.activation
            )));
        }
        law.scale = scale;
        law.big_a /= scale;
        law.t_u /= scale;
        law.t_d /= scale;
        law.shift /= scale;
        if trained == Trained::First && law.t_d > 0.0 {
            law.first_only = Some(MarchenkoPastur::new(alpha, law.t_d / alpha)?);
        }
        law.series = law.power_sums(SERIES_TERMS);
        Ok(law)
    }

    /// Ratios.
    pub fn ratios(&self) -> Ratios {
        self.ratios
    }
    /// Activation constants.
    pub fn constants(&self) -> &GaussianConstants {
        &self.consts
    }
    /// The diagonal shift `c` of the law (0 for the readout-only CK).
    pub fn shift(&self) -> f64 {
        self.shift * self.scale
    }
    /// Population constants `(A, t_u, t_d)` of F16.
    pub fn population(&self) -> (f64, f64, f64) {
        let s = self.scale;
        (self.big_a * s, self.t_u * s, self.t_d * s)
    }

    /// Mass of the atom at `c`: `(1 - rank(M)/n)₊` (F12, F19).
    pub fn atom_mass(&self) -> f64 {
        let (dn, wn) = (self.ratios.d_over_n, self.ratios.width_over_n);
        let per_s = if self.t_u * self.t_d > 0.0 {
            2.0
        } else if self.big_a + self.t_u + self.t_d > 0.0 {
            1.0
        } else {
            0.0
        };
        let rank = dn.min(wn) * per_s
            + if self.t_u > 0.0 {
                (wn - dn).max(0.0)
            } else {
                0.0
            }
            + if self.t_d > 0.0 {
                (dn - wn).max(0.0)
            } else {
                0.0
            };
        let a = 1.0 - rank;
        if a > 1e-12 {
            a
        } else {
            0.0
        }
    }

    /// Moments `[m1, m2]` of the bulk (F18), atoms included.
    pub fn bulk_moments(&self) -> [f64; 2] {
        let g = &self.consts;
        let alpha = self.ratios.alpha();
        let n_over_w = 1.0 / self.ratios.width_over_n;
        let ck = g.eta - g.mu0 * g.mu0;
        let (a2, v) = (g.a * g.a, g.sigma_v2 * g.mu1 * g.mu1);
        let (m1, var) = match self.trained {
            Trained::Both => (
                ck + g.sigma_v2 * g.eta_p,
                alpha * (a2 + v).powi(2) + n_over_w * ck * ck,
            ),
            Trained::Readout => (ck, alpha * a2 * a2 + n_over_w * ck * ck),
            Trained::First => (g.sigma_v2 * g.eta_p, alpha * v * v),
        };
        [m1, var + m1 * m1]
    }

    /// `τ(m)` of F17 (complex `m`): `S τ₁(S m)` with `τ₁` that of the unit-scale law.
    pub fn tau(&self, m: C64) -> C64 {
        self.tau_unit(m * self.scale) * self.scale
    }

    /// Population power sums `p_k = (1/n) Σ_j t_j^k`, `k = 1..=kmax`, of the unit-scale law, and the
    /// series radius `1/t_max`.
    ///
    /// The eigenvalues `λ±(s)` of `B(s)` have power sums `P_k = T P_{k-1} - D P_{k-2}` (`T = A s² + C0`,
    /// `D = t_u t_d`), polynomials in `x = s²` whose MP(γ) averages are Narayana moments (the atom of
    /// MP at 0 carries no `s`; its mass is the `(1/γ - 1)₊`-weighted `t_u` term). So
    /// `p_k = (1/α)[Σ_j [x^j]P_k · N_j + (1/γ - 1)₊ t_u^k + (1 - 1/γ)₊ t_d^k]`, `N_0 = min(1, 1/γ)`.
    fn power_sums(&self, kmax: usize) -> (Vec<f64>, f64) {
        let (alpha, gamma) = (self.ratios.alpha(), self.ratios.gamma());
        let nar = self.mp.narayana_moments(kmax);
        let moment = |j: usize| {
            if j == 0 {
                gamma.recip().min(1.0)
            } else {
                nar[j - 1]
            }
        };
        let (tu, td) = (self.t_u, self.t_d);
        let (c0, d) = (tu + td, tu * td);
        // polynomials in x as coefficient vectors; the A = 0 case is covered (T constant)
        let mut prev: Vec<f64> = vec![2.0];
        let mut cur: Vec<f64> = vec![c0, self.big_a];
        let mut out = Vec::with_capacity(kmax);
        for k in 1..=kmax {
            let pk: f64 = cur.iter().enumerate().map(|(j, c)| c * moment(j)).sum();
            let extra = (1.0 / gamma - 1.0).max(0.0) * tu.powi(k as i32)
                + (1.0 - 1.0 / gamma).max(0.0) * td.powi(k as i32);
            out.push((pk + extra) / alpha);
            // next: T * cur - D * prev
            let mut next = vec![0.0; cur.len() + 1];
            for (j, c) in cur.iter().enumerate() {
                next[j] += c0 * c;
                next[j + 1] += self.big_a * c;
            }
            for (j, p) in prev.iter().enumerate() {
                next[j] -= d * p;
            }
            prev = std::mem::replace(&mut cur, next);
        }
        let (_, hi) = self.mp.edges();
        let t_max = (self.big_a * hi + c0)
            .max(tu)
            .max(td)
            .max(f64::MIN_POSITIVE);
        (out, 1.0 / t_max)
    }

    /// `τ₁` of the unit-scale law `Θ/S`: the small-`m` series where `|m| t_max < 0.1` (the closed form
    /// cancels there — at `α = 0.01` it lost every digit at `Im z ~ 1e6` and the solver gave up), the
    /// closed form F17 elsewhere.
    #[doc(hidden)]
    pub fn tau_unit(&self, m: C64) -> C64 {
        let (coef, radius) = &self.series;
        if m.norm() < 0.1 * radius && !coef.is_empty() {
            let mut acc = C64::new(0.0, 0.0);
            for c in coef.iter().rev() {
                acc = acc * (-m) + c;
            }
            return acc;
        }
        self.tau_closed(m)
    }

    /// `τ₁` by the closed form F17.
    #[doc(hidden)]
    pub fn tau_closed(&self, m: C64) -> C64 {
        let (alpha, gamma) = (self.ratios.alpha(), self.ratios.gamma());
        let ag = (1.0 - 1.0 / gamma).max(0.0);
        let (tu, td) = (self.t_u, self.t_d);
        let main = if self.big_a > 0.0 {
            let (c0, d) = (tu + td, tu * td);
            let zeta = -(1.0 + m * c0 + m * m * d) / (m * self.big_a);
            let ghat = self.mp.stieltjes_closed(zeta) + ag / zeta;
            (C64::new(1.0 - ag, 0.0) - (1.0 - m * m * d) / (m * self.big_a) * ghat) / (alpha * m)
        } else {
            (tu / (1.0 + tu * m) + td / (1.0 + td * m)) * ((1.0f64).min(1.0 / gamma) / alpha)
        };
        main + tu / (1.0 + tu * m) * ((1.0 / gamma - 1.0).max(0.0) / alpha)
            + td / (1.0 + td * m) * (ag / alpha)
    }

    /// Real inverse `x(m) = c + τ(m) - 1/m` for real `m` (NaN where `τ` is not real).
    pub fn x_of_m(&self, m: f64) -> f64 {
        self.x_of_m_unit(m * self.scale) * self.scale
    }

    /// Real inverse of the unit-scale law.
    fn x_of_m_unit(&self, m: f64) -> f64 {
        if m == 0.0 || !m.is_finite() {
            return f64::NAN;
        }
        if self.big_a > 0.0 {
            let (c0, d) = (self.t_u + self.t_d, self.t_u * self.t_d);
            let zeta = -(1.0 + m * c0 + m * m * d) / (m * self.big_a);
            let (lo, hi) = self.mp.edges();
            if zeta == 0.0 || (zeta >= lo && zeta <= hi) {
                return f64::NAN;
            }
        }
        let t = self.tau_unit(C64::new(m, 0.0));
        if t.im.abs() > 1e-9 * (1.0 + t.re.abs()) {
            return f64::NAN;
        }
        self.shift + t.re - 1.0 / m
    }

    fn support_cached(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        if let Some(mp) = &self.first_only {
            let (lo, hi) = mp.edges();
            let atom = mp.atom();
            let s = Support {
                components: vec![(self.shift + lo, self.shift + hi)],
                atoms: if atom > 0.0 {
                    vec![(self.shift, atom)]
                } else {
                    vec![]
                },
            };
            let _ = self.support.set(s);
            return Ok(self.support.get().expect("just set"));
        }
        let atom = self.atom_mass();
        let atoms = if atom > 0.0 {
            vec![(self.shift, atom)]
        } else {
            vec![]
        };
        let s = support_from_inverse(
            self,
            |m| self.x_of_m_unit(m),
            &[0.0, self.shift],
            0.0,
            atoms,
            &self.opts,
        )?;
        let _ = self.support.set(s);
        Ok(self.support.get().expect("just set"))
    }
}

impl ResolventEquation for ProportionalFim {
    fn map(&self, m: C64, z: C64) -> C64 {
        (-(z - self.shift) + self.tau_unit(m)).inv()
    }
    fn describe(&self) -> String {
        format!(
            "proportional FIM law ({:?}, {}, alpha {}, gamma {})",
            self.trained,
            self.consts.activation,
            self.ratios.alpha(),
            self.ratios.gamma()
        )
    }
}

impl SpectralModel for ProportionalFim {
    fn name(&self) -> String {
        self.trained.model_name()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "proportional", "trained": self.trained,
            "ratios": self.ratios.json(), "constants": self.consts.summary(),
            "shift_c": self.shift(), "population": {"A": self.big_a * self.scale, "t_u": self.t_u * self.scale, "t_d": self.t_d * self.scale},
            "exact": matches!(self.trained, Trained::Readout) || self.consts.mu_star2 == 0.0,
            "scale": "eigenvalues of the dual Gram Θ = J Jᵀ (n × n), μ0² spike excluded; FIM = Θ/n",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        // unit-scale law Θ/S: g(z) = g₁(z/S)/S
        let (sc, z1) = (self.scale, z / self.scale);
        if let Some(mp) = &self.first_only {
            return Ok(mp.stieltjes(z1 - self.shift)? / sc);
        }
        Ok(stieltjes::solve(self, z1, None, &self.opts)?.m / sc)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let sc = self.scale;
        let unit: Vec<f64> = xs.iter().map(|x| x / sc).collect();
        let rho = if let Some(mp) = &self.first_only {
            let shifted: Vec<f64> = unit.iter().map(|x| x - self.shift).collect();
            mp.density_many(&shifted)?
        } else {
            density_on_support(self, self.support_cached()?, &unit, &self.opts)?
        };
        Ok(rho.into_iter().map(|r| r / sc).collect())
    }
    fn support(&self) -> Result<Support> {
        let s = self.support_cached()?;
        let sc = self.scale;
        Ok(Support {
            components: s.components.iter().map(|c| (c.0 * sc, c.1 * sc)).collect(),
            atoms: s.atoms.iter().map(|a| (a.0 * sc, a.1)).collect(),
        })
    }
    fn moments(&self) -> Vec<f64> {
        self.bulk_moments().to_vec()
    }
}
