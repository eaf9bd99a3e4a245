//! Training/test data for the Bayesian-network models: the reproducible generator `make_ds` of
//! `docs/models/bayes.md` ("Reference data sets") (SplitMix64, language independent), the hand-made
//! TINY case, CSV input, and the Gram matrices `C = sigma_0^2 X X^T / N0`, `c0 = sigma_0^2 Xt X^T /
//! N0`, `c00 = sigma_0^2 |xt|^2 / N0`.

use crate::error::{Error, Result};
use crate::rng::splitmix64;
use nalgebra::DMatrix;
use std::path::Path;

/// A regression data set: `P` training inputs in `R^N0` with `D` outputs each, `Pt` test inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Training inputs, `P x N0` (one row per input).
    pub x: DMatrix<f64>,
    /// Training labels, `P x D`.
    pub y: DMatrix<f64>,
    /// Test inputs, `Pt x N0`.
    pub xt: DMatrix<f64>,
    /// Test labels, `Pt x D`.
    pub yt: DMatrix<f64>,
}

/// Gram matrices of a data set (first-layer variance included): what every Bayesian model needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Gram {
    /// `C_{mu nu} = sigma_0^2 x^mu . x^nu / N0`, `P x P`.
    pub c: DMatrix<f64>,
    /// `c0_{t mu} = sigma_0^2 xt^t . x^mu / N0`, `Pt x P`.
    pub c0: DMatrix<f64>,
    /// `c00_t = sigma_0^2 |xt^t|^2 / N0`, length `Pt`.
    pub c00: Vec<f64>,
    /// Training labels `P x D`.
    pub y: DMatrix<f64>,
    /// Test labels `Pt x D`.
    pub yt: DMatrix<f64>,
}

