//! The claim catalogue: the fast subset of `validation/` passes, a deliberately wrong claim fails with
//! a clear report line, and results are cached (resumable).

use crate::common;
use common::nnlimits as run;

#[test]
fn fast_subset_of_the_catalogue_passes_and_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, err) = run(&["check", "validation", "--fast", "--out", out]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("claims confirmed"));
    let md = std::fs::read_to_string(dir.path().join("index.md")).unwrap();
    assert!(md.contains("| ✅ |"));
    assert!(dir.path().join("index.html").exists());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    // every fast claim of the catalogue ran and reached its expected verdict (true claims pass,
    // negative and near-miss controls fail), and its report names the check that decided it
    let fast = nnlimits::check::load(std::path::Path::new("validation"))
        .unwrap()
        .into_iter()
        .filter(|c| c.fast)
        .count();
    let list = results.as_array().unwrap();
    assert_eq!(list.len(), fast);
    assert!(
        list.iter().any(|r| r["claim"]["expect"] == "fail"),
        "the fast subset holds negative controls"
    );
    for r in list {
        let id = &r["claim"]["id"];
        assert_eq!(r["confirmed"], true, "{id}");
        assert_eq!(r["report"]["verdict"], r["claim"]["expect"], "{id}");
        assert!(r["report"]["decided_by"]["check"].is_string(), "{id}");
    }
    for r in results.as_array().unwrap() {
        let id = r["claim"]["id"].as_str().unwrap();
        assert!(
            dir.path().join("plots").join(format!("{id}.svg")).exists(),
            "{id}"
        );
    }
    // second run: every result comes from the cache
    let (code, _, _) = run(&["check", "validation", "--fast", "--out", out]);
    assert_eq!(code, 0);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    assert!(results
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["cached"] == true));
}

#[test]
fn a_wrong_claim_fails_with_a_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(&[
        "check",
        "tests/fixtures/wrong-claim",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("mp-wrong-claim"))
        .unwrap();
    assert!(
        line.starts_with("FAIL mp-wrong-claim: fail (expected pass)"),
        "{line}"
    );
    assert!(line.contains("FAILED ks"), "{line}");
    let md = std::fs::read_to_string(dir.path().join("index.md")).unwrap();
    assert!(md.contains("❌") && md.contains("**FAILED** ks"));
}

#[test]
fn bad_catalogues_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
    let (code, _, err) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot parse"), "{err}");
    let (code, _, err) = run(&["check", "/nonexistent-dir"]);
    assert_eq!(code, 2, "{err}");
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"id": "x", "model": "mp", "title": "t", "source": "s", "command": ["spectrum", "mp"], "tolerance": "t", "expect": "pass"}"#,
    )
    .unwrap();
    let (code, _, err) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("must start with `validate`"), "{err}");
}
