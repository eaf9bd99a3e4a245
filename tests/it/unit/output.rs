use nnlimits::output::*;

/// A validation run as a library call hands back the report `--report` writes and the pooled
/// eigenvalues its checks used, with the given command line as provenance; outside a capture
/// nothing is kept.
#[test]
fn validation_capture_keeps_report_and_pooled_eigenvalues() {
    record_pooled(&[1.0]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let words: Vec<String> = [
        "nnlimits",
        "--quiet",
        "validate",
        "mp",
        "--ratio",
        "0.5",
        "--size",
        "120",
        "--samples",
        "3",
        "--seed",
        "4",
        "--report",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([file.display().to_string()])
    .collect();
    let cli = nnlimits::cli::parse(words.clone()).unwrap();
    let ((res, stdout), got) = nnlimits::io::Provenance::scoped(&words, || {
        capture_validation(|| capture(|| nnlimits::cli::dispatch(&cli)))
    });
    assert_eq!(res.unwrap(), Outcome::Passed);
    assert!(stdout.contains("verdict: PASS"), "{stdout}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(got.report.as_ref(), Some(&written));
    let command = written["provenance"]["command"].as_str().unwrap();
    assert!(
        command.starts_with("nnlimits --quiet validate mp --ratio 0.5 --size 120"),
        "{command}"
    );
    // the pooled eigenvalues are the sample the checks used: their mean is the observed m1
    let pooled = got.pooled.unwrap();
    assert!(pooled.len() >= 3 * 60 && pooled.windows(2).all(|w| w[0] <= w[1]));
    let m1 = written["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "m1")
        .unwrap()["observed"]
        .as_f64()
        .unwrap();
    let mean = pooled.iter().sum::<f64>() / pooled.len() as f64;
    assert!((mean - m1).abs() < 1e-12, "{mean} vs {m1}");
    // nested captures restore the outer one; after the capture nothing is kept
    let (_, outer) = capture_validation(|| {
        let (_, inner) = capture_validation(|| record_pooled(&[2.0]));
        assert_eq!(inner.pooled, Some(vec![2.0]));
    });
    assert!(outer.pooled.is_none() && outer.report.is_none());
}
