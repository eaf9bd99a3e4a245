//! The expression tree: leaves (closed-form laws, discrete laws, fixed-point and model leaves) and
//! operations, each node with its atoms (by the free atom rules), moments (by free cumulants /
//! Kreweras, [`super::moments`]), a bounding interval of its support and its scale.

use super::fixedpoint::FixedPointLaw;
use super::moments;
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::models::mp::MarchenkoPastur;
use num_complex::Complex64 as C64;
use std::sync::OnceLock;

/// Number of moments carried by every node.
pub const MOMENTS: usize = 4;

/// Masses below this count as zero (atom rules, merged atoms).
pub(crate) const MASS_EPS: f64 = 1e-12;

/// What a node is.
#[doc(hidden)]
pub enum Kind {
    /// Marchenko–Pastur with ratio and scale.
    Mp(MarchenkoPastur),
    /// Centred semicircle of variance `s2 > 0`.
    Sc(f64),
    /// A discrete law (atoms, numbers, empirical laws), sorted by location.
    Atoms(Vec<(f64, f64)>),
    /// Uniform on `[a, b]`.
    Unif(f64, f64),
    /// A law given by a user fixed-point equation.
    FixedPoint(Box<FixedPointLaw>),
    /// A model leaf resolved by the caller.
    Model(Box<dyn SpectralModel>),
    /// `A ⊞ B`.
    Add(Box<Law>, Box<Law>),
    /// `P ⊠ Q` with `P ≥ 0` first.
    Mul(Box<Law>, Box<Law>),
    /// `a X + b`, `a ≠ 0`.
    Affine(f64, f64, Box<Law>),
    /// `pop(A, c)`, `A ≥ 0`.
    Pop(Box<Law>, f64),
}

/// A node of the expression with its derived data.
pub struct Law {
    #[doc(hidden)]
    pub kind: Kind,
    /// Printable form (canonical).
    pub(crate) label: String,
    /// Atoms `(location, mass)` by the free atom rules.
    pub(crate) atoms: Vec<(f64, f64)>,
    /// Moments `m1..m4`.
    pub(crate) moments: Vec<f64>,
    /// An interval containing the support.
    #[doc(hidden)]
    pub hull: (f64, f64),
    /// Standard deviation (1 for a point mass): the unit of tolerances and of `η`.
    #[doc(hidden)]
    pub scale: f64,
    pub(crate) support: OnceLock<Support>,
    /// Finite-rank spikes of a `spiked(A, θ…)` term: eigenvalues of this node's matrix beyond its
    /// law (zero mass in the limit), whose outliers [`Law::outliers`] locates.
    pub(crate) spikes: Vec<f64>,
}

impl std::fmt::Debug for Law {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.label)
    }
}

/// The smallest interval holding every component and atom of `s`.
pub(super) fn hull_of(s: &Support) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in &s.components {
        lo = lo.min(c.0);
        hi = hi.max(c.1);
    }
    for a in &s.atoms {
        lo = lo.min(a.0);
        hi = hi.max(a.0);
    }
    (lo, hi)
}

/// Merge atoms at equal locations, drop zero masses, sort.
fn merge_atoms(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (x, p) in v {
        match out.last_mut() {
            Some(last) if last.0 == x => last.1 += p,
            _ => out.push((x, p)),
        }
    }
    out.retain(|a| a.1 > MASS_EPS);
    out
}

impl Law {
    fn build(
        kind: Kind,
        label: String,
        atoms: Vec<(f64, f64)>,
        moments: Vec<f64>,
        hull: (f64, f64),
    ) -> Result<Law> {
        let var = moments[1] - moments[0] * moments[0];
        let scale = if var > 1e-24 * moments[1].abs() && var.is_finite() {
            var.sqrt()
        } else {
            1.0
        };
        if !(hull.0.is_finite() && hull.1.is_finite() && moments.iter().all(|m| m.is_finite())) {
            return Err(Error::Domain(format!(
                "law `{label}` has a non-finite support bound or moment (range [{}, {}], moments {:?})",
                crate::error::num(hull.0),
                crate::error::num(hull.1),
                moments.iter().map(|&m| crate::error::num(m)).collect::<Vec<_>>()
            )));
        }
        Ok(Law {
            kind,
            label,
            atoms,
            moments,
            hull,
            scale,
            support: OnceLock::new(),
            spikes: Vec::new(),
        })
    }

