//! Reference numbers of docs/models/dln-prior.md ("Reference numbers"; F35, F36) (each to the
//! digits given there), closed forms and limits, and Monte Carlo tests of the samplers with
//! tolerances from their standard errors.

use nalgebra::DMatrix;
use nnlimits::error::Error;
use nnlimits::model::Sampler;
use nnlimits::models::dln::hanin_nica::{self, Activation, ProductNormSampler};
use nnlimits::models::dln::matrix::{LogDet, QSecondMoments};
use nnlimits::models::dln::mixing::{Mixing, OutputLaw};
use nnlimits::models::dln::network::NetworkSampler;
use nnlimits::models::dln::wishart::WishartProduct;
use nnlimits::models::dln::*;
use nnlimits::rng::stream;
use nnlimits::validate::stats::mean_se;

/// `x` rounds to the reference `r` (given as a decimal string) at the reference's last digit.
fn digits(x: f64, r: &str) {
    let v: f64 = r.parse().unwrap();
    let dec = r.split('.').nth(1).map(|d| d.len()).unwrap_or(0) as i32;
    let tol = 0.5 * 10f64.powi(-dec) + 1e-13 * v.abs();
    assert!((x - v).abs() <= tol, "{x} does not round to {r}");
}

fn prior(n: usize, l: usize, d: usize) -> DlnPrior {
    DlnPrior::equal(n, l, d).unwrap()
}

#[test]
fn table_1_5_finite_width() {
    // N, L, E q^2, kurtosis, E ln q, Var ln q, p(0), E|f|, E q^3, B, Gam, E det Q (D = 2)
    let rows = [
        (
            10,
            10,
            [
                "6.191736",
                "18.57521",
                "-1.033202",
                "2.213230",
                "0.891436",
                "0.621649",
                "179.09886",
                "2.296364",
                "1.947686",
                "0.348678",
            ],
        ),
        (
            20,
            20,
            [
                "6.727500",
                "20.18250",
                "-1.016650",
                "2.103327",
                "0.866781",
                "0.621458",
                "257.91620",
                "2.481491",
                "2.123005",
                "0.358486",
            ],
        ),
        (
            50,
            50,
            [
                "7.106683",
                "21.32005",
                "-1.006666",
                "2.040533",
                "0.853178",
                "0.621403",
                "333.31491",
                "2.611674",
                "2.247505",
                "0.364170",
            ],
        ),
        (
            100,
            100,
            [
                "7.244646",
                "21.73394",
                "-1.003333",
                "2.020133",
                "0.848826",
                "0.621396",
                "365.89048",
                "2.658904",
                "2.292871",
                "0.366032",
            ],
        ),
        (
            50,
            25,
            [
                "2.665836",
                "7.99751",
                "-0.503333",
                "1.020267",
                "0.583411",
                "0.704137",
                "18.25691",
                "1.290922",
                "0.687457",
                "0.603465",
            ],
        ),
    ];
    for (n, l, r) in rows {
        let p = prior(n, l, 2);
        let law = p.output_law(0).unwrap();
        let m = p.mixing();
        digits(m.moment(2.0).unwrap(), r[0]);
        digits(law.kurtosis().unwrap(), r[1]);
        digits(m.mean_log(), r[2]);
        digits(m.var_log(), r[3]);
        digits(law.pdf(0.0).unwrap(), r[4]);
        digits(law.e_abs().unwrap(), r[5]);
        digits(m.moment(3.0).unwrap(), r[6]);
        let sm = p.second_moments();
        digits(sm.b, r[7]);
        digits(sm.gam, r[8]);
        assert!((sm.a - sm.b - 2.0 * sm.gam).abs() < 1e-12, "A = B + 2 Gam");
        assert!((sm.a - m.moment(2.0).unwrap()).abs() < 1e-12);
        digits(p.log_det().unwrap().e_det, r[9]);
        // E f^4 = 3 c^2 E q^2
        assert!((law.even_moment(2).unwrap() - law.kurtosis().unwrap()).abs() < 1e-12);
    }
}

