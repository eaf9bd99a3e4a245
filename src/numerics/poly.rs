//! Polynomial roots with complex coefficients and selection of the physical branch.
//!
//! Several laws reduce to a polynomial equation in the Stieltjes transform (MP: quadratic; linear FIM:
//! quartic; PW2017: quartic). Roots come from the eigenvalues of the companion matrix (nalgebra's complex
//! Schur decomposition), each polished by Newton on the original polynomial. The `roots` crate's closed
//! forms are real-coefficient only and lose accuracy near multiple roots, so they are not used here.
//! The physical root is selected by continuity with a reference value (a continuation solution, or the
//! neighbouring grid point): [`select_physical`].

use crate::error::{Error, Result};
use nalgebra::DMatrix;
use num_complex::Complex64 as C64;

/// Evaluate `Σ c_k x^k` and its derivative (Horner). `coeffs` in ascending order.
pub fn eval(coeffs: &[C64], x: C64) -> (C64, C64) {
    let mut p = C64::new(0.0, 0.0);
    let mut dp = C64::new(0.0, 0.0);
    for &c in coeffs.iter().rev() {
        dp = dp * x + p;
        p = p * x + c;
    }
    (p, dp)
}

/// All roots of `Σ_k c_k x^k` (ascending coefficients; trailing zero leading coefficients are dropped).
pub fn roots(coeffs: &[C64]) -> Result<Vec<C64>> {
    let mut c: Vec<C64> = coeffs.to_vec();
    if c.iter().any(|v| !v.re.is_finite() || !v.im.is_finite()) {
        return Err(Error::InvalidData(
            "polynomial coefficient is not finite".into(),
        ));
    }
    let scale = c.iter().map(|v| v.norm()).fold(0.0, f64::max);
    while c.len() > 1 && c.last().map(|v| v.norm() <= 1e-300_f64.max(1e-15 * scale)) == Some(true) {
        c.pop();
    }
    let n = c.len() - 1;
    if n == 0 {
        return Ok(vec![]);
    }
    let lead = c[n];
    let mut comp = DMatrix::<C64>::zeros(n, n);
    for k in 0..n {
        comp[(0, k)] = -c[n - 1 - k] / lead;
        if k + 1 < n {
            comp[(k + 1, k)] = C64::new(1.0, 0.0);
        }
    }
    let schur =
        nalgebra::Schur::try_new(comp, 1e-15, 10_000).ok_or_else(|| Error::NotConverged {
            what: format!("companion-matrix eigenvalues of a degree-{n} polynomial"),
            iterations: 10_000,
            residual: f64::NAN,
            tolerance: 1e-15,
        })?;
    let (_, t) = schur.unpack();
    let mut out: Vec<C64> = (0..n).map(|k| t[(k, k)]).collect();
    for r in out.iter_mut() {
        *r = polish(&c, *r);
    }
    Ok(out)
}

/// A few Newton steps on the polynomial itself (keeps the better of the old and new value).
pub fn polish(coeffs: &[C64], mut x: C64) -> C64 {
    for _ in 0..8 {
        let (p, dp) = eval(coeffs, x);
        if dp.norm() == 0.0 {
            break;
        }
        let next = x - p / dp;
        if !(next.re.is_finite() && next.im.is_finite()) || eval(coeffs, next).0.norm() > p.norm() {
            break;
        }
        x = next;
    }
    x
}

/// The root continuous with `reference` (nearest in modulus) among those with `Im >= -tol_im`.
pub fn select_physical(roots: &[C64], reference: C64) -> Option<C64> {
    roots
        .iter()
        .filter(|r| r.im >= -1e-10 * (1.0 + r.norm()))
        .min_by(|a, b| {
            (**a - reference)
                .norm()
                .total_cmp(&(**b - reference).norm())
        })
        .copied()
}
