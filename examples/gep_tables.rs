//! Monte Carlo tables of docs/models/gep.md (Speicher–Wendel GEP on a Wishart matrix,
//! docs/models/fim.md (F32)).
//!
//! * `density`: F32 points at N = 2000, M = 4000, 3 draws, seed 8 (draw i = `rng::stream(8, i)`, the
//!   streams `validate gep --seed 8` uses): histogram density in bins of width 0.1 centred at the points,
//!   with Poisson errors, against the theory at the point and averaged over the bin; m2 with its SE.
//! * `ks`: mean per-draw and pooled KS distance to the theory vs N (M = 2N, seed 8), for the declared
//!   finite-size rate of the validator.
//!
//! Run: cargo run --release --features examples --example gep_tables -- density|ks
use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::gep::{activation_by_name, EntrywiseWishart, EntrywiseWishartSampler};
use nnlimits::rng::stream;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::stats::{ks_distance, mean_se};

fn draws(name: &str, n: usize, m: usize, k: u64) -> (EntrywiseWishart, Vec<Vec<f64>>) {
    let a = activation_by_name(name).unwrap();
    let s = EntrywiseWishartSampler::new(n, m, a.clone()).unwrap();
    let l = EntrywiseWishart::new(s.ratio(), &a).unwrap();
    let d = (0..k)
        .map(|i| s.sample(&mut stream(8, i)).unwrap())
        .collect();
    (l, d)
}

fn density_table() {
    let rows = [
        ("relu", vec![-0.5, 0.0, 0.5, 1.0]),
        ("tanh", vec![-0.5, 0.0, 0.5, 1.0]),
        ("cube", vec![-1.0, 0.0, 1.0]),
    ];
    println!(
        "| f | x | rho theory | bin average | MC (N = 2000, 3 draws) |\n|---|---|---|---|---|"
    );
    for (name, pts) in rows {
        let (l, d) = draws(name, 2000, 4000, 3);
        let pool: Vec<f64> = d.iter().flatten().copied().collect();
        let tot = pool.len() as f64;
        let h = 0.05;
        for (x, t) in pts.iter().zip(l.density_many(&pts).unwrap()) {
            let k = pool.iter().filter(|e| (*e - x).abs() < h).count() as f64;
            let xs: Vec<f64> = (0..201)
                .map(|j| x - h + 2.0 * h * j as f64 / 200.0)
                .collect();
            let avg = l.density_many(&xs).unwrap().iter().sum::<f64>() / 201.0;
            let w = tot * 2.0 * h;
            println!(
                "| {name} | {x} | {t:.5} | {avg:.5} | {:.3} ± {:.3} |",
                k / w,
                k.sqrt() / w
            );
        }
        let m2: Vec<f64> = d
            .iter()
            .map(|e| e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64)
            .collect();
        let (m, se) = mean_se(&m2);
        println!(
            "| {name} | m2 | {:.6} | | {m:.6} ± {se:.6} |",
            l.closed_moments()[1]
        );
    }
}

fn ks_table() {
    println!("| f | N | draws | mean per-draw KS | × N | pooled KS | × N | 1.949/sqrt(pooled) |\n|---|---|---|---|---|---|---|---|");
    for name in ["relu", "tanh", "cube", "linear"] {
        for (n, k) in [(250, 16), (500, 16), (1000, 16), (2000, 6)] {
            let (l, d) = draws(name, n, 2 * n, k);
            let law = SpectralDensity::from_model(&l, 300).unwrap();
            let ks = |e: &[f64]| {
                let mut e = e.to_vec();
                e.sort_by(f64::total_cmp);
                ks_distance(&e, |x| law.cdf(x), |x| law.cdf_left(x))
            };
            let per: Vec<f64> = d.iter().map(|e| ks(e)).collect();
            let mut pool: Vec<f64> = d.iter().flatten().copied().collect();
            pool.sort_by(f64::total_cmp);
            let (mk, pk) = (per.iter().sum::<f64>() / k as f64, ks(&pool));
            let nf = n as f64;
            println!(
                "| {name} | {n} | {k} | {mk:.5} | {:.2} | {pk:.5} | {:.2} | {:.4} |",
                mk * nf,
                pk * nf,
                1.949 / (pool.len() as f64).sqrt()
            );
        }
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("density") => density_table(),
        Some("ks") => ks_table(),
        _ => eprintln!("usage: gep_tables density|ks"),
    }
}
