//! The registry entries of the Bayesian networks: `1hl` (`saddle 1hl`), `dln-bayes`
//! (`validate dln-bayes`: exact Gibbs sampling of the deep linear network against the exact posterior and
//! the saddle point) and `1hl-bayes` (`validate 1hl-bayes`: elliptical slice sampling of the
//! one-hidden-layer network against its saddle point). `saddle dln` belongs to the `dln` entry
//! ([`crate::models::dln::entry`]), which takes its arguments and runner from here.

use super::dln::DlnSaddle;
use super::exact::{exact_posterior, ExactPosterior};
use super::gibbs::{run_chains, DlnGibbs};
use super::gp::{EigenGram, Prediction};
use super::params::{
    dln, load_data, nonlinear, Saddle1hlArgs, SaddleArgs, SaddleDlnArgs, Validate1hlBayesArgs,
    ValidateBayesArgs, ValidateDlnBayesArgs, DATA_RANGE,
};
use super::posterior::{combine, McSummary};
use super::present::run_saddle;
use super::slice::OneHiddenSlice;
use crate::error::{Error, Result};
use crate::output::Outcome;
use crate::registry::{Context, Entry, Verb};
use crate::validate::report::Z_MAX;
use crate::validate::{Check, Report};
use clap::{ArgMatches, Args, FromArgMatches};

fn parse<T: FromArgMatches>(m: &ArgMatches) -> Result<T> {
    T::from_arg_matches(m).map_err(|e| Error::InvalidData(e.to_string().trim().to_string()))
}

/// The arguments of `saddle dln` (used by the `dln` entry).
pub fn saddle_dln_command(c: clap::Command) -> clap::Command {
    SaddleDlnArgs::augment_args(c)
}

/// Run `saddle dln` on parsed arguments (used by the `dln` entry).
pub fn run_saddle_dln(m: &ArgMatches) -> Result<Outcome> {
    run_saddle(&SaddleArgs::from(parse::<SaddleDlnArgs>(m)?))
}

/// Ranges of the flags shared by the Bayesian commands.
macro_rules! net_ranges {
    ($($extra:expr),* $(,)?) => {
        &[
            ("data", DATA_RANGE),
            ("sigma0", "[1e-100, 1e100]"),
            ("samples", "integer in [10, 1e8]"),
            ("burn-in", "integer >= 0"),
            ("chains", "integer in [1, 1024]"),
            $($extra),*
        ]
    };
}

/// `1hl`: the saddle point of the Bayesian nonlinear network (one or several hidden layers).
pub struct OneHlEntry;
/// `1hl` in the registry.
pub static ONE_HL: OneHlEntry = OneHlEntry;

impl Entry for OneHlEntry {
    fn name(&self) -> &'static str {
        "1hl"
    }
    fn summary(&self) -> &'static str {
        "Bayesian nonlinear network (one or more hidden layers): kernel-renormalized saddle point"
    }
    fn docs(&self) -> &'static str {
        "docs/models/bayes.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        net_ranges![
            ("width", "integer in [1, 1e9]"),
            (
                "depth",
                "integer in [1, 20] (1 for several outputs or --two-parameter)"
            ),
            (
                "temperature",
                "[0, 1e100] (> 0 for several outputs or --two-parameter)"
            ),
            ("sigma", "> 0, with sigma^depth in [1e-100, 1e100]"),
        ]
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        (verb == Verb::Saddle).then(|| Saddle1hlArgs::augment_args(clap::Command::new("1hl")))
    }
    fn run(&self, verb: Verb, m: &ArgMatches, _ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Saddle => run_saddle(&SaddleArgs::from(parse::<Saddle1hlArgs>(m)?)),
            _ => Err(unavailable(verb, "1hl")),
        }
    }
}

/// `dln-bayes`: Gibbs sampling of the Bayesian deep linear network vs exact posterior and saddle point.
pub struct DlnBayesEntry;
/// `dln-bayes` in the registry.
pub static DLN_BAYES: DlnBayesEntry = DlnBayesEntry;

impl Entry for DlnBayesEntry {
    fn name(&self) -> &'static str {
        "dln-bayes"
    }
    fn summary(&self) -> &'static str {
        "Bayesian deep linear network: exact Gibbs sampling vs exact posterior and saddle point"
    }
    fn docs(&self) -> &'static str {
        "docs/models/bayes.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        net_ranges![
            ("width", "integer in [1, 1e9]"),
            ("depth", "integer in [1, 1e5]"),
            ("temperature", "(0, 1e100]"),
            ("sigma", "> 0, with sigma^depth in [1e-100, 1e100]"),
            ("widths", "comma list of at least 3 integers >= 1"),
        ]
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        (verb == Verb::Validate)
            .then(|| ValidateDlnBayesArgs::augment_args(clap::Command::new("dln-bayes")))
    }
    fn run(&self, verb: Verb, m: &ArgMatches, _ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Validate => run_validate_dln_bayes(&parse::<ValidateDlnBayesArgs>(m)?.into()),
            _ => Err(unavailable(verb, "dln-bayes")),
        }
    }
}

/// `1hl-bayes`: elliptical slice sampling of the one-hidden-layer network vs its saddle point.
pub struct OneHlBayesEntry;
/// `1hl-bayes` in the registry.
pub static ONE_HL_BAYES: OneHlBayesEntry = OneHlBayesEntry;

