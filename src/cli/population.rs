//! `nnlimits spectrum|validate fim --limit population|unit-block`: the population FIM at infinite width
//! (degree groups, F23) and the single-unit block (F24) of shared/theory/fim.md §6
//! (`src/models/fim/population.rs`; docs/models/fim.md "Population FIM").
//!
//! `spectrum` prints the group table (degree, multiplicity, eigenvalue, trace, share, `b_k`) or the
//! unit block (eigenvalues with multiplicities, `B`, `B⁻¹`); `validate` samples `κ(W̃W̃ᵀ)/N`
//! (`--width`, `--d`) or `Ĝ` from `--n` inputs per draw (`--d` inputs, `|w| = √σ_w²`, `--bias`).

use super::fim::{FimSpectrumArgs, FimValidateArgs, Limit, NetArgs};
use crate::error::{Error, Result};
use crate::model::Sampler;
use crate::models::fim::population::GroupPrediction;
use crate::models::fim::{
    Activation, PopulationFim, PopulationSampler, Trained, UnitBlock, UnitBlockSampler,
};
use crate::output::{fmt, json_doc, to_csv, to_table, Outcome, OutputArgs, OutputFormat};
use crate::plot::{Curve, Figure};
use crate::rng::stream;
use crate::validate::report::{z_crit, Check, Report, Z_MAX};
use crate::validate::stats::mean_se;
use rayon::prelude::*;

/// The activation (a named one: the kernel / derivative is needed) and the checked layer choice.
fn activation(net: &NetArgs, ck: bool) -> Result<Activation> {
    if net.constants.is_some() {
        return Err(Error::param(
            "constants",
            "given",
            "a named --activation for --limit population|unit-block (the kernel needs φ itself)",
        ));
    }
    if net.limit == Limit::Population && net.bias != 0.0 {
        return Err(Error::param(
            "bias",
            net.bias,
            "0 for --limit population (biases are implemented for --limit unit-block only)",
        ));
    }
    let want = match net.limit {
        Limit::UnitBlock => Trained::First,
        _ => Trained::Readout,
    };
    match (ck, net.trained) {
        (true, _) if want == Trained::First => Err(Error::param(
            "limit",
            "unit-block",
            "used with `fim` (the unit block is a first-layer block; ck is the readout)",
        )),
        (false, Some(t)) if t != want => Err(Error::param(
            "trained",
            format!("{t:?}").to_lowercase(),
            &format!(
                "{} for --limit {} (or omitted)",
                format!("{want:?}").to_lowercase(),
                if want == Trained::First {
                    "unit-block"
                } else {
                    "population"
                }
            ),
        )),
        _ => Activation::parse(&net.activation),
    }
}

fn need_d(d: Option<usize>) -> Result<usize> {
    d.ok_or_else(|| Error::param("d", "missing", "given (--d, the input dimension)"))
}

/// Run `spectrum ck|fim --limit population|unit-block`.
pub fn run_spectrum(args: &FimSpectrumArgs, ck: bool, output: &OutputArgs) -> Result<Outcome> {
    output.check_paths()?;
    let act = activation(&args.net, ck)?;
    let d = need_d(args.d)?;
    let text = if args.net.limit == Limit::UnitBlock {
        if output.plot.is_some() {
            return Err(Error::param(
                "plot",
                "given",
                "omitted for --limit unit-block",
            ));
        }
        unit_block_text(
            &UnitBlock::new(&act, d, args.net.sigma_w2.sqrt(), args.net.bias)?,
            output.format,
        )?
    } else {
        let p = PopulationFim::new(&act, d, args.net.sigma_w2, args.net.max_degree)?;
        let pred = args.width.map(|w| p.finite_width(w)).transpose()?;
        if let Some(path) = &output.plot {
            remaining_trace_figure(
                &act,
                &args.net,
                d,
                pred.as_deref(),
                None,
                args.width.unwrap_or(10_000),
            )?
            .write(path)?;
        }
        population_text(&p, pred.as_deref(), args.width, output.format)?
    };
    output.emit(&text)?;
    Ok(Outcome::Done)
}

