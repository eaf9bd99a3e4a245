//! Support edges of spectral laws (Silverstein–Choi) and 1-D root brackets.
//!
//! For a law with `m = 1/(-(z - c) + τ(m))`, on the real `m`-axis (where `τ` is real and finite) the
//! inverse is `x(m) = c + τ(m) - 1/m`. The complement of the support is `{x(m) : x'(m) > 0}`, so the
//! edges are the critical values `x(m*)` with `x'(m*) = 0` (docs/models/fim.md, "Numerical
//! methods", step 6). We scan `m` over `±logspace(-6, 6)` (both signs: `m > 0` lies below all the
//! mass, `m < 0` above it), bracket sign changes of `x'(m)` and refine each with Brent's method
//! from the `roots` crate. Hard edges (density
//! `~ x^{-1/2}`) have no critical point; models add them as extra candidates. [`components`] turns the
//! candidate edges into support components by probing the density between consecutive candidates.

use crate::error::{Error, Result};

/// Brent's method on `[a, b]` (`f(a) f(b) <= 0`) via the `roots` crate; a typed error otherwise.
pub fn brent<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, tol: f64, what: &str) -> Result<f64> {
    let mut conv = roots::SimpleConvergency {
        eps: tol,
        max_iter: 200,
    };
    roots::find_root_brent(a, b, &f, &mut conv).map_err(|e| Error::NotConverged {
        what: format!("{what}: Brent on [{a}, {b}] ({e:?})"),
        iterations: 200,
        residual: f(0.5 * (a + b)).abs(),
        tolerance: tol,
    })
}

/// Critical points `(m*, x(m*))` of a real inverse map `x(m)` over `±logspace(lo_exp, hi_exp)`.
/// `x_of_m` may return NaN where it is undefined; such points are skipped.
pub fn critical_points<F: Fn(f64) -> f64>(
    x_of_m: F,
    lo_exp: f64,
    hi_exp: f64,
    n_scan: usize,
) -> Vec<(f64, f64)> {
    let deriv = |m: f64| {
        let h = 1e-6 * m.abs().max(1e-12);
        (x_of_m(m + h) - x_of_m(m - h)) / (2.0 * h)
    };
    let mut out = Vec::new();
    for sign in [1.0, -1.0] {
        let ms: Vec<f64> = (0..n_scan)
            .map(|k| sign * 10f64.powf(lo_exp + (hi_exp - lo_exp) * k as f64 / (n_scan - 1) as f64))
            .collect();
        let ds: Vec<f64> = ms.iter().map(|&m| deriv(m)).collect();
        for k in 0..n_scan - 1 {
            let (d0, d1) = (ds[k], ds[k + 1]);
            if d0.is_finite() && d1.is_finite() && d0 * d1 < 0.0 {
                let (a, b) = (ms[k].min(ms[k + 1]), ms[k].max(ms[k + 1]));
                if let Ok(m) = brent(deriv, a, b, 1e-14 * a.abs().max(b.abs()), "edge") {
                    let x = x_of_m(m);
                    if x.is_finite() {
                        out.push((m, x));
                    }
                }
            }
        }
    }
    out
}

