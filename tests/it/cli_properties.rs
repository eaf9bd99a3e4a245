//! Property tests of the command line: random argument vectors built from the real subcommand and flag
//! names, with valid, invalid and hostile values (empty, unicode, huge, negative, NaN, very long).
//!
//! * In process (`cli::parse`, then `cli::dispatch` for the cheap commands): never a panic; a parsed
//!   command either succeeds or returns a typed error with a one-line message.
//! * Through the binary (`CARGO_BIN_EXE_nnlimits`, a smaller sample): the exit code is always 0, 1 or 2;
//!   exit 2 comes with `error:` on stderr — exactly one line for the library's errors (clap's usage
//!   errors start with an `error:` line followed by a usage hint); never "panicked".
//!
//! Work is bounded: no output files are ever requested, sizes come from small pools, and `validate mp`
//! always gets `--size 12 --samples 2` first (a repeated flag is a parse error, exit 2).

use proptest::prelude::*;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Values for float flags.
const FLOATS: &[&str] = &[
    "0.5", "1", "2", "10", "0", "-0", "-1", "1e-3", "1e3", "1e6", "1e300", "-1e300", "1e-320",
    "nan", "NaN", "inf", "-inf", "infinity", "1e999", "0x10", "1,5", "", " ", "é", "💥", "--", "-",
    "1e",
];
/// Values for integer flags (kept small where valid, so that valid commands stay fast).
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "40",
    "-1",
    "1e3",
    "18446744073709551616",
    "99999999999999999999999",
    "",
    "abc",
    "٣",
    "nan",
];
/// Values for string flags.
const STRINGS: &[&str] = &[
    "3x2",
    "10",
    "5,5,5",
    "0",
    "1x0",
    "1x1000000",
    "x",
    "tiny",
    "tiny2",
    "make_ds:5,1,4,1",
    "make_ds:20,2,10,3,2",
    "make_ds:0,0,0,0",
    "make_ds:1000000,0,1000,1",
    "make_ds:a",
    "/nonexistent/data.csv",
    "1;0.5",
    "1,0.5;0.5,1",
    "1,2;2,1",
    "nan,0;0,1",
    "0,1,3",
    "-1,1e6",
    "",
    "ℵ₀",
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Float,
    Int,
    Str,
    Enum(&'static [&'static str]),
    Switch,
}

const FORMAT: Kind = Kind::Enum(&["csv", "json", "table", "xml", ""]);

fn spectrum_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--ratio", Kind::Float),
        ("--scale", Kind::Float),
        (
            "--method",
            Kind::Enum(&["closed-form", "fixed-point", "magic"]),
        ),
        ("--at", Kind::Str),
        ("--points", Kind::Int),
        ("--format", FORMAT),
    ]
}

fn law_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--widths", Kind::Str),
        ("--limit-a", Kind::Float),
        ("--outputs", Kind::Int),
        ("--sigma2", Kind::Str),
        ("--lambda", Kind::Float),
        ("--gram", Kind::Str),
        ("--rho", Kind::Float),
        ("--random-inputs", Kind::Int),
        ("--input-dim", Kind::Int),
        ("--input-seed", Kind::Int),
        ("--sigma0-sq", Kind::Float),
        ("--at", Kind::Str),
        ("--tail", Kind::Str),
        ("--format", FORMAT),
    ]
}

fn saddle_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--data", Kind::Str),
        ("--width", Kind::Int),
        ("--depth", Kind::Int),
        ("--temperature", Kind::Float),
        (
            "--activation",
            Kind::Enum(&["id", "erf", "relu", "tanh", "gelu"]),
        ),
        ("--variant", Kind::Enum(&["nested", "vanilla", "other"])),
        ("--sigma0", Kind::Float),
        ("--sigma", Kind::Float),
        ("--format", FORMAT),
    ]
}

fn validate_mp_flags() -> Vec<(&'static str, Kind)> {
    vec![
        ("--ratio", Kind::Float),
        ("--scale", Kind::Float),
        ("--method", Kind::Enum(&["closed-form", "fixed-point"])),
        ("--theory-ratio", Kind::Float),
        ("--seed", Kind::Int),
        ("--unknown-flag", Kind::Switch),
    ]
}

