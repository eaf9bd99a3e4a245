use nnlimits::models::bayes::data::{make_ds, tiny};
use nnlimits::models::bayes::dln::BayesDln;
use nnlimits::models::bayes::exact::*;
use nnlimits::models::bayes::gp::EigenGram;
use statrs::function::gamma::ln_gamma;

fn eg_of(ds: &nnlimits::models::bayes::data::Dataset) -> EigenGram {
    EigenGram::new(&ds.gram(1.0).unwrap()).unwrap()
}

/// Reference TINY table (docs/models/bayes.md, "Reference numbers"), exact finite-N columns.
#[test]
fn tiny_exact_reference_numbers() {
    let eg = eg_of(&tiny(1).unwrap());
    #[rustfmt::skip]
    let table = [
        (10, 1, 0.98179574, 0.63808301, 0.58352840, 0.60259532),
        (10, 2, 0.97021167, 0.62823499, 0.57784732, 0.59429154),
        (10, 3, 0.96203158, 0.62042947, 0.57402502, 0.58852827),
        (3, 1, 1.00704610, 0.62253820, 0.59990493, 0.61492054),
        (3, 2, 1.00003721, 0.60614484, 0.59807726, 0.60934399),
        (3, 3, 0.99176059, 0.59479712, 0.59517948, 0.60416597),
    ];
    for (n, l, eq, m, v, e) in table {
        let ex = exact_posterior(&BayesDln::equal(n, l, 0.1).unwrap(), &eg).unwrap();
        // L = 1: the reference was confirmed by quadrature, agreement to its 8 digits. L >= 2: the
        // reference came from a coarser log-chi2 grid; our grid is converged (refining 4x changes
        // nothing at 1e-15) and matches a nested adaptive quadrature to 1e-10
        // (grid_matches_nested_quadrature_for_two_layers), so the reference is good to ~1e-7.
        let tol = if l == 1 { 6e-9 } else { 1.2e-7 };
        assert!((ex.mean_q - eq).abs() < tol, "{n} {l}: E q {}", ex.mean_q);
        assert!((ex.prediction.mean[0] - m).abs() < tol);
        assert!((ex.prediction.var[0] - v).abs() < tol);
        assert!((ex.prediction.eps_g - e).abs() < tol);
    }
    // prior-scale convention: lambda_0 = 2, lambda_1 = lambda_2 = 0.5
    let eg2 = EigenGram::new(&tiny(1).unwrap().gram(0.5).unwrap()).unwrap();
    let ex = exact_posterior(
        &BayesDln::new(vec![10, 10], vec![2.0, 2.0], 0.1).unwrap(),
        &eg2,
    )
    .unwrap();
    assert!((ex.prediction.mean[0] - 0.66468169).abs() < 6e-9);
    assert!((ex.prediction.var[0] - 0.94743949).abs() < 6e-9);
}

/// L = 1: the grid agrees with adaptive quadrature in q against the Gamma(N/2, N/2) prior.
#[test]
fn grid_matches_quadrature_for_one_layer() {
    let eg = eg_of(&tiny(1).unwrap());
    let n: f64 = 4.0;
    let k: f64 = n / 2.0;
    let post = |q: f64, f: &dyn Fn(f64) -> f64| {
        let lp = k * k.ln() - ln_gamma(k) + (k - 1.0) * q.ln() - k * q;
        (lp + eg.log_evidence(q, 0.1)).exp() * f(q)
    };
    let z = nnlimits::numerics::quad::integrate(|q| post(q, &|_| 1.0), 0.0, 60.0, 1e-13).unwrap();
    let eq =
        nnlimits::numerics::quad::integrate(|q| post(q, &|q| q), 0.0, 60.0, 1e-13).unwrap() / z;
    let ex = exact_posterior(&BayesDln::equal(4, 1, 0.1).unwrap(), &eg).unwrap();
    assert!((ex.mean_q - eq).abs() < 1e-10, "{} vs {eq}", ex.mean_q);
    assert!((ex.log_evidence - z.ln()).abs() < 1e-10);
}

