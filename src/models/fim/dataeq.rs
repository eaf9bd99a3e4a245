//! Data-dependent deterministic equivalent of the NTK / FIM dual Gram and of the conjugate-kernel Gram
//! for a **fixed** data set `X` (docs/models/fim.md (F20, F29–F30)).
//!
//! With the exact infinite-width kernels of the data (`h = W X/√d` rows, `w ~ N(0, σ_w² I)`)
//!
//! ```text
//! K_CK = E_w[φ(h) φ(h)ᵀ],   K_W = σ_v² E_w[φ'(h) φ'(h)ᵀ] ∘ (XᵀX/d),
//! ```
//!
//! the dual Gram `Θ = ΦᵀΦ/N + K^(W)` has the deterministic equivalent (`n × n`, `n` data points)
//!
//! ```text
//! R̄(z) = (K_W + K_CK/(1 + δ) - z)⁻¹,   δ = (1/N) tr(K_CK R̄),   m(z) = (1/n) tr R̄(z).
//! ```
//!
//! **Readout only** (`K_W = 0`) this is the Louart–Liao–Couillet deterministic equivalent of the CK
//! Gram `ΦᵀΦ/N` (proved; F30 with `G = (N/n) CK`). With `λ_j = eig K_CK`, `m_B = -1/(z (1 + δ))` is
//! the Stieltjes transform of the `N × N` companion and solves the Silverstein equation
//! `m_B = 1/(-z + (1/N) Σ_j λ_j/(1 + λ_j m_B))`, so it is solved by the core continuation solver,
//! its support comes exactly from the pole structure of `x(m) = (1/N) Σ λ_j/(1 + λ_j m) - 1/m`
//! (`numerics::discrete_pop`; checked by the exact mass accounting below, with the scan as fallback), and
//! `ρ(x) = (N/n) Im m_B/π` plus an atom `1 - min(rank K_CK, N)/n` at 0.
//!
//! **Both layers** (the NTK; an *ansatz*: `K^(W)` replaced by its mean, the CK by a Wishart matrix)
//! `K_W` and `K_CK` do not commute. With `K_CK = Q Λ Qᵀ` positive definite, whitening gives
//! `K_W - x + s K_CK = Q Λ^½ (M(x) + s) Λ^½ Qᵀ`, `M(x) = Ŵ - x Λ⁻¹`, `Ŵ = Λ^-½ QᵀK_W Q Λ^-½`. For real `x`
//! `M(x)` is real symmetric with eigenpairs `(σ_k, v_k)`, and with `w = -1/(1 + δ)`:
//!
//! ```text
//! w = 1/(-1 - (1/N) Σ_k 1/(σ_k - w)),   m(x + i0) = (1/n) Σ_k ω_k/(σ_k - w),   ω_k = v_kᵀ Λ⁻¹ v_k.
//! ```
//!
//! The left side minus the right, `1 + 1/w + (1/N) Σ 1/(σ_k - w)`, is rational of degree `n + 1` with at
//! least `n - 1` real roots forced by the poles, so at most one root lies in `C+`: it is the boundary
//! value, and `x` is in the support iff it exists. It is found by the core solver with the homotopy
//! `w = 1/(-ζ - 1 - (1/N) Σ 1/(σ_k - w))`, `ζ = iη → i0` (a self-map of `C+` for every `η > 0`). No
//! smoothing: densities are boundary values (`η = 1e-10`). One symmetric eigendecomposition per real
//! `x` (`O(n³)`; three non-commuting matrices with two varying coefficients admit no shared one).
//!
//! **Exact CDF.** `Ψ(x, s) = log det(K_W - x + s K_CK) - N (log s - s)` is stationary in `s` at the
//! solution and `∂_x Ψ = -n m`, so `F(x) = -Im Ψ(x + i0, s(x))/(nπ)`:
//! `F = -(Σ_k arg(σ_k + s) - N arg s + N Im s)/(nπ)` (`s = -w`) — eigenvalues only. Outside the support
//! `F` is constant, so every gap of a reported support can be checked to carry zero mass.
//!
//! Support (both layers): `law::support_by_scan` with the exact CDF and `Im w` as probes (a
//! scan refined at edges, hidden mass and integer levels of `n F`, where gaps sit), checked by exact
//! mass accounting.

