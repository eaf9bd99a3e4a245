//! Subordination equations of free probability, as [`ResolventEquation`]s for the shared solver.
//!
//! Sign convention: `g(z) = ∫ μ(dt)/(t - z)` (Bai–Silverstein, `Im g > 0` on `C+`); the Cauchy
//! transform is `G = -g` and the reciprocal Cauchy transform `F = 1/G = -1/g`. The operands enter as
//! closures `u ↦ (g(u), k(u))` with `k(u) = 1 + u g(u) = ∫ t/(t - u) dμ(t)`, evaluated at points of
//! `C+` (a closure reports failure by returning NaN). Far from the support `k` is small and `1 + u g`
//! cancels; operands that can, return it without cancellation (e.g. `k = -s g²` for the
//! semicircle), and everything below is written in terms of `k`: `h(u) = F(u) - u = -k/g`,
//! `η̃(u) = k/(u g)`. (With `h = -1/g - u` the free sum with a semicircle at `|ω| ~ 1e4`, as in the gap
//! between two atoms, lost 7 digits and the solver stalled.)
//!
//! * **Free additive convolution** `A ⊞ B` (law of `A + O B Oᵀ`, `O` Haar; Biane 1998,
//!   Belinschi–Bercovici 2007): analytic `ω₁, ω₂: C+ → C+` with `g(z) = g_A(ω₁) = g_B(ω₂)` and
//!   `ω₁ + ω₂ = z + F(z)`. With `h_X(w) = F_X(w) - w`, `ω₁` is the attracting fixed point of
//!   `w ↦ z + h_B(z + h_A(w))`. `ω₁ = F_ν` for a probability law `ν`, so `m = -1/ω₁` is itself a
//!   Stieltjes transform (`m ~ -1/z`): [`AdditiveSubordination`] is that fixed point in the variable `m`,
//!   which the shared continuation solver takes to the real axis like any resolvent equation.
//! * **Free multiplicative convolution** `P ⊠ Q` with `P ≥ 0` (law of `P^{1/2} O Q Oᵀ P^{1/2}`):
//!   with `ψ(ζ) = ∫ ζt/(1 - ζt) dμ(t)`, `η = ψ/(1 + ψ)`, the subordination
//!   `η_{P⊠Q}(ζ) = η_P(ω_P(ζ)) = η_Q(ω_Q(ζ))`, `ω_P ω_Q = ζ η_{P⊠Q}(ζ)` (Biane; Belinschi–Bercovici).
//!   In the spectral variable `z = 1/ζ`, with `Ω = 1/ω(1/z)` and `η̃_X(w) = η_X(1/w) = 1 + 1/(w g_X(w))`:
//!   `z g(z) = Ω_P g_P(Ω_P) = Ω_Q g_Q(Ω_Q)` and `Ω_P Ω_Q = z/η̃(z)`, i.e. `Ω_Q` is the fixed point of
//!   `X ↦ z/(Y η̃_P(Y))`, `Y = z/(X η̃_Q(X))`. At infinity `Ω_Q ~ z/m₁(P)`, so the unknown
//!   `m = -m₁(P)/Ω_Q ~ -1/z` ([`MultiplicativeSubordination`]).
//! * **Sample-covariance map** `pop(A, c)` (law of `T^{1/2} Z Zᵀ T^{1/2}/m`, `T ~ A`, `c = n/m`;
//!   Marchenko–Pastur 1967, Silverstein 1995): `g(z) = ∫ A(dt)/(t w - z) = g_A(z/w)/w` with
//!   `w = 1 - c - c z g(z)`, a scalar fixed point in `g` ([`SampleCovarianceMap`]).
//!   For `c > 1` the `n × n` matrix has rank at most `m < n`: its law has an atom `≥ 1 - 1/c` at 0, and
//!   near 0 the unknown `g ≈ -(1 - 1/c)/z` is dominated by that pole. Its nonzero eigenvalues are those
//!   of the `m × m` companion `Z T Zᵀ/m`, whose law `B` (a probability law, `μ = (1 - 1/c) δ₀ + B/c`)
//!   has `g_B = c g + (c - 1)/z`. Then `w = -z g_B`, the operand's point is `u = z/w = -1/g_B`, and the
//!   equation becomes `z g_B = c k_A(u) - 1` (Silverstein's form `z = -1/g_B + c ∫ t/(1 + t g_B) dA`),
//!   a fixed point in `g_B` without the pole, with `k = k_A(u)` and `g = (g_B - (c - 1)/z)/c`
//!   ([`CompanionSampleCovarianceMap`]). An atom of `A` at 0 does not enter (`k_A` has no term for it).
//!   The solutions of the two forms are the same function; the companion form keeps a chain of such
//!   maps (the narrow layers of a deep linear network) from solving next to a pole at every level.

use super::stieltjes::ResolventEquation;
use num_complex::Complex64 as C64;

/// `h_X(w) = F_X(w) - w = -k/g`.
fn h_add((g, k): (C64, C64)) -> C64 {
    -k / g
}

/// `η̃_X(w) = 1 + 1/(w g_X(w)) = k/(w g)`.
fn eta_tilde((g, k): (C64, C64), w: C64) -> C64 {
    k / (w * g)
}

/// Free additive convolution by subordination, in the variable `m = -1/ω₁` (module docs).
pub struct AdditiveSubordination<A, B> {
    /// `u ↦ g_A(u)`.
    pub ga: A,
    /// `u ↦ g_B(u)`.
    pub gb: B,
}

