//! `spectrum|validate expr` and `validate <model> --eigenvalues FILE` through the binary.

use crate::common;
use nnlimits::model::Sampler;

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = common::nnlimits(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn spectrum_expr_and_model_leaves() {
    let v = json(&[
        "spectrum",
        "expr",
        "mp(0.5) + sc(1)",
        "--at",
        "0,1",
        "--format",
        "json",
    ]);
    assert!(v["points"][1]["density"].as_f64().unwrap() > 0.0);
    // a registry model as a leaf is that model's law
    let leaf = json(&[
        "spectrum",
        "expr",
        "gep(activation=relu, ratio=0.5)",
        "--at",
        "0.5,1",
        "--format",
        "json",
    ]);
    let direct = json(&[
        "spectrum",
        "gep",
        "--activation",
        "relu",
        "--ratio",
        "0.5",
        "--at",
        "0.5,1",
        "--format",
        "json",
    ]);
    for k in 0..2 {
        let (a, b) = (
            leaf["points"][k]["density"].as_f64().unwrap(),
            direct["points"][k]["density"].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn a_malformed_expression_names_the_column() {
    let (code, _, err) = common::nnlimits(&["spectrum", "expr", "mp(0.5) + * sc(1)"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error:") && err.contains("column"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let (code, _, err) = common::nnlimits(&["spectrum", "expr", "nosuchmodel(a=1)"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = common::nnlimits(&["spectrum", "expr", "gep(at=1)"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn validate_expr_passes_a_true_claim_and_fails_a_changed_parameter() {
    let base = [
        "--quiet",
        "validate",
        "expr",
        "mp(0.5) + sc(0.5)",
        "--n",
        "300",
        "--samples",
        "6",
    ];
    let (code, out, err) = common::nnlimits(&base);
    assert_eq!(code, 0, "{out}{err}");
    let mut wrong = base.to_vec();
    wrong.extend(["--theory", "mp(0.5) + sc(0.75)"]);
    let (code, out, _) = common::nnlimits(&wrong);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn eigenvalues_from_a_file_reproduce_the_built_in_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let r1 = dir.path().join("r1.json");
    let r2 = dir.path().join("r2.json");
    let file = dir.path().join("ev.csv");
    let (code, _, err) = common::nnlimits(&[
        "--quiet",
        "validate",
        "mp",
        "--size",
        "200",
        "--samples",
        "4",
        "--seed",
        "3",
        "--report",
        r1.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // the same draws, written by the library from the same streams
    let s = nnlimits::models::mp::WishartSampler::new(200, 400, 1.0).unwrap();
    let draws: Vec<Vec<f64>> = (0..4)
        .map(|i| s.sample(&mut nnlimits::rng::stream(3, i)).unwrap())
        .collect();
    nnlimits::validate::eigfile::write_draws(&file, &draws).unwrap();
    let (code, _, err) = common::nnlimits(&[
        "--quiet",
        "validate",
        "mp",
        "--size",
        "200",
        "--eigenvalues",
        file.to_str().unwrap(),
        "--report",
        r2.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&r1).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&r2).unwrap()).unwrap();
    assert_eq!(a["verdict"], b["verdict"]);
    assert_eq!(a["checks"], b["checks"]);
    // --samples does not apply to a file
    let (code, _, _) = common::nnlimits(&[
        "validate",
        "mp",
        "--eigenvalues",
        file.to_str().unwrap(),
        "--samples",
        "3",
    ]);
    assert_eq!(code, 2);
}

/// `spiked(A, θ…)`: `spectrum expr` reports the outliers in its JSON parameters (Wigner plus rank
/// one: `θ + 1/θ` above the threshold, `null` below it) and in the text header.
#[test]
fn spiked_terms_report_their_outliers() {
    let v = json(&[
        "spectrum",
        "expr",
        "sc(1) + spiked(0, 3, 0.5)",
        "--at",
        "0",
        "--format",
        "json",
    ]);
    let o = v["params"]["outliers"].as_array().expect("outliers");
    assert_eq!(o.len(), 2, "{v}");
    let z = o[0]["location"].as_f64().expect("an outlier");
    assert!((z - (3.0 + 1.0 / 3.0)).abs() < 1e-8, "{z}");
    assert!(o[1]["location"].is_null(), "{v}");
    let (code, out, err) = common::nnlimits(&[
        "spectrum",
        "expr",
        "sc(1) + spiked(0, 3)",
        "--at",
        "0",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("outliers") && out.contains("3.33333"), "{out}");
}

/// An expression of at most 10 000 characters could hold 1000 free sums, whose joint solve ran for
/// hours: more than `MAX_OPERATIONS` free operations are refused at once (exit 2), naming the limit;
/// scalars and shifts do not count, and `MAX_OPERATIONS` operations still parse.
#[test]
fn too_many_free_operations_are_refused_before_any_solve() {
    use nnlimits::models::free::{Expression, MAX_OPERATIONS};
    let sum = |k: usize| vec!["mp(0.5)"; k].join(" + ");
    let (code, _, err) = common::nnlimits(&["spectrum", "expr", &sum(1000)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("more than {MAX_OPERATIONS} free operations")),
        "{err}"
    );
    // 17 `pop`s joined by 16 sums: 33 operations
    let pops = vec!["pop(mp(0.5), 0.5)"; 17].join(" + ");
    assert_eq!(MAX_OPERATIONS, 32);
    let (code, _, err) = common::nnlimits(&["validate", "expr", &pops]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("free operations"), "{err}");
    assert!(Expression::parse_plain(&sum(MAX_OPERATIONS + 1)).is_ok());
    assert!(Expression::parse_plain(&sum(MAX_OPERATIONS + 2)).is_err());
    assert!(Expression::parse_plain(&format!("2 * ({}) + 3 - 1", sum(MAX_OPERATIONS + 1))).is_ok());
}

/// The file of an `eig("...")` leaf is an input: `--out`, `--plot` and `--report` naming it are
/// refused (exit 2) and the file is untouched, also through `./` and in `--theory`.
#[test]
fn an_output_never_overwrites_the_file_of_an_eig_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev.csv");
    let text = "0.5\n1\n1.5\n";
    std::fs::write(&ev, text).unwrap();
    let path = ev.to_str().unwrap().to_string();
    let dotted = format!("{}/./ev.csv", dir.path().display());
    let leaf = format!("mp(0.5) + eig(\"{path}\")");
    let theory = format!("eig( \"{dotted}\" )");
    for args in [
        vec!["spectrum", "expr", &leaf, "--out", &path, "--points", "3"],
        vec![
            "spectrum", "expr", &leaf, "--plot", &dotted, "--points", "3",
        ],
        vec!["validate", "expr", &leaf, "--report", &path, "--n", "3"],
        vec![
            "validate", "expr", "mp(1)", "--theory", &theory, "--plot", &path,
        ],
    ] {
        let (code, _, err) = common::nnlimits(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("must be a different file from the input eig("),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&ev).unwrap(), text, "{args:?}");
    }
    let other = dir.path().join("other.csv");
    let (code, _, err) = common::nnlimits(&[
        "spectrum",
        "expr",
        &leaf,
        "--out",
        other.to_str().unwrap(),
        "--points",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        nnlimits::models::free::eig_files("eig(\"a b.csv\") + 2 * eig (\"c\") + sig(1)"),
        ["a b.csv", "c"]
    );
}