use super::activation::Activation;
pub use super::data_kernels::{draw_data, try_draw_data, DataKernels, DATA_STREAM};
use super::law::{density_on_support, support_by_scan};
use super::sampler::Trained;
use crate::error::{check, Error, Result};
use crate::model::{SpectralModel, Support};
use crate::numerics::discrete_pop::discrete_population_support;
use crate::numerics::linalg::{eigvalsh, sym_eigen};
use crate::numerics::stieltjes::{self, ResolventEquation, SolverOptions};
use crate::spectral::{Component, SpectralDensity};
use faer::linalg::solvers::DenseSolveCore;
use faer::Mat;
use nalgebra::DMatrix;
use num_complex::Complex64 as C64;
use rayon::prelude::*;
use std::f64::consts::PI;
use std::sync::OnceLock;

/// Peak memory of the fixed-data law for `n` points: the kernels and their pair table (about five
/// `n x n` arrays), the whitened problem (three more) and one `n x n` eigendecomposition per thread
/// while the support is scanned.
pub fn law_memory(n: usize) -> u64 {
    use crate::budget::{eigen_bytes, elements, f64s};
    f64s(8 * elements(&[n, n]))
        .saturating_add(eigen_bytes(n).saturating_mul(rayon::current_num_threads() as u64))
}

/// The whitened first-layer problem (both layers trained).
#[derive(Debug, Clone)]
struct Whitened {
    w_hat: DMatrix<f64>,
    inv_lam: Vec<f64>,
    ck: DMatrix<f64>,
    kw: DMatrix<f64>,
    kw_range: (f64, f64),
}

/// One real point of the both-layer law: `w`, `m(x + i0)` (if eigenvectors were used) and the CDF.
#[derive(Debug, Clone, Copy)]
struct Point {
    w: C64,
    m: Option<C64>,
    cdf: f64,
}

/// The data-dependent law F20 (both layers) / F30 (readout) of the dual Gram `Θ` for a fixed data set.
#[derive(Debug, Clone)]
pub struct DataFim {
    n: usize,
    width: usize,
    trained: Trained,
    about: serde_json::Value,
    lam: Vec<f64>,
    rank: usize,
    moments: [f64; 2],
    both: Option<Whitened>,
    opts: SolverOptions,
    support: OnceLock<Support>,
}

impl DataFim {
    /// The law for data `x` (`d × n`), width `N`, an activation with `σ_w², σ_v²`, and the trained
    /// layers (`readout` or `both`; the first-layer-only law is the atomic spectrum of `K_W`).
    pub fn new(
        x: &Mat<f64>,
        width: usize,
        act: &Activation,
        sigma_w2: f64,
        sigma_v2: f64,
        trained: Trained,
    ) -> Result<Self> {
        if trained == Trained::Both {
            check::positive("sigma_v2", sigma_v2)?;
        }
        check::count("n", x.ncols(), 1, 20_000)?;
        crate::budget::check("the fixed-data law", law_memory(x.ncols()))?;
        let k = DataKernels::new(x, act, sigma_w2, sigma_v2, trained == Trained::Both)?;
        let about = serde_json::json!({
            "activation": act.name(), "sigma_w2": sigma_w2, "sigma_v2": sigma_v2,
            "d": x.nrows(), "d_over_n": x.nrows() as f64 / x.ncols() as f64,
        });
        Self::from_kernels(k, width, trained, about)
    }

