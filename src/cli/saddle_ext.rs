//! Extensions of `nnlimits saddle` (multi-output F27/F28 with optional exact F21, two-parameter F34) and
//! the finite-size sweep of the Bayesian DLN validator (`validate dln-bayes --widths ...`).

use super::saddle::{
    dln, load_data, nonlinear, pred_json, SaddleArgs, SaddleModel, ValidateBayesArgs,
};
use crate::error::{Error, Result};
use crate::models::bayes::data::Dataset;
use crate::models::bayes::exact_multi::exact_multi;
use crate::models::bayes::gp::EigenGram;
use crate::models::bayes::multi::{MultiOutputDln, MultiPrediction};
use crate::models::bayes::nonodd::NonOddOneHidden;
use crate::output::{fmt, to_csv, to_table, Outcome, OutputFormat};

fn emit_json_or_rows(
    args: &SaddleArgs,
    j: serde_json::Value,
    rows: Vec<Vec<String>>,
) -> Result<Outcome> {
    let text = match args.output.format {
        OutputFormat::Json => crate::output::json_doc(j)?,
        OutputFormat::Csv => to_csv(&["quantity", "value"], &rows),
        OutputFormat::Table => to_table(&["quantity", "value"], &rows),
    };
    args.output.emit(&text)?;
    Ok(Outcome::Done)
}

fn multi_json(p: &MultiPrediction) -> serde_json::Value {
    serde_json::json!({"mean": p.mean, "cov": p.cov, "bias2": p.bias2, "variance": p.variance, "eps_g": p.eps_g})
}

fn multi_rows(rows: &mut Vec<Vec<String>>, p: &MultiPrediction, prefix: &str) {
    rows.push(vec![format!("{prefix}eps_g"), fmt(p.eps_g)]);
    rows.push(vec![format!("{prefix}bias2"), fmt(p.bias2)]);
    rows.push(vec![format!("{prefix}variance"), fmt(p.variance)]);
    for (t, (m, c)) in p.mean.iter().zip(&p.cov).enumerate() {
        for (a, v) in m.iter().enumerate() {
            rows.push(vec![format!("{prefix}mean[{t}][{a}]"), fmt(*v)]);
        }
        for (a, r) in c.iter().enumerate() {
            for (b, v) in r.iter().enumerate().skip(a) {
                rows.push(vec![format!("{prefix}cov[{t}][{a}][{b}]"), fmt(*v)]);
            }
        }
    }
}

/// Multi-output saddle (F27/F28; `1hl` with depth 1 uses F27 with the NNGP kernel `K`).
pub fn run_saddle_multi(
    args: &SaddleArgs,
    ds: &Dataset,
    gram: &crate::models::bayes::Gram,
) -> Result<Outcome> {
    let net = &args.net;
    crate::error::check::count("depth", net.depth, 1, 1000)?;
    let (eg, model_name) = match args.model {
        SaddleModel::Dln => (EigenGram::new(gram)?, "dln"),
        SaddleModel::OneHl => {
            if net.depth != 1 {
                return Err(Error::param(
                    "depth",
                    net.depth,
                    "1 for the multi-output nonlinear action (F27 with K)",
                ));
            }
            (EigenGram::new(&net.activation.map_gram(gram, 1.0)?)?, "1hl")
        }
    };
    let lambda = net.sigma.powi(net.depth as i32);
    let m = MultiOutputDln::new(net.width, net.depth, lambda, net.temperature)?;
    let s = m.saddle(&eg)?;
    let nngp = m.nngp(&eg);
    let exact = if args.exact && args.model == SaddleModel::Dln {
        Some(exact_multi(
            &eg,
            &vec![net.width; net.depth],
            lambda,
            net.temperature,
            args.exact_draws,
            args.seed,
        )?)
    } else {
        None
    };
    let j = serde_json::json!({
        "model": model_name, "formula": if net.depth > 1 { "F28" } else { "F27" },
        "data": net.data, "P": ds.p(), "N0": ds.n0(), "D": ds.d(), "width": net.width, "depth": net.depth,
        "temperature": net.temperature, "activation": net.activation, "alpha": ds.p() as f64 / net.width as f64,
        "order_parameters": s.q, "q_layer": s.q_layer, "lambda": lambda, "action": s.action, "residual": s.residual,
        "iterations": s.iterations, "prediction": multi_json(&s.prediction), "nngp": multi_json(&nngp),
        "exact": exact,
    });
    let mut rows: Vec<Vec<String>> = vec![];
    for (a, r) in s.q.iter().enumerate() {
        for (b, v) in r.iter().enumerate().skip(a) {
            rows.push(vec![format!("Q[{a}][{b}]"), fmt(*v)]);
        }
    }
    rows.push(vec!["action".into(), fmt(s.action)]);
    rows.push(vec!["residual".into(), fmt(s.residual)]);
    multi_rows(&mut rows, &s.prediction, "");
    rows.push(vec!["eps_g_nngp".into(), fmt(nngp.eps_g)]);
    if let Some(ex) = &exact {
        rows.push(vec!["exact_eps_g".into(), fmt(ex.eps_g)]);
        rows.push(vec!["exact_ess".into(), fmt(ex.ess)]);
        for (t, m) in ex.mean.iter().enumerate() {
            for (a, e) in m.iter().enumerate() {
                rows.push(vec![
                    format!("exact_mean[{t}][{a}]"),
                    format!("{} +- {}", fmt(e.value), fmt(e.se)),
                ]);
            }
        }
    }
    emit_json_or_rows(args, j, rows)
}