    /// `mp(c, s2)`: the law of [`MarchenkoPastur::new`].
    pub fn mp(c: f64, s2: f64) -> Result<Law> {
        let mp = MarchenkoPastur::new(c, s2)?;
        let s = mp.support()?;
        let label = if s2 == 1.0 {
            format!("mp({c})")
        } else {
            format!("mp({c}, {s2})")
        };
        Law::build(
            Kind::Mp(mp),
            label,
            s.atoms.clone(),
            mp.narayana_moments(MOMENTS),
            hull_of(&s),
        )
    }

    /// `sc(s2)`: the centred semicircle of variance `s2 >= 0` (`s2 = 0` is `δ₀`).
    pub fn sc(s2: f64) -> Result<Law> {
        let s2 = check::in_range("s2", s2, 0.0, 1e150)?;
        if s2 == 0.0 {
            return Law::atoms(vec![(0.0, 1.0)]);
        }
        let r = 2.0 * s2.sqrt();
        let m = (1..=MOMENTS)
            .map(|k| {
                if k % 2 == 1 {
                    0.0
                } else {
                    s2.powi(k as i32 / 2) * moments::catalan(k / 2)
                }
            })
            .collect();
        Law::build(Kind::Sc(s2), format!("sc({s2})"), vec![], m, (-r, r))
    }

    /// A discrete law: locations finite, masses `>= 0` summing to 1 within `1e-12`.
    pub fn atoms(v: Vec<(f64, f64)>) -> Result<Law> {
        Self::atoms_labelled(v, None)
    }

    /// [`Law::atoms`] with a label (e.g. `eig("file")`).
    pub fn atoms_labelled(v: Vec<(f64, f64)>, label: Option<String>) -> Result<Law> {
        if v.is_empty() {
            return Err(Error::param(
                "atoms",
                "()",
                "at least one location:probability pair",
            ));
        }
        for &(x, p) in &v {
            check::finite("atom location", x)?;
            check::in_range("atom probability", p, 0.0, 1.0)?;
        }
        let total: f64 = v.iter().map(|a| a.1).sum();
        if (total - 1.0).abs() > 1e-12 {
            return Err(Error::param(
                "atoms probabilities",
                format!("sum {}", crate::error::num(total)),
                "summing to 1 (within 1e-12)",
            ));
        }
        let atoms = merge_atoms(v);
        let m = (1..=MOMENTS as i32)
            .map(|k| atoms.iter().map(|(x, p)| p * x.powi(k)).sum())
            .collect();
        let hull = (atoms[0].0, atoms[atoms.len() - 1].0);
        let label = label.unwrap_or_else(|| {
            if atoms.len() == 1 {
                format!("{}", atoms[0].0)
            } else {
                let parts: Vec<String> = atoms.iter().map(|(x, p)| format!("{x}:{p}")).collect();
                format!("atoms({})", parts.join(", "))
            }
        });
        Law::build(Kind::Atoms(atoms.clone()), label, atoms, m, hull)
    }

    /// `unif(a, b)`, `a < b`.
    pub fn unif(a: f64, b: f64) -> Result<Law> {
        check::finite("a", a)?;
        check::finite("b", b)?;
        if a >= b {
            return Err(Error::param("b", b, &format!("> a = {a}")));
        }
        let m = (1..=MOMENTS as i32)
            .map(|k| (b.powi(k + 1) - a.powi(k + 1)) / ((k + 1) as f64 * (b - a)))
            .collect();
        Law::build(
            Kind::Unif(a, b),
            format!("unif({a}, {b})"),
            vec![],
            m,
            (a, b),
        )
    }

