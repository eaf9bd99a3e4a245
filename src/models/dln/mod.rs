//! `dln-prior`: the output law of a random deep linear network at finite width and in the proportional
//! depth~width limit (docs/models/dln-prior.md (F1–F16); Hanin–Nica cross-check, F35–F37).
//!
//! Network (no biases): `h¹ = W⁰ x / sqrt(N_0)`, `h^{l+1} = W^l h^l / sqrt(N_l)`,
//! `f = W^L h^L / sqrt(N_L) ∈ R^D`, `W^l_ij ~ N(0, σ_l²)`. Input Gram matrix
//! `C_{μν} = σ_0² x^μ·x^ν / N_0` (σ_0² lives in C), `Λ = Π_{l=1}^L σ_l²`.
//!
//! * F1: the outputs `S ∈ R^{D×P}` satisfy `S | Q ~ N(0, Q ⊗ C)` with `Q = M Mᵀ`, a product of
//!   Wishart matrices (F2) — sampled by [`wishart::WishartProduct`] (Bartlett, O(L D³));
//! * [`mixing`]: the scalar mixing variable (D = 1, or one input) and the output density, tails and
//!   moments (F4–F7, F12, F15);
//! * [`matrix`]: D x D statistics (F8–F10, F16);
//! * [`network`]: a sampler of actual networks (every weight matrix), used by the validator;
//! * [`params`], [`entry`]: the command-line parameters and the registry entry `dln` (`law`, `saddle`,
//!   `validate`);
//! * [`validate`]: the Monte Carlo validator of the prior against sampled networks (`validate dln`);
//! * [`hanin_nica`]: log-normality of products of random matrices (F35–F37), Gaussian and ReLU.
//!
//! [`DlnPrior`] is the exact finite-width law, [`DlnLimit`] the limit `Σ 1/N_l -> a`; both implement
//! [`DlnLaw`].

pub mod entry;
pub mod hanin_nica;
pub mod matrix;
pub mod mixing;
pub mod network;
pub mod params;
pub mod validate;
pub mod wishart;

use crate::error::{check, Error, Result};
use matrix::{LogDet, QSecondMoments};
use mixing::{Mixing, OutputLaw};
use nalgebra::DMatrix;
use serde_json::{json, Value};

/// Largest number of outputs D accepted.
pub const MAX_OUTPUTS: usize = 64;
/// Largest number of hidden layers accepted.
pub const MAX_LAYERS: usize = 1_000_000;

/// A validated input Gram matrix `C` (P x P, symmetric positive definite, finite).
#[derive(Debug, Clone, PartialEq)]
pub struct Gram(DMatrix<f64>);

