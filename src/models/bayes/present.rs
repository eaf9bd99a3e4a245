//! `saddle dln` and `saddle 1hl`: the saddle point of a Bayesian network (order parameters, predictor,
//! generalization error, NNGP baseline and, for `dln --exact`, the exact finite-width posterior), for
//! one output, several outputs (matrix order parameter) and the two-parameter action of non-odd
//! activations; written as JSON, CSV or an aligned table.
//!
//! Equation labels (F-numbers) are those of docs/models/bayes.md.

use super::exact::exact_posterior;
use super::exact_multi::exact_multi;
use super::gp::{EigenGram, Prediction};
use super::multi::{MultiOutputDln, MultiPrediction};
use super::nonodd::NonOddOneHidden;
use super::onehl::DeepVariant;
use super::params::{dln, load_data, nonlinear, SaddleArgs, SaddleModel};
use super::Dataset;
use crate::error::{Error, Result};
use crate::output::{fmt, to_csv, to_table, Outcome, OutputFormat};

/// A scalar-output prediction as JSON (means, variances, bias², variance, generalization error).
pub fn pred_json(p: &Prediction) -> serde_json::Value {
    serde_json::json!({"mean": p.mean, "var": p.var, "bias2": p.bias2, "variance": p.variance, "eps_g": p.eps_g})
}

/// Run `saddle dln` / `saddle 1hl`: order parameters, predictor and generalization error (JSON, CSV or
/// table), for one output (F22–F26, F32–F33), several outputs (F27/F28) or the two-parameter action.
pub fn run_saddle(args: &SaddleArgs) -> Result<Outcome> {
    args.output
        .check_paths_against(&super::params::data_inputs(&args.net.data))?;
    let net = &args.net;
    let ds = load_data(&net.data)?;
    let gram = ds.gram(net.sigma0)?;
    if args.two_parameter {
        if args.model != SaddleModel::OneHl {
            return Err(Error::param(
                "two-parameter",
                "set",
                "only with `saddle 1hl` (F34)",
            ));
        }
        return run_saddle_two_parameter(args, &ds, &gram);
    }
    if ds.d() > 1 {
        return run_saddle_multi(args, &ds, &gram);
    }
    let exact_scalar = if args.exact && args.model == SaddleModel::Dln {
        Some(exact_posterior(&dln(net)?, &EigenGram::new(&gram)?)?)
    } else {
        None
    };
    let (q_layers, q, action, residual, pred, train, nngp) = match args.model {
        SaddleModel::Dln => {
            let m = dln(net)?;
            let eg = EigenGram::new(&gram)?;
            let s = m.saddle(&eg)?;
            (
                s.root.q_layers,
                s.root.q,
                s.root.action,
                s.root.residual,
                s.prediction,
                Some(s.train_error),
                m.nngp(&eg)?,
            )
        }
        SaddleModel::OneHl => {
            let m = nonlinear(net)?;
            let nngp = m.nngp(&gram)?;
            if net.depth > 1 && net.variant == DeepVariant::Nested {
                let s = m.nested_saddle(&gram)?;
                (
                    s.q_layers.clone(),
                    s.q_layers.iter().product(),
                    s.action,
                    s.residual,
                    s.prediction,
                    None,
                    nngp,
                )
            } else {
                let s = m.saddle(&gram)?;
                (
                    s.root.q_layers,
                    s.root.q,
                    s.root.action,
                    s.root.residual,
                    s.prediction,
                    Some(s.train_error),
                    nngp,
                )
            }
        }
    };
    let text = match args.output.format {
        OutputFormat::Json => {
            let j = serde_json::json!({
                "model": match args.model { SaddleModel::Dln => "dln", SaddleModel::OneHl => "1hl" },
                "data": net.data, "P": ds.p(), "N0": ds.n0(), "width": net.width, "depth": net.depth,
                "temperature": net.temperature, "activation": net.activation, "alpha": ds.p() as f64 / net.width as f64,
                "order_parameters": q_layers, "q": q, "action": action, "residual": residual,
                "prediction": pred_json(&pred), "train_error": train, "nngp": pred_json(&nngp),
                "exact": exact_scalar,
            });
            crate::output::json_doc(j)?
        }
        fmt_kind => {
            let mut rows: Vec<Vec<String>> = vec![];
            for (k, v) in q_layers.iter().enumerate() {
                rows.push(vec![format!("Q_{}", k + 1), fmt(*v)]);
            }
            rows.push(vec!["q".into(), fmt(q)]);
            rows.push(vec!["action".into(), fmt(action)]);
            rows.push(vec!["residual".into(), fmt(residual)]);
            rows.push(vec!["eps_g".into(), fmt(pred.eps_g)]);
            rows.push(vec!["bias2".into(), fmt(pred.bias2)]);
            rows.push(vec!["variance".into(), fmt(pred.variance)]);
            if let Some(t) = train {
                rows.push(vec!["train_error".into(), fmt(t)]);
            }
            rows.push(vec!["eps_g_nngp".into(), fmt(nngp.eps_g)]);
            if let Some(ex) = &exact_scalar {
                rows.push(vec!["exact_eps_g".into(), fmt(ex.prediction.eps_g)]);
                rows.push(vec!["exact_mean_q".into(), fmt(ex.mean_q)]);
            }
            for (t, (m, v)) in pred.mean.iter().zip(&pred.var).enumerate() {
                rows.push(vec![format!("mean[{t}]"), fmt(*m)]);
                rows.push(vec![format!("var[{t}]"), fmt(*v)]);
            }
            if fmt_kind == OutputFormat::Csv {
                to_csv(&["quantity", "value"], &rows)
            } else {
                to_table(&["quantity", "value"], &rows)
            }
        }
    };
    args.output.emit(&text)?;
    Ok(Outcome::Done)
}

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
pub fn run_saddle_multi(args: &SaddleArgs, ds: &Dataset, gram: &super::Gram) -> Result<Outcome> {
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
    gram: &super::Gram,
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
