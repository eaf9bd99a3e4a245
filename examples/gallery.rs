//! Regenerate the figure gallery in `docs/img/gallery/` (see docs/figures.md): Monte Carlo validations
//! rendered with captions (sizes, draws, seed, verdict, distance), and one curve on a logarithmic axis.
//!
//! `cargo run --release --features examples --example gallery` (about a minute on two cores).

use nnlimits::model::SpectralModel;
use nnlimits::models::dln::{DlnPrior, Gram};
use nnlimits::models::fim::sampler::{Inputs, NetworkSampler, Trained};
use nnlimits::models::fim::{Activation, ProportionalFim, Ratios};
use nnlimits::models::gep::{EntrywiseWishart, EntrywiseWishartSampler};
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::plot::{Curve, Figure, Render};
use nnlimits::validate::spectral::{validate_spectrum, SpectralValidation};
use std::path::Path;

fn main() -> nnlimits::Result<()> {
    let dir = Path::new("docs/img/gallery");
    std::fs::create_dir_all(dir).map_err(|source| nnlimits::Error::Io {
        action: "write",
        path: dir.to_path_buf(),
        source,
    })?;
    let save = |name: &str, fig: &Figure, r: &Render| -> nnlimits::Result<()> {
        let p = dir.join(name);
        fig.write_with(&p, r)?;
        println!("wrote {}", p.display());
        Ok(())
    };

    // 1. Marchenko–Pastur, ratio 0.5
    let mp = MarchenkoPastur::new(0.5, 1.0)?;
    let out = validate_spectrum(
        &mp,
        &WishartSampler::new(500, 1000, 1.0)?,
        &SpectralValidation {
            samples: 20,
            seed: 1,
            ..Default::default()
        },
    )?;
    let mut fig = out.figure.clone();
    fig.title = "Marchenko–Pastur law, ratio c = n/m = 0.5, against Wishart matrices".into();
    save("mp.svg", &fig, &Render::for_report(&out.report))?;

    // 2. Marchenko–Pastur with an atom (c = 2)
    let mp2 = MarchenkoPastur::new(2.0, 1.0)?;
    let out = validate_spectrum(
        &mp2,
        &WishartSampler::new(800, 400, 1.0)?,
        &SpectralValidation {
            samples: 10,
            seed: 2,
            ..Default::default()
        },
    )?;
    let mut fig = out.figure.clone();
    fig.title = "Marchenko–Pastur law, c = 2: atom of mass 1 − 1/c at 0".into();
    save("mp-atom.svg", &fig, &Render::for_report(&out.report))?;

    // 3. FIM of a tanh network (both layers, proportional limit)
    let (n, d, w) = (300, 200, 400);
    let act = Activation::Tanh;
    let g = act.constants(1.0, 1.0)?;
    let law = ProportionalFim::new(Ratios::from_sizes(n, d, w)?, g, Trained::Both)?;
    let s = NetworkSampler::new(
        n,
        d,
        w,
        act,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Gaussian,
        false,
        0,
    )?;
    let out = validate_spectrum(
        &law,
        &s,
        &SpectralValidation {
            samples: 8,
            seed: 3,
            bias_rate: 0.5,
            ..Default::default()
        },
    )?;
    let mut fig = out.figure.clone();
    fig.title =
        "NTK dual Gram of a tanh network, n = 300, d = 200, N = 400 (Gaussian equivalence)".into();
    save("fim-tanh.svg", &fig, &Render::for_report(&out.report))?;

    // 4. Gaussian equivalence for an entrywise tanh of a Wishart matrix
    let gep = EntrywiseWishart::new(0.5, &Activation::Tanh)?;
    let out = validate_spectrum(
        &gep,
        &EntrywiseWishartSampler::new(600, 1200, Activation::Tanh)?,
        &SpectralValidation {
            samples: 6,
            seed: 4,
            bias_rate: 0.5,
            ..Default::default()
        },
    )?;
    let mut fig = out.figure.clone();
    fig.title = "Entrywise tanh of a Wishart matrix, N/M = 0.5 (Speicher–Wendel)".into();
    save("gep-tanh.svg", &fig, &Render::for_report(&out.report))?;

    // 5. Deep linear network prior: output law at depth 3, width 10, against 4000 networks
    let prior = DlnPrior::new(vec![10; 3], vec![1.0; 3], 1, Gram::unit())?;
    let (report, mut fig) = nnlimits::models::dln::validate::validate(
        &prior,
        &prior,
        &nnlimits::models::dln::validate::Options::default(),
    )?;
    fig.title = "Deep linear network prior, L = 3 layers of width 10: output law".into();
    save("dln-law.svg", &fig, &Render::for_report(&report))?;
    let mut r = Render::for_report(&report);
    r.log_y = true;
    fig.title = "Deep linear network prior, L = 3, width 10: heavy tails (log scale)".into();
    save("dln-law-log.svg", &fig, &r)?;

    // 6. MP densities on a log axis near the hard edge (ratio 1): the x^(-1/2) divergence
    let xs: Vec<f64> = (1..=800).map(|k| 4.0 * k as f64 / 800.0).collect();
    let mut curves = vec![];
    for c in [0.25, 0.5, 1.0] {
        let m = MarchenkoPastur::new(c, 1.0)?;
        curves.push(Curve {
            label: format!("c = {c}"),
            xs: xs.clone(),
            ys: m.density_many(&xs)?,
        });
    }
    let fig = Figure {
        title: "Marchenko–Pastur densities (log scale): soft edges and the hard edge at c = 1"
            .into(),
        x_label: "eigenvalue".into(),
        y_label: "density".into(),
        curves,
        ..Default::default()
    };
    save(
        "mp-densities-log.svg",
        &fig,
        &Render {
            caption: vec!["closed form; no sampling".into()],
            log_y: true,
        },
    )?;
    Ok(())
}
