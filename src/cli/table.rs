//! `nnlimits table …` (sweeps with provenance, sharding) and `nnlimits merge …` (join shards).

use crate::error::{Error, Result};
use crate::output::{capture, emit, progress, Outcome};
use crate::table::{Shard, Sweep, Table, TableMeta};
use clap::Args;
use std::path::PathBuf;

/// `table` arguments: the command to tabulate, then the table options anywhere among them.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnlimits table mp --sweep ratio=0.1:2.0:40 --sweep scale=1,2 --out mp.csv\n  nnlimits table spectrum mp --at 0.5,1 --sweep ratio=0.1:2:40 --out mp.json --shard 0/4\n  nnlimits table expr \"mp({c}) + sc(0.5)\" --at 1,2 --sweep c=0.1:1:10\n\nTable options: --sweep key=lo:hi:n | key=v1,v2,... (repeatable; sweeps --key of the command, or\nreplaces the placeholder {key} where the command names it, e.g. inside an expression),\n--out FILE (.json for JSON, CSV otherwise; stdout if absent), --shard i/k (rows with index % k == i).\nEvery row carries the exact command that reproduces it, its status and any error message."
)]
pub struct TableArgs {
    /// The command (`spectrum <model>`, `law <model>`, `saddle <model>`, or a spectrum model name) with its
    /// fixed parameters, and the table options.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 1.., required = true)]
    pub args: Vec<String>,
}

/// `merge` arguments.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shards written by `table --shard i/k` (CSV or JSON).
    #[arg(required = true, num_args = 1..)]
    pub parts: Vec<PathBuf>,
    /// Output file (.json for JSON, CSV otherwise).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
}

/// The table options pulled out of the argument list, and the base command left over.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    /// The base command (arguments after `nnlimits`).
    pub base: Vec<String>,
    /// Sweeps.
    pub sweeps: Vec<Sweep>,
    /// Output file.
    pub out: Option<PathBuf>,
    /// Shard.
    pub shard: Option<Shard>,
    /// `--quiet` given among the arguments.
    pub quiet: bool,
}

/// Split `args` into table options and the base command.
pub fn split_args(args: &[String]) -> Result<TableSpec> {
    let mut spec = TableSpec {
        base: vec![],
        sweeps: vec![],
        out: None,
        shard: None,
        quiet: false,
    };
    let mut i = 0;
    let value = |i: usize, name: &str| -> Result<String> {
        args.get(i + 1)
            .cloned()
            .ok_or_else(|| Error::param(name, "(missing)", "followed by a value"))
    };
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut take = |name: &str| -> Result<String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => {
                    let v = value(i, name)?;
                    i += 1;
                    Ok(v)
                }
            }
        };
        match flag.as_str() {
            "--sweep" => spec.sweeps.push(Sweep::parse(&take("--sweep")?)?),
            "--out" | "-o" => spec.out = Some(PathBuf::from(take("--out")?)),
            "--shard" => spec.shard = Some(Shard::parse(&take("--shard")?)?),
            "--quiet" => spec.quiet = true,
            "--plot" | "--format" => {
                return Err(Error::param(
                    &flag,
                    "given",
                    "absent: a table's rows are computed as JSON and written with --out",
                ))
            }
            _ => spec.base.push(a.clone()),
        }
        i += 1;
    }
    match spec.base.first().map(String::as_str) {
        Some("spectrum") | Some("law") | Some("saddle") => {}
        Some(m) if !m.starts_with('-') => spec.base.insert(0, "spectrum".into()),
        _ => {
            return Err(Error::param(
                "table command",
                spec.base.join(" "),
                "`spectrum <model> ...`, `law <model> ...`, `saddle <model> ...` or a spectrum model name",
            ))
        }
    }
    {
        use clap::CommandFactory;
        let cli = super::Cli::command();
        let known = spec.base.get(1).and_then(|model| {
            cli.find_subcommand(&spec.base[0])
                .and_then(|c| c.find_subcommand(model))
        });
        if known.is_none() {
            return Err(Error::param(
                "table command",
                spec.base.join(" "),
                "`spectrum <model> ...`, `law <model> ...`, `saddle <model> ...` or a spectrum model name",
            ));
        }
    }
    if spec.sweeps.is_empty() {
        return Err(Error::param(
            "sweep",
            "(none)",
            "given at least once: --sweep key=lo:hi:n or key=v1,v2",
        ));
    }
    let mut keys: Vec<&str> = spec.sweeps.iter().map(|s| s.key.as_str()).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::param(
            "sweep",
            keys.join(","),
            "sweeps of distinct parameters",
        ));
    }
    Ok(spec)
}

