//! The catalogue of theory claims (`validation/`) and its runner.
//!
//! A claim is one JSON object (a file may hold one claim or an array of them):
//!
//! ```json
//! { "id": "mp-c0.5", "model": "mp", "title": "Marchenko–Pastur law at c = 0.5",
//!   "source": "Marchenko & Pastur (1967); docs/models/mp.md (F2)",
//!   "command": ["validate", "mp", "--ratio", "0.5", "--size", "500", "--samples", "6", "--seed", "1"],
//!   "statistics": ["ks", "m2"], "tolerance": "KS <= 1.949/sqrt(N) + 1/n; moments 4 SE + k m_k/n",
//!   "expect": "pass", "fast": true }
//! ```
//!
//! The command (a `validate …` invocation, with its parameters, sizes and seed) is run as a library call;
//! its report's verdict must equal `expect`. Results are cached under the output directory by a SHA-256
//! of the claim, the nnlimits version and the executable, so an interrupted `check` resumes where it
//! stopped and a rebuilt binary recomputes everything.

use crate::error::{Error, Result};
use crate::validate::{Report, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One theory claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Unique identifier (file-name safe).
    pub id: String,
    /// Model family.
    pub model: String,
    /// One-line statement of the claim.
    pub title: String,
    /// Where the claim comes from (paper, formula number).
    pub source: String,
    /// The `validate` command (arguments after `nnlimits`).
    pub command: Vec<String>,
    /// The checks to show in the report (all checks decide the verdict).
    #[serde(default)]
    pub statistics: Vec<String>,
    /// The tolerance rule, in words.
    pub tolerance: String,
    /// Expected verdict.
    pub expect: Verdict,
    /// Part of the fast subset run by `cargo test`.
    #[serde(default)]
    pub fast: bool,
    /// A claim about the limit: the size factors of a trend validation (`validate … --trend
    /// --trend-factors …`, e.g. `[1, 0.5, 0.25]`); the checks are then the deviations extrapolated to
    /// `n = ∞` (docs/validation/trend.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Vec<f64>>,
}

/// SHA-256 of the running executable's bytes, computed once (empty if it cannot be read).
fn executable_fingerprint() -> &'static str {
    static FP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FP.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::read)
            .map(|bytes| {
                Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .unwrap_or_default()
    })
}

impl Claim {
    /// Cache key: SHA-256 of the claim's JSON, the nnlimits version and the running executable
    /// (so a rebuilt binary — changed solver code under the same version — never reuses old results).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(serde_json::to_string(self).unwrap_or_default().as_bytes());
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(executable_fingerprint().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn validate(&self, file: &Path) -> Result<()> {
        let bad = |m: String| Error::Parse {
            path: file.to_path_buf(),
            message: m,
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(bad(format!(
                "claim id `{}` must be non-empty [A-Za-z0-9._-]",
                self.id
            )));
        }
        if self.command.first().map(String::as_str) != Some("validate") {
            return Err(bad(format!(
                "claim `{}`: command must start with `validate`",
                self.id
            )));
        }
        if self.trend.is_some() && self.command.iter().any(|a| a.starts_with("--trend")) {
            return Err(bad(format!(
                "claim `{}`: --trend/--trend-factors are set by its `trend` field",
                self.id
            )));
        }
        if self
            .command
            .iter()
            .any(|a| a == "--report" || a == "--plot")
        {
            return Err(bad(format!(
                "claim `{}`: --report/--plot are set by `check`",
                self.id
            )));
        }
        Ok(())
    }
}

/// Largest claim file read: 1 MB (a claim is a few hundred bytes of JSON).
pub const MAX_CLAIM_BYTES: u64 = 1_000_000;

/// Load every claim from `*.json` files under `dir` (recursively), sorted by id; duplicate ids are an error.
pub fn load(dir: &Path) -> Result<Vec<Claim>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut claims = Vec::new();
    for f in files {
        let text = crate::io::read_to_string_capped(&f, MAX_CLAIM_BYTES, "claim")?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Parse {
            path: f.clone(),
            message: e.to_string(),
        })?;
        let list = match v {
            serde_json::Value::Array(a) => a,
            other => vec![other],
        };
        for c in list {
            let claim: Claim = serde_json::from_value(c).map_err(|e| Error::Parse {
                path: f.clone(),
                message: e.to_string(),
            })?;
            claim.validate(&f)?;
            claims.push(claim);
        }
    }
    claims.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = claims.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(Error::InvalidData(format!(
            "duplicate claim id `{}`",
            w[0].id
        )));
    }
    if claims.is_empty() {
        return Err(Error::InvalidData(format!(
            "no claims (*.json) found under `{}`",
            dir.display()
        )));
    }
    Ok(claims)
}