    /// A fixed-point leaf.
    pub(crate) fn fixed_point(fp: FixedPointLaw) -> Result<Law> {
        let s = fp.support()?.clone();
        let m = fp.moments_vec()?;
        let label = fp.label();
        Law::build(
            Kind::FixedPoint(Box::new(fp)),
            label,
            s.atoms.clone(),
            m,
            hull_of(&s),
        )
    }

    /// A model leaf (moments: the model's own, completed by contour integrals of its transform).
    pub fn model(model: Box<dyn SpectralModel>, label: String) -> Result<Law> {
        let s = model.support()?;
        let hull = hull_of(&s);
        if !(hull.0.is_finite() && hull.1.is_finite()) {
            return Err(Error::Domain(format!(
                "model leaf `{label}` has an empty support"
            )));
        }
        let mut m = model.moments();
        m.truncate(MOMENTS);
        if m.len() < MOMENTS {
            let c = moments::contour_moments(|z| model.stieltjes(z), hull, MOMENTS)?;
            m.extend_from_slice(&c[m.len()..]);
        }
        Law::build(Kind::Model(model), label, s.atoms.clone(), m, hull)
    }

    /// `spiked(A, θ_1, …, θ_k)`: the law of `A` whose matrix has `k` more eigenvalues `θ_i` (a
    /// finite-rank perturbation: `n − k` eigenvalues from `A`, plus the `θ_i`). The law is `A`'s
    /// (the spikes have zero mass in the limit); the spikes outside `A`'s support are its outliers,
    /// and through free sums, `pop` and affine maps they produce the outliers of the whole
    /// expression (`Law::outliers`). At most 64 finite spikes.
    pub fn spiked(a: Law, thetas: Vec<f64>) -> Result<Law> {
        if thetas.is_empty() || thetas.len() + a.spikes.len() > 64 {
            return Err(Error::param(
                "spiked",
                format!("{} spikes", thetas.len() + a.spikes.len()),
                "between 1 and 64 spike locations",
            ));
        }
        for &t in &thetas {
            check::finite("spike", t)?;
        }
        let mut a = a;
        a.label = spiked_label(&a.label, &thetas);
        a.spikes.extend(thetas);
        Ok(a)
    }

    /// `a X + b` (`a = 0` gives `δ_b`). Spikes of `X` are mapped to `a θ + b`.
    pub fn affine(a: f64, b: f64, x: Law) -> Result<Law> {
        check::finite("scale factor", a)?;
        check::finite("shift", b)?;
        let mut x = x;
        let spikes: Vec<f64> = std::mem::take(&mut x.spikes)
            .into_iter()
            .map(|t| a * t + b)
            .collect();
        if a == 0.0 {
            // the spikes sit on the atom δ_b: no outliers
            return Law::atoms(vec![(b, 1.0)]);
        }
        if a == 1.0 && b == 0.0 {
            x.spikes = spikes;
            return Ok(x);
        }
        let respike = |l: Result<Law>| -> Result<Law> {
            let mut l = l?;
            if !spikes.is_empty() {
                l.label = spiked_label(&l.label, &spikes);
                l.spikes = spikes.clone();
            }
            Ok(l)
        };
        match x.kind {
            Kind::Atoms(v) => {
                return respike(Law::atoms(
                    v.into_iter().map(|(t, p)| (a * t + b, p)).collect(),
                ))
            }
            Kind::Affine(a0, b0, inner) => return respike(Law::affine(a * a0, a * b0 + b, *inner)),
            _ => {}
        }
        // `num`: the shorter of the decimal and exponent forms (`1e308`, not 309 digits)
        let (na, nb) = (crate::error::num(a), crate::error::num(b));
        let label = match (a == 1.0, b == 0.0) {
            (true, _) => format!("({} + {nb})", x.label),
            (_, true) => format!("{na} * {}", x.label),
            _ => format!("({na} * {} + {nb})", x.label),
        };
        let atoms = merge_atoms(x.atoms.iter().map(|&(t, p)| (a * t + b, p)).collect());
        let m = moments::affine(&x.moments, a, b);
        let (l, h) = (a * x.hull.0 + b, a * x.hull.1 + b);
        let mut out = Law::build(
            Kind::Affine(a, b, Box::new(x)),
            label,
            atoms,
            m,
            (l.min(h), l.max(h)),
        )?;
        out.spikes = spikes;
        Ok(out)
    }

