//! Reference tables: provenance round trip (re-run any row exactly), shards and merge, atomic output
//! under a kill.

use nnlimits::table::Table;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nnlimits"))
}

use crate::common;
use common::nnlimits as run;

/// Split a row's command (arguments are shell-quoted only when they need it; table arguments never do).
fn words(cmd: &str) -> Vec<String> {
    cmd.split_whitespace()
        .skip(1)
        .map(|w| w.trim_matches('\'').to_string())
        .collect()
}

#[test]
fn a_40_by_2_sweep_reruns_any_row_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    let (code, _, err) = run(&[
        "table",
        "mp",
        "--at",
        "0.5,1.5",
        "--sweep",
        "ratio=0.1:2.0:40",
        "--sweep",
        "method=closed-form,fixed-point",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let t = Table::read(&out).unwrap();
    assert_eq!(t.rows.len(), 80);
    assert_eq!(t.meta.total_rows, 80);
    assert!(t
        .meta
        .provenance
        .command
        .contains("--sweep ratio=0.1:2.0:40"));
    assert!(t.rows.iter().all(|r| r.status == "ok"));
    for k in [0usize, 7, 41, 79] {
        let row = &t.rows[k];
        assert_eq!(row.row, k);
        let args = words(&row.command);
        let (code, json, err) = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let (cols, _) = nnlimits::table::flatten(&v);
        for (c, val) in cols {
            assert_eq!(row.values.get(&c), Some(&val), "row {k} column {c}");
        }
    }
    // the fixed-point rows carry convergence diagnostics
    let fp = &t.rows[1];
    assert_eq!(fp.values["param.method"], "fixed-point");
    assert!(fp.values["solver.max_iterations"].as_u64().unwrap() > 0);
    assert!(fp.values["solver.max_residual"].as_f64().unwrap() < 1e-10);
}

#[test]
fn shards_merge_into_the_full_table_and_failures_are_rows() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.csv");
    let (code, _, _) = run(&[
        "table",
        "mp",
        "--at",
        "1",
        "--sweep",
        "ratio=-1,0.5,2,3",
        "--out",
        full.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let t = Table::read(&full).unwrap();
    assert_eq!(t.rows[0].status, "error");
    assert!(t.rows[0].message.contains("ratio"));
    assert_eq!(t.rows[1].status, "ok");
    let mut parts = vec![];
    for i in 0..3 {
        let p = dir.path().join(format!("s{i}.csv"));
        let (code, _, _) = run(&[
            "table",
            "mp",
            "--at",
            "1",
            "--sweep",
            "ratio=-1,0.5,2,3",
            "--shard",
            &format!("{i}/3"),
            "--out",
            p.to_str().unwrap(),
        ]);
        assert_eq!(code, 0);
        parts.push(p);
    }
    let merged = dir.path().join("merged.csv");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let m = Table::read(&merged).unwrap();
    assert_eq!(m.rows, t.rows);
    // a missing shard is an error
    let (code, _, err) = run(&[
        "merge",
        parts[0].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn bad_table_arguments_are_errors() {
    for args in [
        vec!["table", "mp"],
        vec!["table", "mp", "--sweep", "ratio"],
        vec!["table", "mp", "--sweep", "ratio=1,2", "--sweep", "ratio=3"],
        vec!["table", "mp", "--sweep", "ratio=1,2", "--shard", "3/3"],
        vec![
            "table",
            "mp",
            "--sweep",
            "ratio=1,2",
            "--out",
            "/nonexistent-dir/t.csv",
        ],
        vec!["table", "validate", "mp", "--sweep", "ratio=1,2"],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[cfg(unix)]
#[test]
fn killing_a_table_run_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.csv");
    let mut child = bin()
        .args([
            "table",
            "mp",
            "--method",
            "fixed-point",
            "--points",
            "400000",
            "--sweep",
            "ratio=0.1:3:400",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run finished before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