/// F34 two-parameter action (`1hl --two-parameter`).
pub fn run_saddle_two_parameter(
    args: &SaddleArgs,
    ds: &Dataset,
    gram: &crate::models::bayes::Gram,
) -> Result<Outcome> {
    let net = &args.net;
    if net.depth != 1 {
        return Err(Error::param(
            "depth",
            net.depth,
            "1 for the two-parameter action F34",
        ));
    }
    let m = NonOddOneHidden::new(net.activation, net.width, net.sigma, net.temperature)?;
    let s = m.saddle(gram)?;
    let nngp = nonlinear(net)?.nngp(gram)?;
    let j = serde_json::json!({
        "model": "1hl", "formula": "F34", "data": net.data, "P": ds.p(), "N0": ds.n0(), "width": net.width,
        "temperature": net.temperature, "activation": net.activation, "alpha": ds.p() as f64 / net.width as f64,
        "qbar": s.qbar, "q": s.q, "action": s.action, "residual": s.residual, "iterations": s.iterations,
        "prediction": pred_json(&s.prediction), "nngp": pred_json(&nngp),
    });
    let mut rows = vec![
        vec!["Qbar".into(), fmt(s.qbar)],
        vec!["Q".into(), fmt(s.q)],
        vec!["action".into(), fmt(s.action)],
        vec!["residual".into(), fmt(s.residual)],
        vec!["eps_g".into(), fmt(s.prediction.eps_g)],
        vec!["bias2".into(), fmt(s.prediction.bias2)],
        vec!["variance".into(), fmt(s.prediction.variance)],
        vec!["eps_g_nngp".into(), fmt(nngp.eps_g)],
    ];
    for (t, (mm, v)) in s.prediction.mean.iter().zip(&s.prediction.var).enumerate() {
        rows.push(vec![format!("mean[{t}]"), fmt(*mm)]);
        rows.push(vec![format!("var[{t}]"), fmt(*v)]);
    }
    emit_json_or_rows(args, j, rows)
}

