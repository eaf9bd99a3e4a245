//! Quadrature: finite intervals (wrapping the `quadrature` crate) and Gaussian expectations
//! (Gauss–Hermite rules built once and cached).
//!
//! * [`integrate`] — tanh–sinh (double-exponential) rule of the `quadrature` crate on `[a, b]`; robust to
//!   integrable endpoint singularities such as the `x^{-1/2}` of a hard spectral edge. Wrapped here so the
//!   backend can be swapped without touching models.
//! * [`gauss_hermite`] — nodes and weights of the *probabilists'* Gauss–Hermite rule,
//!   `E[h(z)] ≈ Σ_k w_k h(x_k)` for `z ~ N(0, 1)`, from the Golub–Welsch eigenproblem of the Jacobi matrix
//!   (off-diagonal `sqrt(k)`), solved with nalgebra. No maintained crate provides these for n in the
//!   hundreds with f64 accuracy, hence written here.
//! * [`chebyshev_rule`] — Gauss–Chebyshev nodes on `[a, b]` for integrands with square-root and
//!   inverse-square-root edges (spectral masses).
//! * [`gaussian_expectation`] — `E[h(σ z)]`; for non-smooth `h` (ReLU, |x|, sign) prefer closed forms or
//!   Stein's identity: a Gauss–Hermite rule converges slowly on kinks (docs/models/fim.md,
//!   "Numerical methods", step 9).

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Integrate `f` over `[a, b]` to absolute error `tol` (tanh–sinh, at most ~350 evaluations). Returns an
/// error if the integral is not finite or the error estimate exceeds `100 * max(tol, 1e-7 |I|)`.
pub fn integrate<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, tol: f64) -> Result<f64> {
    if !(a.is_finite() && b.is_finite()) {
        return Err(Error::InvalidData(format!(
            "integration interval [{a}, {b}] is not finite"
        )));
    }
    if a == b {
        return Ok(0.0);
    }
    let out = quadrature::double_exponential::integrate(f, a, b, tol);
    if !out.integral.is_finite() {
        return Err(Error::Domain(format!(
            "integral over [{a}, {b}] is not finite"
        )));
    }
    if out.error_estimate > 100.0 * tol.max(1e-7 * out.integral.abs()).max(1e-15) {
        return Err(Error::NotConverged {
            what: format!("tanh-sinh quadrature on [{a}, {b}]"),
            iterations: out.num_function_evaluations as usize,
            residual: out.error_estimate,
            tolerance: tol,
        });
    }
    Ok(out.integral)
}

/// A quadrature rule: nodes and weights (weights sum to 1 for probability rules).
#[derive(Debug, Clone)]
pub struct Rule {
    /// Nodes.
    pub nodes: Vec<f64>,
    /// Weights.
    pub weights: Vec<f64>,
}

impl Rule {
    /// `Σ_k w_k f(x_k)`.
    pub fn apply<F: Fn(f64) -> f64>(&self, f: F) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }
}

fn golub_welsch(n: usize, offdiag: impl Fn(usize) -> f64, mu0: f64) -> Rule {
    let mut j = nalgebra::DMatrix::<f64>::zeros(n, n);
    for k in 1..n {
        let b = offdiag(k);
        j[(k, k - 1)] = b;
        j[(k - 1, k)] = b;
    }
    let eig = nalgebra::SymmetricEigen::new(j);
    let mut pairs: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let v0 = eig.eigenvectors[(0, i)];
            (eig.eigenvalues[i], mu0 * v0 * v0)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    Rule {
        nodes: pairs.iter().map(|p| p.0).collect(),
        weights: pairs.iter().map(|p| p.1).collect(),
    }
}

/// Probabilists' Gauss–Hermite rule with `n` nodes (`1 <= n <= 400`): exact for polynomials of degree
/// `< 2n` under the standard normal law. Cached per `n`.
pub fn gauss_hermite(n: usize) -> Result<Arc<Rule>> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Rule>>>> = OnceLock::new();
    crate::error::check::count("gauss_hermite nodes", n, 1, 400)?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    Ok(map
        .entry(n)
        .or_insert_with(|| Arc::new(golub_welsch(n, |k| (k as f64).sqrt(), 1.0)))
        .clone())
}

