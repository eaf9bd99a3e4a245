use nnlimits::numerics::discrete_pop::*;

#[test]
fn one_atom_is_marchenko_pastur() {
    // population σ² I_n with n/N = c: companion of MP; bands [σ²(1 - √c)², σ²(1 + √c)²]
    for &(n, big_n, s2) in &[
        (100usize, 400usize, 1.0),
        (300, 400, 2.5),
        (50, 51, 0.3),
        (400, 100, 1.0),
    ] {
        let c = n as f64 / big_n as f64;
        let s = discrete_population_support(&vec![s2; n], 1.0 / big_n as f64);
        assert_eq!(s.len(), 1, "{s:?}");
        let lo = s2 * (1.0 - c.sqrt()).powi(2);
        let hi = s2 * (1.0 + c.sqrt()).powi(2);
        assert!((s[0].0 - lo).abs() < 1e-12 * (1.0 + lo), "{s:?} vs {lo}");
        assert!((s[0].1 - hi).abs() < 1e-12 * hi, "{s:?} vs {hi}");
    }
}

#[test]
fn two_atoms_split_exactly_where_the_inverse_turns() {
    // population {1 (×k), 10 (×k)}, N = 8k: two bands; each edge is a critical value of x(u),
    // checked against an independent dense scan of x'(u) = 1 - f(u) in u
    let k = 50usize;
    let mut lam = vec![1.0; k];
    lam.extend(vec![10.0; k]);
    let inv = 1.0 / (8 * k) as f64;
    let s = discrete_population_support(&lam, inv);
    assert_eq!(s.len(), 2, "{s:?}");
    let f = |u: f64| inv * k as f64 * (1.0 / (u - 1.0).powi(2) + 100.0 / (u - 10.0).powi(2));
    let x = |u: f64| u + u * inv * k as f64 * (1.0 / (u - 1.0) + 10.0 / (u - 10.0));
    // independent: fine grid in (1, 10), the two sign changes of 1 - f
    let us: Vec<f64> = (1..200_000)
        .map(|i| 1.0 + 9.0 * i as f64 / 200_000.0)
        .collect();
    let changes: Vec<f64> = us
        .windows(2)
        .filter(|w| (f(w[0]) < 1.0) != (f(w[1]) < 1.0))
        .map(|w| x(0.5 * (w[0] + w[1])))
        .collect();
    assert_eq!(changes.len(), 2);
    assert!((s[0].1 - changes[0]).abs() < 1e-6, "{s:?} {changes:?}");
    assert!((s[1].0 - changes[1]).abs() < 1e-6, "{s:?} {changes:?}");
}

#[test]
fn bands_of_nearly_equal_eigenvalues_at_huge_width() {
    // two eigenvalues 1e-6 apart (relative), N = 1e12: bands of width ~4 λ/√N = 4e-6 overlap;
    // at N = 1e16 (width 4e-8) they separate — both found, every edge ordered
    let lam = [1.0, 1.0 + 1e-6];
    assert_eq!(discrete_population_support(&lam, 1e-12).len(), 1);
    let s = discrete_population_support(&lam, 1e-16);
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(
        s[0].0 < 1.0 && s[0].1 < s[1].0 && s[1].1 > 1.0 + 1e-6,
        "{s:?}"
    );
    // no input, no component
    assert!(discrete_population_support(&[], 0.1).is_empty());
    assert!(discrete_population_support(&[1.0], 0.0).is_empty());
}