/// `validate dln-bayes --widths N1,N2,...`: the finite-size trend measured with the *sampler*. For each
/// width, exact Gibbs sampling of the real network (single output) gives `eps_g` with an ESS-based
/// standard error; the table compares it with the exact finite-width posterior F17, the saddle point
/// F25 and the NNGP, and prints `N x (eps_g saddle - eps_g Gibbs)`, which is constant if the saddle-point
/// error is `O(1/N)`. Checks per width: Gibbs vs F17 (no bias) and Gibbs vs saddle with the declared
/// finite-size bias `0.5/N` (dln.md §5).
pub fn run_dln_width_sweep(args: &ValidateBayesArgs, widths: &str) -> Result<Outcome> {
    use crate::models::bayes::exact::exact_posterior;
    use crate::models::bayes::gibbs::{run_chains, DlnGibbs};
    use crate::models::bayes::posterior::combine;
    use crate::validate::report::Z_MAX;
    use crate::validate::{Check, Report};
    for p in [&args.plot, &args.report].into_iter().flatten() {
        crate::io::check_writable(p)?;
    }
    let ws: Vec<usize> = widths
        .split(',')
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| Error::param("widths", widths, "a comma list of integers >= 1"))
        })
        .collect::<Result<_>>()?;
    if ws.len() < 3 {
        return Err(Error::param("widths", widths, "at least three widths"));
    }
    let net = &args.net;
    let ds = load_data(&net.data)?;
    if ds.d() != 1 {
        return Err(Error::Domain(
            "the width sweep validates the single-output theory; use D = 1 data".into(),
        ));
    }
    let eg = EigenGram::new(&ds.gram(net.sigma0)?)?;
    let mut rows = vec![];
    let mut checks = vec![];
    let mut json_rows = vec![];
    let (mut xs, mut gap_s, mut gap_n) = (vec![], vec![], vec![]);
    for (k, &n) in ws.iter().enumerate() {
        let mut a = net.clone();
        a.width = n;
        let m = dln(&a)?;
        let sp = m.saddle(&eg)?;
        let ng = m.nngp(&eg)?;
        let ex = exact_posterior(&m, &eg)?;
        let g = DlnGibbs::new(m, ds.clone(), net.sigma0, args.samples, args.burn_in)?;
        let seed = crate::rng::splitmix64(&mut (args.seed.wrapping_add(k as u64)));
        let mc = combine(&run_chains(&g, args.chains, seed)?, &eg.y0);
        let e = mc.eps_g;
        let nf = n as f64;
        checks.push(Check::statistical(
            &format!("N = {n}: eps_g Gibbs vs exact F17"),
            ex.prediction.eps_g,
            e.value,
            e.se,
            Z_MAX,
            0.0,
        ));
        checks.push(Check::statistical(
            &format!("N = {n}: eps_g Gibbs vs saddle F25 (bias 0.5/N)"),
            sp.prediction.eps_g,
            e.value,
            e.se,
            Z_MAX,
            0.5 / nf,
        ));
        let gs = sp.prediction.eps_g - e.value;
        let gn = ng.eps_g - e.value;
        xs.push(1.0 / nf);
        gap_s.push(gs.abs());
        gap_n.push(gn.abs());
        rows.push(vec![
            n.to_string(),
            fmt(ds.p() as f64 / nf),
            format!("{:.6} +- {:.6}", e.value, e.se),
            format!("{:.6}", ex.prediction.eps_g),
            format!("{:.6}", sp.prediction.eps_g),
            format!("{:.6}", ng.eps_g),
            format!("{:.4} +- {:.4}", nf * gs, nf * e.se),
            format!("{:.4} +- {:.4}", nf * gn, nf * e.se),
            format!("{:.0}", mc.ess_min),
        ]);
        json_rows.push(serde_json::json!({
            "width": n, "alpha": ds.p() as f64 / nf, "eps_g_gibbs": e, "eps_g_exact": ex.prediction.eps_g,
            "eps_g_saddle": sp.prediction.eps_g, "eps_g_nngp": ng.eps_g, "q_saddle": sp.root.q,
            "mean_q_exact": ex.mean_q, "mean_q_gibbs": mc.q, "ess_min": mc.ess_min, "seed": seed,
        }));
    }
    let header = [
        "N",
        "alpha",
        "eps_g Gibbs",
        "eps_g exact F17",
        "eps_g saddle",
        "eps_g NNGP",
        "N x (saddle - Gibbs)",
        "N x (NNGP - Gibbs)",
        "min ESS",
    ];
    let table = to_table(&header, &rows);
    if let Some(p) = &args.plot {
        use crate::plot::{Curve, Figure};
        Figure {
            title: format!(
                "Bayesian DLN, {}: |eps_g(theory) - eps_g(Gibbs)| vs 1/N",
                net.data
            ),
            x_label: "1/N".into(),
            y_label: "|eps_g gap|".into(),
            histogram: None,
            curves: vec![
                Curve {
                    label: "saddle F25".into(),
                    xs: xs.clone(),
                    ys: gap_s,
                },
                Curve {
                    label: "NNGP".into(),
                    xs,
                    ys: gap_n,
                },
            ],
            atoms: vec![],
        }
        .write(p)?;
    }
    let report = Report::new(
        "dln-bayes (width sweep)",
        serde_json::json!({"data": net.data, "depth": net.depth, "temperature": net.temperature, "widths": ws}),
        serde_json::json!({"rows": json_rows, "sweeps": args.samples, "burn_in": args.burn_in, "chains": args.chains}),
        args.seed,
        args.samples * args.chains * ws.len(),
        checks,
        vec![format!("table:\n{table}")],
    );
    crate::output::finish_validation(&report, None, args.report.as_deref(), None)
}
