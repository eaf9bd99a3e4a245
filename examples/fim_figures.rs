//! Theory figures for docs/models/fim.md and docs/models/ck.md (multi-curve SVGs):
//! 1. `docs/img/pw2017-densities.svg`: PW2017 densities of M = YYᵀ/m in the paper's normalisation (F27
//!    quartic) for tanh (φ = ψ = 0.5), erf (φ = 2/3, ψ = 2), crelu (φ = ψ = 1), reference settings.
//! 2. `docs/img/fim-width-convergence.svg`: F16 (tanh, both layers, α = 1.5) at N/d = 1, 5, 20, 80 and
//!    the infinite-width affine MP F21.
//! 3. `docs/img/fim-conditioning.svg`: F16 at α = γ = 1 for linear, tanh, erf, crelu, absc.
//!
//! Run: cargo run --release --features examples --example fim_figures
use nnlimits::model::SpectralModel;
use nnlimits::models::fim::{
    Activation, InfiniteWidthFim, LinearFim, ProportionalFim, Pw2017, Ratios, Trained,
};
use nnlimits::plot::{Curve, Figure};
use std::path::Path;

fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / n as f64)
        .collect()
}

fn curve(label: &str, m: &dyn SpectralModel, xs: &[f64]) -> Curve {
    Curve {
        label: label.into(),
        xs: xs.to_vec(),
        ys: m.density_many(xs).unwrap(),
    }
}

fn main() {
    // 1. PW2017
    let xs = grid(0.02, 3.0, 400);
    let mut curves = vec![];
    for (act, phi, psi) in [
        ("tanh", 0.5, 0.5),
        ("erf", 2.0 / 3.0, 2.0),
        ("crelu", 1.0, 1.0),
    ] {
        let g = Activation::parse(act).unwrap().constants(1.0, 1.0).unwrap();
        let pw = Pw2017::new(phi, psi, g.eta - g.mu0 * g.mu0, g.a * g.a).unwrap();
        curves.push(Curve {
            label: format!("{act} phi={phi:.3} psi={psi}"),
            xs: xs.clone(),
            ys: xs.iter().map(|&x| pw.density(x).unwrap()).collect(),
        });
    }
    Figure {
        title: "PW2017 CK law of M = YY^T/m (F27, paper's normalisation)".into(),
        x_label: "eigenvalue of M".into(),
        y_label: "density".into(),
        histogram: None,
        curves,
        atoms: vec![],
    }
    .write(Path::new("docs/img/pw2017-densities.svg"))
    .unwrap();

    // 2. width convergence
    let g = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let xs = grid(0.2, 4.0, 500); // bulk only: the narrow band / atom near c lies below 0.2
    let mut curves = vec![];
    for wd in [1.0, 5.0, 20.0, 80.0] {
        let m = ProportionalFim::new(
            Ratios::from_alpha_gamma(1.5, 1.0 / wd).unwrap(),
            g.clone(),
            Trained::Both,
        )
        .unwrap();
        curves.push(curve(&format!("F16 N/d = {wd}"), &m, &xs));
    }
    let inf = InfiniteWidthFim::new(1.5, g.clone(), Trained::Both).unwrap();
    curves.push(curve("F21 infinite width", &inf, &xs));
    Figure {
        title: "tanh NTK dual Gram bulk, n/d = 1.5: F16 -> F21 as N/d grows".into(),
        x_label: "eigenvalue of Theta".into(),
        y_label: "density".into(),
        histogram: None,
        curves,
        atoms: vec![],
    }
    .write(Path::new("docs/img/fim-width-convergence.svg"))
    .unwrap();

    // 3. conditioning at α = γ = 1
    let r = Ratios::new(1.0, 1.0).unwrap();
    let xs = grid(0.005, 5.0, 500);
    let mut curves = vec![curve(
        "linear (exact F9)",
        &LinearFim::new(r, 1.0, 1.0, Trained::Both).unwrap(),
        &xs,
    )];
    for act in ["tanh", "erf", "crelu", "absc"] {
        let g = Activation::parse(act).unwrap().constants(1.0, 1.0).unwrap();
        curves.push(curve(
            act,
            &ProportionalFim::new(r, g, Trained::Both).unwrap(),
            &xs,
        ));
    }
    Figure {
        title: "NTK dual Gram at n = d = N (alpha = gamma = 1): conditioning by activation".into(),
        x_label: "eigenvalue of Theta".into(),
        y_label: "density".into(),
        histogram: None,
        curves,
        atoms: vec![],
    }
    .write(Path::new("docs/img/fim-conditioning.svg"))
    .unwrap();
    println!(
        "wrote docs/img/pw2017-densities.svg, fim-width-convergence.svg, fim-conditioning.svg"
    );
}
