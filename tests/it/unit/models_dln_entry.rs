use nnlimits::models::dln::entry::*;
use nnlimits::models::dln::params::DlnModelArgs;
use nnlimits::models::dln::params::ValidateDlnArgs;
use nnlimits::output::Outcome;

#[test]
fn validate_args_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let plot = dir.path().join("p.svg");
    let args = ValidateDlnArgs {
        model: DlnModelArgs {
            widths: Some("20x10".into()),
            limit_a: None,
            outputs: 2,
            sigma2: None,
            lambda: 1.0,
            gram: None,
            rho: None,
            inputs: None,
            random_inputs: None,
            input_dim: 100,
            input_seed: 0,
            sigma0_sq: 1.0,
        },
        theory_widths: None,
        samples: 1000,
        seed: 2,
        n0: None,
        plot: Some(plot.clone()),
        report: Some(report.clone()),
    };
    assert_eq!(run_validate(&args).unwrap(), Outcome::Passed);
    assert!(std::fs::read_to_string(plot).unwrap().contains("<svg"));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(r["verdict"], "pass");
}
