//! The command-line interface: thin over the library (parse, call, write).
//!
//! Exit codes: 0 success (validation passed), 1 validation failed, 2 bad input or any other error.
//! The model commands (`spectrum`, `validate`, `law`, `saddle`) are built from the registry
//! ([`crate::registry`]): one subcommand per registered model, with that model's own flags only. This
//! file parses and dispatches; `table`, `merge` and `check` have their own small files.

pub mod check;
pub mod table;

use crate::registry::{Context, Verb};
use clap::{ArgMatches, Parser, Subcommand};
use std::process::ExitCode;

pub use crate::output::{Outcome, OutputArgs, OutputFormat};

/// nnlimits: theory solver for random neural networks, with a Monte Carlo validator.
#[derive(Debug, Parser)]
#[command(name = "nnlimits", version, about, long_about = None)]
pub struct Cli {
    /// Suppress progress bars and informational messages on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Memory budget, e.g. `1GB`, `512MB`, `2GiB` (default: half of the machine's memory). A run whose
    /// estimated memory exceeds it is refused before it allocates.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Limiting eigenvalue density of a random-matrix model.
    Spectrum(ModelCall<0>),
    /// Monte Carlo validation of a theory against sampled finite systems.
    Validate(ModelCall<1>),
    /// Reference table: a cartesian sweep of a command's parameters, with provenance (see --help).
    Table(table::TableArgs),
    /// Join the shards of a table computed with `table --shard i/k`.
    Merge(table::MergeArgs),
    /// Run the catalogue of theory claims (e.g. `nnlimits check validation/`) and write a report.
    Check(check::CheckArgs),
    /// Saddle point of a Bayesian network (order parameters, predictor, generalization error).
    Saddle(ModelCall<3>),
    /// Print version and build information.
    Info,
    /// List every model with its summary, parameters (range, default) and commands.
    Models(ModelsArgs),
    /// Closed-form laws (e.g. `law dln`).
    Law(ModelCall<2>),
    /// Re-measure a calibration record of the validator's bias allowances from a model's own plan at
    /// several sizes (e.g. `calibrate mp --ratio 0.5 --size 800 --out validation/calibration/mp.json`).
    Calibrate(CalibrateCall),
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
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                // bad input still starts with a one-line `error:` (then the help listing the choices)
                eprintln!("error: a subcommand is required\n");
            }
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(b) = cli.max_memory {
        crate::budget::set(b);
    }
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
    let mut words: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // `spectrum fim --limit data ...` is the model `fim-data`: each variant has only its own flags
    if let Some(mut rest) = words
        .iter()
        .skip(1)
        .map(|w| w.to_str().map(String::from))
        .collect::<Option<Vec<String>>>()
    {
        crate::registry::select_variant(&mut rest);
        glue_non_finite_values(&mut rest);
        words.truncate(1);
        words.extend(rest.into_iter().map(Into::into));
    }
    let cmd = allow_negative(Cli::command());
    let matches = cmd.try_get_matches_from(words)?;
    Cli::from_arg_matches(&matches)
}

/// Whether a command produces a JSON document that `table` can tabulate (besides `spectrum`).
pub fn is_tabulable(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Spectrum(_) | Command::Saddle(_) | Command::Law(_)
    )
}

/// Dispatch a parsed command.
pub fn dispatch(cli: &Cli) -> crate::Result<Outcome> {
    let ctx = Context { quiet: cli.quiet };
    match &cli.command {
        Command::Spectrum(a) => a.run(&ctx),
        Command::Validate(a) => a.run(&ctx),
        Command::Models(a) => {
            let text = match a.format {
                crate::output::OutputFormat::Json => crate::output::json_doc(
                    serde_json::json!({ "models": crate::registry::models_json() }),
                )?,
                _ => crate::registry::models_text(),
            };
            crate::output::emit(None, &text)?;
            Ok(Outcome::Done)
        }
        Command::Table(a) => table::run(a, cli.quiet),
        Command::Merge(a) => table::run_merge(a),
        Command::Check(a) => check::run(a, cli.quiet),
        Command::Info => {
            crate::output::emit(None, &format!("nnlimits {}\n", env!("CARGO_PKG_VERSION")))?;
            Ok(Outcome::Done)
        }
        Command::Saddle(a) => a.run(&ctx),
        Command::Law(a) => a.run(&ctx),
        Command::Calibrate(a) => crate::registry::calibrate::run_model(&a.model, &a.args, &ctx),
    }
}

/// `calibrate <model> ...`: the model name and its parsed arguments; its subcommands come from the
/// registry (models that declare their size flags).
#[derive(Debug, Clone)]
pub struct CalibrateCall {
    /// The model name.
    pub model: String,
    /// Its arguments.
    pub args: ArgMatches,
}

impl clap::FromArgMatches for CalibrateCall {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let c = ModelCall::<1>::from_arg_matches(m)?;
        Ok(CalibrateCall {
            model: c.model,
            args: c.args,
        })
    }
    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for CalibrateCall {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.subcommands(crate::registry::calibrate::subcommands())
            .subcommand_required(true)
            .arg_required_else_help(true)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// `models` arguments.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// Output format (`json` for other tools; `csv` and `table` print the text listing).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// A model command (`spectrum <model> ...` for `V = 0`, `validate` 1, `law` 2, `saddle` 3): the model
/// name and its parsed arguments. Its subcommands come from the registry.
#[derive(Debug, Clone)]
pub struct ModelCall<const V: u8> {
    /// The model name.
    pub model: String,
    /// Its arguments.
    pub args: ArgMatches,
}

impl<const V: u8> ModelCall<V> {
    /// The verb.
    pub fn verb() -> Verb {
        Verb::ALL[V as usize]
    }

    /// Run the command.
    pub fn run(&self, ctx: &Context) -> crate::Result<Outcome> {
        crate::registry::find(&self.model)?.run(Self::verb(), &self.args, ctx)
    }
}

impl<const V: u8> clap::FromArgMatches for ModelCall<V> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let (name, sub) = m
            .subcommand()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::MissingSubcommand))?;
        Ok(ModelCall {
            model: name.to_string(),
            args: sub.clone(),
        })
    }
    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl<const V: u8> clap::Args for ModelCall<V> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let verb = Self::verb();
        cmd.subcommands(crate::registry::subcommands(verb))
            .subcommand_required(true)
            .arg_required_else_help(true)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// `--scale -inf` would read `-inf` as a flag: glue such values to their flag (`--scale=-inf`) so that
/// they reach the model's validation and get its typed error ("must be finite").
fn glue_non_finite_values(words: &mut Vec<String>) {
    let mut i = 0;
    while i + 1 < words.len() {
        let v = words[i + 1].to_ascii_lowercase();
        let non_finite = matches!(v.as_str(), "-inf" | "-infinity" | "-nan");
        if words[i].starts_with("--") && !words[i].contains('=') && non_finite {
            let glued = format!("{}={}", words[i], words[i + 1]);
            words.splice(i..i + 2, [glued]);
        }
        i += 1;
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    crate::budget::parse_size(s).map_err(|e| e.to_string())
}
