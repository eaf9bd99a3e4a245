//! Helpers shared by the integration tests that run the real binary.

use std::process::Command;

/// Run `nnlimits` with `args`: (exit code, stdout, stderr).
pub fn nnlimits(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nnlimits"))
        .args(args)
        .output()
        .expect("run nnlimits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