#[test]
fn table_1_5_limits() {
    for (a, r) in [
        (
            1.0,
            [
                "7.389056",
                "22.16717",
                "-1",
                "2",
                "0.844561",
                "0.621393",
                "403.42879",
                "2.708272",
                "2.340392",
                "0.367879",
            ],
        ),
        (
            0.5,
            [
                "2.718282", "8.15485", "-0.5", "1", "0.580458", "0.704131", "20.08554", "1.310448",
                "0.703917", "0.606531",
            ],
        ),
    ] {
        let p = DlnLimit::new(a, 1.0, 2, Gram::unit()).unwrap();
        let law = p.output_law(0).unwrap();
        let m = p.mixing();
        digits(m.moment(2.0).unwrap(), r[0]);
        digits(law.kurtosis().unwrap(), r[1]);
        digits(m.mean_log(), r[2]);
        digits(m.var_log(), r[3]);
        digits(law.pdf(0.0).unwrap(), r[4]);
        digits(law.e_abs().unwrap(), r[5]);
        digits(m.moment(3.0).unwrap(), r[6]);
        let sm = p.second_moments();
        digits(sm.b, r[7]);
        digits(sm.gam, r[8]);
        digits(p.log_det().unwrap().e_det, r[9]);
        // closed forms of F15
        assert!(
            (law.pdf(0.0).unwrap() - (0.75 * a).exp() / (2.0 * std::f64::consts::PI).sqrt()).abs()
                < 1e-14
        );
        assert!(
            (law.e_abs().unwrap() - (2.0 / std::f64::consts::PI).sqrt() * (-a / 4.0).exp()).abs()
                < 1e-14
        );
    }
}

#[test]
fn limit_density_mellin_and_gauss_hermite() {
    let refs = [
        (0.25, ["0.481216", "0.207747", "0.043302", "0.0083138"]),
        (0.5, ["0.580458", "0.176677", "0.036975", "0.0090621"]),
        (1.0, ["0.844561", "0.132231", "0.028452", "0.0085597"]),
        (2.0, ["1.787935", "0.082082", "0.018399", "0.0064421"]),
    ];
    for (a, r) in refs {
        let law = OutputLaw::new(Mixing::log_normal(a).unwrap(), 1.0).unwrap();
        for (k, f) in [0.0, 1.0, 2.0, 3.0].into_iter().enumerate() {
            let p = law.pdf(f).unwrap();
            digits(p, r[k]);
            let gh = law.pdf_gauss_hermite(f, 200).unwrap();
            assert!((p - gh).abs() < 1e-10, "a={a} f={f}: mellin {p} vs GH {gh}");
        }
    }
    // a = 0: the Gaussian
    let g = OutputLaw::new(Mixing::log_normal(0.0).unwrap(), 2.0).unwrap();
    let exact = (-0.25f64).exp() / (4.0 * std::f64::consts::PI).sqrt();
    assert!((g.pdf(1.0).unwrap() - exact).abs() < 1e-13);
}

