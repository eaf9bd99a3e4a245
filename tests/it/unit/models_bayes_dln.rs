use nnlimits::error::Error;
use nnlimits::models::bayes::data::{make_ds, tiny};
use nnlimits::models::bayes::dln::*;
use nnlimits::models::bayes::gp::EigenGram;

fn tiny_eg() -> EigenGram {
    EigenGram::new(&tiny(1).unwrap().gram(1.0).unwrap()).unwrap()
}

/// Found by tests/properties.rs: alpha = 1000, r = 1e-300 gave Q = 0 (as does r = 1e-100) (cancellation in
/// `(1 - alpha) + sqrt((1 - alpha)^2 + 4 alpha r)`); the exact value is `alpha r / (alpha - 1)` to
/// first order in `r`.
#[test]
fn li_sompolinsky_no_cancellation_for_large_alpha() {
    let q = li_sompolinsky_one_layer(1000.0, 1e-100).unwrap();
    assert!((q / (1000.0 / 999.0 * 1e-100) - 1.0).abs() < 1e-12, "{q}");
    // alpha < 1 and alpha = 1 branches unchanged: Q = 1 - alpha + alpha r / (1 - alpha) + ...
    let q = li_sompolinsky_one_layer(0.5, 1.0).unwrap();
    assert!((q - 0.5 * (0.5 + 2.25f64.sqrt())).abs() < 1e-15);
    assert!((li_sompolinsky_one_layer(1.0, 0.25).unwrap() - 0.5).abs() < 1e-15);
    let e = li_sompolinsky_one_layer(f64::MAX, 1e-300).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid parameter `alpha` = 1.7976931348623157e308: must be in [1e-12, 1e12]"
    );
    // extreme accepted values stay finite and positive
    for (a, r) in [
        (1e12, 1e-100),
        (1e-12, 1e100),
        (1e12, 1e100),
        (1e-12, 1e-100),
    ] {
        let q = li_sompolinsky_one_layer(a, r).unwrap();
        assert!(q.is_finite() && q > 0.0, "{a} {r}: {q}");
    }
}

/// Found by tests/properties.rs: `sigma2 = [f64::MAX; 2]` (Lambda = inf) was accepted and gave an
/// infinite NNGP predictor; `T = f64::MAX` a non-finite generalisation error.
#[test]
fn overflowing_variances_and_temperatures_are_refused() {
    let e = BayesDln::new(vec![1, 1], vec![f64::MAX, f64::MAX], 0.0).unwrap_err();
    assert!(e.to_string().contains("`sigma2`"), "{e}");
    let e = BayesDln::new(vec![1], vec![1.0], f64::MAX).unwrap_err();
    assert!(e.to_string().contains("`temperature`"), "{e}");
    assert!(BayesDln::new(vec![1, 1], vec![1e50, 1e50], 1e100).is_ok());
    let e = tiny(1).unwrap().gram(f64::MAX).unwrap_err();
    assert!(e.to_string().contains("`sigma0^2`"), "{e}");
}

/// Reference table (docs/models/bayes.md, "Reference numbers"), TINY, T = 0.1 (saddle columns,
/// 10 digits).
#[test]
fn tiny_saddle_reference_numbers() {
    let eg = tiny_eg();
    #[rustfmt::skip]
    let table = [
        (10, 1, 0.9643553682, 0.9643553682, 1.2625720066, 0.6485382800, 0.5728881767, 0.5949517973),
        (10, 2, 0.9692456342, 0.9394370993, 2.2620176776, 0.6465126485, 0.5588876171, 0.5803535733),
        (10, 3, 0.9729645608, 0.9210666667, 3.2615978672, 0.6449595281, 0.5485632822, 0.5695765470),
        (3, 1, 0.9144371875, 0.9144371875, 1.8715202335, 0.6443860045, 0.5448368622, 0.5656841805),
        (3, 2, 0.9383979291, 0.8805906733, 2.8688186361, 0.6413440271, 0.5258065586, 0.5457846926),
        (3, 3, 0.9518291797, 0.8623370459, 3.8673071796, 0.6396198600, 0.5155395558, 0.5350332611),
    ];
    for (n, l, ql, q, s, m, v, e) in table {
        let sp = BayesDln::equal(n, l, 0.1).unwrap().saddle(&eg).unwrap();
        let tol = 2e-10;
        assert!(
            sp.root.q_layers.iter().all(|x| (x - ql).abs() < tol),
            "{n},{l}: {:?}",
            sp.root
        );
        assert!((sp.root.q - q).abs() < tol, "{n} {l} q {}", sp.root.q);
        assert!(
            (sp.root.action - s).abs() < tol,
            "{n} {l} S {}",
            sp.root.action
        );
        assert!((sp.prediction.mean[0] - m).abs() < tol);
        assert!((sp.prediction.var[0] - v).abs() < tol);
        assert!((sp.prediction.eps_g - e).abs() < tol);
        assert_eq!(sp.root.roots_found, 1);
    }
}

