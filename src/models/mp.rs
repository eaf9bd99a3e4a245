//! Marchenko–Pastur: the base case (docs/models/mp.md (F1–F4)).
//!
//! **Model (F1).** `W = (σ²/m) X Xᵀ` with `X` an `n x m` matrix of iid `N(0, 1)` entries, ratio
//! `c = n/m`, `n, m → ∞`. The law of the `n` eigenvalues of `W` tends to
//!
//! * (F2) density `ρ(x) = sqrt((λ₊ - x)(x - λ₋)) / (2π σ² c x)` on `[λ₋, λ₊]`, `λ± = σ²(1 ± √c)²`,
//!   plus an atom of mass `1 - 1/c` at 0 when `c > 1`;
//! * (F3) Stieltjes transform `g(z) = [σ²(1 - c) - z + sqrt(z - λ₋) sqrt(z - λ₊)] / (2 c σ² z)`
//!   (principal square roots — *not* `sqrt((z - λ₋)(z - λ₊))`, which picks the wrong branch), the root of
//!   `c σ² z g² + (z - σ²(1 - c)) g + 1 = 0`, equivalently the fixed point
//!   `g = 1 / (σ²(1 - c - c z g) - z)`;
//! * (F4) moments `m_k = σ^{2k} Σ_{r=0}^{k-1} c^r/(r+1) C(k, r) C(k-1, r)` (Narayana): `m₁ = σ²`,
//!   `m₂ = σ⁴(1 + c)`.
//!
//! The law is available twice: in closed form ([`Method::ClosedForm`]) and through the generic
//! fixed-point solver of [`crate::numerics::stieltjes`] ([`Method::FixedPoint`]); tests check that they
//! agree. [`WishartSampler`] draws the finite matrix.

use crate::error::{check, Error, Result};
use crate::model::{Sampler, SpectralModel, Support};
use crate::numerics::linalg::eigvalsh;
use crate::numerics::stieltjes::{self, ResolventEquation, SolveStats, SolverOptions};
use crate::rng::Rng;
use num_complex::Complex64 as C64;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// How the Stieltjes transform is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The closed form F3.
    #[default]
    ClosedForm,
    /// The generic damped fixed point with continuation.
    FixedPoint,
}

/// The Marchenko–Pastur law with ratio `c` and scale `σ²`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MarchenkoPastur {
    ratio: f64,
    scale: f64,
    method: Method,
    #[serde(skip)]
    opts: SolverOptions,
}

/// Largest accepted ratio (beyond it the law is numerically a point mass at 0 plus a tiny bulk).
pub const MAX_RATIO: f64 = 1e6;
/// Smallest accepted ratio: below it the bulk `[σ²(1-√c)², σ²(1+√c)²]` is narrower than ~1e-5 σ² and,
/// for `c < 1e-16`, collapses to a point in double precision (`λ₋ = λ₊`).
pub const MIN_RATIO: f64 = 1e-6;

impl MarchenkoPastur {
    /// The law with ratio `c = n/m` in `[1e-6, 1e6]` and scale `σ²` in `[1e-150, 1e150]`.
    pub fn new(ratio: f64, scale: f64) -> Result<Self> {
        let ratio = check::in_range("ratio", ratio, MIN_RATIO, MAX_RATIO)?;
        let scale = check::positive("scale", scale)?;
        if !(1e-150..=1e150).contains(&scale) {
            return Err(Error::param("scale", scale, "in [1e-150, 1e150]"));
        }
        Ok(MarchenkoPastur {
            ratio,
            scale,
            method: Method::ClosedForm,
            opts: SolverOptions::default(),
        })
    }

