//! `nnlimits spectrum|validate ck|fim`: outputs, JSON fields, exit codes (runs the real binary).

use crate::common;
use common::nnlimits;

#[test]
fn spectrum_fim_json_and_points() {
    // Reference tanh row (nonlinear laws): α = 1.5 (d/n = 2/3), γ = 0.5 (N/n = 4/3)
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--activation",
        "tanh",
        "--d-ratio",
        "0.6666666666666666",
        "--width-ratio",
        "1.3333333333333333",
        "--at",
        "0.948409",
        "--format",
        "json",
        "--n",
        "900",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rho = v["points"][0]["density"].as_f64().unwrap();
    assert!((rho - 0.249608).abs() < 2e-6, "{rho}");
    assert!((v["params"]["traces"]["trace_F"].as_f64().unwrap() - 0.858697).abs() < 1e-6);
    assert!(v["params"]["ratios"]["alpha_n_over_d"].as_f64().is_some());
    assert!(v["params"]["karakida_f22_standard_parameterisation"]["lambda_max"].is_number());
    assert_eq!(v["support"].as_array().unwrap().len(), 2);
    // parameter space: zero atom 1 - n/p with p = N d + N
    let (code, out, _) = nnlimits(&[
        "spectrum",
        "fim",
        "--activation",
        "linear",
        "--d-ratio",
        "1",
        "--width-ratio",
        "1",
        "--space",
        "parameter",
        "--n",
        "100",
        "--format",
        "json",
        "--points",
        "3",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let atom = v["atoms"][0]["mass"].as_f64().unwrap();
    assert!((atom - (1.0 - 100.0 / 10_100.0)).abs() < 1e-12);
    // infinite width, ck
    let (code, _, _) = nnlimits(&[
        "spectrum",
        "ck",
        "--limit",
        "infinite-width",
        "--activation",
        "erf",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn bad_input_exits_2_and_validate_exit_codes() {
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--activation", "sigmoidal"]);
    assert_eq!(code, 2);
    assert!(err.contains("activation"), "{err}");
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--d-ratio", "-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("d_over_n"), "{err}");
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--space", "parameter"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = nnlimits(&[
        "validate",
        "ck",
        "--activation",
        "erf",
        "--n",
        "200",
        "--d",
        "150",
        "--width",
        "250",
        "--samples",
        "6",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("verdict: PASS"));
    // the same draws against the law at sigma_w^2 = 1.3 (30% off): exit 1, FAIL (a PASS with a
    // tolerance too wide to reject anything would not be evidence)
    let (code, out, _) = nnlimits(&[
        "validate",
        "ck",
        "--activation",
        "erf",
        "--n",
        "200",
        "--d",
        "150",
        "--width",
        "250",
        "--samples",
        "6",
        "--theory-sigma-w2",
        "1.3",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("verdict: FAIL") && out.contains("decided by"),
        "{out}"
    );
}

#[test]
fn population_and_unit_block_cli() {
    // F23 group table (docs/models/fim.md (F23, F24)): ReLU, d = 10
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--limit",
        "population",
        "--activation",
        "relu",
        "--d",
        "10",
        "--width",
        "4000",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let g = &v["groups"];
    assert!((g[0]["eigenvalue"].as_f64().unwrap() - 0.167301).abs() < 5e-7);
    assert!((g[1]["trace"].as_f64().unwrap() - 0.25).abs() < 1e-13);
    assert!((g[2]["trace"].as_f64().unwrap() - 0.0746634).abs() < 5e-8);
    assert_eq!(g[2]["multiplicity"].as_f64().unwrap(), 54.0);
    let b: f64 = (0..3)
        .map(|k| g[k]["asymptotic_trace"].as_f64().unwrap())
        .sum();
    assert!((b / v["eta"].as_f64().unwrap() - 0.9775).abs() < 5e-5);
    // finite-width prediction vs the reference MC (numpy) at N = 4000 (0.16738, 0.25017, 0.07454)
    let fw = &v["finite_width"]["groups"];
    for (k, r) in [0.16738, 0.25017, 0.07454].iter().enumerate() {
        // 4 per-draw SDs at N = 4000 (measured in tests/fim_population.rs)
        assert!((fw[k]["predicted"].as_f64().unwrap() - r).abs() < 1.3e-4);
    }
    assert!(v["provenance"]["command"].is_string());
    let (code, out, _) = nnlimits(&[
        "spectrum",
        "ck",
        "--limit",
        "population",
        "--activation",
        "erf",
        "--d",
        "5",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("degree,multiplicity,eigenvalue,trace,share,b_k"));
    assert_eq!(out.lines().count(), 6);
    // F24 block: erf, b = 0.5
    let (code, out, _) = nnlimits(&[
        "spectrum",
        "fim",
        "--limit",
        "unit-block",
        "--activation",
        "erf",
        "--d",
        "20",
        "--bias",
        "0.5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ev: Vec<(f64, u64)> = v["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["value"].as_f64().unwrap(),
                e["multiplicity"].as_u64().unwrap(),
            )
        })
        .collect();
    for ((x, m), (want, wm)) in ev
        .iter()
        .zip([(0.086429, 1), (0.515224, 19), (0.614275, 1)])
    {
        assert!((x - want).abs() < 5e-7 && *m == wm, "{x} {m}");
    }
    // validators pass
    let (code, out, _) = nnlimits(&[
        "validate",
        "fim",
        "--limit",
        "population",
        "--activation",
        "relu",
        "--width",
        "400",
        "--d",
        "10",
        "--samples",
        "3",
        "--seed",
        "3",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("trace_deg2") && out.contains("verdict: PASS"));
    let (code, out, _) = nnlimits(&[
        "validate",
        "fim",
        "--limit",
        "unit-block",
        "--activation",
        "tanh",
        "--d",
        "20",
        "--bias",
        "0.5",
        "--n",
        "20000",
        "--samples",
        "2",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("A (tr P⊥G/(n-1))"));
    // bad input: typed errors, exit 2
    for args in [
        &["spectrum", "fim", "--limit", "population"][..],
        &[
            "spectrum",
            "fim",
            "--limit",
            "population",
            "--d",
            "10",
            "--trained",
            "first",
        ],
        &["spectrum", "fim", "--limit", "population", "--d", "1"],
        &[
            "spectrum",
            "fim",
            "--limit",
            "population",
            "--d",
            "10",
            "--constants",
            "0,1,1,1",
        ],
        &["spectrum", "ck", "--limit", "unit-block", "--d", "10"],
        &[
            "spectrum",
            "fim",
            "--limit",
            "unit-block",
            "--d",
            "10",
            "--sigma-w2",
            "0",
        ],
        &["spectrum", "fim", "--bias", "0.5"],
        &[
            "spectrum",
            "fim",
            "--limit",
            "population",
            "--d",
            "10",
            "--bias",
            "0.5",
        ],
        &[
            "validate",
            "fim",
            "--limit",
            "population",
            "--d",
            "400",
            "--width",
            "100",
        ],
    ] {
        let (code, _, err) = nnlimits(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{err}");
    }
}

/// `--outputs C` (F13, linear network with C outputs): theory by ratio or by count, JSON names C/N,
/// nonlinear refused with the reason, validation passes at the reference MC sizes.
#[test]
fn outputs_spectrum_and_validate() {
    // α = 0.75, γ = 0.5: d/n = 4/3, N/n = 8/3; C/N = 0.1 (docs/models/fim.md (F13) reference)
    let base = [
        "spectrum",
        "fim",
        "--activation",
        "linear",
        "--d-ratio",
        "1.3333333333333333",
        "--width-ratio",
        "2.6666666666666665",
        "--at",
        "0.5,1,2,4",
        "--format",
        "json",
    ];
    let by_ratio: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--outputs-ratio", "0.1"])
        .collect();
    let by_count: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--outputs", "20", "--n", "75"])
        .collect();
    let mut densities = Vec::new();
    for args in [by_ratio, by_count] {
        let (code, out, err) = nnlimits(&args);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["model"], "fim-linear-outputs");
        assert!((v["params"]["outputs_over_width"].as_f64().unwrap() - 0.1).abs() < 1e-12);
        assert!((v["moments"][1].as_f64().unwrap() - 7.55).abs() < 1e-12);
        let rho: Vec<f64> = (0..4)
            .map(|i| v["points"][i]["density"].as_f64().unwrap())
            .collect();
        for (r, want) in rho.iter().zip([0.38099, 0.25482, 0.15665, 0.07962]) {
            assert!((r - want).abs() <= 5e-6, "{r} vs {want}");
        }
        densities.push(rho);
    }
    assert!(densities[0]
        .iter()
        .zip(&densities[1])
        .all(|(a, b)| (a - b).abs() < 1e-12));
    // nonlinear with C > 1: refused, saying why
    let (code, _, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--activation",
        "tanh",
        "--outputs-ratio",
        "0.2",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("linear") && err.contains("F13"), "{err}");
    let (code, _, err) = nnlimits(&[
        "validate",
        "fim",
        "--activation",
        "erf",
        "--n",
        "20",
        "--d",
        "20",
        "--width",
        "20",
        "--outputs",
        "3",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--activation",
        "linear",
        "--outputs",
        "3",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--n"), "{err}");
    // validation: d = 100, n = 75, N = 200, C = 20 (dual 1500 × 1500)
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let (code, out, err) = nnlimits(&[
        "validate",
        "fim",
        "--activation",
        "linear",
        "--n",
        "75",
        "--d",
        "100",
        "--width",
        "200",
        "--outputs",
        "20",
        "--samples",
        "3",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("verdict: PASS"), "{out}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let text = r.to_string();
    assert!(text.contains("outputs_over_width") && text.contains("ratio_outputs_over_width"));
}

/// `--limit data`: the law of one data set drawn from `--data-seed` (the library's `draw_data`), its
/// JSON, and the validator with `W, v` redrawn per sample.
#[test]
fn data_limit_spectrum_and_validate() {
    use nnlimits::model::SpectralModel;
    use nnlimits::models::fim::{draw_data, Activation, DataFim, Inputs, Trained};
    let (code, out, err) = nnlimits(&[
        "spectrum",
        "fim",
        "--limit",
        "data",
        "--n",
        "60",
        "--d",
        "100",
        "--width",
        "80",
        "--data-seed",
        "7",
        "--activation",
        "erf",
        "--at",
        "1.0,2.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["params"]["limit"], "data");
    assert_eq!(v["params"]["data_set"]["data_seed"], 7);
    let x = draw_data(60, 100, Inputs::Gaussian, 7);
    let l = DataFim::new(&x, 80, &Activation::Erf, 1.0, 1.0, Trained::Both).unwrap();
    for (p, xr) in v["points"].as_array().unwrap().iter().zip([1.0, 2.0]) {
        let want = l.density(xr).unwrap();
        assert!((p["density"].as_f64().unwrap() - want).abs() < 1e-12);
    }
    assert!((v["total_mass_quadrature"].as_f64().unwrap() - 1.0).abs() < 1e-3);
    assert!((v["moments"][0].as_f64().unwrap() - l.moments()[0]).abs() < 1e-12);
    let (code, out, err) = nnlimits(&[
        "validate",
        "ck",
        "--limit",
        "data",
        "--n",
        "120",
        "--d",
        "80",
        "--width",
        "160",
        "--activation",
        "tanh",
        "--samples",
        "3",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("verdict: PASS") && out.contains("fixed data set"),
        "{out}"
    );
    // sizes are required; a constants-only activation has no kernels (no --constants flag)
    let (code, _, err) = nnlimits(&["spectrum", "fim", "--limit", "data", "--n", "50"]);
    assert_eq!(code, 2);
    assert!(err.contains("--d"), "{err}");
    let (code, _, err) = nnlimits(&[
        "spectrum",
        "ck",
        "--limit",
        "data",
        "--n",
        "20",
        "--d",
        "10",
        "--width",
        "20",
        "--constants",
        "0,0.6,0.4,0.5",
    ]);
    assert_eq!(code, 2);
    // `ck-data` has no --constants (its kernels need a named --activation): clap names the flag
    assert!(
        err.starts_with("error:") && err.contains("--constants") && err.contains("ck-data"),
        "{err}"
    );
}
