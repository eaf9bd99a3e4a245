//! KS-versus-n table of docs/models/expr.md: for each expression, `draws` independent matrices of size
//! n (draw i = `rng::stream(1, i)`, the streams `validate expr --seed 1` uses), the pooled KS distance
//! to the expression's law, the validator's tolerance for it, `√N · KS` (N pooled eigenvalues: it stays
//! O(1) when the law is right), and the same for a false claim (one parameter changed), whose KS
//! distance does not shrink with n.
//!
//! Run: cargo run --release --features examples --example expr_tables [-- DRAWS]   (default 4 draws)
use nnlimits::model::Sampler;
use nnlimits::models::free::{Expression, ExpressionSampler};
use nnlimits::rng::stream;
use nnlimits::spectral::{SpectralDensity, DEFAULT_NODES};
use nnlimits::validate::stats::{ks_critical, ks_distance};

fn ks(law: &SpectralDensity, pooled: &[f64]) -> f64 {
    ks_distance(pooled, |x| law.cdf(x), |x| law.cdf_left(x))
}

fn main() -> nnlimits::Result<()> {
    let draws: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("DRAWS must be a positive integer"))
        .unwrap_or(4);
    let cases = [
        ("mp(0.5) + sc(0.5)", "mp(0.5) + sc(0.6)"),
        ("pop(2 * mp(0.5) + 1, 0.3)", "pop(2 * mp(0.5) + 1, 0.35)"),
        ("mp(0.5) * mp(0.3)", "mp(0.5) * mp(0.4)"),
        (
            "atoms(-2:0.5, 2:0.5) + sc(0.1)",
            "atoms(-2:0.5, 2:0.5) + sc(0.12)",
        ),
    ];
    println!("| expression | n | N | KS | tolerance | n·KS | false claim | its KS | verdict |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (truth, wrong) in cases {
        let e = Expression::parse_plain(truth)?;
        let law = SpectralDensity::from_model(&e, DEFAULT_NODES)?;
        let w = Expression::parse_plain(wrong)?;
        let wlaw = SpectralDensity::from_model(&w, DEFAULT_NODES)?;
        for n in [250usize, 500, 1000, 2000] {
            let s = ExpressionSampler::new(&e, n)?;
            let mut pooled = Vec::with_capacity(n * draws as usize);
            for i in 0..draws {
                pooled.extend(s.sample(&mut stream(1, i))?);
            }
            pooled.sort_by(f64::total_cmp);
            let big_n = pooled.len() as f64;
            let d = ks(&law, &pooled);
            let dw = ks(&wlaw, &pooled);
            // the validator's KS rule without the model's finite-size bias term
            let tol = ks_critical(big_n, 0.001);
            println!(
                "| `{truth}` | {n} | {big_n} | {d:.4} | {tol:.4} | {:.2} | `{wrong}` | {dw:.4} | {} |",
                n as f64 * d,
                if dw > tol { "rejected" } else { "not rejected" }
            );
        }
    }
    Ok(())
}