/// Uniform `(out >> 11) 2^-53` from SplitMix64 (docs/models/bayes.md, "Reference data sets").
fn uniform(state: &mut u64) -> f64 {
    (splitmix64(state) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Standard normals of docs/models/bayes.md ("Reference data sets"): `sqrt(-2 ln(1 - u1)) cos(2 pi
/// u2)` from two consecutive uniforms (the sine branch is discarded), stream seeded with `seed`.
pub fn splitmix_normals(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let u1 = uniform(&mut s);
            let u2 = uniform(&mut s);
            (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

fn check_sizes(p: usize, pt: usize, n0: usize) -> Result<()> {
    crate::error::check::count("P", p, 1, 1_000_000)?;
    crate::error::check::count("Pt", pt, 0, 1_000_000)?;
    crate::error::check::count("N0", n0, 1, 1_000_000)?;
    if (p + pt).saturating_mul(n0) > 200_000_000 {
        return Err(Error::param("(P+Pt)*N0", (p + pt) * n0, "<= 2e8"));
    }
    Ok(())
}

/// `make_ds(P, Pt, N0, seed)`: `Z = (P+Pt) x N0` normals (row-major) from SplitMix64(seed), rows
/// `0..P` training, `P..P+Pt` test; teacher `w = ` normals(seed+1); labels `y = Z w / sqrt(N0)` (no noise).
pub fn make_ds(p: usize, pt: usize, n0: usize, seed: u64) -> Result<Dataset> {
    make_ds_outputs(p, pt, n0, seed, 1)
}

/// `make_ds` with `D in {1, 2}` outputs. Two outputs: `w1 = normals(seed+1)`,
/// `w2 = 0.6 w1 + 0.8 normals(seed+2)`, `Y = [Z w1, Z w2] / sqrt(N0)` (docs/models/bayes.md,
/// "Reference data sets": make_ds2).
pub fn make_ds_outputs(p: usize, pt: usize, n0: usize, seed: u64, d: usize) -> Result<Dataset> {
    check_sizes(p, pt, n0)?;
    crate::error::check::count("D", d, 1, 2)?;
    let z = splitmix_normals(seed, (p + pt) * n0);
    let w1 = splitmix_normals(seed.wrapping_add(1), n0);
    let mut ws = vec![w1.clone()];
    if d == 2 {
        let e = splitmix_normals(seed.wrapping_add(2), n0);
        ws.push(w1.iter().zip(&e).map(|(a, b)| 0.6 * a + 0.8 * b).collect());
    }
    let zm = DMatrix::from_row_slice(p + pt, n0, &z);
    let s = (n0 as f64).sqrt();
    let labels = DMatrix::from_fn(p + pt, d, |mu, k| {
        (0..n0).map(|i| zm[(mu, i)] * ws[k][i]).sum::<f64>() / s
    });
    Ok(Dataset {
        x: zm.rows(0, p).into_owned(),
        y: labels.rows(0, p).into_owned(),
        xt: zm.rows(p, pt).into_owned(),
        yt: labels.rows(p, pt).into_owned(),
    })
}

/// The TINY case of docs/models/bayes.md ("Reference data sets") realised by actual inputs in
/// `R^4`: `X = [R | 0]`, `R = 2 chol(C)`,
/// `x0 = (4 R^{-1} c0, sqrt(4 - |4 R^{-1} c0|^2))`, so that `X X^T/4 = C`, `X x0/4 = c0`, `|x0|^2/4 = 1`.
/// `outputs = 1`: `y = (1, -0.5, 0.8)`, `y0 = 0.5`; `outputs = 2`: `Y = [[1, .6], [-.5, -.2], [.8, .9]]`
/// (no second test label is given in the reference; `y0 = (0.5, 0.5)` is used for the error only).
pub fn tiny(outputs: usize) -> Result<Dataset> {
    crate::error::check::count("D", outputs, 1, 2)?;
    let c = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0]);
    let r = crate::numerics::linalg::cholesky(c, "TINY Gram")?.l() * 2.0;
    let c0 = nalgebra::DVector::from_vec(vec![0.4, 0.3, 0.6]);
    let v = r
        .solve_lower_triangular(&c0)
        .ok_or_else(|| Error::InvalidData("TINY: singular Cholesky factor".into()))?
        * 4.0;
    let mut x = DMatrix::zeros(3, 4);
    x.view_mut((0, 0), (3, 3)).copy_from(&r);
    let mut xt = DMatrix::zeros(1, 4);
    for i in 0..3 {
        xt[(0, i)] = v[i];
    }
    xt[(0, 3)] = (4.0 - v.norm_squared()).sqrt();
    let (y, yt) = if outputs == 1 {
        (
            DMatrix::from_row_slice(3, 1, &[1.0, -0.5, 0.8]),
            DMatrix::from_row_slice(1, 1, &[0.5]),
        )
    } else {
        (
            DMatrix::from_row_slice(3, 2, &[1.0, 0.6, -0.5, -0.2, 0.8, 0.9]),
            DMatrix::from_row_slice(1, 2, &[0.5, 0.5]),
        )
    };
    Ok(Dataset { x, y, xt, yt })
}

impl Dataset {
    /// Build a data set, checking shapes and finiteness: `P >= 1`, the same `N0` for training and test
    /// inputs, the same `D >= 1` for training and test labels, one label row per input, no NaN/inf.
    pub fn new(
        x: DMatrix<f64>,
        y: DMatrix<f64>,
        xt: DMatrix<f64>,
        yt: DMatrix<f64>,
    ) -> Result<Self> {
        let d = Dataset { x, y, xt, yt };
        d.validate()?;
        Ok(d)
    }

    /// The checks of [`Dataset::new`].
    pub fn validate(&self) -> Result<()> {
        let (p, n0) = self.x.shape();
        if p == 0 {
            return Err(Error::InvalidData("P = 0: no training points".into()));
        }
        if n0 == 0 {
            return Err(Error::InvalidData("N0 = 0: inputs have no features".into()));
        }
        if self.y.nrows() != p {
            return Err(Error::InvalidData(format!(
                "{} labels for {p} training inputs",
                self.y.nrows()
            )));
        }
        if self.y.ncols() == 0 {
            return Err(Error::InvalidData(
                "labels have no output column (D = 0)".into(),
            ));
        }
        if self.xt.ncols() != n0 && self.xt.nrows() > 0 {
            return Err(Error::InvalidData(format!(
                "test inputs have dimension {}, training inputs {n0}",
                self.xt.ncols()
            )));
        }
        if self.yt.nrows() != self.xt.nrows()
            || (self.xt.nrows() > 0 && self.yt.ncols() != self.y.ncols())
        {
            return Err(Error::InvalidData(format!(
                "test labels are {} x {}, expected {} x {}",
                self.yt.nrows(),
                self.yt.ncols(),
                self.xt.nrows(),
                self.y.ncols()
            )));
        }
        for (name, m) in [
            ("X", &self.x),
            ("y", &self.y),
            ("Xt", &self.xt),
            ("yt", &self.yt),
        ] {
            if let Some(k) = m.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidData(format!(
                    "{name} has a non-finite entry ({}) at row {}, column {}",
                    m.iter().nth(k).copied().unwrap_or(f64::NAN),
                    k % m.nrows(),
                    k / m.nrows()
                )));
            }
        }
        Ok(())
    }

    /// Number of training points `P`.
    pub fn p(&self) -> usize {
        self.x.nrows()
    }
    /// Input dimension `N0`.
    pub fn n0(&self) -> usize {
        self.x.ncols()
    }
    /// Number of outputs `D`.
    pub fn d(&self) -> usize {
        self.y.ncols()
    }

    /// Gram matrices with first-layer weight variance `sigma0_sq` (`= 1/lambda_0`).
    pub fn gram(&self, sigma0_sq: f64) -> Result<Gram> {
        self.validate()?;
        let s =
            crate::error::check::in_range("sigma0^2", sigma0_sq, 1e-100, 1e100)? / self.n0() as f64;
        let c = (&self.x * self.x.transpose()) * s;
        let c0 = (&self.xt * self.x.transpose()) * s;
        let c00 = (0..self.xt.nrows())
            .map(|t| self.xt.row(t).norm_squared() * s)
            .collect();
        Gram::new(c, c0, c00, self.y.clone(), self.yt.clone())
    }

    /// Read a CSV file with a header line. Columns: `split` (`train` or `test`), inputs whose names
    /// start with `x`, labels whose names start with `y` (any order). Example header: `split,x1,x2,y`.
    pub fn from_csv(path: &Path) -> Result<Self> {
        let text = crate::io::read_to_string_capped(path, crate::io::MAX_INPUT_BYTES, "data")?;
        let perr = |message: String| Error::Parse {
            path: path.to_path_buf(),
            message,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| perr("empty file".into()))?;
        let cols: Vec<String> = header.split(',').map(|s| s.trim().to_lowercase()).collect();
        let split = cols
            .iter()
            .position(|c| c == "split")
            .ok_or_else(|| perr("no `split` column (train/test)".into()))?;
        let xs: Vec<usize> = (0..cols.len())
            .filter(|&k| cols[k].starts_with('x'))
            .collect();
        let ys: Vec<usize> = (0..cols.len())
            .filter(|&k| cols[k].starts_with('y'))
            .collect();
        if xs.is_empty() || ys.is_empty() {
            return Err(perr(
                "need at least one `x...` and one `y...` column".into(),
            ));
        }
        let (mut tr_x, mut tr_y, mut te_x, mut te_y) = (vec![], vec![], vec![], vec![]);
        for (ln, line) in lines {
            let f: Vec<&str> = line.split(',').map(|s| s.trim()).collect();
            if f.len() != cols.len() {
                return Err(perr(format!(
                    "line {}: {} fields, header has {}",
                    ln + 1,
                    f.len(),
                    cols.len()
                )));
            }
            let num = |k: usize| -> Result<f64> {
                f[k].parse::<f64>()
                    .map_err(|_| perr(format!("line {}: `{}` is not a number", ln + 1, f[k])))
            };
            let xv = xs.iter().map(|&k| num(k)).collect::<Result<Vec<_>>>()?;
            let yv = ys.iter().map(|&k| num(k)).collect::<Result<Vec<_>>>()?;
            match f[split].to_lowercase().as_str() {
                "train" => {
                    tr_x.extend(xv);
                    tr_y.extend(yv);
                }
                "test" => {
                    te_x.extend(xv);
                    te_y.extend(yv);
                }
                other => {
                    return Err(perr(format!(
                        "line {}: split `{other}` is not train/test",
                        ln + 1
                    )))
                }
            }
        }
        let (n0, d) = (xs.len(), ys.len());
        Dataset::new(
            DMatrix::from_row_slice(tr_x.len() / n0, n0, &tr_x),
            DMatrix::from_row_slice(tr_y.len() / d, d, &tr_y),
            DMatrix::from_row_slice(te_x.len() / n0, n0, &te_x),
            DMatrix::from_row_slice(te_y.len() / d, d, &te_y),
        )
    }
}