impl Entry for OneHlBayesEntry {
    fn name(&self) -> &'static str {
        "1hl-bayes"
    }
    fn summary(&self) -> &'static str {
        "Bayesian one-hidden-layer network: elliptical slice sampling vs saddle point"
    }
    fn docs(&self) -> &'static str {
        "docs/models/bayes.md"
    }
    fn ranges(&self) -> &'static [(&'static str, &'static str)] {
        net_ranges![
            ("width", "integer in [1, 1e5]"),
            ("depth", "1"),
            ("temperature", "(0, 1e100]"),
            ("sigma", "> 0"),
        ]
    }
    fn command(&self, verb: Verb) -> Option<clap::Command> {
        (verb == Verb::Validate)
            .then(|| Validate1hlBayesArgs::augment_args(clap::Command::new("1hl-bayes")))
    }
    fn run(&self, verb: Verb, m: &ArgMatches, _ctx: &Context) -> Result<Outcome> {
        match verb {
            Verb::Validate => run_validate_1hl_bayes(&parse::<Validate1hlBayesArgs>(m)?.into()),
            _ => Err(unavailable(verb, "1hl-bayes")),
        }
    }
}

/// The samplers need `T > 0` (the likelihood is degenerate at `T = 0`).
fn positive_temperature(args: &ValidateBayesArgs) -> Result<()> {
    let t = args.net.temperature;
    if t > 0.0 && t.is_finite() {
        Ok(())
    } else {
        Err(Error::param("temperature", t, "> 0 for posterior sampling"))
    }
}

fn unavailable(verb: Verb, name: &str) -> Error {
    Error::Domain(format!("`{} {name}` is not available", verb.name()))
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
fn finish(
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

/// The checks of `validate dln-bayes` (and their notes): the sampled posterior summary `mc` against
/// the exact finite-width posterior `ex` (F17, no bias allowed), the saddle point `sp` (declared
/// O(1/N) bias `0.5/N` at width `width`, docs/models/bayes.md, "Tolerances") and the rejection of the
/// NNGP `ng` (the run must tell the finite-width theory from the infinite-width one). The theories
/// may come from other parameters than the sampled network (the power table perturbs them).
pub fn dln_bayes_checks(
    sp: &DlnSaddle,
    ex: &ExactPosterior,
    ng: &Prediction,
    mc: &McSummary,
    width: usize,
) -> (Vec<Check>, Vec<String>) {
    let bias = 0.5 / width as f64;
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
    // the run must be able to tell the finite-width theory from the infinite-width one: the NNGP's
    // eps_g is rejected at the same 4 SE (otherwise a pass would not distinguish the two theories)
    checks.push(Check::distance(
        "NNGP rejected (eps_g)",
        Z_MAX * mc.eps_g.se,
        (ng.eps_g - mc.eps_g.value).abs(),
        &format!(
            "4 SE of the sampled eps_g <= |sampled - NNGP {:.6}| (the NNGP is rejected)",
            ng.eps_g
        ),
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
    (checks, notes)
}

/// `--plot` and `--report` writable, distinct, and not the `--data` file.
fn check_outputs(args: &ValidateBayesArgs) -> Result<()> {
    crate::io::check_outputs(
        &[
            ("--plot", args.plot.as_deref()),
            ("--report", args.report.as_deref()),
        ],
        &super::params::data_inputs(&args.net.data),
    )
}

/// `validate dln-bayes`: exact Gibbs sampling of the real network vs the exact finite-width posterior
/// (F17, no bias allowed) and vs the saddle point (declared O(1/N) bias `0.5/N`,
/// docs/models/bayes.md, "Tolerances").
pub fn run_validate_dln_bayes(args: &ValidateBayesArgs) -> Result<Outcome> {
    check_outputs(args)?;
    positive_temperature(args)?;
    if let Some(w) = &args.widths {
        return super::sweep::run_dln_width_sweep(args, w);
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
    let (checks, notes) = dln_bayes_checks(&sp, &ex, &ng, &mc, net.width);
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

/// The checks of `validate 1hl-bayes` (and their notes): the sampled posterior summary `mc` against
/// the saddle point `sp` (F32, declared bias `1.2/N1 x theory` at width `width`, docs/models/bayes.md,
/// "Tolerances"); the NNGP `ng` is reported in a note. The theories may come from other parameters
/// than the sampled network (the power table perturbs them).
pub fn one_hl_checks(
    sp: &DlnSaddle,
    ng: &Prediction,
    mc: &McSummary,
    width: usize,
) -> (Vec<Check>, Vec<String>) {
    let rel = 1.2 / width as f64;
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
    (checks, notes)
}

/// `validate 1hl-bayes`: elliptical slice sampling of the real 1HL network vs the saddle point F32
/// (declared bias `1.2/N1 x theory`, docs/models/bayes.md, "Tolerances").
pub fn run_validate_1hl_bayes(args: &ValidateBayesArgs) -> Result<Outcome> {
    check_outputs(args)?;
    positive_temperature(args)?;
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
    let (checks, notes) = one_hl_checks(&sp, &ng, &mc, net.width);
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
