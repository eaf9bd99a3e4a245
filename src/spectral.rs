//! The spectral-density type: support components, atoms, a tabulated density, and the CDF, quantiles
//! and moments computed from it.
//!
//! On each component `[lo, hi]` the density is tabulated at the midpoints `t_k = (k + 1/2)/n` of the
//! graded map `x = lo + (hi - lo) u(t)`, `u(t) = t^p / (t^p + (1 - t)^p)` with `p = 5`, and integrated
//! in `t` by the midpoint rule. Near an edge `x - lo ~ t^p`, so a density `~ (x - lo)^α` becomes an
//! integrand `~ t^{p(α+1) - 1}`: square-root soft edges (`α = 1/2`) vanish to high order (spectral
//! accuracy), the inverse-square-root hard edge (`α = -1/2`) and the `-2/3` edge of products of square
//! Wishart matrices stay integrable and are resolved, and a narrow component gets as many nodes as a
//! wide one. (A cosine map, `p` = 2 in effect, loses ~1% of the mass at a `-2/3` edge.)

use crate::error::{Error, Result};
use crate::model::{SpectralModel, Support};
use serde::{Deserialize, Serialize};

/// Largest number of grid points of a reported density.
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// Bytes per reported grid point: `x` and the density, their JSON object and text (about 200 bytes).
pub const GRID_POINT_BYTES: u64 = 216;

/// `points` midpoints of a uniform grid over the hull of the support components
/// (`lo + (hi - lo)(k + 1/2)/points`), after checking `points` in `[1, MAX_GRID_POINTS]` and the
/// memory of the reported grid against the budget ([`crate::budget`]). Empty when the support has no
/// continuous component.
pub fn interior_grid(support: &Support, points: usize) -> Result<Vec<f64>> {
    crate::error::check::count("points", points, 1, MAX_GRID_POINTS)?;
    crate::budget::check(
        &format!("a density on {points} points"),
        (points as u64).saturating_mul(GRID_POINT_BYTES),
    )?;
    let lo = support
        .components
        .iter()
        .map(|c| c.0)
        .fold(f64::INFINITY, f64::min);
    let hi = support
        .components
        .iter()
        .map(|c| c.1)
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return Ok(vec![]);
    }
    Ok((0..points)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / points as f64)
        .collect())
}

/// Grading exponent of the node map (see the module docs).
const GRADE: f64 = 5.0;

fn grade(t: f64) -> f64 {
    let a = t.powf(GRADE);
    let b = (1.0 - t).powf(GRADE);
    a / (a + b)
}

fn grade_deriv(t: f64) -> f64 {
    let a = t.powf(GRADE);
    let b = (1.0 - t).powf(GRADE);
    GRADE * (t * (1.0 - t)).powf(GRADE - 1.0) / ((a + b) * (a + b))
}

fn grade_inverse(u: f64) -> f64 {
    let a = u.powf(1.0 / GRADE);
    let b = (1.0 - u).powf(1.0 / GRADE);
    if a + b == 0.0 {
        0.5
    } else {
        a / (a + b)
    }
}

/// Largest accepted deviation of the tabulated total mass from 1 (quadrature errors are ~1e-4 at worst,
/// at `-2/3` hard edges; anything larger is a failed support or density, or a band too narrow for the
/// node map, e.g. a nearly-linear tanh at n/d = 121 whose band of mass 0.99 is 1e-8 wide).
pub const MASS_TOLERANCE: f64 = 2e-3;

/// Default number of nodes per support component.
pub const DEFAULT_NODES: usize = 300;

/// Node multipliers tried, in order, by [`SpectralDensity::from_support_refined`] when a tabulation
/// fails its mass check (the midpoint rule's error at an interior kink falls like `n^{-3/2}`: 4× the
/// nodes cut the worst measured case, 2.1e-3, to 7e-5).
pub const REFINE_FACTORS: [usize; 2] = [4, 16];

/// One tabulated support component.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Component {
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Nodes `x_k` (ascending).
    pub x: Vec<f64>,
    /// Density at the nodes.
    pub density: Vec<f64>,
    /// Quadrature weights: `∫ f ρ dx ≈ Σ_k w_k f(x_k)` (`w_k` includes `ρ(x_k)`).
    pub weights: Vec<f64>,
    /// Mass of the component.
    pub mass: f64,
}

