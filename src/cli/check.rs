//! `nnlimits check <dir>`: run the catalogue of theory claims and write a report.

use crate::check::{self, ClaimResult};
use crate::error::{Error, Result};
use crate::output::{capture, Outcome};
use crate::validate::Report;
use clap::Args;
use std::path::PathBuf;

/// `check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory of claim files (`*.json`, searched recursively).
    pub dir: PathBuf,
    /// Report directory (index.md, index.html, plots/, cache/); default `<dir>/report`.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Run only the claims marked `"fast": true`.
    #[arg(long)]
    pub fast: bool,
    /// Run only claims whose id contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Ignore cached results (they are keyed by a hash of the claim, the version and the executable).
    #[arg(long)]
    pub no_cache: bool,
}

/// Run one `validate …` command in-process and return its report (read back from `--report`).
pub fn exec_validate(args: &[String]) -> Result<Report> {
    let argv = std::iter::once("nnlimits".to_string()).chain(args.iter().cloned());
    let cli = super::parse(argv).map_err(|e| {
        Error::InvalidData(
            e.to_string()
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string(),
        )
    })?;
    if !matches!(cli.command, super::Command::Validate(_)) {
        return Err(Error::InvalidData(
            "a claim's command must be a `validate` command".into(),
        ));
    }
    let report_path = args
        .iter()
        .position(|a| a == "--report")
        .and_then(|i| args.get(i + 1))
        .ok_or_else(|| Error::InvalidData("internal: --report missing".into()))?;
    let (res, _summary) = capture(|| super::dispatch(&cli));
    res?;
    let text = crate::io::read_to_string_capped(
        std::path::Path::new(report_path),
        crate::io::MAX_INPUT_BYTES,
        "report",
    )?;
    serde_json::from_str(&text).map_err(|e| Error::Parse {
        path: report_path.into(),
        message: e.to_string(),
    })
}

/// Run `check`.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<Outcome> {
    let mut claims = check::load(&args.dir)?;
    if args.fast {
        claims.retain(|c| c.fast);
    }
    if let Some(s) = &args.only {
        claims.retain(|c| c.id.contains(s.as_str()));
    }
    if claims.is_empty() {
        return Err(Error::InvalidData("no claim matches the selection".into()));
    }
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("report"));
    std::fs::create_dir_all(&out).map_err(|source| Error::Io {
        action: "write",
        path: out.clone(),
        source,
    })?;
    let pb = crate::output::progress(claims.len() as u64, quiet, "claims");
    let results: Vec<ClaimResult> =
        check::run(&claims, &out, !args.no_cache, exec_validate, || pb.inc(1))?;
    pb.finish_and_clear();
    crate::io::write_atomic(&out.join("index.md"), check::markdown(&results).as_bytes())?;
    crate::io::write_atomic(&out.join("index.html"), check::html(&results).as_bytes())?;
    let json = serde_json::to_string_pretty(&results).map_err(|e| Error::Domain(e.to_string()))?;
    crate::io::write_atomic(&out.join("results.json"), json.as_bytes())?;
    let mut text = String::new();
    for r in &results {
        text.push_str(&r.line());
        text.push('\n');
    }
    let ok = results.iter().filter(|r| r.confirmed).count();
    text.push_str(&format!(
        "{ok} of {} claims confirmed; report: {}\n",
        results.len(),
        out.join("index.html").display()
    ));
    crate::output::emit(None, &text)?;
    Ok(if ok == results.len() {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}