/// A command family: its subcommand path and its flags.
type Family = (Vec<&'static str>, Vec<(&'static str, Kind)>);

/// A random command: a prefix (subcommand path), then random flags with random values.
fn command() -> impl Strategy<Value = Vec<String>> {
    let families: Vec<Family> = vec![
        (vec!["spectrum", "mp"], spectrum_flags()),
        (vec!["law", "dln"], law_flags()),
        (vec!["saddle", "dln"], saddle_flags()),
        (vec!["saddle", "1hl"], saddle_flags()),
        (vec!["saddle", "3hl"], saddle_flags()),
        (
            vec!["validate", "mp", "--size", "12", "--samples", "2"],
            validate_mp_flags(),
        ),
        (
            vec!["merge", "/nonexistent/a.csv", "-o", "/nonexistent/o.csv"],
            vec![],
        ),
        (vec!["check", "/nonexistent/claims"], vec![]),
        (vec!["info"], vec![]),
        (vec!["frobnicate"], vec![]),
        (vec![], vec![]),
    ];
    (
        prop::sample::select(families),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..5,
        ),
        any::<bool>(),
        prop::option::of("\\PC{0,8}"),
        any::<bool>(),
    )
        .prop_map(|((prefix, flags), picks, long_value, junk, quiet)| {
            let mut args: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
            if quiet {
                args.push("--quiet".into());
            }
            for (f, v) in picks {
                if flags.is_empty() {
                    break;
                }
                let (flag, kind) = flags[f.index(flags.len())];
                args.push(flag.to_string());
                let value = match kind {
                    Kind::Float => FLOATS[v.index(FLOATS.len())].to_string(),
                    Kind::Int => INTS[v.index(INTS.len())].to_string(),
                    Kind::Str => STRINGS[v.index(STRINGS.len())].to_string(),
                    Kind::Enum(vals) => vals[v.index(vals.len())].to_string(),
                    Kind::Switch => continue,
                };
                args.push(value);
            }
            if long_value {
                // a very long value for the last flag (or a stray positional)
                args.push("9".repeat(5000));
            }
            if let Some(j) = junk {
                args.push(j);
            }
            args
        })
}

/// Run the binary with a time limit; returns (exit code, stdout, stderr).
fn run_binary(args: &[String]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnlimits"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nnlimits");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("nnlimits {args:?} ran for more than 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (
        status.code().unwrap_or(-1),
        t_out.join().unwrap(),
        t_err.join().unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Through the binary: exit code in {0, 1, 2}; exit 2 has an `error:` line; library errors are one
    /// line; never a panic.
    #[test]
    fn binary_exit_codes(args in command()) {
        let (code, _out, err) = run_binary(&args);
        prop_assert!(!err.contains("panicked"), "{args:?}: {err}");
        prop_assert!([0, 1, 2].contains(&code), "{args:?}: exit {code}, {err}");
        if code == 2 {
            prop_assert!(err.starts_with("error:"), "{args:?}: {err}");
            let clap_usage = err.contains("Usage:") || err.contains("For more information");
            if !clap_usage {
                prop_assert_eq!(err.lines().count(), 1, "{:?}: {}", args, err);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// In process: parsing never panics; parsed `spectrum`/`law`/`saddle`/`info` commands run to a
    /// result or a typed one-line error.
    #[test]
    fn parse_and_dispatch(args in command()) {
        let argv = std::iter::once("nnlimits".to_string()).chain(args.iter().cloned());
        match nnlimits::cli::parse(argv) {
            Err(e) => {
                let code = if e.use_stderr() { 2 } else { 0 };
                prop_assert!(code == 2 || code == 0);
            }
            Ok(cli) => {
                use nnlimits::cli::Command as C;
                if matches!(cli.command, C::Spectrum(_) | C::Law(_) | C::Saddle(_) | C::Info) {
                    match nnlimits::cli::dispatch(&cli) {
                        Ok(o) => prop_assert!([0u8, 1].contains(&o.code())),
                        Err(e) => {
                            let m = e.to_string();
                            prop_assert!(!m.is_empty() && !m.contains('\n'), "{args:?}: {m}");
                        }
                    }
                }
            }
        }
    }
}