fn population_text(
    p: &PopulationFim,
    pred: Option<&[GroupPrediction]>,
    width: Option<usize>,
    format: OutputFormat,
) -> Result<String> {
    let predicted = |k: usize| pred.and_then(|v| v.iter().find(|x| x.degree == k));
    Ok(match format {
        OutputFormat::Json => {
            let first3: f64 = p.groups().iter().take(3).map(|g| g.share).sum();
            json_doc(serde_json::json!({
                "model": "fim-population",
                "params": p.params(),
                "eta": p.eta(),
                "groups": p.groups(),
                "share_first_three_degrees": first3,
                "residual_trace": p.residual_trace(),
                "finite_width": width.map(|w| serde_json::json!({"width": w, "groups": pred})),
                "normalization": "eigenvalues of the N × N readout population FIM times 1 (each group: \
                    eigenvalue λ_k with multiplicity N(d,k); trace T_k = N(d,k) λ_k; Σ_k T_k = η)",
            }))?
        }
        OutputFormat::Csv | OutputFormat::Table => {
            let mut header = vec![
                "degree",
                "multiplicity",
                "eigenvalue",
                "trace",
                "share",
                "b_k",
                "asymptotic_eigenvalue",
                "rounding_error",
            ];
            if width.is_some() {
                header.push("predicted_trace_at_width");
            }
            let opt = |x: Option<f64>| x.map_or(String::new(), fmt);
            let rows: Vec<Vec<String>> = p
                .groups()
                .iter()
                .map(|g| {
                    let mut r = vec![
                        g.degree.to_string(),
                        fmt(g.multiplicity),
                        fmt(g.eigenvalue),
                        fmt(g.trace),
                        fmt(g.share),
                        opt(g.asymptotic_trace),
                        opt(g.asymptotic_eigenvalue),
                        format!("{:.1e}", g.rounding_error),
                    ];
                    if width.is_some() {
                        r.push(opt(predicted(g.degree).map(|x| x.predicted)));
                    }
                    r
                })
                .collect();
            if format == OutputFormat::Csv {
                to_csv(&header, &rows)
            } else {
                format!(
                    "# fim-population {}  η = {}  residual trace = {}\n{}",
                    crate::validate::spectral::compact(&p.params()),
                    fmt(p.eta()),
                    fmt(p.residual_trace()),
                    to_table(&header, &rows)
                )
            }
        }
    })
}

fn unit_block_text(u: &UnitBlock, format: OutputFormat) -> Result<String> {
    let inv = u.block_inverse();
    Ok(match format {
        OutputFormat::Json => {
            let ev: Vec<serde_json::Value> = u
                .eigenvalues()
                .iter()
                .map(|(v, m)| serde_json::json!({"value": v, "multiplicity": m}))
                .collect();
            let (lo, hi) = (
                u.eigenvalues()[0].0,
                u.eigenvalues().last().map_or(0.0, |e| e.0),
            );
            json_doc(serde_json::json!({
                "model": "fim-unit-block",
                "unit_block": u,
                "eigenvalues": ev,
                "condition_number": hi / lo,
                "block_inverse": inv.as_ref().ok(),
                "inverse_perp": 1.0 / u.a,
                "structure": "G = A P_perp + B on span{(e,0),(0,1)}, G^-1 = P_perp/A + B^-1 (F24)",
            }))?
        }
        OutputFormat::Csv | OutputFormat::Table => {
            let [lo, hi] = u.block_eigenvalues;
            let mut rows = vec![
                vec!["block_low".into(), fmt(lo), "1".into()],
                vec!["block_high".into(), fmt(hi), "1".into()],
            ];
            if u.n > 1 {
                rows.push(vec!["perp (A)".into(), fmt(u.a), (u.n - 1).to_string()]);
            }
            let header = ["component", "eigenvalue", "multiplicity"];
            if format == OutputFormat::Csv {
                to_csv(&header, &rows)
            } else {
                let b = u.block;
                format!(
                    "# fim-unit-block {} n={} |w|={} b={}  B = [[{}, {}], [{}, {}]]  B^-1 = {}\n{}",
                    u.activation,
                    u.n,
                    fmt(u.w_norm),
                    fmt(u.bias),
                    fmt(b[0][0]),
                    fmt(b[0][1]),
                    fmt(b[1][0]),
                    fmt(b[1][1]),
                    inv.map_or_else(|e| e.to_string(), |i| format!("{i:?}")),
                    to_table(&header, &rows)
                )
            }
        }
    })
}

