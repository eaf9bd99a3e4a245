//! Exact finite-width posterior of a single-output Bayesian deep linear network
//! (docs/models/bayes.md (F17–F20)).
//!
//! Given the scalar mixing variable `q = Lambda prod_l chi2_{N_l}/N_l` (F4), the outputs are a GP with
//! kernel `q C`, so the posterior over `q` is one-dimensional:
//! `p(q | y) ∝ rho(q) N(y; 0, T + qC)` (F17), and the predictive law at a test point is the mixture of the
//! GP predictors F18 over it: mean `E[m(q)]`, variance `E[V(q)] + Var[m(q)]` (F19).
//!
//! Numerics: the prior density of `v = ln q - ln Lambda` is the convolution of the densities of
//! `ln(chi2_N/N)`, `p(v) = (N/2)^{N/2}/Gamma(N/2) exp((N/2)(v - e^v))`, each tabulated on a uniform grid
//! (cut where it falls below `e^{-45}` of its mode; step `min_l sd_l / 40`) and convolved discretely
//! (trapezoidal rule, spectrally accurate for these smooth, fast-decaying densities). Posterior weights
//! use log-sum-exp.

use super::dln::BayesDln;
use super::gp::{EigenGram, Prediction};
use crate::error::{Error, Result};
use serde::Serialize;
use statrs::function::gamma::ln_gamma;

/// Exact posterior summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactPosterior {
    /// Posterior mean `E[q | y]` of the kernel scale.
    pub mean_q: f64,
    /// Predictive mean and variance at the test points (mixture F19).
    pub prediction: Prediction,
    /// `ln p(y)`, the log evidence of the finite network.
    pub log_evidence: f64,
    /// Number of grid points in `ln q`.
    pub grid_points: usize,
}

fn log_density_lnchi2(n: f64, v: f64) -> f64 {
    let k = n / 2.0;
    k * k.ln() - ln_gamma(k) + k * (v - v.exp())
}

/// Where `(N/2)(v - e^v + 1)` drops to `-45` on the side `sign` (bisection; monotone on each side).
fn cut(n: f64, sign: f64) -> f64 {
    let f = |v: f64| n / 2.0 * (v - v.exp() + 1.0) + 45.0;
    let (mut a, mut b) = (0.0, sign);
    while f(b) > 0.0 {
        b *= 2.0;
    }
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if f(m) > 0.0 {
            a = m;
        } else {
            b = m;
        }
    }
    b
}

/// Prior density of `v = sum_l ln(chi2_{N_l}/N_l)` on a uniform grid: `(v_0, h, density)`.
pub fn log_q_prior_grid(widths: &[usize]) -> Result<(f64, f64, Vec<f64>)> {
    let sd = |n: f64| (2.0 / n).sqrt() * (1.0 + 1.0 / n);
    let h = widths
        .iter()
        .map(|&n| sd(n as f64))
        .fold(f64::INFINITY, f64::min)
        / 40.0;
    let mut total = 0usize;
    let mut start = 0.0;
    let mut dens: Vec<f64> = vec![];
    for (k, &n) in widths.iter().enumerate() {
        let n = n as f64;
        let (lo, hi) = (cut(n, -1.0), cut(n, 1.0));
        let m = ((hi - lo) / h).ceil() as usize + 1;
        total += m;
        if total > 400_000 {
            return Err(Error::Domain(format!(
                "exact posterior grid would need {total} points in ln q (too many layers or too different widths); \
                 use the Gibbs sampler instead"
            )));
        }
        let p: Vec<f64> = (0..m)
            .map(|i| log_density_lnchi2(n, lo + i as f64 * h).exp())
            .collect();
        if k == 0 {
            start = lo;
            dens = p;
        } else {
            let mut c = vec![0.0; dens.len() + m - 1];
            for (i, &a) in dens.iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for (j, &b) in p.iter().enumerate() {
                    c[i + j] += a * b * h;
                }
            }
            start += lo;
            dens = c;
        }
    }
    Ok((start, h, dens))
}

