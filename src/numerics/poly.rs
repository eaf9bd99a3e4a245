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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_known_polynomials() {
        // (x - 1)(x - 2)(x + 3) = x^3 - 7x + 6
        let c = [6.0, -7.0, 0.0, 1.0].map(|v| C64::new(v, 0.0));
        let mut r: Vec<f64> = roots(&c).unwrap().iter().map(|z| z.re).collect();
        r.sort_by(f64::total_cmp);
        assert!(
            (r[0] + 3.0).abs() < 1e-12 && (r[1] - 1.0).abs() < 1e-12 && (r[2] - 2.0).abs() < 1e-12
        );
        // x^2 + 1: ±i; the physical one near i
        let c = [1.0, 0.0, 1.0].map(|v| C64::new(v, 0.0));
        let r = roots(&c).unwrap();
        let p = select_physical(&r, C64::new(0.1, 0.9)).unwrap();
        assert!((p - C64::new(0.0, 1.0)).norm() < 1e-12);
        // double root (x - 1)^2 (x + 1)
        let c = [1.0, -1.0, -1.0, 1.0].map(|v| C64::new(v, 0.0));
        for z in roots(&c).unwrap() {
            assert!(eval(&c, z).0.norm() < 1e-12);
        }
        assert!(roots(&[C64::new(f64::NAN, 0.0), C64::new(1.0, 0.0)]).is_err());
    }
}
