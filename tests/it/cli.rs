//! The command line: outputs, exit codes, errors (runs the real binary).

use crate::common;
use common::nnlimits;

#[test]
fn spectrum_mp_matches_closed_form_at_points() {
    for ratio in ["0.3", "1", "2", "10"] {
        let (code, out, _) = nnlimits(&[
            "spectrum",
            "mp",
            "--ratio",
            ratio,
            "--method",
            "fixed-point",
            "--at",
            "0.7,1.2,2.0",
        ]);
        assert_eq!(code, 0);
        let c: f64 = ratio.parse().unwrap();
        let m = nnlimits::models::mp::MarchenkoPastur::new(c, 1.0).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "x,density");
        for l in &lines[1..] {
            let v: Vec<f64> = l.split(',').map(|t| t.parse().unwrap()).collect();
            let exact = m.density_closed(v[0]);
            assert!(
                (v[1] - exact).abs() <= 1e-8 * exact.max(1e-300),
                "{ratio}: {l} vs {exact}"
            );
        }
    }
    let (code, out, _) = nnlimits(&[
        "spectrum", "mp", "--ratio", "2", "--format", "json", "--points", "5",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["atoms"][0]["mass"], 0.5);
    assert_eq!(v["moments"][1], 3.0);
    assert_eq!(v["points"].as_array().unwrap().len(), 5);
    assert!(v["provenance"]["command"]
        .as_str()
        .unwrap()
        .contains("spectrum mp"));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for args in [
        vec!["spectrum", "mp", "--ratio", "0"],
        vec!["spectrum", "mp", "--ratio", "-1"],
        vec!["spectrum", "mp", "--ratio", "nan"],
        vec!["spectrum", "mp", "--at", "1,x"],
        vec!["validate", "mp", "--size", "0"],
        vec!["validate", "mp", "--samples", "0"],
        vec!["validate", "mp", "--report", "/nonexistent-dir/r.json"],
        vec!["spectrum", "mp", "--out", "/nonexistent-dir/o.csv"],
    ] {
        let (code, out, err) = nnlimits(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn validate_mp_passes_and_fails_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("mp.svg");
    let report = dir.path().join("mp.json");
    let (code, out, _) = nnlimits(&[
        "validate",
        "mp",
        "--ratio",
        "0.5",
        "--size",
        "400",
        "--samples",
        "5",
        "--seed",
        "1",
        "--plot",
        plot.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("verdict: PASS"));
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["seed"], 1);
    let (code, out, _) = nnlimits(&[
        "validate",
        "mp",
        "--ratio",
        "0.5",
        "--theory-ratio",
        "0.6",
        "--size",
        "400",
        "--samples",
        "5",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("verdict: FAIL"));
}

/// Found by tests/cli_properties.rs: `nnlimits` (or `nnlimits spectrum`) without a subcommand exited 2
/// with the help text but no `error:` line.
#[test]
fn missing_subcommand_is_an_error_line() {
    for args in [vec![], vec!["spectrum"], vec!["law"]] {
        let (code, out, err) = nnlimits(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(
            err.starts_with("error: a subcommand is required\n"),
            "{args:?}: {err}"
        );
        assert!(err.contains("Usage:"), "{err}");
    }
}