/// Boundaries of the real domain of `x(m)` over `±logspace(lo_exp, hi_exp)`: the limiting values
/// `x(m_b)` where `x_of_m` passes between finite and NaN, refined by bisection in `m`.
///
/// When the population law itself has a hard edge (e.g. `H = σ_v² + σ_w² MP(1)`, a density
/// `~ t^{-1/2}` at its lower end), the support edge of the law is not a critical point of `x(m)` but
/// the point where `x(m)` stops being real; without these candidates such components were missed.
pub fn domain_boundaries<F: Fn(f64) -> f64>(
    x_of_m: F,
    lo_exp: f64,
    hi_exp: f64,
    n_scan: usize,
) -> Vec<f64> {
    let mut out = Vec::new();
    for sign in [1.0, -1.0] {
        let ms: Vec<f64> = (0..n_scan)
            .map(|k| sign * 10f64.powf(lo_exp + (hi_exp - lo_exp) * k as f64 / (n_scan - 1) as f64))
            .collect();
        let ok: Vec<bool> = ms.iter().map(|&m| x_of_m(m).is_finite()).collect();
        for k in 0..n_scan - 1 {
            if ok[k] != ok[k + 1] {
                // bisect between the finite end `a` and the NaN end `b`
                let (mut a, mut b) = if ok[k] {
                    (ms[k], ms[k + 1])
                } else {
                    (ms[k + 1], ms[k])
                };
                for _ in 0..80 {
                    let mid = 0.5 * (a + b);
                    if x_of_m(mid).is_finite() {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                let x = x_of_m(a);
                if x.is_finite() {
                    out.push(x);
                }
            }
        }
    }
    out
}

/// Support components from candidate edges: sorted unique candidates `e_0 < … < e_k`; the interval
/// `(e_i, e_{i+1})` belongs to the support iff the density at its midpoint exceeds `threshold`;
/// adjacent support intervals merge.
pub fn components<F: Fn(f64) -> Result<f64>>(
    candidates: &[f64],
    density: F,
    threshold: f64,
) -> Result<Vec<(f64, f64)>> {
    let mut c: Vec<f64> = candidates
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    c.sort_by(f64::total_cmp);
    c.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + a.abs()));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for w in c.windows(2) {
        let (a, b) = (w[0], w[1]);
        // probe three interior points so a narrow dip cannot hide a component
        let mut inside = false;
        for t in [0.25, 0.5, 0.75] {
            if density(a + t * (b - a))? > threshold {
                inside = true;
                break;
            }
        }
        if inside {
            match out.last_mut() {
                Some(last) if (last.1 - a).abs() <= 1e-12 * (1.0 + a.abs()) => last.1 = b,
                _ => out.push((a, b)),
            }
        }
    }
    Ok(out)
}

/// Support components on `[lo, hi]` from an inside/outside indicator, for laws without an explicit
/// real inverse: `n + 1` equispaced probes (in parallel), then every change of status between
/// neighbours is bisected until the bracket is below `tol`. The ends `lo`, `hi` should lie outside
/// the support (a component touching them is clipped there). A component narrower than the probe
/// spacing can be missed; callers check the total mass and rescan finer.
pub fn scan_components<F>(
    inside: F,
    lo: f64,
    hi: f64,
    n: usize,
    tol: f64,
) -> Result<Vec<(f64, f64)>>
where
    F: Fn(f64) -> Result<bool> + Sync,
{
    use rayon::prelude::*;
    if !(lo.is_finite() && hi.is_finite() && hi > lo && n >= 2) {
        return Err(Error::Domain(format!(
            "support scan needs a finite range lo < hi and >= 2 probes, got [{lo}, {hi}], {n}"
        )));
    }
    let xs: Vec<f64> = (0..=n)
        .map(|k| lo + (hi - lo) * k as f64 / n as f64)
        .collect();
    let status: Vec<bool> = xs.par_iter().map(|&x| inside(x)).collect::<Result<_>>()?;
    // bisect each change of status: (left point outside/inside, right point)
    let changes: Vec<usize> = (0..n).filter(|&k| status[k] != status[k + 1]).collect();
    let edges: Vec<f64> = changes
        .par_iter()
        .map(|&k| {
            let (mut a, mut b) = (xs[k], xs[k + 1]);
            let sa = status[k];
            while b - a > tol {
                let mid = 0.5 * (a + b);
                if mid <= a || mid >= b {
                    break;
                }
                if inside(mid)? == sa {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            Ok(0.5 * (a + b))
        })
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    let mut open = status[0].then_some(lo);
    for (&k, &e) in changes.iter().zip(&edges) {
        if status[k + 1] {
            open = Some(e);
        } else if let Some(a) = open.take() {
            out.push((a, e));
        }
    }
    if let Some(a) = open {
        out.push((a, hi));
    }
    Ok(out)
}
