use nnlimits::validate::stats::Histogram;
#[test]
fn long_captions_shrink_then_truncate() {
    assert_eq!(
        nnlimits::plot::fit_caption("short"),
        ("short".to_string(), 20)
    );
    let (t, size) = nnlimits::plot::fit_caption(&"x".repeat(100));
    assert_eq!((t.chars().count(), size), (100, 14));
    let (t, size) = nnlimits::plot::fit_caption(&"y".repeat(400));
    assert_eq!(size, 11);
    assert!(
        t.ends_with('…') && t.chars().count() == 127,
        "{}",
        t.chars().count()
    );
}

use nnlimits::plot::*;

#[test]
fn renders_svg() {
    let xs: Vec<f64> = (0..50).map(|i| i as f64 / 49.0).collect();
    let fig = Figure {
        title: "test".into(),
        x_label: "x".into(),
        y_label: "density".into(),
        histogram: Some(Histogram::new(&xs, 0.0, 1.0, 10)),
        curves: vec![Curve {
            label: "theory".into(),
            xs: xs.clone(),
            ys: xs.iter().map(|_| 1.0).collect(),
        }],
        atoms: vec![(0.0, 0.5)],
    };
    let svg = fig.to_svg().unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("theory"));
    assert!(
        svg.contains("width=\"800\" height=\"520\""),
        "{}",
        &svg[..200]
    );
    assert!(svg.contains(&format!("viewBox=\"0 0 {} {}\"", 800 * SCALE, 520 * SCALE)));
    let opts = Render {
        caption: vec!["n = 400, 10 draws, seed 1".into(), "verdict: pass".into()],
        log_y: true,
    };
    let svg = fig.to_svg_with(&opts).unwrap();
    assert!(svg.contains("width=\"800\" height=\"556\"") && svg.contains("verdict: pass"));
}

/// The staircase: a smooth curve used to be drawn with integer pixel coordinates, so a shallow
/// line across 800 px had at most one distinct y per pixel row. At SCALE times the resolution a
/// parabola gets many more distinct vertex positions than the displayed pixel rows it spans.
#[test]
fn curves_are_not_pixel_staircases() {
    let xs: Vec<f64> = (0..=600).map(|i| i as f64 / 600.0).collect();
    let fig = Figure {
        title: "t".into(),
        curves: vec![Curve {
            label: "c".into(),
            xs: xs.clone(),
            ys: xs.iter().map(|x| 1.0 + 0.05 * x * x).collect(),
        }],
        ..Default::default()
    };
    let svg = fig.to_svg().unwrap();
    // the curve is the longest polyline (the legend sample is a two-point one)
    let pts = svg
        .split("<polyline")
        .skip(1)
        .map(|l| {
            l.split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .max_by_key(|p| p.len())
        .expect("a polyline");
    let ys: std::collections::BTreeSet<i64> = pts
        .split_whitespace()
        .map(|p| p.split(',').nth(1).unwrap().parse::<f64>().unwrap() as i64)
        .collect();
    // the curve rises by ~4% of the plot height (~18 displayed px): more than 18 distinct levels
    assert!(ys.len() > 60, "{} distinct y levels", ys.len());
}