    /// The law from given kernels (`about` is reported in the parameters).
    pub fn from_kernels(
        k: DataKernels,
        width: usize,
        trained: Trained,
        about: serde_json::Value,
    ) -> Result<Self> {
        check::count("width", width, 1, 100_000_000)?;
        let n = k.ck.nrows();
        let first = match (trained, k.first) {
            (Trained::First, _) => {
                return Err(Error::param(
                    "trained",
                    "first",
                    "readout or both (the first-layer-only data law is the atomic law of K_W)",
                ))
            }
            (Trained::Both, None) => {
                return Err(Error::InvalidData("both layers need the kernel K_W".into()))
            }
            (Trained::Both, Some(kw)) => Some(kw),
            (Trained::Readout, _) => None,
        };
        if first.as_ref().is_some_and(|kw| kw.shape() != (n, n)) || k.ck.ncols() != n {
            return Err(Error::InvalidData(
                "kernels must be square of equal size".into(),
            ));
        }
        let tr_ck = k.ck.trace();
        let kk = match &first {
            Some(kw) => &k.ck + kw,
            None => k.ck.clone(),
        };
        let nf = n as f64;
        let moments = [
            kk.trace() / nf,
            kk.norm_squared() / nf + tr_ck * tr_ck / (nf * width as f64),
        ];
        let (lam, both) = match first {
            None => (eigvalsh(k.ck.as_slice(), n)?, None),
            Some(kw) => {
                let (lam, q) = sym_eigen(&k.ck)?;
                let top = lam.last().copied().unwrap_or(0.0);
                if lam[0].partial_cmp(&(1e-10 * top)) != Some(std::cmp::Ordering::Greater) {
                    return Err(Error::Domain(format!(
                        "the both-layer data law needs a positive-definite K_CK (eigenvalues [{:.3e}, {:.3e}]): \
                         use a nonlinear activation, distinct data points and n <= d for a linear one, or --trained readout",
                        lam[0], top
                    )));
                }
                let inv_sqrt: Vec<f64> = lam.iter().map(|l| 1.0 / l.sqrt()).collect();
                let mut w_hat = q.transpose() * &kw * &q;
                for j in 0..n {
                    for i in 0..n {
                        w_hat[(i, j)] *= inv_sqrt[i] * inv_sqrt[j];
                    }
                }
                let ew = eigvalsh(kw.as_slice(), n)?;
                let kw_range = (ew[0], ew[n - 1]);
                let inv_lam = lam.iter().map(|l| 1.0 / l).collect();
                let b = Whitened {
                    w_hat,
                    inv_lam,
                    ck: k.ck,
                    kw,
                    kw_range,
                };
                (lam, Some(b))
            }
        };
        let top = lam.last().copied().unwrap_or(0.0).max(0.0);
        let tol = 1e-12 * top * nf;
        let lam: Vec<f64> = lam.iter().map(|&l| if l > tol { l } else { 0.0 }).collect();
        let rank = lam.iter().filter(|&&l| l > 0.0).count();
        Ok(DataFim {
            n,
            width,
            trained,
            about,
            lam,
            rank,
            moments,
            both,
            opts: SolverOptions::default(),
            support: OnceLock::new(),
        })
    }

    /// Number of data points `n` (size of the dual matrix).
    pub fn n(&self) -> usize {
        self.n
    }
    /// Eigenvalues of `K_CK` (ascending; numerical zeros set to 0).
    pub fn kernel_eigenvalues(&self) -> &[f64] {
        &self.lam
    }
    /// Mass of the atom at 0: `1 - min(rank K_CK, N)/n` (readout; none for both layers).
    pub fn atom_mass(&self) -> f64 {
        if self.both.is_some() {
            return 0.0;
        }
        let a = 1.0 - self.rank.min(self.width) as f64 / self.n as f64;
        if a > 1e-12 {
            a
        } else {
            0.0
        }
    }

