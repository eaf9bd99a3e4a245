//! Systems of coupled Stieltjes-transform fixed points `M = F(M, z)`, `M ∈ C^K`, solved as one system
//! by complex Newton with continuation in `Im z` — the vector form of [`super::stieltjes::solve`].
//!
//! Nested fixed points (an equation whose map evaluates the solution of another equation, as the
//! subordination equations of a free-probability expression whose operands are themselves
//! operations) cost `~ iterations^depth` when each level is solved to convergence at every
//! evaluation of its parent. Solving all levels at once costs a `K × K` Newton step per iteration
//! instead. The steps mirror the scalar solver: damped iteration far from the axis from the caller's
//! asymptotic start (`Im z = max(1, |Re z|)`, raised tenfold until it converges), then continuation
//! in `η = Im z` by factors of 3 down to the target, each step polished by Newton and split
//! geometrically when Newton fails (at most 64 failures per step); with a start (the solution at a
//! nearby point, e.g. the previous point of a real grid) Newton is tried from it first. Every unknown
//! is a Stieltjes-type variable: iterates leaving the closed upper half plane are rejected, which keeps
//! the continuation on the physical branch. The Jacobian is a complex finite difference (the maps are
//! analytic in `M`); the linear step is Gaussian elimination with partial pivoting.

use super::stieltjes::{in_upper_half_plane, SolverOptions};
use crate::error::{Error, Result};
use num_complex::Complex64 as C64;

/// A system `M = F(M, z)` of `dim()` Stieltjes-type unknowns.
pub trait ResolventSystem: Sync {
    /// Number of unknowns `K`.
    fn dim(&self) -> usize;
    /// The residual `M - F(M, z)` into `out` (length `K`); non-finite entries where `F` cannot be
    /// evaluated.
    fn residual(&self, m: &[C64], z: C64, out: &mut [C64]);
    /// A start at a point `z` far from the support (the leading asymptotics of every unknown).
    fn initial(&self, z: C64) -> Vec<C64>;
    /// A short description for error messages.
    fn describe(&self) -> String {
        "system of resolvent fixed points".into()
    }
}

/// A converged solution with its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemSolution {
    /// The unknowns `M(z)`.
    pub m: Vec<C64>,
    /// Newton iterations spent.
    pub iterations: usize,
    /// Final residual `max_k |M_k - F_k| / |M_k|`.
    pub residual: f64,
}

/// The magnitude tolerances are relative to (as the scalar solver: `|m|`, floored).
fn mag(m: C64) -> f64 {
    m.norm().max(f64::MIN_POSITIVE)
}

fn finite(v: C64) -> bool {
    v.re.is_finite() && v.im.is_finite()
}

/// `max_k |r_k| / |m_k|` (infinite if any entry is not finite).
fn rel(r: &[C64], m: &[C64]) -> f64 {
    let mut out = 0.0f64;
    for (rk, mk) in r.iter().zip(m) {
        if !finite(*rk) {
            return f64::INFINITY;
        }
        out = out.max(rk.norm() / mag(*mk));
    }
    out
}

/// Solve `A x = b` in place (`A` row-major `k × k`, overwritten) by Gaussian elimination with
/// partial pivoting; `false` if `A` is singular or not finite.
pub fn solve_linear(a: &mut [C64], b: &mut [C64]) -> bool {
    let k = b.len();
    for col in 0..k {
        let piv = (col..k)
            .max_by(|&i, &j| a[i * k + col].norm().total_cmp(&a[j * k + col].norm()))
            .unwrap_or(col);
        let p = a[piv * k + col];
        if !(p.norm() > 0.0 && finite(p)) {
            return false;
        }
        if piv != col {
            for j in 0..k {
                a.swap(piv * k + j, col * k + j);
            }
            b.swap(piv, col);
        }
        for i in col + 1..k {
            let f = a[i * k + col] / p;
            if f.norm() == 0.0 {
                continue;
            }
            for j in col..k {
                let v = a[col * k + j];
                a[i * k + j] -= f * v;
            }
            let v = b[col];
            b[i] -= f * v;
        }
    }
    for i in (0..k).rev() {
        let mut s = b[i];
        for j in i + 1..k {
            s -= a[i * k + j] * b[j];
        }
        b[i] = s / a[i * k + i];
        if !finite(b[i]) {
            return false;
        }
    }
    true
}

