//! Validation of the population FIM at infinite width (degree groups, F23) and of the single-unit
//! block (F24): `validate fim|ck --limit population` samples `κ(W̃W̃ᵀ)/N` (`--width`, `--d`),
//! `validate fim --limit unit-block` samples `Ĝ` from `--n` inputs per draw (`--d` inputs,
//! `|w| = √σ_w²`, `--bias`); and the remaining-trace figure shared with `spectrum`.
//! docs/models/fim.md "Population FIM".

use super::params::{PopulationCheck, UnitBlockCheck};
use crate::error::{Error, Result};
use crate::model::Sampler;
use crate::models::fim::population::GroupPrediction;
use crate::models::fim::{
    Activation, PopulationFim, PopulationSampler, UnitBlock, UnitBlockEstimate, UnitBlockSampler,
};
use crate::output::{fmt, RunArgs};
use crate::plot::{Curve, Figure};
use crate::rng::stream;
use crate::validate::report::{z_crit, Check, Report, Z_MAX};
use crate::validate::stats::mean_se;
use rayon::prelude::*;

/// Trace not yet captured by the top `r` eigenvalues, `η - Σ_{i<=r} λ_i`, against log10(r): theory
/// (finite d, N = ∞; degrees up to 16), the d → ∞ traces b_k (degrees <= 8), and a sampled spectrum.
pub fn remaining_trace_figure(
    act: &Activation,
    sigma_w2: f64,
    max_degree: usize,
    d: usize,
    pred: Option<&[GroupPrediction]>,
    sample: Option<&[f64]>,
    width: usize,
) -> Result<Figure> {
    let full = PopulationFim::new(act, d, sigma_w2, max_degree.max(16))?;
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
            fmt(sigma_w2)
        ),
        x_label: "log10(rank r)".into(),
        y_label: "eta - (sum of the top r eigenvalues)".into(),
        curves,
        ..Figure::default()
    })
}

/// The checks of `validate fim|ck --limit population` on sampled spectra `draws` of `κ(W̃W̃ᵀ)/N` at
/// width `width`: `trace_sq`, the second moment `E tr F²` (exact at every width), and `trace_deg{k}`,
/// the trace of every resolved degree group `pred` (from [`PopulationFim::finite_width`]) with its
/// next-order bias allowance; SE across draws with the Student-t critical value. The theory `p` may
/// have other parameters than the sampled weights (the power table perturbs them).
pub fn population_checks(
    p: &PopulationFim,
    pred: &[GroupPrediction],
    width: usize,
    draws: &[Vec<f64>],
) -> Vec<Check> {
    let samples = draws.len();
    // The total trace is η for ANY weights (the diagonal κ(1)/N): a consistency check of the sampler
    // that cannot fail, reported as a note by the caller. The check is the second moment E tr F² (exact at every
    // width N, it depends on the weights' overlaps): `PopulationFim::expected_trace_sq`.
    let trace_sq: Vec<f64> = draws
        .iter()
        .map(|e| e.iter().map(|x| x * x).sum())
        .collect();
    let (m2, se2) = mean_se(&trace_sq);
    let se2 = if se2.is_finite() { se2 } else { 0.0 };
    let z2 = if samples >= 2 { z_crit(samples) } else { Z_MAX };
    let mut checks = vec![Check {
        rule: format!(
            "E tr F^2 = kappa(1)^2/N + (1 - 1/N) E_t[kappa(t)^2] (exact at width N): \
             |obs - theory| <= {z2:.2} x SE({se2:.2e}) (SE across draws)"
        ),
        ..Check::statistical(
            "trace_sq",
            p.expected_trace_sq(width),
            m2,
            se2,
            z2,
            1e-12 * m2.abs(),
        )
    }];
    let obs: Vec<Vec<f64>> = draws
        .iter()
        .map(|e| PopulationFim::observed(e, pred))
        .collect();
    let z = z_crit(samples);
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
    checks
}

/// `validate fim|ck --limit population`: the group traces of sampled `κ(W̃W̃ᵀ)/N` against the finite-d
/// theory with its finite-width shift; the report and the remaining-trace figure.
pub fn validate_population(
    args: &PopulationCheck,
    run: &RunArgs,
    act: Activation,
    tick: &(dyn Fn() + Sync),
) -> Result<(Report, Figure)> {
    let p = PopulationFim::new(&act, args.d, args.sigma_w2, args.max_degree)?;
    let pred = p.finite_width(args.width)?;
    let sampler = PopulationSampler::new(&act, args.width, args.d, args.sigma_w2)?;
    let act = &act;
    let draws: Vec<Vec<f64>> = (0..run.samples)
        .into_par_iter()
        .map(|i| {
            let ev = sampler.sample(&mut stream(run.seed, i as u64));
            tick();
            ev
        })
        .collect::<Result<_>>()?;
    let checks = population_checks(&p, &pred, args.width, &draws);
    let worst = draws
        .iter()
        .map(|e| (e.iter().sum::<f64>() - p.eta()).abs())
        .fold(0.0, f64::max);
    let mut notes = vec![
        "theory per group: exact finite-d trace T_k = N(d,k) λ_k (Funk–Hecke) + second-order \
         finite-width shift δ_k; bias allowance = next-order estimate δ_k²/T_k; SE across draws, \
         Student-t critical value"
            .to_string(),
        "inputs are not sampled: the expectation over x is exact through κ (--n is unused)".into(),
        format!(
            "total trace η = {:.6} for any weights (not a check): largest |tr - η| over the draws {worst:.1e}",
            p.eta()
        ),
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
        args.sigma_w2,
        args.max_degree,
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

/// `validate fim --limit unit-block`: the pooled block entries of `Ĝ` (from `--n` inputs per draw)
/// against the unit block; the report and the eigenvalue figure of draw 0.
pub fn validate_unit_block(
    args: &UnitBlockCheck,
    run: &RunArgs,
    act: Activation,
    tick: &(dyn Fn() + Sync),
) -> Result<(Report, Figure)> {
    let sampler = UnitBlockSampler::new(act, args.d, args.sigma_w2.sqrt(), args.bias, args.n)?;
    let u = sampler.theory().clone();
    let draws: Vec<_> = (0..run.samples)
        .into_par_iter()
        .map(|i| {
            let e = sampler.sample(&mut stream(run.seed, i as u64));
            tick();
            e
        })
        .collect::<Result<_>>()?;
    let checks = unit_block_checks(&u, &draws);
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

/// The checks of `validate fim --limit unit-block`: the block entries `B_zz`, `B_z1`, `B_11` of `Ĝ` and
/// (for `n > 1`) the bulk mean `A = tr P⊥G/(n−1)`, each pooled over the draws (mean of the draws'
/// means, SE from the terms of every draw) against the unit block `u`, `|obs − th| ≤ 4 SE`.
pub fn unit_block_checks(u: &UnitBlock, draws: &[UnitBlockEstimate]) -> Vec<Check> {
    let r = draws.len() as f64;
    let pooled = |f: &dyn Fn(&UnitBlockEstimate) -> (f64, f64)| {
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
    checks
}