/// Exact posterior of the finite-width network (single output, `T > 0`).
pub fn exact_posterior(model: &BayesDln, eg: &EigenGram) -> Result<ExactPosterior> {
    eg.require_single_output("the exact scalar-mixing posterior")?;
    let t = model.temperature;
    if t <= 0.0 {
        return Err(Error::param(
            "temperature",
            t,
            "> 0 for the exact finite-width posterior",
        ));
    }
    let (v0, h, dens) = log_q_prior_grid(&model.widths)?;
    let ln_lambda = model.lambda().ln();
    let mut logw = Vec::with_capacity(dens.len());
    let mut qs = Vec::with_capacity(dens.len());
    for (i, &d) in dens.iter().enumerate() {
        let q = (ln_lambda + v0 + i as f64 * h).exp();
        qs.push(q);
        logw.push(if d > 0.0 {
            d.ln() + eg.log_evidence(q, t)
        } else {
            f64::NEG_INFINITY
        });
    }
    let mx = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !mx.is_finite() {
        return Err(Error::Domain(
            "exact posterior: likelihood underflows on the whole grid".into(),
        ));
    }
    let w: Vec<f64> = logw.iter().map(|&l| (l - mx).exp()).collect();
    let z: f64 = w.iter().sum();
    let log_evidence = mx + (z * h).ln();
    let pt = eg.c00.len();
    let (mut em, mut em2, mut ev) = (vec![0.0; pt], vec![0.0; pt], vec![0.0; pt]);
    let mut eq = 0.0;
    for (&wi, &q) in w.iter().zip(&qs) {
        if wi < 1e-300 {
            continue;
        }
        let wi = wi / z;
        eq += wi * q;
        let (m, v) = eg.predict_raw(q, t);
        for k in 0..pt {
            em[k] += wi * m[k];
            em2[k] += wi * m[k] * m[k];
            ev[k] += wi * v[k];
        }
    }
    let var: Vec<f64> = (0..pt)
        .map(|k| ev[k] + (em2[k] - em[k] * em[k]).max(0.0))
        .collect();
    let y0: Vec<f64> = eg.y0.iter().map(|r| r[0]).collect();
    Ok(ExactPosterior {
        mean_q: eq,
        prediction: Prediction::new(em, var, &y0),
        log_evidence,
        grid_points: dens.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::data::{make_ds, tiny};
    use super::*;

    fn eg_of(ds: &super::super::data::Dataset) -> EigenGram {
        EigenGram::new(&ds.gram(1.0).unwrap()).unwrap()
    }

    /// Reference TINY table (docs/models/bayes.md, "Reference numbers"), exact finite-N columns.
    #[test]
    fn tiny_exact_reference_numbers() {
        let eg = eg_of(&tiny(1).unwrap());
        #[rustfmt::skip]
        let table = [
            (10, 1, 0.98179574, 0.63808301, 0.58352840, 0.60259532),
            (10, 2, 0.97021167, 0.62823499, 0.57784732, 0.59429154),
            (10, 3, 0.96203158, 0.62042947, 0.57402502, 0.58852827),
            (3, 1, 1.00704610, 0.62253820, 0.59990493, 0.61492054),
            (3, 2, 1.00003721, 0.60614484, 0.59807726, 0.60934399),
            (3, 3, 0.99176059, 0.59479712, 0.59517948, 0.60416597),
        ];
        for (n, l, eq, m, v, e) in table {
            let ex = exact_posterior(&BayesDln::equal(n, l, 0.1).unwrap(), &eg).unwrap();
            // L = 1: the reference was confirmed by quadrature, agreement to its 8 digits. L >= 2: the
            // reference came from a coarser log-chi2 grid; our grid is converged (refining 4x changes
            // nothing at 1e-15) and matches a nested adaptive quadrature to 1e-10
            // (grid_matches_nested_quadrature_for_two_layers), so the reference is good to ~1e-7.
            let tol = if l == 1 { 6e-9 } else { 1.2e-7 };
            assert!((ex.mean_q - eq).abs() < tol, "{n} {l}: E q {}", ex.mean_q);
            assert!((ex.prediction.mean[0] - m).abs() < tol);
            assert!((ex.prediction.var[0] - v).abs() < tol);
            assert!((ex.prediction.eps_g - e).abs() < tol);
        }
        // prior-scale convention: lambda_0 = 2, lambda_1 = lambda_2 = 0.5
        let eg2 = EigenGram::new(&tiny(1).unwrap().gram(0.5).unwrap()).unwrap();
        let ex = exact_posterior(
            &BayesDln::new(vec![10, 10], vec![2.0, 2.0], 0.1).unwrap(),
            &eg2,
        )
        .unwrap();
        assert!((ex.prediction.mean[0] - 0.66468169).abs() < 6e-9);
        assert!((ex.prediction.var[0] - 0.94743949).abs() < 6e-9);
    }

    /// L = 1: the grid agrees with adaptive quadrature in q against the Gamma(N/2, N/2) prior.
    #[test]
    fn grid_matches_quadrature_for_one_layer() {
        let eg = eg_of(&tiny(1).unwrap());
        let n: f64 = 4.0;
        let k: f64 = n / 2.0;
        let post = |q: f64, f: &dyn Fn(f64) -> f64| {
            let lp = k * k.ln() - ln_gamma(k) + (k - 1.0) * q.ln() - k * q;
            (lp + eg.log_evidence(q, 0.1)).exp() * f(q)
        };
        let z = crate::numerics::quad::integrate(|q| post(q, &|_| 1.0), 0.0, 60.0, 1e-13).unwrap();
        let eq =
            crate::numerics::quad::integrate(|q| post(q, &|q| q), 0.0, 60.0, 1e-13).unwrap() / z;
        let ex = exact_posterior(&BayesDln::equal(4, 1, 0.1).unwrap(), &eg).unwrap();
        assert!((ex.mean_q - eq).abs() < 1e-10, "{} vs {eq}", ex.mean_q);
        assert!((ex.log_evidence - z.ln()).abs() < 1e-10);
    }

    /// Section 2.5 convergence table: saddle vs exact at fixed alpha, make_ds(P, 5, 2P, 2024), T = 0.1.
    /// Asserts the reference numbers and that the gap shrinks like 1/N over three widths
    /// (N * gap stays within a factor 2 while N grows 4x), and that the NNGP is measurably worse.
    #[test]
    fn saddle_error_shrinks_like_one_over_n() {
        #[rustfmt::skip]
        let table = [
            (1, 2.0, 20, 0.782105, 0.483402, 0.499463), (1, 2.0, 40, 0.751194, 0.617357, 0.625322), (1, 2.0, 80, 0.844482, 0.603812, 0.608033),
            (2, 0.5, 20, 0.846537, 0.510211, 0.515883), (2, 0.5, 40, 0.825515, 0.647322, 0.650241), (2, 0.5, 80, 0.889929, 0.625738, 0.627093),
        ];
        let mut scaled = vec![];
        for (l, alpha, p, q, es, ee) in table {
            let eg = eg_of(&make_ds(p, 5, 2 * p, 2024).unwrap());
            let n = (p as f64 / alpha) as usize;
            let m = BayesDln::equal(n, l, 0.1).unwrap();
            let sp = m.saddle(&eg).unwrap();
            let ex = exact_posterior(&m, &eg).unwrap();
            let nngp = m.nngp(&eg).unwrap();
            assert!((sp.root.q - q).abs() < 1e-6 && (sp.prediction.eps_g - es).abs() < 1e-6);
            assert!(
                (ex.prediction.eps_g - ee).abs() < 1e-6,
                "exact {}",
                ex.prediction.eps_g
            );
            let gap = (sp.prediction.eps_g - ex.prediction.eps_g).abs();
            let gap_nngp = (nngp.eps_g - ex.prediction.eps_g).abs();
            if alpha >= 1.0 {
                assert!(
                    gap_nngp > 2.0 * gap,
                    "NNGP gap {gap_nngp} vs saddle gap {gap}"
                );
            }
            scaled.push(n as f64 * gap);
        }
        for s in scaled.chunks(3) {
            let (lo, hi) = s
                .iter()
                .fold((f64::INFINITY, 0.0f64), |a, &b| (a.0.min(b), a.1.max(b)));
            assert!(hi / lo < 2.0, "N * gap not stable: {s:?}");
        }
    }

    /// L = 2: the convolution grid agrees with a nested adaptive quadrature over (q1, q2).
    #[test]
    fn grid_matches_nested_quadrature_for_two_layers() {
        use crate::numerics::quad::integrate;
        let eg = eg_of(&tiny(1).unwrap());
        let k: f64 = 5.0; // N = 10
        let lg = |q: f64| k * k.ln() - ln_gamma(k) + (k - 1.0) * q.ln() - k * q;
        let moment = |pow: i32| {
            integrate(
                |a| {
                    integrate(
                        |b| (lg(a) + lg(b) + eg.log_evidence(a * b, 0.1)).exp() * (a * b).powi(pow),
                        0.0,
                        12.0,
                        1e-14,
                    )
                    .unwrap()
                },
                0.0,
                12.0,
                1e-13,
            )
            .unwrap()
        };
        let eq = moment(1) / moment(0);
        let ex = exact_posterior(&BayesDln::equal(10, 2, 0.1).unwrap(), &eg).unwrap();
        assert!(
            (ex.mean_q - eq).abs() < 1e-10,
            "grid {} vs nested quadrature {eq}",
            ex.mean_q
        );
    }

    #[test]
    fn exact_requires_positive_temperature() {
        let eg = eg_of(&tiny(1).unwrap());
        assert!(exact_posterior(&BayesDln::equal(3, 1, 0.0).unwrap(), &eg).is_err());
    }
}
