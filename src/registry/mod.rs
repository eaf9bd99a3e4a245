//! The model registry: every model is declared once, and every command reads it.
//!
//! A registry [`Entry`] names a model, summarises it, points at its docs page, and says which commands
//! accept it ([`Verb`]). For each verb it gives the `clap` arguments (built from the model's own
//! parameter struct, which lives next to the model's theory) and runs the verb on parsed arguments.
//! `spectrum <model>`, `validate <model>`, `law <model>`, `saddle <model>`, `table`, the claim catalogue,
//! the expression language and `nnlimits models` are all served from [`all`]; none keeps its own list.
//!
//! Most models are spectral laws: they implement [`SpectralSpec`] (parameters → a
//! [`SpectralModel`](crate::model::SpectralModel)) and optionally a validation plan (parameters → theory,
//! sampler, tolerance options), and the generic adapter [`Spectral`] turns them into an entry — the
//! grid, output and run options, the writer and the validator are shared. Laws and saddle points
//! implement [`Entry`] directly with their own output kinds.
//!
//! Adding a model is one module (the model, its parameter struct, its `SpectralSpec`) plus one line in
//! [`all`]; see `docs/architecture.md` for a worked example (the semicircle law).

pub mod calibrate;
mod list;
pub mod scale;
mod spectral;

pub use list::{models_json, models_text, params, ParamInfo, UNDECLARED};
pub use spectral::{NoValidation, Plan, Spectral, SpectralSpec, Theory, TrendArgs};

use crate::error::{Error, Result};
use crate::output::Outcome;
use clap::ArgMatches;

/// The commands a model can be used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    /// `spectrum <model>`: the limiting law (also tabulated by `table`).
    Spectrum,
    /// `validate <model>`: Monte Carlo check against sampled finite systems.
    Validate,
    /// `law <model>`: a closed-form (non-spectral) law.
    Law,
    /// `saddle <model>`: a saddle point of a Bayesian network.
    Saddle,
}

impl Verb {
    /// Every verb.
    pub const ALL: [Verb; 4] = [Verb::Spectrum, Verb::Validate, Verb::Law, Verb::Saddle];

    /// The command name.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Spectrum => "spectrum",
            Verb::Validate => "validate",
            Verb::Law => "law",
            Verb::Saddle => "saddle",
        }
    }

    /// Whether `table` can tabulate this verb's JSON output.
    pub fn tabulable(self) -> bool {
        !matches!(self, Verb::Validate)
    }
}

/// What a running command needs besides its arguments.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// No progress bars or informational messages.
    pub quiet: bool,
}

/// One registered model.
pub trait Entry: Send + Sync {
    /// The name used on the command line (`mp`, `fim`, `fim-data`, ...).
    fn name(&self) -> &'static str;
    /// One line for `nnlimits models` and `--help`.
    fn summary(&self) -> &'static str;
    /// Its documentation page (path in the source tree).
    fn docs(&self) -> &'static str;
    /// The `clap` arguments of `<verb> <name>`, or `None` if the verb does not apply.
    fn command(&self, verb: Verb) -> Option<clap::Command>;
    /// Run `<verb> <name>` on parsed arguments.
    fn run(&self, verb: Verb, args: &ArgMatches, ctx: &Context) -> Result<Outcome>;
    /// Allowed ranges of the model's parameters, by long flag name (shown by `nnlimits models`).
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    /// For a variant selected by a flag value of another model (`spectrum fim --limit data` means
    /// `spectrum fim-data`): `(base model, flag, value)`.
    fn selected_by(&self) -> Option<(&'static str, &'static str, &'static str)> {
        None
    }
    /// For a variant selected by the presence of a flag of another model (`spectrum fim --outputs-ratio
    /// 0.1` means `spectrum fim-outputs --outputs-ratio 0.1`): `(base model, flags)`. The flag is kept
    /// (it is the variant's own); a `(flag, value)` selector ([`Entry::selected_by`]) is tried first.
    fn selected_by_flags(&self) -> Option<(&'static str, &'static [&'static str])> {
        None
    }
    /// The calibration records (JSON) of this model's validator bias allowances
    /// ([`crate::validate::calibrate`]); empty when the model has none.
    fn calibration(&self) -> &'static [&'static str] {
        &[]
    }
    /// The long names of the `validate` flags that are sizes, scaled together by `validate … --trend`
    /// and `nnlimits calibrate` ([`SpectralSpec::SIZES`]); empty when the model cannot be scaled.
    fn sizes(&self) -> &'static [&'static str] {
        &[]
    }
    /// The arguments of `nnlimits calibrate <name>` (the `validate` flags of the model and
    /// [`calibrate::CalibrateArgs`]); `None` when the model cannot be calibrated.
    fn calibrate_command(&self) -> Option<clap::Command> {
        None
    }
    /// The validation plan for parsed `validate` (or `calibrate`) arguments with every size flag
    /// multiplied by `factor` ([`scale`]).
    fn plan_at(&self, _args: &ArgMatches, _factor: f64) -> Result<Plan> {
        Err(Error::param(
            "model",
            self.name(),
            "a spectral model that declares its size flags",
        ))
    }
    /// The spectral law for `spectrum` arguments (expression leaves and the Python package build laws
    /// through this); `None` for non-spectral models.
    fn spectral_law(&self, _args: &ArgMatches) -> Option<Result<Theory>> {
        None
    }
    /// The verbs this model accepts.
    fn verbs(&self) -> Vec<Verb> {
        Verb::ALL
            .into_iter()
            .filter(|v| self.command(*v).is_some())
            .collect()
    }
}

