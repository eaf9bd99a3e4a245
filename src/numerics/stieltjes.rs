//! Stieltjes-transform fixed points, with continuation towards the real axis.
//!
//! Every spectral law of nnlimits is the solution `m(z)` of a self-consistent equation `m = F(m, z)`
//! (Bai–Silverstein sign: `m(z) = ∫ ρ(dt)/(t - z)`, `Im m > 0` on `C+`, `m ~ -1/z` at infinity). A model
//! implements [`ResolventEquation`]; this module solves it robustly (docs/models/fim.md, "Numerical
//! methods"):
//!
//! 1. far from the axis (`Im z = max(1, |Re z|)`, raised tenfold until it converges): damped iteration
//!    `m ← (1-w) m + w F(m, z)` with `w = 1/2`, started at `-1/z`, reflecting iterates that leave `C+`;
//! 2. continuation in `η = Im z` by factors of 3 down to the target, polishing each step with complex
//!    Newton on `m - F(m, z)` (derivative by a complex finite difference — `F` is analytic in `m`); a
//!    step whose Newton leaves `C+` or stalls is split geometrically (the physical root can be a
//!    repelling fixed point of `F` near the axis, e.g. MP with `c > 1`), with damped iteration last;
//! 3. along a real grid ([`solve_grid`]) the solution at the previous point warm-starts Newton.
//!
//! Density: `ρ(x) = Im m(x + iη_min)/π` with `η_min = 1e-10` by default; the physical branch is the one
//! reached by continuation from infinity. No crate offers this continuation (it depends on the branch
//! structure of each law), hence it is written here once for every model.

use crate::error::{Error, Result};
use num_complex::Complex64 as C64;

/// `Im z > 0` and both parts finite.
pub fn in_upper_half_plane(z: C64) -> bool {
    z.im > 0.0 && z.re.is_finite() && z.im.is_finite()
}

/// A self-consistent equation `m = F(m, z)` for a Stieltjes transform.
pub trait ResolventEquation: Send + Sync {
    /// The map `F(m, z)`.
    fn map(&self, m: C64, z: C64) -> C64;
    /// A short description for error messages (model and parameters).
    fn describe(&self) -> String {
        "resolvent fixed point".into()
    }
    /// `(F(m, z), ∂F/∂m)` when the equation can differentiate itself exactly (e.g. by forward-mode
    /// dual numbers); `None` (the default) makes Newton use a complex finite difference.
    fn map_with_derivative(&self, _m: C64, _z: C64) -> Option<(C64, C64)> {
        None
    }
}

/// Solver settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolverOptions {
    /// Convergence tolerance on `|m - F(m, z)| / |m|`.
    pub tol: f64,
    /// Maximum damped iterations per continuation step.
    pub max_iter: usize,
    /// Damping weight of the initial iteration.
    pub damping: f64,
    /// Imaginary part used for points "on" the real axis.
    pub eta_min: f64,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            tol: 1e-12,
            max_iter: 20_000,
            damping: 0.5,
            eta_min: 1e-10,
        }
    }
}

/// A converged solution with its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Solution {
    /// The Stieltjes transform `m(z)`.
    pub m: C64,
    /// Total iterations (damped + Newton) spent.
    pub iterations: usize,
    /// Final residual `|m - F(m, z)| / |m|`.
    pub residual: f64,
}

/// The magnitude that tolerances are relative to: `|m|` (floored at the smallest normal double).
///
/// Relative to `|m|`, not `1 + |m|`: when `|m| << 1` (a law whose scale or ratio is large, e.g.
/// Marchenko–Pastur at c = 1e6 where `|m| ~ 1e-6`), an absolute tolerance exceeds `Im m` itself and
/// the "converged" density is wrong by orders of magnitude (found by tests/properties.rs).
fn mag(m: C64) -> f64 {
    m.norm().max(f64::MIN_POSITIVE)
}

