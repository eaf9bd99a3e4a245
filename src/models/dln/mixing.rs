//! The scalar mixing variable `q` and the output law at one input (D = 1, or any D via F3).
//!
//! Finite width (F4): `q = Π_l χ²_{N_l}/N_l`, independent factors, `E q = 1`.
//! Depth~width limit (F12): `q = exp(sqrt(2a) Z - a)`, `Z ~ N(0, 1)`; `a = 0` is the NNGP (`q = 1`).
//! The output at an input with `c = Λ C_ii` is the Gaussian scale mixture `f = sqrt(c q) z` (F1/F7).
//!
//! Everything is computed from the Mellin transform `E q^s`, known in closed form for complex `s` in
//! both cases (F5 and F15): moments (F5/F15), log-moments (F6), and the density, tails and CDF of `f`
//! by Mellin–Barnes inversion ([`crate::numerics::mellin`]), which is the Meijer-G representation F7
//! evaluated on a saddle-point contour. That works for any depth L at the same cost (it needs no
//! convolution of L log-chi-square densities).

use crate::error::{Error, Result};
use crate::numerics::mellin::{Mellin, MellinInverter};
use crate::numerics::special::{digamma, ln_gamma_complex, ln_gamma_ratio, trigamma};
use num_complex::Complex64;
use std::f64::consts::PI;

/// Law of the unit-mean scalar mixing variable `q`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mixing {
    /// `q = Π_l χ²_{N_l}/N_l` (F4); widths grouped as `(N, multiplicity)`.
    Product {
        /// Distinct widths with their multiplicities.
        widths: Vec<(f64, usize)>,
    },
    /// `ln q ~ N(-a, 2a)` (F12); `a = 0` is the point mass at 1 (NNGP, F11).
    LogNormal {
        /// `a = lim Σ_l 1/N_l`.
        a: f64,
    },
}

impl Mixing {
    /// Product of normalised chi-squares with the given real degrees of freedom, each in `[1e-3, 1e15]`.
    pub fn product(widths: &[f64]) -> Result<Self> {
        if widths.is_empty() {
            return Err(Error::param("widths", "[]", "at least one hidden layer"));
        }
        let mut groups: Vec<(f64, usize)> = Vec::new();
        for &n in widths {
            crate::error::check::in_range("width", n, 1e-3, 1e15)?;
            match groups.iter_mut().find(|g| g.0 == n) {
                Some(g) => g.1 += 1,
                None => groups.push((n, 1)),
            }
        }
        Ok(Mixing::Product { widths: groups })
    }

    /// Log-normal limit with parameter `a >= 0`.
    pub fn log_normal(a: f64) -> Result<Self> {
        Ok(Mixing::LogNormal {
            a: crate::error::check::non_negative("a", a)?,
        })
    }

    /// `a = Σ_l 1/N_l` (finite width) or the limit parameter.
    pub fn a(&self) -> f64 {
        match self {
            Mixing::Product { widths } => widths.iter().map(|(n, m)| *m as f64 / n).sum(),
            Mixing::LogNormal { a } => *a,
        }
    }

    /// Infimum of the real `s` for which `E q^s` is finite: `-min N_l / 2`, or `-∞` in the limit.
    pub fn moment_lower_bound(&self) -> f64 {
        match self {
            Mixing::Product { widths } => {
                -0.5 * widths.iter().map(|w| w.0).fold(f64::INFINITY, f64::min)
            }
            Mixing::LogNormal { .. } => f64::NEG_INFINITY,
        }
    }

    /// `ln E[q^s]` for complex `s` with `Re s` above [`Self::moment_lower_bound`]:
    /// `Σ_l [ln Γ(N_l/2 + s) - ln Γ(N_l/2) - s ln(N_l/2)]` (F5) or `a s (s - 1)` (F15).
    pub fn ln_moment_complex(&self, s: Complex64) -> Complex64 {
        match self {
            Mixing::Product { widths } => widths
                .iter()
                .map(|&(n, m)| ln_gamma_ratio(0.5 * n, s) * m as f64)
                .sum(),
            Mixing::LogNormal { a } => s * (s - 1.0) * *a,
        }
    }