/// F26 at T = 0 against the reference table, and the finite-T solver at T = 1e-8 against it.
#[test]
fn tiny_li_sompolinsky() {
    let eg = tiny_eg();
    assert!((eg.r().unwrap() - 1.053921568627451).abs() < 1e-14);
    #[rustfmt::skip]
    let table = [
        (10, 1, 1.0123265589, 0.5651164143), (10, 2, 1.0099668760, 0.5694184724), (10, 3, 1.0083691397, 0.5723687695),
        (3, 1, 1.0266068228, 0.5730881617), (3, 2, 1.0176601397, 0.5781264234), (3, 3, 1.0132160790, 0.5806621401),
    ];
    for (n, l, ql, var) in table {
        let sp = BayesDln::equal(n, l, 0.0).unwrap().saddle(&eg).unwrap();
        assert!(
            (sp.root.q_layers[0] - ql).abs() < 2e-10,
            "{n} {l}: {}",
            sp.root.q_layers[0]
        );
        assert!((sp.prediction.mean[0] - 0.7382352941).abs() < 1e-10);
        assert!((sp.prediction.var[0] - var).abs() < 2e-10);
        // the finite-T solver approaches F26 linearly in T (slope ~ 1.3 here)
        let warm = BayesDln::equal(n, l, 1e-10).unwrap().saddle(&eg).unwrap();
        assert!(
            (warm.root.q_layers[0] - ql).abs() < 1e-9,
            "warm {} vs {ql}",
            warm.root.q_layers[0]
        );
        assert!((warm.prediction.var[0] - var).abs() < 1e-9);
        if l == 1 {
            let cf = li_sompolinsky_one_layer(3.0 / n as f64, eg.r().unwrap()).unwrap();
            assert!((cf - sp.root.q_layers[0]).abs() < 1e-12);
        }
    }
}

/// F26 table on make_ds(40, 20, 80, 11): r, bias^2 and q for several depths.
#[test]
fn li_sompolinsky_dataset_table() {
    let eg = EigenGram::new(&make_ds(40, 20, 80, 11).unwrap().gram(1.0).unwrap()).unwrap();
    assert!((eg.r().unwrap() - 1.18052937).abs() < 1e-8);
    let (p, l_pairs) = (
        40.0,
        [
            (
                0.5,
                vec![
                    (1, 1.05793854, 0.79504362),
                    (2, 1.08743812, 0.81012041),
                    (3, 1.10542056, 0.81931096),
                    (5, 1.12630210, 0.82998320),
                    (10, 1.14850379, 0.84133014),
                    (100, 1.17669701, 0.85573927),
                ],
            ),
            (
                2.0,
                vec![
                    (1, 1.11587708, 0.82465513),
                    (2, 1.14148797, 0.83774446),
                    (3, 1.15259266, 0.84341990),
                    (5, 1.16273163, 0.84860178),
                    (10, 1.17120160, 0.85293065),
                    (100, 1.17955462, 0.85719975),
                ],
            ),
        ],
    );
    for (alpha, rows) in l_pairs {
        let n = (p / alpha) as usize;
        for (l, q, e) in rows {
            let sp = BayesDln::equal(n, l, 0.0).unwrap().saddle(&eg).unwrap();
            assert!(
                (sp.root.q - q).abs() < 1e-8,
                "alpha {alpha} L {l}: {}",
                sp.root.q
            );
            assert!((sp.prediction.eps_g - e).abs() < 1e-8);
            assert!((sp.prediction.bias2 - 0.25434731).abs() < 1e-8);
        }
    }
}

