//! Supports of expression nodes. Leaves: closed forms (or the model's / fixed-point law's own).
//! Operations: the atoms come from the free atom rules ([`super::law`]); the continuous part is found
//! by scanning the bounding interval with cold solves at `η = 1e-13` (in units of the law's scale) and
//! bisecting every change of status to `1e-11` of the scale ([`edges::scan_components`]). The
//! indicator is `(Im g - Lorentzians of the atoms)/(|g| + 1/σ) > 1e-7` (`σ` the scale): inside at distance `d` from a square-root
//! edge `Im g ~ √d`, outside `Im g ~ η/√d`, so the two are separated within `~1e-12` of the edge. The
//! total mass (components + atoms; the graded quadrature of [`SpectralDensity`] with 128, 1024 and then
//! 4096 nodes, and where it fails, components with an inverse-square-root hard edge integrated again by
//! the Gauss–Chebyshev rule, exact to high order there) must be 1 within `1e-5`; otherwise the scan is
//! repeated finer (a component narrower than the probe spacing can be missed). Last, for hard edges
//! with other exponents (`ρ ~ x^{-k/(k+1)}` for a free product of `k + 1` square Wisharts), every end
//! is integrated after the substitution that makes the density regular ([`substituted_mass`]). Where no
//! scan of the bounding interval passes, the scans run again over windows of 16 and 64 standard
//! deviations around the mean (the bound of a deep nesting is far too wide for the probes); a law that
//! fails all of this is refused with a typed error.

use super::hard_edge;
use super::law::{Kind, Law};
use crate::error::{Error, Result};
use crate::model::Support;
use crate::numerics::stieltjes::SolverOptions;
use crate::numerics::{edges, quad};
use crate::spectral::SpectralDensity;

/// `η` of the support scan, relative to the law's scale.
const SCAN_ETA: f64 = 1e-13;
/// Indicator threshold on `Im g/|g|`.
const SCAN_TAU: f64 = 1e-7;
/// Edge bracket, relative to the law's scale.
const EDGE_TOL: f64 = 1e-11;
/// Probe counts tried in turn.
const SCAN_POINTS: [usize; 3] = [256, 1024, 4096];
/// Accepted deviation of the total mass from 1 after a scan.
const MASS_CHECK: f64 = 1e-5;
/// `η` (scale units) of the densities of the last-resort mass check ([`substituted_mass`]).
pub(super) const FINE_ETA: f64 = 1e-13;
/// Quadrature nodes per component tried for the mass check.
const MASS_NODES: [usize; 3] = [128, 1024, 4096];

/// Whether the density diverges like `|x - e|^{-1/2}` at an end `e` of `[lo, hi]`: its local exponent
/// between `1e-5` and `1e-3` of the width from the end, or between `1e-7` and `1e-6` of it, is within
/// 0.1 of `-1/2`. (The nearer window is for laws that reach that regime only close to the edge: a
/// square first layer under wider ones has slope `-0.64` in the farther window, `-0.500` in the
/// nearer.)
fn inverse_sqrt_edge<F>(lo: f64, hi: f64, density: &F) -> Result<bool>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    let w = hi - lo;
    let d = density(&[
        lo + 1e-7 * w,
        lo + 1e-6 * w,
        lo + 1e-5 * w,
        lo + 1e-3 * w,
        hi - 1e-3 * w,
        hi - 1e-5 * w,
        hi - 1e-6 * w,
        hi - 1e-7 * w,
    ])?;
    let exponent =
        |near: f64, far: f64, decades: f64| (far / near).ln() / (10f64.powf(decades)).ln();
    Ok([
        exponent(d[2], d[3], 2.0),
        exponent(d[5], d[4], 2.0),
        exponent(d[0], d[1], 1.0),
        exponent(d[7], d[6], 1.0),
    ]
    .iter()
    .any(|a| (a + 0.5).abs() < 0.1))
}

/// The total mass with the components that have an inverse-square-root edge integrated by the
/// Gauss–Chebyshev rule (`nodes` nodes) and the others taken from the graded tabulation; `None`
/// when no component has such an edge.
fn hard_edge_mass<F>(
    support: &Support,
    graded: &SpectralDensity,
    nodes: usize,
    density: &F,
) -> Result<Option<f64>>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    let mut mass: f64 = support.atoms.iter().map(|a| a.1).sum();
    let mut any = false;
    for (&(lo, hi), c) in support.components.iter().zip(&graded.components) {
        if inverse_sqrt_edge(lo, hi, density)? {
            any = true;
            let (x, w) = quad::chebyshev_rule(lo, hi, nodes);
            let d = density(&x)?;
            mass += d.iter().zip(&w).map(|(r, w)| r * w).sum::<f64>();
        } else {
            mass += c.mass;
        }
    }
    Ok(any.then_some(mass))
}

