//! KS distance between the deep conjugate-kernel law and sampled networks against the size n, for the
//! table of docs/models/ck-deep.md: tanh and erf, depth 2 and 3, d = n, N_1 = … = N_L = 1.5 n,
//! n = 250, 500, 1000, 2000 (4 draws each, seed 1).
//!
//! `cargo run --release --example ck_deep_table`

use nnlimits::models::deep::entry::{CkDeepCheck, CkDeepSpec};
use nnlimits::output::FloatList;
use nnlimits::registry::SpectralSpec;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};

fn main() -> nnlimits::Result<()> {
    println!("| activation | L | n | draws | KS | KS tolerance | m1 obs / theory | verdict |");
    println!("|---|---|---|---|---|---|---|---|");
    for act in ["tanh", "erf"] {
        for depth in [2usize, 3] {
            for n in [250usize, 500, 1000, 2000] {
                let c = CkDeepCheck {
                    activation: act.into(),
                    sigma_w2: 1.0,
                    depth,
                    n,
                    d: n,
                    widths: Some(FloatList(vec![(1.5 * n as f64).round(); depth])),
                    bias_coeff: None,
                };
                let plan = CkDeepSpec::plan(&c)?;
                let opts = SpectralValidation {
                    samples: 4,
                    seed: 1,
                    ..plan.options
                };
                let out = validate_spectrum(plan.theory.as_ref(), plan.sampler.as_ref(), &opts)?;
                let get = |name: &str| out.report.checks.iter().find(|k| k.name == name).cloned();
                let ks = get("ks").expect("ks check");
                let m1 = get("m1").expect("m1 check");
                println!(
                    "| {act} | {depth} | {n} | 4 | {:.4} | {:.4} | {:.5} / {:.5} | {:?} |",
                    ks.observed, ks.tolerance, m1.observed, m1.theory, out.report.verdict
                );
            }
        }
    }
    Ok(())
}