    /// Choose the evaluation method.
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Ratio `c`.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }
    /// Scale `σ²`.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Edges `(λ₋, λ₊)`.
    pub fn edges(&self) -> (f64, f64) {
        let s = self.ratio.sqrt();
        (
            self.scale * (1.0 - s).powi(2),
            self.scale * (1.0 + s).powi(2),
        )
    }

    /// Mass of the atom at 0, `(1 - 1/c)₊`.
    pub fn atom(&self) -> f64 {
        (1.0 - 1.0 / self.ratio).max(0.0)
    }

    /// Closed-form `g(z)` (F3), valid on `C+` and on the real axis off the support.
    pub fn stieltjes_closed(&self, z: C64) -> C64 {
        let (c, s2) = (self.ratio, self.scale);
        let (lm, lp) = self.edges();
        let root = (z - lm).sqrt() * (z - lp).sqrt();
        (s2 * (1.0 - c) - z + root) / (2.0 * c * s2 * z)
    }

    /// Closed-form density (F2), 0 outside `[λ₋, λ₊]`.
    pub fn density_closed(&self, x: f64) -> f64 {
        let (lm, lp) = self.edges();
        if x <= lm || x >= lp {
            return 0.0;
        }
        ((lp - x) * (x - lm)).sqrt() / (2.0 * PI * self.scale * self.ratio * x)
    }

    /// The same law at unit scale. The fixed point is solved there and rescaled,
    /// `g_σ(z) = g_1(z/σ²)/σ²` (F1: the eigenvalues scale with σ²), so that the solver's tolerances and
    /// its `η_min` are relative to the law's own scale (at σ² = 1e-100 an absolute `η_min = 1e-10`
    /// smeared the whole bulk; found by tests/properties.rs).
    fn unit_scale(&self) -> Self {
        MarchenkoPastur {
            scale: 1.0,
            ..*self
        }
    }

    /// `g(z)` through the generic fixed-point solver.
    pub fn stieltjes_fixed_point(&self, z: C64) -> Result<C64> {
        let s2 = self.scale;
        Ok(stieltjes::solve(&self.unit_scale(), z / s2, None, &self.opts)?.m / s2)
    }

    /// Density through the fixed-point solver on a grid (warm-started along the grid), with diagnostics.
    pub fn density_fixed_point(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        let (lm, lp) = self.edges();
        let s2 = self.scale;
        let inside: Vec<f64> = xs
            .iter()
            .copied()
            .filter(|&x| x > lm && x < lp)
            .map(|x| x / s2)
            .collect();
        let sol = stieltjes::solve_grid(&self.unit_scale(), &inside, &self.opts)?;
        let stats = SolveStats::of(&sol);
        let mut it = sol.iter();
        let d = xs
            .iter()
            .map(|&x| {
                if x > lm && x < lp {
                    it.next()
                        .map(|s| stieltjes::density_of(s.m) / s2)
                        .unwrap_or(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        Ok((d, stats))
    }

    /// Narayana moments `m_k`, `k = 1..=kmax` (F4).
    pub fn narayana_moments(&self, kmax: usize) -> Vec<f64> {
        let binom = |n: usize, k: usize| -> f64 {
            (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
        };
        (1..=kmax)
            .map(|k| {
                let s: f64 = (0..k)
                    .map(|r| {
                        self.ratio.powi(r as i32) / (r + 1) as f64 * binom(k, r) * binom(k - 1, r)
                    })
                    .sum();
                self.scale.powi(k as i32) * s
            })
            .collect()
    }
}

impl ResolventEquation for MarchenkoPastur {
    fn map(&self, g: C64, z: C64) -> C64 {
        let (c, s2) = (self.ratio, self.scale);
        (s2 * (1.0 - c - c * z * g) - z).inv()
    }
    fn describe(&self) -> String {
        format!(
            "Marchenko-Pastur fixed point (ratio {}, in units of the scale)",
            self.ratio
        )
    }
}

impl SpectralModel for MarchenkoPastur {
    fn name(&self) -> String {
        "mp".into()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "ratio": self.ratio, "scale": self.scale, "method": self.method })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if !stieltjes::in_upper_half_plane(z) {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        match self.method {
            Method::ClosedForm => Ok(self.stieltjes_closed(z)),
            Method::FixedPoint => self.stieltjes_fixed_point(z),
        }
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[check::finite("x", x)?])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        match self.method {
            Method::ClosedForm => Ok(xs.iter().map(|&x| self.density_closed(x)).collect()),
            Method::FixedPoint => Ok(self.density_fixed_point(xs)?.0),
        }
    }
    fn density_diagnosed(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        match self.method {
            Method::ClosedForm => Ok((self.density_many(xs)?, SolveStats::default())),
            Method::FixedPoint => {
                if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
                    return Err(Error::param("x", x, "finite"));
                }
                self.density_fixed_point(xs)
            }
        }
    }
    fn support(&self) -> Result<Support> {
        let (lm, lp) = self.edges();
        let atom = self.atom();
        Ok(Support {
            components: vec![(lm, lp)],
            atoms: if atom > 0.0 {
                vec![(0.0, atom)]
            } else {
                vec![]
            },
        })
    }
    fn moments(&self) -> Vec<f64> {
        self.narayana_moments(4)
    }
    /// CLT for linear spectral statistics of real Gaussian Wishart matrices (Bai & Silverstein 2004;
    /// the real case has twice the complex variance): with `y = c` and `W = (σ²/m) X Xᵀ`,
    /// `Var Σ λ = 2 y σ⁴` and `Var Σ λ² = 4 y (2 + 5y + 2y²) σ⁸` (both exact for `Σ λ` at every size).
    fn lss_variance(&self, _n: usize) -> Option<[f64; 2]> {
        let (y, s2) = (self.ratio, self.scale * self.scale);
        Some([
            2.0 * y * s2,
            4.0 * y * (2.0 + 5.0 * y + 2.0 * y * y) * s2 * s2,
        ])
    }
}

/// Sampler of `W = (σ²/m) X Xᵀ`, `X` an `n x m` Gaussian matrix: returns the `n` eigenvalues.
///
/// When `n > m` the `n - m` structural zeros are returned exactly and the nonzero eigenvalues come from
/// the smaller `m x m` companion `(σ²/m) Xᵀ X` (same nonzero spectrum).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WishartSampler {
    /// Rows `n` (matrix size).
    pub n: usize,
    /// Columns `m` (samples).
    pub m: usize,
    /// Scale `σ²`.
    pub scale: f64,
}