impl Gram {
    /// From an explicit matrix.
    pub fn new(c: DMatrix<f64>) -> Result<Self> {
        let p = c.nrows();
        if p == 0 || c.ncols() != p {
            return Err(Error::InvalidData(format!(
                "Gram matrix must be square and non-empty, got {}x{}",
                c.nrows(),
                c.ncols()
            )));
        }
        if c.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidData(
                "Gram matrix has non-finite entries".into(),
            ));
        }
        for i in 0..p {
            for j in 0..i {
                if (c[(i, j)] - c[(j, i)]).abs() > 1e-12 * (c[(i, i)].abs() + c[(j, j)].abs()) {
                    return Err(Error::InvalidData(format!(
                        "Gram matrix is not symmetric at ({i}, {j})"
                    )));
                }
            }
        }
        if c.clone().cholesky().is_none() {
            return Err(Error::InvalidData(
                "Gram matrix is not positive definite".into(),
            ));
        }
        Ok(Gram(c))
    }

    /// `C = [[1]]` (one input with `σ_0² |x|² / N_0 = 1`).
    pub fn unit() -> Self {
        Gram(DMatrix::from_element(1, 1, 1.0))
    }

    /// Two inputs of unit norm with overlap `rho` in (-1, 1): `C = [[1, ρ], [ρ, 1]]`.
    pub fn pair(rho: f64) -> Result<Self> {
        let rho = check::in_range("rho", rho, -1.0 + 1e-12, 1.0 - 1e-12)?;
        Gram::new(DMatrix::from_row_slice(2, 2, &[1.0, rho, rho, 1.0]))
    }

    /// From inputs `x` (P rows of dimension N_0): `C = σ_0² X Xᵀ / N_0`.
    pub fn from_inputs(x: &DMatrix<f64>, sigma0_sq: f64) -> Result<Self> {
        check::positive("sigma0^2", sigma0_sq)?;
        let n0 = x.ncols();
        if n0 == 0 {
            return Err(Error::InvalidData("inputs have dimension 0".into()));
        }
        Gram::new(x * x.transpose() * (sigma0_sq / n0 as f64))
    }

    /// From an input file: one input per line, comma-separated finite numbers, all lines of the same
    /// length `N_0 >= 1`; blank lines and lines starting with `#` are skipped. The file is read with the
    /// size limit of [`crate::io::read_to_string_capped`], at most 10000 inputs are accepted and the
    /// matrix is checked against the memory budget; then `C = σ_0² X Xᵀ / N_0`.
    pub fn read_inputs(path: &std::path::Path, sigma0_sq: f64) -> Result<Self> {
        let text = crate::io::read_to_string_capped(path, crate::io::MAX_INPUT_BYTES, "inputs")?;
        let perr = |message: String| Error::Parse {
            path: path.to_path_buf(),
            message,
        };
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (k, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let row = l
                .split(',')
                .filter(|t| !t.trim().is_empty())
                .map(|t| match t.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    Ok(_) => Err(perr(format!(
                        "line {}: `{}` is not finite",
                        k + 1,
                        t.trim()
                    ))),
                    Err(_) => Err(perr(format!(
                        "line {}: `{}` is not a number",
                        k + 1,
                        t.trim()
                    ))),
                })
                .collect::<Result<Vec<f64>>>()?;
            rows.push(row);
            if rows.len() > 10_000 {
                return Err(perr("more than 10000 inputs".into()));
            }
        }
        let n0 = rows.first().map(|r| r.len()).unwrap_or(0);
        if n0 == 0 || rows.iter().any(|r| r.len() != n0) {
            return Err(perr(
                "every line must have the same number (>= 1) of values".into(),
            ));
        }
        let p = rows.len();
        crate::budget::check(
            "the input Gram matrix",
            crate::budget::f64s(3 * crate::budget::elements(&[p, p])),
        )?;
        let x = DMatrix::from_row_iterator(p, n0, rows.into_iter().flatten());
        Gram::from_inputs(&x, sigma0_sq)
    }

    /// From `p` random inputs `x ~ N(0, I_{N_0})` drawn from stream `(seed, 0)`.
    pub fn sampled(p: usize, n0: usize, sigma0_sq: f64, seed: u64) -> Result<Self> {
        check::count("inputs", p, 1, 10_000)?;
        check::count("n0", n0, p, 1_000_000)?;
        // X, its matrix copy and transpose, and the P x P Gram with its Cholesky check
        let x = crate::budget::elements(&[p, n0]);
        let c = crate::budget::elements(&[p, p]);
        crate::budget::check("dln input generation", crate::budget::f64s(3 * x + 3 * c))?;
        let mut rng = crate::rng::stream(seed, 0);
        let x = DMatrix::from_row_slice(p, n0, &crate::rng::normals(&mut rng, p * n0));
        Gram::from_inputs(&x, sigma0_sq)
    }

    /// The matrix.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.0
    }

    /// Number of inputs P.
    pub fn len(&self) -> usize {
        self.0.nrows()
    }

    /// Always false (a Gram matrix has at least one input).
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The theory interface shared by the finite-width law and its limit.
pub trait DlnLaw: Send + Sync {
    /// Unit-mean scalar mixing variable `q` (F4 / F12).
    fn mixing(&self) -> Mixing;
    /// `Λ = Π σ_l²`.
    fn lambda(&self) -> f64;
    /// Number of outputs D.
    fn outputs(&self) -> usize;
    /// Input Gram matrix C.
    fn gram(&self) -> &Gram;
    /// `(A, B, Γ)` of the unit-variance `Q` (F8 / F16).
    fn second_moments(&self) -> QSecondMoments;
    /// Log-determinant statistics of the unit-variance D x D `Q` (F9 / F16).
    fn log_det(&self) -> Result<LogDet>;
    /// Parameters for reports.
    fn params(&self) -> Value;

    /// Law of one output at input `mu`: `c = Λ C_μμ`.
    fn output_law(&self, mu: usize) -> Result<OutputLaw> {
        let p = self.gram().len();
        if mu >= p {
            return Err(Error::param("input", mu, &format!("< {p}")));
        }
        OutputLaw::new(
            self.mixing(),
            self.lambda() * self.gram().matrix()[(mu, mu)],
        )
    }

    /// Joint density of the D outputs at one input at the origin:
    /// `(2πc)^{-D/2} E[q^{-D/2}]` (F10, F15); an error if infinite (`min N_l <= D`).
    fn joint_density_at_origin(&self, mu: usize) -> Result<f64> {
        let law = self.output_law(mu)?;
        let d = self.outputs() as f64;
        let m = self.mixing().moment(-0.5 * d).map_err(|_| {
            Error::Domain(format!(
                "the joint density of {d} outputs diverges at 0 (needs every width > {d})"
            ))
        })?;
        Ok(m * (2.0 * std::f64::consts::PI * law.c()).powf(-0.5 * d))
    }

