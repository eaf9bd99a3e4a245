//! SVG figures shared by every model: a histogram of samples with theoretical curves and atoms.
//!
//! Rendered with plotters' SVG backend (no system font or image library is needed; text is emitted as
//! SVG `<text>`). Written atomically through [`crate::io::write_atomic`].
//!
//! plotters' SVG backend writes integer pixel coordinates, which turned smooth curves into one-pixel
//! staircases. Figures are therefore drawn on a canvas [`SCALE`] times larger than their displayed
//! size (800 x 520) and the SVG's `width`/`height` set back to the displayed size with a `viewBox`:
//! coordinates are effectively quantised to 1/[`SCALE`] px. [`Render`] adds an optional caption
//! (sample size, draws, seed, verdict and distance, filled from a validation report) and a logarithmic
//! y axis.

use crate::error::{Error, Result};
use crate::validate::stats::Histogram;
use plotters::prelude::*;
use std::path::Path;

/// A curve `(x_k, y_k)` with a legend label.
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub xs: Vec<f64>,
    /// Ordinates.
    pub ys: Vec<f64>,
}

/// A figure: optional histogram, curves, atoms (drawn as vertical bars with their mass in the legend).
#[derive(Debug, Clone, Default)]
pub struct Figure {
    /// Title.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Histogram of the Monte Carlo samples.
    pub histogram: Option<Histogram>,
    /// Theoretical (or reference) curves.
    pub curves: Vec<Curve>,
    /// Atoms `(location, mass)`.
    pub atoms: Vec<(f64, f64)>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(200, 30, 30),
    RGBColor(30, 90, 200),
    RGBColor(20, 150, 60),
    RGBColor(150, 60, 170),
    RGBColor(230, 130, 0),
    RGBColor(0, 0, 0),
];

/// Displayed size of a figure in px.
pub const SIZE: (u32, u32) = (800, 520);

/// Supersampling factor of the drawing canvas (see the module docs).
pub const SCALE: u32 = 8;

/// Rendering options beyond the figure's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Render {
    /// Caption lines printed under the plot (e.g. `n = 400, 10 draws, seed 1`, `verdict: pass (KS
    /// 0.012 <= 0.031)`).
    pub caption: Vec<String>,
    /// Logarithmic y axis (densities spanning decades, tails). Non-positive values are left out.
    pub log_y: bool,
}

impl Render {
    /// The caption of a validation report: model and sample sizes, draws, seed, then the verdict with
    /// the KS distance (or the first distance check) against its tolerance.
    pub fn for_report(report: &crate::validate::report::Report) -> Self {
        use crate::validate::report::Verdict;
        let size = ["n", "size", "width", "N"]
            .iter()
            .find_map(|k| report.sampled.get(*k).map(|v| format!("{k} = {v}")))
            .unwrap_or_default();
        let mut first = vec![];
        if !size.is_empty() {
            first.push(size);
        }
        first.push(format!(
            "{} draw{}",
            report.samples,
            if report.samples == 1 { "" } else { "s" }
        ));
        first.push(format!("seed {}", report.seed));
        let verdict = match report.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
        };
        let passed = report.checks.iter().filter(|c| c.pass).count();
        let dist = report
            .checks
            .iter()
            .find(|c| c.name == "ks")
            .or_else(|| report.checks.iter().find(|c| c.std_error == 0.0))
            .map(|c| {
                format!(
                    ", {} distance {:.3e} (tolerance {:.3e})",
                    c.name, c.observed, c.tolerance
                )
            })
            .unwrap_or_default();
        Render {
            caption: vec![
                first.join(", "),
                format!(
                    "verdict: {verdict} ({passed}/{} checks){dist}",
                    report.checks.len()
                ),
            ],
            log_y: false,
        }
    }
}

impl Figure {
    /// Render to an SVG string.
    pub fn to_svg(&self) -> Result<String> {
        self.to_svg_with(&Render::default())
    }