    /// The single location of a point mass without spikes (a spiked point mass stays an operand:
    /// its spikes' outliers need the operation's subordination function).
    fn point(&self) -> Option<f64> {
        match &self.kind {
            Kind::Atoms(v) if v.len() == 1 && self.spikes.is_empty() => Some(v[0].0),
            _ => None,
        }
    }

    /// Whether this node or an operand below it has spikes.
    pub(crate) fn has_spikes(&self) -> bool {
        !self.spikes.is_empty()
            || match &self.kind {
                Kind::Add(a, b) | Kind::Mul(a, b) => a.has_spikes() || b.has_spikes(),
                Kind::Affine(_, _, x) | Kind::Pop(x, _) => x.has_spikes(),
                _ => false,
            }
    }

    /// `A ⊞ B`. Atom rule: `a + b` with mass `μ_A({a}) + μ_B({b}) - 1` when positive.
    pub fn free_sum(a: Law, b: Law) -> Result<Law> {
        if let Some(t) = a.point() {
            return Law::affine(1.0, t, b);
        }
        if let Some(t) = b.point() {
            return Law::affine(1.0, t, a);
        }
        let mut atoms = Vec::new();
        for &(x, p) in &a.atoms {
            for &(y, q) in &b.atoms {
                if p + q - 1.0 > MASS_EPS {
                    atoms.push((x + y, p + q - 1.0));
                }
            }
        }
        let m = moments::add(&a.moments, &b.moments);
        let hull = (a.hull.0 + b.hull.0, a.hull.1 + b.hull.1);
        let label = format!("({} + {})", a.label, b.label);
        Law::build(
            Kind::Add(Box::new(a), Box::new(b)),
            label,
            merge_atoms(atoms),
            m,
            hull,
        )
    }

    /// Lowest point of the support (computes the support when the bound is not conclusive).
    pub(crate) fn is_nonnegative(&self) -> Result<bool> {
        if self.hull.0 >= 0.0 {
            return Ok(true);
        }
        let s = self.support_ref()?;
        let lo = hull_of(s).0;
        Ok(lo >= -1e-12 * self.scale.max(self.hull.1.abs()))
    }

    /// `A ⊠ B` (one side `>= 0`). Atom rules: at 0, `max(μ_A({0}), μ_B({0}))`; at `ab ≠ 0`,
    /// `μ_A({a}) + μ_B({b}) - 1` when positive.
    pub fn free_product(a: Law, b: Law) -> Result<Law> {
        if let Some(t) = a.point() {
            return Law::affine(t, 0.0, b);
        }
        if let Some(t) = b.point() {
            return Law::affine(t, 0.0, a);
        }
        if a.has_spikes() || b.has_spikes() {
            return Err(Error::Domain(format!(
                "free product `{} * {}`: spikes under a free product are not supported (outliers are \
                 located through free sums, pop and affine maps; docs/models/expr.md)",
                a.label, b.label
            )));
        }
        let (p, q) = if a.is_nonnegative()? {
            (a, b)
        } else if b.is_nonnegative()? {
            (b, a)
        } else {
            return Err(Error::Domain(format!(
                "free product `{} * {}`: neither side is a nonnegative law (supports within [{}, {}] and \
                 [{}, {}]); the product A^(1/2) B A^(1/2) needs one side >= 0",
                a.label, b.label, a.hull.0, a.hull.1, b.hull.0, b.hull.1
            )));
        };
        let atoms = mul_atoms(&p.atoms, &q.atoms);
        let m = moments::mul(&p.moments, &q.moments);
        let hull = product_hull(p.hull, q.hull);
        let label = format!("({} * {})", p.label, q.label);
        Law::build(Kind::Mul(Box::new(p), Box::new(q)), label, atoms, m, hull)
    }

