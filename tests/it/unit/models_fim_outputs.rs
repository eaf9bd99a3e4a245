use nnlimits::error::Error;
use nnlimits::models::fim::law::Ratios;
use nnlimits::models::fim::outputs::*;

#[test]
fn bad_parameters_are_typed_errors() {
    let r = Ratios::from_alpha_gamma(0.75, 0.5).unwrap();
    for c in [-0.1, f64::NAN, 101.0, f64::INFINITY] {
        let e = MultiOutputLinearFim::new(r, c, 1.0, 1.0).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{c}: {e}");
        assert!(e.to_string().contains("C/N") || e.to_string().contains("outputs"));
    }
    assert!(MultiOutputLinearFim::new(r, 0.1, 0.0, 1.0).is_err());
    assert!(MultiOutputLinearFim::new(r, 0.1, 1.0, -1.0).is_err());
    assert!(MultiOutputLinearFim::with_nodes(r, 0.1, 1.0, 1.0, 0).is_err());
}
