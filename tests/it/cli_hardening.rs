//! Reproducers of the hardening issue, run through the binary: each must give a clear `error:` line
//! and exit 2 (or the documented behaviour), never a silent mistake.

use crate::common;

fn refused(args: &[&str], needle: &str) {
    let (code, out, err) = common::nnlimits(args);
    assert_eq!(code, 2, "{args:?}: exit {code}, stdout {out}");
    assert!(err.starts_with("error:"), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: `{needle}` not in {err}");
}

#[test]
fn an_empty_list_item_is_refused() {
    refused(&["spectrum", "mp", "--at", "1,,2"], "empty item");
    refused(&["spectrum", "mp", "--at", "1,2,"], "empty item");
}

#[test]
fn non_finite_values_reach_the_models_validation() {
    refused(&["spectrum", "mp", "--scale", "-inf"], "scale");
    refused(&["spectrum", "mp", "--ratio", "-NaN"], "ratio");
    refused(
        &["spectrum", "semicircle", "--variance", "-inf"],
        "variance",
    );
}

#[test]
fn a_bad_theory_parameter_is_named_as_such() {
    refused(
        &["validate", "mp", "--theory-ratio", "nan", "--size", "10"],
        "theory-ratio",
    );
}

#[test]
fn check_refuses_links_out_of_the_catalogue_and_unknown_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.json"), "[]").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    let d = dir.path().to_str().unwrap();
    refused(
        &["check", d, "--out", outside.path().to_str().unwrap()],
        "outside the catalogue folder",
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.json"),
        r#"[{"id": "mp-typo", "model": "mp", "command": ["validate", "mp", "--size", "50", "--samples", "2"],
            "expect": "pass", "statistics": ["kss"], "source": "test", "title": "typo", "tolerance": "default"}]"#,
    )
    .unwrap();
    let report = tempfile::tempdir().unwrap();
    let (code, out, err) = common::nnlimits(&[
        "--quiet",
        "check",
        dir.path().to_str().unwrap(),
        "--out",
        report.path().to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(out.contains("unknown statistics kss"), "{out}{err}");
}
