//! `spectrum fim --depth L` and `validate fim --depth L` (the registered variant `fim-deep`,
//! docs/models/ntk-deep.md) through the real binary: variant selection, JSON law, a small
//! validation, typed refusals (exit 2).

use crate::common::nnlimits;

#[test]
fn depth_selects_the_deep_ntk() {
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--depth",
        "2",
        "--activation",
        "tanh",
        "--width-ratios",
        "1.5,1.5",
        "--at",
        "1,2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["model"], "fim-deep", "{out}");
    let tau = v["params"]["tau"].as_array().expect("tau");
    assert_eq!(tau.len(), 3, "{out}");
    assert!(v["params"]["r_plus"].as_f64().unwrap() > 0.0, "{out}");
    // the shallow law is unchanged without --depth
    let (code, out, _) = nnlimits(&["spectrum", "fim", "--at", "1", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"fim\""), "{out}");
}

#[test]
fn validate_and_refusals() {
    let (code, out, err) = nnlimits(&[
        "validate",
        "fim",
        "--depth",
        "2",
        "--activation",
        "erf",
        "--n",
        "150",
        "--d",
        "150",
        "--widths",
        "200,200",
        "--samples",
        "2",
        "--quiet",
    ]);
    assert!(code == 0, "{out}\n{err}");
    // non-centred activation at depth 2: typed refusal naming the activation
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--depth", "2", "--activation", "relu"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error:") && err.contains("activation"),
        "{err}"
    );
    // a flag of the shallow fim is refused by the variant
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--depth", "2", "--trained", "first"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--depth", "2", "--width-ratios", "1"]);
    assert_eq!(code, 2, "{err}");
}

/// `--centre` on the deep CK and NTK: ReLU accepted at depth 2 (refused without it), the centring
/// constants in the JSON layers, `--centre=true` (the expression-leaf spelling) accepted, and
/// `--theory-sigma-w2` checked.
#[test]
fn centred_relu_through_the_cli() {
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "spectrum",
            "fim",
            "--depth",
            "2",
            "--activation",
            "relu",
            "--width-ratio",
            "1.5",
            "--at",
            "1",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        a
    };
    let (code, _, err) = nnlimits(&args(&[]));
    assert_eq!(
        code, 2,
        "relu at depth 2 without --centre must be refused: {err}"
    );
    assert!(err.contains("--centre"), "{err}");
    for flag in ["--centre", "--centre=true"] {
        let (code, out, err) = nnlimits(&args(&[flag]));
        assert_eq!(code, 0, "{flag}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let shift = v["params"]["layers"][1]["forward"]["shift"]
            .as_f64()
            .expect(&out);
        assert!(shift > 0.0, "{out}");
    }
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "ck",
        "--depth",
        "3",
        "--activation",
        "relu",
        "--centre",
        "--at",
        "0.05",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"centred\""), "{out}");
    let (code, _, err) = nnlimits(&[
        "validate",
        "ck",
        "--depth",
        "2",
        "--n",
        "50",
        "--d",
        "50",
        "--theory-sigma-w2",
        "-1",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("theory-sigma-w2"), "{err}");
}

/// The centred ReLU at depth 3 is judged with its own calibrated finite-width bias (record
/// `fim-deep-centred-L3`, docs/models/ntk-deep.md, "Diagnosis"): the true law passes at n = 300 and a
/// law 10% off in σ_w² fails; depth 4 has no record, falls back to the declared bias and says it is
/// not confirmed.
#[test]
fn centred_relu_depth_three_uses_its_own_record() {
    let base = [
        "validate",
        "fim",
        "--depth",
        "3",
        "--activation",
        "relu",
        "--centre",
        "--n",
        "300",
        "--d",
        "300",
        "--widths",
        "450,450,450",
        "--samples",
        "4",
        "--seed",
        "3",
    ];
    let (code, out, err) = nnlimits(&base);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("calibration record `fim-deep-centred-L3`"),
        "{out}"
    );
    assert!(!out.contains("NOT confirmed"), "{out}");
    let wrong: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--theory-sigma-w2", "1.1"])
        .collect();
    let (code, out, err) = nnlimits(&wrong);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("FAIL m1"), "{out}");
    let (code, out, err) = nnlimits(&[
        "validate",
        "fim",
        "--depth",
        "4",
        "--activation",
        "relu",
        "--centre",
        "--n",
        "100",
        "--d",
        "100",
        "--widths",
        "150,150,150,150",
        "--samples",
        "2",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(out.contains("NOT confirmed"), "{out}");
    assert!(
        out.contains("no calibration record for `fim-deep-centred-L4`"),
        "{out}"
    );
}

/// `--bias-coeff` replaces the calibration record (it used to be ignored when a record existed),
/// and the notes say which allowance was used.
#[test]
fn bias_coeff_overrides_the_calibration_record() {
    let run = |extra: &[&str]| {
        let mut a = vec![
            "validate",
            "fim",
            "--depth",
            "2",
            "--n",
            "100",
            "--d",
            "100",
            "--samples",
            "3",
        ];
        a.extend_from_slice(extra);
        let (code, out, err) = nnlimits(&a);
        assert!(code == 0 || code == 1, "{err}");
        out
    };
    let calibrated = run(&[]);
    assert!(
        calibrated.contains("calibration record `fim-deep`"),
        "{calibrated}"
    );
    let given = run(&["--bias-coeff", "3"]);
    assert!(
        given.contains("b n^-r = 3.00e-1 as given (--bias-coeff)"),
        "{given}"
    );
    assert!(
        given.contains("with b = 3, r = 0.5 (--bias-coeff)"),
        "{given}"
    );
    assert!(!given.contains("calibration record `fim-deep`"), "{given}");
}