#[test]
fn finite_width_densities() {
    for (n, r) in [
        (10, ["0.339027", "0.131031", "0.029189", "0.008891"]),
        (20, ["0.343444", "0.131565", "0.028812", "0.008725"]),
    ] {
        let law = prior(n, n, 1).output_law(0).unwrap();
        for (k, f) in [0.5, 1.0, 2.0, 3.0].into_iter().enumerate() {
            digits(law.pdf(f).unwrap(), r[k]);
            digits(law.pdf(-f).unwrap(), r[k]);
        }
    }
    // one hidden layer (variance-gamma)
    for (n, r) in [
        (1, ["0.29425173", "0.13401624", "0.03625355"]),
        (2, ["0.34865222", "0.17190949", "0.04179407"]),
        (5, ["0.36838664", "0.21070536", "0.04681782"]),
        (10, ["0.36367867", "0.22714983", "0.04942229"]),
        (100, ["0.35342642", "0.24072606", "0.05334707"]),
    ] {
        let law = prior(n, 1, 1).output_law(0).unwrap();
        for (k, f) in [0.5, 1.0, 2.0].into_iter().enumerate() {
            digits(law.pdf(f).unwrap(), r[k]);
        }
    }
    // N = 1: K_0(|f|)/pi; p(0) diverges
    let law = prior(1, 1, 1).output_law(0).unwrap();
    assert!(law.pdf(0.0).is_err());
    // bottleneck (100, k, 100)
    for (k, r) in [
        (1, ["0.29373338", "0.13285888", "0.03574959"]),
        (2, ["0.3485397", "0.17012132", "0.04115314"]),
        (5, ["0.36957091", "0.20818045", "0.04603188"]),
        (10, ["0.3656645", "0.22441676", "0.04852815"]),
        (50, ["0.35733149", "0.23680035", "0.05162973"]),
        (100, ["0.35606255", "0.23815767", "0.05216019"]),
    ] {
        let p = DlnPrior::new(vec![100, k, 100], vec![], 1, Gram::unit()).unwrap();
        let law = p.output_law(0).unwrap();
        for (j, f) in [0.5, 1.0, 2.0].into_iter().enumerate() {
            digits(law.pdf(f).unwrap(), r[j]);
        }
    }
}

#[test]
fn tails_windows_and_normalisation() {
    let cases = [
        (
            prior(20, 20, 1).output_law(0).unwrap(),
            "0.182650",
            "0.018990",
        ),
        (
            prior(50, 25, 1).output_law(0).unwrap(),
            "0.231542",
            "0.015056",
        ),
        (
            prior(50, 50, 1).output_law(0).unwrap(),
            "0.181991",
            "0.018851",
        ),
        (
            DlnLimit::new(1.0, 1.0, 1, Gram::unit())
                .unwrap()
                .output_law(0)
                .unwrap(),
            "0.181576",
            "0.018754",
        ),
        (
            DlnLimit::new(0.5, 1.0, 1, Gram::unit())
                .unwrap()
                .output_law(0)
                .unwrap(),
            "0.231202",
            "0.015029",
        ),
    ];
    for (law, t1, t3) in &cases {
        digits(law.tail(1.0).unwrap(), t1);
        digits(law.tail(3.0).unwrap(), t3);
        // CDF and tail are complementary; the density integrates to the CDF
        for t in [0.3, 1.0, 2.5] {
            assert!((law.abs_cdf(t).unwrap() + law.tail(t).unwrap() - 1.0).abs() < 1e-11);
        }
        let mass =
            nnlimits::numerics::quad::integrate(|f| law.pdf(f).unwrap(), 0.5, 2.0, 1e-12).unwrap();
        let exact = 0.5 * (law.tail(0.5).unwrap() - law.tail(2.0).unwrap());
        assert!((mass - exact).abs() < 1e-10, "{mass} vs {exact}");
    }
    digits(
        prior(20, 20, 1).output_law(0).unwrap().window(0.1).unwrap(),
        "0.858179",
    );
    digits(
        prior(50, 25, 1).output_law(0).unwrap().window(0.1).unwrap(),
        "0.582276",
    );
}

