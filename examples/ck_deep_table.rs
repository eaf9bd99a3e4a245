//! KS distance between the deep conjugate-kernel law and sampled networks against the size n, for the
//! table of docs/models/ck-deep.md: tanh, erf and the centred ReLU, depth 2 and 3, d = n,
//! N_1 = … = N_L = 1.5 n, n = 250, 500, 1000, 2000 (4 draws each, seed 1).
//!
//! `cargo run --release --example ck_deep_table [draws] [n,n,...]` (defaults: 4 and 250,500,1000,2000)

use nnlimits::models::deep::entry::{CkDeepCheck, CkDeepSpec};
use nnlimits::output::FloatList;
use nnlimits::registry::SpectralSpec;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};

fn main() -> nnlimits::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let draws: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(4);
    let sizes: Vec<usize> = args
        .get(2)
        .map(|a| a.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or_else(|| vec![250, 500, 1000, 2000]);
    println!("| activation | L | n | draws | KS | KS tolerance | m1 obs / theory | verdict |");
    println!("|---|---|---|---|---|---|---|---|");
    for act in ["tanh", "erf", "crelu"] {
        for depth in [2usize, 3] {
            for &n in &sizes {
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
                    samples: draws,
                    seed: 1,
                    ..plan.options
                };
                let out = validate_spectrum(plan.theory.as_ref(), plan.sampler.as_ref(), &opts)?;
                let get = |name: &str| out.report.checks.iter().find(|k| k.name == name).cloned();
                let ks = get("ks").expect("ks check");
                let m1 = get("m1").expect("m1 check");
                println!(
                    "| {act} | {depth} | {n} | {draws} | {:.4} | {:.4} | {:.5} / {:.5} | {:?} |",
                    ks.observed, ks.tolerance, m1.observed, m1.theory, out.report.verdict
                );
            }
        }
    }
    Ok(())
}