impl Component {
    /// Tabulate `[lo, hi]` with `nodes` (at least 8) graded midpoint nodes (module docs).
    pub fn tabulate<F>(lo: f64, hi: f64, nodes: usize, density: F) -> Result<Self>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>>,
    {
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Err(Error::Domain(format!(
                "invalid support component [{lo}, {hi}]"
            )));
        }
        let n = nodes.max(8);
        let ts: Vec<f64> = (0..n).map(|k| (k as f64 + 0.5) / n as f64).collect();
        let x: Vec<f64> = ts.iter().map(|&t| lo + (hi - lo) * grade(t)).collect();
        let d = density(&x)?;
        let dt = 1.0 / n as f64;
        let weights: Vec<f64> = ts
            .iter()
            .zip(&d)
            .map(|(&t, &r)| r * (hi - lo) * grade_deriv(t) * dt)
            .collect();
        let mass = weights.iter().sum();
        Ok(Component {
            lo,
            hi,
            x,
            density: d,
            weights,
            mass,
        })
    }
}

impl Component {
    /// The interval of `x` that node `k` stands for: its cell `[k/n, (k+1)/n]` of the graded map.
    pub fn cell(&self, k: usize) -> (f64, f64) {
        let n = self.x.len() as f64;
        let w = self.hi - self.lo;
        (
            self.lo + w * grade(k as f64 / n),
            self.lo + w * grade((k as f64 + 1.0) / n),
        )
    }
}

/// A spectral law tabulated for CDFs, quantiles and moments.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SpectralDensity {
    /// Continuous components.
    pub components: Vec<Component>,
    /// Atoms `(location, mass)`.
    pub atoms: Vec<(f64, f64)>,
}

impl SpectralDensity {
    /// Tabulate a model with `nodes` nodes per component ([`SpectralModel::tabulate`]).
    pub fn from_model(model: &dyn SpectralModel, nodes: usize) -> Result<Self> {
        model.tabulate(nodes)
    }

    /// Tabulate from a support and a (vectorised) density.
    pub fn from_support<F>(support: &Support, nodes: usize, density: F) -> Result<Self>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>>,
    {
        let components = Self::tabulate_components(support, nodes, density)?;
        Self::from_components(components, support.atoms.clone())
    }

    /// [`Self::from_support`], and where the mass check fails, the same support tabulated again with
    /// [`REFINE_FACTORS`] times the nodes before the law is refused (with the last try's error).
    ///
    /// The graded map spends its nodes at the edges: in the middle of a component its spacing is 5/n of
    /// the width, five times a uniform grid's (12 of 300 nodes in the middle fifth). A sharp interior feature, such as a
    /// bump that has just merged with the bulk (a near-cusp), is integrated there to only ~1e-3, and the
    /// law was refused although support and density were right. A law that passes with `nodes` is
    /// returned unchanged.
    pub fn from_support_refined<F>(support: &Support, nodes: usize, density: F) -> Result<Self>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>>,
    {
        Self::from_support_refined_with(support, nodes, density, |_| Ok(()))
    }

    /// [`Self::from_support_refined`] with a model's own `repair` of the components, run on every try
    /// whose mass is off by more than [`MASS_TOLERANCE`] before the mass is checked again (e.g. the cells
    /// next to singular edges integrated with the edges' local laws, as free-probability expressions do).
    pub fn from_support_refined_with<F, R>(
        support: &Support,
        nodes: usize,
        density: F,
        repair: R,
    ) -> Result<Self>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>>,
        R: Fn(&mut [Component]) -> Result<()>,
    {
        let atoms: f64 = support.atoms.iter().map(|a| a.1).sum();
        let mut law = Err(Error::Domain(String::new()));
        for factor in std::iter::once(1).chain(REFINE_FACTORS) {
            let mut components =
                Self::tabulate_components(support, nodes.saturating_mul(factor), &density)?;
            let mass: f64 = components.iter().map(|c| c.mass).sum::<f64>() + atoms;
            if (mass - 1.0).abs() > MASS_TOLERANCE {
                repair(&mut components)?;
            }
            // `from_components` fails only its mass check
            law = Self::from_components(components, support.atoms.clone());
            if law.is_ok() {
                break;
            }
        }
        law
    }

    /// Every continuous component of `support` tabulated ([`Component::tabulate`]), before the mass
    /// check of [`Self::from_components`] (for models that refine components first).
    pub fn tabulate_components<F>(
        support: &Support,
        nodes: usize,
        density: F,
    ) -> Result<Vec<Component>>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>>,
    {
        support
            .components
            .iter()
            .map(|&(lo, hi)| Component::tabulate(lo, hi, nodes, &density))
            .collect()
    }

