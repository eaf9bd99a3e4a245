//! Theory figure for docs/models/fim.md, "Population FIM" (F23):
//! `docs/img/fim-population-traces.svg` — ReLU readout population FIM, exact finite-d group traces
//! `T_k(d) = N(d,k) λ_k` (Funk–Hecke) relative to their d → ∞ limits `b_k`, for k = 0, 2, 4, 6
//! (`T_1 = b_1` exactly for ReLU), and the share of the first three degrees, `(T_0 + T_1 + T_2)/η`,
//! which tends to `(b_0 + b_1 + b_2)/η = 0.9775`. Also prints the table used in the docs.
//!
//! Run: cargo run --release --features examples --example fim_population
use nnlimits::models::fim::{Activation, PopulationFim};
use nnlimits::plot::{Curve, Figure};
use std::path::Path;

fn main() {
    let ds: Vec<usize> = (0..=60)
        .map(|i| (2.0 * 1000f64.powf(i as f64 / 60.0)).round() as usize)
        .collect();
    let pops: Vec<PopulationFim> = ds
        .iter()
        .map(|&d| PopulationFim::new(&Activation::Relu, d, 1.0, 6).unwrap())
        .collect();
    let xs: Vec<f64> = ds.iter().map(|&d| (d as f64).log10()).collect();
    let mut curves: Vec<Curve> = [0usize, 2, 4, 6]
        .iter()
        .map(|&k| Curve {
            label: format!("T_{k}(d) / b_{k}"),
            xs: xs.clone(),
            ys: pops
                .iter()
                .map(|p| p.groups()[k].trace / p.groups()[k].asymptotic_trace.unwrap())
                .collect(),
        })
        .collect();
    curves.push(Curve {
        label: "(T_0 + T_1 + T_2)/eta  (-> 0.9775)".into(),
        xs: xs.clone(),
        ys: pops
            .iter()
            .map(|p| p.groups()[..3].iter().map(|g| g.share).sum())
            .collect(),
    });
    Figure {
        title: "ReLU population FIM: exact finite-d group traces vs their d -> inf limits b_k"
            .into(),
        x_label: "log10(d)".into(),
        y_label: "ratio".into(),
        curves,
        ..Figure::default()
    }
    .write(Path::new("docs/img/fim-population-traces.svg"))
    .unwrap();
    println!("| d | λ0 | T0 | T1 | T2 | T4 | share(0..2) |");
    println!("|---|---|---|---|---|---|---|");
    for d in [2usize, 3, 10, 20, 100, 1000, 10_000] {
        let p = PopulationFim::new(&Activation::Relu, d, 1.0, 4).unwrap();
        let g = p.groups();
        println!(
            "| {d} | {:.6} | {:.6} | {:.6} | {:.6} | {:.6} | {:.6} |",
            g[0].eigenvalue,
            g[0].trace,
            g[1].trace,
            g[2].trace,
            g[4].trace,
            g[..3].iter().map(|x| x.share).sum::<f64>()
        );
    }
    let b: Vec<f64> = PopulationFim::new(&Activation::Relu, 10, 1.0, 4)
        .unwrap()
        .groups()
        .iter()
        .map(|g| g.asymptotic_trace.unwrap())
        .collect();
    println!(
        "| ∞ (b_k) | – | {:.6} | {:.6} | {:.6} | {:.6} | {:.6} |",
        b[0],
        b[1],
        b[2],
        b[4],
        (b[0] + b[1] + b[2]) / 0.5
    );
}
