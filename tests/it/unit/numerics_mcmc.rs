use nnlimits::numerics::mcmc::*;
use nnlimits::rng;

/// AR(1) chain x_{t+1} = phi x_t + sqrt(1 - phi^2) e: tau = (1 + phi)/(1 - phi) exactly.
#[test]
fn ar1_autocorrelation_time() {
    let phi: f64 = 0.8;
    let n = 200_000;
    let mut r = rng::stream(5, 0);
    let e = rng::normals(&mut r, n);
    let mut x = vec![0.0; n];
    for t in 1..n {
        x[t] = phi * x[t - 1] + (1.0 - phi * phi).sqrt() * e[t];
    }
    let s = summarize(&x);
    let tau_exact = (1.0 + phi) / (1.0 - phi);
    // relative SE of the IPS estimator ~ sqrt(2 (2M+1)/n) with window M ~ 5 tau: ~ 3%
    assert!((s.tau / tau_exact - 1.0).abs() < 0.12, "tau {}", s.tau);
    assert!(s.mean.abs() < 4.0 * (tau_exact / n as f64).sqrt());
    let (m, se) = batch_means(&x, 20);
    let direct = x[..(n / 20) * 20].iter().sum::<f64>() / ((n / 20) * 20) as f64;
    assert!((m - direct).abs() < 1e-12);
    assert!((se / s.se - 1.0).abs() < 0.6);
}

#[test]
fn iid_chain_has_tau_one() {
    let mut r = rng::stream(6, 0);
    let x = rng::normals(&mut r, 50_000);
    let s = summarize(&x);
    assert!((s.tau - 1.0).abs() < 0.1, "tau {}", s.tau);
    assert!((s.ess / 50_000.0 - 1.0).abs() < 0.1);
}
