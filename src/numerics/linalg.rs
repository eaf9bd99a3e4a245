//! Dense symmetric linear algebra shared by the models and the Monte Carlo validator.
//!
//! Eigenvalues only: nalgebra for small matrices, [`super::symeig`] (blocked Householder
//! tridiagonalisation + root-free QL, the `dsyevd(jobz = 'N')` path) from n = 200. Eigendecompositions:
//! faer. Callers that need results independent of the thread count (the validator) set faer's global
//! parallelism to sequential and parallelise over draws instead.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// faer's eigensolver failure as a typed error.
fn evd_error(what: &str, e: faer::linalg::evd::EvdError) -> Error {
    Error::NotConverged {
        what: format!("{what}: {e:?}"),
        iterations: 0,
        residual: f64::NAN,
        tolerance: 0.0,
    }
}

/// Below this size nalgebra is used by [`eigvalsh`].
pub const FAER_THRESHOLD: usize = 200;

/// Checks shape and finiteness of a column-major `n x n` input.
fn check_square(a: &[f64], n: usize) -> Result<()> {
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
    Ok(())
}

/// Eigenvalues (ascending) of the symmetric `n x n` matrix stored column-major in `a` (only the lower
/// triangle is read). From `n = 200` on, [`super::symeig::eigenvalues_lower`]: sequential except the
/// rank-`2·32` panel updates, which follow faer's global parallelism.
pub fn eigvalsh(a: &[f64], n: usize) -> Result<Vec<f64>> {
    check_square(a, n)?;
    if n == 0 {
        return Ok(vec![]);
    }
    if n < FAER_THRESHOLD {
        // eigenvalues only (no eigenvector accumulation: 2.5x faster at n = 120)
        let m = nalgebra::DMatrix::from_column_slice(n, n, a);
        let mut ev: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
        ev.sort_by(f64::total_cmp);
        return Ok(ev);
    }
    super::symeig::eigenvalues_lower(a, n)
}

/// Eigenvalues (ascending) through faer's `self_adjoint_eigenvalues` (the path [`eigvalsh`] took for
/// `n ≥ 200` before [`super::symeig`]); kept for comparison in tests and benchmarks.
pub fn eigvalsh_faer(a: &[f64], n: usize) -> Result<Vec<f64>> {
    check_square(a, n)?;
    let m = faer::MatRef::from_column_major_slice(a, n, n);
    let ev = m
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .map_err(|e| evd_error(&format!("symmetric eigenvalues (n = {n})"), e))?;
    Ok(ev)
}

/// Eigendecomposition `C = U diag(l) U^T` of a symmetric matrix (only the lower triangle is read).
/// Eigenvalues are returned in nondecreasing order, with the eigenvectors as the columns of `U`.
pub fn sym_eigen(c: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let n = c.nrows();
    if n != c.ncols() {
        return Err(Error::InvalidData(format!(
            "matrix is {} x {}, expected square",
            c.nrows(),
            c.ncols()
        )));
    }
    if c.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidData("matrix has non-finite entries".into()));
    }
    if n == 0 {
        return Ok((vec![], DMatrix::zeros(0, 0)));
    }
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| c[(i.max(j), i.min(j))]);
    let evd = m
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| evd_error(&format!("symmetric eigendecomposition ({n} x {n})"), e))?;
    let s = evd.S().column_vector();
    let l: Vec<f64> = (0..n).map(|i| s[i]).collect();
    let u = evd.U();
    let uu = DMatrix::from_fn(n, n, |i, j| u[(i, j)]);
    Ok((l, uu))
}

/// `U^T v` for an eigenvector matrix `U` (projection on the eigenbasis).
pub fn project(u: &DMatrix<f64>, v: &[f64]) -> Vec<f64> {
    let v = DVector::from_column_slice(v);
    (u.transpose() * v).as_slice().to_vec()
}

/// Cholesky factor of a symmetric positive-definite matrix, or a typed error naming `what`.
pub fn cholesky(a: DMatrix<f64>, what: &str) -> Result<nalgebra::Cholesky<f64, nalgebra::Dyn>> {
    nalgebra::Cholesky::new(a)
        .ok_or_else(|| Error::InvalidData(format!("{what} is not positive definite")))
}
