//! Property tests over every public model constructor and solver: random parameters, including
//! out-of-domain, zero, negative, NaN, infinite, tiny and huge values. Each accepted input must give
//! finite outputs (densities >= 0, CDFs monotone in [0, 1], unit mass, saddle points that solve their
//! equation); each refused input a typed error with a one-line message naming the parameter.
//!
//! Case counts are modest so the file runs in well under a minute (`cargo test --release`).

use nnlimits::error::Error;
use nnlimits::model::{Sampler, SpectralModel};
use nnlimits::models::bayes::{self, kernels::Activation as Act, onehl::BayesNonlinear, BayesDln};
use nnlimits::models::dln::{
    self, hanin_nica, mixing::Mixing, mixing::OutputLaw, wishart::WishartProduct, DlnLaw, DlnLimit,
    DlnPrior, Gram,
};
use nnlimits::models::mp::{MarchenkoPastur, Method, WishartSampler};
use nnlimits::spectral::SpectralDensity;
use num_complex::Complex64;
use proptest::prelude::*;

/// `prop_assert!` for conditions whose text contains braces (struct patterns).
macro_rules! ensure {
    ($c:expr) => {
        prop_assert!($c, "{}", stringify!($c))
    };
}

/// Special values every numeric parameter is tried with.
const SPECIAL: [f64; 18] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    -1.0,
    -1e-3,
    1e-3,
    1e3,
    1e6,
    -1e6,
    1e-300,
    1e300,
    f64::MIN_POSITIVE,
    f64::MAX,
    1.0,
    0.5,
    2.0,
];

/// A float that is often hostile: special values, ordinary values, and log-uniform magnitudes.
fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => prop::sample::select(SPECIAL.to_vec()),
        2 => -10.0..10.0f64,
        2 => (-6.0..6.0f64).prop_map(|e| 10f64.powf(e)),
    ]
}

/// A positive magnitude in [1e-3, 1e6] (log-uniform), or one of the extremes exactly.
fn extreme_pos() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => prop::sample::select(vec![1e-3, 1e3, 1e6, 1.0]),
        2 => (-3.0..6.0f64).prop_map(|e| 10f64.powf(e)),
    ]
}

/// A size that is often degenerate or huge.
fn wild_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => prop::sample::select(vec![0usize, 1, 2, 3, 1000, 1_000_000_000, usize::MAX]),
        3 => 1usize..60,
    ]
}

/// An error must be typed, and its message one non-empty line; a parameter error names the parameter
/// and the allowed range.
fn check_err(e: &Error) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(
        !msg.is_empty() && !msg.contains('\n') && msg.len() < 400,
        "bad message {msg:?}"
    );
    match e {
        Error::InvalidParameter { name, allowed, .. } => {
            prop_assert!(!name.is_empty() && !allowed.is_empty(), "{msg}")
        }
        Error::NotConverged {
            iterations,
            residual,
            ..
        } => prop_assert!(
            *iterations > 0 && (residual.is_nan() || *residual >= 0.0),
            "NotConverged without diagnostics: {msg}"
        ),
        _ => {}
    }
    Ok(())
}

fn finite(xs: &[f64]) -> bool {
    xs.iter().all(|x| x.is_finite())
}

// ---------------------------------------------------------------- Marchenko–Pastur

/// Accepted iff ratio in [1e-6, 1e6] and scale in [1e-150, 1e150].
fn mp_valid(r: f64, s: f64) -> bool {
    (1e-6..=1e6).contains(&r) && (1e-150..=1e150).contains(&s)
}

