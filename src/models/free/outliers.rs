//! Outliers of spiked expressions (docs/models/expr.md, "Spikes and outliers").
//!
//! A `spiked(A, θ_1, …, θ_k)` term is the matrix of `A` with `k` eigenvalues `θ_i` added (a
//! finite-rank perturbation: zero mass, so the law is `A`'s). A spike outside `A`'s support is an
//! outlier of that term. Through an operation the outliers move as follows (Belinschi, Bercovici,
//! Capitaine & Février 2017, "Outliers in the spectrum of large deformed unitarily invariant
//! models", Ann. Probab. 45; for the batch Hessian `s(b) X + A` Baskerville, Keating, Mezzadri,
//! Najnudel & Granziol 2022, arXiv 2205.08601):
//!
//! * `A ⊞ B` (law of `A + O B Oᵀ`): with the subordination functions `g = g_A(ω_A) = g_B(ω_B)`,
//!   an outlier `θ` of `A` produces an outlier of the sum at every real `z` outside the sum's
//!   support with `ω_A(z) = θ` (and likewise for `B`). Off the support `ω_A` is real and increasing
//!   (it is the reciprocal Cauchy transform `F_ν` of a probability law, `F_ν' ≥ 1`), so a gap holds
//!   at most one such `z`, and there is none when `θ` lies outside the range of `ω_A` on the gap
//!   (the BBP threshold: the spike is absorbed by the bulk).
//! * `pop(A, c)`: `g = g_A(z/w)/w`, `w = 1 − c − c z g`, i.e. `(S − z)⁻¹ ≈ (w T − z)⁻¹`: an outlier
//!   `θ` of the population gives `z/w(z) = θ` (Baik–Silverstein spiked covariance).
//! * `a X + b` maps outliers to `a θ + b`; spikes under `⊠` are refused when the law is built.
//!
//! The subordination functions are those of the law's own solve (`Law::subordination`: the
//! shared continuation solver at `x + iη`, `η = η_min σ`); roots are bracketed on a grid of each gap
//! (clustered at the edges) and bisected to `1e-12` of the scale.

use super::law::{Kind, Law};
use crate::error::{Error, Result};
use crate::model::Support;
use crate::numerics::stieltjes::SolverOptions;
use num_complex::Complex64 as C64;
use serde::Serialize;

/// Probes per gap when bracketing `ω(z) = θ`.
const PROBES: usize = 48;

/// One spike of a `spiked(...)` term and an isolated eigenvalue of the whole expression it
/// produces (`location: None` when the bulk absorbs it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlier {
    /// The spike `θ` as written in its `spiked(...)` term.
    pub spike: f64,
    /// The outlier of the expression, `None` when there is none (below the threshold).
    pub location: Option<f64>,
}

/// Occupied intervals (support components and atoms as points), sorted and merged.
fn occupied(s: &Support) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = s.components.clone();
    v.extend(s.atoms.iter().map(|a| (a.0, a.0)));
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

impl Law {
    /// The outliers of this node: its own spikes outside its support, and the outliers its
    /// operands' outliers produce through this operation (module docs). Empty without spikes.
    pub(crate) fn outliers(&self, o: &SolverOptions) -> Result<Vec<Outlier>> {
        if !self.has_spikes() {
            return Ok(vec![]);
        }
        let mut out = Vec::new();
        let operands: Vec<&Law> = match &self.kind {
            Kind::Add(a, b) => vec![a, b],
            Kind::Pop(a, _) => vec![a],
            Kind::Affine(a, b, x) => {
                out.extend(x.outliers(o)?.into_iter().map(|t| Outlier {
                    spike: t.spike,
                    location: t.location.map(|l| a * l + b),
                }));
                vec![]
            }
            Kind::Mul(..) => {
                return Err(Error::Domain(format!(
                    "`{}`: spikes under a free product are not supported",
                    self.label
                )))
            }
            _ => vec![],
        };
        for (side, child) in operands.into_iter().enumerate() {
            for t in child.outliers(o)? {
                let Some(theta) = t.location else {
                    out.push(t);
                    continue;
                };
                let roots = self.solve_subordinate(side, theta, o)?;
                if roots.is_empty() {
                    out.push(Outlier {
                        spike: t.spike,
                        location: None,
                    });
                }
                out.extend(roots.into_iter().map(|z| Outlier {
                    spike: t.spike,
                    location: Some(z),
                }));
            }
        }
        if !self.spikes.is_empty() {
            let occ = occupied(self.support_ref()?);
            let tol = 1e-9 * self.scale.max(self.hull.0.abs()).max(self.hull.1.abs());
            for &t in &self.spikes {
                let inside = occ.iter().any(|&(l, h)| t >= l - tol && t <= h + tol);
                out.push(Outlier {
                    spike: t,
                    location: (!inside).then_some(t),
                });
            }
        }
        Ok(out)
    }

