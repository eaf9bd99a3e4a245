//! Evaluation of `g(z)` of an expression node: closed forms at the leaves, the subordination
//! equations of [`crate::numerics::subordination`] solved by the shared continuation solver at the
//! operations. Every solve is warm-started from the node's previous solution when that was at a
//! nearby point (`|Δz| <= Im z + Im z_prev`), so the nested solves of an operation's children cost a
//! few Newton steps each; the warm state is owned by the caller (one per evaluation sweep), which
//! keeps results independent of threads. Density sweeps and the support scan first solve all
//! operations of the tree as one system (`joint`: the same equations, Newton over one unknown per
//! operation, warm from the previous grid point), and use the nested solves where it does not
//! converge.

use super::joint::TreeSystem;
use super::law::{g_atoms, g_mp_unit, g_sc, g_unif, Kind, Law};
use crate::error::{Error, Result};
use crate::numerics::stieltjes::{self, SolveStats, SolverOptions};
use crate::numerics::subordination::{
    companion_point, AdditiveSubordination, CompanionSampleCovarianceMap,
    MultiplicativeSubordination, SampleCovarianceMap,
};
use crate::numerics::system;
use num_complex::Complex64 as C64;
use std::sync::Mutex;

/// Warm-start state of a node and its children.
#[derive(Debug, Default)]
#[doc(hidden)]
pub struct Warm {
    last: Option<(C64, C64)>,
    kids: Vec<Warm>,
    /// Largest iteration count and residual of this node's solves (diagnostics).
    pub(crate) iterations: usize,
    pub(crate) residual: f64,
}

const NAN: C64 = C64::new(f64::NAN, f64::NAN);

/// Damped iterations per continuation step for an operand solved inside its parent's map (see
/// `Law::solve_two`).
const CHILD_MAX_ITER: usize = 1_000;

