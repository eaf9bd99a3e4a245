use nnlimits::models::bayes::data::make_ds;
use nnlimits::models::bayes::kernels::Activation;
use nnlimits::models::bayes::onehl::BayesNonlinear;

/// The analytic gradient equals central differences of the action (computed independently by
/// `nested_action`, which maps the whole Gram with `Activation::kernel`), for every activation, at
/// depth 3 and unequal `Q_l`; and each kernel's partial derivatives equal central differences.
#[test]
fn gradient_matches_central_differences() {
    let g = make_ds(12, 6, 4, 3).unwrap().gram(1.0).unwrap();
    for act in [
        Activation::Id,
        Activation::Erf,
        Activation::Relu,
        Activation::Tanh,
    ] {
        let m = BayesNonlinear::new(act, 20, 3, vec![1.0, 1.3, 0.8], 0.1).unwrap();
        let q = [0.9, 1.2, 1.05];
        let (s, grad) = m.nested_action_grad(&g, &q).unwrap();
        let s0 = m.nested_action(&g, &q).unwrap();
        assert!(
            (s - s0).abs() < 1e-12 * s0.abs().max(1.0),
            "{act:?}: {s} vs {s0}"
        );
        for k in 0..3 {
            let h = 1e-5;
            let (mut up, mut dn) = (q.to_vec(), q.to_vec());
            up[k] *= f64::exp(h);
            dn[k] *= f64::exp(-h);
            let fd =
                (m.nested_action(&g, &up).unwrap() - m.nested_action(&g, &dn).unwrap()) / (2.0 * h);
            assert!(
                (grad[k] - fd).abs() < 1e-7 * fd.abs().max(1.0),
                "{act:?} layer {k}: {} vs {fd}",
                grad[k]
            );
        }
        for (c11, c12, c22) in [(1.0, 0.3, 0.7), (0.5, -0.4, 2.0), (2.0, 1.9, 2.0)] {
            let d = act.kernel_grad(c11, c12, c22).unwrap();
            let h = 1e-6;
            let f = |a: f64, b: f64, c: f64| act.kernel(a, b, c).unwrap();
            let fd = [
                (f(c11 + h, c12, c22) - f(c11 - h, c12, c22)) / (2.0 * h),
                (f(c11, c12 + h, c22) - f(c11, c12 - h, c22)) / (2.0 * h),
                (f(c11, c12, c22 + h) - f(c11, c12, c22 - h)) / (2.0 * h),
            ];
            for k in 0..3 {
                assert!(
                    (d[k + 1] - fd[k]).abs() < 1e-7,
                    "{act:?} {k}: {d:?} vs {fd:?}"
                );
            }
            let c = c11;
            let dd = act.diag_kernel_grad(c).unwrap()[1];
            let fdd = (f(c + h, c + h, c + h) - f(c - h, c - h, c - h)) / (2.0 * h);
            assert!((dd - fdd).abs() < 1e-7, "{act:?} diag: {dd} vs {fdd}");
        }
    }
}
