//! Files: bounded reads, atomic writes, distinct outputs, and provenance.
//!
//! Every file nnlimits reads goes through [`read_to_string_capped`] (a size limit, so `/dev/zero` or a
//! huge file is refused instead of exhausting memory). Every file it writes goes through
//! [`write_atomic`] (or [`write_output`], where `-` means standard output): the bytes are written to a
//! temporary file in the destination's directory and renamed over the destination only when complete,
//! so an interrupted run never leaves a half-written output; symbolic links are written through and
//! permissions kept. [`check_distinct`] refuses outputs that would overwrite each other or an input.
//! Every report or table carries a [`Provenance`] record.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest input file read by default: 256 MB (tables, claims, data sets and input matrices are far
/// smaller; a larger file is almost certainly the wrong file, e.g. `/dev/zero`).
pub const MAX_INPUT_BYTES: u64 = 256_000_000;

/// Read a text file of at most `max_bytes` bytes. The file is read through `take(max_bytes + 1)`, so an
/// endless or huge input (`/dev/zero`, a multi-gigabyte file) stops at the limit with a clear error
/// naming `what` instead of exhausting memory; a directory is refused, and invalid UTF-8 is an
/// [`Error::Parse`].
pub fn read_to_string_capped(path: &Path, max_bytes: u64, what: &str) -> Result<String> {
    use std::io::Read;
    let io_err = |source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(io_err(std::io::Error::other(format!(
            "is a directory, not a {what} file"
        ))));
    }
    let f = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io_err(std::io::Error::other(format!(
            "larger than {} (the limit for a {what} file)",
            crate::budget::human(max_bytes)
        ))));
    }
    String::from_utf8(bytes).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        message: format!("not UTF-8 text ({what} file): {e}"),
    })
}

/// Whether `path` names standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Write `bytes` to `path`, where `-` means standard output; any other path goes through
/// [`write_atomic`].
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|_| out.flush())
            .map_err(|source| Error::Io {
                action: "write",
                path: path.to_path_buf(),
                source,
            });
    }
    write_atomic(path, bytes)
}

/// Follow symbolic links from `path` to the file they finally name (which may not exist yet); relative
/// link targets are taken relative to the link's directory. More than 40 links is an error (a loop).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = if target.is_absolute() {
                    target
                } else {
                    p.parent().unwrap_or(Path::new("")).join(target)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Write `bytes` to `path` atomically (temp file in the same directory + rename), so that no reader ever
/// sees a half-written file and an interrupted run leaves the old file intact.
///
/// * A symbolic link is written **through**: the file it names is replaced and the link kept.
/// * An existing file keeps its permission bits; a new file gets `0644` (tempfile creates `0600`).
/// * A device or pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming over it would
///   replace the device with a regular file.
/// * A directory is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_err = |source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let target = resolve_links(path).map_err(io_err)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if target.is_dir() {
        return Err(io_err(std::io::Error::other("is a directory")));
    }
    let existing = std::fs::metadata(&target).ok();
    if let Some(meta) = &existing {
        if !meta.is_file() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(io_err)?;
            return f.write_all(bytes).map_err(io_err);
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".nnlimits-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io_err)?;
    tmp.write_all(bytes).map_err(io_err)?;
    // tempfile creates 0600 files; outputs are ordinary files (0644, or the existing file's mode)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing
            .as_ref()
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(&target).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// The file a path finally names, for comparisons: symbolic links followed, the parent directory
/// canonicalised (so `./a`, `dir/../a` and a link to `a` compare equal), the file name kept (the file
/// itself need not exist). `-` (standard output) is returned unchanged.
fn identity(path: &Path) -> PathBuf {
    if is_stdout(path) {
        return path.to_path_buf();
    }
    let p = resolve_links(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().unwrap_or(parent);
    match p.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    }
}

/// The optional outputs of a command (`(flag, path)`, `None` when not given): distinct from each other
/// and from the `inputs` ([`check_distinct`]), and writable ([`check_writable`]).
pub fn check_outputs(outputs: &[(&str, Option<&Path>)], inputs: &[(&str, &Path)]) -> Result<()> {
    let given: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|&(f, p)| p.map(|p| (f, p)))
        .collect();
    check_distinct(&given, inputs)?;
    for (_, p) in given {
        check_writable(p)?;
    }
    Ok(())
}

