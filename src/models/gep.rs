//! Gaussian equivalence principle (Speicher & Wendel, arXiv:2412.06943) for an entrywise
//! nonlinearity of a Wishart matrix (docs/models/gep.md (F32)).
//!
//! **Object.** `X = A Aᵀ / M`, `A ∈ R^{N×M}` iid `N(0, 1)`, ratio `c = N/M`; its law is MP(c) with mean
//! `m₁ = 1` and variance `s² = c`, so an off-diagonal `√N x_ij` is asymptotically `g ~ N(0, s²)`. For an
//! activation `f`,
//!
//! ```text
//! Y_ij = (f(√N x_ij) - E f(g)) / √N   (i ≠ j),   Y_ii = 0.
//! ```
//!
//! **Law (GEP).** `Y` has the limiting law of `θ₁ (X - m₁ I) + θ₂ Z`, `Z` a GOE (semicircle on `[-2, 2]`)
//! independent of `X`:
//!
//! ```text
//! θ₁ = E f'(g) = E[g f(g)]/s²,   θ₂² = Var f(g) - θ₁² s²,
//! μ_Y = (θ₁ (MP(c) - 1)) ⊞ SC(θ₂²).
//! ```
//!
//! The free convolution with a semicircle is computed by subordination. In Pennington–Worah's sign
//! `G(z) = ∫ ρ(t)/(z - t) dt`, `G_Y(z) = G_base(z - θ₂² G_Y(z))`; with this crate's Bai–Silverstein
//! `g = -G` the fixed point solved by [`crate::numerics::stieltjes`] is
//!
//! ```text
//! g = g_base(z + θ₂² g),   g_base(w) = g_MP(1 + w/θ₁)/θ₁   (θ₁ ≠ 0;  -1/w for θ₁ = 0).
//! ```
//!
//! **Support.** On the real axis off the support `g` is real and the inverse of the fixed point is
//! explicit (the MP quadratic is linear in `z`):
//!
//! ```text
//! x(g) = -(1/g + c θ₁ + c θ₁² g)/(1 + c θ₁ g) - θ₂² g,
//! ```
//!
//! so the edges are the critical values of `x(g)` (Silverstein–Choi; [`crate::numerics::edges`]). For
//! `θ₂ = 0` the law is exactly `θ₁ (MP - 1)`, with an atom `1 - 1/c` at `-θ₁` when `c > 1`; for `θ₂ > 0`
//! it has no atom (a relative `θ₂²/m₂ <= 1e-9` counts as 0, [`THETA2_FLOOR`]).
//!
//! **Moments.** Free cumulants add; MP(c) has `κ_n = c^{n-1}`, the centring removes `κ₁`, the scaling
//! multiplies `κ_n` by `θ₁ⁿ`, the semicircle adds `θ₂²` to `κ₂` only. With `κ₁ = 0`:
//! `m₁ = 0`, `m₂ = θ₁² c + θ₂²`, `m₃ = θ₁³ c²`, `m₄ = θ₁⁴ c³ + 2 m₂²`.
//!
//! **Numerics.** Everything is solved for the law of `Y/σ`, `σ² = m₂` (unit variance) and rescaled,
//! `g_Y(z) = g₁(z/σ)/σ`, so the solver's tolerances and `η_min` are relative to the law's own scale. The
//! MP transform is evaluated in the cancellation-free form of the quadratic (see `g_mp`), which keeps
//! `|θ₁| ≪ θ₂` (the base law nearly a point mass) accurate. The solver tolerance is `1e-10` (relative
//! residual), not the default `1e-12`: when `θ₂` is small, a point next to an edge evaluates `g_MP` at a
//! distance `~θ₂⁴` from the MP edge, where its rounding error exceeds `1e-12` and Newton's stopping test
//! could never be met (the continuation then split its steps for minutes, measured for tanh at c = 0.01).

use super::fim::law::{density_on_support_diagnosed, support_from_inverse};
use super::fim::Activation;
use super::mp::{gram_scaled, MarchenkoPastur};
use crate::error::{check, Error, Result};
use crate::model::{Sampler, SpectralModel, Support};
use crate::numerics::linalg::eigvalsh;
use crate::numerics::stieltjes::{self, ResolventEquation, SolveStats, SolverOptions};
use crate::output::{parse_float_list, FloatList};
use crate::rng::Rng;
use num_complex::Complex64 as C64;
use std::sync::OnceLock;

