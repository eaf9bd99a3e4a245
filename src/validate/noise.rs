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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sampler;
    use crate::models::mp::{MarchenkoPastur, WishartSampler};
    use crate::spectral::{SpectralDensity, DEFAULT_NODES};

    #[test]
    fn quantiles_match_tables() {
        // scipy.stats.t.ppf(1 - 5e-4, df): df 3 -> 12.924, df 7 -> 5.408, df 9 -> 4.781
        assert!(
            (t_quantile(4, 1e-3) - 12.924).abs() < 2e-3,
            "{}",
            t_quantile(4, 1e-3)
        );
        assert!((t_quantile(8, 1e-3) - 5.408).abs() < 2e-3);
        assert!((t_quantile(10, 1e-3) - 4.781).abs() < 2e-3);
        assert!((z_quantile(1e-3) - 3.2905).abs() < 1e-3);
        assert!(t_quantile(1, 1e-3).is_infinite());
    }

    #[test]
    fn sup_noise_of_iid_uniform_points_is_kolmogorov() {
        // S draws of n iid uniforms: the pooled CDF error is a Brownian bridge / sqrt(S n); its sup has
        // mean 0.8687 / sqrt(S n). The estimator must recover that (within its own ~10% spread).
        let (s, n) = (16, 400);
        let mut rng = crate::rng::stream(3, 0);
        let draws: Vec<Vec<f64>> = (0..s)
            .map(|_| {
                let mut v: Vec<f64> = (0..n)
                    .map(|_| 0.5 * (1.0 + libm_erf(crate::rng::normals(&mut rng, 1)[0])))
                    .collect();
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        let noise = ks_noise(&draws).unwrap();
        let expect = 0.8687 / ((s * n) as f64).sqrt();
        assert!((noise / expect - 1.0).abs() < 0.2, "{noise} vs {expect}");
    }

    fn libm_erf(x: f64) -> f64 {
        statrs::function::erf::erf(x / std::f64::consts::SQRT_2)
    }

    #[test]
    fn rigid_spectra_fluctuate_far_less_than_iid_points() {
        // Wishart n = 200, c = 0.5: the measured noise of the pooled CDF is several times below the iid
        // Kolmogorov mean 0.8687/sqrt(N), and the pooled KS of the true law lies within K_SUP of it
        // (plus the O(1/n) rigidity floor of a single draw's CDF steps).
        let (s, n) = (8usize, 200usize);
        let sampler = WishartSampler::new(n, 400, 1.0).unwrap();
        let law =
            SpectralDensity::from_model(&MarchenkoPastur::new(0.5, 1.0).unwrap(), DEFAULT_NODES)
                .unwrap();
        let draws: Vec<Vec<f64>> = (0..s)
            .map(|i| {
                let mut v = sampler
                    .sample(&mut crate::rng::stream(11, i as u64))
                    .unwrap();
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        let noise = ks_noise(&draws).unwrap();
        let iid = 0.8687 / ((s * n) as f64).sqrt();
        assert!(noise < 0.5 * iid, "noise {noise} vs iid {iid}");
        let mut pooled: Vec<f64> = draws.concat();
        pooled.sort_by(f64::total_cmp);
        let ks = stats::ks_distance(&pooled, |x| law.cdf(x), |x| law.cdf_left(x));
        assert!(
            ks <= K_SUP * noise + 1.0 / n as f64,
            "ks {ks} noise {noise}"
        );
        let per = per_draw_ks(&draws, |x| law.cdf(x), |x| law.cdf_left(x));
        assert!(per.iter().all(|&d| d > 0.0 && d < 0.05), "{per:?}");
    }
}
