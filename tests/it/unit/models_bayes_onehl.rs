use nnlimits::models::bayes::data::{make_ds, tiny};
use nnlimits::models::bayes::kernels::Activation;
use nnlimits::models::bayes::onehl::*;

/// Reference values (docs/models/bayes.md) TINY: erf and ReLU kernels, N1 = 10 and 3 (10
/// digits).
#[test]
fn tiny_one_hidden_layer_reference() {
    let g = tiny(1).unwrap().gram(1.0).unwrap();
    let k = Activation::Erf.map_gram(&g, 1.0).unwrap();
    for (i, v) in [0.171844555, 0.1281884337, 0.2619797609].iter().enumerate() {
        assert!((k.c0[(0, i)] - v).abs() < 1e-9);
    }
    let sp = BayesNonlinear::one_hidden(Activation::Erf, 10, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((sp.root.q - 1.0853255695).abs() < 1e-9);
    assert!((sp.prediction.mean[0] - 0.5448817367).abs() < 1e-9);
    assert!((sp.prediction.var[0] - 0.3347556922).abs() < 1e-9);
    assert!((sp.prediction.eps_g - 0.3367700625).abs() < 1e-9);
    let sp = BayesNonlinear::one_hidden(Activation::Erf, 3, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((sp.root.q - 1.2090778746).abs() < 1e-9);
    assert!((sp.prediction.mean[0] - 0.5556743273).abs() < 1e-9);
    assert!((sp.prediction.var[0] - 0.3702078329).abs() < 1e-9);
    assert!((sp.prediction.eps_g - 0.3733074636).abs() < 1e-9);
    let sp = BayesNonlinear::one_hidden(Activation::Relu, 10, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((sp.root.q - 1.0997759498).abs() < 1e-9);
    assert!((sp.prediction.mean[0] - 0.5557337691).abs() < 1e-9);
    assert!((sp.prediction.var[0] - 0.2837365982).abs() < 1e-9);
    assert!((sp.prediction.eps_g - 0.2868428512).abs() < 1e-9);
    let sp = BayesNonlinear::one_hidden(Activation::Relu, 3, 0.1)
        .unwrap()
        .saddle(&g)
        .unwrap();
    assert!((sp.root.q - 1.2506413743).abs() < 1e-9);
    assert!((sp.prediction.eps_g - 0.3235102628).abs() < 1e-9);
}

/// Reference values (docs/models/bayes.md) make_ds(50, 20, 50, 7), erf, T = 0.1 (6 digits; S to
/// 8) and ReLU N1 = 50.
#[test]
fn dataset_one_hidden_layer_reference() {
    let g = make_ds(50, 20, 50, 7).unwrap().gram(1.0).unwrap();
    let m = |n| BayesNonlinear::one_hidden(Activation::Erf, n, 0.1).unwrap();
    let ng = m(50).nngp(&g).unwrap();
    assert!((ng.eps_g - 0.311787).abs() < 1e-6 && (ng.bias2 - 0.089514).abs() < 1e-6);
    for (n, q, e, b, v) in [
        (25, 1.289610, 0.353670, 0.081929, 0.271741),
        (50, 1.202986, 0.340967, 0.083832, 0.257135),
        (200, 1.075256, 0.322485, 0.087170, 0.235315),
    ] {
        let sp = m(n).saddle(&g).unwrap();
        assert!((sp.root.q - q).abs() < 1e-6, "{n}: {}", sp.root.q);
        assert!((sp.prediction.eps_g - e).abs() < 1e-6);
        assert!(
            (sp.prediction.bias2 - b).abs() < 1e-6 && (sp.prediction.variance - v).abs() < 1e-6
        );
        if n == 50 {
            assert!((sp.root.action - 1.33148306).abs() < 1e-8);
        }
    }
    let r = BayesNonlinear::one_hidden(Activation::Relu, 50, 0.1).unwrap();
    let sp = r.saddle(&g).unwrap();
    assert!((sp.root.q - 1.335765).abs() < 1e-6 && (sp.prediction.eps_g - 0.426975).abs() < 1e-6);
    assert!((r.nngp(&g).unwrap().eps_g - 0.369966).abs() < 1e-6);
}

/// Deep erf variants on make_ds(50, 20, 50, 7), widths 50 (reference values,
/// docs/models/bayes.md).
#[test]
fn deep_variants_reference() {
    let g = make_ds(50, 20, 50, 7).unwrap().gram(1.0).unwrap();
    let m = |l| BayesNonlinear::new(Activation::Erf, 50, l, vec![1.0; l], 0.1).unwrap();
    let v2 = m(2).saddle(&g).unwrap();
    assert!(
        (v2.root.q_layers[0] - 1.271551).abs() < 1e-6 && (v2.root.action - 2.45008408).abs() < 1e-8
    );
    assert!((v2.prediction.eps_g - 0.361853).abs() < 1e-6);
    let v3 = m(3).saddle(&g).unwrap();
    assert!(
        (v3.root.q_layers[0] - 1.267779).abs() < 1e-6 && (v3.root.action - 3.50933992).abs() < 1e-8
    );
    assert!((v3.prediction.eps_g - 0.382699).abs() < 1e-6);
    assert!((m(2).nngp(&g).unwrap().eps_g - 0.293126).abs() < 1e-6);
    let n2 = m(2).nested_saddle(&g).unwrap();
    assert!(
        (n2.q_layers[0] - 1.14156).abs() < 1e-5 && (n2.q_layers[1] - 1.362011).abs() < 1e-6,
        "{:?}",
        n2.q_layers
    );
    assert!((n2.action - 2.48763385).abs() < 1e-8 && (n2.prediction.eps_g - 0.348497).abs() < 1e-6);
}

#[test]
fn bad_parameters() {
    assert!(BayesNonlinear::new(Activation::Erf, 0, 1, vec![1.0], 0.1).is_err());
    assert!(BayesNonlinear::new(Activation::Erf, 5, 2, vec![1.0], 0.1).is_err());
    assert!(BayesNonlinear::new(Activation::Erf, 5, 1, vec![1.0], -0.1).is_err());
}
