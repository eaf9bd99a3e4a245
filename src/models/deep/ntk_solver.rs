//! The resolvent of a linear combination of the conjugate kernels of all layers
//! (docs/models/ntk-deep.md, equations (N3)–(N5)): `L + 1` coupled complex unknowns per `z`, solved by
//! damped iteration far from the axis, then Newton (central-difference Jacobian, complex LU) with
//! continuation in `Im z` and warm starts along grids.
//!
//! With `K_0 = XᵀX/d` and, given the layers below, `K_ℓ ≈ Σ_ℓ^{1/2} GᵀG Σ_ℓ^{1/2}/N_ℓ`,
//! `Σ_ℓ = α_ℓ K_{ℓ−1} + β_ℓ I` (`Σ_0 = I`: `α_0 = 0`, `β_0 = 1`), the deterministic equivalent of
//! `(A + t K_ℓ − w)⁻¹` for `A` built from the layers below is `(A + θ Σ_ℓ − w)⁻¹` with
//! `θ = t/(1 + δ)`, `δ = t (n/N_ℓ) (1/n) tr(Σ_ℓ Q̄)`. Applied from the top layer down, the matrix
//! `Σ_ℓ τ_ℓ K_ℓ + r − z` is reduced to `−w_{−1} I`, so `m(z) = −1/w_{−1}`; the unknowns are
//! `δ_0, …, δ_L`:
//!
//! ```text
//! t_L = τ_L,   w_L = z − r
//! θ_ℓ = t_ℓ/(1 + δ_ℓ),   t_{ℓ−1} = τ_{ℓ−1} + θ_ℓ α_ℓ,   w_{ℓ−1} = w_ℓ − θ_ℓ β_ℓ      (ℓ = L … 0)
//! m = −1/w_{−1},   e_{−1} = 0
//! ε_ℓ = α_ℓ e_{ℓ−1} + β_ℓ m,   δ_ℓ = t_ℓ c_ℓ ε_ℓ,   e_ℓ = ε_ℓ/(1 + δ_ℓ)               (ℓ = 0 … L)
//! ```
//!
//! (`c_ℓ = n/N_ℓ`, `c_0 = n/d`; `ε_ℓ = (1/n) tr(Σ_ℓ Q̄)`, `e_ℓ = (1/n) tr(K_ℓ Q)`.) With one layer
//! and `τ_0 = 0` this is the Marchenko–Pastur equation; with `τ = (0, …, 0, 1)` the iterated
//! sample-covariance map of the deep conjugate kernel.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use num_complex::Complex64 as C64;

/// Tolerance on `max_ℓ |G_ℓ(δ) − δ_ℓ| / (1 + |δ_ℓ|)`.
const TOL: f64 = 1e-13;
/// A stalled Newton iterate is accepted below this multiple of the tolerance (rounding floor).
const STALL: f64 = 1e3;
/// Imaginary part of points "on" the real axis (as the shared solver's default).
pub const ETA_MIN: f64 = 1e-10;

/// The coefficients of the system: `τ_ℓ`, `α_ℓ`, `β_ℓ`, `c_ℓ` for `ℓ = 0..=L` and the shift `r`.
#[derive(Debug, Clone, PartialEq)]
pub struct System {
    /// Weights `τ_ℓ` of `K_ℓ` in the combination.
    pub tau: Vec<f64>,
    /// `α_ℓ` (`α_0 = 0`).
    pub alpha: Vec<f64>,
    /// `β_ℓ` (`β_0 = 1`).
    pub beta: Vec<f64>,
    /// `c_ℓ = n/N_ℓ` (`c_0 = n/d`).
    pub ratio: Vec<f64>,
    /// Multiple `r` of the identity.
    pub shift: f64,
}

/// A solution at one `z`: the unknowns, `m(z)`, iterations and final residual.
#[derive(Debug, Clone)]
pub struct Point {
    /// `δ_0, …, δ_L`.
    pub delta: Vec<C64>,
    /// `m(z)`.
    pub m: C64,
    /// Map evaluations spent.
    pub iterations: usize,
    /// Final residual.
    pub residual: f64,
}

impl System {
    /// One evaluation of the map: `(G(δ), m)`.
    pub fn map(&self, delta: &[C64], z: C64) -> (Vec<C64>, C64) {
        let k = self.tau.len();
        let one = C64::new(1.0, 0.0);
        let mut t = vec![C64::new(0.0, 0.0); k];
        let mut w = z - self.shift;
        let mut tc = C64::new(self.tau[k - 1], 0.0);
        for l in (0..k).rev() {
            t[l] = tc;
            let theta = tc / (one + delta[l]);
            w -= theta * self.beta[l];
            if l > 0 {
                tc = theta * self.alpha[l] + self.tau[l - 1];
            }
        }
        let m = -w.inv();
        let mut e = C64::new(0.0, 0.0);
        let mut out = vec![C64::new(0.0, 0.0); k];
        for l in 0..k {
            let eps = e * self.alpha[l] + m * self.beta[l];
            out[l] = t[l] * self.ratio[l] * eps;
            e = eps / (one + delta[l]);
        }
        (out, m)
    }

    fn residual(&self, delta: &[C64], z: C64) -> (f64, C64) {
        let (g, m) = self.map(delta, z);
        let r = g
            .iter()
            .zip(delta)
            .map(|(a, b)| (a - b).norm() / (1.0 + b.norm()))
            .fold(0.0, f64::max);
        (if m.is_finite() { r } else { f64::INFINITY }, m)
    }

