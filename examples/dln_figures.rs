//! Figures of docs/models/dln-prior.md:
//! * `docs/img/dln-ladder.svg`: density of one output from Gaussian (a = 0) to heavy-tailed (a = 1, 2),
//!   finite width (N = 20, L = 20a) against the depth~width limit;
//! * `docs/img/dln-validate.svg`: `validate dln` at N = L = 50, D = 1 (histogram of sampled networks vs
//!   finite-width density vs limit vs Gaussian); the report summary is printed.
//!
//! Run: `cargo run --release --features examples --example dln_figures` (from the crate root).

use nnlimits::models::dln::mixing::{Mixing, OutputLaw};
use nnlimits::models::dln::validate::{validate, Options};
use nnlimits::models::dln::{DlnLaw, DlnPrior};
use nnlimits::plot::{Curve, Figure};
use std::path::Path;

fn main() -> nnlimits::Result<()> {
    let xs: Vec<f64> = (0..=600).map(|k| -3.0 + 6.0 * k as f64 / 600.0).collect();
    let mut curves = Vec::new();
    for a in [0.0, 1.0, 2.0] {
        let lim = OutputLaw::new(Mixing::log_normal(a)?, 1.0)?;
        curves.push(Curve {
            label: if a == 0.0 {
                "a = 0: Gaussian (NNGP)".into()
            } else {
                format!("a = {a}: limit (log-normal mixture)")
            },
            xs: xs.clone(),
            ys: lim.pdf_many(&xs)?,
        });
    }
    for l in [20, 40] {
        let p = DlnPrior::equal(20, l, 1)?;
        curves.push(Curve {
            label: format!("a = {}: finite N = 20, L = {l}", l / 20),
            xs: xs.clone(),
            ys: p.output_law(0)?.pdf_many(&xs)?,
        });
    }
    Figure {
        title: "DLN output density: Gaussian (a = 0) to heavy tails (a = 1, 2)".into(),
        x_label: "f (C = 1, unit variances)".into(),
        y_label: "density".into(),
        histogram: None,
        curves,
        atoms: vec![],
    }
    .write(Path::new("docs/img/dln-ladder.svg"))?;

    let p = DlnPrior::equal(50, 50, 1)?;
    let opts = Options {
        samples: 20_000,
        seed: 2026,
        ..Options::default()
    };
    let (report, fig) = validate(&p, &p, &opts)?;
    fig.write(Path::new("docs/img/dln-validate.svg"))?;
    print!("{}", report.summary());
    Ok(())
}