/// Nodes (ascending) and weights of the `n`-point Gauss–Chebyshev rule for `∫_a^b f(x) dx`:
/// `x_k = a + (b - a)(1 - cos θ_k)/2`, `θ_k = π (k + 1/2)/n`, `w_k = (π/n) √((x_k - a)(b - x_k))` —
/// the midpoint rule in the angle `θ`. Where `f` has square-root (`~ (x - a)^{1/2}`) or inverse
/// square-root (`~ (x - a)^{-1/2}`) behaviour at the ends, `f(x(θ)) dx/dθ` is smooth and even in `θ`
/// there, and the rule converges spectrally; its nodes keep a distance `≥ (b - a)(π/4n)²/2` from the
/// ends. (A spectral density at a hard edge: Marchenko–Pastur at ratio 1, `pop(A, 1)`.)
pub fn chebyshev_rule(a: f64, b: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let pi = std::f64::consts::PI;
    (0..n)
        .map(|k| {
            let th = pi * (k as f64 + 0.5) / n as f64;
            let x = a + 0.5 * (b - a) * (1.0 - th.cos());
            (x, pi / n as f64 * 0.5 * (b - a) * th.sin())
        })
        .unzip()
}

/// Gauss–Legendre rule with `n` nodes on `[-1, 1]` (weights sum to 2). Cached per `n`.
pub fn gauss_legendre(n: usize) -> Result<Arc<Rule>> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Rule>>>> = OnceLock::new();
    crate::error::check::count("gauss_legendre nodes", n, 1, 2000)?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    Ok(map
        .entry(n)
        .or_insert_with(|| {
            Arc::new(golub_welsch(
                n,
                |k| {
                    let k = k as f64;
                    k / (4.0 * k * k - 1.0).sqrt()
                },
                2.0,
            ))
        })
        .clone())
}

/// Gauss–Gegenbauer rule with `n` nodes for the *probability* weight
/// `c_λ (1 - t²)^{λ - 1/2}` on `[-1, 1]` (weights sum to 1), `λ >= 0`; exact for polynomials of degree
/// `< 2n`. With `λ = (d - 2)/2` this is the law of one coordinate of a uniform point on the sphere
/// `S^{d-1}` (Funk–Hecke integrals). Golub–Welsch on the symmetric Jacobi matrix
/// `β_k = k (k + 2λ - 1) / (4 (k + λ)(k + λ - 1))` (`β_1 = 1/(2(1 + λ))`, also at `λ = 0`).
/// Cached per `(n, λ)`.
pub fn gauss_gegenbauer(n: usize, lambda: f64) -> Result<Arc<Rule>> {
    type Cache = OnceLock<Mutex<HashMap<(usize, u64), Arc<Rule>>>>;
    static CACHE: Cache = OnceLock::new();
    crate::error::check::count("gauss_gegenbauer nodes", n, 1, 2000)?;
    crate::error::check::in_range("gegenbauer lambda", lambda, 0.0, 1e7)?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    Ok(map
        .entry((n, lambda.to_bits()))
        .or_insert_with(|| {
            Arc::new(golub_welsch(
                n,
                |k| {
                    let k = k as f64;
                    let beta = if k == 1.0 {
                        1.0 / (2.0 * (1.0 + lambda))
                    } else {
                        k * (k + 2.0 * lambda - 1.0) / (4.0 * (k + lambda) * (k + lambda - 1.0))
                    };
                    beta.sqrt()
                },
                1.0,
            ))
        })
        .clone())
}

/// Default number of Gauss–Hermite nodes for smooth activations.
pub const GH_NODES: usize = 160;

/// `E[h(σ z)]`, `z ~ N(0, 1)`, by Gauss–Hermite with [`GH_NODES`] nodes. Accurate for smooth `h`.
pub fn gaussian_expectation<F: Fn(f64) -> f64>(h: F, sigma: f64) -> f64 {
    let rule = gauss_hermite(GH_NODES).expect("GH_NODES is in range");
    rule.apply(|x| h(sigma * x))
}

/// `E[h(u, v)]` for a centred Gaussian pair with variances `s11, s22` and covariance `s12`, by a tensor
/// Gauss–Hermite rule on the Cholesky factor (`n` nodes per axis).
pub fn gaussian_expectation_2d<F: Fn(f64, f64) -> f64>(
    h: F,
    s11: f64,
    s12: f64,
    s22: f64,
    n: usize,
) -> Result<f64> {
    let (l11, l21, l22) = cholesky_2x2(s11, s12, s22)?;
    let rule = gauss_hermite(n)?;
    let mut acc = 0.0;
    for (&x, &wx) in rule.nodes.iter().zip(&rule.weights) {
        let u = l11 * x;
        for (&y, &wy) in rule.nodes.iter().zip(&rule.weights) {
            acc += wx * wy * h(u, l21 * x + l22 * y);
        }
    }
    Ok(acc)
}

