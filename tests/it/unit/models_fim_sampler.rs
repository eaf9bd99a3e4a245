use faer::Mat;
use nnlimits::models::fim::activation::Activation;
use nnlimits::models::fim::sampler::*;
use nnlimits::rng::stream;

/// Explicit Jacobian `J` (`n × p`) at tiny size; rows are gradients at x_μ (F6).
fn jacobian(s: &NetworkSampler, x: &Mat<f64>, w: &Mat<f64>, v: &[f64]) -> Mat<f64> {
    let (n, d, nn) = (s.n, s.d, s.width);
    let p = nn * d + nn;
    let mut j = Mat::<f64>::zeros(n, p);
    for mu in 0..n {
        for i in 0..nn {
            let h: f64 = (0..d).map(|k| w[(i, k)] * x[(k, mu)]).sum::<f64>() / (d as f64).sqrt();
            for k in 0..d {
                j[(mu, i * d + k)] =
                    v[i] * s.activation.deriv(h) * x[(k, mu)] / ((nn * d) as f64).sqrt();
            }
            j[(mu, nn * d + i)] = s.activation.eval(h) / (nn as f64).sqrt();
        }
    }
    j
}

#[test]
fn dual_equals_explicit_jacobian() {
    for act in ["tanh", "relu", "erf", "linear"] {
        let s = NetworkSampler::new(
            7,
            5,
            6,
            Activation::parse(act).unwrap(),
            1.3,
            0.7,
            Trained::Both,
            Inputs::Gaussian,
            false,
            0,
        )
        .unwrap();
        let (x, w, v) = s.draw(&mut stream(1, 0));
        let k = s.gram(&x, &w, &v);
        let j = jacobian(&s, &x, &w, &v);
        let jjt = &j * j.transpose();
        let mut err: f64 = 0.0;
        for a in 0..s.n {
            for b in 0..s.n {
                err = err.max((k[(a, b)] - jjt[(a, b)]).abs());
            }
        }
        assert!(err < 1e-13, "{act}: {err}");
        // FIM = JᵀJ/n (p × p): its top n eigenvalues are eig(Θ)/n, the rest are 0.
        let fim = j.transpose() * &j * (1.0 / s.n as f64);
        let ef = eigvalsh(&fim).unwrap();
        let ek = eigvalsh(&k).unwrap();
        let p = s.parameter_count();
        for t in 0..s.n {
            assert!((ef[p - s.n + t] - ek[t] / s.n as f64).abs() < 1e-13);
        }
        assert!(ef[..p - s.n].iter().all(|e| e.abs() < 1e-13));
    }
}

#[test]
fn variants_add_up_and_options_hold() {
    let mk = |t| {
        NetworkSampler::new(
            9,
            4,
            11,
            Activation::Tanh,
            1.0,
            1.0,
            t,
            Inputs::Spherical,
            true,
            0,
        )
        .unwrap()
    };
    let (x, w, v) = mk(Trained::Both).draw(&mut stream(3, 0));
    let kb = mk(Trained::Both).gram(&x, &w, &v);
    let kr = mk(Trained::Readout).gram(&x, &w, &v);
    let kf = mk(Trained::First).gram(&x, &w, &v);
    for a in 0..9 {
        for b in 0..9 {
            assert!((kb[(a, b)] - kr[(a, b)] - kf[(a, b)]).abs() < 1e-14);
        }
        let norm2: f64 = (0..4).map(|i| x[(i, a)] * x[(i, a)]).sum();
        assert!((norm2 - 4.0).abs() < 1e-12);
    }
    let vn: f64 = v.iter().map(|x| x * x).sum();
    assert!((vn - 11.0).abs() < 1e-12);
    // reproducible per stream
    let e1 = mk(Trained::Both).eigenvalues(&mut stream(3, 5)).unwrap();
    let e2 = mk(Trained::Both).eigenvalues(&mut stream(3, 5)).unwrap();
    assert_eq!(e1, e2);
}

#[test]
fn bad_sizes_are_typed_errors() {
    let e = NetworkSampler::new(
        0,
        4,
        4,
        Activation::Tanh,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Gaussian,
        false,
        0,
    );
    assert!(matches!(e, Err(nnlimits::Error::InvalidParameter { .. })));
    let e = NetworkSampler::new(
        4,
        4,
        4,
        Activation::Tanh,
        1.0,
        0.0,
        Trained::First,
        Inputs::Gaussian,
        false,
        0,
    );
    assert!(e.is_err());
    let e = NetworkSampler::new(
        4,
        4,
        4,
        Activation::Tanh,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Gaussian,
        false,
        4,
    );
    assert!(e.is_err());
}