/// The exponent `a` of `ρ ~ t^{-a}` at an end of a component (`0` for a soft edge), from the density at
/// `t`, `r t` and `r² t` (`r` = `ratio`). The local slopes `a₁` (first pair) and `a₂` (second pair) carry the
/// Puiseux correction `ρ = C t^{-a} (1 + D t^{1-a} + …)`, so `a₂ - a = r^{1-a} (a₁ - a)`: solved for
/// `a` by two fixed-point steps, then snapped to the nearest `j/q` (`q <= 16`) within `0.004` (hard
/// edges of free products and `pop` of square factors have `a = k/(k+1)`; the substitution needs the
/// exact exponent to leave a regular integrand). Without the third point (`richardson` false), `a₁`.
pub(super) fn edge_exponent(d: &[f64], ratio: f64, richardson: bool) -> f64 {
    if !(d.iter().all(|&r| r > 0.0 && r.is_finite())) {
        return 0.0;
    }
    let slope = |near: f64, far: f64| (near / far).ln() / ratio.ln();
    let a1 = slope(d[0], d[1]);
    let mut a = a1;
    if richardson {
        let a2 = slope(d[1], d[2]);
        for _ in 0..2 {
            let r = ratio.powf((1.0 - a).clamp(0.05, 1.0));
            a = (r * a1 - a2) / (r - 1.0);
        }
    }
    let a = a.clamp(0.0, 0.95);
    let mut best = (a, 0.004);
    for q in 2..=16u32 {
        let j = (a * q as f64).round();
        let f = j / q as f64;
        if (f - a).abs() < best.1 {
            best = (f, (f - a).abs());
        }
    }
    best.0
}

/// Total mass (atoms + components) with every end of every component integrated after the
/// substitution `x = e ± L s^p` (`e` the end, `L` half the component, `p = 1/(1 - a)`), where `a` is
/// the local exponent of the density `ρ ~ |x - e|^{-a}` measured at `10 floor` and `1000 floor` from the
/// end. Near a hard edge of a product of several square Wisharts (`ρ ~ x^{-k/(k+1)}`, the
/// Fuss–Catalan laws of deep linear networks) the density is a power series in `|x - e|^{1 - a}`,
/// so the substituted integrand is smooth in `s`: it is integrated by tanh–sinh on `[s_c, 1]`, where
/// every node lies at least `10 floor` from the edge (`floor` ~ 1000 η: closer, the density computed
/// at `η` saturates), and extrapolated by the three-point rule over `[0, s_c]`. `None` when the
/// exponent is too close to 1 for that (`s_c > 0.3`).
fn substituted_mass<F>(support: &Support, floor: f64, density: &F) -> Result<Option<f64>>
where
    F: Fn(&[f64]) -> Result<Vec<f64>>,
{
    let mut mass: f64 = support.atoms.iter().map(|a| a.1).sum();
    for &(lo, hi) in &support.components {
        let half = 0.5 * (hi - lo);
        if 1e3 * floor >= 0.1 * half {
            return Ok(None);
        }
        for (e, dir) in [(lo, 1.0), (hi, -1.0)] {
            let at = |t: f64| e + dir * t;
            let d = density(&[at(10.0 * floor), at(1e3 * floor), at(1e5 * floor)])?;
            let a = edge_exponent(&d, 100.0, 1e5 * floor <= 0.5 * half);
            let p = 1.0 / (1.0 - a);
            let s_c = (10.0 * floor / half).powf(1.0 / p);
            if s_c > 0.3 {
                return Ok(None);
            }
            let failure = std::cell::RefCell::new(None);
            let f = |s: f64| -> f64 {
                match density(&[at(half * s.powf(p))]) {
                    Ok(r) => r[0] * half * p * s.powf(p - 1.0),
                    Err(e) => {
                        failure.borrow_mut().get_or_insert(e);
                        f64::NAN
                    }
                }
            };
            let body = quad::integrate(f, s_c, 1.0, 1e-9);
            let (f1, f2, f3) = (f(s_c), f(2.0 * s_c), f(3.0 * s_c));
            if let Some(e) = failure.borrow_mut().take() {
                return Err(e);
            }
            mass += body? + s_c * (23.0 * f1 - 16.0 * f2 + 5.0 * f3) / 12.0;
        }
    }
    Ok(Some(mass))
}