/// Smallest accepted ratio `c = N/M`.
pub const MIN_RATIO: f64 = 1e-4;
/// Largest accepted ratio `c = N/M`.
pub const MAX_RATIO: f64 = 1e4;
/// A semicircle part with `θ₂²/m₂` at or below this is treated as 0. Its radius is then below
/// `2√(1e-9) ≈ 6e-5` of the law's scale, so no eigenvalue mass moves farther (Lévy distance); below it,
/// next to a hard edge (c = 1) or an atom, the continuation solver stalls on a component that narrow
/// (measured: c = 1, θ₂²/m₂ = 1e-10). A linear `f` gives `θ₂² ~ 1e-17` from rounding.
pub const THETA2_FLOOR: f64 = 1e-9;

/// An activation by name: the built-ins of [`Activation::parse`] and `cube` (`f(x) = x³`, a smooth
/// custom activation whose constants Gauss–Hermite integrates exactly).
pub fn activation_by_name(name: &str) -> Result<Activation> {
    if name.eq_ignore_ascii_case("cube") {
        return Ok(Activation::custom("cube", |x| x * x * x, |x| 3.0 * x * x));
    }
    Activation::parse(name).map_err(|_| {
        Error::param(
            "activation",
            name,
            "one of linear, tanh, erf, relu, crelu, absc, cube",
        )
    })
}

/// The unit-variance law `Y/σ`: `θ₁/σ`, `θ₂²/σ²` and the MP(c) base. Implements the fixed point.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct UnitLaw {
    pub c: f64,
    pub t1: f64,
    pub s: f64,
    pub edges: (f64, f64),
}

impl UnitLaw {
    /// `g_MP(u)` (ratio c, scale 1) for `u` off `[λ₋, λ₊]`. Of the two algebraic forms of the physical
    /// root, `(a + r)/(2cu)` and `2/(a - r)` (`a = 1 - c - u`, `r = √(u - λ₋)√(u - λ₊)`; their product
    /// is that of the quadratic's roots), the one without cancellation is used.
    #[doc(hidden)]
    pub fn g_mp(&self, u: C64) -> C64 {
        if u.im < 0.0 {
            return self.g_mp(u.conj()).conj();
        }
        let r = (u - self.edges.0).sqrt() * (u - self.edges.1).sqrt();
        let a = C64::new(1.0 - self.c, 0.0) - u;
        if (a + r).norm() >= (a - r).norm() {
            (a + r) / (2.0 * self.c * u)
        } else {
            2.0 / (a - r)
        }
    }

    /// `g_base(w)` of `θ₁ (MP - 1)` (unit-scale `θ₁`).
    fn g_base(&self, w: C64) -> C64 {
        if self.t1 == 0.0 {
            return -w.inv();
        }
        self.g_mp(1.0 + w / self.t1) / self.t1
    }

    /// Real inverse `x(g)` (NaN where undefined).
    #[doc(hidden)]
    pub fn x_of_m(&self, m: f64) -> f64 {
        let (c, t) = (self.c, self.t1);
        let den = 1.0 + c * t * m;
        if m == 0.0 || den == 0.0 || !m.is_finite() {
            return f64::NAN;
        }
        -(1.0 / m + c * t + c * t * t * m) / den - self.s * m
    }
}

impl ResolventEquation for UnitLaw {
    fn map(&self, m: C64, z: C64) -> C64 {
        self.g_base(z + self.s * m)
    }
    fn describe(&self) -> String {
        format!(
            "GEP subordination g = g_base(z + theta2^2 g) (ratio {}, unit-variance theta1 {}, theta2^2 {})",
            self.c, self.t1, self.s
        )
    }
}

/// The GEP law of `Y = (f(√N x_ij) - E f(g))/√N` (zero diagonal) for `X` Wishart with ratio `c`:
/// `θ₁ (MP(c) - 1) ⊞ SC(θ₂²)` (module docs).
#[derive(Debug, Clone)]
pub struct EntrywiseWishart {
    ratio: f64,
    activation: String,
    mean: Option<f64>,
    theta1: f64,
    theta2_sq: f64,
    sigma: f64,
    unit: UnitLaw,
    opts: SolverOptions,
    support: OnceLock<Support>,
}

impl EntrywiseWishart {
    /// The law for an activation at ratio `c = N/M` in `[1e-4, 1e4]`: `θ₁ = μ₁`, `θ₂² = μ*²` of
    /// [`Activation::constants`] at `σ_w² = c` (so `g = σ_w z ~ N(0, c)`).
    pub fn new(ratio: f64, activation: &Activation) -> Result<Self> {
        let c = check::in_range("ratio", ratio, MIN_RATIO, MAX_RATIO)?;
        let g = activation.constants(c, 0.0)?;
        if !(g.mu0.is_finite() && g.mu1.is_finite() && g.mu_star2.is_finite()) {
            return Err(Error::Domain(format!(
                "activation `{}` has non-finite Gaussian constants at variance {c}",
                g.activation
            )));
        }
        let mut law = Self::from_thetas(c, g.mu1, g.mu_star2)?;
        law.activation = g.activation;
        law.mean = Some(g.mu0);
        Ok(law)
    }

