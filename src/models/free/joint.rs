//! The subordination equations of every operation of an expression tree as one system
//! ([`crate::numerics::system`]): one unknown per operation node (the variable its scalar equation is
//! solved for in `eval`: `g` for `pop` (the companion `g_B` for `c > 1`), `-1/ω₁` for `+`, `-m₁(P)/Ω_Q` for `*`), its residual the
//! node's own equation with its operands evaluated at the points the unknowns give. The same
//! equations as the nested solves of `eval` (same unknowns, maps and outputs `(g, k)`), solved at
//! once: a nested chain of `L` operations costs one `L × L` Newton step per iteration instead of
//! `~ iterations^L` solves. Used where every leaf has a closed form (`mp`, `sc`, atoms, `unif`) and
//! no operation sits under a negative dilation (whose conjugation is not analytic); other trees, and
//! points where the system does not converge, keep the nested solves.

use super::eval::Warm;
use super::law::{Kind, Law};
use crate::numerics::stieltjes::SolverOptions;
use crate::numerics::subordination::companion_point;
use crate::numerics::system::{self, ResolventSystem};
use num_complex::Complex64 as C64;

const NAN: C64 = C64::new(f64::NAN, f64::NAN);

/// The joint system of a tree (module docs).
#[doc(hidden)]
pub struct TreeSystem<'a> {
    law: &'a Law,
    dim: usize,
}

impl<'a> TreeSystem<'a> {
    /// The system of `law`, `None` when the tree is not covered (module docs) or has no operation.
    #[doc(hidden)]
    pub fn new(law: &'a Law) -> Option<Self> {
        let dim = law.joint_unknowns(false)?;
        (dim > 0).then_some(TreeSystem { law, dim })
    }

    /// `(g, k)` of the whole expression at `z` for the unknowns `m`.
    pub(crate) fn output(&self, m: &[C64], z: C64) -> (C64, C64) {
        let mut m = m.to_vec();
        let mut res = vec![NAN; self.dim];
        self.law.joint_eval(z, &mut m, &mut 0, &mut res, false)
    }

    /// Solve at `z ∈ C+` (Newton from `start` when given), returning `(g, k)` and the unknowns;
    /// `None` when the system does not converge or the result is not a physical transform.
    #[doc(hidden)]
    pub fn solve(
        &self,
        z: C64,
        start: Option<&[C64]>,
        o: &SolverOptions,
    ) -> Option<((C64, C64), system::SystemSolution)> {
        let s = system::solve(self, z, start, o).ok()?;
        let (g, k) = self.output(&s.m, z);
        let ok = [g, k].iter().all(|v| v.re.is_finite() && v.im.is_finite())
            && g.im >= -1e-12 * g.norm();
        ok.then_some(((g, k), s))
    }
}

impl ResolventSystem for TreeSystem<'_> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn residual(&self, m: &[C64], z: C64, out: &mut [C64]) {
        let mut mm = m.to_vec();
        self.law.joint_eval(z, &mut mm, &mut 0, out, false);
    }
    fn initial(&self, z: C64) -> Vec<C64> {
        let mut m = vec![NAN; self.dim];
        let mut res = vec![NAN; self.dim];
        self.law.joint_eval(z, &mut m, &mut 0, &mut res, true);
        m
    }
    fn describe(&self) -> String {
        format!("`{}`: joint subordination system", self.law.label)
    }
}

impl Law {
    /// Number of unknowns of the joint system, `None` if a leaf has its own solver (fixed-point and
    /// model leaves) or an operation sits under a negative dilation (`flipped`).
    pub(crate) fn joint_unknowns(&self, flipped: bool) -> Option<usize> {
        match &self.kind {
            Kind::Mp(_) | Kind::Sc(_) | Kind::Atoms(_) | Kind::Unif(..) => Some(0),
            Kind::FixedPoint(_) | Kind::Model(_) => None,
            Kind::Affine(a, _, x) => x.joint_unknowns(flipped ^ (*a < 0.0)),
            _ if flipped => None,
            Kind::Add(a, b) | Kind::Mul(a, b) => {
                Some(1 + a.joint_unknowns(false)? + b.joint_unknowns(false)?)
            }
            Kind::Pop(a, _) => Some(1 + a.joint_unknowns(false)?),
        }
    }

