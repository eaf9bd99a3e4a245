//! `nnlimits._native`: the Python extension of nnlimits.
//!
//! A call from Python is a command line run as a library call, so that its numbers are the CLI's by
//! construction: `(verb, model, params)` becomes the argument vector `nnlimits <verb> <model> --flag=value
//! ... [--format json]` ([`command`]), which the library's own parser reads (`cli::parse`, the same clap
//! commands the registry builds for the executable) and its own dispatcher runs (`cli::dispatch`), with
//! standard output captured (`output::capture`), the validation report and pooled eigenvalues kept
//! (`output::capture_validation`) and the provenance recording that command line
//! (`io::Provenance::scoped`). The pure-Python package `nnlimits` turns the JSON into dictionaries and
//! NumPy arrays.
//!
//! The command runs on a worker thread while the calling thread waits without the GIL, polling for
//! signals every 50 ms: Ctrl-C asks the library to stop (`cancel::request`; the validator's draws and
//! the density grids check it) and raises `KeyboardInterrupt` once the worker has stopped; a second
//! Ctrl-C returns at once and leaves the worker to finish in the background.
//!
//! The module is written without PyO3's procedural macros (`#[pymodule]`, `#[pyfunction]`): they switch
//! on features of `syn` that the root crate's build does not use, which would rebuild `serde_derive`
//! and, through `serde`, most of the dependency tree instead of reusing the root's compiled
//! dependencies from a shared `CARGO_TARGET_DIR`. The functions are closures ([`PyCFunction`]) added to
//! a module created from a static module definition in [`PyInit__native`].

use nnlimits::{cancel, cli, io::Provenance, output, registry, Error};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

pyo3::create_exception!(
    nnlimits,
    ConvergenceError,
    PyRuntimeError,
    "A solver did not converge; `.iterations`, `.residual`, `.tolerance` and `.what` say how far it got."
);

/// A parameter value from Python: `True`/`False` (a flag), or the word the command line would carry.
#[derive(Debug, Clone)]
enum Value {
    Flag(bool),
    Word(String),
}

/// Verbs whose output is a JSON document with `--format json`.
const JSON_VERBS: [&str; 3] = ["spectrum", "law", "saddle"];

/// Options the package sets itself (the output goes back to Python, not to a file).
const RESERVED: [&str; 2] = ["format", "out"];

/// The command line of `(verb, model, params)`: `nnlimits <verb> <model> --name=value ...`, names with
/// underscores spelled with dashes, `True` as a bare flag (`False` omits it), a positional parameter of
/// the model (e.g. the expression of `expr`) after `--`, and `--format json` for spectrum, law and saddle.
fn command(verb: &str, model: Option<&str>, params: &[(String, Value)]) -> PyResult<Vec<String>> {
    let mut words = vec!["nnlimits".to_string(), verb.to_string()];
    let mut positional = vec![];
    let cmd = match (model, registry::Verb::ALL.iter().find(|v| v.name() == verb)) {
        (Some(m), Some(v)) => registry::find(m).ok().and_then(|e| e.command(*v)),
        _ => None,
    };
    if let Some(m) = model {
        words.push(m.to_string());
    }
    for (key, value) in params {
        let flag = key.replace('_', "-");
        if JSON_VERBS.contains(&verb) && RESERVED.contains(&flag.as_str()) {
            return Err(PyValueError::new_err(format!(
                "invalid parameter `{key}`: the Python package sets --{flag} itself (its result is returned)"
            )));
        }
        let arg = cmd.as_ref().and_then(|c| {
            c.get_arguments().find(|a| {
                a.get_long() == Some(flag.as_str())
                    || (a.is_positional()
                        && [key.as_str(), flag.as_str()].contains(&a.get_id().as_str()))
            })
        });
        let is_switch = arg.is_some_and(|a| matches!(a.get_action(), clap::ArgAction::SetTrue));
        match value {
            Value::Flag(true) if is_switch => words.push(format!("--{flag}")),
            Value::Flag(false) if is_switch => {}
            Value::Flag(b) => words.push(format!("--{flag}={b}")),
            Value::Word(w) if arg.is_some_and(|a| a.is_positional()) => positional.push(w.clone()),
            Value::Word(w) => words.push(format!("--{flag}={w}")),
        }
    }
    if JSON_VERBS.contains(&verb) || verb == "models" {
        words.extend(["--format".to_string(), "json".to_string()]);
    }
    if !positional.is_empty() {
        words.push("--".into());
        words.extend(positional);
    }
    Ok(words)
}