    /// The law from its constants: `θ₁` finite with `|θ₁| <= 1e100`, `θ₂²` in `[0, 1e200]`, not both 0.
    pub fn from_thetas(ratio: f64, theta1: f64, theta2_sq: f64) -> Result<Self> {
        let c = check::in_range("ratio", ratio, MIN_RATIO, MAX_RATIO)?;
        let theta1 = check::in_range("theta1", theta1, -1e100, 1e100)?;
        let theta2_sq = check::in_range("theta2_sq", theta2_sq, 0.0, 1e200)?;
        let m2 = theta1 * theta1 * c + theta2_sq;
        if m2 <= 1e-200 {
            return Err(Error::Domain(format!(
                "degenerate law: theta1 = {theta1}, theta2^2 = {theta2_sq} give Y = 0 \
                 (the activation is constant on the Gaussian scale); need theta1^2 c + theta2^2 > 1e-200"
            )));
        }
        let sigma = m2.sqrt();
        let s = theta2_sq / m2;
        let mp = MarchenkoPastur::new(c, 1.0)?;
        Ok(EntrywiseWishart {
            ratio: c,
            activation: "user".into(),
            mean: None,
            theta1,
            theta2_sq,
            sigma,
            unit: UnitLaw {
                c,
                t1: theta1 / sigma,
                s: if s <= THETA2_FLOOR { 0.0 } else { s },
                edges: mp.edges(),
            },
            opts: SolverOptions {
                tol: 1e-10,
                ..SolverOptions::default()
            },
            support: OnceLock::new(),
        })
    }

    /// Ratio `c = N/M`.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }
    /// `θ₁ = E f'(g)`.
    pub fn theta1(&self) -> f64 {
        self.theta1
    }
    /// `θ₂² = Var f(g) - θ₁² c`.
    pub fn theta2_sq(&self) -> f64 {
        self.theta2_sq
    }
    /// `E f(g)`, subtracted from the entries (None for a law given by its constants).
    pub fn mean(&self) -> Option<f64> {
        self.mean
    }

    /// Moments `[m₁, m₂, m₃, m₄]` from the free cumulants (module docs).
    pub fn closed_moments(&self) -> [f64; 4] {
        let (c, t) = (self.ratio, self.theta1);
        let m2 = t * t * c + self.theta2_sq;
        [
            0.0,
            m2,
            t.powi(3) * c * c,
            t.powi(4) * c.powi(3) + 2.0 * m2 * m2,
        ]
    }

    fn unit_support(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let u = &self.unit;
        // θ₂ = 0: θ₁ (MP - 1) with a hard edge (c = 1) or an atom (c > 1) at -θ₁
        let (extra, atoms) = if u.s == 0.0 {
            let atom = (1.0 - 1.0 / u.c).max(0.0);
            (
                vec![-u.t1],
                if atom > 0.0 {
                    vec![(-u.t1, atom)]
                } else {
                    vec![]
                },
            )
        } else {
            (vec![], vec![])
        };
        let s = support_from_inverse(
            u,
            |m| u.x_of_m(m),
            &extra,
            f64::NEG_INFINITY,
            atoms,
            &self.opts,
        )?;
        if s.components.is_empty() {
            return Err(Error::Domain(format!(
                "GEP law (ratio {}, theta1 {}, theta2^2 {}): no support component found",
                self.ratio, self.theta1, self.theta2_sq
            )));
        }
        let _ = self.support.set(s);
        Ok(self.support.get().expect("just set"))
    }
}