    fn companion(&self) -> Companion<'_> {
        Companion {
            lam: &self.lam[self.n - self.rank..],
            inv_width: 1.0 / self.width as f64,
        }
    }

    /// The boundary value `m(x + i0)` at a real point (both layers: the whitened route; readout: the
    /// companion solved at `x + iη`, `η = 1e-10`).
    pub fn boundary_value(&self, x: f64) -> Result<C64> {
        check::finite("x", x)?;
        match &self.both {
            Some(b) => Ok(self.point(b, x, true)?.m.expect("vectors requested")),
            None => self.stieltjes(C64::new(x, self.opts.eta_min)),
        }
    }

    /// Exact CDF `μ((-∞, x])` of the law from eigenvalues only (module docs).
    pub fn cdf_exact(&self, x: f64) -> Result<f64> {
        check::finite("x", x)?;
        if let Some(b) = &self.both {
            return Ok(self.point(b, x, false)?.cdf);
        }
        let mb = stieltjes::solve_real(&self.companion(), x, None, &self.opts)?.m;
        let z = C64::new(x, self.opts.eta_min);
        let s = -z * mb;
        let sum: f64 = self.lam.iter().map(|&l| arg_lower(s * l - z)).sum();
        Ok(self.cdf_of(sum, s))
    }

    fn cdf_of(&self, sum_args: f64, s: C64) -> f64 {
        let nw = self.width as f64;
        (-(sum_args - nw * arg_lower(s) + nw * s.im.min(0.0)) / (self.n as f64 * PI))
            .clamp(0.0, 1.0)
    }

    /// Both layers at real `x`: eigen-decompose `M(x)`, solve for `w`, and `m`, `F`.
    fn point(&self, b: &Whitened, x: f64, vectors: bool) -> Result<Point> {
        let n = self.n;
        let mut mx = b.w_hat.clone();
        for k in 0..n {
            mx[(k, k)] -= x * b.inv_lam[k];
        }
        let (sig, omega) = if vectors {
            let (sig, u) = sym_eigen(&mx)?;
            let om = (0..n)
                .map(|k| (0..n).map(|j| u[(j, k)] * u[(j, k)] * b.inv_lam[j]).sum())
                .collect();
            (sig, Some(om))
        } else {
            (eigvalsh(mx.as_slice(), n)?, None)
        };
        let eq = PointEq {
            sig: &sig,
            inv_width: 1.0 / self.width as f64,
        };
        let w = stieltjes::solve(&eq, C64::new(0.0, self.opts.eta_min), None, &self.opts)?.m;
        let m = omega.map(|om: Vec<f64>| {
            sig.iter().zip(&om).map(|(&s, &o)| o / (s - w)).sum::<C64>() / n as f64
        });
        let sum: f64 = sig.iter().map(|&s| arg_lower(s - w)).sum();
        Ok(Point {
            w,
            m,
            cdf: self.cdf_of(sum, -w),
        })
    }

    /// Inside-the-support indicator and exact CDF at `x`: `(cdf, level)`, `level = Im w/|w|` (both
    /// layers) or `Im m_B/|m_B|` (readout); inside iff `level > 1e-6`.
    fn probe(&self, x: f64) -> Result<(f64, f64)> {
        match &self.both {
            Some(b) => {
                let p = self.point(b, x, false)?;
                Ok((p.cdf, p.w.im / p.w.norm().max(1e-300)))
            }
            None => {
                let mb = stieltjes::solve_real(&self.companion(), x, None, &self.opts)?.m;
                Ok((self.cdf_exact(x)?, mb.im / mb.norm().max(1e-300)))
            }
        }
    }

    /// A range that holds the law: `[λ_min(K_W), λ_max(K_W) + λ_max(K_CK)(1 + √(n/N))²]`, widened.
    fn range(&self) -> (f64, f64) {
        let (lo, hi) = self.both.as_ref().map_or((0.0, 0.0), |b| b.kw_range);
        let top = self.lam.last().copied().unwrap_or(0.0);
        let hi = hi + top * (1.0 + (self.n as f64 / self.width as f64).sqrt()).powi(2);
        let pad = 0.02 * (hi - lo).max(1e-12);
        (lo - pad, hi + pad)
    }

    fn scan(&self, atoms: &[(f64, f64)]) -> Result<Vec<(f64, f64)>> {
        let (lo, hi) = self.range();
        support_by_scan(|x| self.probe(x), lo, hi, self.n, atoms)
    }

    fn support_cached(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let a = self.atom_mass();
        let atoms = if a > 0.0 { vec![(0.0, a)] } else { vec![] };
        let mut s = Support {
            components: vec![],
            atoms,
        };
        if self.both.is_none() {
            // exact edges from the pole structure (numerics::discrete_pop): at widths near 10⁸ × n the
            // gaps between the bands of nearly equal eigenvalues are far below any scan's spacing
            s.components = discrete_population_support(
                &self.lam[self.n - self.rank..],
                1.0 / self.width as f64,
            );
            if !self.accounting_ok(&s)? {
                s.components = self.scan(&s.atoms)?;
            }
        } else {
            s.components = self.scan(&s.atoms)?;
        }
        let _ = self.support.set(s);
        Ok(self.support.get().expect("just set"))
    }

    /// Every gap of `s` (and the two outer half-lines) carries exactly the mass of its atoms.
    ///
    /// `F` is compared at the quarter points of each gap (outer half-lines: 1% of the support's span
    /// outside it). `F` comes from boundary values at `x + iη`, which smear every band's mass over
    /// `~η/(π δ)` at a distance `δ` (1e-7 for gaps `1e-4` wide at widths near 10⁸ × n): the tolerance
    /// is `1e-7 + η/(π δ)`, with `δ` a quarter of the gap. A band hidden in a gap still shows as a jump
    /// of `F` by `1/n`, far above it.
    fn accounting_ok(&self, s: &Support) -> Result<bool> {
        let c = &s.components;
        let (Some(first), Some(last)) = (c.first(), c.last()) else {
            return Ok(false);
        };
        let span = last.1 - first.0;
        let eta = self.opts.eta_min;
        // (left probe, right probe, tolerance)
        let mut probes = vec![(
            f64::NEG_INFINITY,
            first.0 - 0.01 * span,
            1e-7 + eta / (PI * 0.01 * span),
        )];
        for w in c.windows(2) {
            let (a, b) = (w[0].1, w[1].0);
            let q = 0.25 * (b - a);
            probes.push((a + q, b - q, 1e-7 + eta / (PI * q)));
        }
        probes.push((
            last.1 + 0.01 * span,
            f64::INFINITY,
            1e-7 + eta / (PI * 0.01 * span),
        ));
        let f = |x: f64| -> Result<f64> {
            Ok(if x == f64::NEG_INFINITY {
                0.0
            } else if x == f64::INFINITY {
                1.0
            } else {
                self.cdf_exact(x)?
            })
        };
        for (a, b, tol) in probes {
            let atoms: f64 = s
                .atoms
                .iter()
                .filter(|t| t.0 > a && t.0 <= b)
                .map(|t| t.1)
                .sum();
            if (f(b)? - f(a)? - atoms).abs() > tol {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The complex-`z` route of the both-layer law: complex LU of `K_W - w K_CK - z` per evaluation.
    fn stieltjes_lu(&self, b: &Whitened, z: C64) -> Result<C64> {
        let eq = LuEq {
            b,
            z,
            inv_width: 1.0 / self.width as f64,
        };
        let w = stieltjes::solve(&eq, C64::new(0.0, self.opts.eta_min), None, &self.opts)?.m;
        Ok(b.traces(w, z).1 / self.n as f64)
    }
}

/// `arg` of a number whose imaginary part is `≤ 0` in the limit (`-π` on the negative axis).
fn arg_lower(c: C64) -> f64 {
    c.im.min(-f64::MIN_POSITIVE).atan2(c.re)
}

/// The `N × N` companion (readout): `m_B = 1/(-z + (1/N) Σ λ_j/(1 + λ_j m_B))`.
struct Companion<'a> {
    lam: &'a [f64],
    inv_width: f64,
}

impl Companion<'_> {
    fn tau(&self, m: C64) -> C64 {
        self.lam.iter().map(|&l| l / (1.0 + l * m)).sum::<C64>() * self.inv_width
    }
}

