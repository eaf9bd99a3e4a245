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
    for bad in ["nan", "-1", "0"] {
        refused(
            &[
                "validate",
                "fim",
                "--theory-sigma-w2",
                bad,
                "--n",
                "10",
                "--d",
                "10",
                "--width",
                "10",
            ],
            "theory-sigma-w2",
        );
    }
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

#[test]
fn memory_budget_refuses_before_allocating() {
    refused(
        &[
            "validate",
            "mp",
            "--size",
            "20000",
            "--samples",
            "1",
            "--max-memory",
            "512MB",
        ],
        "more than the memory budget",
    );
    refused(
        &[
            "table",
            "mp",
            "--at",
            "1",
            "--sweep",
            "ratio=0.1:2:1000000",
            "--sweep",
            "scale=0.5:2:1000000",
        ],
        "",
    );
    refused(&["spectrum", "mp", "--max-memory", "lots"], "max-memory");
}

#[test]
fn outputs_never_clobber_each_other_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x");
    let f = f.to_str().unwrap();
    refused(&["spectrum", "mp", "--out", f, "--plot", f], "--plot");
    refused(
        &[
            "validate",
            "mp",
            "--size",
            "50",
            "--samples",
            "2",
            "--plot",
            f,
            "--report",
            f,
        ],
        "--report",
    );
    let (code, out, err) = common::nnlimits(&["spectrum", "mp", "--at", "1", "--out", "-"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("# provenance") || out.starts_with("x,density"),
        "{out}"
    );
    assert!(!std::path::Path::new("-").exists());
    // a symlink is written through, and the link stays a link
    let target = dir.path().join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, _, err) = common::nnlimits(&[
        "spectrum",
        "mp",
        "--at",
        "1",
        "--out",
        link.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("density"));
}

/// Near infinite width the fixed-data law is 256 narrow bands around the kernel eigenvalues: the
/// reproducers (ReLU at N = 10⁶ and erf at N = 10⁸, refused before with a mass of 1.012 and an
/// unresolved support) now give the law, with the quadrature mass and moments equal to the closed
/// forms and the bands separated.
#[test]
fn fixed_data_law_near_infinite_width() {
    for (act, width) in [("relu", "1000000"), ("erf", "100000000")] {
        let args = [
            "spectrum",
            "ck",
            "--limit",
            "data",
            "--activation",
            act,
            "--n",
            "256",
            "--d",
            "128",
            "--width",
            width,
            "--quiet",
            "--format",
            "json",
        ];
        let (code, out, err) = common::nnlimits(&args);
        assert_eq!(code, 0, "{act} {width}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mass = v["total_mass_quadrature"].as_f64().unwrap();
        assert!((mass - 1.0).abs() < 1e-4, "{act}: mass {mass}");
        let exact = v["moments"].as_array().unwrap();
        let quad = v["moments_quadrature"].as_array().unwrap();
        for (e, q) in exact.iter().zip(quad) {
            let (e, q) = (e.as_f64().unwrap(), q.as_f64().unwrap());
            assert!(
                (e - q).abs() < 1e-4 * e,
                "{act}: moment {e} vs quadrature {q}"
            );
        }
        let parts = v["support"].as_array().unwrap().len();
        assert!(parts > 150, "{act} {width}: {parts} components");
    }
}

/// The issue's reproducer `saddle dln --data my.csv --out my.csv` and the same class elsewhere: an
/// output naming the file a command reads (`--data`, `--inputs`, also as `./x` or `--data=x` in a
/// table's base command) is refused with exit 2 and the file is untouched.
#[test]
fn an_output_never_overwrites_a_data_or_inputs_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("my.csv");
    let rows: String = (0..16)
        .map(|i| {
            let split = if i < 12 { "train" } else { "test" };
            let x = i as f64 / 16.0;
            format!("{split},{x},{},{}\n", 1.0 - x, (3.0 * x).sin())
        })
        .collect();
    let text = format!("split,x1,x2,y\n{rows}");
    std::fs::write(&data, &text).unwrap();
    let inputs = dir.path().join("in.csv");
    std::fs::write(&inputs, "1,0\n0,1\n").unwrap();
    let (d, i) = (data.to_str().unwrap(), inputs.to_str().unwrap());
    let dotted = format!("{}/./my.csv", dir.path().display());
    let data_eq = format!("--data={d}");
    for args in [
        vec!["saddle", "dln", "--data", d, "--width", "5", "--out", d],
        vec![
            "saddle", "1hl", "--data", d, "--width", "5", "--out", &dotted,
        ],
        vec![
            "validate",
            "dln-bayes",
            "--data",
            d,
            "--width",
            "5",
            "--report",
            d,
        ],
        vec![
            "validate",
            "1hl-bayes",
            "--data",
            d,
            "--width",
            "5",
            "--plot",
            d,
        ],
        vec![
            "table",
            "saddle",
            "dln",
            "--data",
            d,
            "--sweep",
            "width=5,10",
            "--out",
            d,
        ],
        vec![
            "table",
            "saddle",
            "dln",
            &data_eq,
            "--sweep",
            "width=5,10",
            "--out",
            d,
        ],
    ] {
        refused(&args, "must be a different file from the input --data");
        assert_eq!(std::fs::read_to_string(&data).unwrap(), text, "{args:?}");
    }
    for args in [
        vec!["law", "dln", "--widths", "10", "--inputs", i, "--out", i],
        vec![
            "validate", "dln", "--widths", "10", "--inputs", i, "--report", i,
        ],
    ] {
        refused(&args, "must be a different file from the input --inputs");
        assert_eq!(std::fs::read_to_string(&inputs).unwrap(), "1,0\n0,1\n");
    }
    let r = dir.path().join("r.svg");
    let r = r.to_str().unwrap();
    refused(
        &[
            "validate", "dln", "--widths", "10", "--plot", r, "--report", r,
        ],
        "must be a different file from --plot",
    );
    // a different output file is fine
    let out = dir.path().join("o.csv");
    let (code, _, err) = common::nnlimits(&[
        "saddle",
        "dln",
        "--data",
        d,
        "--width",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

/// `spectrum` shows a spinner with the elapsed time while it solves the law, on a terminal only:
/// nothing on stderr when it is not a terminal (pipes, files, these tests) or with `--quiet`, and on a
/// terminal (a pseudo-terminal from util-linux `script`, part of every Debian system) the spinner,
/// cleared before the output.
#[test]
fn spectrum_shows_a_spinner_on_a_terminal_only() {
    let (code, out, err) = crate::common::nnlimits(&["spectrum", "mp", "--points", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("density"), "{out}");
    let bin = env!("CARGO_BIN_EXE_nnlimits");
    let tty = |extra: &str| {
        let cmd = format!("{bin} spectrum mp --points 3 --format csv{extra}");
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .expect("util-linux `script`");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = tty("");
    assert!(shown.contains("solving the mp law"), "{shown:?}");
    // cleared (erase-line) before the CSV header
    let header = shown.find("x,density").expect("csv header");
    assert!(shown[..header].contains("\u{1b}[2K"), "{shown:?}");
    let quiet = tty(" --quiet");
    assert!(!quiet.contains("solving"), "{quiet:?}");
    assert!(quiet.contains("x,density"), "{quiet:?}");
}
