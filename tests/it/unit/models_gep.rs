use nnlimits::models::gep::*;
use nnlimits::models::mp::MarchenkoPastur;
use nnlimits::numerics::stieltjes::{self, SolverOptions};
use num_complex::Complex64 as C64;

fn unit(c: f64, t1: f64, s: f64) -> UnitLaw {
    UnitLaw {
        c,
        t1,
        s,
        edges: MarchenkoPastur::new(c, 1.0).unwrap().edges(),
    }
}

/// Both algebraic forms of the MP root agree with the closed form of [`MarchenkoPastur`], also far
/// away where the textbook form cancels.
#[test]
fn stable_mp_root() {
    for c in [0.3, 1.0, 2.5] {
        let mp = MarchenkoPastur::new(c, 1.0).unwrap();
        let u = unit(c, 1.0, 0.0);
        for z in [
            C64::new(0.7, 0.2),
            C64::new(-3.0, 1e-9),
            C64::new(8.0, 1e-3),
            C64::new(0.01, 0.01),
        ] {
            let (a, b) = (u.g_mp(z), mp.stieltjes_closed(z));
            assert!((a - b).norm() < 1e-12 * b.norm(), "{c} {z}: {a} vs {b}");
        }
        let z = C64::new(3e12, 1.0);
        assert!((u.g_mp(z) * z + 1.0).norm() < 1e-11, "{c}");
    }
}

/// The real inverse is the inverse of the fixed point: off the support (small |m|: far right for
/// m < 0, far left for m > 0) the solver's boundary value at `x(m)` is real and equal to `m`.
#[test]
fn inverse_round_trip() {
    let u = unit(0.5, 0.8, 0.36);
    for m in [-0.3, -0.05, 0.05, 0.3] {
        let x = u.x_of_m(m);
        let g = stieltjes::solve(&u, C64::new(x, 1e-12), None, &SolverOptions::default())
            .unwrap()
            .m;
        assert!(
            (g.re - m).abs() < 1e-9 && g.im.abs() < 1e-9,
            "{m} -> {x}: {g}"
        );
    }
    // θ₁ = 0: x(m) = -1/m - s m, the semicircle's inverse (edges ±2√s at m = ∓1/√s)
    let u = unit(0.5, 0.0, 0.36);
    assert!((u.x_of_m(-1.0 / 0.6) - 1.2).abs() < 1e-15);
}