/// Evidence maximiser and deep limit (docs/models/bayes.md, "Limits and special cases"): q_ev
/// solves g = 0; L -> infinity approaches it.
#[test]
fn deep_limit_and_evidence_maximiser() {
    let eg = EigenGram::new(&make_ds(40, 20, 80, 11).unwrap().gram(1.0).unwrap()).unwrap();
    for (t, qev) in [(0.1, 0.98191688), (1.0, 0.17740034)] {
        let mut conv = roots::SimpleConvergency {
            eps: 1e-15,
            max_iter: 200,
        };
        let u = roots::find_root_brent(-5.0, 3.0, |u: f64| eg.g(u.exp(), t), &mut conv).unwrap();
        assert!((u.exp() - qev).abs() < 1e-8, "{}", u.exp());
    }
    for (l, q) in [(100, 0.212848), (1000, 0.181636), (10000, 0.177834)] {
        let sp = BayesDln::equal(20, l, 1.0).unwrap().saddle(&eg).unwrap();
        assert!((sp.root.q - q).abs() < 1e-6, "L {l}: {}", sp.root.q);
    }
}

/// Prior-scale convention (docs/models/bayes.md, "Reference numbers"): lambda_0 = 2, lambda_1 =
/// lambda_2 = 0.5.
#[test]
fn prior_scale_convention() {
    let eg = EigenGram::new(&tiny(1).unwrap().gram(0.5).unwrap()).unwrap();
    let m = BayesDln::new(vec![10, 10], vec![2.0, 2.0], 0.1).unwrap();
    let sp = m.saddle(&eg).unwrap();
    assert!((sp.root.q_layers[0] - 0.8836782703).abs() < 1e-9);
    assert!((sp.root.q - 3.1235491415).abs() < 1e-9);
    assert!((sp.prediction.mean[0] - 0.6795680284).abs() < 1e-9);
    assert!((sp.prediction.var[0] - 0.9077586039).abs() < 1e-9);
}

/// alpha -> 0 recovers the NNGP; y = 0 shrinks the kernel (Q < 1).
#[test]
fn limits() {
    let eg = tiny_eg();
    let m = BayesDln::equal(1_000_000_000, 2, 0.1).unwrap();
    let sp = m.saddle(&eg).unwrap();
    let ng = m.nngp(&eg).unwrap();
    assert!((sp.root.q - 1.0).abs() < 1e-8);
    assert!((sp.prediction.eps_g - ng.eps_g).abs() < 1e-8);
    let mut g = tiny(1).unwrap().gram(1.0).unwrap();
    g.y.fill(0.0);
    let eg0 = EigenGram::new(&g).unwrap();
    let sp = BayesDln::equal(5, 1, 0.1).unwrap().saddle(&eg0).unwrap();
    assert!(sp.root.q < 1.0);
}

#[test]
fn bad_parameters() {
    assert!(matches!(
        BayesDln::new(vec![], vec![], 0.1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        BayesDln::new(vec![0], vec![1.0], 0.1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        BayesDln::new(vec![3], vec![1.0, 1.0], 0.1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        BayesDln::new(vec![3], vec![-1.0], 0.1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        BayesDln::new(vec![3], vec![1.0], f64::NAN),
        Err(Error::InvalidParameter { .. })
    ));
    // T = 0 with P > N0 (singular C) is refused with a clear error
    let eg = EigenGram::new(&make_ds(20, 5, 10, 1).unwrap().gram(1.0).unwrap()).unwrap();
    assert!(matches!(
        BayesDln::equal(10, 1, 0.0).unwrap().saddle(&eg),
        Err(Error::Domain(_))
    ));
    // non-PSD Gram
    let mut g = tiny(1).unwrap().gram(1.0).unwrap();
    g.c[(0, 1)] = 2.0;
    g.c[(1, 0)] = 2.0;
    assert!(
        matches!(EigenGram::new(&g), Err(Error::InvalidData(m)) if m.contains("positive semi-definite"))
    );
}