    /// `Re ω_side(x + iη)`, the subordination point of operand `side` just above the real axis.
    fn omega_real(&self, side: usize, x: f64, o: &SolverOptions) -> Result<f64> {
        let pts = self.subordination(C64::new(x, self.eta(o)), o)?;
        let w = pts
            .get(side)
            .ok_or_else(|| Error::Domain(format!("`{}`: no operand {side}", self.label)))?;
        if !(w.re.is_finite() && w.im.is_finite()) {
            return Err(Error::Domain(format!(
                "`{}`: subordination function not finite at x = {x}",
                self.label
            )));
        }
        Ok(w.re)
    }

    /// Every real `z` outside the support with `ω_side(z) = θ` (module docs).
    fn solve_subordinate(&self, side: usize, theta: f64, o: &SolverOptions) -> Result<Vec<f64>> {
        let occ = occupied(self.support_ref()?);
        let (first, last) = match (occ.first(), occ.last()) {
            (Some(f), Some(l)) => (f.0, l.1),
            _ => return Ok(vec![]),
        };
        let scale = self.scale.max(1e-300);
        let edge = 1e-9 * scale.max(first.abs()).max(last.abs());
        let f = |x: f64| -> Result<f64> { Ok(self.omega_real(side, x, o)? - theta) };
        // the gaps: below, between and above the occupied intervals; the unbounded ones are cut
        // where ω − θ has the sign of ±∞ (ω(x) ~ x − const far from the support)
        let mut gaps: Vec<(f64, f64)> = occ.windows(2).map(|w| (w[0].1, w[1].0)).collect();
        for (dir, end) in [(-1.0, first), (1.0, last)] {
            let mut span = scale.max(theta.abs() + end.abs());
            let mut k = 0;
            while dir * f(end + dir * span)? <= 0.0 {
                span *= 2.0;
                k += 1;
                if k > 200 {
                    return Err(Error::NotConverged {
                        what: format!("`{}`: outlier of the spike at {theta}", self.label),
                        iterations: k,
                        residual: f64::NAN,
                        tolerance: 0.0,
                    });
                }
            }
            gaps.push(if dir < 0.0 {
                (end - span, end)
            } else {
                (end, end + span)
            });
        }
        let mut roots = Vec::new();
        for (l, r) in gaps {
            if r - l <= 2.0 * edge {
                continue;
            }
            // probes clustered at both ends (square-root behaviour at an edge)
            let xs: Vec<f64> = (0..=PROBES)
                .map(|j| {
                    let u = 0.5 - 0.5 * (std::f64::consts::PI * j as f64 / PROBES as f64).cos();
                    (l + edge + (r - l - 2.0 * edge) * u).clamp(l + edge, r - edge)
                })
                .collect();
            let mut prev: Option<(f64, f64)> = None;
            for &x in &xs {
                crate::cancel::check()?;
                let v = f(x)?;
                if let Some((px, pv)) = prev {
                    if pv == 0.0 || pv.signum() != v.signum() {
                        if let Some(z) = self.bisect(&f, px, pv, x, theta, scale)? {
                            roots.push(z);
                        }
                    }
                }
                prev = Some((x, v));
            }
        }
        roots.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * scale);
        Ok(roots)
    }

    /// Bisection of `f` on `[a, b]` (opposite signs) to `1e-12` of the scale; `None` when the
    /// sign change is a pole of `ω` (the residual does not vanish).
    fn bisect(
        &self,
        f: &dyn Fn(f64) -> Result<f64>,
        a: f64,
        fa: f64,
        b: f64,
        theta: f64,
        scale: f64,
    ) -> Result<Option<f64>> {
        let (mut a, mut fa, mut b) = (a, fa, b);
        if fa == 0.0 {
            return Ok(Some(a));
        }
        for _ in 0..200 {
            if b - a <= 1e-12 * scale.max(a.abs()) {
                break;
            }
            let m = 0.5 * (a + b);
            let fm = f(m)?;
            if fm == 0.0 {
                return Ok(Some(m));
            }
            if fm.signum() == fa.signum() {
                a = m;
                fa = fm;
            } else {
                b = m;
            }
        }
        let z = 0.5 * (a + b);
        let res = f(z)?.abs();
        Ok((res <= 1e-6 * (theta.abs() + scale)).then_some(z))
    }
}
