use nnlimits::error::Error;
use nnlimits::numerics::stieltjes::*;
use num_complex::Complex64 as C64;

/// Semicircle of variance 1: m = -1/(z + m).
struct Semicircle;
impl ResolventEquation for Semicircle {
    fn map(&self, m: C64, z: C64) -> C64 {
        -(z + m).inv()
    }
}

fn sc_closed(z: C64) -> C64 {
    // (-z + sqrt(z-2) sqrt(z+2)) / 2
    (-z + (z - 2.0).sqrt() * (z + 2.0).sqrt()) / 2.0
}

#[test]
fn semicircle_matches_closed_form() {
    let o = SolverOptions::default();
    for &(x, y) in &[
        (0.3, 1.0),
        (1.5, 0.01),
        (-1.9, 1e-6),
        (3.0, 1e-8),
        (0.0, 1e-10),
    ] {
        let z = C64::new(x, y);
        let s = solve(&Semicircle, z, None, &o).unwrap();
        assert!(
            (s.m - sc_closed(z)).norm() < 1e-8,
            "{z}: {} vs {}",
            s.m,
            sc_closed(z)
        );
    }
    let xs: Vec<f64> = (0..200).map(|i| -2.5 + 5.0 * i as f64 / 199.0).collect();
    let g = solve_grid(&Semicircle, &xs, &o).unwrap();
    for (x, s) in xs.iter().zip(&g) {
        let exact = (4.0 - x * x).max(0.0).sqrt() / (2.0 * std::f64::consts::PI);
        assert!((density_of(s.m) - exact).abs() < 1e-6, "x = {x}");
    }
}

#[test]
fn rejects_real_axis_and_reports_non_convergence() {
    let o = SolverOptions::default();
    assert!(matches!(
        solve(&Semicircle, C64::new(1.0, 0.0), None, &o),
        Err(Error::NotInUpperHalfPlane { .. })
    ));
    assert!(solve(&Semicircle, C64::new(f64::NAN, 1.0), None, &o).is_err());
    struct Bad;
    impl ResolventEquation for Bad {
        fn map(&self, m: C64, _z: C64) -> C64 {
            m * 2.0 + 1.0
        }
    }
    let e = solve(&Bad, C64::new(0.0, 1.0), None, &o).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e}");
    assert!(e.to_string().contains("iterations"));
}
