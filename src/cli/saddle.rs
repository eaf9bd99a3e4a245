//! `nnlimits saddle dln|1hl` and the Bayesian validators `validate dln-bayes|1hl-bayes`.

use crate::error::{Error, Result};
use crate::models::bayes::data::{make_ds_outputs, tiny, Dataset};
use crate::models::bayes::dln::BayesDln;
use crate::models::bayes::exact::exact_posterior;
use crate::models::bayes::gibbs::{run_chains, DlnGibbs};
use crate::models::bayes::gp::{EigenGram, Prediction};
use crate::models::bayes::kernels::Activation;
use crate::models::bayes::onehl::{BayesNonlinear, DeepVariant};
use crate::models::bayes::posterior::{combine, McSummary};
use crate::models::bayes::slice::OneHiddenSlice;
use crate::output::{fmt, to_csv, to_table, Outcome, OutputArgs, OutputFormat};
use crate::validate::report::Z_MAX;
use crate::validate::{Check, Report};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SaddleModel {
    /// Bayesian deep linear network (F22–F26).
    Dln,
    /// Nonlinear network with one (or, with --depth, several) hidden layers (F32–F33).
    #[value(name = "1hl")]
    OneHl,
}

/// Data and network options shared by `saddle` and the Bayesian validators.
#[derive(Debug, Clone, Args)]
pub struct BayesNetArgs {
    /// Data: `make_ds:P,Pt,N0,seed[,D]` (dln.md §0.3), `tiny` / `tiny2`, or a CSV file (columns split,x..,y..).
    #[arg(long, default_value = "tiny")]
    pub data: String,
    /// Hidden width N (all hidden layers).
    #[arg(long, default_value_t = 10)]
    pub width: usize,
    /// Number of hidden layers L.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Temperature T (likelihood noise variance); 0 = Li–Sompolinsky closed form (dln only).
    #[arg(long, default_value_t = 0.1)]
    pub temperature: f64,
    /// Activation for `1hl`.
    #[arg(long, value_enum, default_value_t = Activation::Erf)]
    pub activation: Activation,
    /// Deep nonlinear variant (F33) when --depth > 1.
    #[arg(long, value_enum, default_value_t = DeepVariant::Nested)]
    pub variant: DeepVariant,
    /// First-layer weight variance sigma_0^2 (= 1/lambda_0).
    #[arg(long, default_value_t = 1.0)]
    pub sigma0: f64,
    /// Variance sigma_l^2 of every later layer (= 1/lambda_l).
    #[arg(long, default_value_t = 1.0)]
    pub sigma: f64,
}

