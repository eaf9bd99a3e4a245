use nnlimits::error::Error;
use nnlimits::model::Sampler;
use nnlimits::models::fim::Activation;
use nnlimits::models::hessian::sampler::*;
use nnlimits::numerics::linalg::eigvalsh;
use nnlimits::rng::stream;

fn sampler(n: usize, d: usize, nn: usize, act: &str, loss: f64, part: Part) -> HessianSampler {
    HessianSampler::new(
        n,
        d,
        nn,
        Activation::parse(act).unwrap(),
        1.3,
        0.8,
        loss,
        part,
    )
    .unwrap()
}

/// `ℓ(θ)` with targets `y = f(x; θ₀) − r` fixed at the drawn network `θ₀`.
fn loss_at(s: &HessianSampler, dr: &Draw, y: &[f64], theta: &[f64]) -> f64 {
    let (n, d, nn) = (s.net.n, s.net.d, s.net.width);
    let mut l = 0.0;
    for (mu, ym) in y.iter().enumerate().take(n) {
        let mut f = 0.0;
        for i in 0..nn {
            let hh: f64 = (0..d)
                .map(|k| theta[i * d + k] * dr.x[(k, mu)])
                .sum::<f64>()
                / (d as f64).sqrt();
            f += theta[nn * d + i] * s.net.activation.eval(hh);
        }
        f /= (nn as f64).sqrt();
        l += (f - ym).powi(2);
    }
    l / (2.0 * n as f64)
}

#[test]
fn hessian_equals_finite_differences_of_the_loss() {
    for act in ["tanh", "erf"] {
        let s = sampler(6, 4, 3, act, 0.7, Part::Full);
        let dr = s.draw(&mut stream(11, 0));
        let (d, nn) = (s.net.d, s.net.width);
        let p = s.parameter_count();
        let mut theta = vec![0.0; p];
        for i in 0..nn {
            for k in 0..d {
                theta[i * d + k] = dr.w[(i, k)];
            }
            theta[nn * d + i] = dr.v[i];
        }
        let y: Vec<f64> = {
            let l0 = |mu: usize| {
                let mut f = 0.0;
                for i in 0..nn {
                    let hh: f64 = (0..d).map(|k| dr.w[(i, k)] * dr.x[(k, mu)]).sum::<f64>()
                        / (d as f64).sqrt();
                    f += dr.v[i] * s.net.activation.eval(hh);
                }
                f / (nn as f64).sqrt()
            };
            (0..s.net.n).map(|mu| l0(mu) - dr.r[mu]).collect()
        };
        let hm = s.hessian(&dr, Part::Full);
        let eps = 1e-4;
        let mut worst: f64 = 0.0;
        for a in 0..p {
            for b in 0..=a {
                let at = |sa: f64, sb: f64| {
                    let mut t = theta.clone();
                    t[a] += sa * eps;
                    t[b] += sb * eps;
                    loss_at(&s, &dr, &y, &t)
                };
                let fd = (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0))
                    / (4.0 * eps * eps);
                worst = worst.max((fd - hm[(a, b)]).abs());
                assert!((hm[(a, b)] - hm[(b, a)]).abs() < 1e-15);
            }
        }
        assert!(worst < 1e-6, "{act}: max |FD − H| = {worst}");
    }
}

