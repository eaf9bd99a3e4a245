//! Models not yet declared in the registry, wired by hand (being moved into the registry).

use crate::error::{Error, Result};
use crate::output::Outcome;
use crate::registry::{Context, Verb};
use clap::{ArgMatches, Args, FromArgMatches};

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

/// The hand-wired subcommands of `verb`.
pub fn subcommands(verb: Verb) -> Vec<clap::Command> {
    use clap::Command as C;
    match verb {
        Verb::Validate => vec![
            super::law::ValidateDlnArgs::augment_args(C::new("dln"))
                .about("Deep linear network prior: finite-width / limit law against sampled networks."),
            super::saddle::ValidateBayesArgs::augment_args(C::new("dln-bayes")).about(
                "Bayesian deep linear network: exact Gibbs sampling vs exact posterior and saddle point.",
            ),
            super::saddle::ValidateBayesArgs::augment_args(C::new("1hl-bayes"))
                .about("Bayesian one-hidden-layer network: elliptical slice sampling vs saddle point."),
        ],
        _ => vec![],
    }
}

/// Run a hand-wired model command.
pub fn run(verb: Verb, name: &str, m: &ArgMatches, _ctx: &Context) -> Result<Outcome> {
    match (verb, name) {
        (Verb::Validate, "dln") => super::law::run_validate_dln(&parse(m)?),
        (Verb::Validate, "dln-bayes") => super::saddle::run_validate_dln_bayes(&parse(m)?),
        (Verb::Validate, "1hl-bayes") => super::saddle::run_validate_1hl_bayes(&parse(m)?),
        _ => Err(Error::Domain(format!(
            "`{} {name}` is not available",
            verb.name()
        ))),
    }
}