/// Iterates whose residual stalls below this multiple of the tolerance are accepted (the scalar
/// solver's rule: at a square-root edge the Jacobian is nearly singular and the steps dither at the
/// rounding level of the map).
const STALL_TOLERANCE_FACTOR: f64 = 1e3;

/// Newton on `M - F(M, z)` from `m0`; `None` if an iterate leaves the closed upper half plane, the
/// Jacobian is singular, or it does not converge in `max_iter` iterations.
pub fn newton<E: ResolventSystem + ?Sized>(
    eq: &E,
    z: C64,
    m0: &[C64],
    tol: f64,
    max_iter: usize,
) -> Option<(Vec<C64>, usize, f64)> {
    let k = eq.dim();
    let mut m = m0.to_vec();
    let mut r = vec![C64::new(0.0, 0.0); k];
    let mut rp = r.clone();
    let mut jac = vec![C64::new(0.0, 0.0); k * k];
    let mut best: (Vec<C64>, usize, f64) = (m.clone(), 0, f64::INFINITY);
    for it in 1..=max_iter {
        eq.residual(&m, z, &mut r);
        let r0 = rel(&r, &m);
        if !r0.is_finite() {
            return None;
        }
        if r0 < best.2 {
            best = (m.clone(), it, r0);
        }
        for j in 0..k {
            let h = 1e-7 * mag(m[j]);
            let keep = m[j];
            m[j] += h;
            eq.residual(&m, z, &mut rp);
            m[j] = keep;
            for i in 0..k {
                jac[i * k + j] = (rp[i] - r[i]) / h;
            }
        }
        let mut step = r.clone();
        if !solve_linear(&mut jac, &mut step) {
            return None;
        }
        // limit the step to keep Newton local (each unknown moves by at most half its size)
        let mut scale = 1.0f64;
        for (s, mk) in step.iter().zip(&m) {
            let cap = 0.5 * mag(*mk);
            if s.norm() > cap {
                scale = scale.min(cap / s.norm());
            }
        }
        let mut size = 0.0f64;
        for (mk, s) in m.iter_mut().zip(&step) {
            let next = *mk - s * scale;
            if !finite(next) || next.im < -1e-14 * mag(next) {
                return None;
            }
            size = size.max((s * scale).norm() / mag(next));
            *mk = next;
        }
        if size < tol {
            eq.residual(&m, z, &mut r);
            let rr = rel(&r, &m);
            if rr < tol * 10.0 {
                return Some((m, it, rr));
            }
        }
    }
    (best.2 < STALL_TOLERANCE_FACTOR * tol).then_some(best)
}

/// Damped iteration `M ← M - w (M - F(M, z))` from `m0` (iterates leaving `C+` reflected, as the
/// scalar solver); returns `(M, iterations, residual)`.
fn damped<E: ResolventSystem + ?Sized>(
    eq: &E,
    z: C64,
    m0: Vec<C64>,
    w: f64,
    max_iter: usize,
    tol: f64,
) -> (Vec<C64>, usize, f64) {
    let mut m = m0;
    let mut r = vec![C64::new(0.0, 0.0); m.len()];
    for it in 1..=max_iter {
        eq.residual(&m, z, &mut r);
        let r0 = rel(&r, &m);
        if !r0.is_finite() {
            return (m, it, f64::INFINITY);
        }
        if r0 < tol {
            return (m, it, r0);
        }
        for (mk, rk) in m.iter_mut().zip(&r) {
            let next = *mk - rk * w;
            *mk = if next.im < 0.0 { next.conj() } else { next };
        }
    }
    eq.residual(&m, z, &mut r);
    let r0 = rel(&r, &m);
    (m, max_iter, r0)
}

/// Newton iterations per attempt.
const NEWTON_ITER: usize = 60;
/// Failed Newton attempts allowed in one continuation step (as the scalar solver).
const MAX_FAILED_ATTEMPTS: usize = 64;