    /// `pop(A, c)`: the law of `T^{1/2} Z Zᵀ T^{1/2}/m`, `T ~ A >= 0`, `c = n/m` (= `A ⊠ mp(c)`).
    pub fn pop(a: Law, c: f64) -> Result<Law> {
        let mp = MarchenkoPastur::new(c, 1.0)?;
        if !a.is_nonnegative()? {
            return Err(Error::Domain(format!(
                "pop({}, {c}): the population law must be >= 0 (its support reaches {})",
                a.label, a.hull.0
            )));
        }
        if let Some(t) = a.spikes.iter().find(|t| **t < 0.0) {
            return Err(Error::param(
                "spiked",
                t,
                "spikes of a population (pop) >= 0",
            ));
        }
        if let Some(t) = a.point() {
            return if t == 0.0 {
                Law::atoms(vec![(0.0, 1.0)])
            } else {
                Law::mp(c, t)
            };
        }
        let ms = mp.support()?;
        let atoms = mul_atoms(&a.atoms, &ms.atoms);
        let m = moments::mul(&a.moments, &mp.narayana_moments(MOMENTS));
        let hull = product_hull(a.hull, hull_of(&ms));
        let label = format!("pop({}, {c})", a.label);
        Law::build(Kind::Pop(Box::new(a), c), label, atoms, m, hull)
    }

    /// Leaves and operations by name, for error messages.
    pub const BUILTINS: &'static [&'static str] = &[
        "mp",
        "sc",
        "atoms",
        "unif",
        "eig",
        "fixedpoint",
        "pop",
        "spiked",
    ];
}

/// `spiked(label, θ_1, …)`.
fn spiked_label(label: &str, thetas: &[f64]) -> String {
    let t: Vec<String> = thetas.iter().map(|t| format!("{t}")).collect();
    format!("spiked({label}, {})", t.join(", "))
}

fn product_hull(p: (f64, f64), q: (f64, f64)) -> (f64, f64) {
    let v = [p.0 * q.0, p.0 * q.1, p.1 * q.0, p.1 * q.1];
    (
        v.iter().copied().fold(f64::INFINITY, f64::min),
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

fn mul_atoms(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let at0 = |v: &[(f64, f64)]| v.iter().filter(|t| t.0 == 0.0).map(|t| t.1).sum::<f64>();
    let mut atoms = Vec::new();
    let z = at0(a).max(at0(b));
    if z > MASS_EPS {
        atoms.push((0.0, z));
    }
    for &(x, p) in a.iter().filter(|t| t.0 != 0.0) {
        for &(y, q) in b.iter().filter(|t| t.0 != 0.0) {
            if p + q - 1.0 > MASS_EPS {
                atoms.push((x * y, p + q - 1.0));
            }
        }
    }
    merge_atoms(atoms)
}

/// `g` of MP(c) at unit scale off the support, in the cancellation-free form of the quadratic's root.
pub(crate) fn g_mp_unit(c: f64, u: C64) -> C64 {
    let (lm, lp) = ((1.0 - c.sqrt()).powi(2), (1.0 + c.sqrt()).powi(2));
    let r = (u - lm).sqrt() * (u - lp).sqrt();
    let a = C64::new(1.0 - c, 0.0) - u;
    if (a + r).norm() >= (a - r).norm() {
        (a + r) / (2.0 * c * u)
    } else {
        2.0 / (a - r)
    }
}

/// `g` of the semicircle of variance `s2 > 0`, cancellation-free.
#[doc(hidden)]
pub fn g_sc(s2: f64, u: C64) -> C64 {
    let s = s2.sqrt();
    let r = (u - 2.0 * s).sqrt() * (u + 2.0 * s).sqrt();
    if (r - u).norm() >= (r + u).norm() {
        (r - u) / (2.0 * s2)
    } else {
        -2.0 / (u + r)
    }
}

/// `g` of `unif(a, b)`: `(log(b - u) - log(a - u))/(b - a)`.
pub(crate) fn g_unif(a: f64, b: f64, u: C64) -> C64 {
    ((b - u).ln() - (a - u).ln()) / (b - a)
}

/// `g` of a discrete law.
pub(crate) fn g_atoms(v: &[(f64, f64)], u: C64) -> C64 {
    v.iter().map(|&(x, p)| p / (x - u)).sum()
}
