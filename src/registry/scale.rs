//! The sizes of a validation, scaled together: a spectral model declares which `validate` flags are
//! sizes ([`super::SpectralSpec::SIZES`], e.g. `n`, `d`, `width`); the trend validation
//! (`validate … --trend`) and the calibration (`nnlimits calibrate`) run the model's plan with every
//! size flag multiplied by the same factor (rounded to an integer ≥ 1; comma lists such as `--widths`
//! element by element), so the ratios between them — the parameters of the limit law — are kept.
//!
//! The scaled arguments are rebuilt from the parsed ones ([`scaled_words`]): every flag given on the
//! command line is repeated as given, the size flags (given or defaulted) are scaled, and the model's
//! own argument struct is parsed again from these words, so no model needs code of its own to scale.

use crate::error::{Error, Result};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};

/// `value` (an integer, or a comma list of integers) multiplied by `factor`, each rounded to an
/// integer ≥ 1.
pub fn scale_value(flag: &str, value: &str, factor: f64) -> Result<String> {
    value
        .split(',')
        .map(|v| {
            let x: f64 = v
                .trim()
                .parse()
                .map_err(|_| Error::param(flag, v, "a number (a declared size flag)"))?;
            if !(x.is_finite() && x >= 0.0) {
                return Err(Error::param(flag, v, "a size >= 0"));
            }
            Ok(format!("{}", (x * factor).round().max(1.0) as u64))
        })
        .collect::<Result<Vec<_>>>()
        .map(|v| v.join(","))
}

/// The words (without a program name) that make `cmd` parse to the same arguments as `m`, with the
/// flags named in `sizes` (long names) multiplied by `factor` ([`scale_value`]). Flags left at their
/// defaults are omitted, except size flags, whose effective value is scaled. Positional arguments
/// follow a `--`.
pub fn scaled_words(
    cmd: &Command,
    m: &ArgMatches,
    sizes: &[&str],
    factor: f64,
) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut positional: Vec<(usize, Vec<String>)> = Vec::new();
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        let long = arg.get_long();
        let is_size = long.is_some_and(|l| sizes.contains(&l));
        let given = matches!(
            m.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        if !(given || is_size && m.value_source(id).is_some()) {
            continue;
        }
        let raw: Vec<String> = m
            .get_raw(id)
            .map(|v| v.map(|x| x.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let Some(long) = long else {
            positional.push((arg.get_index().unwrap_or(usize::MAX), raw));
            continue;
        };
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => {
                if given {
                    words.push(format!("--{long}"));
                }
            }
            ArgAction::Count => {
                for _ in 0..m.get_count(id) {
                    words.push(format!("--{long}"));
                }
            }
            _ => {
                for v in raw {
                    let v = if is_size {
                        scale_value(long, &v, factor)?
                    } else {
                        v
                    };
                    words.push(format!("--{long}={v}"));
                }
            }
        }
    }
    if !positional.is_empty() {
        positional.sort_by_key(|p| p.0);
        words.push("--".into());
        words.extend(positional.into_iter().flat_map(|p| p.1));
    }
    Ok(words)
}

/// Parse `words` (from [`scaled_words`]) with `cmd` (a model's own arguments).
pub fn reparse(cmd: Command, words: Vec<String>) -> Result<ArgMatches> {
    cmd.no_binary_name(true)
        .try_get_matches_from(words)
        .map_err(|e| {
            let msg = e.to_string();
            Error::InvalidData(format!(
                "scaled sizes: {}",
                msg.lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
            ))
        })
}

/// The size factors of a trend validation: sorted descending (the first is the size whose draws equal
/// a plain validation's), 2 to 6 distinct values in `(0, 16]`.
pub fn trend_factors(factors: &[f64]) -> Result<Vec<f64>> {
    let mut f = factors.to_vec();
    if let Some(bad) = f
        .iter()
        .find(|x| !(x.is_finite() && **x > 0.0 && **x <= 16.0))
    {
        return Err(Error::param("trend-factors", bad, "factors in (0, 16]"));
    }
    f.sort_by(|a, b| b.total_cmp(a));
    f.dedup();
    if !(2..=6).contains(&f.len()) {
        return Err(Error::param(
            "trend-factors",
            format!("{factors:?}"),
            "2 to 6 distinct factors",
        ));
    }
    Ok(f)
}
