//! The unit tests of the library's modules, one file per module (`numerics_quad` tests
//! `nnlimits::numerics::quad`). They live in the integration binary so that `cargo test` compiles the
//! library once (no separate unit-test harness); they use the public API, with `#[doc(hidden)]` items
//! where a test needs an internal.

mod budget;
mod error;
mod io;
mod models_bayes_data;
mod models_bayes_dln;
mod models_bayes_exact;
mod models_bayes_exact_multi;
mod models_bayes_gibbs;
mod models_bayes_kernels;
mod models_bayes_multi;
mod models_bayes_nested;
mod models_bayes_nonodd;
mod models_bayes_onehl;
mod models_bayes_slice;
mod models_deep_ntk_tests;
mod models_deep_ntk_width;
mod models_deep_tests;
mod models_dln_entry;
mod models_dln_tests;
mod models_dln_validate;
mod models_fim_activation;
mod models_fim_infinite;
mod models_fim_law;
mod models_fim_linear;
mod models_fim_outputs;
mod models_fim_outputs_sampler;
mod models_fim_proportional;
mod models_fim_pw2017;
mod models_fim_sampler;
mod models_free_joint;
mod models_free_moments;
mod models_free_outliers;
mod models_gep;
mod models_hessian;
mod models_hessian_sampler;
mod numerics_discrete_pop;
mod numerics_edges;
mod numerics_kernels;
mod numerics_linalg;
mod numerics_mcmc;
mod numerics_mellin;
mod numerics_poly;
mod numerics_quad;
mod numerics_special;
mod numerics_stieltjes;
mod numerics_subordination;
mod numerics_symeig;
mod numerics_system;
mod output;
mod plot;
mod registry_calibrate;
mod registry_scale;
mod rng;
mod table;
mod validate_calibrate;
mod validate_eigfile;
mod validate_noise;
mod validate_report;
mod validate_stats;
mod validate_trend;

/// The library is built with `test = false` (Cargo.toml): a `#[cfg(test)]` module under `src/` would
/// compile into nothing and its tests would silently never run. Unit tests belong here.
#[test]
fn no_unit_test_module_hides_in_the_library() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                if text.contains(concat!("#[cfg(", "test)]")) || text.contains("#[test]") {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "unit tests under src/ never run (lib test = false); move them to tests/it/unit/: {found:?}"
    );
}
