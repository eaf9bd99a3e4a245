use nnlimits::numerics::mcmc::mean_se;
use nnlimits::validate::stats::*;

#[test]
fn ks_of_uniform_grid() {
    let n = 1000;
    let xs: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
    let d = ks_distance(&xs, |x| x.clamp(0.0, 1.0), |x| x.clamp(0.0, 1.0));
    assert!((d - 0.5 / n as f64).abs() < 1e-12);
    // an atom: all mass at 0 vs a CDF with a jump of 1 at 0 has distance 0
    let zeros = vec![0.0; 10];
    let d = ks_distance(
        &zeros,
        |x| if x >= 0.0 { 1.0 } else { 0.0 },
        |x| if x > 0.0 { 1.0 } else { 0.0 },
    );
    assert_eq!(d, 0.0);
}

#[test]
fn bins_aligned_to_support_edges() {
    let comps = [(-2.5, -1.5), (1.5, 2.5)];
    let e = Histogram::support_edges(&comps, -3.0, 3.0, 40);
    // every support edge is a bin edge; 20 bins per component, the gap and the outer parts one each
    for x in [-2.5, -1.5, 1.5, 2.5, -3.0, 3.0] {
        assert!(e.contains(&x), "{x} not in {e:?}");
    }
    assert_eq!(e.len(), 1 + 1 + 20 + 1 + 20 + 1);
    assert!(e.windows(2).all(|w| w[1] > w[0]));
    // samples: counts land in the right bins, densities integrate to the fraction inside
    let xs = [-2.4, -1.5, 0.0, 1.6, 2.5, 2.9, 5.0];
    let h = Histogram::with_edges(&xs, e.clone());
    assert_eq!(h.counts.iter().sum::<u64>(), 6);
    let gap = e.iter().position(|&x| x == -1.5).unwrap();
    assert_eq!(
        h.counts[gap], 2,
        "-1.5 (inner edge) and 0.0 fall in the gap bin"
    );
    let mass: f64 = h
        .density
        .iter()
        .zip(e.windows(2))
        .map(|(d, w)| d * (w[1] - w[0]))
        .sum();
    assert!((mass - 6.0 / 7.0).abs() < 1e-12);
    // no components: equal bins
    assert_eq!(
        Histogram::support_edges(&[], 0.0, 1.0, 4),
        vec![0.0, 0.25, 0.5, 0.75, 1.0]
    );
}

#[test]
fn histogram_normalisation() {
    let xs: Vec<f64> = (0..100).map(|i| (i as f64 + 0.5) / 100.0).collect();
    let h = Histogram::new(&xs, 0.0, 1.0, 10);
    let mass: f64 = h.density.iter().map(|d| d * 0.1).sum();
    assert!((mass - 1.0).abs() < 1e-12);
    assert!(h.l1_distance(&[0.1; 10]) < 1e-12);
    let (m, se) = mean_se(&[1.0, 2.0, 3.0]);
    assert_eq!(m, 2.0);
    assert!((se - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
}