    /// Summary used by the CLI: kurtosis, E|f|, log-moments of q, density at `at`, tails at `tails`,
    /// and for D >= 2 the output correlations and determinant statistics. Input 0.
    fn summary(&self, at: &[f64], tails: &[f64]) -> Result<Value> {
        let law = self.output_law(0)?;
        let mix = self.mixing();
        let density: Result<Vec<Value>> = at
            .iter()
            .map(|&f| Ok(json!({"f": f, "p": law.pdf(f)?})))
            .collect();
        let tail: Result<Vec<Value>> = tails
            .iter()
            .map(|&t| Ok(json!({"t": t, "p": law.tail(t)?})))
            .collect();
        let sm = self.second_moments();
        let mut v = json!({
            "params": self.params(),
            "a": mix.a(),
            "c": law.c(),
            "kurtosis": law.kurtosis()?,
            "e_abs": law.e_abs()?,
            "e_q2": mix.moment(2.0)?,
            "mean_log_q": mix.mean_log(),
            "var_log_q": mix.var_log(),
            "p0": law.pdf(0.0).ok(),
            "density": density?,
            "tail": tail?,
        });
        if self.outputs() >= 2 {
            let lam2 = self.lambda().powi(2);
            v["corr_sq"] = json!(sm.corr_sq());
            v["e_q11_sq"] = json!(lam2 * sm.a);
            v["e_q11_q22"] = json!(lam2 * sm.b);
            v["e_q12_sq"] = json!(lam2 * sm.gam);
            v["p0_joint"] = json!(self.joint_density_at_origin(0).ok());
            if let Ok(ld) = self.log_det() {
                let d = self.outputs() as f64;
                let ll = self.lambda().ln();
                v["mean_log_det_q"] = json!(ld.mean + d * ll);
                v["var_log_det_q"] = json!(ld.var);
                v["e_det_q"] = json!(ld.e_det * self.lambda().powf(d));
            }
            if self.gram().len() >= 2 {
                let c = self.gram().matrix();
                v["cross_f1f2"] = json!(lam2 * sm.cross(c[(0, 0)], c[(0, 1)], c[(1, 1)]));
            }
        }
        Ok(v)
    }
}

fn check_outputs(d: usize) -> Result<usize> {
    check::count("outputs", d, 1, MAX_OUTPUTS)
}

fn check_sigma2(sigma2: Vec<f64>, l: usize) -> Result<Vec<f64>> {
    let s = if sigma2.is_empty() {
        vec![1.0; l]
    } else if sigma2.len() == 1 {
        vec![sigma2[0]; l]
    } else {
        sigma2
    };
    if s.len() != l {
        return Err(Error::param(
            "sigma2",
            format!("{} values", s.len()),
            &format!("1 value or one per hidden layer ({l})"),
        ));
    }
    for &v in &s {
        check::positive("sigma2", v)?;
    }
    check::product_in("sigma2", &s, 1e-300, 1e300)?;
    Ok(s)
}

/// Exact finite-width prior of a deep linear network (F1–F10).
#[derive(Debug, Clone)]
pub struct DlnPrior {
    widths: Vec<usize>,
    sigma2: Vec<f64>,
    outputs: usize,
    gram: Gram,
}

impl DlnPrior {
    /// Hidden widths `N_1..N_L` (each >= 1), weight variances `σ_1²..σ_L²` (empty = all 1, or one
    /// value for all layers), D outputs, input Gram matrix C.
    pub fn new(widths: Vec<usize>, sigma2: Vec<f64>, outputs: usize, gram: Gram) -> Result<Self> {
        check::count("layers", widths.len(), 1, MAX_LAYERS)?;
        for &n in &widths {
            check::count("width", n, 1, 100_000_000)?;
        }
        let sigma2 = check_sigma2(sigma2, widths.len())?;
        Ok(DlnPrior {
            widths,
            sigma2,
            outputs: check_outputs(outputs)?,
            gram,
        })
    }

    /// L hidden layers of width N, unit variances, one input with C = 1.
    pub fn equal(n: usize, l: usize, outputs: usize) -> Result<Self> {
        check::count("layers", l, 1, MAX_LAYERS)?;
        DlnPrior::new(vec![n; l], vec![], outputs, Gram::unit())
    }

    /// Hidden widths.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// Weight variances of the hidden layers (`σ_1²..σ_L²`).
    pub fn sigma2(&self) -> &[f64] {
        &self.sigma2
    }

    fn widths_f64(&self) -> Vec<f64> {
        self.widths.iter().map(|&n| n as f64).collect()
    }

    /// The limit law with `a = Σ_l 1/N_l` and the same Λ, D, C.
    pub fn limit(&self) -> DlnLimit {
        DlnLimit {
            a: self.mixing().a(),
            lambda: self.lambda(),
            outputs: self.outputs,
            gram: self.gram.clone(),
        }
    }

