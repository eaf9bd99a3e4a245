use nnlimits::model::SpectralModel;
use nnlimits::models::fim::pw2017::*;
use nnlimits::models::fim::{Activation, ProportionalFim, Ratios, Trained};

/// Reference densities from F27 itself, and agreement with the F16 readout law (F28 map).
#[test]
fn f27_reference_and_equivalence_with_f16() {
    let rows = [
        ("tanh", 0.5, 0.5, [0.586621, 0.283445, 0.149912, 0.095860]),
        (
            "erf",
            2.0 / 3.0,
            2.0,
            [1.468233, 0.679318, 0.306623, 0.129793],
        ),
        ("crelu", 1.0, 1.0, [1.040702, 0.446995, 0.200711, 0.098135]),
    ];
    for (act, phi, psi, rho) in rows {
        let g = Activation::parse(act).unwrap().constants(1.0, 1.0).unwrap();
        let pw = Pw2017::new(phi, psi, g.eta - g.mu0 * g.mu0, g.a * g.a).unwrap();
        let ck = ProportionalFim::new(
            Ratios::from_alpha_gamma(1.0 / phi, psi).unwrap(),
            g,
            Trained::Readout,
        )
        .unwrap();
        let r = psi / phi;
        for (x, want) in [0.2, 0.5, 1.0, 1.5].iter().zip(rho) {
            let got = pw.density(*x).unwrap();
            assert!(
                (got - want).abs() < 2e-6,
                "{act} F27 rho({x}) = {got} vs {want}"
            );
            let f16 = r * r * ck.density(r * x).unwrap();
            assert!((got - f16).abs() < 1e-7, "{act}: F27 {got} vs F16 {f16}");
        }
    }
    assert!(Pw2017::new(0.5, 0.5, 0.3, 0.4).is_err());
}