impl SpectralModel for EntrywiseWishart {
    fn name(&self) -> String {
        "gep".into()
    }
    fn params(&self) -> serde_json::Value {
        // kept short (plot titles); m2 is in `moments`, E f(g) in the sampler's description
        serde_json::json!({
            "ratio": self.ratio, "activation": self.activation,
            "theta1": self.theta1, "theta2_sq": self.theta2_sq,
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if !stieltjes::in_upper_half_plane(z) {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        let s = self.sigma;
        Ok(stieltjes::solve(&self.unit, z / s, None, &self.opts)?.m / s)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[check::finite("x", x)?])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        Ok(self.density_diagnosed(xs)?.0)
    }
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        let s = self.sigma;
        let unit: Vec<f64> = xs.iter().map(|x| x / s).collect();
        let (d, stats) =
            density_on_support_diagnosed(&self.unit, self.unit_support()?, &unit, &self.opts)?;
        Ok((d.into_iter().map(|r| r / s).collect(), stats))
    }
    fn support(&self) -> Result<Support> {
        let u = self.unit_support()?;
        let s = self.sigma;
        Ok(Support {
            components: u.components.iter().map(|c| (c.0 * s, c.1 * s)).collect(),
            atoms: u.atoms.iter().map(|a| (a.0 * s, a.1)).collect(),
        })
    }
    fn moments(&self) -> Vec<f64> {
        self.closed_moments().to_vec()
    }
}

/// What the eigenvalues are eigenvalues of (for outputs).
pub const NORMALIZATION: &str =
    "eigenvalues of Y_ij = (f(sqrt(N) x_ij) - E f(g))/sqrt(N), Y_ii = 0, X = A A^T/M, g ~ N(0, N/M)";

/// Largest accepted `N` for sampling.
pub const MAX_SIZE: usize = 20_000;

/// Sampler of `Y`: draws `A` (`N × M`), forms `X = A Aᵀ/M`, applies `f` entrywise to `√N x_ij`
/// off the diagonal, subtracts `E f(g)` (`g ~ N(0, N/M)`), divides by `√N`, zeroes the diagonal and
/// returns the `N` eigenvalues.
#[derive(Debug, Clone)]
pub struct EntrywiseWishartSampler {
    n: usize,
    m: usize,
    activation: Activation,
    mean: f64,
}

impl EntrywiseWishartSampler {
    /// Validated sampler: `2 <= N <= 20000`, `1 <= M <= 2e6`, `N/M` in `[1e-4, 1e4]`.
    pub fn new(n: usize, m: usize, activation: Activation) -> Result<Self> {
        check::count("n", n, 2, MAX_SIZE)?;
        check::count("m", m, 1, MAX_SIZE * 100)?;
        let c = check::in_range("ratio n/m", n as f64 / m as f64, MIN_RATIO, MAX_RATIO)?;
        let mean = check::finite("E f(g)", activation.constants(c, 0.0)?.mu0)?;
        let s = EntrywiseWishartSampler {
            n,
            m,
            activation,
            mean,
        };
        crate::budget::check("GEP sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }
    /// `N/M`.
    pub fn ratio(&self) -> f64 {
        self.n as f64 / self.m as f64
    }
    /// The matrix `Y` of one draw (column-major `N × N`).
    pub fn matrix(&self, rng: &mut Rng) -> Vec<f64> {
        let (n, m) = (self.n, self.m);
        let a = crate::rng::normals(rng, n * m);
        let mut y = gram_scaled(&a, n, m, 1.0 / m as f64);
        let rn = (n as f64).sqrt();
        for j in 0..n {
            for i in 0..n {
                let v = &mut y[i + j * n];
                *v = if i == j {
                    0.0
                } else {
                    (self.activation.eval(rn * *v) - self.mean) / rn
                };
            }
        }
        y
    }
}

impl Sampler for EntrywiseWishartSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "n": self.n, "m": self.m, "ratio": self.ratio(), "activation": self.activation.name(),
            "mean_subtracted": self.mean, "diagonal": 0.0,
        })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let y = self.matrix(rng);
        if y.iter().any(|v| !v.is_finite()) {
            return Err(Error::Domain(format!(
                "activation `{}` produced non-finite entries",
                self.activation.name()
            )));
        }
        eigvalsh(&y, self.n)
    }
    /// `A` (`N M`), the `N x N` Gram twice and the eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        f64s(elements(&[self.n, self.m]) + 2 * elements(&[self.n, self.n]))
            .saturating_add(eigen_bytes(self.n))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.n as u128)
    }
}

/// `spectrum gep` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct GepArgs {
    /// Activation f: linear, tanh, erf, relu, crelu, absc, cube.
    #[arg(long, default_value = "relu")]
    pub activation: String,
    /// Ratio c = N/M of the Wishart matrix X = A A^T/M (A is N x M), in [1e-4, 1e4].
    #[arg(long, default_value_t = 0.5)]
    pub ratio: f64,
    /// The law from its constants `theta1,theta2_sq` instead of an activation.
    #[arg(long, value_parser = parse_float_list, allow_hyphen_values = true)]
    pub thetas: Option<FloatList>,
}

