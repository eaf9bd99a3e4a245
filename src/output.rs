//! Output of every command, shared by the registry's generic commands and the CLI: outcomes (exit
//! codes), formats, destinations (atomic files or stdout), the spectrum writer, validation run options,
//! progress bars.

use crate::error::{check, Result};
use crate::model::SpectralModel;
use crate::plot::{Curve, Figure};
use crate::spectral::{SpectralDensity, DEFAULT_NODES};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What a command produced, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success (exit 0).
    Done,
    /// A validation ran and passed (exit 0).
    Passed,
    /// A validation ran and failed (exit 1).
    Failed,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Done | Outcome::Passed => 0,
            Outcome::Failed => 1,
        }
    }
    /// From a validation verdict.
    pub fn from_verdict(v: crate::validate::Verdict) -> Self {
        match v {
            crate::validate::Verdict::Pass => Outcome::Passed,
            crate::validate::Verdict::Fail => Outcome::Failed,
        }
    }
}

/// Output formats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// JSON (one document).
    Json,
    /// An aligned table for terminals.
    Table,
}

/// Output options shared by the `spectrum`, `law` and `saddle` commands.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv, global = true)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', global = true)]
    pub out: Option<PathBuf>,
    /// Also write an SVG plot to this file.
    #[arg(long, global = true)]
    pub plot: Option<PathBuf>,
}

impl OutputArgs {
    /// Fail early if an output path is not writable, or if `--out` and `--plot` name the same file.
    pub fn check_paths(&self) -> Result<()> {
        self.check_paths_against(&[])
    }

    /// [`check_paths`](Self::check_paths), and refuse an output that names one of the command's input
    /// files (`(flag, path)`).
    pub fn check_paths_against(&self, inputs: &[(&str, &Path)]) -> Result<()> {
        let mut outs: Vec<(&str, &Path)> = vec![];
        if let Some(p) = &self.out {
            outs.push(("--out", p));
        }
        if let Some(p) = &self.plot {
            outs.push(("--plot", p));
        }
        crate::io::check_distinct(&outs, inputs)?;
        for (_, p) in outs {
            if !crate::io::is_stdout(p) {
                crate::io::check_writable(p)?;
            }
        }
        Ok(())
    }

    /// Emit `text` to the output file (atomically) or stdout. CSV and table files written with `--out`
    /// start with a `# provenance: {...}` comment line (tool, version, exact command — which holds every
    /// parameter and seed); stdout stays plain so that pipes see the bare header.
    pub fn emit(&self, text: &str) -> Result<()> {
        match (&self.out, self.format) {
            (Some(p), OutputFormat::Csv | OutputFormat::Table) => {
                let prov = serde_json::to_string(&crate::io::Provenance::current())
                    .map_err(|e| crate::Error::Domain(e.to_string()))?;
                emit(Some(p), &format!("# provenance: {prov}\n{text}"))
            }
            (out, _) => emit(out.as_deref(), text),
        }
    }
}