/// `nnlimits saddle`.
#[derive(Debug, Clone, Args)]
pub struct SaddleArgs {
    /// Network type.
    #[arg(value_enum)]
    pub model: SaddleModel,
    /// Data and network.
    #[command(flatten)]
    pub net: BayesNetArgs,
    /// `1hl` only: use the two-order-parameter action F34 (Qbar, Q) meant for non-odd activations (ReLU).
    #[arg(long)]
    pub two_parameter: bool,
    /// `dln` only: also compute the exact finite-width posterior (F20 grid for D = 1, F21 importance
    /// sampling with --exact-draws prior draws for D > 1).
    #[arg(long)]
    pub exact: bool,
    /// Prior draws for the exact multi-output posterior F21.
    #[arg(long, default_value_t = 200_000)]
    pub exact_draws: usize,
    /// Seed of the F21 importance sampler.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `nnlimits validate dln-bayes|1hl-bayes`.
#[derive(Debug, Clone, Args)]
pub struct ValidateBayesArgs {
    /// Data and network.
    #[command(flatten)]
    pub net: BayesNetArgs,
    /// Kept sweeps (iterations) per chain.
    #[arg(long, default_value_t = 20000)]
    pub samples: usize,
    /// Burn-in sweeps per chain.
    #[arg(long, default_value_t = 1000)]
    pub burn_in: usize,
    /// Independent chains (streams (seed, chain)).
    #[arg(long, default_value_t = 4)]
    pub chains: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write an SVG plot of predictive means per test point.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Write the JSON report.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// `dln-bayes` only: finite-size sweep over these hidden widths (comma list, at least 3), printing a
    /// table of Gibbs vs exact vs saddle vs NNGP generalization errors and `N x gap` (--width is ignored).
    #[arg(long)]
    pub widths: Option<String>,
}

/// Parse `--data`.
pub fn load_data(spec: &str) -> Result<Dataset> {
    if let Some(rest) = spec.strip_prefix("make_ds:") {
        let v: Vec<u64> = rest
            .split(',')
            .map(|t| {
                t.trim().parse::<u64>().map_err(|_| {
                    Error::param("data", spec, "make_ds:P,Pt,N0,seed[,D] with integers")
                })
            })
            .collect::<Result<_>>()?;
        if !(4..=5).contains(&v.len()) {
            return Err(Error::param("data", spec, "make_ds:P,Pt,N0,seed[,D]"));
        }
        let d = v.get(4).copied().unwrap_or(1) as usize;
        return make_ds_outputs(v[0] as usize, v[1] as usize, v[2] as usize, v[3], d);
    }
    match spec {
        "tiny" => tiny(1),
        "tiny2" => tiny(2),
        path => Dataset::from_csv(std::path::Path::new(path)),
    }
}

pub(super) fn dln(net: &BayesNetArgs) -> Result<BayesDln> {
    crate::error::check::count("depth", net.depth, 1, 100_000)?;
    BayesDln::new(
        vec![net.width; net.depth],
        vec![net.sigma; net.depth],
        net.temperature,
    )
}

pub(super) fn nonlinear(net: &BayesNetArgs) -> Result<BayesNonlinear> {
    crate::error::check::count("depth", net.depth, 1, 20)?;
    BayesNonlinear::new(
        net.activation,
        net.width,
        net.depth,
        vec![net.sigma; net.depth],
        net.temperature,
    )
}

pub(super) fn pred_json(p: &Prediction) -> serde_json::Value {
    serde_json::json!({"mean": p.mean, "var": p.var, "bias2": p.bias2, "variance": p.variance, "eps_g": p.eps_g})
}

/// Run `nnlimits saddle`.
pub fn run_saddle(args: &SaddleArgs) -> Result<Outcome> {
    args.output.check_paths()?;
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
        return super::saddle_ext::run_saddle_two_parameter(args, &ds, &gram);
    }
    if ds.d() > 1 {
        return super::saddle_ext::run_saddle_multi(args, &ds, &gram);
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

fn plot_means(
    path: &std::path::Path,
    title: &str,
    mc: &McSummary,
    curves: Vec<(&str, &[f64])>,
) -> Result<()> {
    use crate::plot::{Curve, Figure};
    let xs: Vec<f64> = (0..mc.mean.len()).map(|k| k as f64).collect();
    let mut cs = vec![Curve {
        label: "posterior sampling (MC)".into(),
        xs: xs.clone(),
        ys: mc.mean.iter().map(|e| e.value).collect(),
    }];
    for (l, ys) in curves {
        cs.push(Curve {
            label: l.into(),
            xs: xs.clone(),
            ys: ys.to_vec(),
        });
    }
    Figure {
        title: title.into(),
        x_label: "test point".into(),
        y_label: "predictive mean".into(),
        histogram: None,
        curves: cs,
        atoms: vec![],
    }
    .write(path)
}

/// Build the report of a Bayesian validation and finish it (the plot of predictive means is written
/// by the caller).
pub(super) fn finish(
    model: &str,
    theory: serde_json::Value,
    sampled: serde_json::Value,
    checks: Vec<crate::validate::Check>,
    notes: Vec<String>,
    args: &ValidateBayesArgs,
) -> Result<Outcome> {
    let report = Report::new(
        model,
        theory,
        sampled,
        args.seed,
        args.samples * args.chains,
        checks,
        notes,
    );
    crate::output::finish_validation(&report, None, args.report.as_deref(), None)
}

/// `validate dln-bayes`: exact Gibbs sampling of the real network vs the exact finite-width posterior
/// (F17, no bias allowed) and vs the saddle point (declared O(1/N) bias `0.5/N`, dln.md §5).
pub fn run_validate_dln_bayes(args: &ValidateBayesArgs) -> Result<Outcome> {
    for p in [&args.plot, &args.report].into_iter().flatten() {
        crate::io::check_writable(p)?;
    }
    if let Some(w) = &args.widths {
        return super::saddle_ext::run_dln_width_sweep(args, w);
    }
    let net = &args.net;
    let ds = load_data(&net.data)?;
    if ds.d() != 1 {
        return Err(Error::Domain(
            "dln-bayes validates the single-output theory; use D = 1 data".into(),
        ));
    }
    let m = dln(net)?;
    let eg = EigenGram::new(&ds.gram(net.sigma0)?)?;
    let sp = m.saddle(&eg)?;
    let ex = exact_posterior(&m, &eg)?;
    let ng = m.nngp(&eg)?;
    let g = DlnGibbs::new(
        m.clone(),
        ds.clone(),
        net.sigma0,
        args.samples,
        args.burn_in,
    )?;
    let mc = combine(&run_chains(&g, args.chains, args.seed)?, &eg.y0);
    let bias = 0.5 / net.width as f64;
    let mut checks = vec![];
    for t in 0..mc.mean.len().min(5) {
        checks.push(Check::statistical(
            &format!("mean[{t}] vs exact F17"),
            ex.prediction.mean[t],
            mc.mean[t].value,
            mc.mean[t].se,
            Z_MAX,
            0.0,
        ));
        checks.push(Check::statistical(
            &format!("var[{t}] vs exact F17"),
            ex.prediction.var[t],
            mc.var[t].value,
            mc.var[t].se,
            Z_MAX,
            0.0,
        ));
    }
    checks.push(Check::statistical(
        "eps_g vs exact F17",
        ex.prediction.eps_g,
        mc.eps_g.value,
        mc.eps_g.se,
        Z_MAX,
        0.0,
    ));
    checks.push(Check::statistical(
        "E[q|y] vs exact F17",
        ex.mean_q,
        mc.q.value,
        mc.q.se,
        Z_MAX,
        0.0,
    ));
    checks.push(Check::statistical(
        "eps_g vs saddle F25",
        sp.prediction.eps_g,
        mc.eps_g.value,
        mc.eps_g.se,
        Z_MAX,
        bias,
    ));
    let notes = vec![
        format!("saddle q* = {}, exact E[q|y] = {}, sampled {} +- {}", sp.root.q, ex.mean_q, mc.q.value, mc.q.se),
        format!(
            "eps_g: sampled {:.6} +- {:.6}, exact {:.6}, saddle {:.6} (|gap| {:.2e}), NNGP {:.6} (|gap| {:.2e})",
            mc.eps_g.value, mc.eps_g.se, ex.prediction.eps_g, sp.prediction.eps_g,
            (sp.prediction.eps_g - mc.eps_g.value).abs(), ng.eps_g, (ng.eps_g - mc.eps_g.value).abs()
        ),
        format!("chains {}, kept sweeps {}, min ESS {:.0}", mc.chains, mc.kept, mc.ess_min),
    ];
    if let Some(p) = &args.plot {
        plot_means(
            p,
            "Bayesian DLN: predictive mean",
            &mc,
            vec![
                ("exact F17", &ex.prediction.mean),
                ("saddle F25", &sp.prediction.mean),
                ("NNGP", &ng.mean),
            ],
        )?;
    }
    finish(
        "dln-bayes",
        serde_json::to_value(&m).unwrap_or_default(),
        crate::model::Sampler::describe(&g),
        checks,
        notes,
        args,
    )
}

/// `validate 1hl-bayes`: elliptical slice sampling of the real 1HL network vs the saddle point F32
/// (declared bias `1.2/N1 x theory`, dln.md §3.6).
pub fn run_validate_1hl_bayes(args: &ValidateBayesArgs) -> Result<Outcome> {
    for p in [&args.plot, &args.report].into_iter().flatten() {
        crate::io::check_writable(p)?;
    }
    let net = &args.net;
    if net.depth != 1 {
        return Err(Error::param(
            "depth",
            net.depth,
            "1 for the 1HL posterior sampler",
        ));
    }
    let ds = load_data(&net.data)?;
    let m = nonlinear(net)?;
    let gram = ds.gram(net.sigma0)?;
    let sp = m.saddle(&gram)?;
    let ng = m.nngp(&gram)?;
    let s = OneHiddenSlice::new(
        net.activation,
        net.width,
        net.sigma0,
        net.sigma,
        net.temperature,
        ds,
        args.samples,
        args.burn_in,
    )?;
    let y0: Vec<Vec<f64>> = (0..s.data.yt.nrows())
        .map(|t| vec![s.data.yt[(t, 0)]])
        .collect();
    let mc = combine(&run_chains(&s, args.chains, args.seed)?, &y0);
    let rel = 1.2 / net.width as f64;
    let variance_mc = mc.var.iter().map(|e| e.value).sum::<f64>() / mc.var.len().max(1) as f64;
    let variance_se =
        (mc.var.iter().map(|e| e.se * e.se).sum::<f64>()).sqrt() / mc.var.len().max(1) as f64;
    let checks = vec![
        Check::statistical(
            "eps_g vs saddle F32",
            sp.prediction.eps_g,
            mc.eps_g.value,
            mc.eps_g.se,
            Z_MAX,
            rel * sp.prediction.eps_g,
        ),
        Check::statistical(
            "mean variance vs saddle F32",
            sp.prediction.variance,
            variance_mc,
            variance_se,
            Z_MAX,
            rel * sp.prediction.variance,
        ),
        Check::statistical(
            "E[|v|^2/N1 | y] vs q*",
            sp.root.q,
            mc.q.value,
            mc.q.se,
            Z_MAX,
            rel * sp.root.q,
        ),
    ];
    let notes = vec![
        format!(
            "eps_g: sampled {:.6} +- {:.6}, saddle {:.6}, NNGP {:.6} (NNGP off by {:.1} SE, saddle by {:.1} SE)",
            mc.eps_g.value, mc.eps_g.se, sp.prediction.eps_g, ng.eps_g,
            (ng.eps_g - mc.eps_g.value).abs() / mc.eps_g.se, (sp.prediction.eps_g - mc.eps_g.value).abs() / mc.eps_g.se
        ),
        format!("chains {}, kept iterations {}, min ESS {:.0}", mc.chains, mc.kept, mc.ess_min),
    ];
    if let Some(p) = &args.plot {
        plot_means(
            p,
            "Bayesian 1HL: predictive mean",
            &mc,
            vec![("saddle F32", &sp.prediction.mean), ("NNGP", &ng.mean)],
        )?;
    }
    finish(
        "1hl-bayes",
        serde_json::to_value(&m).unwrap_or_default(),
        crate::model::Sampler::describe(&s),
        checks,
        notes,
        args,
    )
}
