//! Random `n × n` symmetric matrices whose spectral law tends to an expression's law, for the Monte
//! Carlo validator.
//!
//! Leaves: `mp(c, s2)` a real Wishart `(s2/m) X Xᵀ` with `m = round(n/c)`; `sc(s2)` a GOE of variance
//! `s2/n` off the diagonal; every deterministic law (atoms, `eig`, `unif`, fixed-point and model
//! leaves) the diagonal of its `n` quantiles at `(k + 1/2)/n`. Operations: `A + B` is `A + O B Oᵀ`
//! with `O` Haar orthogonal (QR of a Gaussian matrix with the signs of `diag R` fixed), `A * B` is
//! `P^{1/2} O Q Oᵀ P^{1/2}` with the nonnegative side `P` under the square root, `pop(A, c)` is
//! `T^{1/2} Z Zᵀ T^{1/2}/m` with `Z` an `n × m` Gaussian matrix, `m = round(n/c)`, and dilations and
//! shifts act on the matrix. `spiked(A, θ…)` draws `A`, drops `k` of its eigenvalues at evenly
//! spread ranks and returns the diagonal of the rest and the `k` spikes. All randomness comes from
//! the given stream in a fixed order and faer runs sequentially, so draws do not depend on the
//! thread count.

use super::law::{Kind, Law};
use super::Expression;
use crate::error::{check, Error, Result};
use crate::model::Sampler;
use crate::numerics::linalg::eigvalsh;
use crate::numerics::stieltjes::SolverOptions;
use crate::rng::{normals, Rng};
use crate::spectral::{SpectralDensity, DEFAULT_NODES};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

/// Largest accepted matrix size.
pub const MAX_SIZE: usize = 5_000;

enum Plan {
    Wishart(f64, usize),
    Goe(f64),
    Diag(Vec<f64>),
    Add(Box<Plan>, Box<Plan>),
    Mul(Box<Plan>, Box<Plan>),
    Affine(f64, f64, Box<Plan>),
    Pop(Box<Plan>, usize),
    /// The operand's eigenvalues with `k` of them (at evenly spread ranks) replaced by the spikes.
    Spiked(Box<Plan>, Vec<f64>),
}

/// Sampler of an expression's random matrix (module docs); one draw returns its `n` sorted eigenvalues.
pub struct ExpressionSampler {
    n: usize,
    plan: Plan,
    label: String,
}

/// Quantiles `(k + 1/2)/n` of a discrete law (sorted atoms).
fn discrete_quantiles(atoms: &[(f64, f64)], n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut cum = 0.0;
    let mut j = 0;
    for k in 0..n {
        let p = (k as f64 + 0.5) / n as f64;
        while j + 1 < atoms.len() && cum + atoms[j].1 < p {
            cum += atoms[j].1;
            j += 1;
        }
        out.push(atoms[j].0);
    }
    out
}

fn ratio_columns(n: usize, c: f64) -> Result<usize> {
    let m = (n as f64 / c).round();
    if !(1.0..=1e7).contains(&m) {
        return Err(Error::param(
            "n/c",
            m,
            "in [1, 1e7] columns for the sampled Wishart factor",
        ));
    }
    Ok(m as usize)
}

fn plan(law: &Law, n: usize) -> Result<Plan> {
    let base = plan_bulk(law, n)?;
    if law.spikes.is_empty() {
        return Ok(base);
    }
    if law.spikes.len() >= n {
        return Err(Error::param(
            "n",
            n,
            &format!("> the number of spikes ({})", law.spikes.len()),
        ));
    }
    Ok(Plan::Spiked(Box::new(base), law.spikes.clone()))
}

fn plan_bulk(law: &Law, n: usize) -> Result<Plan> {
    Ok(match &law.kind {
        Kind::Mp(mp) => Plan::Wishart(mp.scale(), ratio_columns(n, mp.ratio())?),
        Kind::Sc(s2) => Plan::Goe(*s2),
        Kind::Atoms(v) => Plan::Diag(discrete_quantiles(v, n)),
        Kind::Unif(a, b) => Plan::Diag(
            (0..n)
                .map(|k| a + (b - a) * (k as f64 + 0.5) / n as f64)
                .collect(),
        ),
        Kind::FixedPoint(_) | Kind::Model(_) => {
            let o = SolverOptions::default();
            let support = law.support_ref()?;
            let tab = SpectralDensity::from_support(support, DEFAULT_NODES, |xs| {
                Ok(law.density_sweep(xs, &o)?.0)
            })?;
            Plan::Diag(
                (0..n)
                    .map(|k| tab.quantile((k as f64 + 0.5) / n as f64))
                    .collect::<Result<_>>()?,
            )
        }
        Kind::Add(a, b) => Plan::Add(Box::new(plan(a, n)?), Box::new(plan(b, n)?)),
        Kind::Mul(p, q) => Plan::Mul(Box::new(plan(p, n)?), Box::new(plan(q, n)?)),
        Kind::Affine(a, b, x) => Plan::Affine(*a, *b, Box::new(plan(x, n)?)),
        Kind::Pop(a, c) => Plan::Pop(Box::new(plan(a, n)?), ratio_columns(n, *c)?),
    })
}

/// `a bᵀ`-style products, sequential: `op(a) op(b)` with optional transposes.
fn mm(a: MatRef<'_, f64>, ta: bool, b: MatRef<'_, f64>, tb: bool, s: f64) -> Mat<f64> {
    let a = if ta { a.transpose() } else { a };
    let b = if tb { b.transpose() } else { b };
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(out.as_mut(), Accum::Replace, a, b, s, Par::Seq);
    out
}

