//! Exact moments of expressions, independent of the densities:
//!
//! * free additive convolution: free cumulants add, `κ_n(A ⊞ B) = κ_n(A) + κ_n(B)`, with the
//!   non-crossing moment–cumulant relation `m_n = Σ_{s=1}^{n} κ_s [x^{n-s}] M(x)^s`,
//!   `M(x) = 1 + Σ_k m_k x^k` (Speicher; Nica–Speicher, *Lectures on the Combinatorics of Free
//!   Probability*, Lecture 11);
//! * free multiplicative convolution: `m_n(A ⊠ B) = Σ_{π ∈ NC(n)} κ_π(A) m_{K(π)}(B)`, `K(π)` the
//!   Kreweras complement (Nica–Speicher, Lecture 14), enumerated by brute force for `n <= 4`;
//! * affine maps: binomial expansion; leaves: closed forms (Narayana for MP, Catalan for the
//!   semicircle, sums for discrete laws), and for fixed-point and model leaves without enough closed
//!   moments, contour integrals `m_k = -(1/2πi)∮ z^k g(z) dz` on a circle around the support (the
//!   trapezoidal rule converges geometrically there).

use crate::error::{Error, Result};
use num_complex::Complex64 as C64;

/// Catalan number `C_k`.
pub fn catalan(k: usize) -> f64 {
    (0..k).fold(1.0, |c, i| c * 2.0 * (2 * i + 1) as f64 / (i + 2) as f64)
}

fn binom(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// `[x^0..x^n]` of `M(x)^s` for `M = 1 + Σ m_k x^k`.
fn power_coeffs(m: &[f64], s: usize, n: usize) -> Vec<f64> {
    let mut base = vec![0.0; n + 1];
    base[0] = 1.0;
    for (k, b) in base.iter_mut().enumerate().skip(1) {
        *b = m.get(k - 1).copied().unwrap_or(0.0);
    }
    let mut out = vec![0.0; n + 1];
    out[0] = 1.0;
    for _ in 0..s {
        let mut next = vec![0.0; n + 1];
        for i in 0..=n {
            for j in 0..=n - i {
                next[i + j] += out[i] * base[j];
            }
        }
        out = next;
    }
    out
}

/// Free cumulants `κ_1..κ_n` from moments `m_1..m_n`.
pub fn free_cumulants(m: &[f64]) -> Vec<f64> {
    let n = m.len();
    let mut k = vec![0.0; n];
    for order in 1..=n {
        let rest: f64 = (1..order)
            .map(|s| k[s - 1] * power_coeffs(m, s, n)[order - s])
            .sum();
        k[order - 1] = m[order - 1] - rest;
    }
    k
}

/// Moments `m_1..m_n` from free cumulants `κ_1..κ_n`.
pub fn moments_from_cumulants(k: &[f64]) -> Vec<f64> {
    let n = k.len();
    let mut m: Vec<f64> = Vec::with_capacity(n);
    for order in 1..=n {
        // m_order = Σ_s κ_s [x^{order-s}] M^s; M's coefficients up to order-1 are known
        let mo: f64 = (1..=order)
            .map(|s| k[s - 1] * power_coeffs(&m, s, n)[order - s])
            .sum();
        m.push(mo);
    }
    m
}

/// Moments of `A ⊞ B`.
pub fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    let (ka, kb) = (free_cumulants(a), free_cumulants(b));
    moments_from_cumulants(&ka.iter().zip(&kb).map(|(x, y)| x + y).collect::<Vec<_>>())
}

/// Moments of `a X + b`.
pub fn affine(m: &[f64], a: f64, b: f64) -> Vec<f64> {
    (1..=m.len())
        .map(|k| {
            (0..=k)
                .map(|j| {
                    let mj = if j == 0 { 1.0 } else { m[j - 1] };
                    binom(k, j) * a.powi(j as i32) * b.powi((k - j) as i32) * mj
                })
                .sum()
        })
        .collect()
}

