//! Self-contained text (issue 13, item 8): no file of the repository cites the internal theory notes
//! (they are not part of it), and every equation label `(Fnn)` cited next to a docs page path is a
//! label of that page. Pure file reading, well under a second.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Directories and files that ship with the repository and are scanned.
const ROOTS: &[&str] = &[
    "src",
    "tests",
    "validation",
    "docs",
    "benches",
    "examples",
    "python",
    "README.md",
];

/// Text files only (images, lock files and build outputs are skipped).
const EXTENSIONS: &[&str] = &[
    "rs", "md", "json", "toml", "py", "pyi", "txt", "html", "svg", "csv",
];

/// Directories never scanned (build outputs, virtual environments, and the catalogue's result cache
/// and reports, which `.gitignore` keeps out of the repository and `nnlimits check` regenerates).
const SKIP_DIRS: &[&str] = &[
    "target",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    "cache",
    "report",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if SKIP_DIRS.contains(&name) || name.starts_with('.') {
            return;
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .unwrap_or_else(|e| panic!("read_dir {}: {e}", path.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            collect(&p, out);
        }
    } else if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
    {
        out.push(path.to_path_buf());
    }
}

/// `(relative path, text)` of every scanned text file.
fn text_files() -> Vec<(String, String)> {
    let base = root();
    let mut paths = Vec::new();
    for r in ROOTS {
        let p = base.join(r);
        if p.exists() {
            collect(&p, &mut paths);
        }
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let text = fs::read_to_string(&p).ok()?; // non-UTF-8: not a text file
            let rel = p
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, text))
        })
        .collect()
}

/// 1-based line number of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

#[test]
fn no_file_cites_the_internal_notes() {
    // Patterns are assembled at run time so that this file does not match itself.
    let forbidden: Vec<String> = [
        ("shared", "/"),
        ("theory", "/"),
        ("dln", ".md"),
        ("free", ".md"),
    ]
    .iter()
    .map(|(a, b)| format!("{a}{b}"))
    .collect();
    let fim = format!("{}{}", "fim", ".md");
    let section = format!("{}{}", ".md", " §");
    let section_code = format!("{}{}", ".md`", " §");
    let files = text_files();
    assert!(files.len() > 100, "scanned only {} files", files.len());
    let mut bad = Vec::new();
    for (rel, text) in &files {
        for pat in &forbidden {
            for (at, _) in text.match_indices(pat.as_str()) {
                bad.push(format!("{rel}:{}: cites `{pat}`", line_of(text, at)));
            }
        }
        for pat in [&section, &section_code] {
            for (at, _) in text.match_indices(pat.as_str()) {
                bad.push(format!(
                    "{rel}:{}: cites a numbered section of a page",
                    line_of(text, at)
                ));
            }
        }
        // The FIM page may only be cited by its path under docs/models/ (or as a sibling link inside
        // docs/models/).
        let sibling_ok = rel.starts_with("docs/models/");
        for (at, _) in text.match_indices(fim.as_str()) {
            let before = &text[..at];
            if before.ends_with("models/") || sibling_ok {
                continue;
            }
            bad.push(format!(
                "{rel}:{}: cites `{fim}` without docs/models/",
                line_of(text, at)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} references to text users do not have:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Equation labels of a docs page: `(Fnn)` or a bold `**Fnn` / `**(Fnn)`.
fn labels(page: &str) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for pat in ["(F", "**F"] {
        for (at, _) in page.match_indices(pat) {
            let digits: String = page[at + pat.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let rest = &page[at + pat.len() + digits.len()..];
            let closed = if pat == "(F" {
                rest.starts_with(')')
            } else {
                !rest.starts_with(|c: char| c.is_alphanumeric())
            };
            if let (Ok(n), true) = (digits.parse(), closed) {
                out.insert(n);
            }
        }
    }
    out
}

/// The F-numbers of a citation like `F17–F19, F21` (a range `Fa–Fb` stands for every label in it).
fn cited(list: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut prev: Option<u32> = None;
    let mut range = false;
    for (i, c) in list.char_indices() {
        match c {
            'F' if !list[..i].ends_with(|p: char| p.is_alphanumeric()) => {
                let digits: String = list[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if let Ok(n) = digits.parse::<u32>() {
                    match (range, prev) {
                        (true, Some(a)) if a <= n => out.extend(a + 1..=n),
                        _ => out.push(n),
                    }
                    prev = Some(n);
                    range = false;
                }
            }
            '–' | '-' => range = prev.is_some(),
            ',' | ';' | ' ' | '/' => {
                if c != ' ' {
                    range = false;
                }
            }
            _ => {
                if !c.is_ascii_digit() {
                    range = false;
                }
            }
        }
    }
    out
}

#[test]
fn cited_equation_labels_exist_in_the_cited_page() {
    let base = root();
    let prefix = "docs/models/";
    let mut checked = 0;
    let mut bad = Vec::new();
    for (rel, text) in text_files() {
        if rel.starts_with("docs/") {
            continue; // the pages themselves and generated reports
        }
        for (at, _) in text.match_indices(prefix) {
            let after = &text[at + prefix.len()..];
            let Some(end) = after.find(".md") else {
                continue;
            };
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            let page_path = base.join(prefix).join(format!("{name}.md"));
            let Ok(page) = fs::read_to_string(&page_path) else {
                bad.push(format!(
                    "{rel}:{}: no page {prefix}{name}.md",
                    line_of(&text, at)
                ));
                continue;
            };
            // The parenthesis right after the path (possibly after a backtick, a line break and a
            // comment marker): `docs/models/fim.md (F14, F19)`.
            let mut rest = after[end + 3..].trim_start_matches('`').trim_start();
            for marker in ["//!", "///", "//", "#"] {
                if let Some(r) = rest.strip_prefix(marker) {
                    rest = r.trim_start();
                    break;
                }
            }
            let Some(inner) = rest.strip_prefix('(') else {
                continue;
            };
            let Some(close) = inner.find(')') else {
                continue;
            };
            let inner = &inner[..close];
            if !inner.starts_with('F') && !inner.contains("; F") {
                continue;
            }
            let have = labels(&page);
            for n in cited(inner) {
                checked += 1;
                if !have.contains(&n) {
                    bad.push(format!(
                        "{rel}:{}: F{n} is not a label of {prefix}{name}.md",
                        line_of(&text, at)
                    ));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} citations found: the scan is broken"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn label_and_range_parsing() {
    assert_eq!(cited("F17–F19, F21"), vec![17, 18, 19, 21]);
    assert_eq!(cited("F14, F19, F23"), vec![14, 19, 23]);
    assert_eq!(cited("F5, F6; \"Monte Carlo\""), vec![5, 6]);
    assert_eq!(cited("F16 readout, F26–F30"), vec![16, 26, 27, 28, 29, 30]);
    let page = "**(F5)** x (F6) * **F1** `W` (F7 and more) **F2**, FF(F9)";
    assert_eq!(
        labels(page).into_iter().collect::<Vec<_>>(),
        vec![1, 2, 5, 6, 9]
    );
}