#[test]
fn gauss_newton_part_is_the_fim_of_the_fim_sampler() {
    // same stream ⇒ the same network as the FIM sampler; nonzero eig(H₀) = eig(Θ)/n
    for (n, d, nn) in [(7, 3, 2), (20, 3, 2)] {
        let s = sampler(n, d, nn, "tanh", 0.0, Part::GaussNewton);
        let dr = s.draw(&mut stream(4, 2));
        let (x, w, v) = s.net.draw(&mut stream(4, 2));
        assert_eq!(v, dr.v);
        assert!((0..d).all(|k| (0..n).all(|mu| x[(k, mu)] == dr.x[(k, mu)])));
        assert!((0..nn).all(|i| (0..d).all(|k| w[(i, k)] == dr.w[(i, k)])));
        let theta = s.net.gram(&x, &w, &v);
        let et = nnlimits::models::fim::sampler::eigvalsh(&theta).unwrap();
        let eh =
            nnlimits::models::fim::sampler::eigvalsh(&s.hessian(&dr, Part::GaussNewton)).unwrap();
        let p = s.parameter_count();
        let k = n.min(p);
        for t in 0..k {
            let (a, b) = (eh[p - k + t], et[n - k + t] / n as f64);
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
        assert!(eh[..p - k].iter().all(|e| e.abs() < 1e-13));
        // the sampler's P·H₀ has exactly P − n zeros when P > n, the rest is P·eig(Θ)/n
        let sp = s.spectrum_of(&dr).unwrap();
        assert_eq!(
            sp.iter().filter(|&&e| e == 0.0).count(),
            p.saturating_sub(n)
        );
        for t in 0..k {
            let b = p as f64 * et[n - k + t] / n as f64;
            assert!((sp[p - k + t] - b).abs() < 1e-12 * b.abs().max(1.0));
        }
        // H = H₀ + H₁ at positive loss, H₀ unchanged by the residuals
        let s2 = sampler(n, d, nn, "tanh", 0.3, Part::Full);
        let dr2 = s2.draw(&mut stream(4, 2));
        let (hf, h0, h1) = (
            s2.hessian(&dr2, Part::Full),
            s2.hessian(&dr2, Part::GaussNewton),
            s2.hessian(&dr2, Part::Residual),
        );
        for a in 0..p {
            for b in 0..p {
                assert!((hf[(a, b)] - h0[(a, b)] - h1[(a, b)]).abs() < 1e-15);
                assert!((h0[(a, b)] - s.hessian(&dr, Part::GaussNewton)[(a, b)]).abs() < 1e-15);
            }
        }
    }
}

#[test]
fn exact_moment_identities_hold_in_monte_carlo() {
    // E tr(P H₀)/P = σ and E tr((P H₁)²)/P = 2εσ² hold at every size (module docs): the mean over
    // draws must be within 4 standard errors (Student-t, 40 draws) of the exact values
    let draws = 40;
    for act in ["tanh", "relu"] {
        let loss = 0.05;
        let s0 = sampler(240, 11, 10, act, loss, Part::GaussNewton);
        let s1 = sampler(240, 11, 10, act, loss, Part::Residual);
        let stat = |s: &HessianSampler, k: i32| -> (f64, f64) {
            let v: Vec<f64> = (0..draws)
                .map(|i| {
                    let ev = s.sample(&mut stream(5, i)).unwrap();
                    ev.iter().map(|e| e.powi(k)).sum::<f64>() / ev.len() as f64
                })
                .collect();
            let m = v.iter().sum::<f64>() / draws as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (draws - 1) as f64;
            (m, (var / draws as f64).sqrt())
        };
        let (m1, se1) = stat(&s0, 1);
        assert!(
            (m1 - s0.scale()).abs() < 4.0 * se1,
            "{act}: m1 {m1} vs σ {} ± {se1}",
            s0.scale()
        );
        let want = 2.0 * loss * s1.scale().powi(2);
        let (m2, se2) = stat(&s1, 2);
        assert!(
            (m2 - want).abs() < 4.0 * se2,
            "{act}: m2(H₁) {m2} vs {want} ± {se2}"
        );
        let (r1, rse1) = stat(&s1, 1);
        assert!(r1.abs() < 4.0 * rse1 + 1e-14, "{act}: m1(H₁) {r1} ± {rse1}");
    }
}

#[test]
fn reproducible_and_refuses_bad_input() {
    let s = sampler(30, 4, 5, "tanh", 0.1, Part::Full);
    assert_eq!(
        s.sample(&mut stream(2, 3)).unwrap(),
        s.sample(&mut stream(2, 3)).unwrap()
    );
    let ev = s.sample(&mut stream(2, 3)).unwrap();
    assert_eq!(ev.len(), 25);
    // the spectrum is that of P·H
    let dr = s.draw(&mut stream(2, 3));
    let hm = s.hessian(&dr, Part::Full);
    let a: Vec<f64> = (0..25 * 25).map(|t| 25.0 * hm[(t % 25, t / 25)]).collect();
    let direct = eigvalsh(&a, 25).unwrap();
    assert!(ev.iter().zip(&direct).all(|(x, y)| (x - y).abs() < 1e-12));
    let act = || Activation::parse("tanh").unwrap();
    assert!(HessianSampler::new(0, 4, 4, act(), 1.0, 1.0, 0.1, Part::Full).is_err());
    assert!(HessianSampler::new(10, 4, 4, act(), 1.0, 1.0, -0.1, Part::Full).is_err());
    assert!(HessianSampler::new(10, 4, 4, act(), 1.0, 1.0, 0.0, Part::Residual).is_err());
    assert!(HessianSampler::new(10, 100, 100, act(), 1.0, 1.0, 0.1, Part::Full).is_err());
    let custom = Activation::custom("sin", f64::sin, f64::cos);
    assert!(matches!(
        HessianSampler::new(10, 4, 4, custom, 1.0, 1.0, 0.1, Part::Full),
        Err(Error::InvalidParameter { .. })
    ));
}