fn lock(m: &Mutex<Warm>) -> std::sync::MutexGuard<'_, Warm> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Law {
    /// `g(z)` for `z` off the real axis (see [`Law::gk`]).
    #[doc(hidden)]
    pub fn g(&self, z: C64, w: &mut Warm, o: &SolverOptions, trust_warm: bool) -> Result<C64> {
        Ok(self.gk(z, w, o, trust_warm)?.0)
    }

    /// `(g(z), k(z))`, `k = 1 + z g = ∫ t/(t - z) dμ` computed without cancellation where the node
    /// allows it (module docs of [`crate::numerics::subordination`]), for `z` off the real axis
    /// (conjugate symmetry below it); leaves also accept real `z` off their support. `trust_warm`
    /// lets the node warm-start from any previous point (along a real grid inside a support
    /// component, like [`stieltjes::solve_grid`]).
    pub(crate) fn gk(
        &self,
        z: C64,
        w: &mut Warm,
        o: &SolverOptions,
        trust_warm: bool,
    ) -> Result<(C64, C64)> {
        if z.im < 0.0 {
            let (g, k) = self.gk(z.conj(), w, o, trust_warm)?;
            return Ok((g.conj(), k.conj()));
        }
        let leaf = |g: C64, k: C64| -> Result<(C64, C64)> {
            if g.re.is_finite() && g.im.is_finite() && k.re.is_finite() && k.im.is_finite() {
                Ok((g, k))
            } else {
                Err(Error::Domain(format!(
                    "`{}`: transform not finite at z = {z}",
                    self.label
                )))
            }
        };
        match &self.kind {
            Kind::Mp(mp) => {
                let (c, s2) = (mp.ratio(), mp.scale());
                let u = z / s2;
                let g1 = g_mp_unit(c, u);
                // the quadratic c u g² + (u - 1 + c) g + 1 = 0 gives 1 + u g = (1 - c) g - c u g²
                leaf(g1 / s2, (1.0 - c) * g1 - c * u * g1 * g1)
            }
            Kind::Sc(s2) => {
                let g = g_sc(*s2, z);
                leaf(g, -s2 * g * g)
            }
            Kind::Atoms(v) => leaf(g_atoms(v, z), v.iter().map(|&(x, p)| p * x / (x - z)).sum()),
            Kind::Unif(a, b) => {
                let g = g_unif(*a, *b, z);
                leaf(g, 1.0 + z * g)
            }
            Kind::Model(m) => {
                if z.im == 0.0 {
                    return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
                }
                let g = m.stieltjes(z)?;
                leaf(g, 1.0 + z * g)
            }
            Kind::FixedPoint(fp) => {
                let start = warm_start(w, z, trust_warm);
                let s = fp.solve(z, start)?;
                w.last = Some((z, s.m));
                leaf(s.m, 1.0 + z * s.m)
            }
            Kind::Affine(a, b, x) => {
                w.kids.resize_with(1, Warm::default);
                // g = g_X(u)/a, k = k_X(u) + (b/a) g_X(u), u = (z - b)/a
                let u = (z - b) / a;
                let (gx, kx) = x.gk(u, &mut w.kids[0], o, trust_warm)?;
                Ok((gx / a, kx + b / a * gx))
            }
            Kind::Add(a, b) => self.solve_two(a, b, z, w, o, trust_warm, Op::Add),
            Kind::Mul(p, q) => self.solve_two(p, q, z, w, o, trust_warm, Op::Mul),
            Kind::Pop(a, c) => self.solve_two(a, a, z, w, o, trust_warm, Op::Pop(*c)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn solve_two(
        &self,
        a: &Law,
        b: &Law,
        z: C64,
        w: &mut Warm,
        o: &SolverOptions,
        trust_warm: bool,
        op: Op,
    ) -> Result<(C64, C64)> {
        if z.im <= 0.0 {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        let mut kids = std::mem::take(&mut w.kids);
        kids.resize_with(2, Warm::default);
        let wb = Mutex::new(kids.pop().unwrap_or_default());
        let wa = Mutex::new(kids.pop().unwrap_or_default());
        let err: Mutex<Option<Error>> = Mutex::new(None);
        // an operand is solved inside every evaluation of this node's map: with the full damped budget
        // at each level, a nesting whose operands' Newton steps fail near an atom (`pop(pop(mp(0.5),
        // 1.25), 1.25)`, square-or-narrower deep layers) costs 20 000^depth map evaluations per point
        // and ran for hours; an operand's solve gets at most CHILD_MAX_ITER damped iterations per
        // continuation step, and if it fails, this node's solve fails (retried farther from the axis)
        let child_opts = SolverOptions {
            max_iter: o.max_iter.min(CHILD_MAX_ITER),
            ..*o
        };
        let child = |law: &Law, wk: &Mutex<Warm>, u: C64| -> (C64, C64) {
            match law.gk(u, &mut lock(wk), &child_opts, false) {
                Ok(v) => v,
                Err(e) => {
                    let mut s = err.lock().unwrap_or_else(|e| e.into_inner());
                    if s.is_none() {
                        *s = Some(e);
                    }
                    (NAN, NAN)
                }
            }
        };
        let ga = |u: C64| child(a, &wa, u);
        let gb = |u: C64| child(b, &wb, u);
        let start = warm_start(w, z, trust_warm);
        let result = match op {
            Op::Add => {
                let eq = AdditiveSubordination { ga, gb };
                stieltjes::solve(&eq, z, start, o).map(|s| (s, eq.gk(s.m, z)))
            }
            Op::Mul => {
                let eq = MultiplicativeSubordination {
                    gp: ga,
                    gq: gb,
                    p1: a.moments[0],
                };
                stieltjes::solve(&eq, z, start, o).map(|s| (s, eq.gk(s.m, z)))
            }
            // c > 1: the law has an atom at 0; solved in the companion variable without its pole
            Op::Pop(c) if c > 1.0 => {
                let eq = CompanionSampleCovarianceMap { ga, c };
                stieltjes::solve(&eq, z, start, o).map(|s| (s, eq.gk(s.m, z)))
            }
            Op::Pop(c) => {
                let eq = SampleCovarianceMap { ga, c };
                stieltjes::solve(&eq, z, start, o).map(|s| (s, (s.m, eq.k(s.m, z))))
            }
        };
        w.kids = vec![
            wa.into_inner().unwrap_or_else(|e| e.into_inner()),
            wb.into_inner().unwrap_or_else(|e| e.into_inner()),
        ];
        let child_err = err.into_inner().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok((s, (g, k)))
                if g.re.is_finite()
                    && g.im.is_finite()
                    && k.re.is_finite()
                    && k.im.is_finite()
                    && g.im >= -1e-12 * g.norm() =>
            {
                w.last = Some((z, s.m));
                w.iterations = w.iterations.max(s.iterations);
                w.residual = w.residual.max(s.residual);
                Ok((g, k))
            }
            Ok((_, (g, _))) => Err(child_err.unwrap_or_else(|| {
                Error::Domain(format!(
                    "`{}`: unphysical transform {g} at z = {z}",
                    self.label
                ))
            })),
            Err(e) => Err(match (e, child_err) {
                (
                    Error::NotConverged {
                        what,
                        iterations,
                        residual,
                        tolerance,
                    },
                    _,
                ) => Error::NotConverged {
                    what: format!("`{}`: {what}", self.label),
                    iterations,
                    residual,
                    tolerance,
                },
                (e, Some(c)) => Error::Domain(format!("`{}`: {e}; operand: {c}", self.label)),
                (e, None) => e,
            }),
        }
    }

    /// The points at which this operation evaluates its operands at `z` (`Im z > 0`): for `A ⊞ B`
    /// the subordination functions `[ω_A(z), ω_B(z)]` (`g = g_A(ω_A) = g_B(ω_B)`, `ω_A = −1/m`,
    /// `ω_B = z + h_A(ω_A)`), for `pop(A, c)` `[z/w]` (`g = g_A(z/w)/w`, `w = 1 − c − c z g`), for
    /// `a X + b` `[(z − b)/a]`; empty for leaves and `⊠`. The same solve as [`Law::gk`].
    pub(crate) fn subordination(&self, z: C64, o: &SolverOptions) -> Result<Vec<C64>> {
        let mut w = Warm::default();
        let (g, _) = self.gk(z, &mut w, o, false)?;
        let solved = || {
            w.last.map(|l| l.1).ok_or_else(|| {
                Error::Domain(format!(
                    "`{}`: no subordination solution at {z}",
                    self.label
                ))
            })
        };
        Ok(match &self.kind {
            Kind::Add(a, _) => {
                let w1 = -solved()?.inv();
                let (ga, ka) = a.gk(w1, &mut Warm::default(), o, false)?;
                vec![w1, z - ka / ga]
            }
            Kind::Pop(_, c) if *c > 1.0 => vec![companion_point(solved()?)],
            Kind::Pop(_, c) => vec![z / (1.0 - c - c * z * g)],
            Kind::Affine(a, b, _) => vec![(z - b) / a],
            _ => vec![],
        })
    }

    /// `η` used for points "on" the real axis: the solver's `η_min` in units of the law's scale.
    pub(crate) fn eta(&self, o: &SolverOptions) -> f64 {
        o.eta_min * self.scale
    }

    /// Density of the continuous part at sorted points inside one support component, warm-started
    /// along the points; atoms' Lorentzians `p η/((x - a)² + η²)` are removed.
    pub(crate) fn density_sweep(
        &self,
        xs: &[f64],
        o: &SolverOptions,
    ) -> Result<(Vec<f64>, SolveStats)> {
        let pi = std::f64::consts::PI;
        match &self.kind {
            Kind::Mp(mp) => {
                return Ok((
                    xs.iter().map(|&x| mp.density_closed(x)).collect(),
                    SolveStats::default(),
                ))
            }
            Kind::Sc(s2) => {
                let d = xs
                    .iter()
                    .map(|&x| (4.0 * s2 - x * x).max(0.0).sqrt() / (2.0 * pi * s2));
                return Ok((d.collect(), SolveStats::default()));
            }
            Kind::Unif(a, b) => {
                let d = xs
                    .iter()
                    .map(|&x| if x > *a && x < *b { 1.0 / (b - a) } else { 0.0 });
                return Ok((d.collect(), SolveStats::default()));
            }
            Kind::Atoms(_) => return Ok((vec![0.0; xs.len()], SolveStats::default())),
            Kind::Model(m) => return m.density_diagnosed(xs),
            Kind::FixedPoint(fp) => return fp.density_sweep(xs),
            _ => {}
        }
        let eta = self.eta(o);
        let mut w = Warm::default();
        let joint = TreeSystem::new(self);
        // the joint system's unknowns at the last points (extrapolated: Newton's start at the next)
        let mut hist: Vec<(f64, Vec<C64>)> = Vec::with_capacity(3);
        let (mut joint_iter, mut joint_res) = (0usize, 0.0f64);
        let mut out = Vec::with_capacity(xs.len());
        for &x in xs {
            // within ~1e-9 of an edge a solve can stall at the rounding level of the map (seen for
            // products with discrete laws): retry 10² and 10⁴ times farther from the axis, where
            // the density (~0 there) is smeared by ~sqrt(η) only
            let mut e = eta;
            let mut attempt = 0;
            let g = loop {
                // all operations at once (joint system), warm from the previous point; the nested
                // solves where it does not converge
                if let Some(sys) = &joint {
                    let start = system::extrapolate(&hist, x);
                    if let Some(((g, _), s)) = sys.solve(C64::new(x, e), start.as_deref(), o) {
                        joint_iter = joint_iter.max(s.iterations);
                        joint_res = joint_res.max(s.residual);
                        hist.retain(|h| h.0 != x);
                        if hist.len() == 3 {
                            hist.remove(0);
                        }
                        hist.push((x, s.m));
                        break g;
                    }
                    hist.clear();
                }
                match self.g(C64::new(x, e), &mut w, o, true) {
                    Ok(g) => break g,
                    Err(Error::NotConverged { .. }) if attempt < 2 => {
                        e *= 100.0;
                        attempt += 1;
                        w = Warm::default();
                        hist.clear();
                    }
                    Err(err) => return Err(err),
                }
            };
            let eta = e;
            let lorentz: f64 = self
                .atoms
                .iter()
                .map(|&(a, p)| p * eta / ((x - a).powi(2) + eta * eta))
                .sum();
            out.push(((g.im - lorentz) / pi).max(0.0));
        }
        let stats = SolveStats {
            max_iterations: w.iterations.max(joint_iter),
            max_residual: w.residual.max(joint_res),
            points: xs.len(),
        };
        Ok((out, stats))
    }

    /// Inside/outside indicator at `x` for the support scan: a cold solve at `η = eta`, relative
    /// imaginary part (atoms' Lorentzians removed) above `tau`, relative to `|g| + 1/scale`.
    pub(crate) fn inside(&self, x: f64, eta: f64, tau: f64, o: &SolverOptions) -> Result<bool> {
        // next to an edge or a pole of an operand the solve at a tiny η can stall at the rounding
        // level of the map: retry 10², 10⁴ and 10⁶ times farther from the axis (only the resolution of
        // that probe is lost)
        let mut eta = eta;
        let mut attempt = 0;
        let joint = TreeSystem::new(self);
        let g = loop {
            // all operations at once (joint system), the nested solves where it does not converge
            if let Some(((g, _), _)) = joint
                .as_ref()
                .and_then(|sys| sys.solve(C64::new(x, eta), None, o))
            {
                break g;
            }
            match self.g(C64::new(x, eta), &mut Warm::default(), o, false) {
                Ok(g) => break g,
                Err(Error::NotConverged { .. }) if attempt < 3 => {
                    eta *= 100.0;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let lorentz: f64 = self
            .atoms
            .iter()
            .map(|&(a, p)| p * eta / ((x - a).powi(2) + eta * eta))
            .sum();
        // relative to |g| + 1/scale: |g| alone vanishes at a symmetric gap's centre
        Ok((g.im - lorentz) > tau * (g.norm() + 1.0 / self.scale))
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Mul,
    Pop(f64),
}

fn warm_start(w: &Warm, z: C64, trust: bool) -> Option<C64> {
    let (z0, m0) = w.last?;
    (trust || (z - z0).norm() <= z.im + z0.im).then_some(m0)
}
