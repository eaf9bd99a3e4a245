//! Plumbing shared by the resolvent laws of this module: size ratios, support from the real inverse
//! `x(m) = c + τ(m) - 1/m` (Silverstein–Choi, via [`crate::numerics::edges`]) or by scanning an exact
//! CDF (`support_by_scan`, for laws without an explicit inverse), and densities evaluated
//! with the core solver ([`crate::numerics::stieltjes`]) only inside the support, warm-started along
//! each component.

use crate::error::{check, Error, Result};
use crate::model::Support;
use crate::numerics::edges;
use crate::numerics::stieltjes::{self, ResolventEquation, SolveStats, SolverOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Size ratios of a shallow network in the proportional limit `n, d, N → ∞`.
///
/// Stated as `d/n` (input dimension per data point) and `N/n` (width per data point); internally
/// The `α = n/d` and `γ = d/N` of docs/models/fim.md (`n/N = αγ`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    /// `d/n`.
    pub d_over_n: f64,
    /// `N/n`.
    pub width_over_n: f64,
}

impl Ratios {
    /// Validated ratios, each in `[1e-4, 1e4]`.
    pub fn new(d_over_n: f64, width_over_n: f64) -> Result<Self> {
        check::in_range("d_over_n", d_over_n, 1e-4, 1e4)?;
        check::in_range("width_over_n", width_over_n, 1e-4, 1e4)?;
        Ok(Ratios {
            d_over_n,
            width_over_n,
        })
    }
    /// From the `α = n/d` and `γ = d/N` of docs/models/fim.md.
    pub fn from_alpha_gamma(alpha: f64, gamma: f64) -> Result<Self> {
        check::positive("alpha", alpha)?;
        check::positive("gamma", gamma)?;
        Self::new(1.0 / alpha, 1.0 / (alpha * gamma))
    }
    /// Ratios of finite sizes.
    pub fn from_sizes(n: usize, d: usize, width: usize) -> Result<Self> {
        Self::new(d as f64 / n as f64, width as f64 / n as f64)
    }
    /// `α = n/d`.
    pub fn alpha(&self) -> f64 {
        1.0 / self.d_over_n
    }
    /// `γ = d/N`.
    pub fn gamma(&self) -> f64 {
        self.d_over_n / self.width_over_n
    }
    /// JSON with every ratio named.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "d_over_n": self.d_over_n, "width_over_n": self.width_over_n,
            "alpha_n_over_d": self.alpha(), "gamma_d_over_width": self.gamma(),
            "n_over_width": 1.0 / self.width_over_n,
        })
    }
}

/// Support components of a law `m = 1/(-(z - c) + τ(m))` from the critical points of its real inverse
/// (`x_of_m` returns NaN where `τ` is not real), plus `extra` candidate edges (hard edges, `c`, 0).
/// The law is that of a matrix `⪰ floor` (a Gram matrix plus `c I`), so critical values below
/// `floor` are spurious (rounding in `x(m)` at extreme ratios produced candidates at `x ~ -4e5`,
/// whose probes then failed) and are dropped; `floor` itself must be among `extra` (or `-∞` for a law
/// with no lower bound, e.g. the centred GEP law).
#[doc(hidden)]
pub fn support_from_inverse<E, X>(
    eq: &E,
    x_of_m: X,
    extra: &[f64],
    floor: f64,
    atoms: Vec<(f64, f64)>,
    opts: &SolverOptions,
) -> Result<Support>
where
    E: ResolventEquation + ?Sized,
    X: Fn(f64) -> f64,
{
    let mut cands: Vec<f64> = edges::critical_points(&x_of_m, -6.0, 6.0, 3000)
        .into_iter()
        .map(|p| p.1)
        .filter(|&x| x >= floor - 1e-12 * (1.0 + floor.abs()))
        .collect();
    cands.extend(
        edges::domain_boundaries(&x_of_m, -6.0, 6.0, 3000)
            .into_iter()
            .filter(|&x| x >= floor - 1e-12 * (1.0 + floor.abs())),
    );
    cands.extend_from_slice(extra);
    // probe `Im m / |m|`: outside the support `Im m ≈ η_min m'(x)` can exceed an absolute threshold
    // near an edge where |m| is large (e.g. a lower edge at 1e-3), the ratio cannot
    // (minus the atoms' Lorentzians `w η/((x - a)² + η²)`, which alone exceed the threshold within
    // ~sqrt(η) of an atom and made a spurious component [0, 5e-9] next to an atom at 0)
    let eta = opts.eta_min;
    let probe = |x: f64| -> Result<f64> {
        let m = stieltjes::solve_real(eq, x, None, opts)?.m;
        let lorentz: f64 = atoms
            .iter()
            .map(|&(a, w)| w * eta / ((x - a).powi(2) + eta * eta))
            .sum();
        Ok((m.im - lorentz) / m.norm().max(1e-300))
    };
    let mut components = edges::components(&cands, probe, 1e-5)?;
    // drop components thinner than numerical noise
    components.retain(|c| c.1 - c.0 > 1e-10 * (1.0 + c.1.abs()));
    Ok(Support { components, atoms })
}

