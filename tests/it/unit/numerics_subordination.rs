use nnlimits::numerics::stieltjes::{solve, SolverOptions};
use nnlimits::numerics::subordination::*;
use num_complex::Complex64 as C64;

/// `g` of the semicircle of variance `s`.
fn sc(s: f64, u: C64) -> C64 {
    let r = (u - 2.0 * s.sqrt()).sqrt() * (u + 2.0 * s.sqrt()).sqrt();
    (-u + r) / (2.0 * s)
}
fn with_k(g: C64, u: C64) -> (C64, C64) {
    (g, 1.0 + u * g)
}
/// `g` of MP(c) at unit scale (closed form, fine away from infinity).
fn mp(c: f64, u: C64) -> C64 {
    let (lm, lp) = ((1.0 - c.sqrt()).powi(2), (1.0 + c.sqrt()).powi(2));
    (1.0 - c - u + (u - lm).sqrt() * (u - lp).sqrt()) / (2.0 * c * u)
}

#[test]
fn closed_forms() {
    let o = SolverOptions::default();
    for z in [
        C64::new(0.3, 0.5),
        C64::new(-1.0, 1e-3),
        C64::new(2.5, 1e-8),
    ] {
        // sc(1) ⊞ sc(2) = sc(3)
        let eq = AdditiveSubordination {
            ga: |u| with_k(sc(1.0, u), u),
            gb: |u| with_k(sc(2.0, u), u),
        };
        let m = solve(&eq, z, None, &o).unwrap().m;
        let (g, k) = eq.gk(m, z);
        assert!((g - sc(3.0, z)).norm() < 1e-10, "{z}");
        assert!((k - 1.0 - z * g).norm() < 1e-10, "{z}");
        // δ_1 ⊠ MP(c) = MP(c);  pop(δ_1, c) = MP(c)
        let eq = MultiplicativeSubordination {
            gp: |u: C64| with_k((1.0 - u).inv(), u),
            gq: |u| with_k(mp(0.5, u), u),
            p1: 1.0,
        };
        let m = solve(&eq, z, None, &o).unwrap().m;
        assert!((eq.gk(m, z).0 - mp(0.5, z)).norm() < 1e-10, "{z}");
        let eq = SampleCovarianceMap {
            ga: |u: C64| with_k((1.0 - u).inv(), u),
            c: 0.5,
        };
        let g = solve(&eq, z, None, &o).unwrap().m;
        assert!((g - mp(0.5, z)).norm() < 1e-10, "{z}");
    }
}