impl<A, B> AdditiveSubordination<A, B>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
    B: Fn(C64) -> (C64, C64) + Send + Sync,
{
    /// `ω₁ = -1/m`.
    pub fn omega1(m: C64) -> C64 {
        -m.inv()
    }
    /// `(g, k)` of `A ⊞ B` at `z` from the solution `m`: `g = g_A(ω₁)`,
    /// `k = 1 + z g = k_A(ω₁) - h_B(ω₂) g` (as `z - ω₁ = -h_B(ω₂)`).
    pub fn gk(&self, m: C64, z: C64) -> (C64, C64) {
        let w1 = Self::omega1(m);
        let a = (self.ga)(w1);
        let w2 = z + h_add(a);
        let hb = h_add((self.gb)(w2));
        (a.0, a.1 - hb * a.0)
    }
}

impl<A, B> ResolventEquation for AdditiveSubordination<A, B>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
    B: Fn(C64) -> (C64, C64) + Send + Sync,
{
    fn map(&self, m: C64, z: C64) -> C64 {
        let w1 = Self::omega1(m);
        let w2 = z + h_add((self.ga)(w1));
        let w1n = z + h_add((self.gb)(w2));
        -w1n.inv()
    }
    fn describe(&self) -> String {
        "free additive subordination".into()
    }
}

/// Free multiplicative convolution `P ⊠ Q` (`P ≥ 0` with mean `p1 > 0`) by subordination, in the
/// variable `m = -p1/Ω_Q` (module docs).
pub struct MultiplicativeSubordination<P, Q> {
    /// `u ↦ g_P(u)` of the nonnegative operand.
    pub gp: P,
    /// `u ↦ g_Q(u)`.
    pub gq: Q,
    /// Mean of `P` (> 0).
    pub p1: f64,
}

impl<P, Q> MultiplicativeSubordination<P, Q>
where
    P: Fn(C64) -> (C64, C64) + Send + Sync,
    Q: Fn(C64) -> (C64, C64) + Send + Sync,
{
    /// `Ω_Q = -p1/m`.
    pub fn omega_q(&self, m: C64) -> C64 {
        -self.p1 / m
    }
    /// `(g, k)` of `P ⊠ Q` at `z` from the solution `m`: `z g(z) = Ω_Q g_Q(Ω_Q)`, `k = k_Q(Ω_Q)`.
    pub fn gk(&self, m: C64, z: C64) -> (C64, C64) {
        let x = self.omega_q(m);
        let (g, k) = (self.gq)(x);
        (x * g / z, k)
    }
}

impl<P, Q> ResolventEquation for MultiplicativeSubordination<P, Q>
where
    P: Fn(C64) -> (C64, C64) + Send + Sync,
    Q: Fn(C64) -> (C64, C64) + Send + Sync,
{
    fn map(&self, m: C64, z: C64) -> C64 {
        let x = self.omega_q(m);
        let y = z / (x * eta_tilde((self.gq)(x), x));
        let xn = z / (y * eta_tilde((self.gp)(y), y));
        -self.p1 / xn
    }
    fn describe(&self) -> String {
        "free multiplicative subordination".into()
    }
}

/// The sample-covariance map `g = g_A(z/w)/w`, `w = 1 - c - c z g` (module docs).
pub struct SampleCovarianceMap<A> {
    /// `u ↦ g_A(u)` of the population law.
    pub ga: A,
    /// Ratio `c = n/m`.
    pub c: f64,
}

impl<A> SampleCovarianceMap<A>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
{
    /// `k = 1 + z g = k_A(z/w)` from the solution `g` (`z g = (z/w) g_A(z/w)`).
    pub fn k(&self, g: C64, z: C64) -> C64 {
        let w = 1.0 - self.c - self.c * z * g;
        (self.ga)(z / w).1
    }
}

impl<A> ResolventEquation for SampleCovarianceMap<A>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
{
    fn map(&self, g: C64, z: C64) -> C64 {
        let w = 1.0 - self.c - self.c * z * g;
        (self.ga)(z / w).0 / w
    }
    fn describe(&self) -> String {
        format!("sample-covariance map (ratio {})", self.c)
    }
}

/// The sample-covariance map `pop(A, c)`, `c > 1`, in the companion variable `g_B = c g + (c - 1)/z`:
/// `g_B = (c k_A(-1/g_B) - 1)/z` (module docs).
pub struct CompanionSampleCovarianceMap<A> {
    /// `u ↦ (g_A(u), k_A(u))` of the population law.
    pub ga: A,
    /// Ratio `c = n/m > 1`.
    pub c: f64,
}

/// The point `u = -1/g_B` at which [`CompanionSampleCovarianceMap`] evaluates its operand (the `z/w`
/// of [`SampleCovarianceMap`]).
pub fn companion_point(gb: C64) -> C64 {
    -gb.inv()
}

impl<A> CompanionSampleCovarianceMap<A>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
{
    /// `(g, k)` of `pop(A, c)` at `z` from the solution `g_B`: `g = (g_B - (c - 1)/z)/c`,
    /// `k = k_A(-1/g_B)`.
    pub fn gk(&self, gb: C64, z: C64) -> (C64, C64) {
        let k = (self.ga)(companion_point(gb)).1;
        ((gb - (self.c - 1.0) / z) / self.c, k)
    }
}

impl<A> ResolventEquation for CompanionSampleCovarianceMap<A>
where
    A: Fn(C64) -> (C64, C64) + Send + Sync,
{
    fn map(&self, gb: C64, z: C64) -> C64 {
        (self.c * (self.ga)(companion_point(gb)).1 - 1.0) / z
    }
    fn describe(&self) -> String {
        format!("sample-covariance map (ratio {}, companion form)", self.c)
    }
}