/// Run one command (arguments after `nnlimits`, ending in `--format json`) and return its JSON output.
pub fn exec_json(args: &[String]) -> Result<serde_json::Value> {
    let argv = std::iter::once("nnlimits".to_string()).chain(args.iter().cloned());
    let cli = super::parse(argv).map_err(|e| {
        let msg = e.to_string();
        Error::InvalidData(
            msg.lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string(),
        )
    })?;
    if !matches!(cli.command, super::Command::Spectrum(_)) && !super::is_tabulable(&cli.command) {
        return Err(Error::InvalidData(
            "only spectrum, law and saddle commands can be tabulated".into(),
        ));
    }
    let (res, text) = capture(|| super::dispatch(&cli));
    res?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Domain(format!("command output is not JSON: {e}")))
}

/// Run `table`.
pub fn run(args: &TableArgs, quiet: bool) -> Result<Outcome> {
    let spec = split_args(&args.args)?;
    if let Some(p) = &spec.out {
        // the files the swept command reads (`--data`, `--inputs`, `--eigenvalues`, `eig("...")`)
        let mut inputs: Vec<(String, PathBuf)> = vec![];
        for (i, a) in spec.base.iter().enumerate() {
            for flag in ["--data", "--inputs", "--eigenvalues"] {
                let value = match a.strip_prefix(flag) {
                    Some("") => spec.base.get(i + 1).cloned(),
                    Some(v) => v.strip_prefix('=').map(String::from),
                    None => None,
                };
                if let Some(v) = value {
                    inputs.push((flag.to_string(), v.into()));
                }
            }
            for f in crate::models::free::eig_files(a) {
                inputs.push((format!("eig(\"{f}\")"), f.into()));
            }
        }
        let inputs: Vec<(&str, &std::path::Path)> = inputs
            .iter()
            .map(|(f, p)| (f.as_str(), p.as_path()))
            .collect();
        crate::io::check_distinct(&[("--out", p)], &inputs)?;
        crate::io::check_writable(p)?;
    }
    let quiet = quiet || spec.quiet;
    let meta = TableMeta {
        provenance: crate::io::Provenance::current(),
        base: spec.base.clone(),
        sweeps: spec.sweeps.clone(),
        total_rows: 0,
        shard: spec.shard,
        solver: Default::default(),
        omitted: vec![],
    };
    let rows =
        crate::table::row_count(&spec.sweeps)?.div_ceil(spec.shard.map(|s| s.count).unwrap_or(1));
    let pb = progress(rows as u64, quiet, "table");
    let table = crate::table::try_run(meta, exec_json, || pb.inc(1))?;
    pb.finish_and_clear();
    let failed = table.rows.iter().filter(|r| r.status != "ok").count();
    match &spec.out {
        Some(p) => table.write(p)?,
        None => emit(None, &table.to_csv()?)?,
    }
    if failed > 0 && !quiet {
        eprintln!(
            "warning: {failed} of {} rows failed (status 'error', message column)",
            table.rows.len()
        );
    }
    Ok(Outcome::Done)
}

/// Run `merge`.
pub fn run_merge(args: &MergeArgs) -> Result<Outcome> {
    crate::io::check_writable(&args.out)?;
    let parts = args
        .parts
        .iter()
        .map(|p| Table::read(p))
        .collect::<Result<Vec<_>>>()?;
    Table::merge(parts)?.write(&args.out)?;
    Ok(Outcome::Done)
}
