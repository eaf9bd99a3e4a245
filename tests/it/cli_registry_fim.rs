//! The FIM / CK models in the registry: each variant (`fim`, `ck`, `-infinite-width`, `-data`,
//! `-outputs`, `-population`, `-unit-block`) has only its own flags, the old spellings (`--limit X`,
//! `fim --outputs-ratio`) select the variant, and `nnlimits models` declares every parameter's range
//! (runs the real binary).

use crate::common;
use common::nnlimits;

/// `--help` of a command (exit 0, on stdout).
fn help(args: &[&str]) -> String {
    let mut a = args.to_vec();
    a.push("--help");
    let (code, out, err) = nnlimits(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

#[test]
fn each_variant_has_only_its_own_flags() {
    // ck is the readout: no --trained
    let (code, _, err) = nnlimits(&["spectrum", "ck", "--trained", "first"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error:") && err.contains("--trained"),
        "{err}"
    );
    let fim = help(&["spectrum", "fim"]);
    for flag in [
        "--trained",
        "--width-ratio",
        "--constants",
        "--space",
        "--n ",
    ] {
        assert!(fim.contains(flag), "fim lacks {flag}: {fim}");
    }
    for flag in [
        "--data-seed",
        "--limit",
        "--bias",
        "--max-degree",
        "--outputs",
    ] {
        assert!(!fim.contains(flag), "fim has {flag}: {fim}");
    }
    assert!(!help(&["spectrum", "ck"]).contains("--trained"));
    // --limit data selects fim-data: its own flags only, sizes required
    for args in [
        &["spectrum", "fim", "--limit", "data"][..],
        &["spectrum", "fim-data"],
    ] {
        let h = help(args);
        assert!(
            h.contains("--data-seed") && h.contains("--width <WIDTH>"),
            "{h}"
        );
        for flag in ["--width-ratio", "--d-ratio", "--constants", "--outputs"] {
            assert!(!h.contains(flag), "fim-data has {flag}: {h}");
        }
    }
    let h = help(&["spectrum", "fim", "--limit", "infinite-width"]);
    assert!(
        h.contains("--d-ratio") && !h.contains("--width-ratio"),
        "{h}"
    );
    let h = help(&["spectrum", "fim", "--limit", "unit-block"]);
    assert!(
        h.contains("--bias") && !h.contains("--plot") && !h.contains("--sigma-v2"),
        "{h}"
    );
    let h = help(&["spectrum", "ck", "--limit", "population"]);
    assert!(h.contains("--max-degree") && !h.contains("--bias"), "{h}");
    let h = help(&["validate", "fim-outputs"]);
    assert!(h.contains("--outputs") && !h.contains("--trained"), "{h}");
}

#[test]
fn selectors_reach_the_variants() {
    // (N = n, `--width 64`, is the hard-edge case the fixed-data law does not resolve yet: exit 2)
    let sizes = ["--n", "64", "--d", "32", "--width", "128", "--at", "0.5"];
    let old: Vec<&str> = ["spectrum", "ck", "--limit", "data", "--activation", "relu"]
        .into_iter()
        .chain(sizes)
        .collect();
    let (code, out, err) = nnlimits(&old);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "x,density");
    let rho: f64 = rows[1].split(',').nth(1).unwrap().parse().unwrap();
    // the library's law for the same data set (`draw_data`, --data-seed 1)
    use nnlimits::model::SpectralModel;
    use nnlimits::models::fim::{draw_data, Activation, DataFim, Inputs, Trained};
    let x = draw_data(64, 32, Inputs::Gaussian, 1);
    let law = DataFim::new(&x, 128, &Activation::Relu, 1.0, 1.0, Trained::Readout).unwrap();
    let want = law.density(0.5).unwrap();
    assert!(
        (rho - want).abs() <= 1e-9 * want.max(1.0),
        "{rho} vs {want}"
    );
    let new: Vec<&str> = ["spectrum", "ck-data", "--activation", "relu"]
        .into_iter()
        .chain(sizes)
        .collect();
    assert_eq!(nnlimits(&new).1, out);
    // the old spelling and the variant's own name give the same document
    let a = nnlimits(&[
        "spectrum",
        "fim",
        "--activation",
        "linear",
        "--outputs-ratio",
        "0.1",
        "--at",
        "0.5,1",
    ]);
    let b = nnlimits(&[
        "spectrum",
        "fim-outputs",
        "--outputs-ratio",
        "0.1",
        "--at",
        "0.5,1",
    ]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
    // a global switch before the verb does not hide the selector
    let q = nnlimits(&[
        "--quiet",
        "spectrum",
        "fim",
        "--activation",
        "linear",
        "--outputs-ratio",
        "0.1",
        "--at",
        "0.5,1",
    ]);
    assert_eq!(q.1, a.1, "{}", q.2);
    let a = nnlimits(&["spectrum", "fim", "--limit", "population", "--d", "10"]);
    let b = nnlimits(&["spectrum", "ck", "--limit", "population", "--d", "10"]);
    let c = nnlimits(&["spectrum", "fim-population", "--d", "10"]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
    assert_eq!(a.1, c.1);
    // value-level errors blame their own flag
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--outputs-ratio", "nan"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("outputs-ratio") && !err.contains("activation"),
        "{err}"
    );
    let (code, _, err) = nnlimits(&["spectrum", "fim-outputs"]);
    assert_eq!(code, 2);
    assert!(err.contains("--outputs-ratio"), "{err}");
}

#[test]
fn every_fim_parameter_has_a_declared_range() {
    let (code, out, err) = nnlimits(&["models", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let models = v["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["name"].as_str().unwrap()).collect();
    let ours = [
        "fim",
        "ck",
        "fim-infinite-width",
        "ck-infinite-width",
        "fim-data",
        "ck-data",
        "fim-outputs",
        "fim-population",
        "ck-population",
        "fim-unit-block",
    ];
    for name in ours {
        assert!(names.contains(&name), "{name} not registered: {names:?}");
    }
    for m in models
        .iter()
        .filter(|m| ours.contains(&m["name"].as_str().unwrap()))
    {
        let commands = m["commands"].as_array().unwrap();
        assert_eq!(commands.len(), 2, "{m}");
        for c in commands {
            for p in c["params"].as_array().unwrap() {
                assert_ne!(
                    p["range"], "undeclared",
                    "{} {}: {p}",
                    m["name"], c["command"]
                );
            }
        }
    }
}