    /// Render to an SVG string with options.
    pub fn to_svg_with(&self, opts: &Render) -> Result<String> {
        let mut buf = String::new();
        self.draw(&mut buf, opts)
            .map_err(|e| Error::Domain(format!("cannot render plot: {e}")))?;
        let (w, h) = (SIZE.0 * SCALE, self.height(opts) * SCALE);
        let big = format!("width=\"{w}\" height=\"{h}\"");
        let small = format!("width=\"{}\" height=\"{}\"", SIZE.0, self.height(opts));
        if !buf.contains(&big) {
            return Err(Error::Domain(
                "cannot render plot: unexpected SVG header".into(),
            ));
        }
        Ok(buf.replacen(&big, &small, 1))
    }

    /// Render and write atomically to `path`.
    pub fn write(&self, path: &Path) -> Result<()> {
        self.write_with(path, &Render::default())
    }

    /// Render with options and write atomically to `path` (`-`: standard output).
    pub fn write_with(&self, path: &Path, opts: &Render) -> Result<()> {
        let svg = self.to_svg_with(opts)?;
        crate::io::write_output(path, svg.as_bytes())
    }

    fn height(&self, opts: &Render) -> u32 {
        SIZE.1 + 18 * opts.caption.len() as u32
    }

    fn ranges(&self) -> (f64, f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let mut top: f64 = 0.0;
        if let Some(h) = &self.histogram {
            lo = lo.min(h.edges[0]);
            hi = hi.max(*h.edges.last().unwrap_or(&h.edges[0]));
            for d in &h.density {
                top = top.max(*d);
            }
        }
        for c in &self.curves {
            for (&x, &y) in c.xs.iter().zip(&c.ys) {
                if x.is_finite() && y.is_finite() {
                    lo = lo.min(x);
                    hi = hi.max(x);
                    top = top.max(y);
                }
            }
        }
        for &(x, _) in &self.atoms {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if !lo.is_finite() || !hi.is_finite() {
            lo = 0.0;
            hi = 1.0;
        }
        if hi <= lo {
            hi = lo + 1.0;
        }
        let pad = 0.03 * (hi - lo);
        if top <= 0.0 || !top.is_finite() {
            top = 1.0;
        }
        (lo - pad, hi + pad, top * 1.12)
    }

    fn draw(
        &self,
        buf: &mut String,
        opts: &Render,
    ) -> std::result::Result<(), Box<dyn std::error::Error + '_>> {
        let (lo, hi, top) = self.ranges();
        let k = SCALE as i32;
        let kf = SCALE as f64;
        let px = |v: u32| v * SCALE;
        // log axis: from a decade below the smallest positive value shown (at most 1e-6 of the top)
        let floor = if opts.log_y {
            let mut m = f64::INFINITY;
            for c in &self.curves {
                for &y in &c.ys {
                    if y > 0.0 && y.is_finite() {
                        m = m.min(y);
                    }
                }
            }
            if let Some(h) = &self.histogram {
                for &d in &h.density {
                    if d > 0.0 {
                        m = m.min(d);
                    }
                }
            }
            (m / 10.0).max(top * 1e-6).min(top / 10.0)
        } else {
            0.0
        };
        {
            let height = self.height(opts);
            let root = SVGBackend::with_string(buf, (px(SIZE.0), px(height))).into_drawing_area();
            root.fill(&WHITE)?;
            let (plot_area, caption_area) = root.split_vertically(px(SIZE.1));
            for (i, line) in opts.caption.iter().enumerate() {
                caption_area.draw(&Text::new(
                    line.clone(),
                    (14 * k, (i as i32 * 18 + 2) * k),
                    ("sans-serif", 13.0 * kf).into_font().color(&BLACK),
                ))?;
            }
            let (title, size) = fit_caption(&self.title);
            let mut builder = ChartBuilder::on(&plot_area);
            builder
                .caption(&title, ("sans-serif", size as f64 * kf))
                .margin(px(12))
                .x_label_area_size(px(40))
                .y_label_area_size(px(60));
            let label_font = ("sans-serif", 12.0 * kf);
            let desc_font = ("sans-serif", 14.0 * kf);
            let fill = RGBColor(160, 160, 160).mix(0.5).filled();
            let legend_font = ("sans-serif", 12.0 * kf);
            macro_rules! body {
                ($chart:expr, $ybase:expr, $yclip:expr) => {{
                    let chart = $chart;
                    chart
                        .configure_mesh()
                        .x_desc(&self.x_label)
                        .y_desc(&self.y_label)
                        .label_style(label_font)
                        .axis_desc_style(desc_font)
                        .light_line_style(WHITE)
                        .bold_line_style(RGBColor(225, 225, 225).stroke_width(SCALE))
                        .axis_style(BLACK.stroke_width(SCALE))
                        .set_all_tick_mark_size(4 * k)
                        .draw()?;
                    if let Some(h) = &self.histogram {
                        chart
                            .draw_series(h.edges.windows(2).zip(&h.density).filter_map(
                                |(e, &d)| {
                                    let d = $yclip(d)?;
                                    Some(Rectangle::new([(e[0], $ybase), (e[1], d)], fill))
                                },
                            ))?
                            .label(format!("Monte Carlo ({} values)", h.total))
                            .legend(move |(x, y)| {
                                Rectangle::new(
                                    [(x, y - 5 * k), (x + 15 * k, y + 5 * k)],
                                    RGBColor(160, 160, 160).filled(),
                                )
                            });
                    }
                    for (i, c) in self.curves.iter().enumerate() {
                        let col = COLORS[i % COLORS.len()];
                        // a curve is broken where it leaves the axis range (log axis: y <= 0)
                        let mut segments: Vec<Vec<(f64, f64)>> = vec![vec![]];
                        for (&x, &y) in c.xs.iter().zip(&c.ys) {
                            match (x.is_finite() && y.is_finite())
                                .then(|| $yclip(y))
                                .flatten()
                            {
                                Some(y) => segments.last_mut().expect("one segment").push((x, y)),
                                None => {
                                    if !segments.last().expect("one segment").is_empty() {
                                        segments.push(vec![]);
                                    }
                                }
                            }
                        }
                        let style = col.stroke_width(2 * SCALE);
                        let mut labelled = false;
                        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
                            let series = chart.draw_series(LineSeries::new(seg, style))?;
                            if !labelled {
                                series.label(c.label.clone()).legend(move |(x, y)| {
                                    PathElement::new([(x, y), (x + 15 * k, y)], style)
                                });
                                labelled = true;
                            }
                        }
                    }
                    for &(x, m) in &self.atoms {
                        let style = RGBColor(0, 0, 0).stroke_width(3 * SCALE);
                        let ytop = $yclip(top * 0.95).unwrap_or(top);
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                [(x, $ybase), (x, ytop)],
                                style,
                            )))?
                            .label(format!("atom at {x:.4}, mass {m:.4}"))
                            .legend(move |(x, y)| {
                                PathElement::new([(x, y - 5 * k), (x, y + 5 * k)], style)
                            });
                    }
                    chart
                        .configure_series_labels()
                        .label_font(legend_font)
                        .legend_area_size(20 * k)
                        .margin(8 * k)
                        .background_style(WHITE.mix(0.85))
                        .border_style(BLACK.stroke_width(SCALE))
                        .position(SeriesLabelPosition::UpperRight)
                        .draw()?;
                }};
            }
            if opts.log_y {
                let mut chart = builder.build_cartesian_2d(lo..hi, (floor..top).log_scale())?;
                body!(&mut chart, floor, |y: f64| (y > 0.0)
                    .then(|| y.clamp(floor, top)));
            } else {
                let mut chart = builder.build_cartesian_2d(lo..hi, 0.0..top)?;
                body!(&mut chart, 0.0, |y: f64| Some(y.min(top)));
            }
            root.present()?;
        }
        Ok(())
    }
}

/// Title text and font size that fit the 800 px figure: 20 px up to ~70 characters, shrunk in
/// proportion down to 11 px, and beyond that truncated with an ellipsis (long validator titles carry
/// every parameter and used to run off the image; the full parameters are in the JSON report).
#[doc(hidden)]
pub fn fit_caption(title: &str) -> (String, u32) {
    const FULL: usize = 70; // characters that fit at 20 px (average glyph ~0.55 em)
    let n = title.chars().count();
    if n <= FULL {
        return (title.to_string(), 20);
    }
    let size = (20 * FULL / n).max(11) as u32;
    let fits = FULL * 20 / size as usize;
    if n <= fits {
        (title.to_string(), size)
    } else {
        let cut: String = title.chars().take(fits.saturating_sub(1)).collect();
        (format!("{cut}…"), size)
    }
}
