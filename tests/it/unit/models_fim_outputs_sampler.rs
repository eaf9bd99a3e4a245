use faer::Mat;
use nnlimits::models::fim::outputs_sampler::*;
use nnlimits::models::fim::sampler::Inputs;
use nnlimits::numerics::linalg::eigvalsh;
use nnlimits::rng::stream;

/// Explicit Jacobian (`C n × p`) of `y = W₂ W₁ x/sqrt(N d)`: rows `(c, μ)`, columns `W₁` (row-major)
/// then `W₂` (row-major).
fn jacobian(s: &MultiOutputSampler, x: &Mat<f64>, w1: &Mat<f64>, w2: &Mat<f64>) -> Mat<f64> {
    let (n, d, nn, c) = (s.n, s.d, s.width, s.outputs);
    let norm = ((nn * d) as f64).sqrt();
    let mut j = Mat::<f64>::zeros(c * n, s.parameter_count());
    for o in 0..c {
        for mu in 0..n {
            let row = o * n + mu;
            for i in 0..nn {
                let h: f64 = (0..d).map(|k| w1[(i, k)] * x[(k, mu)]).sum();
                for k in 0..d {
                    j[(row, i * d + k)] = w2[(o, i)] * x[(k, mu)] / norm;
                }
                j[(row, nn * d + o * nn + i)] = h / norm;
            }
        }
    }
    j
}

/// `K = J Jᵀ` (explicit Jacobian) = `I_C ⊗ A + S ⊗ B`, and its spectrum = the union of the block
/// spectra `A + s_k B` (the exact block diagonalisation), to 1e-10; also for `C > N`.
#[test]
fn kronecker_equals_jacobian_and_blocks() {
    for (n, d, nn, c, inputs, norm) in [
        (5, 4, 6, 3, Inputs::Gaussian, false),
        (6, 7, 5, 4, Inputs::Spherical, true),
        (4, 3, 3, 5, Inputs::Gaussian, false),
    ] {
        let s = MultiOutputSampler::new(n, d, nn, c, 1.3, 0.7, inputs, norm).unwrap();
        let (x, w1, w2) = s.draw(&mut stream(7, c as u64));
        let b = s.blocks(&x, &w1, &w2);
        let k = s.kronecker(&b);
        let j = jacobian(&s, &x, &w1, &w2);
        let jjt = &j * j.transpose();
        let mut err: f64 = 0.0;
        for a in 0..c * n {
            for bb in 0..c * n {
                err = err.max((k[(a, bb)] - jjt[(a, bb)]).abs());
            }
        }
        assert!(err < 1e-13, "K vs J Jᵀ: {err}");
        let full = eigvalsh(&column_major(&k), c * n).unwrap();
        let blocks = s.eigenvalues_of(&b).unwrap();
        let scale = full.last().unwrap().abs().max(1.0);
        for (u, v) in full.iter().zip(&blocks) {
            assert!((u - v).abs() < 1e-10 * scale, "{u} vs {v}");
        }
        let (m1, m2) = s.trace_moments(&b);
        let e1 = full.iter().sum::<f64>() / (c * n) as f64;
        let e2 = full.iter().map(|e| e * e).sum::<f64>() / (c * n) as f64;
        assert!((m1 - e1).abs() < 1e-12 && (m2 - e2).abs() < 1e-11);
        if norm {
            let trs: f64 = (0..c).map(|i| b.s[(i, i)]).sum();
            assert!((trs / c as f64 - 0.7).abs() < 1e-14);
        }
    }
}

#[test]
fn bad_sizes_are_typed_errors() {
    assert!(MultiOutputSampler::new(10, 10, 10, 0, 1.0, 1.0, Inputs::Gaussian, false).is_err());
    assert!(
        MultiOutputSampler::new(2000, 10, 10, 1000, 1.0, 1.0, Inputs::Gaussian, false).is_err()
    );
    assert!(MultiOutputSampler::new(10, 10, 10, 2, 0.0, 1.0, Inputs::Gaussian, false).is_err());
}
