use nnlimits::models::free::eval::Warm;
use nnlimits::models::free::joint::*;
use nnlimits::models::free::Expression;
use nnlimits::numerics::stieltjes::SolverOptions;
use num_complex::Complex64 as C64;

/// The joint system gives the nested solves' `g` (cold solves at points far from and close to the
/// axis, inside and outside the support) for trees with every operation; trees it does not cover
/// are recognised.
#[test]
fn joint_system_equals_nested_solves() {
    let o = SolverOptions::default();
    for text in [
        "pop(0.6 * pop(0.4 * mp(1) + 0.03, 1) + 0.01, 1.5)",
        "pop(2 * mp(0.5) + 1, 0.3) + sc(0.5)",
        "(mp(0.5) * mp(0.3)) + sc(0.2)",
        "pop(atoms(1:0.5, 3:0.5), 0.2) * unif(0.5, 2)",
    ] {
        let e = Expression::parse_plain(text).unwrap();
        let law = e.law();
        let sys = TreeSystem::new(law).expect(text);
        let (lo, hi) = law.hull;
        for t in [-0.05, 0.1, 0.37, 0.5, 0.81, 1.05] {
            let x = lo + t * (hi - lo);
            for eta in [1.0, 1e-3, 1e-10 * law.scale] {
                let z = C64::new(x, eta);
                let nested = law.g(z, &mut Warm::default(), &o, false).unwrap();
                let ((g, _), s) = sys.solve(z, None, &o).expect(text);
                assert!(
                    (g - nested).norm() <= 1e-9 * nested.norm(),
                    "{text} at {z}: joint {g} vs nested {nested}"
                );
                // Newton from the solution at a neighbouring point
                let z2 = C64::new(x + 1e-3 * (hi - lo), eta);
                let nested2 = law.g(z2, &mut Warm::default(), &o, false).unwrap();
                let ((g2, _), _) = sys.solve(z2, Some(&s.m), &o).expect(text);
                assert!(
                    (g2 - nested2).norm() <= 1e-9 * nested2.norm(),
                    "{text} at {z2}"
                );
            }
        }
    }
    for text in ["mp(0.5)", "2 * sc(1) + 1", "-1 * pop(mp(0.5) + 1, 0.3)"] {
        let e = Expression::parse_plain(text).unwrap();
        assert!(TreeSystem::new(e.law()).is_none(), "{text}");
    }
}
