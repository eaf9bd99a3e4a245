//! KS distance between the deep NTK law and sampled networks against the size n, for the table of
//! docs/models/ntk-deep.md: tanh and erf, depth 2 and 3, d = n, N_1 = … = N_L = 1.5 n, n = 250, 500,
//! 1000 (4 draws each, seed 1); then, at n = 500 (tanh, depth 2), the same draws against two wrong
//! laws: the CKs taken as free of each other (free sum of `τ_ℓ CK_ℓ` laws, shifted by `r_+`) and the
//! last layer's CK alone; finally ReLU at depth 2 against the naive extension of the law (refused by
//! the model).
//!
//! `cargo run --release --features examples --example ntk_deep_table` (all of the above), `... -- relu` (the ReLU part
//! only), `... -- centred` (the ReLU centred at every layer, `relu --centre`, depth 2 and 3,
//! n = 250 … 2000, and the same draws at n = 1000 against the laws at `σ_w² = 1.05, 1.1`).

use nnlimits::model::SpectralModel;
use nnlimits::models::deep::ck::law as ck_law;
use nnlimits::models::deep::ntk::DeepNtk;
use nnlimits::models::deep::ntk_entry::{FimDeepCheck, FimDeepSpec};
use nnlimits::models::free::{Expression, Law};
use nnlimits::output::FloatList;
use nnlimits::registry::SpectralSpec;
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use std::time::Instant;

fn check(act: &str, depth: usize, n: usize) -> FimDeepCheck {
    let (act, centre) = match act.strip_suffix("+centre") {
        Some(a) => (a, true),
        None => (act, false),
    };
    FimDeepCheck {
        activation: act.into(),
        centre,
        theory_sigma_w2: None,
        sigma_w2: 1.0,
        sigma_v2: 1.0,
        depth,
        n,
        d: n,
        widths: Some(FloatList(vec![(1.5 * n as f64).round(); depth])),
        bias_coeff: None,
    }
}

fn ks_of(c: &FimDeepCheck, theory: Option<&dyn SpectralModel>) -> nnlimits::Result<String> {
    Ok(ks_detail(c, theory)?.0)
}

/// The row of [`ks_of`] and the check that decided the verdict with its margin.
fn ks_detail(
    c: &FimDeepCheck,
    theory: Option<&dyn SpectralModel>,
) -> nnlimits::Result<(String, String)> {
    let plan = FimDeepSpec::plan(c)?;
    let opts = SpectralValidation {
        samples: 4,
        seed: 1,
        ..plan.options
    };
    let model = theory.unwrap_or(plan.theory.as_ref());
    let t0 = Instant::now();
    let out = validate_spectrum(model, plan.sampler.as_ref(), &opts)?;
    let get = |name: &str| out.report.checks.iter().find(|k| k.name == name).cloned();
    let ks = get("ks").expect("ks check");
    let m1 = get("m1").expect("m1 check");
    let decided = out
        .report
        .decided_by
        .as_ref()
        .map(|m| format!("{} ({:.2})", m.check, m.margin))
        .unwrap_or_default();
    Ok((
        format!(
            "{:.4} | {:.4} | {:.5} / {:.5} | {:?} | {:.1} s",
            ks.observed,
            ks.tolerance,
            m1.observed,
            m1.theory,
            out.report.verdict,
            t0.elapsed().as_secs_f64()
        ),
        decided,
    ))
}

fn main() -> nnlimits::Result<()> {
    if std::env::args().any(|a| a == "relu") {
        return relu_naive();
    }
    if std::env::args().any(|a| a == "centred") {
        return centred_relu();
    }
    println!(
        "| activation | L | n | draws | KS | KS tolerance | m1 obs / theory | verdict | time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for act in ["tanh", "erf"] {
        for depth in [2usize, 3] {
            for n in [250usize, 500, 1000] {
                let row = ks_of(&check(act, depth, n), None)?;
                println!("| {act} | {depth} | {n} | 4 | {row} |");
            }
        }
    }
    // wrong laws on the same draws (tanh, depth 2, n = 500)
    let act = nnlimits::models::fim::Activation::Tanh;
    let law = DeepNtk::new(&act, 1.0, 1.0, 1.0, &[1.5, 1.5])?;
    let sys = law.system();
    let coef: Vec<(f64, f64, f64)> = (1..sys.tau.len())
        .map(|l| (sys.alpha[l], sys.beta[l], sys.ratio[l]))
        .collect();
    let mut free = Law::affine(sys.tau[0], sys.shift, Law::mp(sys.ratio[0], 1.0)?)?;
    for l in 1..sys.tau.len() {
        let ck = ck_law(sys.ratio[0], &coef[..l])?;
        free = Law::free_sum(free, Law::affine(sys.tau[l], 0.0, ck)?)?;
    }
    let free = Expression::from_law(free);
    let c = check("tanh", 2, 500);
    println!();
    println!("| tanh, L = 2, n = 500, same draws | KS | KS tolerance | m1 obs / theory | verdict | time |");
    println!("|---|---|---|---|---|---|");
    println!("| deep NTK law | {} |", ks_of(&c, None)?);
    println!(
        "| CKs as free: {} | {} |",
        free.canonical(),
        ks_of(&c, Some(&free))?
    );
    let ck_only = Expression::from_law(ck_law(sys.ratio[0], &coef)?);
    println!("| last CK alone | {} |", ks_of(&c, Some(&ck_only))?);
    relu_naive()
}

