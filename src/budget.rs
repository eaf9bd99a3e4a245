//! Memory budget: refuse a computation whose memory need, estimated *before* allocating, exceeds a
//! process-wide limit.
//!
//! Every place that allocates from a user-controlled size (matrix dimensions, numbers of draws run in
//! parallel, sweep products, grid points, data sets) estimates its peak need in bytes and calls
//! [`check`]. Over budget, the computation stops at once with [`Error::Budget`]:
//!
//! ```text
//! dln input generation needs about 80 GB, more than the memory budget 12.6 GB (raise it with --max-memory)
//! ```
//!
//! The budget defaults to half the physical memory (`MemTotal` in `/proc/meminfo`), or 4 GiB when that
//! cannot be read, and is changed with [`set`] (the CLI's global `--max-memory`). Estimates count the
//! dominant arrays (in `f64`s, 8 bytes each), so they are the true peak up to a small constant factor.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Fallback budget when the physical memory is unknown: 4 GiB.
pub const FALLBACK_BYTES: u64 = 4 << 30;

/// Fraction of the physical memory used as the default budget.
pub const DEFAULT_FRACTION: f64 = 0.5;

/// 0 = not set (use the default).
static BUDGET: AtomicU64 = AtomicU64::new(0);

/// Physical memory in bytes (`MemTotal` from `/proc/meminfo`), if readable.
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

#[doc(hidden)]
pub fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut it = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = it.next()?.parse().ok()?;
    let unit = it.next().unwrap_or("kB");
    let mult = match unit {
        "kB" | "KB" | "kb" => 1024,
        "B" => 1,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&b| b > 0)
}

/// The default budget: [`DEFAULT_FRACTION`] of the physical memory, or [`FALLBACK_BYTES`].
pub fn default_budget() -> u64 {
    physical_memory()
        .map(|b| (b as f64 * DEFAULT_FRACTION) as u64)
        .unwrap_or(FALLBACK_BYTES)
}

/// Set the process-wide budget in bytes (the CLI's `--max-memory`). `0` restores the default.
pub fn set(bytes: u64) {
    BUDGET.store(bytes, Ordering::Relaxed);
}

thread_local! {
    /// A budget for the current thread only (0 = none), see [`scoped`].
    static SCOPED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The budget in force, in bytes: a [`scoped`] budget of the calling thread, else the process-wide one.
pub fn get() -> u64 {
    let local = SCOPED.with(|c| c.get());
    if local > 0 {
        return local;
    }
    match BUDGET.load(Ordering::Relaxed) {
        0 => default_budget(),
        b => b,
    }
}

/// Run `f` with a budget of `bytes` on the calling thread only (checks made on other threads, e.g. rayon
/// workers, are not affected). For tests and embedding: unlike [`set`], it cannot disturb concurrent
/// computations.
pub fn scoped<R>(bytes: u64, f: impl FnOnce() -> R) -> R {
    struct Restore(u64);
    impl Drop for Restore {
        fn drop(&mut self) {
            SCOPED.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(SCOPED.with(|c| c.replace(bytes)));
    f()
}

/// Refuse `what` if it needs more than the budget in force. `bytes` is the estimated peak need.
pub fn check(what: &str, bytes: u64) -> Result<()> {
    check_against(what, bytes, get())
}

/// [`check`] against an explicit budget.
pub fn check_against(what: &str, bytes: u64, budget: u64) -> Result<()> {
    if bytes <= budget {
        Ok(())
    } else {
        Err(Error::Budget {
            what: what.to_string(),
            needs: bytes,
            budget,
        })
    }
}

/// Bytes of `count` `f64`s (saturating: a product of user sizes never overflows to a small number).
pub fn f64s(count: u128) -> u64 {
    count.saturating_mul(8).min(u64::MAX as u128) as u64
}

/// Saturating product of sizes, for estimates: `elements(&[n, m])` = `n·m` as `u128`.
pub fn elements(dims: &[usize]) -> u128 {
    dims.iter()
        .fold(1u128, |acc, &d| acc.saturating_mul(d as u128))
}

/// How many draws of a sampler are in memory at once when `samples` draws run on the rayon pool.
pub fn parallel_draws(samples: usize) -> u64 {
    samples.min(rayon::current_num_threads()).max(1) as u64
}

/// Peak bytes of one dense symmetric eigenvalue problem of size `n` (matrix, copy and workspace:
/// about three `n x n` arrays).
pub fn eigen_bytes(n: usize) -> u64 {
    f64s(elements(&[n, n]).saturating_mul(3))
}

/// A size for people: `512 B`, `3.4 kB`, `80 GB` (decimal units, 3 significant digits).
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1000.0 && u + 1 < UNITS.len() {
        x /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if x >= 100.0 {
        format!("{x:.0} {}", UNITS[u])
    } else if x >= 10.0 {
        format!("{:.1} {}", x, UNITS[u]).replace(".0 ", " ")
    } else {
        format!("{:.2} {}", x, UNITS[u]).replace(".00 ", " ")
    }
}

/// [`human`] of a borrowed size (for error messages).
pub fn human_of(bytes: &u64) -> String {
    human(*bytes)
}

/// Parse a size: a byte count (`1000000`), or a number with a unit: decimal `kB`/`KB`, `MB`, `GB`, `TB`
/// (powers of 1000) or binary `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024); `K`, `M`, `G`, `T` alone are
/// binary. Case-insensitive, optional space, fractions allowed (`1.5GB`). Must be at least 1 MB and
/// finite.
pub fn parse_size(s: &str) -> Result<u64> {
    let bad = || {
        Error::param(
            "max-memory",
            s,
            "a size such as 512MB, 2GiB, 1.5GB or a byte count, at least 1MB",
        )
    };
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.replace('_', "");
    if num.is_empty() {
        return Err(bad());
    }
    let x: f64 = num.parse().map_err(|_| bad())?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024f64.powi(2),
        "g" | "gib" => 1024f64.powi(3),
        "t" | "tib" => 1024f64.powi(4),
        _ => return Err(bad()),
    };
    let b = x * mult;
    if !b.is_finite() || b < 1e6 || b >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(b.round() as u64)
}
