//! Helpers shared by the integration tests that run the real binary.

use std::process::Command;

/// Run `nnlimits` with `args`: (exit code, stdout, stderr).
pub fn nnlimits(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nnlimits"))
        .args(args)
        .output()
        .expect("run nnlimits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `nnlimits spectrum <args> --points 3 --format json`, which must succeed: its JSON document.
pub fn spectrum_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["spectrum"];
    all.extend(args);
    all.extend(["--points", "3", "--format", "json"]);
    let (code, out, err) = nnlimits(&all);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).expect("spectrum JSON")
}

/// A `spectrum` JSON document whose tabulated total mass is 1 within `mass_tol` and whose first
/// `moments` quadrature moments equal the exact ones within `rel` (relative).
pub fn assert_quadrature(
    v: &serde_json::Value,
    mass_tol: f64,
    moments: usize,
    rel: f64,
    what: &str,
) {
    let mass = v["total_mass_quadrature"].as_f64().unwrap();
    assert!((mass - 1.0).abs() < mass_tol, "{what}: mass {mass}");
    for k in 0..moments {
        let (exact, quad) = (
            v["moments"][k].as_f64().unwrap(),
            v["moments_quadrature"][k].as_f64().unwrap(),
        );
        assert!(
            (quad - exact).abs() < rel * exact,
            "{what}: m{} {quad} vs {exact}",
            k + 1
        );
    }
}

/// `nnlimits validate <args>` passes (exit 0, `verdict: PASS`), and the same run with `control`
/// appended (a wrong theory parameter) fails (exit 1, `verdict: FAIL`).
pub fn passes_and_control_fails(args: &[&str], control: &[&str]) {
    let mut all = vec!["validate"];
    all.extend(args);
    let (code, out, err) = nnlimits(&all);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    assert!(out.contains("verdict: PASS"), "{args:?}: {out}");
    all.extend(control);
    let (code, out, err) = nnlimits(&all);
    assert_eq!(code, 1, "{args:?} with {control:?}: {out}{err}");
    assert!(
        out.contains("verdict: FAIL"),
        "{args:?} with {control:?}: {out}"
    );
}
