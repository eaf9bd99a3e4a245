//! The deep-linear-network and Bayesian models in the registry (`dln`, `1hl`, `dln-bayes`, `1hl-bayes`):
//! each command has only its own flags, `law dln` keeps its numbers, and `nnlimits models` lists them.

use crate::common;
use common::nnlimits;
use nnlimits::cli::{dispatch, parse, Outcome};

fn law_json(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.json");
    let mut v = vec![
        "nnlimits",
        "law",
        "dln",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ];
    v.extend_from_slice(args);
    let cli = parse(v).unwrap();
    assert_eq!(dispatch(&cli).unwrap(), Outcome::Done);
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn law_dln_json() {
    let v = law_json(&[
        "--widths",
        "50x25",
        "--outputs",
        "2",
        "--at",
        "0,1",
        "--tail",
        "1,3",
    ]);
    assert!((v["kurtosis"].as_f64().unwrap() - 7.99751).abs() < 5e-6);
    assert!((v["e_abs"].as_f64().unwrap() - 0.704137).abs() < 5e-7);
    assert!((v["mean_log_q"].as_f64().unwrap() + 0.503333).abs() < 5e-7);
    assert!((v["var_log_q"].as_f64().unwrap() - 1.020267).abs() < 5e-7);
    assert!((v["tail"][0]["p"].as_f64().unwrap() - 0.231542).abs() < 5e-7);
    assert!((v["density"][0]["p"].as_f64().unwrap() - 0.583411).abs() < 5e-7);
    assert!(v["corr_sq"].as_f64().is_some());
    let v = law_json(&["--limit-a", "0.5", "--outputs", "2"]);
    assert!((v["corr_sq"].as_f64().unwrap() - 0.240156).abs() < 5e-7);
    let v = law_json(&["--widths", "100,5,100", "--at", "1"]);
    assert!((v["density"][0]["p"].as_f64().unwrap() - 0.20818045).abs() < 5e-9);
    assert!(v.get("corr_sq").is_none());
    let v = law_json(&["--limit-a", "1", "--rho", "0.5", "--outputs", "2"]);
    assert!((v["cross_f1f2"].as_f64().unwrap() - 3.602558).abs() < 5e-7);
}

#[test]
fn law_dln_bad_input_is_an_error() {
    for args in [
        vec!["nnlimits", "law", "dln", "--widths", "0x3"],
        vec!["nnlimits", "law", "dln"],
        vec!["nnlimits", "law", "dln", "--limit-a", "-1"],
        vec![
            "nnlimits", "law", "dln", "--widths", "5x3", "--gram", "1,2;2,1",
        ],
        vec!["nnlimits", "law", "dln", "--widths", "5x3", "--tail", "-1"],
    ] {
        let cli = parse(args.clone()).unwrap();
        assert!(dispatch(&cli).is_err(), "{args:?}");
    }
}

#[test]
fn each_command_has_only_its_own_flags() {
    for args in [
        vec!["saddle", "1hl", "--exact"],
        vec!["saddle", "1hl", "--exact-draws", "1000"],
        vec!["saddle", "dln", "--two-parameter"],
        vec!["saddle", "dln", "--variant", "vanilla"],
        vec!["saddle", "dln", "--activation", "relu"],
        vec!["validate", "dln-bayes", "--activation", "erf"],
        vec!["validate", "1hl-bayes", "--widths", "5,10,20"],
        vec!["law", "dln", "--samples", "100"],
    ] {
        let (code, _, err) = nnlimits(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
}

#[test]
fn law_dln_help_lists_its_flags_only() {
    let (code, out, _) = nnlimits(&["law", "dln", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--widths",
        "--limit-a",
        "--outputs",
        "--sigma2",
        "--lambda",
        "--gram",
        "--rho",
        "--at",
        "--tail",
        "--format",
    ] {
        assert!(out.contains(flag), "{flag} missing in:\n{out}");
    }
    for flag in ["--samples", "--theory-widths", "--data", "--exact", "--la "] {
        assert!(!out.contains(flag), "{flag} in:\n{out}");
    }
}

#[test]
fn saddle_seed_alias_and_one_output_exact() {
    // `--seed` stays accepted as the seed of the exact multi-output posterior
    let (code, out, err) = nnlimits(&[
        "saddle", "dln", "--data", "tiny", "--width", "10", "--exact", "--seed", "3", "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"], "dln");
    assert!(v["exact"]["mean_q"].as_f64().unwrap() > 0.0);
}

#[test]
fn validate_dln_bayes_zero_temperature_is_a_typed_error() {
    let (code, _, err) = nnlimits(&[
        "validate",
        "dln-bayes",
        "--data",
        "tiny",
        "--temperature",
        "0",
        "--samples",
        "100",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error:") && err.contains("temperature"),
        "{err}"
    );
    let (code, out, _) = nnlimits(&["validate", "dln-bayes", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("T > 0"), "{out}");
    assert!(!out.contains("Li–Sompolinsky"), "{out}");
}

#[test]
fn models_lists_dln_and_bayes_entries() {
    let (code, out, _) = nnlimits(&["models", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let models = v["models"].as_array().unwrap();
    let verbs = |name: &str| -> Vec<String> {
        let m = models
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed"));
        m["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(verbs("dln"), ["validate", "law", "saddle"]);
    assert_eq!(verbs("1hl"), ["saddle"]);
    assert_eq!(verbs("dln-bayes"), ["validate"]);
    assert_eq!(verbs("1hl-bayes"), ["validate"]);
    for name in ["dln", "1hl", "dln-bayes", "1hl-bayes"] {
        let m = models.iter().find(|m| m["name"] == name).unwrap();
        for c in m["commands"].as_array().unwrap() {
            for p in c["params"].as_array().unwrap() {
                assert_ne!(p["range"], "undeclared", "{name} {}: {p}", c["command"]);
            }
        }
    }
}