/// Section 2.5 convergence table: saddle vs exact at fixed alpha, make_ds(P, 5, 2P, 2024), T = 0.1.
/// Asserts the reference numbers and that the gap shrinks like 1/N over three widths
/// (N * gap stays within a factor 2 while N grows 4x), and that the NNGP is measurably worse.
#[test]
fn saddle_error_shrinks_like_one_over_n() {
    #[rustfmt::skip]
    let table = [
        (1, 2.0, 20, 0.782105, 0.483402, 0.499463), (1, 2.0, 40, 0.751194, 0.617357, 0.625322), (1, 2.0, 80, 0.844482, 0.603812, 0.608033),
        (2, 0.5, 20, 0.846537, 0.510211, 0.515883), (2, 0.5, 40, 0.825515, 0.647322, 0.650241), (2, 0.5, 80, 0.889929, 0.625738, 0.627093),
    ];
    let mut scaled = vec![];
    for (l, alpha, p, q, es, ee) in table {
        let eg = eg_of(&make_ds(p, 5, 2 * p, 2024).unwrap());
        let n = (p as f64 / alpha) as usize;
        let m = BayesDln::equal(n, l, 0.1).unwrap();
        let sp = m.saddle(&eg).unwrap();
        let ex = exact_posterior(&m, &eg).unwrap();
        let nngp = m.nngp(&eg).unwrap();
        assert!((sp.root.q - q).abs() < 1e-6 && (sp.prediction.eps_g - es).abs() < 1e-6);
        assert!(
            (ex.prediction.eps_g - ee).abs() < 1e-6,
            "exact {}",
            ex.prediction.eps_g
        );
        let gap = (sp.prediction.eps_g - ex.prediction.eps_g).abs();
        let gap_nngp = (nngp.eps_g - ex.prediction.eps_g).abs();
        if alpha >= 1.0 {
            assert!(
                gap_nngp > 2.0 * gap,
                "NNGP gap {gap_nngp} vs saddle gap {gap}"
            );
        }
        scaled.push(n as f64 * gap);
    }
    for s in scaled.chunks(3) {
        let (lo, hi) = s
            .iter()
            .fold((f64::INFINITY, 0.0f64), |a, &b| (a.0.min(b), a.1.max(b)));
        assert!(hi / lo < 2.0, "N * gap not stable: {s:?}");
    }
}

/// L = 2: the convolution grid agrees with a nested adaptive quadrature over (q1, q2).
#[test]
fn grid_matches_nested_quadrature_for_two_layers() {
    use nnlimits::numerics::quad::integrate;
    let eg = eg_of(&tiny(1).unwrap());
    let k: f64 = 5.0; // N = 10
    let lg = |q: f64| k * k.ln() - ln_gamma(k) + (k - 1.0) * q.ln() - k * q;
    let moment = |pow: i32| {
        integrate(
            |a| {
                integrate(
                    |b| (lg(a) + lg(b) + eg.log_evidence(a * b, 0.1)).exp() * (a * b).powi(pow),
                    0.0,
                    12.0,
                    1e-14,
                )
                .unwrap()
            },
            0.0,
            12.0,
            1e-13,
        )
        .unwrap()
    };
    let eq = moment(1) / moment(0);
    let ex = exact_posterior(&BayesDln::equal(10, 2, 0.1).unwrap(), &eg).unwrap();
    assert!(
        (ex.mean_q - eq).abs() < 1e-10,
        "grid {} vs nested quadrature {eq}",
        ex.mean_q
    );
}

#[test]
fn exact_requires_positive_temperature() {
    let eg = eg_of(&tiny(1).unwrap());
    assert!(exact_posterior(&BayesDln::equal(3, 1, 0.0).unwrap(), &eg).is_err());
}
