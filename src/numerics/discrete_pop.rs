//! Exact support of the Marchenko–Pastur map of a **discrete** population: the limit law of
//! `Φᵀ Φ / N` when the `N` rows of `Φ` have covariance `K` with eigenvalues `λ_1, …, λ_n` (the
//! fixed-data conjugate-kernel law, a population matrix with atoms).
//!
//! The `N × N` companion solves `m = 1/(-z + (1/N) Σ_j λ_j/(1 + λ_j m))`. On the real axis, with
//! `m = -1/u` (`u ∉ {λ_j}`), its inverse is
//!
//! ```text
//! x(u) = u + (u/N) Σ_j λ_j/(u - λ_j),     x'(u) = 1 - f(u),     f(u) = (1/N) Σ_j λ_j²/(u - λ_j)²,
//! ```
//!
//! and (Silverstein–Choi) `x` lies outside the support iff `x = x(u)` with `x'(u) > 0`, i.e.
//! `f(u) < 1`. `f` is a sum of convex functions, so on each interval between consecutive distinct
//! `λ`'s it is convex and tends to `+∞` at both ends: it dips below 1 on at most one sub-interval
//! `(u_a, u_b)`, whose image `(x(u_a), x(u_b))` is the gap between the bands of `λ_j` and `λ_{j+1}`.
//! Below `λ_1`, `f` increases from 0 to `∞` (one root: the lower edge); above `λ_n` it decreases (the
//! upper edge). Each root is found by bisection on a bracket known in advance, to the last bit, so
//! gaps between bands `1e-9` apart (widths near 10⁸ × n) are found exactly, where a scan of the inverse
//! on a grid of `m` misses the critical points between poles closer than its spacing.
//!
//! Written by hand: the bracket structure (convexity between poles) is what makes this exact, and no
//! crate provides it; `roots`/Brent would need the same brackets and gain nothing over bisection to
//! the last bit.

use rayon::prelude::*;

/// Bisection of a monotone predicate on `(a, b)`: `below(a) == true`, `below(b) == false`; returns
/// the transition point to the last representable bit (midpoints only: the ends may be poles).
fn bisect<P: Fn(f64) -> bool>(mut a: f64, mut b: f64, below: P) -> f64 {
    for _ in 0..2200 {
        let mid = 0.5 * (a + b);
        if mid <= a || mid >= b {
            break;
        }
        if below(mid) {
            a = mid;
        } else {
            b = mid;
        }
    }
    0.5 * (a + b)
}

/// Support components `[(lo, hi), …]` (ascending) of the continuous part of the law of `Φᵀ Φ / N` for
/// a population with positive eigenvalues `lam` (any order; equal values are merged) and `inv_width =
/// 1/N` (module docs). Gaps narrower than `1e-14` relative are not split off. Empty input gives no
/// component.
pub fn discrete_population_support(lam: &[f64], inv_width: f64) -> Vec<(f64, f64)> {
    let mut l: Vec<f64> = lam
        .iter()
        .copied()
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    if l.is_empty() || !(inv_width > 0.0 && inv_width.is_finite()) {
        return vec![];
    }
    l.sort_by(f64::total_cmp);
    // distinct values with multiplicities
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(l.len());
    for v in l {
        match pts.last_mut() {
            Some(p) if v == p.0 => p.1 += 1.0,
            _ => pts.push((v, 1.0)),
        }
    }
    let f = |u: f64| -> f64 {
        inv_width
            * pts
                .iter()
                .map(|&(lj, w)| w * lj * lj / ((u - lj) * (u - lj)))
                .sum::<f64>()
    };
    // f'(u) = -(2/N) Σ λ²/(u - λ)³: increasing on each interval between poles
    let fp = |u: f64| -> f64 {
        -2.0 * inv_width
            * pts
                .iter()
                .map(|&(lj, w)| w * lj * lj / ((u - lj) * (u - lj) * (u - lj)))
                .sum::<f64>()
    };
    let x = |u: f64| -> f64 {
        u + u * inv_width * pts.iter().map(|&(lj, w)| w * lj / (u - lj)).sum::<f64>()
    };
    let (first, last) = (pts[0].0, pts[pts.len() - 1].0);
    let mass: f64 = pts.iter().map(|p| p.1).sum();
    // f ≤ (mass/N) last²/L² < 1/4 at distance L from every pole
    let reach = 2.0 * last * (inv_width * mass).sqrt() + last;
    // lower edge: f increases from 0 (u → -∞) to ∞ (u → λ_1)
    let u_lo = bisect(first - reach, first, |u| f(u) < 1.0);
    // upper edge: f decreases from ∞ (u → λ_n) to 0
    let u_hi = bisect(last, last + reach, |u| f(u) >= 1.0);
    let lower = x(u_lo).max(0.0);
    let upper = x(u_hi);
    let gaps: Vec<(f64, f64)> = pts
        .par_windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0].0, w[1].0);
            // the minimiser of the convex f on (a, b): f' < 0 left of it
            let us = bisect(a, b, |u| fp(u) < 0.0);
            if f(us).partial_cmp(&1.0) != Some(std::cmp::Ordering::Less) {
                return None;
            }
            let ua = bisect(a, us, |u| f(u) >= 1.0);
            let ub = bisect(us, b, |u| f(u) < 1.0);
            let (xa, xb) = (x(ua), x(ub));
            (xb - xa > 1e-14 * (1.0 + xa.abs().max(xb.abs()))).then_some((xa, xb))
        })
        .collect();
    let mut out = Vec::with_capacity(gaps.len() + 1);
    let mut start = lower;
    for (ga, gb) in gaps {
        if ga > start && gb < upper {
            out.push((start, ga));
            start = gb;
        }
    }
    if upper > start {
        out.push((start, upper));
    }
    out
}