fn gaussian(rng: &mut Rng, r: usize, c: usize) -> Mat<f64> {
    let v = normals(rng, r * c);
    Mat::from_fn(r, c, |i, j| v[i + j * r])
}

/// Haar orthogonal matrix: QR of a Gaussian matrix, columns multiplied by `sign(R_ii)`.
fn haar(rng: &mut Rng, n: usize) -> Mat<f64> {
    let g = gaussian(rng, n, n);
    let qr = g.qr();
    let mut q = qr.compute_Q();
    let r = qr.R();
    for j in 0..n {
        if r[(j, j)] < 0.0 {
            for i in 0..n {
                q[(i, j)] = -q[(i, j)];
            }
        }
    }
    q
}

/// `O B Oᵀ`.
fn conjugate(o: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
    let ob = mm(o.as_ref(), false, b.as_ref(), false, 1.0);
    mm(ob.as_ref(), false, o.as_ref(), true, 1.0)
}

/// `P^{1/2}` of a symmetric positive semidefinite matrix (negative rounding eigenvalues clipped).
fn sqrt_psd(p: &Mat<f64>) -> Result<Mat<f64>> {
    let evd = p
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| Error::NotConverged {
            what: format!("symmetric eigendecomposition for a matrix square root: {e:?}"),
            iterations: 0,
            residual: f64::NAN,
            tolerance: 0.0,
        })?;
    let (u, s) = (evd.U(), evd.S().column_vector());
    let n = p.nrows();
    let us = Mat::from_fn(n, n, |i, j| u[(i, j)] * s[j].max(0.0).sqrt());
    Ok(mm(us.as_ref(), false, u, true, 1.0))
}

fn draw(p: &Plan, n: usize, rng: &mut Rng) -> Result<Mat<f64>> {
    Ok(match p {
        Plan::Wishart(s2, m) => {
            let x = gaussian(rng, n, *m);
            mm(x.as_ref(), false, x.as_ref(), true, s2 / *m as f64)
        }
        Plan::Goe(s2) => {
            let a = gaussian(rng, n, n);
            let s = (s2 / (2.0 * n as f64)).sqrt();
            Mat::from_fn(n, n, |i, j| (a[(i, j)] + a[(j, i)]) * s)
        }
        Plan::Diag(d) => Mat::from_fn(n, n, |i, j| if i == j { d[i] } else { 0.0 }),
        Plan::Add(a, b) => {
            let a = draw(a, n, rng)?;
            let b = draw(b, n, rng)?;
            let o = haar(rng, n);
            let ob = conjugate(&o, &b);
            Mat::from_fn(n, n, |i, j| a[(i, j)] + ob[(i, j)])
        }
        Plan::Mul(pp, q) => {
            let pm = draw(pp, n, rng)?;
            let q = draw(q, n, rng)?;
            let o = haar(rng, n);
            let r = sqrt_psd(&pm)?;
            let oq = conjugate(&o, &q);
            conjugate(&r, &oq)
        }
        Plan::Affine(a, b, x) => {
            let x = draw(x, n, rng)?;
            Mat::from_fn(n, n, |i, j| a * x[(i, j)] + if i == j { *b } else { 0.0 })
        }
        Plan::Spiked(x, spikes) => {
            let x = draw(x, n, rng)?;
            let mut ev = eigvalsh(&symmetric(&x), n)?;
            let k = spikes.len();
            // drop k eigenvalues at evenly spread ranks (the bulk's empirical law moves by k/n)
            for i in (0..k).rev() {
                ev.remove(((i as f64 + 0.5) * n as f64 / k as f64) as usize);
            }
            ev.extend_from_slice(spikes);
            Mat::from_fn(n, n, |i, j| if i == j { ev[i] } else { 0.0 })
        }
        Plan::Pop(t, m) => {
            let t = draw(t, n, rng)?;
            let r = sqrt_psd(&t)?;
            let z = gaussian(rng, n, *m);
            let y = mm(r.as_ref(), false, z.as_ref(), false, 1.0);
            mm(y.as_ref(), false, y.as_ref(), true, 1.0 / *m as f64)
        }
    })
}

/// The symmetrised matrix (rounding) in column-major order, for the shared eigensolver.
fn symmetric(m: &Mat<f64>) -> Vec<f64> {
    let n = m.nrows();
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..n {
            a[i + j * n] = 0.5 * (m[(i, j)] + m[(j, i)]);
        }
    }
    a
}

impl ExpressionSampler {
    /// Sampler of `n × n` matrices (`2 <= n <= 5000`) for an expression.
    pub fn new(expr: &Expression, n: usize) -> Result<Self> {
        check::count("n", n, 2, MAX_SIZE)?;
        Ok(ExpressionSampler {
            n,
            plan: plan(expr.law(), n)?,
            label: expr.canonical().to_string(),
        })
    }

    /// Matrix size.
    pub fn size(&self) -> usize {
        self.n
    }
}

impl Sampler for ExpressionSampler {
    type Output = Vec<f64>;
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "n": self.n, "expression": self.label,
            "construction": "leaves: Wishart / GOE / quantile diagonals; A + O B O^T, P^(1/2) O Q O^T P^(1/2), O Haar" })
    }
    fn sample(&self, rng: &mut Rng) -> Result<Vec<f64>> {
        let m = draw(&self.plan, self.n, rng)?;
        eigvalsh(&symmetric(&m), self.n)
    }
}