    /// `E[q^s]` for real `s` (F5 / F15); an error if the moment is infinite (`s <= -min N_l / 2`).
    pub fn moment(&self, s: f64) -> Result<f64> {
        let lb = self.moment_lower_bound();
        if !(s.is_finite() && s > lb) {
            return Err(Error::param(
                "moment order",
                crate::error::num(s),
                &format!(
                    "> {} (E q^s is infinite below -min(N_l)/2)",
                    crate::error::num(lb)
                ),
            ));
        }
        let v = self.ln_moment_complex(Complex64::new(s, 0.0)).re.exp();
        if !v.is_finite() {
            return Err(Error::Domain(format!(
                "E q^{} overflows double precision for a = {}",
                crate::error::num(s),
                crate::error::num(self.a())
            )));
        }
        Ok(v)
    }

    /// `E ln q` = `Σ_l [ψ(N_l/2) - ln(N_l/2)]` (F6) or `-a` (F12).
    pub fn mean_log(&self) -> f64 {
        match self {
            Mixing::Product { widths } => widths
                .iter()
                .map(|&(n, m)| m as f64 * (digamma(0.5 * n) - (0.5 * n).ln()))
                .sum(),
            Mixing::LogNormal { a } => -a,
        }
    }

    /// `Var ln q` = `Σ_l ψ'(N_l/2)` (F6) or `2a` (F12).
    pub fn var_log(&self) -> f64 {
        match self {
            Mixing::Product { widths } => widths
                .iter()
                .map(|&(n, m)| m as f64 * trigamma(0.5 * n))
                .sum(),
            Mixing::LogNormal { a } => 2.0 * a,
        }
    }
}

/// Mellin transform of `|f|`, `f = sqrt(c q) z`:
/// `E|f|^{s-1} = (2c)^{(s-1)/2} Γ(s/2)/sqrt(π) · E q^{(s-1)/2}`.
#[derive(Debug, Clone)]
pub struct AbsOutputMellin {
    mixing: Mixing,
    c: f64,
}

impl Mellin for AbsOutputMellin {
    fn ln_mellin(&self, s: Complex64) -> Complex64 {
        let p = (s - 1.0) * 0.5;
        p * (2.0 * self.c).ln() + ln_gamma_complex(s * 0.5) - 0.5 * PI.ln()
            + self.mixing.ln_moment_complex(p)
    }
    fn strip(&self) -> (f64, f64) {
        let lo = (1.0 + 2.0 * self.mixing.moment_lower_bound()).max(0.0);
        (lo, f64::INFINITY)
    }
}

/// Law of one output at one input: `f = sqrt(c q) z` with `c = Λ C_ii` (F7, F15).
#[derive(Debug)]
pub struct OutputLaw {
    inv: MellinInverter<AbsOutputMellin>,
}

impl OutputLaw {
    /// Output law with mixing `q` and scale `c` in `[1e-300, 1e300]` (`ln 2c` must be finite).
    pub fn new(mixing: Mixing, c: f64) -> Result<Self> {
        crate::error::check::in_range("c (output variance scale)", c, 1e-300, 1e300)?;
        Ok(OutputLaw {
            inv: MellinInverter::new(AbsOutputMellin { mixing, c }),
        })
    }

    /// The mixing law.
    pub fn mixing(&self) -> &Mixing {
        &self.inv.inner().mixing
    }

    /// The scale `c`.
    pub fn c(&self) -> f64 {
        self.inv.inner().c
    }

