//! Tabulation next to singular hard edges (docs/models/expr.md, "Stronger hard edges").
//!
//! The graded tabulation ([`crate::spectral`]) takes the density at `η = 1e-10` (scale units) from
//! the axis. Where the density diverges like `t^{-a}` at an end (`t` the distance to it), that
//! smoothing flattens it within about `10⁴ η` of the end, and for `a > 1/2` the mass lost there exceeds
//! the tabulation's tolerance: the Fuss–Catalan edges `x^{-k/(k+1)}` of deep linear networks with
//! square layers. When the plain tabulation fails its mass check, the cells within `Z = 10⁴ η` of such
//! an end are integrated instead with the end's local law, the first two terms of its Puiseux series,
//!
//! `ρ(e ± t) = C t^{-a} + C D t^{1-2a}`,
//!
//! whose exponent `a` is measured by Richardson extrapolation from densities solved 1000 times closer
//! to the axis (`η = 1e-13`), at `t = Z/1000, Z/100, Z/10`, and snapped to `j/q`; `C` and `C D` are
//! fitted at `t = Z/1000` and `t = Z`. The local law is used only if it reproduces the densities at
//! `Z/100` and `Z/10` within `1e-3` (relative); the mass within `Z` is then exact up to that.

use super::support::edge_exponent;
use crate::error::Result;
use crate::spectral::Component;

/// Largest relative misfit of the local law at the two check points.
const FIT_TOLERANCE: f64 = 1e-3;

/// `ρ(e ± t) = t^{-a} (c + cd t^b + ce t^{2b})`, `b = 1 - a`, near a singular end (`ce = 0` for the
/// two-term law).
#[derive(Debug, Clone, Copy)]
struct EdgeLaw {
    a: f64,
    c: f64,
    cd: f64,
    ce: f64,
}

impl EdgeLaw {
    fn density(&self, t: f64) -> f64 {
        let tb = t.powf(1.0 - self.a);
        t.powf(-self.a) * (self.c + tb * (self.cd + self.ce * tb))
    }
    /// `∫_0^t ρ`.
    fn primitive(&self, t: f64) -> f64 {
        let b = 1.0 - self.a;
        let tb = t.powf(b);
        tb * (self.c / b + tb * (self.cd / (2.0 * b) + tb * self.ce / (3.0 * b)))
    }
    /// Whether the law reproduces the densities `d` at `ts` within [`FIT_TOLERANCE`].
    fn fits(&self, ts: &[f64], d: &[f64]) -> bool {
        self.c > 0.0
            && ts
                .iter()
                .zip(d)
                .all(|(&t, &r)| ((self.density(t) - r) / r).abs() <= FIT_TOLERANCE)
    }
}

/// The local law at the end `e` of a component (`dir` = 1 at a lower end, -1 at an upper one), from
/// `fine` densities within `z` of it; `None` at a regular end or where neither the two-term law nor the
/// three-term law fits.
fn edge_law<F>(e: f64, dir: f64, z: f64, fine: &F) -> Result<Option<EdgeLaw>>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    let ts = [1e-3 * z, 1e-2 * z, 1e-1 * z, z];
    let d = densities(e, dir, &ts, fine)?;
    if !d.iter().all(|r| r.is_finite() && *r > 0.0) {
        return Ok(None);
    }
    let a = edge_exponent(&d[..3], 10.0, true);
    if a <= 0.0 {
        return Ok(None);
    }
    let b = 1.0 - a;
    let (r0, r3) = (d[0] * ts[0].powf(a), d[3] * ts[3].powf(a));
    let cd = (r3 - r0) / (ts[3].powf(b) - ts[0].powf(b));
    let law = EdgeLaw {
        a,
        c: r0 - cd * ts[0].powf(b),
        cd,
        ce: 0.0,
    };
    if law.fits(&ts[1..3], &d[1..3]) {
        return Ok(Some(law));
    }
    // where the exponent settles late (the third term still ~1e-3 at `z`): the three-term law fitted at
    // `z/1000`, `z/10` and `z`, checked at `z/100` and at two more points, `z/√1000` and `z/√10`
    let (r, tb): (Vec<f64>, Vec<f64>) = [0, 2, 3]
        .iter()
        .map(|&i| (d[i] * ts[i].powf(a), ts[i].powf(b)))
        .unzip();
    let m = nalgebra::Matrix3::from_fn(|i, j| tb[i].powi(j as i32));
    let Some(coef) = m.lu().solve(&nalgebra::Vector3::from_column_slice(&r)) else {
        return Ok(None);
    };
    let law = EdgeLaw {
        a,
        c: coef[0],
        cd: coef[1],
        ce: coef[2],
    };
    let checks = [1e-2 * z, 10f64.powf(-1.5) * z, 10f64.powf(-0.5) * z];
    let dc = densities(e, dir, &checks, fine)?;
    Ok(law.fits(&checks, &dc).then_some(law))
}

/// `fine` densities at the distances `ts` (ascending) from the end `e` on the side `dir`.
fn densities<F>(e: f64, dir: f64, ts: &[f64], fine: &F) -> Result<Vec<f64>>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    // the sweep takes ascending points
    let mut xs: Vec<f64> = ts.iter().map(|t| e + dir * t).collect();
    if dir < 0.0 {
        xs.reverse();
    }
    let mut d = fine(&xs)?;
    if dir < 0.0 {
        d.reverse();
    }
    Ok(d)
}

/// Replace the weights (and densities) of the cells of `comp` within `z` of a singular end by the
/// integrals of the end's local law (module docs); regular ends, ends whose local law does not fit,
/// and components narrower than `1000 z` are left as they are. Whether anything changed.
pub(super) fn integrate_singular_ends<F>(comp: &mut Component, z: f64, fine: &F) -> Result<bool>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    let (lo, hi) = (comp.lo, comp.hi);
    if 1e3 * z > hi - lo {
        return Ok(false);
    }
    let mut changed = false;
    for (e, dir) in [(lo, 1.0), (hi, -1.0)] {
        let Some(law) = edge_law(e, dir, z, fine)? else {
            continue;
        };
        for k in 0..comp.x.len() {
            let (x0, x1) = comp.cell(k);
            let (t0, t1) = if dir > 0.0 {
                (x0 - lo, x1 - lo)
            } else {
                (hi - x1, hi - x0)
            };
            if t1 > z {
                continue;
            }
            comp.weights[k] = law.primitive(t1) - law.primitive(t0.max(0.0));
            comp.density[k] = law.density((comp.x[k] - e).abs());
            changed = true;
        }
    }
    comp.mass = comp.weights.iter().sum();
    Ok(changed)
}
