//! `nnlimits spectrum|validate gep`: outputs, JSON fields, exit codes (runs the real binary).

use crate::common;
use common::nnlimits;

#[test]
fn spectrum_gep_reference_points_and_constants() {
    // docs/models/fim.md (F32), ReLU at c = 0.5
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "gep",
        "--activation",
        "relu",
        "--ratio",
        "0.5",
        "--at",
        "-0.5,0,0.5,1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = [0.82701, 0.78141, 0.44939, 0.09067];
    for (p, w) in v["points"].as_array().unwrap().iter().zip(want) {
        assert!((p["density"].as_f64().unwrap() - w).abs() <= 5e-6, "{p}");
    }
    assert!((v["params"]["theta2_sq"].as_f64().unwrap() - 0.045423).abs() < 5e-7);
    assert!((v["moments"][1].as_f64().unwrap() - 0.170423).abs() < 5e-7);
    assert!((v["total_mass_quadrature"].as_f64().unwrap() - 1.0).abs() < 1e-8);
    assert_eq!(v["support"].as_array().unwrap().len(), 1);
    // from constants: θ1 = 0 is the semicircle of variance θ2² (ρ(0) = 1/(π √θ2²))
    let (code, out, _) = nnlimits(&["spectrum", "gep", "--thetas", "0,0.25", "--at", "0"]);
    assert_eq!(code, 0);
    let rho: f64 = out
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!((rho - 2.0 / std::f64::consts::PI).abs() < 1e-9, "{out}");
    // cube by name, a CSV grid
    let (code, out, _) = nnlimits(&["spectrum", "gep", "--activation", "cube", "--points", "7"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 8);
}

#[test]
fn bad_input_exits_2() {
    for (args, word) in [
        (vec!["spectrum", "gep", "--ratio", "-1"], "ratio"),
        (
            vec!["spectrum", "gep", "--activation", "sigmoid"],
            "activation",
        ),
        (vec!["spectrum", "gep", "--thetas", "1"], "thetas"),
        (vec!["spectrum", "gep", "--thetas", "1,-0.5"], "theta2_sq"),
        (vec!["validate", "gep", "--n", "1"], "n"),
    ] {
        let (code, _, err) = nnlimits(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.starts_with("error:") && err.contains(word),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn validate_gep_passes_writes_outputs_and_fails_a_wrong_theory() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("gep.svg");
    let report = dir.path().join("gep.json");
    let (code, out, err) = nnlimits(&[
        "validate",
        "gep",
        "--activation",
        "tanh",
        "--n",
        "300",
        "--m",
        "600",
        "--samples",
        "4",
        "--seed",
        "8",
        "--plot",
        plot.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verdict: PASS"), "{out}");
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["sampled"]["n"], 300);
    // ReLU data against the naive linearisation 0.5 (MP - 1) (no semicircle part): refused
    let (code, out, _) = nnlimits(&[
        "validate",
        "gep",
        "--activation",
        "relu",
        "--n",
        "300",
        "--m",
        "600",
        "--samples",
        "4",
        "--seed",
        "8",
        "--theory-thetas",
        "0.5,0",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("verdict: FAIL"));
}
