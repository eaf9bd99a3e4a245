//! Special functions not provided (with complex argument or at all) by `statrs`: the complex
//! log-gamma function, the log-gamma ratio `ln Γ(x+s) - ln Γ(x) - s ln x` computed without
//! cancellation for large `x`, and the trigamma function. The real digamma and log-gamma come from
//! `statrs` and are re-exported so models import every special function from one place.
//!
//! The error function and its complement come from `libm` (the Rust port of musl's, within 1 ulp),
//! not from `statrs`: statrs 0.18 and 0.19 compute both with about `1e-10` relative error (the
//! constants of its rational approximations are kept to 10 digits), which reached theory values
//! through the erf activation and the ReLU Gaussian CDF.
//!
//! All three use the same method: the recurrence `Γ(z+1) = z Γ(z)` shifts the argument until
//! `Re z >= 15`, then the Stirling series with 8 Bernoulli terms (truncation error below `1e-17`
//! relative there).

use num_complex::Complex64;

pub use statrs::function::gamma::{digamma, ln_gamma};

/// The error function `erf x = (2/√π) ∫_0^x e^{-t²} dt`, within 1 ulp.
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// The complementary error function `erfc x = 1 - erf x`, computed without cancellation for large
/// `x` (relative accuracy down to the underflow near `x = 26.5`).
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// `B_{2k} / (2k (2k-1))`, k = 1..8 (Stirling series coefficients).
const STIRLING: [f64; 8] = [
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
    -3617.0 / 122400.0,
];

const SHIFT: f64 = 15.0;

fn stirling_tail(z: Complex64) -> Complex64 {
    // Σ_k c_k z^{1-2k}
    let w = z.inv();
    let w2 = w * w;
    let mut acc = Complex64::new(0.0, 0.0);
    for c in STIRLING.iter().rev() {
        acc = acc * w2 + *c;
    }
    acc * w
}

/// `ln Γ(z)` for `Re z > 0` (a branch continuous in `z`, equal to the real log-gamma on the positive
/// axis; only `exp` of it is meaningful for complex `z`).
pub fn ln_gamma_complex(z: Complex64) -> Complex64 {
    // ln Γ(z) = ln Γ(z + n) - ln Π_{k<n} (z + k): one logarithm of the product (only exp of the
    // result is meaningful for complex z, so the 2πi ambiguity of the branch does not matter)
    let mut z = z;
    let mut prod = Complex64::new(1.0, 0.0);
    while z.re < SHIFT {
        prod *= z;
        z += 1.0;
    }
    -prod.ln() + (z - 0.5) * z.ln() - z + 0.5 * (2.0 * std::f64::consts::PI).ln() + stirling_tail(z)
}

/// `R(x, s) = ln Γ(x + s) - ln Γ(x) - s ln x` for real `x > 0` and complex `s` with `Re(x + s) > 0`.
///
/// `exp R(N/2, s) = E[(χ²_N / N)^s]`, the Mellin transform of a normalised chi-square
/// (docs/models/dln-prior.md (F5)). Computed from the recurrence `R(x, s) = R(x+1, s) + s ln(1 +
/// 1/x) - ln(1 + s/x)` and, for
/// `x >= 15`, the difference of two Stirling series written with `ln(1 + s/x)`, so no large
/// `ln Γ(x)` is ever subtracted (relative accuracy ~1e-15 even for `x = 1e6`).
pub fn ln_gamma_ratio(x: f64, s: Complex64) -> Complex64 {
    // shift: Σ_k [s ln(1 + 1/x_k) - ln(1 + s/x_k)] = s ln(x_n/x_0) - ln Π_k (1 + s/x_k)
    let x0 = x;
    let mut x = x;
    let mut prod = Complex64::new(1.0, 0.0);
    while x < SHIFT {
        prod *= s / x + 1.0;
        x += 1.0;
    }
    let acc = if x > x0 {
        s * (x / x0).ln() - prod.ln()
    } else {
        Complex64::new(0.0, 0.0)
    };
    let l = ln_1p_complex(s / x);
    let xs = s + x;
    acc + (xs - 0.5) * l - s + stirling_tail(xs) - stirling_tail(Complex64::new(x, 0.0))
}

/// `ln(1 + w)` (principal branch) accurate for small `|w|`.
pub fn ln_1p_complex(w: Complex64) -> Complex64 {
    let re = 0.5 * (2.0 * w.re + w.norm_sqr()).ln_1p();
    let im = w.im.atan2(1.0 + w.re);
    Complex64::new(re, im)
}

/// Real version of [`ln_gamma_ratio`]: `ln Γ(x + s) - ln Γ(x) - s ln x`.
pub fn ln_gamma_ratio_real(x: f64, s: f64) -> f64 {
    ln_gamma_ratio(x, Complex64::new(s, 0.0)).re
}

/// Trigamma `ψ'(x) = Σ_{k>=0} 1/(x+k)²` for `x > 0`.
pub fn trigamma(x: f64) -> f64 {
    let mut x = x;
    let mut acc = 0.0;
    while x < SHIFT {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    // ψ'(x) ~ 1/x + 1/(2x²) + Σ B_{2k} / x^{2k+1}
    let w = 1.0 / x;
    let w2 = w * w;
    const B: [f64; 7] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
    ];
    let mut series = 0.0;
    for b in B.iter().rev() {
        series = series * w2 + b;
    }
    acc + w + 0.5 * w2 + series * w2 * w
}
