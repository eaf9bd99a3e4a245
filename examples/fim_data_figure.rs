//! The data-dependent law F20 against the proportional law F16 and Monte Carlo at fixed data
//! (docs/models/fim.md, "Fixed data set"): erf, both layers, d = 400, n = 600, N = 800, X from
//! `--data-seed 4242` (Gaussian inputs), 6 draws of (W, v) with |v|² = N (seed 1).
//! Writes `docs/img/fim-data-erf.svg` (bulk) and `docs/img/fim-data-erf-band.svg` (the band near `c`)
//! and prints the numbers quoted in the docs.
//!
//! Run: cargo run --release --features examples --example fim_data_figure   (about 2 minutes: the both-layer law costs
//! one n × n symmetric eigendecomposition per point, 600 points for the tabulation)
use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::fim::{
    draw_data, Activation, DataFim, FixedDataSampler, Inputs, NetworkSampler, ProportionalFim,
    Ratios, Trained,
};
use nnlimits::plot::{Curve, Figure};
use nnlimits::rng::stream;
use nnlimits::spectral::SpectralDensity;
use nnlimits::validate::stats::{ks_distance, Histogram};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

fn main() {
    let (n, d, w) = (600, 400, 800);
    let t = Instant::now();
    let x = draw_data(n, d, Inputs::Gaussian, 4242);
    let f20 = DataFim::new(&x, w, &Activation::Erf, 1.0, 1.0, Trained::Both).unwrap();
    let t_build = t.elapsed().as_secs_f64();
    let s20 = SpectralDensity::from_model(&f20, 300).unwrap();
    let t_law = t.elapsed().as_secs_f64();
    let g = Activation::Erf.constants(1.0, 1.0).unwrap();
    let f16 = ProportionalFim::new(Ratios::from_sizes(n, d, w).unwrap(), g, Trained::Both).unwrap();
    let s16 = SpectralDensity::from_model(&f16, 300).unwrap();
    println!(
        "F20 support {:?} (F16 {:?}); mass {:.8}; kernels + whitening {t_build:.1} s, support + 600-node tabulation {:.1} s",
        f20.support().unwrap().components,
        f16.support().unwrap().components,
        s20.mass(),
        t_law - t_build
    );
    let net = NetworkSampler::new(
        n,
        d,
        w,
        Activation::Erf,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Gaussian,
        true,
        0,
    )
    .unwrap();
    let sampler = FixedDataSampler::new(net, x).unwrap();
    let draws: Vec<Vec<f64>> = (0..6u64)
        .into_par_iter()
        .map(|i| sampler.sample(&mut stream(1, i)).unwrap())
        .collect();
    let mut pooled: Vec<f64> = draws.concat();
    pooled.sort_by(f64::total_cmp);
    let ks20 = ks_distance(&pooled, |v| s20.cdf(v), |v| s20.cdf_left(v));
    let ks16 = ks_distance(&pooled, |v| s16.cdf(v), |v| s16.cdf_left(v));
    let per20: Vec<f64> = draws
        .iter()
        .map(|dr| {
            let mut e = dr.clone();
            e.sort_by(f64::total_cmp);
            ks_distance(&e, |v| s20.cdf(v), |v| s20.cdf_left(v))
        })
        .collect();
    println!(
        "KS pooled ({} eigenvalues): F20 {ks20:.4}, F16 {ks16:.4}; per draw F20 {per20:.4?}; min/max {:.4}/{:.4}",
        pooled.len(),
        pooled[0],
        pooled[pooled.len() - 1]
    );
    println!("x | F20 | F16 | bin ±0.1: F20 (exact CDF) | F16 | MC ± Poisson");
    for xr in [0.5, 1.0, 2.0, 3.0] {
        let h = 0.1;
        let b20 = (f20.cdf_exact(xr + h).unwrap() - f20.cdf_exact(xr - h).unwrap()) / (2.0 * h);
        let b16 = (s16.cdf(xr + h) - s16.cdf(xr - h)) / (2.0 * h);
        let c = pooled.iter().filter(|v| (**v - xr).abs() < h).count() as f64;
        let tot = pooled.len() as f64;
        println!(
            "{xr} | {:.5} | {:.5} | {b20:.5} | {b16:.5} | {:.4} ± {:.4}",
            f20.density(xr).unwrap(),
            f16.density(xr).unwrap(),
            c / (tot * 2.0 * h),
            c.sqrt() / (tot * 2.0 * h)
        );
    }
    // two windows: the narrow band near c (mass (n - d)/n) and the bulk above it
    for (lo, hi, bins, file) in [
        (0.12, 0.26, 56, "docs/img/fim-data-erf-band.svg"),
        (0.2, 5.2, 100, "docs/img/fim-data-erf.svg"),
    ] {
        let curve = |label: &str, s: &SpectralDensity| {
            let (mut xs, mut ys) = (vec![], vec![]);
            for c in &s.components {
                let pts = std::iter::once((c.lo, 0.0))
                    .chain(c.x.iter().copied().zip(c.density.iter().copied()))
                    .chain(std::iter::once((c.hi, 0.0)));
                for (x, y) in pts.filter(|p| p.0 >= lo && p.0 <= hi) {
                    xs.push(x);
                    ys.push(y);
                }
            }
            Curve {
                label: label.into(),
                xs,
                ys,
            }
        };
        let fig = Figure {
            title: format!(
                "erf NTK, d = 400, n = 600, N = 800: fixed data (seed 4242) vs proportional limit, [{lo}, {hi}]"
            ),
            x_label: "eigenvalue of the dual Gram Θ".into(),
            y_label: "density".into(),
            histogram: Some(Histogram::new(&pooled, lo, hi, bins)),
            curves: vec![
                curve("F20 (this X, exact kernels)", &s20),
                curve("F16 (proportional limit)", &s16),
            ],
            atoms: vec![],
        };
        fig.write(Path::new(file)).unwrap();
        println!("wrote {file}");
    }
}
