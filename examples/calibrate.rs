//! Re-measure every shipped calibration record of the spectral validator
//! (`validation/calibration/*.json`) in one go.
//!
//! ```text
//! cargo run --release --features examples --example calibrate -- [family ...]      # default: every family
//! ```
//!
//! One record is `nnlimits calibrate <model> [model flags] --out FILE` (the library function
//! `nnlimits::registry::calibrate::calibrate_model`, used here too): the model's own validation plan at
//! its sizes times 1/8, 1/4, 1/2, 1, seeds 1000..1007, 8 draws each (unless the row says otherwise:
//! the fixed-data law is recomputed for every run, so its row is smaller).
//! This example only lists the parameter points of each family (the catalogue's claims) and merges
//! several points of one family into one bounding record (`Calibration::merge`).

use nnlimits::registry::calibrate::calibrate_model;
use nnlimits::validate::calibrate::Calibration;

/// One parameter point of a record: the model and its flags.
type Point = (&'static str, &'static [&'static str]);

/// `(family, [(model, flags)])`: the parameter points of each shipped record.
const FAMILIES: &[(&str, &[Point])] = &[
    ("mp", &[("mp", &["--ratio", "0.5", "--size", "800"])]),
    (
        "fim-linear-both",
        &[(
            "fim",
            &[
                "--activation",
                "linear",
                "--n",
                "800",
                "--d",
                "800",
                "--width",
                "800",
            ],
        )],
    ),
    (
        "fim-linear-readout",
        &[(
            "ck",
            &[
                "--activation",
                "linear",
                "--n",
                "800",
                "--d",
                "800",
                "--width",
                "800",
            ],
        )],
    ),
    (
        "fim-nonlinear",
        &[
            (
                "fim",
                &[
                    "--activation",
                    "tanh",
                    "--n",
                    "800",
                    "--d",
                    "800",
                    "--width",
                    "800",
                ],
            ),
            (
                "fim",
                &[
                    "--activation",
                    "relu",
                    "--n",
                    "800",
                    "--d",
                    "800",
                    "--width",
                    "800",
                ],
            ),
        ],
    ),
    (
        "ck-exact",
        &[
            (
                "ck",
                &[
                    "--activation",
                    "tanh",
                    "--n",
                    "800",
                    "--d",
                    "800",
                    "--width",
                    "800",
                ],
            ),
            (
                "ck",
                &[
                    "--activation",
                    "relu",
                    "--n",
                    "800",
                    "--d",
                    "800",
                    "--width",
                    "800",
                ],
            ),
        ],
    ),
    (
        "fim-linear-outputs",
        &[(
            "fim-outputs",
            &[
                "--outputs",
                "80",
                "--n",
                "300",
                "--d",
                "400",
                "--width",
                "800",
                "--factors",
                "0.25,0.5,1",
            ],
        )],
    ),
    (
        "gep-nonlinear",
        &[(
            "gep",
            &["--activation", "relu", "--n", "2000", "--m", "4000"],
        )],
    ),
    (
        "ck-data",
        &[(
            "ck-data",
            &[
                "--activation",
                "relu",
                "--n",
                "1024",
                "--d",
                "256",
                "--width",
                "512",
                "--data-seed",
                "31",
                "--inputs",
                "gaussian",
            ],
        )],
    ),
    ("semicircle", &[("semicircle", &["--n", "1000"])]),
    (
        "expr",
        &[("expr", &["--n", "800", "--", "mp(0.5) + sc(0.5)"])],
    ),
    (
        "ck-deep",
        &[(
            "ck-deep",
            &[
                "--depth",
                "2",
                "--activation",
                "relu",
                "--n",
                "800",
                "--d",
                "800",
            ],
        )],
    ),
    (
        "fim-deep",
        &[(
            "fim-deep",
            &[
                "--depth",
                "2",
                "--activation",
                "tanh",
                "--n",
                "800",
                "--d",
                "800",
                "--widths",
                "1200,1200",
            ],
        )],
    ),
    (
        "fim-deep-centred",
        &[(
            "fim-deep",
            &[
                "--depth",
                "2",
                "--activation",
                "relu",
                "--centre",
                "--n",
                "800",
                "--d",
                "800",
                "--widths",
                "1200,1200",
            ],
        )],
    ),
    (
        "fim-deep-centred-L3",
        &[(
            "fim-deep",
            &[
                "--depth",
                "3",
                "--activation",
                "relu",
                "--centre",
                "--n",
                "800",
                "--d",
                "800",
                "--widths",
                "1200,1200,1200",
            ],
        )],
    ),
    (
        "fim-data",
        &[(
            "fim-data",
            &[
                "--activation",
                "tanh",
                "--n",
                "400",
                "--d",
                "200",
                "--width",
                "200",
                "--data-seed",
                "31",
                "--factors",
                "0.25,0.5,1",
                "--seeds",
                "6",
            ],
        )],
    ),
];

fn family(name: &str, points: &[Point]) -> nnlimits::Result<Calibration> {
    let path = format!("validation/calibration/{name}.json");
    let records = points
        .iter()
        .map(|(model, flags)| {
            let mut args: Vec<&str> = vec!["--out", &path];
            args.extend_from_slice(flags);
            calibrate_model(model, &args, false)
        })
        .collect::<nnlimits::Result<Vec<_>>>()?;
    let mut c = if records.len() == 1 {
        records.into_iter().next().expect("one record")
    } else {
        Calibration::merge(name, &records)?
    };
    c.family = name.into();
    c.command = Some(format!(
        "cargo run --release --features examples --example calibrate -- {name}"
    ));
    Ok(c)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = if args.is_empty() {
        FAMILIES.iter().map(|f| f.0).collect()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for name in names {
        let Some((_, points)) = FAMILIES.iter().find(|f| f.0 == name) else {
            let known: Vec<&str> = FAMILIES.iter().map(|f| f.0).collect();
            eprintln!("unknown family `{name}` (one of {})", known.join(", "));
            std::process::exit(2);
        };
        let t = std::time::Instant::now();
        match family(name, points) {
            Ok(c) => {
                let path = format!("validation/calibration/{name}.json");
                let text = serde_json::to_string_pretty(&c).expect("serialise") + "\n";
                nnlimits::io::write_atomic(std::path::Path::new(&path), text.as_bytes())
                    .expect("write");
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