impl Gram {
    /// Gram data given directly (e.g. the TINY case). Checks: `C` square `P x P` with `P >= 1`,
    /// symmetric, positive semi-definite (smallest eigenvalue `>= -1e-10 max(1, |C|)`), `c0` is `Pt x P`,
    /// `c00 >= 0`, labels `P x D` / `Pt x D`, everything finite.
    pub fn new(
        c: DMatrix<f64>,
        c0: DMatrix<f64>,
        c00: Vec<f64>,
        y: DMatrix<f64>,
        yt: DMatrix<f64>,
    ) -> Result<Self> {
        let p = c.nrows();
        if p == 0 {
            return Err(Error::InvalidData("P = 0: no training points".into()));
        }
        if c.ncols() != p {
            return Err(Error::InvalidData(format!(
                "Gram is {} x {}, not square",
                p,
                c.ncols()
            )));
        }
        if c0.ncols() != p || c0.nrows() != c00.len() {
            return Err(Error::InvalidData(format!(
                "test overlaps c0 are {} x {} with {} self-overlaps c00, expected Pt x {p} and Pt",
                c0.nrows(),
                c0.ncols(),
                c00.len()
            )));
        }
        if y.nrows() != p || y.ncols() == 0 {
            return Err(Error::InvalidData(format!(
                "labels are {} x {}, expected {p} x D",
                y.nrows(),
                y.ncols()
            )));
        }
        if yt.nrows() != c00.len() || yt.ncols() != y.ncols() {
            return Err(Error::InvalidData(format!(
                "test labels are {} x {}, expected {} x {}",
                yt.nrows(),
                yt.ncols(),
                c00.len(),
                y.ncols()
            )));
        }
        let finite = |m: &DMatrix<f64>| m.iter().all(|v| v.is_finite());
        if !finite(&c)
            || !finite(&c0)
            || !finite(&y)
            || !finite(&yt)
            || c00.iter().any(|v| !v.is_finite())
        {
            return Err(Error::InvalidData(
                "Gram data or labels contain NaN or infinite values".into(),
            ));
        }
        if c00.iter().any(|&v| v < 0.0) {
            return Err(Error::InvalidData(
                "a test self-overlap c00 is negative".into(),
            ));
        }
        let scale = c.abs().max().max(1.0);
        if (&c - c.transpose()).abs().max() > 1e-10 * scale {
            return Err(Error::InvalidData("Gram matrix C is not symmetric".into()));
        }
        Ok(Gram { c, c0, c00, y, yt })
    }

    /// Number of training points.
    pub fn p(&self) -> usize {
        self.c.nrows()
    }
    /// Number of outputs.
    pub fn d(&self) -> usize {
        self.y.ncols()
    }
    /// Number of test points.
    pub fn pt(&self) -> usize {
        self.c00.len()
    }
}