/// Trace not yet captured by the top `r` eigenvalues, `η - Σ_{i<=r} λ_i`, against log10(r): theory
/// (finite d, N = ∞; degrees up to 16), the d → ∞ traces b_k (degrees <= 8), and a sampled spectrum.
fn remaining_trace_figure(
    act: &Activation,
    net: &NetArgs,
    d: usize,
    pred: Option<&[GroupPrediction]>,
    sample: Option<&[f64]>,
    width: usize,
) -> Result<Figure> {
    let full = PopulationFim::new(act, d, net.sigma_w2, net.max_degree.max(16))?;
    let eta = full.eta();
    let mut order: Vec<_> = full
        .groups()
        .iter()
        .filter(|g| g.eigenvalue > 0.0)
        .collect();
    order.sort_by(|a, b| b.eigenvalue.total_cmp(&a.eigenvalue));
    let resolved: usize = pred.map_or(0, |v| v.iter().map(|x| x.count).sum());
    let ranks = width.min((4 * resolved).max(1000));
    let (mut th, mut asy) = (Vec::new(), Vec::new());
    let (mut c, mut ca) = (eta, eta);
    'outer: for g in &order {
        let la = g.asymptotic_trace.map(|b| b / g.multiplicity);
        for _ in 0..g.multiplicity.round() as usize {
            if th.len() == ranks {
                break 'outer;
            }
            c -= g.eigenvalue;
            th.push(c);
            if let Some(la) = la {
                ca -= la;
                asy.push(ca);
            }
        }
    }
    let logs = |n: usize| (1..=n).map(|k| (k as f64).log10()).collect::<Vec<f64>>();
    let mut curves = vec![
        Curve {
            label: "theory: exact finite d (Funk-Hecke), N = inf".into(),
            xs: logs(th.len()),
            ys: th,
        },
        Curve {
            label: "d -> inf: group k has trace b_k".into(),
            xs: logs(asy.len()),
            ys: asy,
        },
    ];
    if let Some(v) = pred {
        // finite-width theory: each resolved group carries T_k + δ_k, spread evenly over its ranks
        let mut ys = Vec::new();
        let mut c = eta;
        for g in v {
            for _ in 0..g.count {
                c -= g.predicted / g.count as f64;
                ys.push(c);
            }
        }
        curves.insert(
            1,
            Curve {
                label: format!("theory at N = {width}: group traces T_k + delta_k"),
                xs: logs(ys.len()),
                ys,
            },
        );
    }
    if let Some(ev) = sample {
        let mut desc = ev.to_vec();
        desc.sort_by(|a, b| b.total_cmp(a));
        let ys: Vec<f64> = desc
            .iter()
            .take(ranks)
            .scan(eta, |s, x| {
                *s -= x;
                Some(*s)
            })
            .collect();
        curves.insert(
            0,
            Curve {
                label: format!("Monte Carlo, N = {width} (draw 0)"),
                xs: logs(ys.len()),
                ys,
            },
        );
    }
    Ok(Figure {
        title: format!(
            "population readout FIM (F23), {}, d = {d}, sigma_w2 = {}",
            act.name(),
            fmt(net.sigma_w2)
        ),
        x_label: "log10(rank r)".into(),
        y_label: "eta - (sum of the top r eigenvalues)".into(),
        curves,
        ..Figure::default()
    })
}

/// Run `validate fim --limit population|unit-block`.
pub fn run_validate(args: &FimValidateArgs, ck: bool, quiet: bool) -> Result<Outcome> {
    let run = &args.run;
    run.check()?;
    let act = activation(&args.net, ck)?;
    faer::set_global_parallelism(faer::Par::Seq);
    let pb = crate::output::progress(run.samples as u64, quiet, "draws");
    let out = if args.net.limit == Limit::UnitBlock {
        validate_unit_block(args, act, &|| pb.inc(1))
    } else {
        validate_population(args, act, &|| pb.inc(1))
    };
    pb.finish_and_clear();
    let (report, figure) = out?;
    run.finish(&report, Some(&figure))
}

fn validate_population(
    args: &FimValidateArgs,
    act: Activation,
    tick: &(dyn Fn() + Sync),
) -> Result<(Report, Figure)> {
    let (run, net) = (&args.run, &args.net);
    let p = PopulationFim::new(&act, args.d, net.sigma_w2, net.max_degree)?;
    let pred = p.finite_width(args.width)?;
    let sampler = PopulationSampler::new(&act, args.width, args.d, net.sigma_w2)?;
    let act = &act;
    let draws: Vec<Vec<f64>> = (0..run.samples)
        .into_par_iter()
        .map(|i| {
            let ev = sampler.sample(&mut stream(run.seed, i as u64));
            tick();
            ev
        })
        .collect::<Result<_>>()?;
    let traces: Vec<f64> = draws.iter().map(|e| e.iter().sum()).collect();
    let (tm, _) = mean_se(&traces);
    let worst = traces
        .iter()
        .map(|t| (t - p.eta()).abs())
        .fold(0.0, f64::max);
    let mut checks = vec![Check {
        rule: "every draw: |tr - η| <= 1e-10 η (exact: diagonal κ(1)/N)".into(),
        pass: worst <= 1e-10 * p.eta(),
        ..Check::statistical("total_trace", p.eta(), tm, 0.0, 0.0, 1e-10 * p.eta())
    }];
    let obs: Vec<Vec<f64>> = draws
        .iter()
        .map(|e| PopulationFim::observed(e, &pred))
        .collect();
    let z = z_crit(run.samples);
    for (j, g) in pred.iter().enumerate() {
        let (m, se) = mean_se(&obs.iter().map(|o| o[j]).collect::<Vec<_>>());
        checks.push(Check::statistical(
            &format!("trace_deg{}", g.degree),
            g.predicted,
            m,
            se,
            z,
            g.next_order,
        ));
    }
    let mut notes = vec![
        "theory per group: exact finite-d trace T_k = N(d,k) λ_k (Funk–Hecke) + second-order \
         finite-width shift δ_k; bias allowance = next-order estimate δ_k²/T_k; SE across draws, \
         Student-t critical value"
            .to_string(),
        "inputs are not sampled: the expectation over x is exact through κ (--n is unused)".into(),
    ];
    for g in &pred {
        notes.push(format!(
            "degree {}: ranks {}..{}, T_k = {:.6}, δ_k = {:+.3e}, d → ∞ trace b_k = {}",
            g.degree,
            g.first_rank,
            g.first_rank + g.count,
            g.trace,
            g.shift,
            p.groups()
                .get(g.degree)
                .and_then(|x| x.asymptotic_trace)
                .map_or("-".into(), |b| format!("{b:.6}"))
        ));
    }
    let figure = remaining_trace_figure(
        act,
        net,
        args.d,
        Some(&pred),
        draws.first().map(|v| v.as_slice()),
        args.width,
    )?;
    let report = Report::new(
        "fim-population",
        p.params(),
        sampler.describe(),
        run.seed,
        run.samples,
        checks,
        notes,
    );
    Ok((report, figure))
}

