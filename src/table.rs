//! Reference tables: cartesian sweeps over any command's parameters, with provenance, sharding and merge.
//!
//! A table is generic over models: a row is the JSON output of one command invocation (`spectrum …`,
//! `law …`, `saddle …`) with the swept parameters appended as `--key value`; its scalar fields are
//! flattened into columns (`support[0][1]`, `moments[1]`, `density@0.5`, `solver.max_residual`, …).
//! Each row records the exact command that reproduces it, its status (`ok` / `error`) and, on error,
//! the message: a failing row is never dropped or filled with NaN. Rows run in parallel (rayon) and
//! come back in sweep order; `--shard i/k` keeps the rows with `index % k == i`, and [`Table::merge`]
//! joins the shards (checking they come from the same table and cover every row exactly once).

use crate::error::{Error, Result};
use crate::io::{shell_quote, Provenance};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Arrays longer than this are left out of the columns (listed in `omitted`).
pub const MAX_ARRAY_COLUMNS: usize = 16;

/// One swept parameter: `key=lo:hi:n` (n points, both ends included) or `key=v1,v2,...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Option name without dashes (`ratio` sweeps `--ratio`).
    pub key: String,
    /// The values, as passed on the command line.
    pub values: Vec<String>,
}

impl Sweep {
    /// Parse `key=lo:hi:n` or `key=v1,v2,...`.
    pub fn parse(spec: &str) -> Result<Self> {
        let bad = |why: &str| Error::param("sweep", spec, why);
        let (key, rhs) = spec
            .split_once('=')
            .ok_or_else(|| bad("of the form key=lo:hi:n or key=v1,v2,..."))?;
        let key = key.trim().trim_start_matches("--").to_string();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(
                "a parameter name (letters, digits, '-', '_') before '='",
            ));
        }
        let parts: Vec<&str> = rhs.split(':').collect();
        let values = if parts.len() == 3 {
            let lo: f64 = parts[0]
                .trim()
                .parse()
                .map_err(|_| bad("lo:hi:n with numbers lo, hi"))?;
            let hi: f64 = parts[1]
                .trim()
                .parse()
                .map_err(|_| bad("lo:hi:n with numbers lo, hi"))?;
            let n: usize = parts[2]
                .trim()
                .parse()
                .map_err(|_| bad("lo:hi:n with an integer n >= 1"))?;
            if !(lo.is_finite() && hi.is_finite()) || n == 0 || n > 1_000_000 {
                return Err(bad("lo:hi:n with finite lo, hi and 1 <= n <= 1e6"));
            }
            (0..n)
                .map(|k| {
                    let v = if n == 1 {
                        lo
                    } else {
                        lo + (hi - lo) * k as f64 / (n - 1) as f64
                    };
                    format!("{}", (v * 1e12).round() / 1e12)
                })
                .collect()
        } else if parts.len() == 1 {
            let v: Vec<String> = rhs
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if v.is_empty() {
                return Err(bad("at least one value"));
            }
            v
        } else {
            return Err(bad("of the form key=lo:hi:n or key=v1,v2,..."));
        };
        Ok(Sweep { key, values })
    }
}

/// Largest number of rows of a table (the cartesian product of its sweeps).
pub const MAX_ROWS: usize = 10_000_000;

/// Number of rows of the cartesian product of `sweeps`, refused before anything is built when it
/// exceeds [`MAX_ROWS`] or when the rows (their parameter lists, and about 1 kB of output each) would
/// exceed the memory budget ([`crate::budget`]).
pub fn row_count(sweeps: &[Sweep]) -> Result<usize> {
    let rows = sweeps
        .iter()
        .fold(1u128, |acc, s| acc.saturating_mul(s.values.len() as u128));
    if rows > MAX_ROWS as u128 {
        let sizes: Vec<String> = sweeps
            .iter()
            .map(|s| format!("{} ({})", s.key, s.values.len()))
            .collect();
        return Err(Error::param(
            "sweep",
            format!("{} rows = {}", rows, sizes.join(" x ")),
            &format!("a cartesian product of at most {MAX_ROWS} rows"),
        ));
    }
    // per row: the (key, value) pairs of the sweep, the command line and its flattened output
    let per_row: u128 = sweeps
        .iter()
        .map(|s| {
            let longest = s.values.iter().map(|v| v.len()).max().unwrap_or(0);
            2 * 24 + (s.key.len() + longest) as u128
        })
        .sum::<u128>()
        + 1024;
    crate::budget::check(
        &format!("a table of {rows} rows"),
        rows.saturating_mul(per_row).min(u64::MAX as u128) as u64,
    )?;
    Ok(rows as usize)
}

