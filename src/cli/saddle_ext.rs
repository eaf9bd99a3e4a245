//! Extensions of `nnlimits saddle` (multi-output F27/F28 with optional exact F21, two-parameter F34) and
//! the finite-size sweep of the Bayesian DLN validator (`validate dln-bayes --widths ...`).

use super::common::{fmt, to_csv, to_table, Outcome, OutputFormat};
use super::saddle::{nonlinear, pred_json, SaddleArgs, SaddleModel};
use crate::error::{Error, Result};
use crate::models::bayes::data::Dataset;
use crate::models::bayes::exact_multi::exact_multi;
use crate::models::bayes::gp::EigenGram;
use crate::models::bayes::multi::{MultiOutputDln, MultiPrediction};
use crate::models::bayes::nonodd::NonOddOneHidden;

fn emit_json_or_rows(
    args: &SaddleArgs,
    j: serde_json::Value,
    rows: Vec<Vec<String>>,
) -> Result<Outcome> {
    let text = match args.output.format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&j).map_err(|e| Error::Domain(e.to_string()))? + "\n"
        }
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