fn validate_unit_block(
    args: &FimValidateArgs,
    act: Activation,
    tick: &(dyn Fn() + Sync),
) -> Result<(Report, Figure)> {
    let (run, net) = (&args.run, &args.net);
    let sampler = UnitBlockSampler::new(act, args.d, net.sigma_w2.sqrt(), net.bias, args.n)?;
    let u = sampler.theory().clone();
    let draws: Vec<_> = (0..run.samples)
        .into_par_iter()
        .map(|i| {
            let e = sampler.sample(&mut stream(run.seed, i as u64));
            tick();
            e
        })
        .collect::<Result<_>>()?;
    let r = draws.len() as f64;
    let pooled = |f: &dyn Fn(&crate::models::fim::UnitBlockEstimate) -> (f64, f64)| {
        let (m, v) = draws
            .iter()
            .map(f)
            .fold((0.0, 0.0), |a, (x, s)| (a.0 + x, a.1 + s * s));
        (m / r, v.sqrt() / r)
    };
    let theory = [u.block[0][0], u.block[0][1], u.block[1][1]];
    let names = ["B_zz (e'Ge)", "B_z1 (e'G_x1)", "B_11 (G_11)"];
    let mut checks: Vec<Check> = (0..3)
        .map(|k| {
            let (m, se) = pooled(&|e| (e.block[k], e.block_se[k]));
            Check::statistical(names[k], theory[k], m, se, Z_MAX, 0.0)
        })
        .collect();
    if u.n > 1 {
        let (m, se) = pooled(&|e| e.bulk_mean.unwrap_or((f64::NAN, f64::NAN)));
        checks.push(Check::statistical(
            "A (tr P⊥G/(n-1))",
            u.a,
            m,
            se,
            Z_MAX,
            0.0,
        ));
    }
    let ev0 = &draws[0].eigenvalues;
    let th = u.spectrum();
    let notes = vec![
        format!(
            "each estimate is a mean of T = {} iid terms per draw; SE from the terms (CLT), pooled \
             over draws",
            args.n
        ),
        format!(
            "eigenvalue extremes of draw 0 (biased at finite T, not checked): {:.6} / {:.6} vs \
             theory {:.6} / {:.6}",
            ev0[0],
            ev0[ev0.len() - 1],
            th[0],
            th[th.len() - 1]
        ),
    ];
    let idx: Vec<f64> = (1..=th.len()).map(|k| k as f64).collect();
    let figure = Figure {
        title: format!(
            "unit block (F24) {} n={} |w|={} b={}",
            u.activation,
            u.n,
            fmt(u.w_norm),
            fmt(u.bias)
        ),
        x_label: "index (ascending)".into(),
        y_label: "eigenvalue of G".into(),
        curves: vec![
            Curve {
                label: format!("Monte Carlo (T = {}, draw 0)", args.n),
                xs: idx.clone(),
                ys: ev0.clone(),
            },
            Curve {
                label: "theory".into(),
                xs: idx,
                ys: th,
            },
        ],
        ..Figure::default()
    };
    let report = Report::new(
        "fim-unit-block",
        serde_json::to_value(&u).map_err(|e| Error::Domain(e.to_string()))?,
        sampler.describe(),
        run.seed,
        run.samples,
        checks,
        notes,
    );
    Ok((report, figure))
}