/// Row `index` of the cartesian product (last sweep varies fastest), built without the others.
pub fn cartesian_row(sweeps: &[Sweep], mut index: usize) -> Vec<(String, String)> {
    let mut row = vec![(String::new(), String::new()); sweeps.len()];
    for (k, s) in sweeps.iter().enumerate().rev() {
        let n = s.values.len().max(1);
        row[k] = (s.key.clone(), s.values[index % n].clone());
        index /= n;
    }
    row
}

/// [`run`] after checking the size of the table with [`row_count`]: the entry point for sweeps that
/// come from a user.
pub fn try_run<E, T>(meta: TableMeta, exec: E, tick: T) -> Result<Table>
where
    E: Fn(&[String]) -> Result<Value> + Sync,
    T: Fn() + Sync,
{
    row_count(&meta.sweeps)?;
    Ok(run(meta, exec, tick))
}

/// The rows of the cartesian product (last sweep varies fastest). Call [`row_count`] first for sweeps
/// that come from a user.
pub fn cartesian(sweeps: &[Sweep]) -> Vec<Vec<(String, String)>> {
    let mut rows: Vec<Vec<(String, String)>> = vec![vec![]];
    for s in sweeps {
        let mut next = Vec::with_capacity(rows.len() * s.values.len());
        for r in &rows {
            for v in &s.values {
                let mut r2 = r.clone();
                r2.push((s.key.clone(), v.clone()));
                next.push(r2);
            }
        }
        rows = next;
    }
    rows
}

/// Part `index` of `count` (`0 <= index < count`), given as `index/count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This part (0-based).
    pub index: usize,
    /// Number of parts.
    pub count: usize,
}

impl Shard {
    /// Parse `i/k`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::param("shard", s, "i/k with integers 0 <= i < k");
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = a.trim().parse().map_err(|_| bad())?;
        let count: usize = b.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
    /// Whether row `r` belongs to this shard.
    pub fn contains(&self, r: usize) -> bool {
        r % self.count == self.index
    }
}

/// Table metadata: everything needed to re-run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableMeta {
    /// Provenance of the run that wrote the table (for merged tables: of the merge).
    pub provenance: Provenance,
    /// The base command (arguments after `nnlimits`, before the sweeps).
    pub base: Vec<String>,
    /// The sweeps.
    pub sweeps: Vec<Sweep>,
    /// Total rows of the full table.
    pub total_rows: usize,
    /// The shard, if this is one.
    pub shard: Option<Shard>,
    /// Solver settings in force (defaults of the shared solver).
    pub solver: crate::numerics::stieltjes::SolverOptions,
    /// Arrays left out of the columns.
    pub omitted: Vec<String>,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Index in the full table.
    pub row: usize,
    /// `ok` or `error`.
    pub status: String,
    /// Error message (empty when ok).
    pub message: String,
    /// The exact command reproducing this row.
    pub command: String,
    /// Flattened scalar outputs.
    pub values: BTreeMap<String, Value>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Metadata.
    pub meta: TableMeta,
    /// Rows, by increasing index.
    pub rows: Vec<Row>,
}

/// Flatten the scalar leaves of a JSON document into `(column, value)` pairs; arrays longer than
/// [`MAX_ARRAY_COLUMNS`] are skipped and their names returned. `provenance` is skipped. An array of
/// objects each carrying an `x` becomes `name@x.field` columns (`points` → `density@0.5`).
pub fn flatten(v: &Value) -> (Vec<(String, Value)>, Vec<String>) {
    let mut out = Vec::new();
    let mut omitted = Vec::new();
    fn rec(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>, omitted: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if prefix.is_empty() && k == "provenance" {
                        continue;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    rec(&key, x, out, omitted);
                }
            }
            Value::Array(a) => {
                let keyed = !a.is_empty()
                    && a.iter()
                        .all(|e| e.get("x").map(|x| x.is_number()) == Some(true));
                if a.len() > MAX_ARRAY_COLUMNS {
                    omitted.push(format!("{prefix} ({} entries)", a.len()));
                } else if keyed {
                    for e in a {
                        let x = e["x"].as_f64().unwrap_or(f64::NAN);
                        if let Value::Object(m) = e {
                            for (k, y) in m {
                                if k != "x" {
                                    rec(&format!("{k}@{x}"), y, out, omitted);
                                }
                            }
                        }
                    }
                } else {
                    for (i, e) in a.iter().enumerate() {
                        rec(&format!("{prefix}[{i}]"), e, out, omitted);
                    }
                }
            }
            Value::Null => {}
            scalar => out.push((prefix.to_string(), scalar.clone())),
        }
    }
    rec("", v, &mut out, &mut omitted);
    (out, omitted)
}