fn residual<E: ResolventEquation + ?Sized>(eq: &E, m: C64, z: C64) -> f64 {
    let r = (m - eq.map(m, z)).norm() / mag(m);
    if r.is_finite() {
        r
    } else {
        f64::INFINITY
    }
}

/// Damped iteration from `m0`; returns (m, iterations, residual).
fn damped<E: ResolventEquation + ?Sized>(
    eq: &E,
    z: C64,
    m0: C64,
    w: f64,
    max_iter: usize,
    tol: f64,
) -> (C64, usize, f64) {
    let mut m = m0;
    for it in 1..=max_iter {
        let f = eq.map(m, z);
        let mut next = m * (1.0 - w) + f * w;
        if next.im < 0.0 {
            next = next.conj();
        }
        if !(next.re.is_finite() && next.im.is_finite()) {
            return (m, it, f64::INFINITY);
        }
        let step = (next - m).norm() / mag(next);
        m = next;
        if step < tol * w {
            let r = residual(eq, m, z);
            if r < tol {
                return (m, it, r);
            }
        }
    }
    (m, max_iter, residual(eq, m, z))
}

/// When Newton stalls (its steps dither at the rounding level of `F` instead of shrinking), its best
/// iterate is accepted if its residual is below `STALL_TOLERANCE_FACTOR × tol`. The map's own rounding
/// noise can exceed `tol = 1e-12`: `F = 1/(-z + τ(m))` cancels when `τ(m) ≈ z` (relative error
/// ×10–100 at n/d = 0.01, where every point of the density then took thousands of iterations or
/// failed). The accepted residual is reported in the solution's diagnostics.
const STALL_TOLERANCE_FACTOR: f64 = 1e3;

/// Complex Newton on `G(m) = m - F(m, z)` from `m0`. `None` if it leaves `C+` or does not converge.
fn newton<E: ResolventEquation + ?Sized>(
    eq: &E,
    z: C64,
    m0: C64,
    tol: f64,
    max_iter: usize,
) -> Option<(C64, usize, f64)> {
    let mut m = m0;
    let mut best = (m0, 0, f64::INFINITY);
    for it in 1..=max_iter {
        let exact = eq.map_with_derivative(m, z);
        let f = exact.map_or_else(|| eq.map(m, z), |e| e.0);
        let g = m - f;
        // remember the best iterate: at a square-root edge `G'(m*) -> 0` the Newton steps dither at
        // ~sqrt(eps) and never meet the step criterion, while the residual (quadratic in the error)
        // is already below the tolerance — accepted below if the iterations run out
        let r0 = g.norm() / mag(m);
        if r0 < best.2 {
            best = (m, it, r0);
        }
        let dg = match exact {
            Some((_, d)) => C64::new(1.0, 0.0) - d,
            None => {
                let h = 1e-7 * mag(m);
                C64::new(1.0, 0.0) - (eq.map(m + h, z) - f) / h
            }
        };
        if dg.norm() == 0.0 || !dg.re.is_finite() {
            return None;
        }
        let mut step = g / dg;
        // limit the step to keep Newton local
        let cap = 0.5 * mag(m);
        if step.norm() > cap {
            step *= cap / step.norm();
        }
        let next = m - step;
        if !(next.re.is_finite() && next.im.is_finite()) || next.im < -1e-14 * mag(next) {
            return None;
        }
        m = next;
        if step.norm() / mag(m) < tol {
            let r = residual(eq, m, z);
            if r < tol * 10.0 {
                return Some((m, it, r));
            }
        }
    }
    (best.2 < STALL_TOLERANCE_FACTOR * tol).then_some((best.0, max_iter, best.2))
}