impl ResolventEquation for Companion<'_> {
    fn map(&self, m: C64, z: C64) -> C64 {
        (-z + self.tau(m)).inv()
    }
    fn describe(&self) -> String {
        format!(
            "data CK law (rank {}, N = {})",
            self.lam.len(),
            (1.0 / self.inv_width).round()
        )
    }
}

/// The both-layer fixed point at one real point: `w = 1/(-ζ - 1 - (1/N) Σ 1/(σ_k - w))`, `ζ → i0`.
struct PointEq<'a> {
    sig: &'a [f64],
    inv_width: f64,
}

impl ResolventEquation for PointEq<'_> {
    fn map(&self, w: C64, zeta: C64) -> C64 {
        let d: C64 = self.sig.iter().map(|&s| (s - w).inv()).sum::<C64>() * self.inv_width;
        (-zeta - 1.0 - d).inv()
    }
    fn describe(&self) -> String {
        "data NTK law (whitened point equation)".into()
    }
}

impl Whitened {
    /// `(tr(K_CK A⁻¹), tr A⁻¹)` with `A = K_W - w K_CK - z`.
    fn traces(&self, w: C64, z: C64) -> (C64, C64) {
        let n = self.ck.nrows();
        let a = Mat::<C64>::from_fn(n, n, |i, j| {
            let v = C64::new(self.kw[(i, j)], 0.0) - w * self.ck[(i, j)];
            if i == j {
                v - z
            } else {
                v
            }
        });
        let inv = a.partial_piv_lu().inverse();
        let mut t1 = C64::new(0.0, 0.0);
        let mut t0 = C64::new(0.0, 0.0);
        for j in 0..n {
            t0 += inv[(j, j)];
            for i in 0..n {
                t1 += inv[(j, i)] * self.ck[(i, j)];
            }
        }
        (t1, t0)
    }
}

struct LuEq<'a> {
    b: &'a Whitened,
    z: C64,
    inv_width: f64,
}

impl ResolventEquation for LuEq<'_> {
    fn map(&self, w: C64, zeta: C64) -> C64 {
        (-zeta - 1.0 - self.b.traces(w, self.z).0 * self.inv_width).inv()
    }
    fn describe(&self) -> String {
        format!("data NTK law at z = {}", self.z)
    }
}

