//! Dense symmetric eigenvalues for the Monte Carlo validator.
//!
//! faer for large matrices (its blocked tridiagonalisation is several times faster than nalgebra's
//! from n ≈ 200), nalgebra below. The global faer parallelism is left to the caller: the validator runs
//! draws in parallel with rayon and each decomposition sequentially, which keeps results independent of
//! the thread count.

use crate::error::{Error, Result};

/// Below this size nalgebra is used.
pub const FAER_THRESHOLD: usize = 200;

/// Eigenvalues (ascending) of the symmetric `n x n` matrix stored column-major in `a` (only the lower
/// triangle is read).
pub fn eigvalsh(a: &[f64], n: usize) -> Result<Vec<f64>> {
    if a.len() != n * n {
        return Err(Error::InvalidData(format!(
            "eigvalsh: {} entries for a {n} x {n} matrix",
            a.len()
        )));
    }
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidData(
            "eigvalsh: matrix has non-finite entries".into(),
        ));
    }
    if n == 0 {
        return Ok(vec![]);
    }
    if n < FAER_THRESHOLD {
        let m = nalgebra::DMatrix::from_column_slice(n, n, a);
        let mut ev: Vec<f64> = nalgebra::SymmetricEigen::new(m)
            .eigenvalues
            .iter()
            .copied()
            .collect();
        ev.sort_by(f64::total_cmp);
        return Ok(ev);
    }
    let m = faer::MatRef::from_column_major_slice(a, n, n);
    let ev = m
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .map_err(|e| Error::NotConverged {
            what: format!("symmetric eigenvalues (n = {n}): {e:?}"),
            iterations: 0,
            residual: f64::NAN,
            tolerance: 0.0,
        })?;
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_agree_with_trace() {
        for &n in &[5usize, 260] {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    a[i + j * n] =
                        1.0 / (1.0 + (i as f64 - j as f64).abs()) + if i == j { 2.0 } else { 0.0 };
                }
            }
            let ev = eigvalsh(&a, n).unwrap();
            let tr: f64 = (0..n).map(|i| a[i + i * n]).sum();
            let s: f64 = ev.iter().sum();
            assert!((s - tr).abs() < 1e-9 * tr);
            assert!(ev.windows(2).all(|w| w[0] <= w[1]));
        }
        assert!(eigvalsh(&[1.0, f64::NAN, 0.0, 1.0], 2).is_err());
        assert!(eigvalsh(&[1.0], 2).is_err());
    }
}
