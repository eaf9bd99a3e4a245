//! Re-measure the calibration records of the spectral validator (`validation/calibration/*.json`).
//!
//! ```text
//! cargo run --release --example calibrate -- [family ...]      # default: every family
//! ```
//!
//! Each family is calibrated at the parameter points listed below (the catalogue's claims), with seeds
//! 1000.. (independent of the catalogue's runs) and the bias fits of `nnlimits::validate::calibrate`.
//! Several parameter points of one family are merged into one bounding record.

use nnlimits::error::Result;
use nnlimits::model::SpectralModel;
use nnlimits::models::fim::{
    draw_data, Activation, DataFim, FixedDataSampler, Inputs, LinearFim, MultiOutputLinearFim,
    MultiOutputSampler, NetworkSampler, ProportionalFim, Ratios, Trained,
};
use nnlimits::models::gep::{EntrywiseWishart, EntrywiseWishartSampler};
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::validate::calibrate::{calibrate, Calibration};
use nnlimits::validate::spectral::SpectralValidation;

const SEEDS: [u64; 8] = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007];

fn base(remove_top: usize) -> SpectralValidation {
    SpectralValidation {
        samples: 8,
        remove_top,
        ..SpectralValidation::default()
    }
}

fn network(n: usize, act: Activation, trained: Trained) -> Result<Calibration> {
    let g = act.constants(1.0, 1.0)?;
    let remove_top = usize::from(g.mu0.abs() > 1e-12 && trained != Trained::First);
    let linear = matches!(act, Activation::Linear);
    let key = if linear {
        format!(
            "fim-linear-{}",
            if trained == Trained::Readout {
                "readout"
            } else {
                "both"
            }
        )
    } else if trained == Trained::Readout {
        "ck-exact".into()
    } else {
        "fim-nonlinear".into()
    };
    let _ = n;
    calibrate(
        &key,
        |n| {
            let r = Ratios::from_sizes(n, n, n)?;
            Ok(if linear {
                Box::new(LinearFim::new(r, 1.0, 1.0, trained)?) as Box<dyn SpectralModel>
            } else {
                Box::new(ProportionalFim::new(r, g.clone(), trained)?)
            })
        },
        |n| {
            NetworkSampler::new(
                n,
                n,
                n,
                act.clone(),
                1.0,
                1.0,
                trained,
                Inputs::Spherical,
                true,
                0,
            )
        },
        &[100, 200, 400, 800],
        &SEEDS,
        &base(remove_top),
    )
}

fn family(name: &str) -> Result<Calibration> {
    match name {
        "mp" => calibrate(
            "mp",
            |_| Ok(Box::new(MarchenkoPastur::new(0.5, 1.0)?) as Box<dyn SpectralModel>),
            |n| WishartSampler::new(n, 2 * n, 1.0),
            &[100, 200, 400, 800],
            &SEEDS,
            &base(0),
        ),
        "fim-linear-both" => network(0, Activation::Linear, Trained::Both),
        "fim-linear-readout" => network(0, Activation::Linear, Trained::Readout),
        "fim-nonlinear" => Calibration::merge(
            "fim-nonlinear",
            &[
                network(0, Activation::Tanh, Trained::Both)?,
                network(0, Activation::Relu, Trained::Both)?,
            ],
        ),
        "ck-exact" => Calibration::merge(
            "ck-exact",
            &[
                network(0, Activation::Tanh, Trained::Readout)?,
                network(0, Activation::Relu, Trained::Readout)?,
            ],
        ),
        "fim-linear-outputs" => calibrate(
            "fim-linear-outputs",
            |n| {
                let r = Ratios::from_sizes(n, 4 * n / 3, 8 * n / 3)?;
                Ok(Box::new(MultiOutputLinearFim::new(r, 0.1, 1.0, 1.0)?) as Box<dyn SpectralModel>)
            },
            |n| {
                MultiOutputSampler::new(
                    n,
                    4 * n / 3,
                    8 * n / 3,
                    8 * n / 30,
                    1.0,
                    1.0,
                    Inputs::Spherical,
                    true,
                )
            },
            &[75, 150, 300],
            &SEEDS,
            &base(0),
        ),
        "gep-nonlinear" => calibrate(
            "gep-nonlinear",
            |_| Ok(Box::new(EntrywiseWishart::new(0.5, &Activation::Relu)?) as Box<dyn SpectralModel>),
            |n| EntrywiseWishartSampler::new(n, 2 * n, Activation::Relu),
            &[250, 500, 1000, 2000],
            &SEEDS,
            &base(0),
        ),
        "ck-data" => calibrate(
            "ck-data",
            |n| {
                let x = draw_data(n, n / 4, Inputs::Gaussian, 31);
                Ok(Box::new(DataFim::new(&x, n / 2, &Activation::Relu, 1.0, 1.0, Trained::Readout)?)
                    as Box<dyn SpectralModel>)
            },
            |n| {
                let net = NetworkSampler::new(
                    n,
                    n / 4,
                    n / 2,
                    Activation::Relu,
                    1.0,
                    1.0,
                    Trained::Readout,
                    Inputs::Gaussian,
                    true,
                    0,
                )?;
                FixedDataSampler::new(net, draw_data(n, n / 4, Inputs::Gaussian, 31))
            },
            &[128, 256, 512, 1024],
            &SEEDS,
            &base(0),
        ),
        other => Err(nnlimits::Error::param(
            "family",
            other,
            "mp, fim-linear-both, fim-linear-readout, fim-nonlinear, ck-exact, fim-linear-outputs, gep-nonlinear, ck-data",
        )),
    }
}

fn main() {
    let all = [
        "mp",
        "fim-linear-both",
        "fim-linear-readout",
        "fim-nonlinear",
        "ck-exact",
        "fim-linear-outputs",
        "gep-nonlinear",
        "ck-data",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = if args.is_empty() {
        all.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for name in names {
        let t = std::time::Instant::now();
        match family(name) {
            Ok(c) => {
                let path = format!("validation/calibration/{name}.json");
                let text = serde_json::to_string_pretty(&c).expect("serialise") + "\n";
                std::fs::write(&path, text).expect("write");
                println!(
                    "{name}: {:?} ({:.0} s) -> {path}",
                    c.bias,
                    t.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                std::process::exit(2);
            }
        }
    }
}
