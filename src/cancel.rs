//! Cooperative cancellation of long computations (used by the Python package's Ctrl-C handling).
//!
//! A host that runs the library on a worker thread (the Python extension, which waits for the result
//! while polling for Ctrl-C) calls [`request`] to ask every running computation of the process to stop;
//! the generic loops (Monte Carlo draws of the spectral validator, points of a density grid, the
//! continuation solver's grids) call [`check`] between units of work and then return the typed
//! [`Error::Interrupted`]. The command-line program never requests cancellation (the operating
//! system ends it on Ctrl-C), so for it every check is one relaxed atomic load.
//!
//! The flag is process-wide (a request stops every computation in flight); it is exercised end to end
//! by the Python package's tests (a Ctrl-C sent to a running validation), not by the crate's unit
//! tests, which run in parallel threads of one process and would see each other's requests.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Ask the running computations to stop at their next [`check`].
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Withdraw a request (before starting a new computation).
pub fn reset() {
    REQUESTED.store(false, Ordering::SeqCst);
}

/// Whether a stop has been requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// `Err(Error::Interrupted)` if a stop has been requested, `Ok(())` otherwise.
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
