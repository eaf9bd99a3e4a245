use nnlimits::model::SpectralModel;
use nnlimits::models::fim::activation::Activation;
use nnlimits::models::fim::infinite::*;
use nnlimits::models::fim::law::Ratios;
use nnlimits::models::fim::proportional::ProportionalFim;
use nnlimits::models::fim::sampler::Trained;
use nnlimits::spectral::SpectralDensity;
use num_complex::Complex64 as C64;

#[test]
fn f21_reference_and_convergence() {
    let g = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let l = InfiniteWidthFim::new(1.5, g.clone(), Trained::Both).unwrap();
    let (cl, c0) = l.coefficients();
    assert!((cl - 0.733758).abs() < 1e-6 && (c0 - 0.124939).abs() < 1e-6);
    let s = l.support().unwrap();
    assert!((s.components[0].0 - 0.162001).abs() < 1e-6);
    assert!((s.components[0].1 - 3.756668).abs() < 1e-6);
    assert!((s.atoms[0].0 - 0.124939).abs() < 1e-6 && (s.atoms[0].1 - 1.0 / 3.0).abs() < 1e-12);
    for (x, r) in [(0.5, 0.404500), (1.0, 0.251161), (2.0, 0.138573)] {
        assert!((l.density(x).unwrap() - r).abs() < 1e-6);
    }
    let sd = SpectralDensity::from_model(&l, 300).unwrap();
    let m = l.moments();
    assert!((sd.moment(1) - m[0]).abs() < 1e-6 && (sd.moment(2) - m[1]).abs() < 1e-5);
    // finite-N F16 converges to it (docs/models/fim.md (F21) table, N/d = 1, 5, 20, 80)
    let table = [
        (1.0, [0.41555, 0.22814, 0.10648]),
        (5.0, [0.40700, 0.24598, 0.13031]),
        (20.0, [0.40518, 0.24984, 0.13637]),
        (80.0, [0.40467, 0.25083, 0.13801]),
    ];
    for (wd, rho) in table {
        let p = ProportionalFim::new(
            Ratios::from_alpha_gamma(1.5, 1.0 / wd).unwrap(),
            g.clone(),
            Trained::Both,
        )
        .unwrap();
        for (x, r) in [0.5, 1.0, 2.0].iter().zip(rho) {
            assert!((p.density(*x).unwrap() - r).abs() < 6e-6, "N/d {wd} x {x}");
        }
    }
}

#[test]
fn f22_karakida_reference() {
    // ReLU, σ_w² = 2, σ_v² = 1, N = d = 500, T = 10
    let g = Activation::Relu.constants(2.0, 1.0).unwrap();
    let k = KarakidaStats::new(500, 500, 10, &g).unwrap();
    assert_eq!(k.parameters, 250500.0);
    assert!((k.kappa1 / 500.0 - 1.5).abs() < 1e-14);
    assert!((k.kappa2 / 500.0 - 1.0 / std::f64::consts::PI).abs() < 1e-14);
    assert!((k.lambda_max - 218.239).abs() < 1e-3);
    assert!((k.mean - 2.994012e-3).abs() < 1e-9);
    assert!((k.second_moment - 0.31556).abs() < 1e-5);
    assert!((k.lambda_max_population - 159.155).abs() < 1e-3);
    assert!((k.second_moment_population - 0.10112).abs() < 1e-5);
    // consistency: T eigenvalues reproduce mean and second moment
    let tr = k.lambda_max + 9.0 * k.lambda_bulk;
    assert!((tr / k.parameters - k.mean).abs() < 1e-15);
    let tr2 = k.lambda_max.powi(2) + 9.0 * k.lambda_bulk.powi(2);
    assert!((tr2 / k.parameters - k.second_moment).abs() < 1e-12);
    assert!(KarakidaStats::new(1, 1, 3, &g).is_err());
}

#[test]
fn parameter_space_atom_and_moments() {
    let g = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let dual = InfiniteWidthFim::new(0.5, g, Trained::Both).unwrap();
    let m = dual.moments();
    let ps = ParameterSpace::new(Box::new(dual), 100, 10_100).unwrap();
    let s = ps.support().unwrap();
    assert_eq!(s.atoms[0], (0.0, 1.0 - 100.0 / 10_100.0));
    let sd = SpectralDensity::from_model(&ps, 300).unwrap();
    assert!((sd.mass() - 1.0).abs() < 1e-6);
    assert!((ps.moments()[0] - m[0] / 101.0).abs() < 1e-15);
    let z = C64::new(0.7, 0.3);
    let want = ps.dual.stieltjes(z).unwrap() / 101.0 - (100.0 / 101.0) / z;
    assert!((ps.stieltjes(z).unwrap() - want).norm() < 1e-15);
    assert!(ParameterSpace::new(
        Box::new(
            InfiniteWidthFim::new(
                0.5,
                Activation::Tanh.constants(1.0, 1.0).unwrap(),
                Trained::Both
            )
            .unwrap()
        ),
        10,
        5
    )
    .is_err());
}
