//! The `nnlimits` binary: see `nnlimits --help`.
fn main() -> std::process::ExitCode {
    nnlimits::cli::run_from(std::env::args_os())
}
