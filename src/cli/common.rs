//! Pieces shared by every command: output format, output destination, outcomes.

use crate::error::Result;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a command produced, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success (exit 0).
    Done,
    /// A validation ran and passed (exit 0).
    Passed,
    /// A validation ran and failed (exit 1).
    Failed,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Done | Outcome::Passed => 0,
            Outcome::Failed => 1,
        }
    }
    /// From a validation verdict.
    pub fn from_verdict(v: crate::validate::Verdict) -> Self {
        match v {
            crate::validate::Verdict::Pass => Outcome::Passed,
            crate::validate::Verdict::Fail => Outcome::Failed,
        }
    }
}

/// Output formats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// JSON (one document).
    Json,
    /// An aligned table for terminals.
    Table,
}

/// Output options shared by the `spectrum`, `law` and `saddle` commands.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv, global = true)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', global = true)]
    pub out: Option<PathBuf>,
    /// Also write an SVG plot to this file.
    #[arg(long, global = true)]
    pub plot: Option<PathBuf>,
}

impl OutputArgs {
    /// Fail early if an output path is not writable.
    pub fn check_paths(&self) -> Result<()> {
        for p in [&self.out, &self.plot].into_iter().flatten() {
            crate::io::check_writable(p)?;
        }
        Ok(())
    }

    /// Emit `text` to the output file (atomically) or stdout.
    pub fn emit(&self, text: &str) -> Result<()> {
        emit(self.out.as_deref(), text)
    }
}

/// Write `text` atomically to `path`, or to stdout when `path` is `None`.
pub fn emit(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) => crate::io::write_atomic(p, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (e.g. `| head`) is not an error worth reporting
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

/// Render rows as CSV (header + rows). Values are formatted with full precision.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

/// Render rows as an aligned text table.
pub fn to_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            if k < w.len() {
                w[k] = w[k].max(c.len());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(k, c)| format!("{:>width$}", c, width = w[k.min(w.len() - 1)]))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut s = line(header.to_vec());
    s.push('\n');
    for r in rows {
        s.push_str(&line(r.iter().map(|c| c.as_str()).collect()));
        s.push('\n');
    }
    s
}

/// Format a float with 12 significant digits (enough to re-read exactly what matters, short enough to read).
pub fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.12e}")
            .parse::<f64>()
            .map(|v| v.to_string())
            .unwrap_or_else(|_| x.to_string())
    }
}

/// Parse a comma-separated list of floats (`--at 0.3,1.2,2.0`).
pub fn parse_list(s: &str) -> std::result::Result<Vec<f64>, String> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{t}` is not a number"))
                .and_then(|v| {
                    if v.is_finite() {
                        Ok(v)
                    } else {
                        Err(format!("`{t}` is not finite"))
                    }
                })
        })
        .collect()
}