impl Law {
    /// The support (computed once).
    pub(crate) fn support_ref(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let s = self.compute_support()?;
        let _ = self.support.set(s);
        Ok(self.support.get().expect("just set"))
    }

    fn compute_support(&self) -> Result<Support> {
        let atoms = self.atoms.clone();
        match &self.kind {
            Kind::Mp(mp) => {
                let (lo, hi) = mp.edges();
                return Ok(Support {
                    components: vec![(lo, hi)],
                    atoms,
                });
            }
            Kind::Sc(s2) => {
                let r = 2.0 * s2.sqrt();
                return Ok(Support {
                    components: vec![(-r, r)],
                    atoms,
                });
            }
            Kind::Unif(a, b) => {
                return Ok(Support {
                    components: vec![(*a, *b)],
                    atoms,
                })
            }
            Kind::Atoms(_) => {
                return Ok(Support {
                    components: vec![],
                    atoms,
                })
            }
            Kind::Model(m) => return m.support(),
            Kind::FixedPoint(fp) => return fp.support().cloned(),
            Kind::Affine(a, b, x) => {
                let t = |v: f64| a * v + b;
                let mut components: Vec<(f64, f64)> = x
                    .support_ref()?
                    .components
                    .iter()
                    .map(|c| (t(c.0).min(t(c.1)), t(c.0).max(t(c.1))))
                    .collect();
                components.sort_by(|p, q| p.0.total_cmp(&q.0));
                return Ok(Support { components, atoms });
            }
            _ => {}
        }
        let cont_mass = 1.0 - atoms.iter().map(|a| a.1).sum::<f64>();
        if cont_mass <= 1e-12 {
            return Ok(Support {
                components: vec![],
                atoms,
            });
        }
        let o = SolverOptions::default();
        let s = self.scale;
        let width = (self.hull.1 - self.hull.0).max(1e-9 * s);
        let (lo, hi) = (
            self.hull.0 - 0.01 * width - 1e-6 * s,
            self.hull.1 + 0.01 * width + 1e-6 * s,
        );
        let eta = SCAN_ETA * s;
        let inside = |x: f64| self.inside(x, eta, SCAN_TAU, &o);
        let mut last_mass = f64::NAN;
        let sweep = |xs: &[f64]| Ok(self.density_sweep(xs, &o)?.0);
        // the scan runs over the proven bound first; where no scan there passes the mass check, over
        // windows of 16 and 64 standard deviations around the mean (exact moments), where they are
        // narrower than a quarter of it. The bound of a nested expression is the product of its
        // operations' bounds: for the square layers of a deep network it is ~4^L times the support
        // (`[-152, 15325]` for a law on `[0, 1.7]` at depth 8), and 4096 probes missed the whole law.
        // A windowed scan is valid only if no component reaches the window's ends; the mass check
        // guards against a component left outside it.
        let m1 = self.moments[0];
        let windows: Vec<(f64, f64)> = std::iter::once((lo, hi))
            .chain([16.0, 64.0].iter().filter_map(|k| {
                let (a, b) = ((m1 - k * s).max(lo), (m1 + k * s).min(hi));
                (b > a && b - a < 0.25 * (hi - lo)).then_some((a, b))
            }))
            .collect();
        for (wlo, whi) in windows {
            let windowed = wlo > lo || whi < hi;
            let mut finest = None;
            for n in SCAN_POINTS {
                // the hull is a proven bound of the support: next to a hard edge where the density
                // diverges (e.g. `pop(A, 1)` at 0, density ~ x^(-1/2); `mp(1) * mp(1)`, ~ x^(-2/3)), `Im g` at the
                // scan's η stays above the threshold for a while outside, so the scan alone would start the
                // component below the edge and the tabulated mass would miss the singularity
                let components: Vec<(f64, f64)> =
                    edges::scan_components(inside, wlo, whi, n, EDGE_TOL * s)?
                        .into_iter()
                        .map(|c| (c.0.max(self.hull.0), c.1.min(self.hull.1)))
                        .filter(|c| c.1 > c.0)
                        .collect();
                if windowed && components.iter().any(|c| c.0 <= wlo || c.1 >= whi) {
                    finest = None;
                    break;
                }
                let support = Support {
                    components,
                    atoms: atoms.clone(),
                };
                // 128 nodes per component resolve a component of one bump; the graded rule's error at an
                // inverse-square-root edge (`pop(A, 1)` of a non-MP population) and where two bumps have
                // merged into one component (a narrow peak beside a wide bulk) needs more: before
                // rescanning, the same components are integrated again with 1024, then 4096 nodes
                for nodes in MASS_NODES {
                    let graded = match SpectralDensity::from_support(&support, nodes, sweep) {
                        Ok(law) => Some(law),
                        Err(Error::Domain(_)) => None,
                        Err(e) => return Err(e),
                    };
                    last_mass = graded.as_ref().map_or(f64::NAN, |l| l.mass());
                    if (last_mass - 1.0).abs() <= MASS_CHECK {
                        return Ok(support);
                    }
                    // the graded rule puts nodes within ~1e-12 of the edges; next to an
                    // inverse-square-root hard edge (`pop(A, 1)` of a non-MP population, as the square
                    // last layer of a deep conjugate kernel) the density there is the boundary value at
                    // η = 1e-10 (scale units), capped at ~η^(-1/2), and the rule misses ~√η of the mass:
                    // such components are integrated again with the Gauss–Chebyshev rule, exact to high
                    // order at square-root and inverse-square-root edges, whose nodes stay ~(π/4n)² of
                    // the width away from them
                    if let Some(graded) = &graded {
                        if let Some(m) = hard_edge_mass(&support, graded, nodes, &sweep)? {
                            last_mass = m;
                            if (last_mass - 1.0).abs() <= MASS_CHECK {
                                return Ok(support);
                            }
                        }
                    }
                }
                finest = Some(support);
            }
            // last resort, for singular hard edges other than `x^{-1/2}` (module docs): the finest scan's
            // components, each end integrated after a substitution that makes the density regular
            if let Some(support) = finest {
                // densities 1000 times closer to the axis than the tabulation's: at `10 floor` from a
                // singular edge, the smoothing by η = 1e-10 (scale units) biased them by ~1e-4
                let fine = SolverOptions {
                    eta_min: FINE_ETA,
                    ..o
                };
                let fine_sweep = |xs: &[f64]| Ok(self.density_sweep(xs, &fine)?.0);
                // a substituted integrand the quadrature cannot resolve (an exponent measured wrong
                // leaves it singular) fails this check only: the local laws below still get their turn
                match substituted_mass(&support, 1e3 * self.eta(&o), &fine_sweep) {
                    Ok(Some(m)) => {
                        last_mass = m;
                        if (last_mass - 1.0).abs() <= MASS_CHECK {
                            return Ok(support);
                        }
                    }
                    Ok(None) | Err(Error::NotConverged { .. }) => {}
                    Err(e) => return Err(e),
                }
                // an edge whose exponent settles only within ~1e-6 σ of it (a narrow layer whose
                // atom at 0 sits on the hard edge of the next: the slope is 0.705 at 1e-6 σ, 0.671
                // at 1e-10 σ, 2/3 in the limit) defeats the substitution, which measures it farther
                // out: the finest graded tabulation with the cells next to singular ends integrated
                // by the ends' local laws, fitted within 1e-6 σ (as `Expression::tabulate`); then the
                // same with 4 times the nodes, for a near-cusp inside a component (two bumps just
                // merged), where the graded nodes are sparsest and the rule's error falls like
                // n^(-3/2) (an erf network with an atom in its data Gram: 1 + 2.3e-4 with 1024
                // nodes, 1 + 3.6e-5 with 4096)
                for nodes in [MASS_NODES[2], 4 * MASS_NODES[2]] {
                    let mut components =
                        SpectralDensity::tabulate_components(&support, nodes, sweep)?;
                    for c in &mut components {
                        hard_edge::integrate_singular_ends(c, 1e4 * self.eta(&o), &fine_sweep)?;
                    }
                    last_mass = support.atoms.iter().map(|a| a.1).sum::<f64>()
                        + components.iter().map(|c| c.mass).sum::<f64>();
                    if (last_mass - 1.0).abs() <= MASS_CHECK {
                        return Ok(support);
                    }
                }
            }
        }
        // a deep network's law is a nested expression of thousands of characters: its ends suffice
        let label: Vec<char> = self.label.chars().collect();
        let label = if label.len() > 160 {
            let (head, tail): (String, String) = (
                label[..100].iter().collect(),
                label[label.len() - 40..].iter().collect(),
            );
            format!("{head} … {tail}")
        } else {
            self.label.clone()
        };
        Err(Error::Domain(format!(
            "`{label}`: the support scan over [{}, {}] found total mass {last_mass:.8} instead of 1 \
             (support or density not resolved)",
            crate::error::num(lo),
            crate::error::num(hi),
        )))
    }
}
