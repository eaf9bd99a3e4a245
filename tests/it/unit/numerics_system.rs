use nnlimits::numerics::stieltjes::SolverOptions;
use nnlimits::numerics::system::*;
use num_complex::Complex64 as C64;

/// A coupled pair `m₀ = -1/(z + m₁)`, `m₁ = -1/(z + m₁)` (both the semicircle of variance 1, the
/// first through the second, as a nested chain) and the semicircle of variance 2,
/// `m₂ = -1/(z + 2 m₂)`, against closed forms.
struct Pair;
impl ResolventSystem for Pair {
    fn dim(&self) -> usize {
        3
    }
    fn residual(&self, m: &[C64], z: C64, out: &mut [C64]) {
        out[0] = m[0] + (z + m[1]).inv();
        out[1] = m[1] + (z + m[1]).inv();
        out[2] = m[2] + (z + 2.0 * m[2]).inv();
    }
    fn initial(&self, z: C64) -> Vec<C64> {
        vec![-z.inv(); 3]
    }
}

fn sc(s: f64, z: C64) -> C64 {
    (-z + (z - 2.0 * s.sqrt()).sqrt() * (z + 2.0 * s.sqrt()).sqrt()) / (2.0 * s)
}

#[test]
fn semicircles_and_linear_solve() {
    let o = SolverOptions::default();
    for (x, y) in [
        (0.3, 1.0),
        (1.5, 1e-3),
        (-1.9, 1e-8),
        (3.5, 1e-10),
        (0.0, 1e-10),
    ] {
        let z = C64::new(x, y);
        let s = solve(&Pair, z, None, &o).unwrap();
        for (k, v) in [1.0, 1.0, 2.0].into_iter().enumerate() {
            assert!((s.m[k] - sc(v, z)).norm() < 1e-8, "{z}: {:?}", s.m);
        }
        // warm start from a neighbour
        let z2 = C64::new(x + 1e-3, y);
        let s2 = solve(&Pair, z2, Some(&s.m), &o).unwrap();
        assert!((s2.m[0] - sc(1.0, z2)).norm() < 1e-8, "{z2}");
        assert!((s2.m[2] - sc(2.0, z2)).norm() < 1e-8, "{z2}");
    }
    let mut a = vec![
        C64::new(0.0, 1.0),
        C64::new(2.0, 0.0),
        C64::new(1.0, 0.0),
        C64::new(1.0, -1.0),
    ];
    let mut b = vec![C64::new(2.0, 1.0), C64::new(0.0, 0.0)];
    // x = (x0, x1) with i x0 + 2 x1 = 2 + i, x0 + (1 - i) x1 = 0
    let (a0, b0) = (a.clone(), b.clone());
    assert!(solve_linear(&mut a, &mut b));
    for i in 0..2 {
        let lhs = a0[2 * i] * b[0] + a0[2 * i + 1] * b[1];
        assert!((lhs - b0[i]).norm() < 1e-14);
    }
    // the extrapolation is exact on a line
    let h = [
        (0.0, vec![C64::new(1.0, 1.0)]),
        (1.0, vec![C64::new(2.0, 1.5)]),
    ];
    let p = extrapolate(&h, 2.0).unwrap();
    assert!((p[0] - C64::new(3.0, 2.0)).norm() < 1e-14);
    assert_eq!(extrapolate(&h, -5.0).unwrap(), h[1].1); // Im < 0 predicted: the last value
    assert!(extrapolate(&[], 1.0).is_none());
    let mut sing = vec![C64::new(1.0, 0.0); 4];
    assert!(!solve_linear(&mut sing, &mut [C64::new(1.0, 0.0); 2]));
    assert!(solve(&Pair, C64::new(0.0, 0.0), None, &o).is_err());
}
