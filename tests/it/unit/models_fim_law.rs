use nnlimits::models::fim::law::*;

#[test]
fn ratios_round_trip_and_validate() {
    let r = Ratios::from_alpha_gamma(1.5, 0.5).unwrap();
    assert!((r.alpha() - 1.5).abs() < 1e-15 && (r.gamma() - 0.5).abs() < 1e-15);
    let s = Ratios::from_sizes(900, 600, 1200).unwrap();
    assert!((s.alpha() - 1.5).abs() < 1e-15 && (s.gamma() - 0.5).abs() < 1e-15);
    assert!(Ratios::new(0.0, 1.0).is_err());
    assert!(Ratios::new(1.0, f64::NAN).is_err());
}