/// Refuse a set of outputs that would overwrite each other or an input: two outputs naming the same
/// file, or an output naming an input — also through symbolic links and different spellings of one path
/// (compared by canonical parent directory and file name). Each entry is `(flag, path)`; the error names
/// both flags. Several outputs `-` (standard output) are allowed (they are printed one after another).
pub fn check_distinct(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
    let outs: Vec<(&str, &Path, PathBuf)> =
        outputs.iter().map(|(f, p)| (*f, *p, identity(p))).collect();
    for (i, (fa, pa, ia)) in outs.iter().enumerate() {
        if is_stdout(pa) {
            continue;
        }
        for (fb, pb, ib) in &outs[..i] {
            if ia == ib {
                return Err(Error::param(
                    fa,
                    pa.display(),
                    &format!(
                        "a different file from {fb} `{}` (both name `{}`)",
                        pb.display(),
                        ia.display()
                    ),
                ));
            }
        }
        for (fb, pb) in inputs {
            if identity(pb) == *ia {
                return Err(Error::param(
                    fa,
                    pa.display(),
                    &format!(
                        "a different file from the input {fb} `{}` (writing would overwrite it)",
                        pb.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Check early that `path` can be written (its directory exists and is writable), so a long run does not
/// fail only at the end. Creates and removes a temporary file. `-` (standard output) is always
/// writable; a symbolic link is checked at the file it names.
pub fn check_writable(path: &Path) -> Result<()> {
    if is_stdout(path) {
        return Ok(());
    }
    let path = &resolve_links(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(|_| ())
                .map_err(|source| Error::Io {
                    action: "write",
                    path: path.to_path_buf(),
                    source,
                });
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(Error::Io {
            action: "write",
            path: path.to_path_buf(),
            source: std::io::Error::other("is a directory"),
        });
    }
    tempfile::Builder::new()
        .prefix(".nnlimits-check-")
        .tempfile_in(&dir)
        .map(|_| ())
        .map_err(|source| Error::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        })
}

/// Where a result came from: enough to re-run it exactly.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// Always "nnlimits".
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// The exact command line (arguments joined by spaces, shell-quoted where needed).
    pub command: String,
    /// Seconds since the Unix epoch when the file was produced.
    pub created_unix: u64,
}

thread_local! {
    static COMMAND: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

impl Provenance {
    /// Provenance for the current process: its command line, or the command set by
    /// [`Provenance::scoped`] on this thread.
    pub fn current() -> Self {
        let args: Vec<String> = COMMAND
            .with(|c| c.borrow().clone())
            .unwrap_or_else(|| std::env::args().collect());
        Self::with_command(&args)
    }

    /// Run `f` with `args` as the command recorded by [`Provenance::current`] on this thread: a host
    /// that runs a command as a library call (the Python package runs `nnlimits spectrum mp ...`) records
    /// the equivalent command line instead of its own process's arguments.
    pub fn scoped<T>(args: &[String], f: impl FnOnce() -> T) -> T {
        let prev = COMMAND.with(|c| c.borrow_mut().replace(args.to_vec()));
        let out = f();
        COMMAND.with(|c| *c.borrow_mut() = prev);
        out
    }

    /// Provenance with an explicit argument vector.
    pub fn with_command(args: &[String]) -> Self {
        let command = args
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        Provenance {
            tool: "nnlimits".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command,
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }
}

/// Quote an argument for a POSIX shell if it contains anything but safe characters.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+@%^".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
