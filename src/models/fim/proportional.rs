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
    shift: f64,
    /// `S = m1`: the equation is solved for the law of `Θ/S` (unit mean), `A, t_u, t_d, c` all divided
    /// by `S`, and mapped back (`g(z) = g₁(z/S)/S`). The edge scan and tolerances assume O(1) laws; at
    /// `σ_w² = 1e-3` (bulk mean ~1e-6) the unscaled scan found spurious edges and failed.
    scale: f64,
    opts: SolverOptions,
    /// Support of the unit-scale law `Θ/S`.
    support: OnceLock<Support>,
    /// Small-`m` series of the unit-scale `τ₁`: `τ₁(m) = Σ_k p_{k+1} (-m)^k` with `p_k` the population
    /// power sums, and its radius `1/t_max`.
    series: (Vec<f64>, f64),
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
    fn tau_unit(&self, m: C64) -> C64 {
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
    fn tau_closed(&self, m: C64) -> C64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::fim::activation::Activation;
    use crate::spectral::SpectralDensity;

    fn law(act: &str, alpha: f64, gamma: f64, t: Trained) -> ProportionalFim {
        let g = Activation::parse(act).unwrap().constants(1.0, 1.0).unwrap();
        ProportionalFim::new(Ratios::from_alpha_gamma(alpha, gamma).unwrap(), g, t).unwrap()
    }

    /// The small-`m` series of τ agrees with the closed form where both are accurate (|m| t_max ~
    /// 0.05–0.1), for every variant and for γ below, at and above 1.
    #[test]
    fn tau_series_matches_closed_form() {
        for (act, a, g) in [
            ("tanh", 1.5, 0.5),
            ("relu", 0.7, 2.0),
            ("erf", 1.0, 1.0),
            ("tanh", 0.01, 3.0),
        ] {
            for t in [Trained::Both, Trained::Readout] {
                let l = law(act, a, g, t);
                let r = l.series.1;
                for m in [
                    C64::new(0.09 * r, 0.0),
                    C64::new(-0.05 * r, 0.02 * r),
                    C64::new(0.0, 0.099 * r),
                ] {
                    let (s, c) = (l.tau_unit(m), l.tau_closed(m));
                    assert!(
                        (s - c).norm() < 1e-10 * c.norm(),
                        "{act} {a} {g} {t:?} {m}: {s} vs {c}"
                    );
                }
                // p_1 = τ(0) = m1 - c on the unit scale, i.e. the mean of the random part
                let p1 = l.series.0[0];
                assert!(
                    (p1 - (1.0 - l.shift)).abs() < 1e-12,
                    "{act} {t:?}: p1 {p1} shift {}",
                    l.shift
                );
            }
        }
    }

    /// Reference table of the nonlinear laws (σ's = 1): edges, densities, F18 moments.
    #[test]
    fn section5_reference_numbers() {
        type Row = (
            &'static str,
            f64,
            f64,
            Trained,
            Vec<(f64, f64)>,
            [(f64, f64); 3],
            [f64; 2],
        );
        let rows: Vec<Row> = vec![
            (
                "tanh",
                1.5,
                0.5,
                Trained::Both,
                vec![(0.102373, 0.145504), (0.153830, 4.332551)],
                [
                    (0.948409, 0.249608),
                    (1.794444, 0.136161),
                    (2.640480, 0.082008),
                ],
                [0.858697, 1.661564],
            ),
            (
                "erf",
                1.0,
                2.0,
                Trained::Both,
                vec![(0.151044, 5.294111)],
                [
                    (1.179657, 0.230451),
                    (2.208271, 0.101383),
                    (3.236884, 0.056540),
                ],
                [1.033969, 2.221229],
            ),
            (
                "crelu",
                1.0,
                1.0,
                Trained::Both,
                vec![(0.269542, 2.972410)],
                [
                    (0.810116, 0.497594),
                    (1.350689, 0.247967),
                    (1.891263, 0.143131),
                ],
                [0.840845, 1.073196],
            ),
            (
                "relu",
                1.5,
                0.5,
                Trained::Both,
                vec![(0.264456, 3.285860)],
                [
                    (0.868736, 0.373379),
                    (1.473017, 0.198706),
                    (2.077298, 0.118819),
                ],
                [0.840845, 1.169152],
            ),
            (
                "tanh",
                1.5,
                0.5,
                Trained::Readout,
                vec![(0.001049, 2.713812)],
                [
                    (0.543602, 0.330979),
                    (1.086155, 0.164850),
                    (1.628707, 0.096548),
                ],
                [0.394294, 0.473970],
            ),
            (
                "tanh",
                1.5,
                0.5,
                Trained::First,
                vec![(0.116055, 1.913388)],
                [
                    (0.475522, 0.550054),
                    (0.834988, 0.345302),
                    (1.194455, 0.232146),
                ],
                [0.464403, 0.417571],
            ),
            (
                "linear",
                1.0,
                1.0,
                Trained::Both,
                vec![(0.0, 9.945659)],
                [
                    (1.989132, 0.128196),
                    (3.978264, 0.064906),
                    (5.967395, 0.037462),
                ],
                [2.0, 9.0],
            ),
        ];
        for (act, a, g, t, comps, dens, mom) in rows {
            let l = law(act, a, g, t);
            let s = l.support().unwrap();
            assert_eq!(
                s.components.len(),
                comps.len(),
                "{act} {t:?}: {:?}",
                s.components
            );
            for (c, e) in s.components.iter().zip(&comps) {
                assert!(
                    (c.0 - e.0).abs() < 2e-6 && (c.1 - e.1).abs() < 2e-6,
                    "{act}: {c:?} vs {e:?}"
                );
            }
            for (x, r) in dens {
                let d = l.density(x).unwrap();
                assert!((d - r).abs() < 2e-6, "{act} {t:?} rho({x}) = {d} vs {r}");
            }
            let m = l.bulk_moments();
            assert!(
                (m[0] - mom[0]).abs() < 2e-6 && (m[1] - mom[1]).abs() < 2e-6,
                "{act}: {m:?}"
            );
            // the tabulated law integrates to 1 and reproduces the closed-form moments
            let sd = SpectralDensity::from_model(&l, 300).unwrap();
            assert!(
                (sd.mass() - 1.0).abs() < 1e-4,
                "{act} {t:?} mass {}",
                sd.mass()
            );
            assert!(
                (sd.moment(1) - mom[0]).abs() < 1e-3 * mom[0],
                "{act} {t:?} m1 {}",
                sd.moment(1)
            );
            assert!(
                (sd.moment(2) - mom[1]).abs() < 2e-3 * mom[1],
                "{act} {t:?} m2 {}",
                sd.moment(2)
            );
        }
        // narrow band of mass exactly 1 - 1/alpha (tanh, both, alpha = 1.5)
        let l = law("tanh", 1.5, 0.5, Trained::Both);
        let sd = SpectralDensity::from_model(&l, 300).unwrap();
        assert!((sd.components[0].mass - 1.0 / 3.0).abs() < 1e-4);
        // first layer only: atom 1/3 at c = 0.097524
        let l = law("tanh", 1.5, 0.5, Trained::First);
        let s = l.support().unwrap();
        assert_eq!(s.atoms.len(), 1);
        assert!((s.atoms[0].0 - 0.097524).abs() < 1e-6 && (s.atoms[0].1 - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn first_layer_only_is_shifted_mp() {
        // F17 variant: K = c + σ_v² μ1² MP(α) exactly.
        let l = law("tanh", 1.5, 0.5, Trained::First);
        let g = l.constants().clone();
        let mp = MarchenkoPastur::new(1.5, g.sigma_v2 * g.mu1 * g.mu1).unwrap();
        for &x in &[0.3, 0.6, 1.2, 1.8] {
            let d = l.density(x).unwrap();
            assert!((d - mp.density_closed(x - g.c)).abs() < 1e-8, "{x}");
        }
    }

    /// Pennington–Worah 2017 (docs/models/fim.md (F26–F28)): `M = YYᵀ/m` has `ρ_M(x) = r² ρ_CK(r
    /// x)`, `r = n/N`, under `α = 1/φ`, `γ = ψ`; reference densities (6 digits).
    #[test]
    fn pennington_worah_2017_reference() {
        let rows = [
            ("tanh", 0.5, 0.5, [0.586621, 0.283445, 0.149912, 0.095860]),
            (
                "erf",
                2.0 / 3.0,
                2.0,
                [1.468233, 0.679318, 0.306623, 0.129793],
            ),
            ("crelu", 1.0, 1.0, [1.040702, 0.446995, 0.200711, 0.098135]),
        ];
        for (act, phi, psi, rho) in rows {
            let l = law(act, 1.0 / phi, psi, Trained::Readout);
            let r = 1.0 / (phi / psi); // n/N = α γ
            for (x, want) in [0.2, 0.5, 1.0, 1.5].iter().zip(rho) {
                let got = r * r * l.density(r * x).unwrap();
                assert!(
                    (got - want).abs() < 2e-6,
                    "{act} rho_M({x}) = {got} vs {want}"
                );
            }
        }
        // ζ = 0 (absc): MP with ratio n/N and scale μ*² (F28): φ = 0.5, ψ = 1
        let l = law("absc", 2.0, 1.0, Trained::Readout);
        let g = l.constants().clone();
        let mp = MarchenkoPastur::new(2.0, g.mu_star2).unwrap();
        for x in [0.1, 0.3, 0.6] {
            assert!((l.density(x * 2.0).unwrap() - mp.density_closed(x * 2.0)).abs() < 1e-8);
            // and PW's normalisation: ρ_M(x) = 4 ρ_CK(2x) = 2.250453, 1.318911, 0.745965
        }
        let pw: Vec<f64> = [0.1, 0.3, 0.6]
            .iter()
            .map(|x| 4.0 * l.density(2.0 * x).unwrap())
            .collect();
        for (a, b) in pw.iter().zip([2.250453, 1.318911, 0.745965]) {
            assert!((a - b).abs() < 2e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn conditioning_table() {
        // Reference values: α = γ = 1 bulk edges for tanh, erf, absc.
        for (act, lo, hi) in [
            ("tanh", 0.106501, 3.815729),
            ("erf", 0.157494, 4.467811),
            ("absc", 1.0, 2.453521),
        ] {
            let s = law(act, 1.0, 1.0, Trained::Both).support().unwrap();
            let (a, b) = (s.components[0].0, s.components.last().unwrap().1);
            assert!(
                (a - lo).abs() < 2e-6 && (b - hi).abs() < 2e-6,
                "{act}: [{a}, {b}]"
            );
        }
    }

    #[test]
    fn degenerate_is_an_error() {
        let g = GaussianConstants::from_values("const", 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0).unwrap();
        let r = Ratios::new(1.0, 1.0).unwrap();
        assert!(ProportionalFim::new(r, g, Trained::Readout).is_err());
    }
}
