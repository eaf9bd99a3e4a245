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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, FromArgMatches};

    #[derive(Debug, Clone, clap::Args, PartialEq)]
    struct Demo {
        #[arg(value_name = "EXPR")]
        expr: String,
        #[arg(long, default_value_t = 1000)]
        n: usize,
        #[arg(long, default_value_t = 500)]
        d: usize,
        #[arg(long)]
        widths: Option<String>,
        #[arg(long, default_value_t = 0.5)]
        ratio: f64,
        #[arg(long)]
        raw: bool,
        #[arg(long)]
        theory: Option<f64>,
    }

    fn parse(words: &[&str]) -> (Command, ArgMatches) {
        let cmd = Demo::augment_args(Command::new("demo")).no_binary_name(true);
        let m = cmd.clone().try_get_matches_from(words).unwrap();
        (cmd, m)
    }

    #[test]
    fn sizes_scale_together_and_everything_else_is_kept() {
        let (cmd, m) = parse(&[
            "--d",
            "400",
            "--widths",
            "400,800",
            "--raw",
            "--theory=-2.5",
            "--",
            "-1 * mp(0.5)",
        ]);
        let sizes = ["n", "d", "widths"];
        let w = scaled_words(&cmd, &m, &sizes, 0.25).unwrap();
        let half = Demo::from_arg_matches(&reparse(cmd.clone(), w).unwrap()).unwrap();
        assert_eq!(
            half,
            Demo {
                expr: "-1 * mp(0.5)".into(),
                n: 250,
                d: 100,
                widths: Some("100,200".into()),
                ratio: 0.5,
                raw: true,
                theory: Some(-2.5),
            }
        );
        // factor 1 reproduces the arguments
        let same = scaled_words(&cmd, &m, &sizes, 1.0).unwrap();
        let again = Demo::from_arg_matches(&reparse(cmd.clone(), same).unwrap()).unwrap();
        assert_eq!(again, Demo::from_arg_matches(&m).unwrap());
        // sizes round to integers >= 1
        assert_eq!(scale_value("n", "3", 0.1).unwrap(), "1");
        assert_eq!(scale_value("n", "10,30", 0.25).unwrap(), "3,8");
        assert!(scale_value("n", "x", 0.5).is_err());
    }

    #[test]
    fn trend_factors_are_checked() {
        assert_eq!(trend_factors(&[0.25, 1.0, 0.5]).unwrap(), [1.0, 0.5, 0.25]);
        assert!(trend_factors(&[1.0]).is_err());
        assert!(trend_factors(&[1.0, 1.0]).is_err());
        assert!(trend_factors(&[1.0, 0.0]).is_err());
        assert!(trend_factors(&[1.0, f64::NAN]).is_err());
    }
}