/// Density at arbitrary points: 0 outside the support components, the solver's `Im m/π` inside (minus
/// the atoms' Lorentzians at `η_min`), warm-started along the sorted points of each component.
#[doc(hidden)]
pub fn density_on_support<E: ResolventEquation + ?Sized>(
    eq: &E,
    support: &Support,
    xs: &[f64],
    opts: &SolverOptions,
) -> Result<Vec<f64>> {
    Ok(density_on_support_diagnosed(eq, support, xs, opts)?.0)
}

/// [`density_on_support`] with the solver's convergence diagnostics over all solved points.
#[doc(hidden)]
pub fn density_on_support_diagnosed<E: ResolventEquation + ?Sized>(
    eq: &E,
    support: &Support,
    xs: &[f64],
    opts: &SolverOptions,
) -> Result<(Vec<f64>, SolveStats)> {
    if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
        return Err(crate::Error::param("x", x, "finite"));
    }
    let mut out = vec![0.0; xs.len()];
    let mut all = Vec::new();
    for &(lo, hi) in &support.components {
        let mut idx: Vec<usize> = (0..xs.len())
            .filter(|&i| xs[i] > lo && xs[i] < hi)
            .collect();
        idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
        let pts: Vec<f64> = idx.iter().map(|&i| xs[i]).collect();
        let sol = stieltjes::solve_grid(eq, &pts, opts)?;
        for (&i, s) in idx.iter().zip(&sol) {
            // `Im m(x + iη)` also carries the atoms' Lorentzians `w η/((x - a)² + η²)`, which are O(1)
            // within ~sqrt(η) of an atom: a component starting just above an atom (α ≈ 1) gained
            // the atom's mass a second time. Remove them; they belong to the atoms.
            let eta = opts.eta_min;
            let lorentz: f64 = support
                .atoms
                .iter()
                .map(|&(a, w)| w * eta / ((xs[i] - a).powi(2) + eta * eta))
                .sum();
            out[i] = stieltjes::density_of(s.m - num_complex::Complex64::new(0.0, lorentz));
        }
        all.extend(sol);
    }
    Ok((out, SolveStats::of(&all)))
}