/// Every `*.json` under `dir`, recursively, skipping hidden folders and `report/`. Links are followed
/// only while they stay inside the catalogue's folder (a link out of it is an error, not a silent
/// escape), and a folder reached twice through links is read once.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |path: &Path, source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let root = dir.canonicalize().map_err(|e| io(dir, e))?;
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let canon = d.canonicalize().map_err(|e| io(&d, e))?;
        if !seen.insert(canon) {
            continue;
        }
        let rd = std::fs::read_dir(&d).map_err(|e| io(&d, e))?;
        for e in rd.flatten() {
            let p = e.path();
            let target = p.canonicalize().map_err(|e| io(&p, e))?;
            if !target.starts_with(&root) {
                return Err(Error::InvalidData(format!(
                    "`{}` links to `{}`, outside the catalogue folder `{}`",
                    p.display(),
                    target.display(),
                    dir.display()
                )));
            }
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            if target.is_dir() {
                if name
                    .as_deref()
                    .is_some_and(|n| !n.starts_with('.') && n != "report" && n != "calibration")
                {
                    stack.push(p);
                }
            } else if p.extension().map(|x| x == "json").unwrap_or(false) {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// The statistics a claim names that its report does not have (a misspelt name would otherwise
/// silently show nothing).
fn unknown_statistics(claim: &Claim, report: &Report) -> Option<String> {
    let unknown: Vec<&str> = claim
        .statistics
        .iter()
        .filter(|s| !report.checks.iter().any(|c| &c.name == *s))
        .map(String::as_str)
        .collect();
    (!unknown.is_empty()).then(|| {
        let known: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
        format!(
            "claim `{}` names unknown statistics {} (its report has: {})",
            claim.id,
            unknown.join(", "),
            known.join(", ")
        )
    })
}

/// The outcome of one claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimResult {
    /// The claim.
    pub claim: Claim,
    /// The validator's report (absent if the command failed).
    pub report: Option<Report>,
    /// Error message if the command could not run.
    pub error: Option<String>,
    /// Whether the verdict equals the expectation.
    pub confirmed: bool,
    /// Whether the result came from the cache.
    #[serde(default)]
    pub cached: bool,
}

impl ClaimResult {
    /// One report line: `ok|FAIL id: verdict (expected …) — key statistics`.
    pub fn line(&self) -> String {
        let verdict = match (&self.report, &self.error) {
            (Some(r), _) => format!("{:?}", r.verdict).to_lowercase(),
            (None, Some(e)) => format!("error: {e}"),
            _ => "no result".into(),
        };
        let stats = self
            .report
            .as_ref()
            .map(|r| {
                r.checks
                    .iter()
                    .filter(|c| {
                        self.claim.statistics.is_empty()
                            || self.claim.statistics.contains(&c.name)
                            || !c.pass
                    })
                    .map(|c| {
                        format!(
                            "{}{} {:.4} vs {:.4} (tol {:.2e})",
                            if c.pass { "" } else { "FAILED " },
                            c.name,
                            c.observed,
                            c.theory,
                            c.tolerance
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        format!(
            "{:<4} {}: {} (expected {}){}{}",
            if self.confirmed { "ok" } else { "FAIL" },
            self.claim.id,
            verdict,
            format!("{:?}", self.claim.expect).to_lowercase(),
            if stats.is_empty() { "" } else { " — " },
            stats
        )
    }
}

/// Run the claims; `exec(args)` runs one validate command (arguments after `nnlimits`, with
/// `--report`/`--plot` appended) and returns its report. Results are cached in `out/cache`.
pub fn run<E, T>(
    claims: &[Claim],
    out: &Path,
    use_cache: bool,
    exec: E,
    tick: T,
) -> Result<Vec<ClaimResult>>
where
    E: Fn(&[String]) -> Result<Report> + Sync,
    T: Fn() + Sync,
{
    use rayon::prelude::*;
    let cache = out.join("cache");
    let plots = out.join("plots");
    for d in [&cache, &plots] {
        std::fs::create_dir_all(d).map_err(|source| Error::Io {
            action: "write",
            path: d.clone(),
            source,
        })?;
    }
    let results = claims
        .par_iter()
        .map(|c| {
            let key = cache.join(format!("{}.json", c.hash()));
            if use_cache {
                if let Ok(text) =
                    crate::io::read_to_string_capped(&key, crate::io::MAX_INPUT_BYTES, "cache")
                {
                    if let Ok(mut r) = serde_json::from_str::<ClaimResult>(&text) {
                        r.cached = true;
                        tick();
                        return Ok(r);
                    }
                }
            }
            let report_path = cache.join(format!("{}.report.json", c.id));
            let mut args = c.command.clone();
            if let Some(f) = &c.trend {
                let list: Vec<String> = f.iter().map(|x| x.to_string()).collect();
                args.extend([
                    "--trend".to_string(),
                    "--trend-factors".to_string(),
                    list.join(","),
                ]);
            }
            args.extend([
                "--report".to_string(),
                report_path.to_string_lossy().into_owned(),
                "--plot".to_string(),
                plots
                    .join(format!("{}.svg", c.id))
                    .to_string_lossy()
                    .into_owned(),
            ]);
            let res = exec(&args);
            let _ = std::fs::remove_file(&report_path);
            let res = res.and_then(|rep| match unknown_statistics(c, &rep) {
                Some(msg) => Err(Error::InvalidData(msg)),
                None => Ok(rep),
            });
            let r = match res {
                Ok(rep) => ClaimResult {
                    confirmed: rep.verdict == c.expect,
                    claim: c.clone(),
                    report: Some(rep),
                    error: None,
                    cached: false,
                },
                Err(e) => ClaimResult {
                    claim: c.clone(),
                    report: None,
                    error: Some(e.to_string()),
                    confirmed: false,
                    cached: false,
                },
            };
            if r.error.is_none() {
                let text =
                    serde_json::to_string_pretty(&r).map_err(|e| Error::Domain(e.to_string()))?;
                crate::io::write_atomic(&key, text.as_bytes())?;
            }
            tick();
            Ok(r)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(results)
}

/// Markdown report: a summary and a table of claims with verdicts, the shown statistics with their
/// tolerances, and a link to each plot.
pub fn markdown(results: &[ClaimResult]) -> String {
    let ok = results.iter().filter(|r| r.confirmed).count();
    let mut s = format!(
        "# nnlimits validation report\n\n{ok} of {} claims confirmed (nnlimits {}).\n\n| | claim | model | verdict | expected | statistics (observed vs theory, tolerance) | source | plot |\n|---|---|---|---|---|---|---|---|\n",
        results.len(),
        env!("CARGO_PKG_VERSION")
    );
    for r in results {
        let verdict = r
            .report
            .as_ref()
            .map(|x| format!("{:?}", x.verdict).to_lowercase())
            .unwrap_or_else(|| format!("error: {}", r.error.clone().unwrap_or_default()));
        let stats = r
            .report
            .as_ref()
            .map(|rep| {
                rep.checks
                    .iter()
                    .filter(|c| {
                        r.claim.statistics.is_empty()
                            || r.claim.statistics.contains(&c.name)
                            || !c.pass
                    })
                    .map(|c| {
                        let err = if c.std_error > 0.0 {
                            format!(" ± {:.2e}", c.std_error)
                        } else {
                            String::new()
                        };
                        format!(
                            "{}{}: {:.5}{err} vs {:.5} (tol {:.2e})",
                            if c.pass { "" } else { "**FAILED** " },
                            c.name,
                            c.observed,
                            c.theory,
                            c.tolerance
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .unwrap_or_default();
        let stats = match r.report.as_ref().and_then(|x| x.trend.as_ref()) {
            Some(t) => format!(
                "trend, n = {:?}, extrapolated to n = ∞:<br>{stats}",
                t.sizes
            ),
            None => stats,
        };
        s.push_str(&format!(
            "| {} | **{}** {} | {} | {} | {} | {} | {} | [svg](plots/{}.svg) |\n",
            if r.confirmed { "✅" } else { "❌" },
            r.claim.id,
            r.claim.title.replace('|', "\\|"),
            r.claim.model,
            verdict,
            format!("{:?}", r.claim.expect).to_lowercase(),
            stats.replace('|', "\\|"),
            r.claim.source.replace('|', "\\|"),
            r.claim.id
        ));
    }
    s
}

/// A self-contained HTML page with the same table and the plots inlined as images.
pub fn html(results: &[ClaimResult]) -> String {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let ok = results.iter().filter(|r| r.confirmed).count();
    let mut s = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>nnlimits validation report</title><style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:4px;vertical-align:top}}table{{border-collapse:collapse}}.fail{{background:#fdd}}</style></head><body><h1>nnlimits validation report</h1><p>{ok} of {} claims confirmed (nnlimits {}).</p><table><tr><th>claim</th><th>verdict / expected</th><th>checks</th><th>source</th><th>plot</th></tr>",
        results.len(),
        env!("CARGO_PKG_VERSION")
    );
    for r in results {
        let checks = r
            .report
            .as_ref()
            .map(|rep| {
                rep.checks
                    .iter()
                    .map(|c| {
                        format!(
                            "{}{}: {:.5} vs {:.5} (tol {:.2e}; {})",
                            if c.pass { "" } else { "FAILED " },
                            esc(&c.name),
                            c.observed,
                            c.theory,
                            c.tolerance,
                            esc(&c.rule)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .unwrap_or_else(|| esc(&r.error.clone().unwrap_or_default()));
        let verdict = r
            .report
            .as_ref()
            .map(|x| format!("{:?}", x.verdict).to_lowercase())
            .unwrap_or_else(|| "error".into());
        s.push_str(&format!(
            "<tr class=\"{}\"><td><b>{}</b><br>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td><a href=\"plots/{}.svg\"><img src=\"plots/{}.svg\" width=\"320\"></a></td></tr>",
            if r.confirmed { "ok" } else { "fail" },
            esc(&r.claim.id),
            esc(&r.claim.title),
            verdict,
            format!("{:?}", r.claim.expect).to_lowercase(),
            checks,
            esc(&r.claim.source),
            esc(&r.claim.id),
            esc(&r.claim.id)
        ));
    }
    s.push_str("</table></body></html>\n");
    s
}