#[test]
fn output_space_statistics() {
    // D = 2 density at the origin
    digits(
        prior(20, 20, 2).joint_density_at_origin(0).unwrap(),
        "1.309091",
    );
    digits(
        prior(50, 25, 2).joint_density_at_origin(0).unwrap(),
        "0.441610",
    );
    digits(
        DlnLimit::new(1.0, 1.0, 2, Gram::unit())
            .unwrap()
            .joint_density_at_origin(0)
            .unwrap(),
        "1.176005",
    );
    digits(
        DlnLimit::new(0.5, 1.0, 2, Gram::unit())
            .unwrap()
            .joint_density_at_origin(0)
            .unwrap(),
        "0.432628",
    );
    // cross statistic (rho = 0.5) and Corr(f1^2, f2^2)
    let w = |n: usize, l: usize| vec![n as f64; l];
    digits(
        QSecondMoments::finite(&w(20, 20)).cross(1.0, 0.5, 1.0),
        "3.274128",
    );
    digits(
        QSecondMoments::finite(&w(50, 25)).cross(1.0, 0.5, 1.0),
        "1.182052",
    );
    digits(QSecondMoments::limit(1.0).cross(1.0, 0.5, 1.0), "3.602558");
    digits(QSecondMoments::limit(0.5).cross(1.0, 0.5, 1.0), "1.207508");
    digits(QSecondMoments::finite(&w(20, 20)).corr_sq(), "0.298579");
    digits(QSecondMoments::limit(1.0).corr_sq(), "0.301838");
    digits(QSecondMoments::limit(0.5).corr_sq(), "0.240156");
    assert_eq!(QSecondMoments::limit(0.0).corr_sq(), 0.0);
    // D = 3, N = L = 30
    let ld = LogDet::finite(&w(30, 30), 3).unwrap();
    digits(ld.mean, "-6.2285");
    digits(ld.var, "6.4313");
    digits(ld.e_det, "0.0456");
    let lim = LogDet::limit(1.0, 3);
    assert_eq!((lim.mean, lim.var), (-6.0, 6.0));
    digits(lim.e_det, "0.0498");
    assert!(LogDet::finite(&w(2, 3), 3).is_err());
}

