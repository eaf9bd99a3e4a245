//! The model registry: the listing, declared ranges, the generic commands, flags that do not apply.

use crate::common;
use nnlimits::registry::{self, Verb};

#[test]
fn every_parameter_of_every_model_has_a_declared_range() {
    for e in registry::all() {
        for v in e.verbs() {
            for p in registry::params(*e, v) {
                assert_ne!(
                    p.range,
                    registry::UNDECLARED,
                    "{} {} --{}: no declared range",
                    v.name(),
                    e.name(),
                    p.name
                );
                assert!(
                    !p.doc.is_empty(),
                    "{} {} --{}: no doc",
                    v.name(),
                    e.name(),
                    p.name
                );
            }
        }
    }
}

#[test]
fn names_are_unique_and_variants_name_existing_bases() {
    let names: Vec<&str> = registry::all().iter().map(|e| e.name()).collect();
    for (i, n) in names.iter().enumerate() {
        assert!(!names[i + 1..].contains(n), "{n} registered twice");
    }
    for e in registry::all() {
        if let Some((base, _, _)) = e.selected_by() {
            assert!(
                names.contains(&base) || base == e.name(),
                "{}: base {base}",
                e.name()
            );
        }
    }
}

#[test]
fn models_lists_every_model_as_text_and_json() {
    let (code, text, err) = common::nnlimits(&["models"]);
    assert_eq!(code, 0, "{err}");
    let (code, json, err) = common::nnlimits(&["models", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let listed = v["models"].as_array().unwrap();
    assert_eq!(listed.len(), registry::all().len());
    for e in registry::all() {
        assert!(text.contains(&format!("{}  —  {}", e.name(), e.summary())));
        let m = listed.iter().find(|m| m["name"] == e.name()).unwrap();
        let verbs: Vec<&str> = m["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = e.verbs().iter().map(|v| v.name()).collect();
        assert_eq!(verbs, want, "{}", e.name());
    }
    let mp = listed.iter().find(|m| m["name"] == "mp").unwrap();
    let ratio = mp["commands"][0]["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ratio")
        .unwrap();
    assert_eq!(ratio["default"], "0.5");
    assert_eq!(ratio["range"], "[1e-6, 1e6]");
}

/// `models` spells every parameter as the command line takes it: a flag as `--name` (which the
/// command's help lists), a positional argument as `<NAME>` in the usage line (it was listed as
/// `--expression`, which `spectrum expr` refuses).
#[test]
fn models_spells_every_parameter_as_the_command_line_takes_it() {
    let (code, text, err) = common::nnlimits(&["models"]);
    assert_eq!(code, 0, "{err}");
    let mut positionals = 0;
    for e in registry::all() {
        for v in e.verbs() {
            let usage = format!("nnlimits {} {} [OPTIONS]", v.name(), e.name());
            let help = e.command(v).unwrap().render_long_help().to_string();
            let block = text
                .split("\n  nnlimits ")
                .find(|b| format!("nnlimits {b}").starts_with(&usage))
                .unwrap_or_else(|| panic!("{usage} not listed"));
            for p in registry::params(*e, v) {
                if p.positional {
                    positionals += 1;
                    let shown = format!("<{}>", p.name.to_uppercase());
                    assert!(block.contains(&format!("    {shown} ")), "{usage}: {shown}");
                    assert!(block
                        .lines()
                        .next()
                        .unwrap()
                        .ends_with(&format!("{shown}:")));
                    assert!(help.contains(&shown), "{usage}: help lacks {shown}");
                } else {
                    assert!(
                        block.contains(&format!("    --{} ", p.name)),
                        "{usage}: --{}",
                        p.name
                    );
                    assert!(
                        help.contains(&format!("--{}", p.name)),
                        "{usage}: help lacks --{}",
                        p.name
                    );
                }
            }
        }
    }
    // the expression models take their expression as a positional argument
    assert!(positionals >= 2, "{positionals}");
    assert!(!text.contains("--expression"));
}

#[test]
fn a_flag_of_another_model_is_refused_with_exit_2() {
    for args in [
        vec!["spectrum", "mp", "--activation", "tanh"],
        vec!["spectrum", "semicircle", "--ratio", "0.5"],
        vec!["validate", "gep", "--size", "100"],
        vec!["spectrum", "mp", "--samples", "3"],
    ] {
        let (code, _, err) = common::nnlimits(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
}

#[test]
fn help_lists_only_the_models_own_flags() {
    let (code, help, _) = common::nnlimits(&["spectrum", "semicircle", "--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("--variance") && help.contains("--at") && help.contains("--format"));
    assert!(!help.contains("--ratio") && !help.contains("--samples"));
    let (_, help, _) = common::nnlimits(&["validate", "semicircle", "--help"]);
    assert!(help.contains("--n ") && help.contains("--samples") && help.contains("--seed"));
    assert!(!help.contains("--points"));
}

#[test]
fn spectral_laws_are_reachable_by_name_for_expressions() {
    let e = registry::find("mp").unwrap();
    let cmd = e.command(Verb::Spectrum).unwrap();
    let m = cmd.try_get_matches_from(["mp", "--ratio", "0.25"]).unwrap();
    let law = e.spectral_law(&m).unwrap().unwrap();
    let direct = nnlimits::models::mp::MarchenkoPastur::new(0.25, 1.0).unwrap();
    use nnlimits::model::SpectralModel;
    assert_eq!(
        law.model.density(1.0).unwrap(),
        direct.density(1.0).unwrap()
    );
    assert!(registry::find("no-such-model").is_err());
}

/// A law printed with extra fields (constants, traces: the Hessian, the FIM/CK laws) is wrapped before
/// it is written; the wrapper forwards every method the model may override, so the solver's
/// diagnostics of the Hessian law reach the output (they were reported as zero iterations on zero
/// points) and a model's own refined tabulation is the one integrated.
#[test]
fn laws_with_extra_fields_keep_their_solver_diagnostics() {
    let (code, out, err) =
        common::nnlimits(&["spectrum", "hessian", "--points", "7", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // the extra fields are there (so the law was wrapped)
    assert!(
        v["params"]["negative_fraction"].is_number(),
        "{}",
        v["params"]
    );
    let solver = &v["solver"];
    assert_eq!(solver["points"], 7, "{solver}");
    assert!(solver["max_iterations"].as_u64().unwrap() > 0, "{solver}");
    let residual = solver["max_residual"].as_f64().unwrap();
    assert!(residual > 0.0 && residual < 1e-10, "{solver}");
}
