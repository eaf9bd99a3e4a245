use nnlimits::numerics::edges::*;

#[test]
fn marchenko_pastur_edges_from_inverse() {
    // MP (s2 = 1, ratio c): x(m) = ((1 - c) - 1/m) / (1 + c m)
    for &c in &[0.25, 0.5, 2.0] {
        let x = |m: f64| ((1.0 - c) - 1.0 / m) / (1.0 + c * m);
        let mut xs: Vec<f64> = critical_points(x, -6.0, 6.0, 2000)
            .iter()
            .map(|p| p.1)
            .collect();
        xs.sort_by(f64::total_cmp);
        let lo = (1.0 - c.sqrt()).powi(2);
        let hi = (1.0 + c.sqrt()).powi(2);
        assert!(xs.iter().any(|v| (v - lo).abs() < 1e-9), "c={c}: {xs:?}");
        assert!(xs.iter().any(|v| (v - hi).abs() < 1e-9), "c={c}: {xs:?}");
    }
}

#[test]
fn domain_boundaries_find_where_the_inverse_stops_being_real() {
    // x(m) real only for m in [-2, -1] ∪ [1, 3]: boundaries at x = m itself
    let x = |m: f64| {
        if (-2.0..=-1.0).contains(&m) || (1.0..=3.0).contains(&m) {
            m
        } else {
            f64::NAN
        }
    };
    let mut b = domain_boundaries(x, -3.0, 3.0, 500);
    b.sort_by(f64::total_cmp);
    let want = [-2.0, -1.0, 1.0, 3.0];
    assert_eq!(b.len(), 4, "{b:?}");
    for (g, w) in b.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{b:?}");
    }
}

#[test]
fn scan_finds_two_intervals() {
    let inside = |x: f64| Ok((-1.3..0.2).contains(&x) || (0.7..2.1).contains(&x));
    let c = scan_components(inside, -3.0, 3.0, 64, 1e-13).unwrap();
    assert_eq!(c.len(), 2, "{c:?}");
    for (g, w) in [c[0].0, c[0].1, c[1].0, c[1].1]
        .iter()
        .zip([-1.3, 0.2, 0.7, 2.1])
    {
        assert!((g - w).abs() < 1e-12, "{c:?}");
    }
    assert!(scan_components(inside, 1.0, 0.0, 10, 1e-9).is_err());
}

#[test]
fn components_merge_and_split() {
    let dens = |x: f64| {
        Ok(if (0.0..1.0).contains(&x) || (2.0..3.0).contains(&x) {
            1.0
        } else {
            0.0
        })
    };
    let c = components(&[0.0, 0.5, 1.0, 2.0, 3.0], dens, 1e-9).unwrap();
    assert_eq!(c, vec![(0.0, 1.0), (2.0, 3.0)]);
    assert!(brent(|x| x * x + 1.0, 0.0, 1.0, 1e-12, "no root").is_err());
    assert!(
        (brent(|x| x * x - 2.0, 0.0, 2.0, 1e-14, "sqrt2").unwrap() - 2f64.sqrt()).abs() < 1e-12
    );
}