    /// The same network with other widths (used to test the validator's power).
    pub fn with_widths(&self, widths: Vec<usize>) -> Result<Self> {
        let s = if self.sigma2.iter().all(|&v| v == self.sigma2[0]) {
            vec![self.sigma2[0]]
        } else {
            self.sigma2.clone()
        };
        DlnPrior::new(widths, s, self.outputs, self.gram.clone())
    }
}

impl DlnLaw for DlnPrior {
    fn mixing(&self) -> Mixing {
        Mixing::product(&self.widths_f64()).expect("widths validated")
    }
    fn lambda(&self) -> f64 {
        self.sigma2.iter().product()
    }
    fn outputs(&self) -> usize {
        self.outputs
    }
    fn gram(&self) -> &Gram {
        &self.gram
    }
    fn second_moments(&self) -> QSecondMoments {
        QSecondMoments::finite(&self.widths_f64())
    }
    fn log_det(&self) -> Result<LogDet> {
        LogDet::finite(&self.widths_f64(), self.outputs)
    }
    fn params(&self) -> Value {
        let sigma2 = if self.sigma2.iter().all(|&v| v == self.sigma2[0]) {
            json!(self.sigma2[0])
        } else {
            json!(self.sigma2)
        };
        json!({
            "model": "dln-prior",
            "widths": compress_widths(&self.widths),
            "layers": self.widths.len(),
            "sigma2": sigma2,
            "outputs": self.outputs,
            "gram": matrix_json(self.gram.matrix()),
        })
    }
}

/// Depth~width limit `Σ_l 1/N_l -> a` (F11–F16).
#[derive(Debug, Clone)]
pub struct DlnLimit {
    a: f64,
    lambda: f64,
    outputs: usize,
    gram: Gram,
}

impl DlnLimit {
    /// Limit with parameter `a` in `[0, 50]`, variance scale `Λ` in `[1e-300, 1e300]`, D outputs,
    /// Gram matrix C.
    pub fn new(a: f64, lambda: f64, outputs: usize, gram: Gram) -> Result<Self> {
        Ok(DlnLimit {
            a: check::in_range("a", a, 0.0, 50.0)?,
            lambda: check::in_range("lambda", lambda, 1e-300, 1e300)?,
            outputs: check_outputs(outputs)?,
            gram,
        })
    }

    /// The limit parameter a.
    pub fn a(&self) -> f64 {
        self.a
    }
}

impl DlnLaw for DlnLimit {
    fn mixing(&self) -> Mixing {
        Mixing::LogNormal { a: self.a }
    }
    fn lambda(&self) -> f64 {
        self.lambda
    }
    fn outputs(&self) -> usize {
        self.outputs
    }
    fn gram(&self) -> &Gram {
        &self.gram
    }
    fn second_moments(&self) -> QSecondMoments {
        QSecondMoments::limit(self.a)
    }
    fn log_det(&self) -> Result<LogDet> {
        Ok(LogDet::limit(self.a, self.outputs))
    }
    fn params(&self) -> Value {
        json!({
            "model": "dln-prior-limit",
            "a": self.a,
            "lambda": self.lambda,
            "outputs": self.outputs,
            "gram": matrix_json(self.gram.matrix()),
        })
    }
}

/// Widths as a run-length string, e.g. `"50x25"` or `"100,5,100"`.
pub fn compress_widths(w: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let mut j = i;
        while j < w.len() && w[j] == w[i] {
            j += 1;
        }
        parts.push(if j - i > 1 {
            format!("{}x{}", w[i], j - i)
        } else {
            w[i].to_string()
        });
        i = j;
    }
    parts.join(",")
}

/// Parse widths: comma-separated items, each `N` or `NxR` (N repeated R times).
pub fn parse_widths(s: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for item in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let bad = || Error::param("widths", item, "items `N` or `NxR` with integers N, R >= 1");
        let (n, r) = match item.split_once(['x', 'X']) {
            Some((n, r)) => (
                n.parse::<usize>().map_err(|_| bad())?,
                r.parse::<usize>().map_err(|_| bad())?,
            ),
            None => (item.parse::<usize>().map_err(|_| bad())?, 1),
        };
        if n == 0 || r == 0 {
            return Err(bad());
        }
        check::count("layers", out.len() + r, 1, MAX_LAYERS)?;
        out.extend(std::iter::repeat_n(n, r));
    }
    if out.is_empty() {
        return Err(Error::param("widths", s, "at least one hidden layer"));
    }
    Ok(out)
}

fn matrix_json(m: &DMatrix<f64>) -> Value {
    json!((0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect::<Vec<_>>())
        .collect::<Vec<_>>())
}
