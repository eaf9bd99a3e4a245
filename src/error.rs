//! The library's error type.
//!
//! Every fallible public function returns [`Result<T>`]. Errors name the offending parameter and the
//! allowed range, or, for solvers, the number of iterations and the final residual, so that a user sees
//! *why* a computation was refused instead of a panic, a NaN or silently wrong numbers.

use std::path::PathBuf;

/// Errors raised by nnlimits.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is outside its domain (or not finite).
    #[error("invalid parameter `{name}` = {value}: must be {allowed}")]
    InvalidParameter {
        /// Parameter name as the user spells it (CLI flag or field name).
        name: String,
        /// The offending value, formatted.
        value: String,
        /// Human description of the allowed range, e.g. "in (0, 1e6]".
        allowed: String,
    },
    /// A spectral parameter z is not in the open upper half plane.
    #[error("z = {re}{im:+}i is not in the upper half plane (Im z must be > 0); use density(x) for points on the real axis")]
    NotInUpperHalfPlane {
        /// Real part of z.
        re: f64,
        /// Imaginary part of z.
        im: f64,
    },
    /// An iterative solver did not converge.
    #[error("{what} did not converge after {iterations} iterations (residual {residual:.3e}, tolerance {tolerance:.1e})")]
    NotConverged {
        /// What was being solved, with its parameters.
        what: String,
        /// Iterations spent.
        iterations: usize,
        /// Final residual.
        residual: f64,
        /// Requested tolerance.
        tolerance: f64,
    },
    /// Input data are inconsistent (dimensions, non-finite entries, not positive definite, ...).
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// A computation is not defined for these (valid) parameters, e.g. no solution in the physical domain.
    #[error("{0}")]
    Domain(String),
    /// A file could not be read or written.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A computation would need more memory than the budget in force (see [`crate::budget`]).
    #[error("{what} needs about {}, more than the memory budget {} (raise it with --max-memory)", crate::budget::human_of(.needs), crate::budget::human_of(.budget))]
    Budget {
        /// What was refused, e.g. "Wishart sampling (4 draws in parallel)".
        what: String,
        /// Estimated need in bytes.
        needs: u64,
        /// The budget in bytes.
        budget: u64,
    },
    /// A malformed expression (free-probability expressions, fixed-point equations).
    #[error("{what}, column {column}: {message}")]
    Syntax {
        /// What was being parsed ("expression", "fixedpoint equation").
        what: String,
        /// 1-based column of the offending character.
        column: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// The computation was stopped on request ([`crate::cancel::request`], e.g. Ctrl-C in Python).
    #[error("interrupted")]
    Interrupted,
    /// A file had the wrong format.
    #[error("cannot parse `{path}`: {message}")]
    Parse {
        /// The path concerned.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`]. A numeric value is printed compactly (see [`num`]).
    pub fn param(name: &str, value: impl std::fmt::Display, allowed: &str) -> Self {
        let value = value.to_string();
        let value = match value.parse::<f64>() {
            Ok(x) if value.len() > 24 => num(x),
            _ => value,
        };
        Error::InvalidParameter {
            name: name.to_string(),
            value,
            allowed: allowed.to_string(),
        }
    }
}

/// A number as a user would type it: the shortest of `Display` (`0.5`, `1000`) and scientific (`1e-300`)
/// notation, so that messages never print 300 digits.
pub fn num(x: f64) -> String {
    let d = x.to_string();
    let e = format!("{x:e}");
    if d.len() <= e.len() {
        d
    } else {
        e
    }
}

/// Parameter checks shared by every model constructor. Each returns the value on success so that
/// constructors read `let c = check::positive("ratio", c)?;`.
pub mod check {
    use super::{num, Error, Result};

    /// `x` is finite and `> 0`.
    pub fn positive(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() && x > 0.0 {
            Ok(x)
        } else {
            Err(Error::param(name, num(x), "finite and > 0"))
        }
    }

    /// `x` is finite and `>= 0`.
    pub fn non_negative(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() && x >= 0.0 {
            Ok(x)
        } else {
            Err(Error::param(name, num(x), "finite and >= 0"))
        }
    }

    /// `x` is finite.
    pub fn finite(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() {
            Ok(x)
        } else {
            Err(Error::param(name, num(x), "finite"))
        }
    }

    /// `lo <= x <= hi` (and finite).
    pub fn in_range(name: &str, x: f64, lo: f64, hi: f64) -> Result<f64> {
        if x.is_finite() && x >= lo && x <= hi {
            Ok(x)
        } else {
            Err(Error::param(
                name,
                num(x),
                &format!("in [{}, {}]", num(lo), num(hi)),
            ))
        }
    }

    /// The product `Π x_i` of positive factors (e.g. `Λ = Π σ_l²`) lies in `[lo, hi]`, computed in logs so
    /// that the check itself cannot overflow; returns the product.
    pub fn product_in(name: &str, xs: &[f64], lo: f64, hi: f64) -> Result<f64> {
        let ln: f64 = xs.iter().map(|x| x.ln()).sum();
        if ln.is_finite() && ln >= lo.ln() && ln <= hi.ln() {
            Ok(xs.iter().product())
        } else {
            Err(Error::param(
                name,
                format!("product e^{ln:.4}"),
                &format!("positive with a product in [{}, {}]", num(lo), num(hi)),
            ))
        }
    }

    /// `lo <= n <= hi` for integer sizes.
    pub fn count(name: &str, n: usize, lo: usize, hi: usize) -> Result<usize> {
        if n >= lo && n <= hi {
            Ok(n)
        } else {
            Err(Error::param(
                name,
                n,
                &format!("an integer in [{lo}, {hi}]"),
            ))
        }
    }
}