    /// Damped iteration `δ ← (1 − ω) δ + ω G(δ)` from `start`.
    fn damped(&self, z: C64, start: Vec<C64>, max_iter: usize) -> (Vec<C64>, usize, f64) {
        let mut d = start;
        let omega = 0.5;
        for it in 1..=max_iter {
            let (g, _) = self.map(&d, z);
            let mut r = 0.0f64;
            for (a, b) in d.iter_mut().zip(&g) {
                r = r.max((*b - *a).norm() / (1.0 + a.norm()));
                *a = *a * (1.0 - omega) + *b * omega;
            }
            if !r.is_finite() {
                return (d, it, f64::INFINITY);
            }
            if r < TOL {
                let (r, _) = self.residual(&d, z);
                return (d, it, r);
            }
        }
        let (r, _) = self.residual(&d, z);
        (d, max_iter, r)
    }

    /// Newton on `G(δ) − δ = 0` from `start` (at most `max_iter` steps); `None` if it does not reach
    /// the tolerance (or the stall floor) or leaves the physical sheet (`Im m < 0` for `Im z > 0`).
    fn newton(&self, z: C64, start: &[C64], max_iter: usize) -> Option<Point> {
        let k = start.len();
        let mut d = start.to_vec();
        let mut best: Option<(Vec<C64>, f64, C64)> = None;
        let mut evals = 0;
        for _ in 0..max_iter {
            let (g, m) = self.map(&d, z);
            evals += 1;
            let f: Vec<C64> = g.iter().zip(&d).map(|(a, b)| a - b).collect();
            let r = f
                .iter()
                .zip(&d)
                .map(|(a, b)| a.norm() / (1.0 + b.norm()))
                .fold(0.0, f64::max);
            if !r.is_finite() {
                break;
            }
            if best.as_ref().is_none_or(|b| r < b.1) {
                best = Some((d.clone(), r, m));
            }
            if r < TOL {
                break;
            }
            let mut jac = DMatrix::<C64>::zeros(k, k);
            for c in 0..k {
                let h = 1e-6 * (1.0 + d[c].norm());
                let (mut up, mut dn) = (d.clone(), d.clone());
                up[c] += h;
                dn[c] -= h;
                let (gu, _) = self.map(&up, z);
                let (gd, _) = self.map(&dn, z);
                evals += 2;
                for r_ in 0..k {
                    jac[(r_, c)] = (gu[r_] - gd[r_]) / (2.0 * h);
                }
                jac[(c, c)] -= 1.0;
            }
            let rhs = DVector::from_iterator(k, f.iter().map(|x| -x));
            let step = jac.lu().solve(&rhs)?;
            for (a, s) in d.iter_mut().zip(step.iter()) {
                *a += *s;
            }
        }
        let (d, r, m) = best?;
        let ok = r < TOL * STALL && m.is_finite() && (z.im <= 0.0 || m.im >= -1e-9 * m.norm());
        ok.then_some(Point {
            delta: d,
            m,
            iterations: evals,
            residual: r,
        })
    }

    /// Solve at `z` (`Im z > 0`): Newton from `start` if given, otherwise (or if that fails) damped
    /// iteration at `Im z' = max(1, |Re z|, scale)` (raised tenfold until it converges) and continuation
    /// down to `Im z` (steps of a factor 3, halved in the logarithm on failure, at most 64 failures).
    pub fn solve(&self, z: C64, start: Option<&[C64]>, scale: f64) -> Result<Point> {
        if !(z.im > 0.0 && z.re.is_finite() && z.im.is_finite()) {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        let k = self.tau.len();
        let mut total = 0;
        if let Some(s) = start {
            if let Some(mut p) = self.newton(z, s, 40) {
                p.iterations += total;
                return Ok(p);
            }
            total += 40;
        }
        let mut eta = z.im.max(1.0).max(z.re.abs()).max(scale);
        let mut d = None;
        for _ in 0..12 {
            let z0 = C64::new(z.re, eta);
            let (dd, it, r) = self.damped(z0, vec![C64::new(0.0, 0.0); k], 5_000);
            total += it;
            if r < TOL * STALL {
                d = Some(dd);
                break;
            }
            eta *= 10.0;
        }
        let Some(mut d) = d else {
            return Err(self.not_converged(C64::new(z.re, eta), total, f64::NAN));
        };
        let mut failures = 0;
        let mut factor = 3.0f64;
        let mut last = None;
        while eta > z.im || last.is_none() {
            let next = (eta / factor).max(z.im);
            match self.newton(C64::new(z.re, next), &d, 40) {
                Some(p) => {
                    total += p.iterations;
                    d = p.delta.clone();
                    eta = next;
                    factor = (factor * factor).min(3.0);
                    if eta <= z.im {
                        last = Some(p);
                    }
                }
                None => {
                    total += 40;
                    failures += 1;
                    factor = factor.sqrt();
                    if failures > 64 || factor < 1.0 + 1e-6 {
                        return Err(self.not_converged(C64::new(z.re, next), total, f64::NAN));
                    }
                }
            }
        }
        let mut p = last.expect("loop ends with a solution at the target");
        p.iterations = total;
        Ok(p)
    }

    fn not_converged(&self, z: C64, iterations: usize, residual: f64) -> Error {
        Error::NotConverged {
            what: format!(
                "deep NTK resolvent (depth {}) at z = {}{:+}i",
                self.tau.len() - 1,
                z.re,
                z.im
            ),
            iterations,
            residual,
            tolerance: TOL,
        }
    }
}