/// The one-line message of a parse error, as the CLI prints it (without `error: `).
fn clap_message(e: &clap::Error) -> String {
    let text = e.to_string();
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string()
}

/// The Python exception of a library error: `ConvergenceError` for a solver that did not converge,
/// `KeyboardInterrupt` for an interrupted run, `OSError` for files, `ValueError` otherwise (bad
/// parameters, bad data, a law not defined for valid parameters, a memory budget exceeded).
fn py_error(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::NotConverged {
            what,
            iterations,
            residual,
            tolerance,
        } => {
            let err = ConvergenceError::new_err(msg);
            let v = err.value(py);
            let set = [
                v.setattr("what", what),
                v.setattr("iterations", iterations),
                v.setattr("residual", residual),
                v.setattr("tolerance", tolerance),
            ];
            match set.into_iter().find_map(Result::err) {
                Some(e) => e,
                None => err,
            }
        }
        Error::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
        Error::Io { .. } => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// Wait for the worker's result without the GIL, polling for signals every 50 ms.
fn wait<T: Send + 'static>(py: Python<'_>, mut rx: Receiver<T>) -> PyResult<T> {
    loop {
        let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
        rx = back;
        match got {
            Ok(v) => return Ok(v),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "nnlimits worker ended without a result",
                ))
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    // ask the computation to stop and wait for it (a second signal abandons it)
                    cancel::request();
                    loop {
                        let (got, back) =
                            py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
                        rx = back;
                        match got {
                            Err(RecvTimeoutError::Timeout) if py.check_signals().is_ok() => {}
                            _ => break,
                        }
                    }
                    cancel::reset();
                    return Err(interrupt);
                }
            }
        }
    }
}

/// Run `job` on a worker thread (64 MiB stack) and wait for it (see [`wait`]).
fn run_blocking<T: Send + 'static>(
    py: Python<'_>,
    job: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    cancel::reset();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("nnlimits".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            let _ = tx.send(r);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a worker thread: {e}")))?;
    match wait(py, rx)? {
        Ok(v) => Ok(v),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(PyRuntimeError::new_err(format!(
                "internal error in nnlimits: {what}"
            )))
        }
    }
}

/// What a command produced: exit code (0 done or pass, 1 validation failed), standard output, the
/// validation report as JSON text and the pooled sampled eigenvalues (validations of spectral models).
type RunOutput = (u8, String, Option<String>, Option<Vec<f64>>);

/// A call's `(verb, model, params)`.
type CallArgs = (String, Option<String>, Vec<(String, Value)>);

/// The arguments `(verb, model, params)` of `run` and `command`: `model` a string or `None`, `params`
/// a sequence of `(name, value)` pairs with `value` a `bool` or a `str`.
fn call_args(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<CallArgs> {
    if args.len() != 3 || kwargs.is_some_and(|k| !k.is_empty()) {
        return Err(PyTypeError::new_err(
            "expected three positional arguments: verb, model, params",
        ));
    }
    let verb: String = args.get_item(0)?.extract()?;
    let model = args.get_item(1)?;
    let model: Option<String> = if model.is_none() {
        None
    } else {
        Some(model.extract()?)
    };
    let mut params = vec![];
    for item in args.get_item(2)?.try_iter()? {
        let item = item?;
        let (name, value): (String, Bound<'_, PyAny>) = item.extract()?;
        let value = match value.extract::<bool>() {
            Ok(b) => Value::Flag(b),
            Err(_) => Value::Word(value.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!("parameter `{name}`: expected a bool or a str"))
            })?),
        };
        params.push((name, value));
    }
    Ok((verb, model, params))
}

