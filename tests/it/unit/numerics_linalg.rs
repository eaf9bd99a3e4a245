use nalgebra::{DMatrix, DVector};
use nnlimits::numerics::linalg::*;

#[test]
fn eigen_reconstructs_matrix() {
    let c = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0]);
    let (l, u) = sym_eigen(&c).unwrap();
    assert!(l.windows(2).all(|w| w[0] <= w[1]));
    let r = &u * DMatrix::from_diagonal(&DVector::from_vec(l.clone())) * u.transpose();
    assert!((r - &c).abs().max() < 1e-14);
    // trace and determinant of the TINY Gram of docs/models/bayes.md ("Reference data sets")
    assert!((l.iter().sum::<f64>() - 3.0).abs() < 1e-14);
    assert!((l.iter().product::<f64>() - c.determinant()).abs() < 1e-14);
}

#[test]
fn eigen_rejects_bad_input() {
    assert!(sym_eigen(&DMatrix::zeros(2, 3)).is_err());
    let mut c = DMatrix::<f64>::identity(2, 2);
    c[(1, 0)] = f64::NAN;
    assert!(sym_eigen(&c).is_err());
}

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