/// Every registered model, in the order `nnlimits models` lists them.
pub fn all() -> &'static [&'static dyn Entry] {
    use crate::models;
    static ALL: &[&dyn Entry] = &[
        &models::mp::ENTRY,
        &models::semicircle::ENTRY,
        &models::gep::ENTRY,
        &models::free::entry::ENTRY,
        &models::hessian::entry::ENTRY,
        &models::fim::entries::FIM,
        &models::fim::entries::CK,
        &models::fim::entries::FIM_INFINITE,
        &models::fim::entries::CK_INFINITE,
        &models::deep::entry::CK_DEEP,
        &models::deep::ntk_entry::FIM_DEEP,
        &models::fim::entries_data::FIM_DATA,
        &models::fim::entries_data::CK_DATA,
        &models::fim::entries_data::FIM_OUTPUTS,
        &models::fim::population_present::FIM_POPULATION,
        &models::fim::population_present::CK_POPULATION,
        &models::fim::population_present::FIM_UNIT_BLOCK,
        &models::dln::entry::ENTRY,
        &models::bayes::entry::ONE_HL,
        &models::bayes::entry::DLN_BAYES,
        &models::bayes::entry::ONE_HL_BAYES,
    ];
    ALL
}

/// The entry named `name`.
pub fn find(name: &str) -> Result<&'static dyn Entry> {
    all()
        .iter()
        .copied()
        .find(|e| e.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = all().iter().map(|e| e.name()).collect();
            Error::param("model", name, &format!("one of {}", names.join(", ")))
        })
}

/// The `clap` subcommands of `verb`, one per model that accepts it.
pub fn subcommands(verb: Verb) -> Vec<clap::Command> {
    all()
        .iter()
        .filter_map(|e| {
            e.command(verb).map(|c| {
                c.name(e.name())
                    .about(e.summary())
                    .after_help(format!("Documentation: {}", e.docs()))
            })
        })
        .collect()
}

/// Rewrite a variant chosen by a flag (`<verb> fim --limit data ...`) into its own model name
/// (`<verb> fim-data ...`), so that each variant has only its own flags. A `(flag, value)` selector
/// ([`Entry::selected_by`]) drops the pair; a presence selector ([`Entry::selected_by_flags`], e.g.
/// `fim --outputs-ratio 0.1` → `fim-outputs --outputs-ratio 0.1`) keeps the flag. `args` are the words
/// after the program name: global switches (`--quiet`), then the verb, the model and its flags.
pub fn select_variant(args: &mut Vec<String>) {
    let Some(v) = args.iter().position(|a| !a.starts_with('-')) else {
        return;
    };
    let known = Verb::ALL.iter().any(|verb| verb.name() == args[v]) || args[v] == "calibrate";
    if !known || args.len() < v + 2 {
        return;
    }
    let (model, first) = (v + 1, v + 2);
    let base = args[model].clone();
    for e in all() {
        let Some((b, flag, value)) = e.selected_by() else {
            continue;
        };
        if b != base {
            continue;
        }
        let long = format!("--{flag}");
        let pos = args.iter().enumerate().skip(first).find_map(|(i, a)| {
            if *a == long && args.get(i + 1).map(String::as_str) == Some(value) {
                Some((i, 2))
            } else if *a == format!("{long}={value}") {
                Some((i, 1))
            } else {
                None
            }
        });
        if let Some((i, k)) = pos {
            args.drain(i..i + k);
            args[model] = e.name().to_string();
            return;
        }
    }
    for e in all() {
        let Some((b, flags)) = e.selected_by_flags() else {
            continue;
        };
        let present = args.iter().skip(first).any(|a| {
            flags.iter().any(|f| {
                a.strip_prefix("--")
                    .is_some_and(|rest| rest == *f || rest.starts_with(&format!("{f}=")))
            })
        });
        if b == base && present {
            args[model] = e.name().to_string();
            return;
        }
    }
}