    /// Density `p(f)`. At `f = 0`: `E[q^{-1/2}] / sqrt(2πc)` (F7), infinite (an error) when a width is 1.
    pub fn pdf(&self, f: f64) -> Result<f64> {
        crate::error::check::finite("f", f)?;
        if f == 0.0 {
            let m = self.mixing().moment(-0.5).map_err(|_| {
                Error::Domain("the density diverges at f = 0 when a hidden width is <= 1".into())
            })?;
            return Ok(m / (2.0 * PI * self.c()).sqrt());
        }
        Ok(0.5 * self.inv.density(f.abs())?)
    }

    /// Density at many points.
    pub fn pdf_many(&self, fs: &[f64]) -> Result<Vec<f64>> {
        fs.iter().map(|&f| self.pdf(f)).collect()
    }

    /// `P(|f| > t)` for `t >= 0`.
    pub fn tail(&self, t: f64) -> Result<f64> {
        crate::error::check::non_negative("t", t)?;
        if t == 0.0 {
            return Ok(1.0);
        }
        self.inv.tail(t)
    }

    /// `P(|f| <= t)` for `t >= 0` (accurate for small `t`).
    pub fn abs_cdf(&self, t: f64) -> Result<f64> {
        crate::error::check::non_negative("t", t)?;
        if t == 0.0 {
            return Ok(0.0);
        }
        self.inv.cdf(t)
    }

    /// CDF `P(f <= x)` (symmetric law).
    pub fn cdf(&self, x: f64) -> Result<f64> {
        crate::error::check::finite("x", x)?;
        if x == 0.0 {
            return Ok(0.5);
        }
        let t = self.tail(x.abs())?;
        Ok(if x < 0.0 { 0.5 * t } else { 1.0 - 0.5 * t })
    }

    /// Window probability density `P(|f| < w/2) / w` (a finite-resolution estimate of `p(0)`).
    pub fn window(&self, w: f64) -> Result<f64> {
        crate::error::check::positive("window", w)?;
        Ok(self.abs_cdf(0.5 * w)? / w)
    }

    /// `E|f| = sqrt(2c/π) E q^{1/2}` (F7, F15).
    pub fn e_abs(&self) -> Result<f64> {
        Ok((2.0 * self.c() / PI).sqrt() * self.mixing().moment(0.5)?)
    }

    /// `E f^{2k} = (2k-1)!! c^k E q^k`.
    pub fn even_moment(&self, k: u32) -> Result<f64> {
        let dfact: f64 = (1..=k).map(|j| (2 * j - 1) as f64).product();
        let v = dfact * self.c().powi(k as i32) * self.mixing().moment(k as f64)?;
        if !v.is_finite() {
            return Err(Error::Domain(format!(
                "E f^{} overflows double precision (c = {})",
                2 * k,
                crate::error::num(self.c())
            )));
        }
        Ok(v)
    }

    /// Kurtosis `E f^4 / (E f^2)^2 = 3 E q^2` (F15; `3 Π(1 + 2/N_l)` at finite width).
    pub fn kurtosis(&self) -> Result<f64> {
        Ok(3.0 * self.mixing().moment(2.0)?)
    }

    /// Limit density by probabilists' Gauss–Hermite quadrature in `z` (docs/models/dln-prior.md
    /// (F15)),
    /// `p_a(f) = E_z N(f; 0, c e^{sqrt(2a) z - a})`; an independent check of the Mellin inversion.
    /// Only for the log-normal mixing; `nodes` in `[1, 400]`.
    pub fn pdf_gauss_hermite(&self, f: f64, nodes: usize) -> Result<f64> {
        let a = match self.mixing() {
            Mixing::LogNormal { a } => *a,
            Mixing::Product { .. } => {
                return Err(Error::Domain(
                    "Gauss-Hermite density is only for the log-normal limit".into(),
                ))
            }
        };
        let rule = crate::numerics::quad::gauss_hermite(nodes)?;
        let c = self.c();
        Ok(rule.apply(|z| {
            let v = c * ((2.0 * a).sqrt() * z - a).exp();
            (-0.5 * f * f / v).exp() / (2.0 * PI * v).sqrt()
        }))
    }
}