/// Support components of a law with `n` eigenvalues (an `n × n` deterministic family) on `[lo, hi]`,
/// from a probe `x ↦ (F(x), level(x))`: the exact CDF and an indicator positive inside the support
/// (`> 1e-6`; e.g. `Im w/|w|`), with `F(lo) = 0`, `F(hi) = 1` (checked); `atoms` are known jumps of `F`.
///
/// A 65-point scan, refined where the inside/outside status changes (edges to `1e-7` of the range),
/// where the mass between two outside points is positive (hidden components), and where the indicator
/// halves between neighbours. In a gap of such a law `n F` is an integer (for the data law: `#{σ_k < w}`,
/// or that minus `N`), so within 8 eigenvalues' worth of mass of each end of a component (where
/// isolated one-eigenvalue bumps separate at finite `n`) every integer level is bisected on `F` until a
/// gap is hit or the bracket is below `2e-4` of the range (a wider gap at that level is then
/// impossible), and elsewhere, between scan points less than 8 eigenvalues' worth apart, each integer
/// level is probed once where the chord of `F` crosses it. Every gap must carry zero exact mass (else a
/// typed error). A narrower gap inside a reported component is not split off.
pub(crate) fn support_by_scan<P>(
    probe: P,
    lo: f64,
    hi: f64,
    n: usize,
    atoms: &[(f64, f64)],
) -> Result<Vec<(f64, f64)>>
where
    P: Fn(f64) -> Result<(f64, f64)> + Sync,
{
    const INSIDE: f64 = 1e-6;
    const MASS: f64 = 1e-9;
    let (tol, gap_res) = (1e-7 * (hi - lo), 2e-4 * (hi - lo));
    let nf = n as f64;
    type Pt = (f64, f64, f64);
    let inside = |p: &Pt| p.2 > INSIDE;
    let eval = |xs: &[f64]| -> Result<Vec<Pt>> {
        xs.par_iter()
            .map(|&x| probe(x).map(|(f, l)| (x, f, l)))
            .collect()
    };
    let atoms_in = |a: f64, b: f64| -> f64 {
        atoms
            .iter()
            .filter(|t| t.0 > a && t.0 <= b)
            .map(|t| t.1)
            .sum()
    };
    // gaps sit at integer levels n F (n F = #{σ_k < w} or that minus N): bisect on F for level k
    // between two inside points; a bracket narrower than `gap_res` rules out a wider gap there
    let level_search = |mut a: Pt, mut b: Pt, level: f64| -> Result<Vec<Pt>> {
        let mut out = Vec::new();
        while b.0 - a.0 > gap_res {
            let p = probe(0.5 * (a.0 + b.0)).map(|(f, l)| (0.5 * (a.0 + b.0), f, l))?;
            out.push(p);
            if !inside(&p) {
                break;
            }
            if p.1 < level {
                a = p;
            } else {
                b = p;
            }
        }
        Ok(out)
    };
    let xs0: Vec<f64> = (0..65).map(|k| lo + (hi - lo) * k as f64 / 64.0).collect();
    let mut pts = eval(&xs0)?;
    for _ in 0..8 {
        for _ in 0..60 {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mids: Vec<f64> = pts
                .windows(2)
                .filter(|p| {
                    let (a, b) = (p[0], p[1]);
                    b.0 - a.0 > tol
                        && match (inside(&a), inside(&b)) {
                            (false, false) => b.1 - a.1 - atoms_in(a.0, b.0) > MASS,
                            (true, true) => a.2.min(b.2) < 0.5 * a.2.max(b.2),
                            _ => true,
                        }
                })
                .map(|p| 0.5 * (p[0].0 + p[1].0))
                .collect();
            if mids.is_empty() {
                break;
            }
            pts.extend(eval(&mids)?);
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // isolated one-eigenvalue bumps separate at the ends of a component (its extreme
        // eigenvalues): search the levels within 8 eigenvalues' worth of each end
        let mut ends: Vec<(f64, f64)> = Vec::new();
        for (i, p) in pts.iter().enumerate() {
            let prev_in = i > 0 && inside(&pts[i - 1]);
            match (prev_in, inside(p)) {
                (false, true) => ends.push((nf * p.1, nf * p.1)),
                (true, true) => {
                    if let Some(e) = ends.last_mut() {
                        e.1 = nf * p.1;
                    }
                }
                _ => {}
            }
        }
        let near_end = |k: f64| {
            ends.iter()
                .any(|e| k > e.0 - 1.0 && k < e.1 + 1.0 && (k - e.0 < 8.0 || e.1 - k < 8.0))
        };
        // elsewhere, in stretches holding fewer than 8 eigenvalues' worth of mass, one probe per
        // level where the chord of F crosses it (it lands in any gap wide on the chord's scale)
        let searches: Vec<(Pt, Pt, f64, bool)> = pts
            .windows(2)
            .filter(|p| inside(&p[0]) && inside(&p[1]) && p[1].0 - p[0].0 > gap_res)
            .flat_map(|p| {
                let (ka, kb) = (
                    (nf * p[0].1 + 1e-9).floor() + 1.0,
                    (nf * p[1].1 - 1e-9).ceil(),
                );
                let few = nf * (p[1].1 - p[0].1) < 8.0;
                (ka as i64..kb as i64).filter_map(move |k| {
                    let k = k as f64;
                    let end = near_end(k);
                    (end || few).then_some((p[0], p[1], k / nf, end))
                })
            })
            .collect();
        let found: Vec<Vec<Pt>> = searches
            .par_iter()
            .map(|&(a, b, l, end)| {
                if end {
                    level_search(a, b, l)
                } else {
                    let x = a.0 + (b.0 - a.0) * (l - a.1) / (b.1 - a.1);
                    Ok(vec![probe(x).map(|(f, v)| (x, f, v))?])
                }
            })
            .collect::<Result<_>>()?;
        let new: Vec<Pt> = found.into_iter().flatten().collect();
        let gap = new.iter().any(|p| !inside(p));
        pts.extend(new);
        if !gap {
            break;
        }
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (f_lo, f_hi) = (pts[0].1, pts[pts.len() - 1].1);
    if f_lo > MASS || f_hi < 1.0 - MASS {
        return Err(Error::Domain(format!(
            "data law: CDF {f_lo:.3e} at {lo} and {f_hi:.6} at {hi}: range does not hold the law"
        )));
    }
    let mut comps: Vec<(f64, f64)> = Vec::new();
    let mut lost = 0.0;
    for p in pts.windows(2) {
        let (a, b) = (p[0], p[1]);
        match (inside(&a), inside(&b)) {
            (false, true) => comps.push((0.5 * (a.0 + b.0), f64::NAN)),
            (true, false) => {
                if let Some(c) = comps.last_mut() {
                    c.1 = 0.5 * (a.0 + b.0);
                }
            }
            (false, false) => lost += (b.1 - a.1 - atoms_in(a.0, b.0)).max(0.0),
            _ => {}
        }
    }
    if lost > 1e-6 || comps.iter().any(|c| !c.1.is_finite()) {
        return Err(Error::Domain(format!(
            "data law: support not resolved (mass {lost:.2e} outside the components found)"
        )));
    }
    Ok(comps)
}
