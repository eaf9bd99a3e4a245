//! `validate dln-bayes --widths N1,N2,...`: the finite-size trend of the Bayesian deep linear network,
//! measured with the exact Gibbs sampler at several widths.

use super::gp::EigenGram;
use super::params::{dln, load_data, ValidateBayesArgs};
use super::posterior::Estimate;
use crate::error::{Error, Result};
use crate::output::{fmt, to_table, Outcome};
use crate::validate::report::Z_MAX;
use crate::validate::Check;

/// The two checks of the width sweep at width `n` on the sampled generalisation error `gibbs`:
/// against the exact finite-width posterior F17 (`|obs - exact| <= 4 SE`, no bias) and against the
/// saddle point F25 (`|obs - saddle| <= 4 SE + 0.5/N`, the declared `O(1/N)` bias, docs/models/bayes.md,
/// "Tolerances"). The theories may come from other parameters than the sampled network (the power table
/// perturbs them).
pub fn width_checks(n: usize, exact: f64, saddle: f64, gibbs: &Estimate) -> Vec<Check> {
    vec![
        Check::statistical(
            &format!("N = {n}: eps_g Gibbs vs exact F17"),
            exact,
            gibbs.value,
            gibbs.se,
            Z_MAX,
            0.0,
        ),
        Check::statistical(
            &format!("N = {n}: eps_g Gibbs vs saddle F25 (bias 0.5/N)"),
            saddle,
            gibbs.value,
            gibbs.se,
            Z_MAX,
            0.5 / n as f64,
        ),
    ]
}

/// `validate dln-bayes --widths N1,N2,...`: the finite-size trend measured with the *sampler*. For each
/// width, exact Gibbs sampling of the real network (single output) gives `eps_g` with an ESS-based
/// standard error; the table compares it with the exact finite-width posterior F17, the saddle point
/// F25 and the NNGP, and prints `N x (eps_g saddle - eps_g Gibbs)`, which is constant if the saddle-point
/// error is `O(1/N)`. Checks per width: Gibbs vs F17 (no bias) and Gibbs vs saddle with the declared
/// finite-size bias `0.5/N` (docs/models/bayes.md, "Tolerances").
pub fn run_dln_width_sweep(args: &ValidateBayesArgs, widths: &str) -> Result<Outcome> {
    use crate::models::bayes::exact::exact_posterior;
    use crate::models::bayes::gibbs::{run_chains, DlnGibbs};
    use crate::models::bayes::posterior::combine;
    use crate::validate::Report;
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
        checks.extend(width_checks(
            n,
            ex.prediction.eps_g,
            sp.prediction.eps_g,
            &e,
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