impl SpectralModel for DataFim {
    fn name(&self) -> String {
        self.trained.model_name()
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": "data", "trained": self.trained, "n": self.n, "width": self.width,
            "n_over_width": self.n as f64 / self.width as f64, "data": self.about,
            "kernel_ck_eigen_range": [self.lam.first(), self.lam.last()], "kernel_ck_rank": self.rank,
            "status": if self.both.is_some() {
                "Wishart ansatz with the exact kernels (docs/models/fim.md (F20))"
            } else {
                "deterministic equivalent of the CK Gram (Louart-Liao-Couillet, proved; docs/models/fim.md (F30))"
            },
            "smoothing": "none: boundary values m(x + i0) (eta = 1e-10)",
            "scale": "eigenvalues of Θ = J Jᵀ for the fixed data (n × n; spike included); FIM = Θ/n",
        })
    }
    fn stieltjes(&self, z: C64) -> Result<C64> {
        if !stieltjes::in_upper_half_plane(z) {
            return Err(Error::NotInUpperHalfPlane { re: z.re, im: z.im });
        }
        if let Some(b) = &self.both {
            return self.stieltjes_lu(b, z);
        }
        let mb = stieltjes::solve(&self.companion(), z, None, &self.opts)?.m;
        let r = self.width as f64 / self.n as f64;
        Ok(mb * r - (1.0 - r) / z)
    }
    fn density(&self, x: f64) -> Result<f64> {
        Ok(self.density_many(&[x])?[0])
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let support = self.support_cached()?;
        let Some(b) = &self.both else {
            let r = self.width as f64 / self.n as f64;
            let d = density_on_support(&self.companion(), support, xs, &self.opts)?;
            return Ok(d.into_iter().map(|v| v * r).collect());
        };
        if let Some(x) = xs.iter().find(|x| !x.is_finite()) {
            return Err(Error::param("x", x, "finite"));
        }
        xs.par_iter()
            .map(|&x| {
                if !support.components.iter().any(|c| x > c.0 && x < c.1) {
                    return Ok(0.0);
                }
                let m = self.point(b, x, true)?.m.expect("vectors requested");
                Ok(stieltjes::density_of(m))
            })
            .collect()
    }
    fn support(&self) -> Result<Support> {
        Ok(self.support_cached()?.clone())
    }
    /// Readout: each component is refined (4× the nodes, up to 64×) until its quadrature mass equals
    /// its exact mass from the eigenvalue CDF (module docs; at the midpoints of the neighbouring gaps,
    /// within `1e-7` plus the boundary-value smear of `Self::accounting_ok`): a component holding many
    /// eigenvalues' bands with deep dips between them (widths ~10⁴ × n and beyond) needs more than the
    /// default nodes. Both layers: the default tabulation (each density point costs an `n × n`
    /// eigendecomposition).
    fn tabulate(&self, nodes: usize) -> Result<SpectralDensity> {
        let support = self.support_cached()?;
        if self.both.is_some() {
            return SpectralDensity::from_support(support, nodes, |xs| self.density_many(xs));
        }
        let c = &support.components;
        let span = c.last().map_or(0.0, |l| l.1) - c.first().map_or(0.0, |f| f.0);
        let mut out = Vec::with_capacity(c.len());
        for (k, &(lo, hi)) in c.iter().enumerate() {
            // exact mass between the midpoints of the neighbouring gaps, minus atoms
            let left = match k {
                0 => 0.01 * span,
                _ => 0.5 * (lo - c[k - 1].1),
            };
            let right = match c.get(k + 1) {
                None => 0.01 * span,
                Some(next) => 0.5 * (next.0 - hi),
            };
            let (a, b) = (lo - left, hi + right);
            let tol = 1e-7 + self.opts.eta_min / (PI * left.min(right));
            let atoms: f64 = support
                .atoms
                .iter()
                .filter(|t| t.0 > a && t.0 <= b)
                .map(|t| t.1)
                .sum();
            let exact = self.cdf_exact(b)? - self.cdf_exact(a)? - atoms;
            let mut n = nodes;
            loop {
                let comp = Component::tabulate(lo, hi, n, |xs| self.density_many(xs))?;
                if (comp.mass - exact).abs() <= tol || n >= 64 * nodes.max(8) {
                    out.push(comp);
                    break;
                }
                n *= 4;
            }
        }
        SpectralDensity::from_components(out, support.atoms.clone())
    }
    fn moments(&self) -> Vec<f64> {
        self.moments.to_vec()
    }
}