fn check_mp(m: &MarchenkoPastur) -> Result<(), TestCaseError> {
    let (lm, lp) = m.edges();
    prop_assert!(lm.is_finite() && lp.is_finite() && 0.0 <= lm && lm < lp);
    let moments = m.moments();
    prop_assert!(finite(&moments) && moments[0] > 0.0, "{moments:?}");
    // density on a grid around the support: finite, >= 0 (the fixed point may refuse with a typed error)
    let w = lp - lm;
    let xs: Vec<f64> = (0..41)
        .map(|k| lm - 0.1 * w + 1.2 * w * k as f64 / 40.0)
        .collect();
    match m.density_diagnosed(&xs) {
        Ok((d, stats)) => {
            prop_assert!(d.iter().all(|v| v.is_finite() && *v >= 0.0), "{d:?}");
            prop_assert!(stats.max_residual.is_finite() || stats.max_residual.is_nan());
        }
        Err(e) => {
            check_err(&e)?;
            prop_assert!(
                matches!(e, Error::NotConverged { .. }),
                "unexpected error {e}"
            );
        }
    }
    // g(z) on C+: finite, Im g >= 0
    for z in [
        Complex64::new(0.5 * (lm + lp), 1e-3 * w),
        Complex64::new(lp + w, 1.0),
    ] {
        match m.stieltjes(z) {
            Ok(g) => {
                prop_assert!(g.re.is_finite() && g.im.is_finite() && g.im >= -1e-12 * g.norm())
            }
            Err(e) => {
                check_err(&e)?;
                prop_assert!(matches!(e, Error::NotConverged { .. }), "{e}");
            }
        }
    }
    let bad = m.stieltjes(Complex64::new(1.0, 0.0)).unwrap_err();
    ensure!(matches!(bad, Error::NotInUpperHalfPlane { .. }));
    Ok(())
}

fn check_spectral_density(law: &SpectralDensity, mass_tol: f64) -> Result<(), TestCaseError> {
    prop_assert!(
        (law.mass() - 1.0).abs() <= mass_tol,
        "mass {} (tol {mass_tol})",
        law.mass()
    );
    let (lo, hi) = law.range();
    prop_assert!(lo.is_finite() && hi.is_finite());
    let mut prev = 0.0;
    for k in 0..=60 {
        let x = lo - 0.05 * (hi - lo) + 1.1 * (hi - lo) * k as f64 / 60.0;
        let c = law.cdf(x);
        prop_assert!(
            (0.0..=1.0).contains(&c) && c >= prev,
            "cdf({x}) = {c} after {prev}"
        );
        prop_assert!(law.cdf_left(x) <= c);
        prev = c;
    }
    for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
        let q = law
            .quantile(p)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(q.is_finite() && q >= lo && q <= hi);
    }
    for p in [f64::NAN, -0.1, 1.5] {
        ensure!(matches!(
            law.quantile(p),
            Err(Error::InvalidParameter { .. })
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// MP constructor over hostile parameters; accepted laws have finite, non-negative densities,
    /// unit mass (graded-node quadrature of the tabulated law: ~1e-15 at square-root edges, ~3e-8 at the
    /// inverse-square-root hard edge of c = 1, hence 1e-7) and a monotone CDF.
    #[test]
    fn mp_constructor_and_law(ratio in wild(), scale in wild(), fp in any::<bool>()) {
        match MarchenkoPastur::new(ratio, scale) {
            Err(e) => {
                check_err(&e)?;
                ensure!(matches!(e, Error::InvalidParameter { .. }));
                prop_assert!(!mp_valid(ratio, scale), "valid input refused: {e}");
            }
            Ok(m) => {
                prop_assert!(mp_valid(ratio, scale));
                let m = m.with_method(if fp { Method::FixedPoint } else { Method::ClosedForm });
                check_mp(&m)?;
                let law = SpectralDensity::from_model(&m.with_method(Method::ClosedForm), 300)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                check_spectral_density(&law, 1e-7)?;
                ensure!(matches!(m.density(f64::NAN), Err(Error::InvalidParameter { .. })));
            }
        }
    }

    /// MP at extreme ratios and scales (1e-3 .. 1e6): both methods give finite densities or a
    /// typed non-convergence; the fixed point agrees with the closed form where it converges.
    #[test]
    fn mp_extreme_ratios(ratio in extreme_pos(), scale in extreme_pos()) {
        let m = MarchenkoPastur::new(ratio, scale).unwrap();
        let (lm, lp) = m.edges();
        let xs: Vec<f64> = (1..20).map(|k| lm + (lp - lm) * k as f64 / 20.0).collect();
        let exact = m.density_many(&xs).unwrap();
        match m.with_method(Method::FixedPoint).density_diagnosed(&xs) {
            Ok((d, _)) => {
                for (a, b) in d.iter().zip(&exact) {
                    prop_assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-300) + 1e-300, "{a} vs {b}");
                }
            }
            Err(e) => { check_err(&e)?; ensure!(matches!(e, Error::NotConverged { .. })); }
        }
    }

    /// Wishart sampler: bad sizes/scales are refused; accepted ones give finite eigenvalues >= 0.
    #[test]
    fn wishart_sampler(n in wild_size(), m in wild_size(), scale in wild(), seed in any::<u64>()) {
        match WishartSampler::new(n, m, scale) {
            Err(e) => check_err(&e)?,
            Ok(s) => {
                if n.saturating_mul(m) <= 4000 {
                    let ev = s.sample(&mut nnlimits::rng::stream(seed, 0)).unwrap();
                    prop_assert_eq!(ev.len(), n);
                    prop_assert!(ev.iter().all(|v| v.is_finite() && *v >= -1e-9 * scale));
                }
            }
        }
    }
}