/// Set partitions of `{0..n-1}` as block labels (restricted growth strings).
fn set_partitions(n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = vec![0usize; n];
    fn rec(i: usize, max: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if i == cur.len() {
            out.push(cur.clone());
            return;
        }
        for l in 0..=max + 1 {
            cur[i] = l;
            rec(i + 1, max.max(l), cur, out);
        }
    }
    if n > 0 {
        rec(1, 0, &mut cur, &mut out);
    }
    out
}

fn non_crossing(lab: &[usize]) -> bool {
    let n = lab.len();
    for a in 0..n {
        for b in a + 1..n {
            for c in b + 1..n {
                for d in c + 1..n {
                    if lab[a] == lab[c] && lab[b] == lab[d] && lab[a] != lab[b] {
                        return false;
                    }
                }
            }
        }
    }
    true
}

fn block_sizes(lab: &[usize]) -> Vec<usize> {
    let nb = lab.iter().max().map_or(0, |m| m + 1);
    let mut s = vec![0; nb];
    for &l in lab {
        s[l] += 1;
    }
    s
}

/// `(block sizes of π, block sizes of K(π))` for every `π ∈ NC(n)`.
#[doc(hidden)]
pub fn nc_with_kreweras(n: usize) -> Vec<(Vec<usize>, Vec<usize>)> {
    let all = set_partitions(n);
    let nc: Vec<&Vec<usize>> = all.iter().filter(|p| non_crossing(p)).collect();
    nc.iter()
        .map(|pi| {
            let off = n; // labels of the primed points are shifted
                         // the coarsest σ with π ∪ σ non-crossing on 1 < 1' < 2 < 2' < ...
            let k = nc
                .iter()
                .filter(|sigma| {
                    let mut lab = vec![0; 2 * n];
                    for i in 0..n {
                        lab[2 * i] = pi[i];
                        lab[2 * i + 1] = sigma[i] + off;
                    }
                    non_crossing(&lab)
                })
                .min_by_key(|s| s.iter().max().copied().unwrap_or(0))
                .expect("K(π) exists");
            (block_sizes(pi), block_sizes(k))
        })
        .collect()
}

/// Moments of `P ⊠ Q` (Kreweras complement formula).
pub fn mul(p: &[f64], q: &[f64]) -> Vec<f64> {
    let kp = free_cumulants(p);
    (1..=p.len().min(q.len()))
        .map(|n| {
            nc_with_kreweras(n)
                .iter()
                .map(|(bp, bk)| {
                    bp.iter().map(|&s| kp[s - 1]).product::<f64>()
                        * bk.iter().map(|&s| q[s - 1]).product::<f64>()
                })
                .sum()
        })
        .collect()
}

/// Moments `m_1..m_k` from the Stieltjes transform by the contour integral
/// `m_j = -(1/2πi)∮ z^j g(z) dz` on the circle of radius `2 × half-width + 1e-3 scale` around the
/// midpoint of `hull` (256 trapezoidal nodes; conjugate symmetry for the lower half).
pub fn contour_moments<G>(g: G, hull: (f64, f64), k: usize) -> Result<Vec<f64>>
where
    G: Fn(C64) -> Result<C64>,
{
    let c0 = 0.5 * (hull.0 + hull.1);
    let half = 0.5 * (hull.1 - hull.0);
    let r = 2.0 * half + 1e-3 * (half + c0.abs()).max(1e-300);
    let n = 128;
    let mut central = vec![0.0; k + 1];
    for j in 0..n {
        let th = (j as f64 + 0.5) * std::f64::consts::PI / n as f64;
        let e = C64::from_polar(1.0, th);
        let gv = g(c0 + r * e)?;
        if !(gv.re.is_finite() && gv.im.is_finite()) {
            return Err(Error::Domain(format!(
                "contour moments: g not finite at {}",
                c0 + r * e
            )));
        }
        for (p, c) in central.iter_mut().enumerate() {
            // -(1/π) Re ∫_0^π R^{p+1} e^{i(p+1)θ} g dθ, midpoint rule
            *c -= (r.powi(p as i32 + 1) * e.powi(p as i32 + 1) * gv).re / n as f64;
        }
    }
    // raw moments from central ones
    Ok((1..=k)
        .map(|p| {
            (0..=p)
                .map(|j| binom(p, j) * c0.powi((p - j) as i32) * central[j])
                .sum()
        })
        .collect())
}