fn not_converged<E: ResolventSystem + ?Sized>(
    eq: &E,
    z: C64,
    iterations: usize,
    residual: f64,
    tol: f64,
) -> Error {
    Error::NotConverged {
        what: format!("{} at z = {}{:+}i", eq.describe(), z.re, z.im),
        iterations,
        residual,
        tolerance: tol,
    }
}

/// Solve the system at `z ∈ C+`: Newton from `start` if given, otherwise (or if that fails) the
/// continuation from far away described in the module docs.
pub fn solve<E: ResolventSystem + ?Sized>(
    eq: &E,
    z: C64,
    start: Option<&[C64]>,
    opts: &SolverOptions,
) -> Result<SystemSolution> {
    if !in_upper_half_plane(z) {
        return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
    }
    let tol = opts.tol;
    let mut total = 0;
    if let Some(m0) = start.filter(|s| s.len() == eq.dim()) {
        if let Some((m, it, r)) = newton(eq, z, m0, tol, NEWTON_ITER) {
            return Ok(SystemSolution {
                m,
                iterations: it,
                residual: r,
            });
        }
        total += NEWTON_ITER;
    }
    // far from the axis: the damped iteration converges to the attracting (physical) fixed point,
    // where Newton from the asymptotic start could reach another root
    let mut eta0 = z.im.max(1.0).max(z.re.abs());
    let mut start_sol = None;
    for _ in 0..12 {
        let z0 = C64::new(z.re, eta0);
        let (m, it, r) = damped(
            eq,
            z0,
            eq.initial(z0),
            opts.damping,
            opts.max_iter.min(5_000),
            tol,
        );
        total += it;
        if r < tol {
            start_sol = Some((m, r));
            break;
        }
        eta0 *= 10.0;
    }
    let Some((mut m, mut last_r)) = start_sol else {
        return Err(not_converged(
            eq,
            C64::new(z.re, eta0),
            total,
            f64::NAN,
            tol,
        ));
    };
    let mut eta = eta0;
    while eta > z.im {
        // geometric segments (factor 3) then exactly the target, each tried in one Newton step first
        let next = eta / 3.0;
        let next = if next <= z.im * 1.000001 { z.im } else { next };
        let (mut cur, mut log_step) = (eta, (eta / next).ln());
        let min_log_step = log_step * 1e-7;
        let mut failures = 0;
        while cur > next {
            let target = (cur * (-log_step).exp()).max(next);
            match newton(eq, C64::new(z.re, target), &m, tol, NEWTON_ITER) {
                Some((m2, it, r)) => {
                    total += it;
                    m = m2;
                    cur = target;
                    last_r = r;
                    log_step *= 2.0;
                }
                None => {
                    total += NEWTON_ITER;
                    failures += 1;
                    log_step *= 0.5;
                    if failures > MAX_FAILED_ATTEMPTS || log_step < min_log_step {
                        return Err(not_converged(
                            eq,
                            C64::new(z.re, target),
                            total,
                            last_r,
                            tol,
                        ));
                    }
                }
            }
        }
        eta = next;
    }
    Ok(SystemSolution {
        m,
        iterations: total,
        residual: last_r,
    })
}

/// Start at `x` along a sorted real grid: the Lagrange extrapolation through the last (up to three)
/// solutions `hist` (distinct points), each unknown separately; the last solution if the prediction
/// leaves the upper half plane or is not finite. `None` without history.
pub fn extrapolate(hist: &[(f64, Vec<C64>)], x: f64) -> Option<Vec<C64>> {
    let last = &hist.last()?.1;
    let weights: Vec<f64> = hist
        .iter()
        .enumerate()
        .map(|(i, (xi, _))| {
            hist.iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, (xj, _))| (x - xj) / (xi - xj))
                .product()
        })
        .collect();
    let p: Vec<C64> = (0..last.len())
        .map(|k| hist.iter().zip(&weights).map(|((_, m), w)| m[k] * w).sum())
        .collect();
    Some(if p.iter().all(|v| finite(*v) && v.im > 0.0) {
        p
    } else {
        last.clone()
    })
}
