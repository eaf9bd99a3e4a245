//! Files of eigenvalue draws, so that a user's own eigenvalues can be validated against a model.
//!
//! Two layouts are read:
//!
//! * **plain**: numbers separated by commas or whitespace, any number per line; a blank line ends a
//!   draw (so one draw per block, or one draw per file); lines starting with `#` are comments, and a
//!   first line without digits (e.g. `eigenvalue`) is a header;
//! * **CSV with a draw column**: header `draw,eigenvalue`, then `i,λ` rows; rows are grouped by the
//!   draw index (draws ordered by index).
//!
//! Files above [`MAX_BYTES`] are refused before reading; NaN, infinities and malformed numbers are
//! typed errors naming the line. [`write_draws`] writes the second layout with shortest round-trip
//! numbers, so a file written from a sampler reproduces that sampler's draws exactly, and
//! [`FileSampler`] replays a file's draws to the validator (draw `i` for stream `i`).

use crate::error::{Error, Result};
use crate::model::Sampler;
use crate::rng::Rng;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest accepted file (64 MiB).
pub const MAX_BYTES: u64 = 64 << 20;

fn parse_err(path: &Path, line: usize, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    }
}

fn number(path: &Path, line: usize, tok: &str) -> Result<f64> {
    let v: f64 = tok
        .trim()
        .parse()
        .map_err(|_| parse_err(path, line, format!("`{tok}` is not a number")))?;
    if !v.is_finite() {
        return Err(parse_err(
            path,
            line,
            format!("`{tok}` is not finite (NaN and infinities are refused)"),
        ));
    }
    Ok(v)
}

/// Parse the text of an eigenvalue file (layouts in the module docs); `path` names it in errors.
pub fn parse_draws(text: &str, path: &Path) -> Result<Vec<Vec<f64>>> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let mut draws: Vec<Vec<f64>> = Vec::new();
    // the first meaningful line decides the layout
    let mut first = None;
    for (no, l) in lines.by_ref() {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        first = Some((no, l));
        break;
    }
    let Some((no, head)) = first else {
        return Err(parse_err(path, 1, "no eigenvalues in the file".into()));
    };
    let cols: Vec<String> = head
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if cols == ["draw", "eigenvalue"] {
        let mut indexed: Vec<(u64, Vec<f64>)> = Vec::new();
        for (no, l) in lines {
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = l.split(',').collect();
            if parts.len() != 2 {
                return Err(parse_err(
                    path,
                    no,
                    format!("expected `draw,eigenvalue`, found `{l}`"),
                ));
            }
            let d: u64 = parts[0].trim().parse().map_err(|_| {
                parse_err(
                    path,
                    no,
                    format!("draw index `{}` is not a nonnegative integer", parts[0]),
                )
            })?;
            let v = number(path, no, parts[1])?;
            match indexed.iter_mut().find(|e| e.0 == d) {
                Some(e) => e.1.push(v),
                None => indexed.push((d, vec![v])),
            }
        }
        indexed.sort_by_key(|e| e.0);
        draws = indexed.into_iter().map(|e| e.1).collect();
    } else {
        let header = !head.chars().any(|c| c.is_ascii_digit());
        let mut cur: Vec<f64> = Vec::new();
        let rest = std::iter::once((no, head)).filter(|_| !header).chain(lines);
        for (no, l) in rest {
            if l.starts_with('#') {
                continue;
            }
            if l.is_empty() {
                if !cur.is_empty() {
                    draws.push(std::mem::take(&mut cur));
                }
                continue;
            }
            for tok in l
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
            {
                cur.push(number(path, no, tok)?);
            }
        }
        if !cur.is_empty() {
            draws.push(cur);
        }
    }
    if draws.is_empty() || draws.iter().all(|d| d.is_empty()) {
        return Err(parse_err(path, no, "no eigenvalues in the file".into()));
    }
    Ok(draws)
}

/// Read the draws of an eigenvalue file (module docs).
pub fn read_draws(path: &Path) -> Result<Vec<Vec<f64>>> {
    let io = |source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_BYTES {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            message: format!("file has {len} bytes, more than the limit of {MAX_BYTES} (64 MiB)"),
        });
    }
    let mut text = String::new();
    file.take(MAX_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    parse_draws(&text, path)
}

/// Write draws as `draw,eigenvalue` CSV (shortest round-trip numbers).
pub fn write_draws(path: &Path, draws: &[Vec<f64>]) -> Result<()> {
    use std::fmt::Write as _;
    let mut s = String::from("draw,eigenvalue\n");
    for (i, d) in draws.iter().enumerate() {
        for v in d {
            let _ = writeln!(s, "{i},{v}");
        }
    }
    std::fs::write(path, s).map_err(|source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

/// Replays the draws of a file: `sample` on stream `i` (as the validator seeds draw `i`, see
/// [`crate::rng::stream`]) returns draw `i`, whatever the seed.
#[derive(Debug, Clone)]
pub struct FileSampler {
    path: PathBuf,
    draws: Vec<Vec<f64>>,
}

impl FileSampler {
    /// Read a file.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(FileSampler {
            path: path.to_path_buf(),
            draws: read_draws(path)?,
        })
    }
    /// Number of draws in the file (validate with `samples` equal to it).
    pub fn len(&self) -> usize {
        self.draws.len()
    }
    /// Always false (a file has at least one draw).
    pub fn is_empty(&self) -> bool {
        self.draws.is_empty()
    }
    /// The draws.
    pub fn draws(&self) -> &[Vec<f64>] {
        &self.draws
    }
}

impl Sampler for FileSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        let n = self.draws.iter().map(|d| d.len()).max().unwrap_or(0);
        serde_json::json!({ "eigenvalues_file": self.path.display().to_string(), "draws": self.draws.len(), "n": n })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let i = rng.get_stream() as usize;
        self.draws.get(i).cloned().ok_or_else(|| {
            Error::param(
                "samples",
                i + 1,
                &format!(
                    "at most the {} draws in `{}`",
                    self.draws.len(),
                    self.path.display()
                ),
            )
        })
    }
}
