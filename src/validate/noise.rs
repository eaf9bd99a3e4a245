//! Honest Monte Carlo noise of the spectral statistics, measured from the spread *across draws*.
//!
//! Eigenvalues of one random matrix are rigid: the empirical CDF of one draw fluctuates like
//! `O(log n / n)`, far less than the `1/√n` of `n` independent points. The old rule (the i.i.d.
//! Kolmogorov value `1.949/√N` for `N` pooled eigenvalues) therefore overstated the noise by an order of
//! magnitude. Here the noise of every pooled statistic is estimated from the `S` independent draws:
//!
//! * **sup distances** (KS): with `F_s` the empirical CDF of draw `s` and `F̄` the pooled one, the
//!   per-draw deviation `D'_s = sup_x |F_s(x) − F̄(x)|` estimates the size of one draw's fluctuation
//!   process; `σ̂ = mean_s D'_s · √(S/(S−1))` corrects for the pooled mean having been subtracted, and the
//!   noise of the pooled CDF (the mean of `S` independent fluctuations) is `σ̂/√S`. The tolerance allows
//!   [`K_SUP`]` · σ̂/√S`: for a Brownian bridge the 99.9% quantile of the sup is 1.949 and its mean
//!   0.8687 (ratio 2.24); 2.5 also covers the estimation error of `σ̂` from few draws.
//! * **L1 histogram distances**: the same construction with `L1'_s = Σ_k |p_{s,k} − p̄_k|` (bin
//!   fractions of draw `s` vs pooled); the L1 of a sum of many bins concentrates, so [`K_L1`]` = 2` times
//!   its mean is far in the tail.
//! * **means of per-draw values** (moments, atom masses): the standard error across draws times the
//!   Student-t quantile [`t_quantile`] at the two-sided level [`LEVEL`] with `S − 1` degrees of freedom;
//!   where the variance of a linear spectral statistic is known in closed form
//!   ([`crate::model::SpectralModel::lss_variance`], e.g. Marchenko–Pastur, Bai & Silverstein 2004) the
//!   known standard error is used with the normal quantile instead.
//!
//! With one draw (`S = 1`) no spread can be measured; the conservative i.i.d. formulas are used and the
//! report says so.

use super::stats;

/// Two-sided level of each check (false-fail probability of one check at a true law, before the bias
/// allowance). With ~5 checks a report falsely fails with probability `<= 0.5%`.
pub const LEVEL: f64 = 1e-3;

/// Multiple of the estimated sup-noise `σ̂/√S` allowed for a pooled KS distance (see module docs).
pub const K_SUP: f64 = 2.5;

/// Multiple of the estimated L1 noise `σ̂/√S` allowed for a pooled histogram L1 distance.
pub const K_L1: f64 = 2.0;

/// Two-sided quantile of Student's t with `samples − 1` degrees of freedom at level `level`
/// (`samples = 4`, `level = 1e-3`: 12.92; 8: 5.41; 10: 4.78; many: 3.29). Infinite for one sample.
pub fn t_quantile(samples: usize, level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if samples < 2 {
        return f64::INFINITY;
    }
    let p = 1.0 - 0.5 * level.clamp(1e-12, 0.5);
    match StudentsT::new(0.0, 1.0, (samples - 1) as f64) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => Normal::new(0.0, 1.0)
            .map(|n| n.inverse_cdf(p))
            .unwrap_or(3.29),
    }
}

/// Two-sided normal quantile at level `level` (1e-3: 3.29).
pub fn z_quantile(level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let p = 1.0 - 0.5 * level.clamp(1e-12, 0.5);
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(p))
        .unwrap_or(3.29)
}

/// `(F(x−), F(x))` at each distinct pooled point.
type Steps = Vec<(f64, f64)>;

/// Empirical CDFs of every draw and of the pooled sample, evaluated just below and at each distinct
/// pooled point. Returns `(points, pooled, per_draw)` where `pooled[j] = (F̄(x_j−), F̄(x_j))` and
/// `per_draw[s][j]` likewise for draw `s`. Draws must be sorted ascending.
fn cdfs(draws: &[Vec<f64>]) -> (Vec<f64>, Steps, Vec<Steps>) {
    let mut pooled: Vec<f64> = draws.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    pooled.dedup();
    let total: usize = draws.iter().map(Vec::len).sum();
    let mut idx = vec![0usize; draws.len()];
    let mut per: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(pooled.len()); draws.len()];
    let mut pool = Vec::with_capacity(pooled.len());
    for &x in &pooled {
        let (mut below, mut upto) = (0usize, 0usize);
        for (s, d) in draws.iter().enumerate() {
            let lo = idx[s];
            let mut hi = lo;
            while hi < d.len() && d[hi] <= x {
                hi += 1;
            }
            idx[s] = hi;
            below += lo;
            upto += hi;
            let len = d.len().max(1) as f64;
            per[s].push((lo as f64 / len, hi as f64 / len));
        }
        let t = total.max(1) as f64;
        pool.push((below as f64 / t, upto as f64 / t));
    }
    (pooled, pool, per)
}

/// The noise scale `σ̂/√S` of the pooled KS distance, estimated from the spread of the draws' CDFs
/// around the pooled CDF (module docs). `None` for fewer than two draws. Draws must be sorted.
pub fn ks_noise(draws: &[Vec<f64>]) -> Option<f64> {
    let s = draws.len();
    if s < 2 {
        return None;
    }
    let (_, pool, per) = cdfs(draws);
    let sups: Vec<f64> = per
        .iter()
        .map(|p| {
            p.iter()
                .zip(&pool)
                .map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs()))
                .fold(0.0, f64::max)
        })
        .collect();
    let sf = s as f64;
    let sigma = sups.iter().sum::<f64>() / sf * (sf / (sf - 1.0)).sqrt();
    Some(sigma / sf.sqrt())
}

/// The noise scale `σ̂/√S` of the pooled histogram L1 distance, from per-draw bin fractions
/// (`counts[s][k]` = count of draw `s` in bin `k`, `sizes[s]` = its number of eigenvalues).
pub fn l1_noise(counts: &[Vec<u64>], sizes: &[usize]) -> Option<f64> {
    let s = counts.len();
    if s < 2 || sizes.len() != s {
        return None;
    }
    let bins = counts[0].len();
    let total: usize = sizes.iter().sum();
    let pooled: Vec<f64> = (0..bins)
        .map(|k| counts.iter().map(|c| c[k]).sum::<u64>() as f64 / total.max(1) as f64)
        .collect();
    let sf = s as f64;
    let mean_dev = counts
        .iter()
        .zip(sizes)
        .map(|(c, &n)| {
            c.iter()
                .zip(&pooled)
                .map(|(&ck, &p)| (ck as f64 / n.max(1) as f64 - p).abs())
                .sum::<f64>()
        })
        .sum::<f64>()
        / sf;
    Some(mean_dev * (sf / (sf - 1.0)).sqrt() / sf.sqrt())
}

/// Per-draw KS distances `sup_x |F_s(x) − F(x)|` of sorted draws to a theoretical CDF.
pub fn per_draw_ks<F, G>(draws: &[Vec<f64>], cdf: F, cdf_left: G) -> Vec<f64>
where
    F: Fn(f64) -> f64,
    G: Fn(f64) -> f64,
{
    draws
        .iter()
        .map(|d| stats::ks_distance(d, &cdf, &cdf_left))
        .collect()
}
