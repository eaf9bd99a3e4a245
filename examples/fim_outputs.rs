//! The numbers of docs/models/fim.md "C outputs (F13)": theory vs the reference vs Monte Carlo
//! at the reference sizes, the finite-size m2, and the density timing.
//!
//! `cargo run --release --features examples --example fim_outputs`

use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::fim::{Inputs, MultiOutputLinearFim, MultiOutputSampler, Ratios};
use nnlimits::rng::stream;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::stats::mean_se;
use rayon::prelude::*;
use std::time::Instant;

fn main() {
    // theory at the F13 reference point: α = 0.75, γ = 0.5, C/N = 0.1, σ's = 1
    let r = Ratios::from_alpha_gamma(0.75, 0.5).unwrap();
    let law = MultiOutputLinearFim::new(r, 0.1, 1.0, 1.0).unwrap();
    let xs = [0.5, 1.0, 2.0, 4.0];
    let rho = law.density_many(&xs).unwrap();
    let reference = [0.38099, 0.25482, 0.15665, 0.07962];
    let sd = SpectralDensity::from_model(&law, 300).unwrap();
    println!("support {:?}", law.support().unwrap());
    println!(
        "moments closed {:?}; quadrature m1 {:.6} m2 {:.6} mass {:.7}",
        law.moments(),
        sd.moment(1),
        sd.moment(2),
        sd.mass()
    );
    // bin averages (half-width 0.1) for the MC comparison
    let bin = |x: f64| sd.mass_between(x - 0.1, x + 0.1) / 0.2;
    for ((x, r), want) in xs.iter().zip(&rho).zip(reference) {
        println!(
            "rho({x}) = {r:.6} (reference {want}); bin average {:.5}",
            bin(*x)
        );
    }

    // reference-size Monte Carlo: d = 100, n = 75, N = 200, C = 20, Gaussian inputs, raw readout
    for (inputs, norm, label) in [
        (Inputs::Gaussian, false, "gaussian inputs, raw readout"),
        (
            Inputs::Spherical,
            true,
            "spherical inputs, normalised readout rows",
        ),
    ] {
        let s = MultiOutputSampler::new(75, 100, 200, 20, 1.0, 1.0, inputs, norm).unwrap();
        let draws: Vec<Vec<f64>> = (0..6u64)
            .into_par_iter()
            .map(|i| s.sample(&mut stream(41, i)).unwrap())
            .collect();
        println!("MC ({label}), 6 draws, seed 41:");
        for x in xs {
            let per: Vec<f64> = draws
                .iter()
                .map(|d| {
                    d.iter().filter(|e| (**e - x).abs() < 0.1).count() as f64
                        / (d.len() as f64 * 0.2)
                })
                .collect();
            let (m, se) = mean_se(&per);
            println!("  bin at {x}: {m:.4} ± {se:.4} (theory {:.5})", bin(x));
        }
        for k in [1, 2] {
            let per: Vec<f64> = draws
                .iter()
                .map(|d| d.iter().map(|e| e.powi(k)).sum::<f64>() / d.len() as f64)
                .collect();
            let (m, se) = mean_se(&per);
            println!("  m{k}: {m:.4} ± {se:.4}");
        }
    }

    // m2 by the trace identity (no diagonalisation), Gaussian, seed 12: d = 100 and 400
    for (n, d, w, c, draws) in [(75, 100, 200, 20, 200u64), (300, 400, 800, 80, 40)] {
        let s = MultiOutputSampler::new(n, d, w, c, 1.0, 1.0, Inputs::Gaussian, false).unwrap();
        let per: Vec<f64> = (0..draws)
            .into_par_iter()
            .map(|i| {
                let (x, w1, w2) = s.draw(&mut stream(12, i));
                s.trace_moments(&s.blocks(&x, &w1, &w2)).1
            })
            .collect();
        let (m, se) = mean_se(&per);
        println!(
            "m2 trace MC d = {d} ({draws} draws): {m:.4} ± {se:.4}; exact finite-size {:.4}; limit 7.55",
            s.expected_m2_gaussian()
        );
    }

    // timing of a 1000-point density (supports cached after the first call)
    let (lo, hi) = {
        let s = law.support().unwrap();
        (s.components[0].0, s.components[0].1)
    };
    let grid: Vec<f64> = (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect();
    let t = Instant::now();
    let fresh = MultiOutputLinearFim::new(r, 0.1, 1.0, 1.0).unwrap();
    fresh.density_many(&grid).unwrap();
    println!(
        "1000-point density incl. construction and supports: {:?}",
        t.elapsed()
    );
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let t = Instant::now();
        fresh.density_many(&grid).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "1000-point density, supports cached: best of 10 {:.1} ms",
        best * 1e3
    );
}
