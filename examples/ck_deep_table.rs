//! KS distance between the deep conjugate-kernel law and sampled networks against the size n, for the
//! table of docs/models/ck-deep.md: tanh, erf, `crelu` (centred at layer 1 only) and the ReLU centred
//! at every layer (`relu --centre`, written `relu+centre`), depth 2 and 3, d = n,
//! N_1 = … = N_L = 1.5 n, n = 250, 500, 1000, 2000 (4 draws each, seed 1).
//!
//! `cargo run --release --features examples --example ck_deep_table [draws] [n,n,...] [act,act,...]` (defaults: 4,
//! 250,500,1000,2000 and tanh,erf,crelu,relu+centre)

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
    let acts: Vec<String> = args
        .get(3)
        .map(|a| a.split(',').map(String::from).collect())
        .unwrap_or_else(|| {
            ["tanh", "erf", "crelu", "relu+centre"]
                .map(String::from)
                .to_vec()
        });
    println!("| activation | L | n | draws | KS | KS tolerance | m1 obs / theory | verdict |");
    println!("|---|---|---|---|---|---|---|---|");
    for label in &acts {
        let (act, centre) = match label.strip_suffix("+centre") {
            Some(a) => (a, true),
            None => (label.as_str(), false),
        };
        for depth in [2usize, 3] {
            for &n in &sizes {
                let c = CkDeepCheck {
                    activation: act.into(),
                    centre,
                    theory_sigma_w2: None,
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
                    "| {label} | {depth} | {n} | {draws} | {:.4} | {:.4} | {:.5} / {:.5} | {:?} |",
                    ks.observed, ks.tolerance, m1.observed, m1.theory, out.report.verdict
                );
            }
        }
    }
    Ok(())
}