/// The Cholesky factor `[[l11, 0], [l21, l22]]` of a 2 × 2 covariance (`s11 > 0`), or a typed error
/// when it is not positive semi-definite (to `1e-12` relative).
fn cholesky_2x2(s11: f64, s12: f64, s22: f64) -> Result<(f64, f64, f64)> {
    if !(s11 > 0.0 && s22 >= 0.0 && s11 * s22 - s12 * s12 >= -1e-12 * s11 * s22.max(1e-300)) {
        return Err(Error::InvalidData(format!(
            "covariance [[{s11}, {s12}], [{s12}, {s22}]] is not positive semi-definite"
        )));
    }
    let l11 = s11.sqrt();
    let l21 = s12 / l11;
    Ok((l11, l21, (s22 - l21 * l21).max(0.0).sqrt()))
}

/// `E[f(u) g(v)]` for `(u, v)` centred Gaussian with covariance `[[s11, s12], [s12, s22]]`: the rule of
/// [`gaussian_expectation_2d`] with the product summed as `Σ_x w_x f(l11 x) Σ_y w_y g(l21 x + l22 y)`,
/// so `f` is evaluated `n` times instead of `n²` (half the cost when `f` and `g` cost alike, e.g. the
/// tanh kernel). Equal to [`gaussian_expectation_2d`] of `f(u) g(v)` up to rounding.
pub fn gaussian_product_expectation_2d<F: Fn(f64) -> f64, G: Fn(f64) -> f64>(
    f: F,
    g: G,
    s11: f64,
    s12: f64,
    s22: f64,
    n: usize,
) -> Result<f64> {
    let (l11, l21, l22) = cholesky_2x2(s11, s12, s22)?;
    let rule = gauss_hermite(n)?;
    let mut acc = 0.0;
    for (&x, &wx) in rule.nodes.iter().zip(&rule.weights) {
        let inner: f64 = rule
            .nodes
            .iter()
            .zip(&rule.weights)
            .map(|(&y, &wy)| wy * g(l21 * x + l22 * y))
            .sum();
        acc += wx * f(l11 * x) * inner;
    }
    Ok(acc)
}

/// Normalised Hermite coefficients `ĉ_k = E[f(a z) He_k(z)] / sqrt(k!)`, `k = 0..=order`, `z ~ N(0, 1)`
/// ([`GH_NODES`]-node Gauss–Hermite nodes; accurate for smooth `f`). Computed with the normalised
/// recurrence `ĥ_{k+1} = (x ĥ_k - sqrt(k) ĥ_{k-1}) / sqrt(k + 1)`, which stays bounded where `He_k`
/// overflows, and with the Christoffel weights `w_i = 1 / Σ_{k<n} ĥ_k(x_i)²`: the eigenvector weights of
/// [`gauss_hermite`] are exact to ~1e-16 *absolutely*, so the outermost ones (truly ~1e-130) are ~1e-32,
/// harmless for bounded integrands but fatal against `ĥ_60(25) ~ 1e43` when `f` does not decay (tanh).
pub fn hermite_coefficients<F: Fn(f64) -> f64>(f: F, a: f64, order: usize) -> Vec<f64> {
    let rule = gauss_hermite(GH_NODES).expect("GH_NODES is in range");
    let n = rule.nodes.len();
    let top = order.max(n - 1);
    let mut c = vec![0.0; order + 1];
    let mut h = vec![0.0; top + 1];
    for &x in &rule.nodes {
        let (mut hm, mut hk) = (0.0, 1.0);
        for (k, v) in h.iter_mut().enumerate() {
            *v = hk;
            let next = (x * hk - (k as f64).sqrt() * hm) / ((k + 1) as f64).sqrt();
            hm = hk;
            hk = next;
        }
        let w = 1.0 / h[..n].iter().map(|v| v * v).sum::<f64>();
        let fx = w * f(a * x);
        for (ck, hk) in c.iter_mut().zip(&h) {
            *ck += fx * hk;
        }
    }
    c
}

/// `E[f(u) g(v)]` for a centred Gaussian pair `u = a z₁`, `v = b z₂` with `corr(z₁, z₂) = ρ`, by
/// Mehler's formula `Σ_k ρ^k ĉ_k(f, a) ĉ_k(g, b)` from the normalised Hermite coefficients of
/// [`hermite_coefficients`]. The truncation error is below `|ρ|^{K+1} sqrt(E f² E g²) / (1 - |ρ|)` for
/// `K + 1` coefficients: geometric for `|ρ| < 1`, one multiply-add per term (no 2-D quadrature).
pub fn mehler_sum(cf: &[f64], cg: &[f64], rho: f64) -> f64 {
    let mut acc = 0.0;
    let mut p = 1.0;
    for (a, b) in cf.iter().zip(cg) {
        acc += p * a * b;
        p *= rho;
    }
    acc
}
