//! Golden test: every numeric example of README.md and docs/guide.md (listed in
//! tests/golden/examples.txt) gives the same numbers, to 1e-12, as the binary before the model registry
//! (tests/golden/*.json). What a validation *computes* (theory and observed values of each check) is
//! compared; its tolerances and verdicts are the validator's rules, which may be recalibrated (and so
//! is the histogram binning behind `l1_histogram`).

use crate::common;

use serde_json::Value;
use std::path::Path;

/// Keys never compared: provenance and command lines (they name the binary and the time), rule texts,
/// tolerances, verdicts and notes of validations (the validator's rules, not the model's numbers).
const SKIP: &[&str] = &[
    "provenance",
    "command",
    "rule",
    "tolerance",
    "pass",
    "verdict",
    "notes",
    "std_error",
    "checks",
];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn compare(expected: &Value, actual: &Value, path: &str, diffs: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                if SKIP.contains(&k.as_str()) {
                    continue;
                }
                match a.get(k) {
                    Some(av) => compare(ev, av, &format!("{path}.{k}"), diffs),
                    None => diffs.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                diffs.push(format!("{path}: length {} vs {}", e.len(), a.len()));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(ev, av, &format!("{path}[{i}]"), diffs);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if !close(e, a) {
                diffs.push(format!("{path}: {e} vs {a}"));
            }
        }
        (e, a) if e != a => diffs.push(format!("{path}: {e} vs {a}")),
        _ => {}
    }
}

/// The computed values of a validation's checks, by check name.
fn checks(v: &Value) -> Vec<(String, Value)> {
    v["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or("").to_string(),
                        serde_json::json!({ "theory": c["theory"], "observed": c["observed"] }),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn run(id: &str, cmd: &str, dir: &Path) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let mut words: Vec<String> = cmd.split_whitespace().map(String::from).collect();
    words.insert(0, "--quiet".into());
    let file = tmp.path().join("out.json");
    let f = file.to_str().unwrap().to_string();
    match words[1].as_str() {
        "validate" => words.extend(["--report".into(), f.clone()]),
        "table" => words.extend(["--out".into(), f.clone()]),
        _ => words.extend(["--format".into(), "json".into()]),
    }
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    let (code, out, err) = common::nnlimits(&args);
    assert!(
        code == 0 || (code == 1 && words[1] == "validate"),
        "{id}: exit {code}: {err}"
    );
    let text = if words[1] == "validate" || words[1] == "table" {
        std::fs::read_to_string(&file).unwrap()
    } else {
        out
    };
    let _ = dir;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{id}: not JSON ({e}): {text}"))
}

#[test]
fn readme_and_guide_examples_keep_their_numbers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let list = std::fs::read_to_string(dir.join("examples.txt")).unwrap();
    let mut failures = vec![];
    let mut count = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (id, cmd) = line.split_once('\t').expect("id<TAB>command");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap())
                .unwrap();
        let actual = run(id, cmd, &dir);
        let mut diffs = vec![];
        compare(&expected, &actual, "", &mut diffs);
        let (ec, ac) = (checks(&expected), checks(&actual));
        for (name, ev) in &ec {
            // the histogram's bins are a rule of the validator (since issue 13 they are aligned to
            // the support's edges), so its L1 distance is not a model number
            if name == "l1_histogram" {
                continue;
            }
            match ac.iter().find(|(n, _)| n == name) {
                Some((_, av)) => compare(ev, av, &format!(".checks[{name}]"), &mut diffs),
                None if ["ks", "m1", "m2"].contains(&name.as_str()) => {
                    diffs.push(format!(".checks[{name}]: missing"))
                }
                None => {}
            }
        }
        if !diffs.is_empty() {
            failures.push(format!(
                "{id} ({cmd}):\n  {}",
                diffs[..diffs.len().min(5)].join("\n  ")
            ));
        }
        count += 1;
    }
    assert!(count >= 25, "only {count} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