/// Largest accepted matrix dimension for sampling.
pub const MAX_SIZE: usize = 20_000;

impl WishartSampler {
    /// Validated sampler.
    pub fn new(n: usize, m: usize, scale: f64) -> Result<Self> {
        check::count("size", n, 1, MAX_SIZE)?;
        check::count("columns", m, 1, MAX_SIZE * 100)?;
        check::in_range("scale", scale, 1e-150, 1e150)?;
        let s = WishartSampler { n, m, scale };
        crate::budget::check("Wishart sampling (one draw)", s.memory_per_draw())?;
        Ok(s)
    }
}

/// `G = A Aᵀ · s` for a column-major `r x k` matrix `A`, returned column-major `r x r` (faer, sequential so
/// results do not depend on the thread count).
pub fn gram_scaled(a: &[f64], r: usize, k: usize, s: f64) -> Vec<f64> {
    use faer::linalg::matmul::matmul;
    let am = faer::MatRef::from_column_major_slice(a, r, k);
    let mut g = faer::Mat::<f64>::zeros(r, r);
    matmul(
        g.as_mut(),
        faer::Accum::Replace,
        am,
        am.transpose(),
        s,
        faer::Par::Seq,
    );
    let mut out = vec![0.0; r * r];
    for j in 0..r {
        for i in 0..r {
            out[i + j * r] = g[(i, j)];
        }
    }
    out
}

