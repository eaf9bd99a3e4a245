use nnlimits::models::free::moments::*;
use num_complex::Complex64 as C64;

#[test]
fn cumulants_round_trip_and_known_values() {
    // semicircle of variance 1: m = (0, 1, 0, 2), κ = (0, 1, 0, 0)
    let k = free_cumulants(&[0.0, 1.0, 0.0, 2.0]);
    assert!(
        k.iter()
            .zip([0.0, 1.0, 0.0, 0.0])
            .all(|(a, b)| (a - b).abs() < 1e-14),
        "{k:?}"
    );
    // MP(c): κ_n = c^{n-1}
    let c: f64 = 0.7;
    let m = nnlimits::models::mp::MarchenkoPastur::new(c, 1.0)
        .unwrap()
        .narayana_moments(4);
    let k = free_cumulants(&m);
    for (n, kn) in k.iter().enumerate() {
        assert!((kn - c.powi(n as i32)).abs() < 1e-13, "{k:?}");
    }
    let back = moments_from_cumulants(&k);
    assert!(back.iter().zip(&m).all(|(a, b)| (a - b).abs() < 1e-13));
    // |NC(n)| = Catalan(n)
    for n in 1..=4 {
        assert_eq!(nc_with_kreweras(n).len() as f64, catalan(n));
        // |π| + |K(π)| = n + 1
        assert!(nc_with_kreweras(n)
            .iter()
            .all(|(a, b)| a.len() + b.len() == n + 1));
    }
}

#[test]
fn product_of_mp_laws() {
    let (c1, c2) = (0.3, 0.8);
    let a = nnlimits::models::mp::MarchenkoPastur::new(c1, 1.0)
        .unwrap()
        .narayana_moments(4);
    let b = nnlimits::models::mp::MarchenkoPastur::new(c2, 1.0)
        .unwrap()
        .narayana_moments(4);
    let m = mul(&a, &b);
    assert!((m[0] - 1.0).abs() < 1e-14);
    assert!((m[1] - (1.0 + c1 + c2)).abs() < 1e-14, "{m:?}");
    // commutative
    let m2 = mul(&b, &a);
    assert!(m.iter().zip(&m2).all(|(x, y)| (x - y).abs() < 1e-13));
    // contour route on the semicircle of variance 2, centred at 1
    let g = |z: C64| Ok(nnlimits::models::free::law::g_sc(2.0, z - 1.0));
    let cm = contour_moments(g, (1.0 - 8f64.sqrt(), 1.0 + 8f64.sqrt()), 4).unwrap();
    let want = affine(&[0.0, 2.0, 0.0, 8.0], 1.0, 1.0);
    assert!(
        cm.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-10),
        "{cm:?} {want:?}"
    );
}