    /// `(g, k)` of this node at `z` for the unknowns `m` (pre-order from `*pos`), writing each
    /// operation's residual into `res`; with `init`, each operation's unknown is first set to its
    /// leading asymptotics at its argument (`-1/z`; `-m₁(P)²/z` for a product).
    pub(crate) fn joint_eval(
        &self,
        z: C64,
        m: &mut [C64],
        pos: &mut usize,
        res: &mut [C64],
        init: bool,
    ) -> (C64, C64) {
        let o = SolverOptions::default();
        match &self.kind {
            Kind::Mp(_) | Kind::Sc(_) | Kind::Atoms(_) | Kind::Unif(..) => self
                .gk(z, &mut Warm::default(), &o, false)
                .unwrap_or((NAN, NAN)),
            Kind::FixedPoint(_) | Kind::Model(_) => (NAN, NAN),
            Kind::Affine(a, b, x) => {
                // g = g_X(u)/a, k = k_X(u) + (b/a) g_X(u), u = (z - b)/a (as `eval`)
                let (gx, kx) = x.joint_eval((z - b) / a, m, pos, res, init);
                (gx / a, kx + b / a * gx)
            }
            Kind::Pop(a, c) if *c > 1.0 => {
                // the companion variable g_B = c g + (c - 1)/z (as `eval`): z g_B = c k_A(-1/g_B) - 1,
                // g = (g_B - (c - 1)/z)/c, k = k_A(-1/g_B)
                let i = take(pos, m, z, init, 1.0);
                let gb = m[i];
                let (_, ka) = a.joint_eval(companion_point(gb), m, pos, res, init);
                res[i] = gb - (c * ka - 1.0) / z;
                ((gb - (c - 1.0) / z) / c, ka)
            }
            Kind::Pop(a, c) => {
                let i = take(pos, m, z, init, 1.0);
                // g = g_A(z/w)/w, w = 1 - c - c z g; k = k_A(z/w)
                let g = m[i];
                let w = 1.0 - c - c * z * g;
                let (ga, ka) = a.joint_eval(z / w, m, pos, res, init);
                res[i] = g - ga / w;
                (g, ka)
            }
            Kind::Add(a, b) => {
                let i = take(pos, m, z, init, 1.0);
                // ω₁ = -1/m, ω₂ = z + h_A(ω₁), m = -1/(z + h_B(ω₂)), h = -k/g
                let w1 = -m[i].inv();
                let (ga, ka) = a.joint_eval(w1, m, pos, res, init);
                let w2 = z - ka / ga;
                let (gb, kb) = b.joint_eval(w2, m, pos, res, init);
                let hb = -kb / gb;
                res[i] = m[i] + (z + hb).inv();
                (ga, ka - hb * ga)
            }
            Kind::Mul(p, q) => {
                let p1 = p.moments[0];
                let i = take(pos, m, z, init, p1 * p1);
                // Ω_Q = -p1/m, Y = z/(Ω_Q η̃_Q(Ω_Q)), m = -p1 Y η̃_P(Y)/z, η̃(w) = k/(w g)
                let x = -p1 / m[i];
                let (gq, kq) = q.joint_eval(x, m, pos, res, init);
                let y = z / (x * (kq / (x * gq)));
                let (gp, kp) = p.joint_eval(y, m, pos, res, init);
                let xn = z / (y * (kp / (y * gp)));
                res[i] = m[i] + p1 / xn;
                (x * gq / z, kq)
            }
        }
    }
}

/// The next unknown's index (pre-order); with `init` it is set to `-s/z`.
fn take(pos: &mut usize, m: &mut [C64], z: C64, init: bool, s: f64) -> usize {
    let i = *pos;
    *pos += 1;
    if init {
        m[i] = -s / z;
    }
    i
}