fn not_converged<E: ResolventEquation + ?Sized>(
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

/// Failed Newton attempts allowed in one continuation step before it is declared not converged.
///
/// Each failure costs at most 60 map evaluations, so a step costs at most ~4000. (An earlier
/// recursive bisection without a budget was exponential in its depth: when the residual could not
/// reach the tolerance at all, one step made up to 2^24 attempts — the "minutes-long" laws of the
/// property tests.)
const MAX_FAILED_ATTEMPTS: usize = 64;

/// One continuation step from `Im z = from` (solution `m`) to `Im z = to`: polish with Newton at
/// the target; when Newton fails, halve the logarithmic step (keeps Newton in the basin of the
/// physical branch when the map is not contracting near the axis), and after each success try a
/// step twice as long. Work is bounded by [`MAX_FAILED_ATTEMPTS`]; when the step has shrunk to
/// nothing or the budget is spent, damped iteration at the target is the last resort.
fn step_adaptive<E: ResolventEquation + ?Sized>(
    eq: &E,
    x: f64,
    from: f64,
    to: f64,
    m: C64,
    opts: &SolverOptions,
) -> std::result::Result<(C64, usize, f64), (usize, f64)> {
    let (mut cur, mut m) = (from, m);
    let mut log_step = (from / to).ln(); // > 0
    let min_log_step = log_step * 1e-7;
    let (mut iterations, mut failures) = (0usize, 0usize);
    let mut last_r = f64::NAN;
    while cur > to {
        let target = (cur * (-log_step).exp()).max(to);
        match newton(eq, C64::new(x, target), m, opts.tol, 60) {
            Some((m2, it, r)) => {
                iterations += it;
                m = m2;
                cur = target;
                last_r = r;
                log_step *= 2.0;
            }
            None => {
                iterations += 60;
                failures += 1;
                log_step *= 0.5;
                if failures > MAX_FAILED_ATTEMPTS || log_step < min_log_step {
                    let zz = C64::new(x, to);
                    let (m2, it, r) = damped(eq, zz, m, 0.2, opts.max_iter, opts.tol);
                    iterations += it;
                    return if r < opts.tol * 10.0 {
                        Ok((m2, iterations, r))
                    } else {
                        Err((iterations, r))
                    };
                }
            }
        }
    }
    Ok((m, iterations, last_r))
}

/// Solve `m = F(m, z)` for `z` in the upper half plane.
///
/// With `start = Some(m0)` (a solution at a nearby point) Newton is tried from `m0` first; otherwise,
/// or if that fails, the full continuation from `Im z = 1` is run.
pub fn solve<E: ResolventEquation + ?Sized>(
    eq: &E,
    z: C64,
    start: Option<C64>,
    opts: &SolverOptions,
) -> Result<Solution> {
    if !in_upper_half_plane(z) {
        return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
    }
    let mut total = 0;
    if let Some(m0) = start {
        if let Some((m, it, r)) = newton(eq, z, m0, opts.tol, 60) {
            return Ok(Solution {
                m,
                iterations: it,
                residual: r,
            });
        }
        total += 60;
    }
    // continuation from far away: start where the damped map converges (Im z = max(1, |x|), raised
    // tenfold until it does — at large |z|, m ~ -1/z and the map contracts)
    let mut eta0 = z.im.max(1.0).max(z.re.abs());
    let mut start_sol = None;
    for _ in 0..12 {
        let z0 = C64::new(z.re, eta0);
        let (m0, it, r) = damped(
            eq,
            z0,
            -z0.inv(),
            opts.damping,
            opts.max_iter.min(5_000),
            opts.tol,
        );
        total += it;
        if r < opts.tol {
            start_sol = Some((m0, r));
            break;
        }
        eta0 *= 10.0;
    }
    let Some((mut m, r)) = start_sol else {
        return Err(not_converged(
            eq,
            C64::new(z.re, eta0),
            total,
            f64::NAN,
            opts.tol,
        ));
    };
    let mut eta = eta0;
    let mut last_r = r;
    while eta > z.im {
        // geometric steps (factor ~3, as 1, 0.3, 0.1, ...) then exactly the target
        let next = eta / 3.0;
        let next = if next <= z.im * 1.000001 { z.im } else { next };
        let (m2, it, r) = step_adaptive(eq, z.re, eta, next, m, opts)
            .map_err(|(it, r)| not_converged(eq, C64::new(z.re, next), total + it, r, opts.tol))?;
        total += it;
        m = m2;
        last_r = r;
        eta = next;
    }
    Ok(Solution {
        m,
        iterations: total,
        residual: last_r,
    })
}

/// `m(x + iη_min)`, the boundary value on the real axis.
pub fn solve_real<E: ResolventEquation + ?Sized>(
    eq: &E,
    x: f64,
    start: Option<C64>,
    opts: &SolverOptions,
) -> Result<Solution> {
    if !x.is_finite() {
        return Err(Error::param("x", x, "finite"));
    }
    solve(eq, C64::new(x, opts.eta_min), start, opts)
}

/// Boundary values along a real grid, warm-starting each point from its neighbour.
pub fn solve_grid<E: ResolventEquation + ?Sized>(
    eq: &E,
    xs: &[f64],
    opts: &SolverOptions,
) -> Result<Vec<Solution>> {
    let mut out = Vec::with_capacity(xs.len());
    let mut prev: Option<C64> = None;
    for &x in xs {
        crate::cancel::check()?;
        let s = solve_real(eq, x, prev, opts)?;
        prev = Some(s.m);
        out.push(s);
    }
    Ok(out)
}

/// Boundary values along a sorted real grid, warm-starting each point from a Lagrange extrapolation
/// through the last three solutions (the last solution if the prediction leaves `C+`; repeated points
/// restart the history). Same solutions as [`solve_grid`] to solver tolerance, with fewer Newton
/// iterations on smooth stretches (~1.7× on the mixture components of the C-output FIM law).
pub fn solve_grid_extrapolated<E: ResolventEquation + ?Sized>(
    eq: &E,
    xs: &[f64],
    opts: &SolverOptions,
) -> Result<Vec<Solution>> {
    let mut out = Vec::with_capacity(xs.len());
    let mut hist: Vec<(f64, C64)> = Vec::with_capacity(3);
    for &x in xs {
        crate::cancel::check()?;
        let s = solve_real(eq, x, predict(&hist, x), opts)?;
        if hist.len() == 3 {
            hist.remove(0);
        }
        // repeated points carry no slope information
        if hist.last().is_some_and(|p| p.0 == x) {
            hist.clear();
        }
        hist.push((x, s.m));
        out.push(s);
    }
    Ok(out)
}

/// Lagrange extrapolation to `x` through the (distinct, increasing) points of `hist`; the last value
/// if the prediction leaves `C+`.
fn predict(hist: &[(f64, C64)], x: f64) -> Option<C64> {
    let last = hist.last()?.1;
    let p: C64 = hist
        .iter()
        .enumerate()
        .map(|(i, &(xi, mi))| {
            let l: f64 = hist
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &(xj, _))| (x - xj) / (xi - xj))
                .product();
            mi * l
        })
        .sum();
    Some(if p.im > 0.0 && p.re.is_finite() {
        p
    } else {
        last
    })
}

/// Convergence diagnostics of a batch of solves (reported per table row and in JSON outputs).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SolveStats {
    /// Largest number of iterations spent on one point (0 for closed forms).
    pub max_iterations: usize,
    /// Largest final residual (0 for closed forms).
    pub max_residual: f64,
    /// Number of points solved.
    pub points: usize,
}

impl SolveStats {
    /// Diagnostics of a list of solutions.
    pub fn of(sols: &[Solution]) -> Self {
        SolveStats {
            max_iterations: sols.iter().map(|s| s.iterations).max().unwrap_or(0),
            max_residual: sols.iter().map(|s| s.residual).fold(0.0, f64::max),
            points: sols.len(),
        }
    }
}

/// Density `Im m / π` from a boundary value (clamped at 0).
pub fn density_of(m: C64) -> f64 {
    (m.im / std::f64::consts::PI).max(0.0)
}
