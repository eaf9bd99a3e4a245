//! `expr` in the registry: `nnlimits spectrum expr "<expression>"`, `validate expr "<expression>"
//! [--theory "<expression>"] [--n SIZE --samples S --seed K]`. Model leaves `name(key=value, ...)` are
//! the registry's spectral models with their `spectrum` flags as keywords (`fim(activation=tanh,
//! d_ratio=0.7)` is the law of `spectrum fim --activation tanh --d-ratio 0.7`).

use super::{Expression, ExpressionSampler, LeafResolver};
use crate::error::{Error, Result};
use crate::model::SpectralModel;
use crate::registry::{self, Plan, Spectral, SpectralSpec, Theory, Verb};
use crate::validate::spectral::SpectralValidation;

/// Keywords that are output options of `spectrum`, not model parameters.
const NOT_PARAMETERS: &[&str] = &["at", "points", "format", "out", "plot"];

/// Model leaves resolved through the registry.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistryLeaves;

impl LeafResolver for RegistryLeaves {
    fn resolve(&self, name: &str, kwargs: &[(String, String)]) -> Result<Box<dyn SpectralModel>> {
        let entry = registry::find(name)?;
        let cmd = match entry.command(Verb::Spectrum) {
            Some(c) if name != ExprSpec::NAME => c,
            _ => {
                return Err(Error::param(
                    "expression",
                    name,
                    &format!("a spectral model ({})", self.known().join(", ")),
                ))
            }
        };
        let mut argv = vec![name.to_string()];
        for (k, v) in kwargs {
            let flag = k.replace('_', "-");
            if NOT_PARAMETERS.contains(&flag.as_str()) {
                return Err(Error::param(
                    &format!("{name}({k}=...)"),
                    v,
                    "a model parameter (output options do not apply inside an expression)",
                ));
            }
            argv.push(format!("--{flag}={v}"));
        }
        let m = cmd.try_get_matches_from(argv).map_err(|e| {
            let msg = e.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            Error::InvalidData(format!("leaf `{name}(...)`: {first}"))
        })?;
        let theory = entry
            .spectral_law(&m)
            .ok_or_else(|| Error::param("expression", name, "a spectral model"))??;
        Ok(theory.model)
    }
    fn known(&self) -> Vec<String> {
        registry::all()
            .iter()
            .filter(|e| e.name() != ExprSpec::NAME && e.command(Verb::Spectrum).is_some())
            .map(|e| e.name().to_string())
            .collect()
    }
}

/// `spectrum expr` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct ExprParams {
    /// The expression, e.g. "mp(0.5) + sc(1)" or "pop(2 * mp(0.3) + 1, 0.5)" (grammar:
    /// docs/models/expr.md).
    #[arg(value_name = "EXPRESSION")]
    pub expression: String,
}

/// `validate expr` parameters.
#[derive(Debug, Clone, clap::Args)]
pub struct ExprCheck {
    /// The sampled expression (each leaf an n x n random or deterministic matrix, combined with Haar
    /// rotations).
    #[arg(value_name = "EXPRESSION")]
    pub expression: String,
    /// Compare with this expression's law instead of the sampled one (to test a claim).
    #[arg(long)]
    pub theory: Option<String>,
    /// Matrix size n of the sampled matrices.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
}

/// The registry's view of expressions.
pub struct ExprSpec;

/// `expr` in the registry.
pub static ENTRY: Spectral<ExprSpec> = Spectral::new();

impl SpectralSpec for ExprSpec {
    const NAME: &'static str = "expr";
    const SIZES: &'static [&'static str] = &["n"];
    const CALIBRATION: &'static [&'static str] =
        &[include_str!("../../../validation/calibration/expr.json")];
    const SUMMARY: &'static str =
        "Free-probability expression: free sums and products, pop(A, c), \
scaling, shifts of mp, sc, atoms, unif, eig(file), fixedpoint(...) and any spectral model";
    const DOCS: &'static str = "docs/models/expr.md";
    const RANGES: &'static [(&'static str, &'static str)] = &[
        (
            "expression",
            "an expression of at most 10000 characters (docs/models/expr.md)",
        ),
        ("theory", "an expression of at most 10000 characters"),
        ("n", "integer in [2, 5000]"),
    ];
    type Params = ExprParams;
    type Check = ExprCheck;
    fn input_files(m: &clap::ArgMatches) -> Vec<(String, std::path::PathBuf)> {
        ["expression", "theory"]
            .iter()
            .filter_map(|k| m.try_get_one::<String>(k).ok().flatten())
            .flat_map(|t| super::eig_files(t))
            .map(|f| (format!("eig(\"{f}\") of the expression"), f.into()))
            .collect()
    }
    fn theory(p: &ExprParams) -> Result<Theory> {
        Ok(Theory::plain(Box::new(Expression::parse(
            &p.expression,
            &RegistryLeaves,
        )?)))
    }
    fn plan(p: &ExprCheck) -> Result<Plan> {
        let sampled = Expression::parse(&p.expression, &RegistryLeaves)?;
        let sampler = ExpressionSampler::new(&sampled, p.n)?;
        let theory = match &p.theory {
            Some(t) => Expression::parse(t, &RegistryLeaves)?,
            None => sampled,
        };
        Ok(Plan {
            theory: Box::new(theory),
            sampler: Box::new(sampler),
            // free convolutions of these laws are exact limits: the O(1/n) rigidity floor
            options: SpectralValidation::default(),
            notes: vec![],
        })
    }
}
