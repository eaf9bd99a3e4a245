//! Models not yet declared in the registry, wired by hand (being moved into the registry).

use crate::error::{Error, Result};
use crate::output::{GridArgs, Outcome, OutputArgs};
use crate::registry::{Context, Verb};
use clap::{ArgMatches, Args, FromArgMatches};

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

fn with_output(c: clap::Command) -> clap::Command {
    OutputArgs::augment_args(GridArgs::augment_args(c))
}

/// The hand-wired subcommands of `verb`.
pub fn subcommands(verb: Verb) -> Vec<clap::Command> {
    use clap::Command as C;
    match verb {
        Verb::Spectrum => vec![
            with_output(super::fim::FimSpectrumArgs::augment_args(C::new("ck"))).about(
                "Conjugate-kernel Gram Φᵀ Φ / N of a random shallow network (readout-only NTK).",
            ),
            with_output(super::fim::FimSpectrumArgs::augment_args(C::new("fim")))
                .about("FIM / NTK dual Gram Θ = J Jᵀ of a random shallow network."),
        ],
        Verb::Validate => vec![
            super::fim::FimValidateArgs::augment_args(C::new("ck"))
                .about("Conjugate-kernel Gram spectrum against sampled networks."),
            super::fim::FimValidateArgs::augment_args(C::new("fim"))
                .about("FIM / NTK dual Gram spectrum against sampled networks."),
        ],
        _ => vec![],
    }
}

/// Run a hand-wired model command.
pub fn run(verb: Verb, name: &str, m: &ArgMatches, ctx: &Context) -> Result<Outcome> {
    let quiet = ctx.quiet;
    match (verb, name) {
        (Verb::Spectrum, "ck" | "fim") => {
            let a: super::fim::FimSpectrumArgs = parse(m)?;
            let grid: GridArgs = parse(m)?;
            let output: OutputArgs = parse(m)?;
            super::fim::run_spectrum(&a, name == "ck", &grid, &output)
        }
        (Verb::Validate, "ck" | "fim") => {
            let a: super::fim::FimValidateArgs = parse(m)?;
            super::fim::run_validate(&a, name == "ck", &a.run, quiet)
        }
        _ => Err(Error::Domain(format!(
            "`{} {name}` is not available",
            verb.name()
        ))),
    }
}
