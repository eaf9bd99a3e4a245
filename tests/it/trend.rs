//! `validate … --trend` (the claim about the limit) and `nnlimits calibrate` through the CLI, and the
//! declared size flags of every registered model.

use crate::common::nnlimits as run;
use nnlimits::registry::{self, scale};

/// Extra flags a model's `validate` needs (required ones) and small sizes for the costly theories.
fn needs(name: &str) -> &'static [&'static str] {
    match name {
        "ck-deep" | "fim-deep" => &["--depth", "2", "--n", "80", "--d", "80"],
        "expr" => &["--n", "80", "--", "mp(0.5) + sc(0.5)"],
        "fim-data" | "ck-data" => &["--n", "64", "--d", "16", "--width", "32"],
        "fim-outputs" => &[
            "--activation",
            "linear",
            "--n",
            "60",
            "--d",
            "80",
            "--width",
            "160",
            "--outputs",
            "16",
        ],
        "hessian" => &["--n", "84", "--d", "4", "--width", "10"],
        _ => &[],
    }
}

#[test]
fn every_model_with_sizes_scales_them_together_and_keeps_its_law() {
    let mut scaled = 0;
    for e in registry::all() {
        let Some(cmd) = e.calibrate_command() else {
            assert!(e.sizes().is_empty(), "{}", e.name());
            continue;
        };
        let mut words = vec![e.name(), "--out", "unused.json"];
        words.extend_from_slice(needs(e.name()));
        let m = cmd.clone().try_get_matches_from(&words).unwrap();
        let plain = e.plan_at(&m, 1.0).unwrap();
        // factor 1 through the rebuilt arguments is the plain plan
        let again = scale::reparse(
            cmd.clone(),
            scale::scaled_words(&cmd, &m, e.sizes(), 1.0).unwrap(),
        )
        .unwrap();
        let same = e.plan_at(&again, 1.0).unwrap();
        assert_eq!(
            plain.sampler.describe(),
            same.sampler.describe(),
            "{}",
            e.name()
        );
        assert_eq!(plain.theory.params(), same.theory.params(), "{}", e.name());
        // half the sizes: another system, the same limit law (ratios kept), except the fixed-data
        // laws, which are the laws of the data set drawn at that size
        let half = e.plan_at(&m, 0.5).unwrap();
        assert_ne!(
            plain.sampler.describe(),
            half.sampler.describe(),
            "{}",
            e.name()
        );
        if !e.name().ends_with("-data") {
            assert_eq!(plain.theory.params(), half.theory.params(), "{}", e.name());
        }
        scaled += 1;
    }
    assert!(scaled >= 12, "{scaled} models declare their sizes");
}

#[test]
fn trend_of_a_true_law_passes_and_of_a_near_miss_fails() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("t.json");
    let plot = dir.path().join("t.svg");
    let base = [
        "validate",
        "mp",
        "--ratio",
        "0.5",
        "--size",
        "400",
        "--samples",
        "6",
        "--seed",
        "3",
    ];
    let mut args = base.to_vec();
    args.extend([
        "--trend",
        "--report",
        report.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("trend validation") && out.contains("n = [400, 200, 100]"),
        "{out}"
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["trend"]["sizes"], serde_json::json!([400, 200, 100]));
    assert_eq!(r["trend"]["first_streams"], serde_json::json!([0, 6, 12]));
    assert_eq!(r["trend"]["reports"].as_array().unwrap().len(), 3);
    assert!(r["provenance"]["command"]
        .as_str()
        .unwrap()
        .contains("--trend"));
    for c in r["trend"]["extrapolations"].as_array().unwrap() {
        assert!(c["std_error"].as_f64().unwrap() > 0.0, "{c}");
        assert!(c["rate"].as_f64().unwrap() > 0.0, "{c}");
    }
    assert!(std::fs::read_to_string(&plot)
        .unwrap()
        .contains("trend over n"));
    // the requested size's draws are those of the plain run
    let plain_report = dir.path().join("p.json");
    let mut plain = base.to_vec();
    plain.extend(["--report", plain_report.to_str().unwrap()]);
    assert!(run(&plain).0 <= 1);
    let p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plain_report).unwrap()).unwrap();
    assert_eq!(p["checks"], r["trend"]["reports"][0]["checks"]);
    // 10% off in the ratio: the deviation levels off
    let mut wrong = base.to_vec();
    wrong.extend(["--theory-ratio", "0.55", "--trend"]);
    let (code, out, _) = run(&wrong);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL m2"), "{out}");
}

#[test]
fn trend_refuses_what_cannot_scale() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ev.csv");
    std::fs::write(&file, "0.5\n1.0\n1.5\n").unwrap();
    let (code, _, err) = run(&[
        "validate",
        "mp",
        "--trend",
        "--eigenvalues",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--eigenvalues") && err.contains("one size"),
        "{err}"
    );
    let (code, _, err) = run(&["validate", "mp", "--trend-factors", "1,0.5"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["validate", "mp", "--trend", "--trend-factors", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("trend-factors"), "{err}");
}

#[test]
fn calibrate_writes_a_record_and_never_clobbers_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mp.json");
    let args = |o: &str| -> Vec<String> {
        [
            "--quiet",
            "calibrate",
            "mp",
            "--ratio",
            "0.5",
            "--size",
            "60",
            "--samples",
            "3",
            "--seeds",
            "2",
            "--factors",
            "0.5,1",
            "--out",
            o,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let a = args(out.to_str().unwrap());
    let words: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, text, err) = run(&words);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("calibration record `mp`"), "{text}");
    let rec: nnlimits::validate::calibrate::Calibration =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(rec.sizes, [30, 60]);
    assert_eq!(rec.seeds, [1000, 1001]);
    assert!(rec.command.unwrap().contains("calibrate mp"));
    // replacing a record is allowed; replacing another file is refused (exit 2, file untouched)
    assert_eq!(run(&words).0, 0);
    let other = dir.path().join("claims.json");
    std::fs::write(&other, "[]").unwrap();
    let a = args(other.to_str().unwrap());
    let words: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, _, err) = run(&words);
    assert_eq!(code, 2);
    assert!(err.contains("calibration record"), "{err}");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "[]");
    // models without a spectral validator have no `calibrate`
    assert_eq!(run(&["calibrate", "dln", "--out", "x.json"]).0, 2);
}
