//! `nnlimits models`: every registered model with its summary, its parameters (name, allowed range,
//! default, doc) and the commands that accept it, as text or JSON. Everything is read from the
//! registry's `clap` commands and declared ranges, so the listing cannot drift from what is accepted.

use super::{all, Entry, Verb};
use serde::Serialize;

/// Ranges of the options the generic commands add to every model.
const SHARED_RANGES: &[(&str, &str)] = &[
    ("at", "comma-separated finite numbers"),
    ("points", "integer in [1, 1e7]"),
    ("format", "csv, json, table"),
    ("samples", "integer in [1, 1e6]"),
    ("seed", "integer in [0, 2^64)"),
    ("out", "file path"),
    ("plot", "file path (SVG)"),
    ("report", "file path (JSON)"),
    ("trend-factors", "2 to 6 distinct factors in (0, 16]"),
    (
        "eigenvalues",
        "file path (CSV or one number a line, at most 64 MiB)",
    ),
];

/// The range shown for a parameter whose model declares none (a test keeps the registry free of it).
pub const UNDECLARED: &str = "undeclared";

/// One parameter of one command.
#[derive(Debug, Clone, Serialize)]
pub struct ParamInfo {
    /// Long flag name without dashes.
    pub name: String,
    /// Allowed values or range.
    pub range: String,
    /// Default value, if any.
    pub default: Option<String>,
    /// Whether the flag must be given.
    pub required: bool,
    /// A positional argument (given as a bare value, e.g. `spectrum expr "mp(0.5)"`), not a `--flag`.
    pub positional: bool,
    /// Its help text.
    pub doc: String,
}

#[derive(Debug, Serialize)]
struct CommandInfo {
    command: Verb,
    usage: String,
    params: Vec<ParamInfo>,
}

#[derive(Debug, Serialize)]
struct ModelInfo {
    name: &'static str,
    summary: &'static str,
    docs: &'static str,
    commands: Vec<CommandInfo>,
}

/// The parameters of `verb <entry>`.
pub fn params(entry: &dyn Entry, verb: Verb) -> Vec<ParamInfo> {
    let Some(cmd) = entry.command(verb) else {
        return vec![];
    };
    cmd.get_arguments()
        .filter_map(|a| {
            if a.is_hide_set() || ["help", "version"].contains(&a.get_id().as_str()) {
                return None;
            }
            // a positional argument is listed by its id
            let name = a
                .get_long()
                .map(String::from)
                .unwrap_or_else(|| a.get_id().to_string());
            let possible: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect();
            let declared = entry
                .ranges()
                .iter()
                .chain(SHARED_RANGES)
                .find(|(k, _)| *k == name)
                .map(|(_, r)| r.to_string());
            let flag = matches!(a.get_action(), clap::ArgAction::SetTrue);
            let range = declared.unwrap_or_else(|| {
                if flag {
                    "flag".into()
                } else if !possible.is_empty() {
                    possible.join(", ")
                } else {
                    UNDECLARED.into()
                }
            });
            let default = a
                .get_default_values()
                .first()
                .map(|v| v.to_string_lossy().to_string())
                .filter(|_| !flag);
            Some(ParamInfo {
                name,
                range,
                default,
                required: a.is_required_set(),
                positional: a.is_positional(),
                doc: a.get_help().map(|h| h.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

fn infos() -> Vec<ModelInfo> {
    all()
        .iter()
        .map(|e| ModelInfo {
            name: e.name(),
            summary: e.summary(),
            docs: e.docs(),
            commands: e
                .verbs()
                .into_iter()
                .map(|v| {
                    let params = params(*e, v);
                    let positional: String = params
                        .iter()
                        .filter(|p| p.positional)
                        .map(|p| format!(" <{}>", p.name.to_uppercase()))
                        .collect();
                    CommandInfo {
                        command: v,
                        usage: format!("nnlimits {} {} [OPTIONS]{positional}", v.name(), e.name()),
                        params,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The listing as a JSON document (an array of models).
pub fn models_json() -> serde_json::Value {
    serde_json::to_value(infos()).unwrap_or(serde_json::Value::Null)
}

/// The listing as text: one block per model.
pub fn models_text() -> String {
    let mut s = String::new();
    for m in infos() {
        let verbs: Vec<&str> = m.commands.iter().map(|c| c.command.name()).collect();
        s.push_str(&format!(
            "{}  —  {}\n  commands: {}\n  docs: {}\n",
            m.name,
            m.summary,
            verbs.join(", "),
            m.docs
        ));
        for c in &m.commands {
            s.push_str(&format!("  {}:\n", c.usage));
            for p in &c.params {
                let default = p
                    .default
                    .as_ref()
                    .map(|d| format!(" [default: {d}]"))
                    .unwrap_or_default();
                let req = if p.required { " (required)" } else { "" };
                let name = if p.positional {
                    format!("<{}>", p.name.to_uppercase())
                } else {
                    format!("--{}", p.name)
                };
                s.push_str(&format!("    {:<18} {}{}{}\n", name, p.range, default, req));
            }
        }
        s.push('\n');
    }
    s
}
