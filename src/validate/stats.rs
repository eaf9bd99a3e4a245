//! Statistics shared by every validator: empirical CDFs, Kolmogorov–Smirnov distance, histograms,
//! means with standard errors.

use serde::{Deserialize, Serialize};

/// Kolmogorov–Smirnov distance `sup_x |F_n(x) - F(x)|` between the empirical CDF of `sorted` (ascending)
/// and a theoretical CDF. Evaluates both one-sided gaps at every sample point, so atoms in `F` (jumps)
/// are handled: `cdf(x)` must be right-continuous and `cdf_left(x)` its left limit.
pub fn ks_distance<F, G>(sorted: &[f64], cdf: F, cdf_left: G) -> f64
where
    F: Fn(f64) -> f64,
    G: Fn(f64) -> f64,
{
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        // group ties (atoms give many equal samples)
        let x = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == x {
            j += 1;
        }
        let below = i as f64 / n;
        let upto = j as f64 / n;
        d = d
            .max((upto - cdf(x)).abs())
            .max((below - cdf_left(x)).abs());
        i = j;
    }
    d
}

/// Asymptotic critical value of the one-sample KS statistic at level `level` (0.001, 0.01 or 0.05) for
/// `n` iid samples: `c(level) / sqrt(n)` with c = 1.949, 1.628, 1.358 (Kolmogorov distribution).
pub fn ks_critical(n: f64, level: f64) -> f64 {
    let c = if level <= 0.001 {
        1.949
    } else if level <= 0.01 {
        1.628
    } else {
        1.358
    };
    c / n.max(1.0).sqrt()
}

pub use crate::numerics::mcmc::mean_se;

/// A normalised histogram (density scale: integrates to the fraction of samples inside the range).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Histogram {
    /// Bin edges (`bins + 1` values).
    pub edges: Vec<f64>,
    /// Density in each bin.
    pub density: Vec<f64>,
    /// Poisson standard error of each bin's density.
    pub std_error: Vec<f64>,
    /// Counts.
    pub counts: Vec<u64>,
    /// Total number of samples (including those outside the range).
    pub total: u64,
}

impl Histogram {
    /// Histogram of `values` with `bins` equal bins on `[lo, hi]`.
    pub fn new(values: &[f64], lo: f64, hi: f64, bins: usize) -> Self {
        let bins = bins.max(1);
        let w = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        for &v in values {
            if v >= lo && v <= hi && w > 0.0 {
                let k = (((v - lo) / w) as usize).min(bins - 1);
                counts[k] += 1;
            }
        }
        let total = values.len() as u64;
        let norm = (total.max(1) as f64) * w;
        Histogram {
            edges: (0..=bins).map(|k| lo + w * k as f64).collect(),
            density: counts.iter().map(|&c| c as f64 / norm).collect(),
            std_error: counts.iter().map(|&c| (c as f64).sqrt() / norm).collect(),
            counts,
            total,
        }
    }

    /// Histogram of `values` on given increasing bin `edges` (at least two); a value on an inner
    /// edge goes to the bin on its right, the last edge belongs to the last bin. The density of bin
    /// `k` is its count over `total · (edges[k+1] − edges[k])`.
    pub fn with_edges(values: &[f64], edges: Vec<f64>) -> Self {
        let bins = edges.len().saturating_sub(1).max(1);
        let mut counts = vec![0u64; bins];
        if edges.len() >= 2 {
            let (lo, hi) = (edges[0], edges[edges.len() - 1]);
            for &v in values {
                if v >= lo && v <= hi {
                    let k = edges.partition_point(|&e| e <= v).saturating_sub(1);
                    counts[k.min(bins - 1)] += 1;
                }
            }
        }
        let total = values.len() as u64;
        let n = total.max(1) as f64;
        let widths: Vec<f64> = edges.windows(2).map(|e| e[1] - e[0]).collect();
        Histogram {
            density: counts
                .iter()
                .zip(&widths)
                .map(|(&c, w)| c as f64 / (n * w))
                .collect(),
            std_error: counts
                .iter()
                .zip(&widths)
                .map(|(&c, w)| (c as f64).sqrt() / (n * w))
                .collect(),
            edges,
            counts,
            total,
        }
    }

    /// Bin edges that never straddle a support edge: each component `[a, b]` gets
    /// `max(2, round(bins · (b − a)/Σ widths))` equal bins with `a` and `b` among the edges; each gap
    /// between components is one bin, and so are `[lo, a₁]` and `[b_last, hi]` outside the support
    /// (where finite-size eigenvalues spill). Without components: `bins` equal bins on `[lo, hi]`.
    pub fn support_edges(components: &[(f64, f64)], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
        let total: f64 = components.iter().map(|c| (c.1 - c.0).max(0.0)).sum();
        if components.is_empty()
            || total <= 0.0
            || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        {
            let bins = bins.max(1);
            let w = (hi - lo) / bins as f64;
            return (0..=bins).map(|k| lo + w * k as f64).collect();
        }
        let mut edges = Vec::with_capacity(bins + 2 * components.len() + 2);
        if lo < components[0].0 {
            edges.push(lo);
        }
        for &(a, b) in components {
            if b <= a {
                continue;
            }
            let k = ((bins as f64 * (b - a) / total).round() as usize).max(2);
            for j in 0..=k {
                let e = a + (b - a) * j as f64 / k as f64;
                if edges.last().is_none_or(|&last| e > last) {
                    edges.push(e);
                }
            }
        }
        if edges.last().is_some_and(|&last| hi > last) {
            edges.push(hi);
        }
        edges
    }

    /// Bin centres.
    pub fn centers(&self) -> Vec<f64> {
        self.edges.windows(2).map(|e| 0.5 * (e[0] + e[1])).collect()
    }

    /// L1 distance `Σ_k |h_k - p_k| w_k` to bin masses `p_k / w_k` of a theory (`bin_mass[k]` = theoretical
    /// mass of bin k).
    pub fn l1_distance(&self, bin_mass: &[f64]) -> f64 {
        let total = self.total.max(1) as f64;
        self.counts
            .iter()
            .zip(bin_mass)
            .map(|(&c, &p)| (c as f64 / total - p).abs())
            .sum()
    }
}

/// Expected L1 distance between an empirical histogram of `n` iid samples and the true bin masses `p`:
/// `Σ_k sqrt(2 p_k (1 - p_k) / (π n))` (each bin count ~ Binomial; E|X - EX| ≈ sqrt(2 Var/π)).
pub fn l1_expected(bin_mass: &[f64], n: f64) -> f64 {
    bin_mass
        .iter()
        .map(|&p| {
            (2.0 * p.clamp(0.0, 1.0) * (1.0 - p.clamp(0.0, 1.0)) / (std::f64::consts::PI * n))
                .sqrt()
        })
        .sum()
}