impl Sampler for WishartSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "n": self.n, "m": self.m, "scale": self.scale, "ratio": self.n as f64 / self.m as f64 })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let (n, m) = (self.n, self.m);
        let x = crate::rng::normals(rng, n * m); // column-major n x m
        let s = self.scale / m as f64;
        let mut ev = if n <= m {
            eigvalsh(&gram_scaled(&x, n, m, s), n)?
        } else {
            // Xᵀ is m x n column-major = X row-major; build it explicitly
            let mut xt = vec![0.0; m * n];
            for j in 0..m {
                for i in 0..n {
                    xt[j + i * m] = x[i + j * n];
                }
            }
            let mut v = eigvalsh(&gram_scaled(&xt, m, n, s), m)?;
            v.extend(std::iter::repeat_n(0.0, n - m));
            v
        };
        ev.sort_by(f64::total_cmp);
        Ok(ev)
    }
    /// `X` (`n m`), its transpose when `n > m`, the `r x r` Gram (`r = min(n, m)`) twice and the
    /// eigen workspace.
    fn memory_per_draw(&self) -> u64 {
        use crate::budget::{eigen_bytes, elements, f64s};
        let (n, m) = (self.n, self.m);
        let r = n.min(m);
        let x = elements(&[n, m]) * if n > m { 2 } else { 1 };
        f64s(x + 2 * elements(&[r, r])).saturating_add(eigen_bytes(r))
    }
    fn output_bytes(&self) -> u64 {
        crate::budget::f64s(self.n as u128)
    }
}

/// `spectrum mp` parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct MpParams {
    /// Ratio c = n/m, in [1e-6, 1e6].
    #[arg(long, default_value_t = 0.5)]
    pub ratio: f64,
    /// Scale s2 (variance of the entries).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Evaluation method.
    #[arg(long, value_enum, default_value_t = Method::ClosedForm)]
    pub method: Method,
}

impl MpParams {
    /// The law.
    pub fn model(&self) -> Result<MarchenkoPastur> {
        Ok(MarchenkoPastur::new(self.ratio, self.scale)?.with_method(self.method))
    }
}

/// `validate mp` parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct MpCheck {
    /// Theory and sampled parameters.
    #[command(flatten)]
    pub law: MpParams,
    /// Matrix size n (the sampled matrix is n x m with m = round(n / ratio)).
    #[arg(long, default_value_t = 1000)]
    pub size: usize,
    /// Compare with the theory at this ratio instead of the sampled one (to test a claim, or to see the
    /// validator fail).
    #[arg(long)]
    pub theory_ratio: Option<f64>,
}

/// The registry entry of the Marchenko–Pastur law.
pub struct MpSpec;

/// `mp` in the registry.
pub static ENTRY: crate::registry::Spectral<MpSpec> = crate::registry::Spectral::new();

impl crate::registry::SpectralSpec for MpSpec {
    const CALIBRATION: &'static [&'static str] =
        &[include_str!("../../validation/calibration/mp.json")];
    const NAME: &'static str = "mp";
    const SIZES: &'static [&'static str] = &["size"];
    const SUMMARY: &'static str =
        "Marchenko–Pastur law of (s2/m) X Xᵀ, X n x m Gaussian, ratio c = n/m";
    const DOCS: &'static str = "docs/models/mp.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("ratio", "[1e-6, 1e6]"),
        ("scale", "[1e-150, 1e150]"),
        ("size", "integer in [1, 20000], with size/ratio <= 1e7"),
        ("theory-ratio", "[1e-6, 1e6]"),
    ];
    type Params = MpParams;
    type Check = MpCheck;
    fn theory(p: &MpParams) -> Result<crate::registry::Theory> {
        Ok(crate::registry::Theory::plain(Box::new(p.model()?)))
    }
    fn plan(a: &MpCheck) -> Result<crate::registry::Plan> {
        let sampled = MarchenkoPastur::new(a.law.ratio, a.law.scale)?;
        let theory = match a.theory_ratio {
            Some(r) => MarchenkoPastur::new(r, a.law.scale)
                .map_err(|_| Error::param("theory-ratio", r, "in [1e-6, 1e6]"))?,
            None => sampled,
        }
        .with_method(a.law.method);
        check::count("size", a.size, 1, MAX_SIZE)?;
        let m = ((a.size as f64) / sampled.ratio()).round().max(1.0);
        if m > 1e7 {
            return Err(Error::param(
                "ratio",
                a.law.ratio,
                "such that size/ratio <= 1e7",
            ));
        }
        Ok(crate::registry::Plan {
            theory: Box::new(theory),
            sampler: Box::new(WishartSampler::new(a.size, m as usize, a.law.scale)?),
            options: Default::default(),
            notes: vec![],
        })
    }
}