    /// The law from tabulated components and atoms, refused unless its total mass is 1 within
    /// [`MASS_TOLERANCE`].
    pub fn from_components(components: Vec<Component>, atoms: Vec<(f64, f64)>) -> Result<Self> {
        let law = SpectralDensity { components, atoms };
        // a law that does not integrate to 1 means the support or the density solver failed (e.g. an
        // edge structure far outside the scanned scales): refuse it rather than return garbage
        let mass = law.mass();
        if !(mass - 1.0).abs().le(&MASS_TOLERANCE) {
            let edges: Vec<(f64, f64)> = law.components.iter().map(|c| (c.lo, c.hi)).collect();
            return Err(Error::Domain(format!(
                "the tabulated law has total mass {mass:.6} instead of 1 (components {:?}, atoms {:?}): \
                 support or density not resolved for these parameters",
                edges, law.atoms
            )));
        }
        Ok(law)
    }

    /// Total mass (components + atoms); 1 up to quadrature error for a correct law.
    pub fn mass(&self) -> f64 {
        self.components.iter().map(|c| c.mass).sum::<f64>()
            + self.atoms.iter().map(|a| a.1).sum::<f64>()
    }

    /// `∫ x^k dμ` (atoms included).
    pub fn moment(&self, k: i32) -> f64 {
        let cont: f64 = self
            .components
            .iter()
            .map(|c| {
                c.x.iter()
                    .zip(&c.weights)
                    .map(|(x, w)| w * x.powi(k))
                    .sum::<f64>()
            })
            .sum();
        cont + self.atoms.iter().map(|(a, m)| m * a.powi(k)).sum::<f64>()
    }

    /// Continuous mass of component `c` below `x` (interpolated in θ).
    fn partial(c: &Component, x: f64) -> f64 {
        if x <= c.lo {
            return 0.0;
        }
        if x >= c.hi {
            return c.mass;
        }
        let n = c.x.len();
        let t = grade_inverse(((x - c.lo) / (c.hi - c.lo)).clamp(0.0, 1.0));
        // node k covers t in [k/n, (k+1)/n]
        let pos = t * n as f64;
        let k = (pos.floor() as usize).min(n - 1);
        let frac = pos - k as f64;
        c.weights[..k].iter().sum::<f64>() + frac * c.weights[k]
    }

    /// Right-continuous CDF `μ((-∞, x])`.
    pub fn cdf(&self, x: f64) -> f64 {
        let cont: f64 = self.components.iter().map(|c| Self::partial(c, x)).sum();
        let at: f64 = self.atoms.iter().filter(|a| a.0 <= x).map(|a| a.1).sum();
        (cont + at).clamp(0.0, 1.0)
    }

    /// Left limit `μ((-∞, x))`.
    pub fn cdf_left(&self, x: f64) -> f64 {
        let cont: f64 = self.components.iter().map(|c| Self::partial(c, x)).sum();
        let at: f64 = self.atoms.iter().filter(|a| a.0 < x).map(|a| a.1).sum();
        (cont + at).clamp(0.0, 1.0)
    }

    /// Lowest and highest point of the support (atoms included).
    pub fn range(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for c in &self.components {
            lo = lo.min(c.lo);
            hi = hi.max(c.hi);
        }
        for a in &self.atoms {
            lo = lo.min(a.0);
            hi = hi.max(a.0);
        }
        (lo, hi)
    }

    /// Quantile: the smallest `x` with `cdf(x) >= p` (bisection), `p` in `[0, 1]`.
    pub fn quantile(&self, p: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::param("p", p, "in [0, 1]"));
        }
        let (mut lo, mut hi) = self.range();
        if !lo.is_finite() {
            return Err(Error::Domain("empty spectral law".into()));
        }
        if self.cdf(lo) >= p {
            return Ok(lo);
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.cdf(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
            if hi - lo <= 1e-14 * (1.0 + hi.abs()) {
                break;
            }
        }
        Ok(hi)
    }

    /// Mass in `[a, b)` of the continuous part plus atoms in `[a, b)`.
    pub fn mass_between(&self, a: f64, b: f64) -> f64 {
        self.cdf_left(b) - self.cdf_left(a)
    }
}