/// The command of one row: the base command with each swept `key` either substituted for the
/// placeholder `{key}` wherever the base names it (e.g. inside an expression,
/// `table expr "mp({c}) + sc(0.5)" --sweep c=0.1,0.5`), or else appended as `--key value`.
pub fn row_args(base: &[String], over: &[(String, String)]) -> Vec<String> {
    let mut args = base.to_vec();
    for (k, v) in over {
        let hole = format!("{{{k}}}");
        if base.iter().any(|a| a.contains(&hole)) {
            for a in args.iter_mut() {
                *a = a.replace(&hole, v);
            }
        } else {
            args.push(format!("--{k}"));
            args.push(v.clone());
        }
    }
    args
}

/// Compute the rows of `meta` (the shard's part) with `exec`, which runs one command (argument list
/// after `nnlimits`) and returns its JSON output. `tick` is called after each row (progress). Only the
/// shard's rows are built. Use [`try_run`] for sweeps that come from a user (size checked first).
pub fn run<E, T>(mut meta: TableMeta, exec: E, tick: T) -> Table
where
    E: Fn(&[String]) -> Result<Value> + Sync,
    T: Fn() + Sync,
{
    use rayon::prelude::*;
    let total = meta
        .sweeps
        .iter()
        .fold(1usize, |acc, s| acc.saturating_mul(s.values.len()));
    meta.total_rows = total;
    let mine_rows: Vec<(usize, Vec<(String, String)>)> = (0..total)
        .filter(|i| meta.shard.map(|s| s.contains(*i)).unwrap_or(true))
        .map(|i| (i, cartesian_row(&meta.sweeps, i)))
        .collect();
    let mine: Vec<(usize, &Vec<(String, String)>)> =
        mine_rows.iter().map(|(i, r)| (*i, r)).collect();
    let results: Vec<(Row, Vec<String>)> = mine
        .par_iter()
        .map(|(i, over)| {
            let mut args = row_args(&meta.base, over);
            args.push("--format".into());
            args.push("json".into());
            let command = std::iter::once("nnlimits".to_string())
                .chain(args.iter().map(|a| shell_quote(a)))
                .collect::<Vec<_>>()
                .join(" ");
            let res = exec(&args);
            tick();
            match res {
                Ok(v) => {
                    let (cols, omitted) = flatten(&v);
                    let mut values: BTreeMap<String, Value> = cols.into_iter().collect();
                    for (k, v) in over.iter() {
                        values.insert(format!("param.{k}"), Value::String(v.clone()));
                    }
                    (
                        Row {
                            row: *i,
                            status: "ok".into(),
                            message: String::new(),
                            command,
                            values,
                        },
                        omitted,
                    )
                }
                Err(e) => {
                    let mut values = BTreeMap::new();
                    for (k, v) in over.iter() {
                        values.insert(format!("param.{k}"), Value::String(v.clone()));
                    }
                    (
                        Row {
                            row: *i,
                            status: "error".into(),
                            message: e.to_string(),
                            command,
                            values,
                        },
                        vec![],
                    )
                }
            }
        })
        .collect();
    let mut omitted: Vec<String> = results.iter().flat_map(|r| r.1.clone()).collect();
    omitted.sort();
    omitted.dedup();
    meta.omitted = omitted;
    Table {
        meta,
        rows: results.into_iter().map(|r| r.0).collect(),
    }
}

impl Table {
    /// Column names: `row, status, message, command`, then the union of value keys (parameters first).
    pub fn columns(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for pass in [true, false] {
            for r in &self.rows {
                for k in r.values.keys() {
                    if k.starts_with("param.") == pass && seen.insert(k.clone()) {
                        keys.push(k.clone());
                    }
                }
            }
        }
        ["row", "status", "message", "command"]
            .iter()
            .map(|s| s.to_string())
            .chain(keys)
            .collect()
    }

    /// CSV: a first line `# nnlimits-table <metadata JSON>`, then the header and the rows. Missing values
    /// are empty cells.
    pub fn to_csv(&self) -> Result<String> {
        let meta = serde_json::to_string(&self.meta).map_err(|e| Error::Domain(e.to_string()))?;
        let mut w = csv::WriterBuilder::new().from_writer(vec![]);
        let cols = self.columns();
        let err = |e: csv::Error| Error::Domain(format!("csv: {e}"));
        w.write_record(&cols).map_err(err)?;
        for r in &self.rows {
            let rec: Vec<String> = cols
                .iter()
                .map(|c| match c.as_str() {
                    "row" => r.row.to_string(),
                    "status" => r.status.clone(),
                    "message" => r.message.clone(),
                    "command" => r.command.clone(),
                    k => match r.values.get(k) {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => String::new(),
                    },
                })
                .collect();
            w.write_record(&rec).map_err(err)?;
        }
        let body = String::from_utf8(w.into_inner().map_err(|e| Error::Domain(e.to_string()))?)
            .map_err(|e| Error::Domain(e.to_string()))?;
        Ok(format!("# nnlimits-table {meta}\n{body}"))
    }