#[test]
fn finite_size_corrections_and_limits() {
    // E q^2 = (1 + 2/N)^{aN}; E ln q = -a - a/(3N) + O(N^-3); Var ln q = 2a + 2a/N + O(N^-2)
    for n in [25usize, 50, 100, 200, 400] {
        let a = 1.0;
        let m = prior(n, n, 1).mixing();
        let nf = n as f64;
        assert!((m.moment(2.0).unwrap() - (1.0 + 2.0 / nf).powf(nf)).abs() < 1e-11);
        assert!((m.mean_log() + a + a / (3.0 * nf)).abs() < 2.0 / nf.powi(3));
        assert!((m.var_log() - 2.0 * a - 2.0 * a / nf).abs() < 2.0 / nf.powi(2));
        // E q^{1/2} converges fastest: e^{-a/4}(1 + a/(24 N^2))
        let e = m.moment(0.5).unwrap() / (-0.25f64).exp() - 1.0;
        assert!(
            (e * nf * nf - 1.0 / 24.0).abs() < 1.0 / nf,
            "{}",
            e * nf * nf
        );
    }
    // a = 0 (L/N -> 0): Gaussian limit; finite N with L = 1, N = 1e6 is within 1e-5 of it
    let law = prior(1_000_000, 1, 1).output_law(0).unwrap();
    let g = (-0.5f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    assert!((law.pdf(1.0).unwrap() - g).abs() < 1e-6);
}

#[test]
fn hanin_nica_reference_numbers() {
    let cases = [
        (vec![10; 11], Activation::Linear, "-1.033202", "2.213230"),
        (vec![50; 51], Activation::Linear, "-1.006666", "2.040533"),
        (vec![100; 51], Activation::Linear, "-0.501667", "1.010067"),
        (vec![50; 101], Activation::Linear, "-2.013331", "4.081066"),
        (vec![10; 11], Activation::Relu, "-3.074610", "8.667343"),
        (vec![50; 51], Activation::Relu, "-2.586939", "5.408407"),
        (vec![100; 51], Activation::Relu, "-1.271044", "2.597000"),
        (vec![50; 101], Activation::Relu, "-5.173878", "10.816813"),
    ];
    for (w, act, m, v) in cases {
        let (mm, vv) = hanin_nica::log_norm_moments(&w, act).unwrap();
        digits(mm, m);
        digits(vv, v);
    }
    // F35 is the D = 1 mixing variable of the DLN
    let (m, v) = hanin_nica::log_norm_moments(&[30; 21], Activation::Linear).unwrap();
    let mix = prior(30, 20, 1).mixing();
    assert!((m - mix.mean_log()).abs() < 1e-13 && (v - mix.var_log()).abs() < 1e-13);
    assert_eq!(
        hanin_nica::log_norm_limit(0.5, Activation::Relu),
        (-1.25, 2.5)
    );
    let r = hanin_nica::one_step_relative_variance(&[1.0, 0.0, 0.0], 9.0, 10).unwrap();
    assert!((r - 0.8).abs() < 1e-15);
    assert!(hanin_nica::log_norm_moments(&[5], Activation::Linear).is_err());
}

#[test]
fn invalid_input_is_a_typed_error() {
    assert!(matches!(
        DlnPrior::equal(0, 3, 1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(DlnPrior::equal(10, 0, 1).is_err());
    assert!(DlnPrior::equal(10, 3, 0).is_err());
    assert!(DlnPrior::new(vec![10, 10], vec![1.0, -1.0], 1, Gram::unit()).is_err());
    assert!(DlnPrior::new(vec![10, 10], vec![1.0, 1.0, 1.0], 1, Gram::unit()).is_err());
    assert!(DlnLimit::new(-0.1, 1.0, 1, Gram::unit()).is_err());
    assert!(DlnLimit::new(f64::NAN, 1.0, 1, Gram::unit()).is_err());
    assert!(Gram::new(DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0])).is_err());
    assert!(Gram::pair(1.0).is_err());
    assert!(
        parse_widths("50x0").is_err() && parse_widths("a").is_err() && parse_widths("").is_err()
    );
    assert_eq!(parse_widths("100,5x2,100").unwrap(), vec![100, 5, 5, 100]);
    assert_eq!(compress_widths(&[100, 5, 5, 100]), "100,5x2,100");
    let law = prior(10, 10, 1).output_law(0).unwrap();
    assert!(law.pdf(f64::NAN).is_err() && law.tail(-1.0).is_err() && law.window(0.0).is_err());
    assert!(prior(10, 10, 1).mixing().moment(-5.0).is_err());
    // overflow is an error, not inf
    let deep = prior(1, 1000, 1);
    assert!(deep.mixing().moment(2.0).is_err());
    assert!(deep.output_law(0).unwrap().kurtosis().is_err());
    assert!(prior(10, 10, 1).output_law(1).is_err());
    assert!(WishartProduct::new(&[1.5], 3, 1.0).is_err());
}

#[test]
fn sigma_scales_lambda() {
    let p = DlnPrior::new(vec![20, 20], vec![2.0, 0.5], 1, Gram::pair(0.5).unwrap()).unwrap();
    assert_eq!(p.lambda(), 1.0);
    let p = DlnPrior::new(vec![20, 20], vec![2.0], 1, Gram::unit()).unwrap();
    let law = p.output_law(0).unwrap();
    assert_eq!(law.c(), 4.0);
    // f = 2 f_unit: p(f) = p_unit(f/2)/2
    let unit = prior(20, 2, 1).output_law(0).unwrap();
    assert!((law.pdf(1.3).unwrap() - 0.5 * unit.pdf(0.65).unwrap()).abs() < 1e-14);
}

/// Mean and SE of `g` over `s` draws of a sampler, in parallel over independent streams.
fn mc<S: Sampler, G: Fn(&S::Output) -> f64 + Sync>(
    sampler: &S,
    s: usize,
    seed: u64,
    g: G,
) -> Vec<f64>
where
    S::Output: Send,
{
    use rayon::prelude::*;
    (0..s)
        .into_par_iter()
        .map(|i| g(&sampler.sample(&mut stream(seed, i as u64)).unwrap()))
        .collect()
}

fn var_se(v: &[f64]) -> (f64, f64) {
    // sample variance and its SE from the fourth central moment
    let (m, _) = mean_se(v);
    let n = v.len() as f64;
    let d2: Vec<f64> = v.iter().map(|x| (x - m).powi(2)).collect();
    let (var, se) = mean_se(&d2);
    (var * n / (n - 1.0), se)
}

#[test]
fn bartlett_sampler_matches_f8_f9() {
    let p = prior(20, 20, 2);
    let s = WishartProduct::from_prior(&p).unwrap();
    let qs = mc(&s, 40_000, 11, |q| q[(0, 0)]);
    let (m, se) = mean_se(&qs);
    assert!((m - 1.0).abs() < 4.0 * se, "E Q11 {m} +- {se}");
    let ld = mc(&s, 40_000, 12, |q| q.determinant().ln());
    let exact = p.log_det().unwrap();
    let (m, se) = mean_se(&ld);
    assert!(
        (m - exact.mean).abs() < 4.0 * se,
        "E ln det {m} +- {se} vs {}",
        exact.mean
    );
    let (v, se) = var_se(&ld);
    assert!(
        (v - exact.var).abs() < 4.0 * se,
        "Var ln det {v} +- {se} vs {}",
        exact.var
    );
    let q12 = mc(&s, 40_000, 13, |q| q[(0, 1)].powi(2));
    let (m, se) = mean_se(&q12);
    assert!(
        (m - p.second_moments().gam).abs() < 4.0 * se,
        "Gam {m} +- {se}"
    );
    // D = 1: ln q moments (F6)
    let s1 = WishartProduct::from_prior(&prior(20, 20, 1)).unwrap();
    let lq = mc(&s1, 40_000, 14, |q| q[(0, 0)].ln());
    let (m, se) = mean_se(&lq);
    assert!((m - -1.016650).abs() < 4.0 * se);
}

#[test]
fn limit_chain_matches_f16() {
    // The chain is the exact finite-width law with N_eff = 1000; its distance to F16 is the declared bias.
    let a = 0.5;
    let s = WishartProduct::limit_chain(a, 2, 1.0, 1000.0).unwrap();
    let widths = s.dofs();
    let fin = LogDet::finite(&widths, 2).unwrap();
    let lim = LogDet::limit(a, 2);
    let ld = mc(&s, 20_000, 21, |q| q.determinant().ln());
    let (m, se) = mean_se(&ld);
    assert!(
        (m - lim.mean).abs() < 4.0 * se + (fin.mean - lim.mean).abs(),
        "{m} +- {se}"
    );
    let (v, se) = var_se(&ld);
    assert!(
        (v - lim.var).abs() < 4.0 * se + (fin.var - lim.var).abs(),
        "{v} +- {se}"
    );
    let b = mc(&s, 20_000, 22, |q| q[(0, 0)] * q[(1, 1)]);
    let (m, se) = mean_se(&b);
    let bias = (QSecondMoments::finite(&widths).b - QSecondMoments::limit(a).b).abs();
    assert!(
        (m - QSecondMoments::limit(a).b).abs() < 4.0 * se + bias,
        "B {m} +- {se}"
    );
}

#[test]
fn actual_networks_match_exact_finite_width() {
    // N = L = 10, D = 2, two inputs with rho = 0.5: q_in and Q from real weight matrices.
    let p = DlnPrior::new(vec![10; 10], vec![], 2, Gram::pair(0.5).unwrap()).unwrap();
    let s = NetworkSampler::for_prior(&p, 10).unwrap();
    let draws = mc(&s, 6000, 31, |d| d.q_in.ln());
    let (m, se) = mean_se(&draws);
    assert!(
        (m - p.mixing().mean_log()).abs() < 4.0 * se,
        "E ln q {m} +- {se}"
    );
    let ld = mc(&s, 6000, 32, |d| d.q.determinant().ln());
    let (m, se) = mean_se(&ld);
    assert!(
        (m - p.log_det().unwrap().mean).abs() < 4.0 * se,
        "E ln det {m} +- {se}"
    );
    let fa = mc(&s, 6000, 33, |d| d.f[(0, 0)].abs());
    let (m, se) = mean_se(&fa);
    assert!(
        (m - p.output_law(0).unwrap().e_abs().unwrap()).abs() < 4.0 * se,
        "E|f| {m} +- {se}"
    );
}

#[test]
fn hanin_nica_monte_carlo() {
    for act in [Activation::Linear, Activation::Relu] {
        let w = vec![10; 11];
        let s = ProductNormSampler::new(w.clone(), act).unwrap();
        let y = mc(&s, 20_000, 41, |y| *y);
        let (exact_m, exact_v) = hanin_nica::log_norm_moments(&w, act).unwrap();
        let (m, se) = mean_se(&y);
        assert!(
            (m - exact_m).abs() < 4.0 * se,
            "{act:?}: mean {m} +- {se} vs {exact_m}"
        );
        let (v, se) = var_se(&y);
        assert!(
            (v - exact_v).abs() < 4.0 * se,
            "{act:?}: var {v} +- {se} vs {exact_v}"
        );
    }
}

#[test]
fn limit_chain_refuses_huge_chains_before_allocating() {
    // a = 50, n_eff = 1e9 asked for 5e10 factors (a 400 GB allocation, an abort); now a typed error.
    let e = WishartProduct::limit_chain(50.0, 1, 1.0, 1e9).unwrap_err();
    assert!(e.to_string().contains("`n_eff`"), "{e}");
    assert!(WishartProduct::limit_chain(10.0, 1, 1.0, 1e6).is_ok());
}

#[test]
fn overflowing_scales_are_refused() {
    // Found by tests/properties.rs. Λ = Π σ_l² = inf was accepted (then c = inf, NaN densities);
    // c = f64::MAX gave E f^6 = inf; a Bartlett dof of 4e-5 drew Q = 0 with log-scale -inf.
    let e = DlnPrior::new(vec![10, 10], vec![1e300, 1e300], 1, Gram::unit()).unwrap_err();
    assert!(e.to_string().contains("`sigma2`"), "{e}");
    assert!(DlnPrior::new(vec![10, 10], vec![1e150, 1e150], 1, Gram::unit()).is_ok());
    let e = DlnLimit::new(0.5, f64::MAX, 1, Gram::unit()).unwrap_err();
    assert!(e.to_string().contains("`lambda`"), "{e}");
    let e = OutputLaw::new(Mixing::log_normal(0.0).unwrap(), f64::MAX).unwrap_err();
    assert!(e.to_string().contains("output variance scale"), "{e}");
    let law = OutputLaw::new(Mixing::log_normal(0.0).unwrap(), 1e300).unwrap();
    assert!(matches!(law.even_moment(3), Err(Error::Domain(_))));
    assert_eq!(law.even_moment(1).unwrap(), 1e300);
    let e = WishartProduct::new(&[4e-5], 1, 1.0).unwrap_err();
    assert!(e.to_string().contains("`width`"), "{e}");
    assert!(WishartProduct::new(&[2.0], 2, 1.0).is_ok());
    assert!(WishartProduct::new(&[1.5], 2, 1.0).is_err());
    let e = nnlimits::models::dln::hanin_nica::one_step_relative_variance(&[1.0, 2.0], f64::MAX, 1)
        .unwrap_err();
    assert!(e.to_string().contains("`mu4`"), "{e}");
}

#[test]
fn mixing_widths_are_bounded() {
    // Found by tests/properties.rs: a width of 2.2e-308 was accepted (a = inf) and the moment-order
    // error printed its bound with 300 digits.
    let e = Mixing::product(&[f64::MIN_POSITIVE]).unwrap_err();
    assert!(e.to_string().contains("`width`"), "{e}");
    let e = Mixing::product(&[4.0]).unwrap().moment(-3.0).unwrap_err();
    assert!(e.to_string().contains("must be > -2 "), "{e}");
}

#[test]
fn overflowing_moment_message_is_compact() {
    // Found by tests/properties.rs: the message printed s = f64::MAX with 309 digits.
    let e = Mixing::log_normal(1e-300)
        .unwrap()
        .moment(f64::MAX)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "E q^1.7976931348623157e308 overflows double precision for a = 1e-300"
    );
}
