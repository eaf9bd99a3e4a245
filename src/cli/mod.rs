//! The command-line interface: thin over the library (parse, call, write).
//!
//! Exit codes: 0 success (validation passed), 1 validation failed, 2 bad input or any other error.
//! Each command family lives in its own file with its `clap` argument structs and a `run` function
//! returning [`Outcome`]; this file only dispatches.

pub mod common;
pub mod fim;
pub mod spectrum;
pub mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use common::{Outcome, OutputArgs, OutputFormat};

/// nnlimits: theory solver for random neural networks, with a Monte Carlo validator.
#[derive(Debug, Parser)]
#[command(name = "nnlimits", version, about, long_about = None)]
pub struct Cli {
    /// Suppress progress bars and informational messages on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Limiting eigenvalue density of a random-matrix model.
    Spectrum(spectrum::SpectrumArgs),
    /// Monte Carlo validation of a theory against sampled finite systems.
    Validate(validate::ValidateArgs),
    /// Print version and build information.
    Info,
}

/// Run the CLI on an argument vector (the first element is the program name); returns the exit code.
pub fn run_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match parse(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match dispatch(&cli) {
        Ok(o) => ExitCode::from(o.code()),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Parse an argument vector. Negative numbers are accepted as values everywhere (`--ratio -1` reaches
/// the model's validation and gets its typed error instead of a parser complaint).
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    fn allow_negative(cmd: clap::Command) -> clap::Command {
        cmd.allow_negative_numbers(true)
            .mut_subcommands(allow_negative)
    }
    let cmd = allow_negative(Cli::command());
    let matches = cmd.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Dispatch a parsed command.
pub fn dispatch(cli: &Cli) -> crate::Result<Outcome> {
    match &cli.command {
        Command::Spectrum(a) => spectrum::run(a),
        Command::Validate(a) => validate::run(a, cli.quiet),
        Command::Info => {
            common::emit(None, &format!("nnlimits {}\n", env!("CARGO_PKG_VERSION")))?;
            Ok(Outcome::Done)
        }
    }
}
