//! Output files: atomic writes and provenance.
//!
//! Every file nnlimits writes goes through [`write_atomic`]: the bytes are written to a temporary file in
//! the destination's directory and renamed over the destination only when complete, so an interrupted
//! run never leaves a half-written output. Every report or table carries a [`Provenance`] record.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically (temp file in the same directory + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_err = |source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(io_err(std::io::Error::other("is a directory")));
    }
    // a device or pipe (/dev/null, /dev/stdout, a FIFO) is written in place: renaming over it would
    // replace the device with a regular file
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
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
    tmp.as_file().sync_all().map_err(io_err)?;
    // tempfile creates 0600 files; outputs are ordinary files (0644, or the existing file's mode)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Check early that `path` can be written (its directory exists and is writable), so a long run does not
/// fail only at the end. Creates and removes a temporary file.
pub fn check_writable(path: &Path) -> Result<()> {
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

impl Provenance {
    /// Provenance for the current process.
    pub fn current() -> Self {
        let args: Vec<String> = std::env::args().collect();
        Self::with_command(&args)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"hello").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
        let bad = dir.path().join("missing-dir").join("out.txt");
        let e = write_atomic(&bad, b"x").unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert!(check_writable(&bad).is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
        // no temporary files left behind
        let n = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(n, 1);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        let p = Path::new("/dev/null");
        check_writable(p).unwrap();
        write_atomic(p, b"x").unwrap();
        assert!(std::fs::metadata(p).unwrap().file_type().is_char_device());
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("--ratio"), "--ratio");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