thread_local! {
    static CAPTURE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` with everything it would print to stdout through [`emit`] captured into a string (per
/// thread). Used by `table` and `check` to run commands as library calls.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, String) {
    let prev = CAPTURE.with(|c| c.borrow_mut().replace(String::new()));
    let out = f();
    let text = CAPTURE.with(|c| {
        let mut b = c.borrow_mut();
        let t = b.take().unwrap_or_default();
        *b = prev;
        t
    });
    (out, text)
}

/// What a validation run hands to a host that runs it as a library call ([`capture_validation`]): the
/// report as JSON (whether or not `--report` was given) and, for spectral models, the pooled sampled
/// eigenvalues (sorted, after any declared outliers were removed).
#[derive(Debug, Clone, Default)]
pub struct ValidationCapture {
    /// The report (the document `--report` writes, with its provenance).
    pub report: Option<serde_json::Value>,
    /// The pooled sampled eigenvalues the checks compared with the theory.
    pub pooled: Option<Vec<f64>>,
}

thread_local! {
    static VALIDATION: std::cell::RefCell<Option<ValidationCapture>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f` (e.g. a `validate` command) keeping the report and pooled eigenvalues of the validation it
/// runs on this thread ([`ValidationCapture`]); the command's files and standard output are unchanged
/// (combine with [`capture`] for the latter). Used by the Python package.
pub fn capture_validation<T>(f: impl FnOnce() -> T) -> (T, ValidationCapture) {
    let prev = VALIDATION.with(|c| c.borrow_mut().replace(ValidationCapture::default()));
    let out = f();
    let got = VALIDATION.with(|c| {
        let mut b = c.borrow_mut();
        let t = b.take().unwrap_or_default();
        *b = prev;
        t
    });
    (out, got)
}

/// Keep the pooled sampled eigenvalues of a validation for an active [`capture_validation`] (a no-op,
/// with no copy, otherwise).
pub fn record_pooled(pooled: &[f64]) {
    VALIDATION.with(|c| {
        if let Some(v) = c.borrow_mut().as_mut() {
            v.pooled = Some(pooled.to_vec());
        }
    });
}

fn record_report(report: &crate::validate::Report) -> Result<()> {
    VALIDATION.with(|c| {
        if let Some(v) = c.borrow_mut().as_mut() {
            v.report = Some(
                serde_json::to_value(report).map_err(|e| crate::Error::Domain(e.to_string()))?,
            );
        }
        Ok(())
    })
}

/// Write `text` atomically to `path`, or to stdout when `path` is `None` (or into the active
/// [`capture`] buffer).
pub fn emit(path: Option<&Path>, text: &str) -> Result<()> {
    if path.is_none() {
        let captured = CAPTURE.with(|c| {
            if let Some(buf) = c.borrow_mut().as_mut() {
                buf.push_str(text);
                true
            } else {
                false
            }
        });
        if captured {
            return Ok(());
        }
    }
    match path {
        Some(p) => crate::io::write_output(p, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (e.g. `| head`) is not an error worth reporting
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

/// End of every `validate` command: write the report (JSON) and the plot (SVG) if asked, print the
/// summary, and turn the verdict into the outcome (exit code).
pub fn finish_validation(
    report: &crate::validate::Report,
    figure: Option<&crate::plot::Figure>,
    report_path: Option<&Path>,
    plot_path: Option<&Path>,
) -> Result<Outcome> {
    if let Some(p) = report_path {
        let mut s = serde_json::to_string_pretty(report)
            .map_err(|e| crate::Error::Domain(e.to_string()))?;
        s.push('\n');
        crate::io::write_output(p, s.as_bytes())?;
    }
    if let (Some(p), Some(f)) = (plot_path, figure) {
        f.write_with(p, &crate::plot::Render::for_report(report))?;
    }
    record_report(report)?;
    emit(None, &report.summary())?;
    Ok(Outcome::from_verdict(report.verdict))
}

/// A JSON document for output: pretty-printed, with a `provenance` record (tool, version, exact
/// command, time) added to top-level objects.
pub fn json_doc(mut v: serde_json::Value) -> Result<String> {
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "provenance".into(),
            serde_json::to_value(crate::io::Provenance::current())
                .map_err(|e| crate::Error::Domain(e.to_string()))?,
        );
    }
    let mut s =
        serde_json::to_string_pretty(&v).map_err(|e| crate::Error::Domain(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Render rows as CSV (header + rows). Values are formatted with full precision.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

/// Render rows as an aligned text table.
pub fn to_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            if k < w.len() {
                w[k] = w[k].max(c.len());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(k, c)| format!("{:>width$}", c, width = w[k.min(w.len() - 1)]))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut s = line(header.to_vec());
    s.push('\n');
    for r in rows {
        s.push_str(&line(r.iter().map(|c| c.as_str()).collect()));
        s.push('\n');
    }
    s
}

/// Format a float with 12 significant digits (enough to re-read exactly what matters, short enough to read).
pub fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.12e}")
            .parse::<f64>()
            .map(|v| v.to_string())
            .unwrap_or_else(|_| x.to_string())
    }
}

/// Parse a comma-separated list of floats (`--at 0.3,1.2,2.0`).
pub fn parse_list(s: &str) -> std::result::Result<Vec<f64>, String> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    s.split(',')
        .map(|t| {
            if t.trim().is_empty() {
                return Err(format!(
                    "empty item in `{s}` (two commas, or a comma at an end)"
                ));
            }
            t.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{t}` is not a number"))
                .and_then(|v| {
                    if v.is_finite() {
                        Ok(v)
                    } else {
                        Err(format!("`{t}` is not finite"))
                    }
                })
        })
        .collect()
}

/// A list of floats given as `a,b,c`.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatList(pub Vec<f64>);

/// clap parser for [`FloatList`].
pub fn parse_float_list(s: &str) -> std::result::Result<FloatList, String> {
    let v = parse_list(s)?;
    if v.is_empty() {
        return Err("empty list".into());
    }
    Ok(FloatList(v))
}

/// Where to evaluate a density.
#[derive(Debug, Clone, Args)]
pub struct GridArgs {
    /// Evaluate at these points (comma-separated) instead of a grid.
    #[arg(long, value_parser = parse_float_list, global = true, allow_hyphen_values = true)]
    pub at: Option<FloatList>,
    /// Number of grid points over the support.
    #[arg(long, default_value_t = 200, global = true)]
    pub points: usize,
}

/// The points at which a spectrum is reported: the user's, or a uniform interior grid over the support.
pub fn points(model: &dyn SpectralModel, grid: &GridArgs) -> Result<Vec<f64>> {
    if let Some(FloatList(v)) = &grid.at {
        return Ok(v.clone());
    }
    crate::spectral::interior_grid(&model.support()?, grid.points)
}

/// Compute and write a spectrum in the requested format (generic over models).
pub fn write_spectrum(
    model: &dyn SpectralModel,
    grid: &GridArgs,
    output: &OutputArgs,
    scale_note: &str,
    quiet: bool,
) -> Result<()> {
    // a nested law (deep networks, expressions) can take seconds to minutes: a spinner meanwhile
    let spinner = Spinner::start(quiet, &format!("solving the {} law", model.name()));
    let xs = points(model, grid)?;
    let (ys, stats) = model.density_diagnosed(&xs)?;
    let support = model.support()?;
    let law = SpectralDensity::from_model(model, DEFAULT_NODES)?;
    drop(spinner);
    let text = match output.format {
        OutputFormat::Csv | OutputFormat::Table => {
            let rows: Vec<Vec<String>> = xs
                .iter()
                .zip(&ys)
                .map(|(x, y)| vec![fmt(*x), fmt(*y)])
                .collect();
            if output.format == OutputFormat::Csv {
                to_csv(&["x", "density"], &rows)
            } else {
                let mut s = format!(
                    "# {} {}  support {:?}  atoms {:?}\n",
                    model.name(),
                    crate::validate::spectral::compact(&model.params()),
                    support.components,
                    support.atoms
                );
                s.push_str(&to_table(&["x", "density"], &rows));
                s
            }
        }
        OutputFormat::Json => {
            let moments_numeric: Vec<f64> = (1..=4).map(|k| law.moment(k)).collect();
            let v = serde_json::json!({
                "model": model.name(),
                "params": model.params(),
                "normalization": scale_note,
                "support": support.components,
                "atoms": support.atoms.iter().map(|a| serde_json::json!({"at": a.0, "mass": a.1})).collect::<Vec<_>>(),
                "moments": model.moments(),
                "moments_quadrature": moments_numeric,
                "total_mass_quadrature": law.mass(),
                "solver": stats,
                "points": xs.iter().zip(&ys).map(|(x, y)| serde_json::json!({"x": x, "density": y})).collect::<Vec<_>>(),
                "provenance": crate::io::Provenance::current(),
            });
            let mut s = serde_json::to_string_pretty(&v)
                .map_err(|e| crate::Error::Domain(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    if let Some(p) = &output.plot {
        let gx: Vec<f64> = points(
            model,
            &GridArgs {
                at: None,
                points: 600,
            },
        )?;
        let gy = model.density_many(&gx)?;
        Figure {
            title: format!(
                "{} {}",
                model.name(),
                crate::validate::spectral::compact(&model.params())
            ),
            x_label: scale_note.into(),
            y_label: "density".into(),
            histogram: None,
            curves: vec![Curve {
                label: "theory".into(),
                xs: gx,
                ys: gy,
            }],
            atoms: support.atoms.clone(),
        }
        .write(p)?;
    }
    output.emit(&text)
}

/// Options every validator shares (flattened into each model's validation arguments).
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Independent Monte Carlo draws.
    #[arg(long, default_value_t = 10)]
    pub samples: usize,
    /// Seed (draw i uses stream i of this seed; results do not depend on the thread count).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the plot (SVG) here.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Write the report (JSON) here.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

impl RunArgs {
    /// Fail early on unwritable outputs and bad counts.
    pub fn check(&self) -> Result<()> {
        check::count("samples", self.samples, 1, 1_000_000)?;
        let mut outs: Vec<(&str, &Path)> = vec![];
        if let Some(p) = &self.plot {
            outs.push(("--plot", p));
        }
        if let Some(p) = &self.report {
            outs.push(("--report", p));
        }
        crate::io::check_distinct(&outs, &[])?;
        for (_, p) in outs {
            if !crate::io::is_stdout(p) {
                crate::io::check_writable(p)?;
            }
        }
        Ok(())
    }

    /// Write report and plot, print the summary, return the outcome.
    pub fn finish(
        &self,
        report: &crate::validate::Report,
        figure: Option<&crate::plot::Figure>,
    ) -> Result<Outcome> {
        finish_validation(report, figure, self.report.as_deref(), self.plot.as_deref())
    }
}

/// A spinner on stderr with the elapsed time, for work of unknown length (solving a law), hidden when
/// quiet or when stderr is not a terminal; cleared when dropped, so the output that follows starts on
/// a clean line (also when the work ends in an error).
pub struct Spinner(indicatif::ProgressBar);

impl Spinner {
    /// Start a spinner showing `what`.
    pub fn start(quiet: bool, what: &str) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner(indicatif::ProgressBar::hidden());
        }
        let pb = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_message(what.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        Spinner(pb)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A progress bar on stderr, hidden when quiet or when stderr is not a terminal.
pub fn progress(len: u64, quiet: bool, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(len);
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else {
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what.to_string());
    }
    pb
}
