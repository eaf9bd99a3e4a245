//! The Wigner semicircle law, with the GOE as its sampler: the worked example of adding a model
//! (`docs/architecture.md`). The whole model is this file plus one line in [`crate::registry::all`].
//!
//! **Law.** For the `n × n` GOE matrix `W` with off-diagonal entries `N(0, s²/n)` and diagonal entries
//! `N(0, 2s²/n)`, the eigenvalue law tends to the semicircle of variance `s²`:
//! `ρ(x) = √(4s² − x²) / (2π s²)` on `[−2s, 2s]`, with Stieltjes transform
//! `g(z) = (−z + √(z − 2s) √(z + 2s)) / (2s²)` (principal roots; `Im g > 0` on `C+`), the root of
//! `s² g² + z g + 1 = 0`. Moments: odd ones vanish, `m_{2k} = C_k s^{2k}` (Catalan numbers), so
//! `m₂ = s²`, `m₄ = 2s⁴`.
//!
//! Source: E. Wigner, Ann. Math. 62 (1955); the GOE normalisation as in Anderson–Guionnet–Zeitouni,
//! *An Introduction to Random Matrices* (2010), ch. 2.

use crate::error::{check, Result};
use crate::model::{Sampler, SpectralModel, Support};
use crate::numerics::linalg::eigvalsh;
use crate::registry::{Plan, Spectral, SpectralSpec, Theory};
use crate::rng::Rng;
use crate::validate::spectral::SpectralValidation;
use num_complex::Complex64 as C64;
use std::f64::consts::PI;

/// The semicircle law of variance `s2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Semicircle {
    s2: f64,
}

impl Semicircle {
    /// The law of variance `s2` in `[1e-150, 1e150]`.
    pub fn new(s2: f64) -> Result<Self> {
        Ok(Semicircle {
            s2: check::in_range("variance", s2, 1e-150, 1e150)?,
        })
    }

    /// The edge `2s`.
    pub fn edge(&self) -> f64 {
        2.0 * self.s2.sqrt()
    }
}

impl SpectralModel for Semicircle {
    fn name(&self) -> String {
        "semicircle".into()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "variance": self.s2 })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if !crate::numerics::stieltjes::in_upper_half_plane(z) {
            return Err(crate::Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        let e = self.edge();
        Ok((-z + (z - e).sqrt() * (z + e).sqrt()) / (2.0 * self.s2))
    }
    fn density(&self, x: f64) -> Result<f64> {
        let r = 4.0 * self.s2 - x * x;
        Ok(if r > 0.0 {
            r.sqrt() / (2.0 * PI * self.s2)
        } else {
            0.0
        })
    }
    fn support(&self) -> Result<Support> {
        Ok(Support {
            components: vec![(-self.edge(), self.edge())],
            atoms: vec![],
        })
    }
    fn moments(&self) -> Vec<f64> {
        let s2 = self.s2;
        vec![0.0, s2, 0.0, 2.0 * s2 * s2]
    }
}

/// The GOE matrix of size `n` scaled to the semicircle of variance `s2`.
#[derive(Debug, Clone, Copy)]
pub struct GoeSampler {
    n: usize,
    s2: f64,
}

impl GoeSampler {
    /// Validated sampler (`n` up to 20000).
    pub fn new(n: usize, s2: f64) -> Result<Self> {
        Ok(GoeSampler {
            n: check::count("n", n, 1, 20_000)?,
            s2: Semicircle::new(s2)?.s2,
        })
    }
}

impl Sampler for GoeSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "matrix": "GOE", "n": self.n, "variance": self.s2 })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let n = self.n;
        let z = crate::rng::normals(rng, n * n);
        let sd = (self.s2 / n as f64).sqrt();
        // W = (Z + Zᵀ)/√2 · s/√n: off-diagonal variance s²/n, diagonal 2s²/n
        let mut a = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..n {
                a[i + j * n] = (z[i + j * n] + z[j + i * n]) * sd / 2f64.sqrt();
            }
        }
        eigvalsh(&a, n)
    }
}

/// `spectrum semicircle` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct SemicircleParams {
    /// Variance s2 of the law (support [-2s, 2s]).
    #[arg(long, default_value_t = 1.0)]
    pub variance: f64,
}

/// `validate semicircle` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct SemicircleCheck {
    /// Variance of the sampled GOE matrix.
    #[arg(long, default_value_t = 1.0)]
    pub variance: f64,
    /// Matrix size n.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Compare with the law of this variance instead (to see the validator fail).
    #[arg(long)]
    pub theory_variance: Option<f64>,
}

/// The registry's view of the semicircle law.
pub struct SemicircleSpec;

/// `semicircle` in the registry.
pub static ENTRY: Spectral<SemicircleSpec> = Spectral::new();

impl SpectralSpec for SemicircleSpec {
    const NAME: &'static str = "semicircle";
    const SIZES: &'static [&'static str] = &["n"];
    const CALIBRATION: &'static [&'static str] =
        &[include_str!("../../validation/calibration/semicircle.json")];
    const SUMMARY: &'static str = "Wigner semicircle law of variance s2 (GOE sampler)";
    const DOCS: &'static str = "docs/models/semicircle.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("variance", "[1e-150, 1e150]"),
        ("theory-variance", "[1e-150, 1e150]"),
        ("n", "integer in [1, 20000]"),
    ];
    type Params = SemicircleParams;
    type Check = SemicircleCheck;
    fn theory(p: &SemicircleParams) -> Result<Theory> {
        Ok(Theory::plain(Box::new(Semicircle::new(p.variance)?)))
    }
    fn plan(p: &SemicircleCheck) -> Result<Plan> {
        let theory = Semicircle::new(p.theory_variance.unwrap_or(p.variance))?;
        Ok(Plan {
            theory: Box::new(theory),
            sampler: Box::new(GoeSampler::new(p.n, p.variance)?),
            // an exact law: finite-size error O(1/n) (rigidity)
            options: SpectralValidation::default(),
            notes: vec![],
        })
    }
}