/// ReLU at depth 2 (refused by the model): the naive extension (N2)–(N3) with the dual-kernel slopes
/// against sampled networks, n = d = 500, N = (750, 750), 4 draws, with the top 1, 2, 3 eigenvalues
/// removed; and the largest eigenvalues of one draw against the law's upper edge.
fn relu_naive() -> nnlimits::Result<()> {
    use nnlimits::model::Sampler;
    use nnlimits::models::deep::ntk_sampler::DeepNtkSampler;
    let act = nnlimits::models::fim::Activation::Relu;
    let law = DeepNtk::unchecked(&act, 1.0, 1.0, 1.0, &[1.5, 1.5])?;
    let one = DeepNtkSampler::new(500, 500, &[750, 750], act.clone(), 1.0, 1.0, 0)?
        .sample(&mut nnlimits::rng::stream(1, 0))?;
    println!();
    println!(
        "ReLU, L = 2, n = 500: naive law support {:?}, m1 {:.5}; top eigenvalues of one draw {:?}",
        law.support()?.components,
        law.moments()[0],
        &one[one.len() - 4..]
    );
    println!("| removed top | KS | KS tolerance | m1 obs / naive theory | verdict |");
    println!("|---|---|---|---|---|");
    for k in [1usize, 2, 3] {
        let sampler = DeepNtkSampler::new(500, 500, &[750, 750], act.clone(), 1.0, 1.0, k)?;
        let opts = SpectralValidation {
            samples: 4,
            seed: 1,
            bias_rate: 0.5,
            ..SpectralValidation::default()
        };
        let out = validate_spectrum(&law, &sampler, &opts)?;
        let get = |name: &str| out.report.checks.iter().find(|c| c.name == name).cloned();
        let (ks, m1) = (get("ks").expect("ks"), get("m1").expect("m1"));
        println!(
            "| {k} | {:.4} | {:.4} | {:.5} / {:.5} | {:?} |",
            ks.observed, ks.tolerance, m1.observed, m1.theory, out.report.verdict
        );
    }
    Ok(())
}

/// The ReLU centred at every layer (`validate fim --depth L --activation relu --centre`), depth 2
/// and 3, n = 250, 500, 1000, 2000 (or the sizes and depths given after `centred`); then at depth 2,
/// n = 1000, the same draws against the laws at `σ_w² = 1.05` and `1.1` (near-miss controls).
fn centred_relu() -> nnlimits::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let list = |i: usize, default: Vec<usize>| -> Vec<usize> {
        args.get(i)
            .map(|a| a.split(',').filter_map(|v| v.parse().ok()).collect())
            .unwrap_or(default)
    };
    let sizes = list(2, vec![250, 500, 1000, 2000]);
    let depths = list(3, vec![2, 3]);
    println!(
        "| activation | L | n | draws | KS | KS tolerance | m1 obs / theory | verdict | time | decided by (margin) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &depth in &depths {
        for &n in &sizes {
            let (row, decided) = ks_detail(&check("relu+centre", depth, n), None)?;
            println!("| relu, centred | {depth} | {n} | 4 | {row} | {decided} |");
        }
    }
    if args.get(2).is_some() {
        return Ok(());
    }
    for s in [1.05, 1.1] {
        let mut c = check("relu+centre", 2, 1000);
        c.theory_sigma_w2 = Some(s);
        println!(
            "| law at sigma_w2 = {s} | 2 | 1000 | 4 | {} |",
            ks_of(&c, None)?
        );
    }
    Ok(())
}