// ---------------------------------------------------------------- DLN prior

fn wild_widths() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![
            2 => prop::sample::select(vec![0usize, 1, 2, 3, 100_000_000, 1_000_000_000]),
            3 => 1usize..200,
        ],
        0..5,
    )
}

fn wild_gram() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![1 => Just(None), 2 => wild().prop_map(Some)]
}

fn build_gram(rho: Option<f64>) -> nnlimits::Result<Gram> {
    match rho {
        None => Ok(Gram::unit()),
        Some(r) => Gram::pair(r),
    }
}

/// The output law at input 0: pdf >= 0 and finite, CDF monotone in [0, 1], symmetric, tails in [0, 1].
fn check_output_law(law: &OutputLaw) -> Result<(), TestCaseError> {
    let s = law.c().sqrt();
    prop_assert!(s.is_finite() && s > 0.0);
    let xs = [-5.0, -2.0, -1.0, -0.3, 0.0, 0.3, 1.0, 2.0, 5.0];
    let mut prev = 0.0;
    for &u in &xs {
        let x = u * s;
        match law.pdf(x) {
            Ok(p) => prop_assert!(p.is_finite() && p >= 0.0, "pdf({x}) = {p}"),
            Err(e) => {
                check_err(&e)?;
                prop_assert!(!matches!(e, Error::InvalidParameter { .. }), "{e}");
            }
        }
        match law.cdf(x) {
            Ok(c) => {
                // the Mellin inversion is accurate to ~1e-12 absolute
                prop_assert!(
                    (-1e-12..=1.0 + 1e-12).contains(&c) && c >= prev - 1e-12,
                    "cdf({x}) = {c} after {prev}"
                );
                prev = c;
                if x != 0.0 {
                    let c2 = law.cdf(-x).unwrap();
                    prop_assert!((c + c2 - 1.0).abs() < 1e-10, "asymmetric cdf at {x}");
                }
            }
            Err(e) => {
                check_err(&e)?;
                prop_assert!(!matches!(e, Error::InvalidParameter { .. }), "{e}");
                prev = f64::NAN.max(prev);
            }
        }
    }
    for v in [f64::NAN, f64::INFINITY] {
        ensure!(matches!(law.pdf(v), Err(Error::InvalidParameter { .. })));
        ensure!(matches!(law.cdf(v), Err(Error::InvalidParameter { .. })));
    }
    ensure!(matches!(
        law.tail(-1.0),
        Err(Error::InvalidParameter { .. })
    ));
    for r in [law.e_abs(), law.kurtosis(), law.even_moment(3)] {
        match r {
            // >= 0: E f^6 = 15 c^3 E q^3 underflows to 0 for c ~ 1e-300
            Ok(v) => prop_assert!(v.is_finite() && v >= 0.0),
            Err(e) => check_err(&e)?,
        }
    }
    Ok(())
}