    /// JSON document.
    pub fn to_json(&self) -> Result<String> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| Error::Domain(e.to_string()))?;
        s.push('\n');
        Ok(s)
    }

    /// Read a table written by [`Table::write`] (CSV or JSON, by content).
    pub fn read(path: &Path) -> Result<Table> {
        let text = crate::io::read_to_string_capped(path, crate::io::MAX_INPUT_BYTES, "table")?;
        let perr = |m: String| Error::Parse {
            path: path.to_path_buf(),
            message: m,
        };
        if text.trim_start().starts_with('{') {
            return serde_json::from_str(&text).map_err(|e| perr(e.to_string()));
        }
        let (first, body) = text
            .split_once('\n')
            .ok_or_else(|| perr("empty file".into()))?;
        let meta_json = first.strip_prefix("# nnlimits-table ").ok_or_else(|| {
            perr("not an nnlimits table (missing '# nnlimits-table' line)".into())
        })?;
        let meta: TableMeta = serde_json::from_str(meta_json).map_err(|e| perr(e.to_string()))?;
        let mut rd = csv::ReaderBuilder::new().from_reader(body.as_bytes());
        let header: Vec<String> = rd
            .headers()
            .map_err(|e| perr(e.to_string()))?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for rec in rd.records() {
            let rec = rec.map_err(|e| perr(e.to_string()))?;
            let mut row = Row {
                row: 0,
                status: String::new(),
                message: String::new(),
                command: String::new(),
                values: BTreeMap::new(),
            };
            for (k, v) in header.iter().zip(rec.iter()) {
                match k.as_str() {
                    "row" => {
                        row.row = v
                            .parse()
                            .map_err(|_| perr(format!("bad row index `{v}`")))?
                    }
                    "status" => row.status = v.into(),
                    "message" => row.message = v.into(),
                    "command" => row.command = v.into(),
                    _ if v.is_empty() => {}
                    _ if k.starts_with("param.") => {
                        row.values.insert(k.clone(), Value::String(v.into()));
                    }
                    _ => {
                        let val = serde_json::from_str::<Value>(v)
                            .unwrap_or_else(|_| Value::String(v.into()));
                        row.values.insert(k.clone(), val);
                    }
                }
            }
            rows.push(row);
        }
        Ok(Table { meta, rows })
    }

    /// Write atomically, CSV unless the path ends in `.json`.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = if path.extension().map(|e| e == "json").unwrap_or(false) {
            self.to_json()?
        } else {
            self.to_csv()?
        };
        crate::io::write_atomic(path, text.as_bytes())
    }

    /// Join shards of one table: same base command and sweeps, every row exactly once.
    pub fn merge(parts: Vec<Table>) -> Result<Table> {
        let first = parts
            .first()
            .ok_or_else(|| Error::InvalidData("merge: no input tables".into()))?;
        let (base, sweeps, total) = (
            first.meta.base.clone(),
            first.meta.sweeps.clone(),
            first.meta.total_rows,
        );
        let mut rows: BTreeMap<usize, Row> = BTreeMap::new();
        let mut omitted = Vec::new();
        for (k, p) in parts.iter().enumerate() {
            if p.meta.base != base || p.meta.sweeps != sweeps || p.meta.total_rows != total {
                return Err(Error::InvalidData(format!(
                    "merge: input {} comes from a different table (base command or sweeps differ)",
                    k + 1
                )));
            }
            omitted.extend(p.meta.omitted.iter().cloned());
            for r in &p.rows {
                if rows.insert(r.row, r.clone()).is_some() {
                    return Err(Error::InvalidData(format!(
                        "merge: row {} appears twice",
                        r.row
                    )));
                }
            }
        }
        let missing: Vec<usize> = (0..total).filter(|i| !rows.contains_key(i)).collect();
        if !missing.is_empty() {
            let show: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
            return Err(Error::InvalidData(format!(
                "merge: {} of {total} rows missing (first: {}); is a shard absent?",
                missing.len(),
                show.join(", ")
            )));
        }
        omitted.sort();
        omitted.dedup();
        let mut meta = first.meta.clone();
        meta.shard = None;
        meta.omitted = omitted;
        meta.provenance = Provenance::current();
        Ok(Table {
            meta,
            rows: rows.into_values().collect(),
        })
    }
}