/// `command(verb, model, params) -> list[str]`: the command line that `run` executes.
fn py_command(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let (verb, model, params) = call_args(args, kwargs)?;
    let words = command(&verb, model.as_deref(), &params)?;
    Ok(words.into_pyobject(args.py())?.into_any().unbind())
}

/// `run(verb, model, params) -> (exit_code, stdout, report_json, pooled_eigenvalues)`.
fn py_run(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Py<PyAny>> {
    let py = args.py();
    let (verb, model, params) = call_args(args, kwargs)?;
    let out = run(py, &verb, model.as_deref(), &params)?;
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// Run `nnlimits <verb> <model> <params>` as a library call; returns `(exit_code, stdout, report_json,
/// pooled_eigenvalues)`. Raises `ValueError` (bad parameters, with the CLI's message),
/// `ConvergenceError`, `OSError` or `KeyboardInterrupt`.
fn run(
    py: Python<'_>,
    verb: &str,
    model: Option<&str>,
    params: &[(String, Value)],
) -> PyResult<RunOutput> {
    let words = command(verb, model, params)?;
    let mut parsed =
        cli::parse(words.clone()).map_err(|e| PyValueError::new_err(clap_message(&e)))?;
    parsed.quiet = true;
    let result = run_blocking(py, move || {
        Provenance::scoped(&words, || {
            output::capture_validation(|| output::capture(|| cli::dispatch(&parsed)))
        })
    })?;
    let ((outcome, stdout), captured) = result;
    let outcome = outcome.map_err(|e| py_error(py, e))?;
    let report = captured
        .report
        .map(|r| serde_json::to_string(&r))
        .transpose()
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok((outcome.code(), stdout, report, captured.pooled))
}

/// The module's functions and exception.
fn init(module: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = module.py();
    let run = PyCFunction::new_closure(
        py,
        Some(c"run"),
        Some(c"run(verb, model, params) -> (exit_code, stdout, report_json, pooled_eigenvalues): run `nnlimits <verb> <model> <params>` in this process."),
        py_run,
    )?;
    module.setattr("run", run)?;
    let cmd = PyCFunction::new_closure(
        py,
        Some(c"command"),
        Some(c"command(verb, model, params) -> list[str]: the command line that run() executes."),
        py_command,
    )?;
    module.setattr("command", cmd)?;
    let version = PyCFunction::new_closure(
        py,
        Some(c"version"),
        Some(c"version() -> str: the library's version."),
        |_: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<String> {
            Ok(env!("CARGO_PKG_VERSION").to_string())
        },
    )?;
    module.setattr("version", version)?;
    module.setattr("ConvergenceError", py.get_type::<ConvergenceError>())?;
    Ok(())
}

static mut MODULE_DEF: ffi::PyModuleDef = ffi::PyModuleDef {
    m_base: ffi::PyModuleDef_HEAD_INIT,
    m_name: c"nnlimits._native".as_ptr(),
    m_doc: c"The native part of the nnlimits Python package (runs nnlimits commands in-process)."
        .as_ptr(),
    m_size: -1,
    m_methods: std::ptr::null_mut(),
    m_slots: std::ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

/// The module's initialisation function, called by the interpreter on `import nnlimits._native`
/// (single-phase initialisation).
///
/// # Safety
/// Called by the Python interpreter, with the GIL held, once per process.
#[no_mangle]
pub unsafe extern "C" fn PyInit__native() -> *mut ffi::PyObject {
    // SAFETY: the definition is static and only handed to the interpreter, which owns it from now on
    let m = unsafe { ffi::PyModule_Create(&raw mut MODULE_DEF) };
    if m.is_null() {
        return m;
    }
    Python::attach(|py| {
        // SAFETY: `m` is a new reference to a module object
        let module = unsafe { Bound::from_owned_ptr(py, m) };
        match init(&module) {
            Ok(()) => module.into_ptr(),
            Err(e) => {
                e.restore(py);
                std::ptr::null_mut()
            }
        }
    })
}