fn check_law(law: &dyn DlnLaw) -> Result<(), TestCaseError> {
    let mix = law.mixing();
    prop_assert!(mix.a().is_finite() && mix.mean_log().is_finite() && mix.var_log().is_finite());
    prop_assert!(
        law.lambda().is_finite() && law.lambda() > 0.0,
        "lambda {}",
        law.lambda()
    );
    let sm = law.second_moments();
    prop_assert!(sm.a.is_finite() || sm.a == f64::INFINITY);
    match law.output_law(0) {
        Ok(ol) => check_output_law(&ol)?,
        Err(e) => check_err(&e)?,
    }
    prop_assert!(law.output_law(law.gram().len()).is_err());
    match law.summary(&[0.0, 1.0], &[1.0, 3.0]) {
        Ok(v) => prop_assert!(!v.to_string().contains("NaN")),
        Err(e) => check_err(&e)?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Finite-width prior over hostile widths, variances, outputs and Gram matrices.
    #[test]
    fn dln_prior(widths in wild_widths(), sigma2 in prop::collection::vec(wild(), 0..3),
                 outputs in wild_size(), rho in wild_gram()) {
        let outputs = outputs.min(100);
        let gram = match build_gram(rho) {
            Ok(g) => g,
            Err(e) => { check_err(&e)?; return Ok(()); }
        };
        match DlnPrior::new(widths, sigma2, outputs, gram) {
            Err(e) => check_err(&e)?,
            Ok(p) => {
                check_law(&p)?;
                check_law(&p.limit())?;
            }
        }
    }

    /// Depth~width limit over hostile a, Λ, outputs and Gram matrices.
    #[test]
    fn dln_limit(a in wild(), lambda in wild(), outputs in wild_size(), rho in wild_gram()) {
        let outputs = outputs.min(100);
        let gram = match build_gram(rho) {
            Ok(g) => g,
            Err(e) => { check_err(&e)?; return Ok(()); }
        };
        match DlnLimit::new(a, lambda, outputs, gram) {
            Err(e) => {
                check_err(&e)?;
                prop_assert!(!((0.0..=50.0).contains(&a) && (1e-300..=1e300).contains(&lambda)
                    && (1..=dln::MAX_OUTPUTS).contains(&outputs)), "{e}");
            }
            Ok(l) => check_law(&l)?,
        }
    }

    /// Mixing moments at hostile orders: finite and positive, or a typed error.
    #[test]
    fn mixing_moments(widths in prop::collection::vec(wild(), 0..4), a in wild(), s in wild()) {
        for mix in [Mixing::product(&widths), Mixing::log_normal(a)] {
            match mix {
                Err(e) => check_err(&e)?,
                Ok(m) => match m.moment(s) {
                    Ok(v) => prop_assert!(v.is_finite() && v >= 0.0, "E q^{s} = {v}"),
                    Err(e) => check_err(&e)?,
                },
            }
        }
    }

    /// Output law with a hostile scale c.
    #[test]
    fn output_law_scale(c in wild(), a in 0.0..3.0f64) {
        match OutputLaw::new(Mixing::log_normal(a).unwrap(), c) {
            Err(e) => check_err(&e)?,
            Ok(l) => check_output_law(&l)?,
        }
    }

    /// Wishart-product sampler: hostile dofs, D, Λ; accepted ones draw finite factors.
    #[test]
    fn wishart_product(dofs in prop::collection::vec(wild(), 0..4), d in wild_size(),
                       lambda in wild(), a in wild(), n_eff in wild(), seed in any::<u64>()) {
        let d = d.min(100);
        match WishartProduct::new(&dofs, d, lambda) {
            Err(e) => check_err(&e)?,
            Ok(w) => {
                let (r, s) = w.sample_factor(&mut nnlimits::rng::stream(seed, 0));
                prop_assert!(finite(&r) && s.is_finite());
            }
        }
        match WishartProduct::limit_chain(a, d, lambda, n_eff) {
            Err(e) => check_err(&e)?,
            Ok(w) => prop_assert!(!w.dofs().is_empty()),
        }
    }

    /// Gram matrices from hostile entries.
    #[test]
    fn gram_matrices(entries in prop::collection::vec(wild(), 0..10), n in 0usize..4,
                     sigma0 in wild(), p in wild_size(), n0 in wild_size()) {
        let n = n.min((entries.len() as f64).sqrt() as usize);
        let m = nalgebra::DMatrix::from_row_slice(n, n, &entries[..n * n]);
        if let Err(e) = Gram::new(m.clone()) { check_err(&e)?; }
        if n > 0 {
            if let Err(e) = Gram::from_inputs(&m, sigma0) { check_err(&e)?; }
        }
        if p.saturating_mul(n0) <= 100_000 {
            match Gram::sampled(p, n0, sigma0, 1) {
                Ok(g) => prop_assert!(finite(g.matrix().as_slice())),
                Err(e) => check_err(&e)?,
            }
        }
    }

    /// Hanin–Nica moments over hostile widths.
    #[test]
    fn hanin_nica_moments(widths in wild_widths(), relu in any::<bool>(), mu4 in wild(), n1 in wild_size()) {
        let act = if relu { hanin_nica::Activation::Relu } else { hanin_nica::Activation::Linear };
        // widths of 1e8 with ReLU cost O(n) per layer; keep them to the linear case
        let widths: Vec<usize> = if relu { widths.into_iter().map(|w| w.min(10_000)).collect() } else { widths };
        match hanin_nica::log_norm_moments(&widths, act) {
            Ok((m, v)) => prop_assert!(m.is_finite() && v.is_finite() && v >= 0.0),
            Err(e) => check_err(&e)?,
        }
        match hanin_nica::one_step_relative_variance(&[1.0, 2.0], mu4, n1) {
            Ok(v) => prop_assert!(v.is_finite()),
            Err(e) => check_err(&e)?,
        }
    }

    /// Width strings: arbitrary text never panics.
    #[test]
    fn width_strings(s in "[0-9xX, -]{0,20}|\\PC{0,12}") {
        match dln::parse_widths(&s) {
            Ok(w) => prop_assert!(!w.is_empty() && w.iter().all(|&n| n >= 1)),
            Err(e) => check_err(&e)?,
        }
    }
}

// ---------------------------------------------------------------- Bayesian networks

fn tiny_eg() -> bayes::EigenGram {
    bayes::EigenGram::new(&bayes::data::tiny(1).unwrap().gram(1.0).unwrap()).unwrap()
}

/// A saddle point either solves its reduced equation (residual < 1e-9, all Q_l > 0, finite predictor)
/// or is a typed error.
fn check_saddle(r: nnlimits::Result<bayes::dln::DlnSaddle>) -> Result<(), TestCaseError> {
    match r {
        Ok(s) => {
            prop_assert!(s.root.residual < 1e-9, "residual {}", s.root.residual);
            prop_assert!(s.root.q.is_finite() && s.root.q > 0.0, "{:?}", s.root);
            prop_assert!(s.root.q_layers.iter().all(|x| x.is_finite() && *x > 0.0));
            prop_assert!(s.root.action.is_finite());
            prop_assert!(finite(&s.prediction.mean) && finite(&s.prediction.var));
            prop_assert!(s.prediction.var.iter().all(|v| *v >= 0.0));
            prop_assert!(s.prediction.eps_g.is_finite() && s.train_error.is_finite());
        }
        Err(e) => {
            check_err(&e)?;
            prop_assert!(
                matches!(
                    e,
                    Error::NotConverged { .. } | Error::Domain(_) | Error::InvalidData(_)
                ),
                "{e}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Bayesian DLN over hostile widths, variances and temperatures (TINY data).
    #[test]
    fn bayes_dln(widths in wild_widths(), sigma2 in prop::collection::vec(wild(), 0..5), t in wild()) {
        let eg = tiny_eg();
        let sigma2: Vec<f64> = sigma2.iter().cycle().take(widths.len()).copied().collect();
        match BayesDln::new(widths, sigma2, t) {
            Err(e) => check_err(&e)?,
            Ok(m) => {
                check_saddle(m.saddle(&eg))?;
                match m.nngp(&eg) {
                    Ok(p) => prop_assert!(finite(&p.mean) && finite(&p.var)),
                    Err(e) => check_err(&e)?,
                }
            }
        }
    }

    /// One-hidden-layer (and deep) nonlinear networks over hostile parameters.
    #[test]
    fn bayes_nonlinear(act in prop::sample::select(vec![Act::Id, Act::Erf, Act::Relu, Act::Tanh]),
                       width in wild_size(), depth in 0usize..4, sigma in wild(), t in wild(),
                       sigma0 in wild()) {
        let g = match bayes::data::tiny(1).unwrap().gram(sigma0) {
            Ok(g) => g,
            Err(e) => { check_err(&e)?; return Ok(()); }
        };
        match BayesNonlinear::new(act, width, depth, vec![sigma; depth], t) {
            Err(e) => check_err(&e)?,
            Ok(m) => {
                check_saddle(m.saddle(&g))?;
                if depth > 1 {
                    match m.nested_saddle(&g) {
                        Ok(s) => prop_assert!(s.residual.is_finite() && s.q_layers.iter().all(|q| q.is_finite() && *q > 0.0)),
                        Err(e) => check_err(&e)?,
                    }
                }
            }
        }
    }

    /// Kernel maps: finite for a covariance, a typed error otherwise.
    #[test]
    fn kernels(act in prop::sample::select(vec![Act::Id, Act::Erf, Act::Relu, Act::Tanh]),
               c11 in wild(), c12 in wild(), c22 in wild()) {
        match act.kernel(c11, c12, c22) {
            Ok(k) => prop_assert!(k.is_finite(), "K({c11}, {c12}, {c22}) = {k}"),
            Err(e) => check_err(&e)?,
        }
    }

    /// Li–Sompolinsky closed form and make_ds over hostile inputs.
    #[test]
    fn closed_forms_and_data(alpha in wild(), r in wild(), p in wild_size(), pt in wild_size(),
                             n0 in wild_size(), d in wild_size()) {
        match bayes::dln::li_sompolinsky_one_layer(alpha, r) {
            Ok(q) => prop_assert!(q.is_finite() && q > 0.0, "Q({alpha}, {r}) = {q}"),
            Err(e) => check_err(&e)?,
        }
        if p.saturating_add(pt).saturating_mul(n0) <= 20_000 || p == 0 || n0 == 0 {
            match bayes::data::make_ds_outputs(p, pt, n0, 7, d) {
                Ok(ds) => {
                    prop_assert!(finite(ds.x.as_slice()) && finite(ds.y.as_slice()));
                }
                Err(e) => check_err(&e)?,
            }
        }
    }
}

/// Saddle points at extreme ratios α = P/N (1e-3 and 1e3) and extreme temperatures: they converge
/// (residual < 1e-9) or say why with a typed error.
#[test]
fn saddle_extreme_ratios() {
    let ds = bayes::make_ds(30, 2, 40, 3).unwrap();
    let eg = bayes::EigenGram::new(&ds.gram(1.0).unwrap()).unwrap();
    let big = bayes::make_ds(1000, 1, 20, 5).unwrap();
    let (mut solved, mut total) = (0usize, 0usize);
    let eg_big = bayes::EigenGram::new(&big.gram(1.0).unwrap()).unwrap();
    for (e, n) in [
        (&eg, 30_000usize),
        (&eg, 1),
        (&eg_big, 1),
        (&eg_big, 1_000_000),
    ] {
        for t in [1e-6, 1e-3, 0.1, 1e3, 1e6] {
            for depth in [1usize, 3] {
                let m = BayesDln::equal(n, depth, t).unwrap();
                let r = m.saddle(e);
                solved += usize::from(r.is_ok());
                total += 1;
                check_saddle(r).unwrap();
                let nl = BayesNonlinear::new(Act::Erf, n, depth, vec![1.0; depth], t).unwrap();
                let g = if std::ptr::eq(e, &eg) {
                    ds.gram(1.0).unwrap()
                } else {
                    big.gram(1.0).unwrap()
                };
                let r = nl.saddle(&g);
                solved += usize::from(r.is_ok());
                total += 1;
                check_saddle(r).unwrap();
            }
        }
    }
    // a typed refusal is allowed, but the solver must actually solve most of the valid range (a
    // solver that always returned NotConverged would pass the checks above)
    assert!(
        solved * 100 >= MIN_SADDLE_PERCENT * total,
        "{solved} of {total} solved"
    );
}

/// Minimum share (percent) of [`saddle_extreme_ratios`]'s cases that must converge (measured: 76 of 80).
const MIN_SADDLE_PERCENT: usize = 90;
