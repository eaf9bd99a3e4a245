use nnlimits::numerics::poly::*;
use num_complex::Complex64 as C64;

#[test]
fn roots_of_known_polynomials() {
    // (x - 1)(x - 2)(x + 3) = x^3 - 7x + 6
    let c = [6.0, -7.0, 0.0, 1.0].map(|v| C64::new(v, 0.0));
    let mut r: Vec<f64> = roots(&c).unwrap().iter().map(|z| z.re).collect();
    r.sort_by(f64::total_cmp);
    assert!((r[0] + 3.0).abs() < 1e-12 && (r[1] - 1.0).abs() < 1e-12 && (r[2] - 2.0).abs() < 1e-12);
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