fn law(activation: &str, ratio: f64, thetas: Option<&FloatList>) -> Result<EntrywiseWishart> {
    match thetas {
        Some(FloatList(v)) if v.len() == 2 => EntrywiseWishart::from_thetas(ratio, v[0], v[1]),
        Some(FloatList(v)) => Err(Error::param(
            "thetas",
            format!("{v:?}"),
            "two numbers theta1,theta2_sq",
        )),
        None => EntrywiseWishart::new(ratio, &activation_by_name(activation)?),
    }
}

impl GepArgs {
    /// The model.
    pub fn model(&self) -> Result<EntrywiseWishart> {
        law(&self.activation, self.ratio, self.thetas.as_ref())
    }
}

/// `validate gep` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct GepValidateArgs {
    /// Activation f: linear, tanh, erf, relu, crelu, absc, cube.
    #[arg(long, default_value = "relu")]
    pub activation: String,
    /// Matrix size N (Y is N x N).
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Columns M of A (X = A A^T/M; ratio c = N/M).
    #[arg(long, default_value_t = 2000)]
    pub m: usize,
    /// Compare with the theory at this ratio instead of N/M (to test a claim, or to see the validator fail).
    #[arg(long)]
    pub theory_ratio: Option<f64>,
    /// Compare with the law of these constants `theta1,theta2_sq` instead of the activation's.
    #[arg(long, value_parser = parse_float_list, allow_hyphen_values = true)]
    pub theory_thetas: Option<FloatList>,
    /// Finite-size bias coefficient b of the tolerance b N^-r (r = 1 for linear f, 1/2 otherwise).
    #[arg(long)]
    pub bias_coeff: Option<f64>,
}

/// The registry's view of the GEP law.
pub struct GepSpec;

/// `gep` in the registry.
pub static ENTRY: crate::registry::Spectral<GepSpec> = crate::registry::Spectral::new();

impl crate::registry::SpectralSpec for GepSpec {
    const CALIBRATION: &'static [&'static str] = &[include_str!(
        "../../validation/calibration/gep-nonlinear.json"
    )];
    const NAME: &'static str = "gep";
    const SIZES: &'static [&'static str] = &["n", "m"];
    const SUMMARY: &'static str =
        "Entrywise nonlinearity of a Wishart matrix: Speicher–Wendel Gaussian \
equivalence θ₁ (MP(c) - 1) ⊞ semicircle(θ₂²)";
    const DOCS: &'static str = "docs/models/gep.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("activation", "linear, tanh, erf, relu, crelu, absc, cube"),
        ("ratio", "[1e-4, 1e4]"),
        ("thetas", "two numbers theta1,theta2_sq (theta2_sq >= 0)"),
        ("n", "integer in [1, 20000]"),
        ("m", "integer in [1, 2e6]"),
        ("theory-ratio", "[1e-4, 1e4]"),
        (
            "theory-thetas",
            "two numbers theta1,theta2_sq (theta2_sq >= 0)",
        ),
        ("bias-coeff", ">= 0"),
    ];
    type Params = GepArgs;
    type Check = GepValidateArgs;
    fn theory(p: &GepArgs) -> Result<crate::registry::Theory> {
        Ok(crate::registry::Theory {
            model: Box::new(p.model()?),
            axis: NORMALIZATION.into(),
            extra: serde_json::Value::Null,
        })
    }
    fn plan(args: &GepValidateArgs) -> Result<crate::registry::Plan> {
        let act = activation_by_name(&args.activation)?;
        let sampler = EntrywiseWishartSampler::new(args.n, args.m, act)?;
        let ratio = args.theory_ratio.unwrap_or(sampler.ratio());
        let model = law(&args.activation, ratio, args.theory_thetas.as_ref())?;
        let b = match args.bias_coeff {
            Some(b) => check::non_negative("bias_coeff", b)?,
            None => 1.0,
        };
        // linear f: Y = X - diag(X), an exact law up to the O(1/N) rigidity floor; nonlinear f: the
        // Gaussian-equivalence rate of the other ansatz laws (measured decay is faster, docs/models/gep.md)
        let exact = model.theta2_sq() == 0.0;
        let options = crate::validate::spectral::SpectralValidation {
            bias_coeff: b,
            bias_rate: if exact { 1.0 } else { 0.5 },
            calibrated: args.bias_coeff.is_none(),
            ..Default::default()
        };
        let note = format!(
            "theory: {} = {:.6} (MP({}) - 1) boxplus SC({:.6}); {}",
            model.name(),
            model.theta1(),
            model.ratio(),
            model.theta2_sq(),
            options.bias_text()
        );
        Ok(crate::registry::Plan {
            theory: Box::new(model),
            sampler: Box::new(sampler),
            options,
            notes: vec![note],
        })
    }
}
