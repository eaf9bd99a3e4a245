//! Every check of every validator can fail (issue 15): for each statistic a perturbed theory that this
//! statistic rejects, asserted on the check's own pass flag (and, where the perturbation moves that
//! statistic alone, on `decided_by`), while the true theory passes. Small, fast draws.
//!
//! * spectral (`validate::spectral`): `ks`, `l1_histogram`, `m1`, `m2`, `atom@a` (the edges are a note,
//!   not a check);
//! * the deep-linear-network prior (`validate dln`): `mean_log_q`, `var_log_q`, `e_abs`, `tail(1)`,
//!   `tail(3)`, `window(0.1)`, `ks`, `hist_l1`, `mean_log_det_q`, `var_log_det_q`, `corr_sq`;
//! * the Bayesian posteriors (`validate dln-bayes`, `validate 1hl-bayes`): every check they build;
//! * the population FIM (`validate fim --limit population`): `trace_sq`, `trace_deg{k}`.

use nnlimits::error::Result;
use nnlimits::model::{Sampler, SpectralModel, Support};
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::models::semicircle::{GoeSampler, Semicircle};
use nnlimits::validate::spectral::{compare, SpectralValidation};
use nnlimits::validate::{Report, Verdict};
use num_complex::Complex64;

fn check<'a>(r: &'a Report, name: &str) -> &'a nnlimits::validate::Check {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}: {}", r.summary()))
}

fn fails(r: &Report, name: &str) {
    assert!(!check(r, name).pass, "{name} should fail:\n{}", r.summary());
}

fn passes(r: &Report, name: &str) {
    assert!(check(r, name).pass, "{name} should pass:\n{}", r.summary());
}

fn decided(r: &Report, name: &str) {
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.summary());
    assert_eq!(
        r.decided_by.as_ref().map(|d| d.check.as_str()),
        Some(name),
        "{}",
        r.summary()
    );
}

/// The semicircle of variance 1 with one claim altered: its moments replaced (`moments`), its law
/// shifted by `shift` (moments kept), or its density modulated by `1 + amp sin(2π k (x + 2)/4)`
/// (moments kept; `k` whole periods over the support, the mass stays 1 within the tabulation's
/// tolerance).
struct Altered {
    moments: [f64; 2],
    shift: f64,
    amp: f64,
    k: f64,
}

impl Altered {
    fn exact() -> Self {
        Altered {
            moments: [0.0, 1.0],
            shift: 0.0,
            amp: 0.0,
            k: 0.0,
        }
    }
    fn inner() -> Semicircle {
        Semicircle::new(1.0).unwrap()
    }
}

impl SpectralModel for Altered {
    fn name(&self) -> String {
        Self::inner().name()
    }
    fn params(&self) -> serde_json::Value {
        Self::inner().params()
    }
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        Self::inner().stieltjes(z - self.shift)
    }
    fn density(&self, x: f64) -> Result<f64> {
        let y = x - self.shift;
        let w = 1.0 + self.amp * (2.0 * std::f64::consts::PI * self.k * (y + 2.0) / 4.0).sin();
        Ok(Self::inner().density(y)? * w)
    }
    fn support(&self) -> Result<Support> {
        let s = Self::inner().support()?;
        Ok(Support {
            components: s
                .components
                .iter()
                .map(|&(a, b)| (a + self.shift, b + self.shift))
                .collect(),
            atoms: s.atoms,
        })
    }
    fn moments(&self) -> Vec<f64> {
        self.moments.to_vec()
    }
}

/// 10 GOE draws of size 200 (variance 1), the default validation rules.
fn goe_vs(theory: &dyn SpectralModel) -> Report {
    let sampler = GoeSampler::new(200, 1.0).unwrap();
    let draws: Vec<Vec<f64>> = (0..10)
        .map(|i| sampler.sample(&mut nnlimits::rng::stream(5, i)).unwrap())
        .collect();
    let opts = SpectralValidation::default();
    compare(theory, serde_json::Value::Null, draws, &opts)
        .unwrap()
        .report
}

#[test]
fn each_spectral_check_can_fail() {
    let r = goe_vs(&Altered::exact());
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
    // m1 alone: the law is right, its claimed mean is off by 0.05
    let r = goe_vs(&Altered {
        moments: [0.05, 1.0],
        ..Altered::exact()
    });
    fails(&r, "m1");
    for c in ["ks", "l1_histogram", "m2"] {
        passes(&r, c);
    }
    decided(&r, "m1");
    // m2 alone: the claimed second moment is off by 5%
    let r = goe_vs(&Altered {
        moments: [0.0, 1.05],
        ..Altered::exact()
    });
    fails(&r, "m2");
    for c in ["ks", "l1_histogram", "m1"] {
        passes(&r, c);
    }
    decided(&r, "m2");
    // ks: the law shifted by 0.08 (claimed moments exact): a sup distance of ~0.025
    let r = goe_vs(&Altered {
        shift: 0.08,
        ..Altered::exact()
    });
    fails(&r, "ks");
    for c in ["m1", "m2"] {
        passes(&r, c);
    }
    decided(&r, "ks");
    // l1_histogram: the density modulated at the scale of the bins (20 periods over the 40 bins):
    // the CDF moves by ~0.005 only, the bin masses by ~40%
    let r = goe_vs(&Altered {
        amp: 0.4,
        k: 20.0,
        ..Altered::exact()
    });
    fails(&r, "l1_histogram");
    for c in ["ks", "m1", "m2"] {
        passes(&r, c);
    }
    decided(&r, "l1_histogram");
    // atom@0: Wishart c = 2 (atom of mass 1/2 at 0) against the c = 2.2 law (mass 0.545)
    let sampler = WishartSampler::new(200, 100, 1.0).unwrap();
    let draws: Vec<Vec<f64>> = (0..10)
        .map(|i| sampler.sample(&mut nnlimits::rng::stream(6, i)).unwrap())
        .collect();
    let opts = SpectralValidation::default();
    let vs = |c: f64| {
        compare(
            &MarchenkoPastur::new(c, 1.0).unwrap(),
            serde_json::Value::Null,
            draws.clone(),
            &opts,
        )
        .unwrap()
        .report
    };
    let r = vs(2.0);
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
    let r = vs(2.2);
    let atom = r
        .checks
        .iter()
        .find(|c| c.name.starts_with("atom@"))
        .expect("atom check");
    assert!(!atom.pass, "{}", r.summary());
}

mod dln_prior {
    use super::*;
    use nnlimits::models::dln::validate::{compare, sample_networks, Options};
    use nnlimits::models::dln::{DlnPrior, Gram};

    #[test]
    fn each_dln_prior_check_can_fail() {
        // 4000 networks of 5 layers of width 20, two outputs (a = 0.25: every check is on)
        let sampled = DlnPrior::equal(20, 5, 2).unwrap();
        let opts = Options {
            samples: 4000,
            seed: 9,
            ..Options::default()
        };
        let (sampler, draws) = sample_networks(&sampled, &opts).unwrap();
        let described = sampler.describe();
        let run = |t: &DlnPrior| compare(t, &sampled, &described, &draws, &opts).unwrap().0;
        let all = [
            "mean_log_q",
            "var_log_q",
            "e_abs",
            "tail(1)",
            "tail(3)",
            "window(0.1)",
            "ks",
            "hist_l1",
            "mean_log_det_q",
            "var_log_det_q",
            "corr_sq",
        ];
        let r = run(&sampled);
        assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
        assert_eq!(r.checks.len(), all.len(), "{}", r.summary());
        // Λ = Π σ_l² halved: the scale of the output law (every statistic of f, ln q/c and
        // ln det Q/Λ^D) is wrong; the mixing's spread and the output correlation are not
        let scale =
            DlnPrior::new(vec![20; 5], vec![0.5, 1.0, 1.0, 1.0, 1.0], 2, Gram::unit()).unwrap();
        let r = run(&scale);
        for c in &all[..] {
            if ["var_log_q", "var_log_det_q", "corr_sq"].contains(c) {
                passes(&r, c);
            } else {
                fails(&r, c);
            }
        }
        // widths 1000 instead of 20 (a = 0.005 instead of 0.25, a nearly Gaussian law): the mixing's
        // spread and the correlation of the squared outputs are wrong
        let widths = sampled.with_widths(vec![1000; 5]).unwrap();
        let r = run(&widths);
        for c in ["var_log_q", "var_log_det_q", "corr_sq"] {
            fails(&r, c);
        }
        // draws of another architecture (2 outputs, not 1): a typed error, not a panic
        let one = DlnPrior::equal(20, 5, 1).unwrap();
        assert!(matches!(
            compare(&one, &one, &described, &draws, &opts),
            Err(nnlimits::Error::InvalidData(_))
        ));
    }
}

mod bayes {
    use super::*;
    use nnlimits::models::bayes::entry::{dln_bayes_checks, one_hl_checks};
    use nnlimits::models::bayes::exact::exact_posterior;
    use nnlimits::models::bayes::gibbs::{run_chains, DlnGibbs};
    use nnlimits::models::bayes::kernels::Activation;
    use nnlimits::models::bayes::onehl::BayesNonlinear;
    use nnlimits::models::bayes::params::load_data;
    use nnlimits::models::bayes::posterior::combine;
    use nnlimits::models::bayes::slice::OneHiddenSlice;
    use nnlimits::models::bayes::{BayesDln, EigenGram};

    fn report(checks: Vec<nnlimits::validate::Check>) -> Report {
        Report::new(
            "bayes",
            serde_json::Value::Null,
            serde_json::Value::Null,
            1,
            1,
            checks,
            vec![],
        )
    }

    #[test]
    fn each_dln_bayes_check_can_fail() {
        // Gibbs sampling of the width-10 network on `tiny` (T = 0.1, σ² = 1), 4 chains of 4000 sweeps
        let ds = load_data("tiny").unwrap();
        let eg = EigenGram::new(&ds.gram(1.0).unwrap()).unwrap();
        let truth = BayesDln::new(vec![10], vec![1.0], 0.1).unwrap();
        let g = DlnGibbs::new(truth.clone(), ds, 1.0, 4000, 500).unwrap();
        let mc = combine(&run_chains(&g, 4, 3).unwrap(), &eg.y0);
        let checks = |m: &BayesDln, nngp_as_exact: bool| {
            let sp = m.saddle(&eg).unwrap();
            let ex = exact_posterior(m, &eg).unwrap();
            // the NNGP check fails when the "NNGP" is not rejected: the exact posterior in its place
            let ng = if nngp_as_exact {
                ex.prediction.clone()
            } else {
                m.nngp(&eg).unwrap()
            };
            report(dln_bayes_checks(&sp, &ex, &ng, &mc, 10).0)
        };
        let r = checks(&truth, false);
        assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
        let names: Vec<String> = r.checks.iter().map(|c| c.name.clone()).collect();
        // perturbed theories: the layer variance σ² x 2 and x 0.5, the temperature x 2 and x 0.5
        let perturbed: Vec<Report> = [(2.0, 1.0), (0.5, 1.0), (1.0, 2.0), (1.0, 0.5)]
            .iter()
            .map(|&(s, t)| checks(&BayesDln::new(vec![10], vec![s], 0.1 * t).unwrap(), false))
            .chain([checks(&truth, true)])
            .collect();
        for n in &names {
            assert!(
                perturbed.iter().any(|r| !check(r, n).pass),
                "no perturbation fails {n}:\n{}",
                perturbed.iter().map(|r| r.summary()).collect::<String>()
            );
        }
        // the NNGP replaced by the exact posterior fails that check alone
        decided(&perturbed[4], "NNGP rejected (eps_g)");
        assert_eq!(perturbed[4].checks.iter().filter(|c| !c.pass).count(), 1);
    }

    #[test]
    fn each_one_hidden_layer_bayes_check_can_fail() {
        // elliptical slice sampling of the erf width-10 network on `tiny` (T = 0.1), 4 chains of 4000
        let ds = load_data("tiny").unwrap();
        let gram = ds.gram(1.0).unwrap();
        let s =
            OneHiddenSlice::new(Activation::Erf, 10, 1.0, 1.0, 0.1, ds.clone(), 4000, 500).unwrap();
        let y0: Vec<Vec<f64>> = (0..ds.yt.nrows()).map(|i| vec![ds.yt[(i, 0)]]).collect();
        let mc = combine(&run_chains(&s, 4, 4).unwrap(), &y0);
        let checks = |s1: f64, t: f64| {
            let m = BayesNonlinear::new(Activation::Erf, 10, 1, vec![s1], t).unwrap();
            report(one_hl_checks(&m.saddle(&gram).unwrap(), &m.nngp(&gram).unwrap(), &mc, 10).0)
        };
        let r = checks(1.0, 0.1);
        assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
        let perturbed = [
            checks(2.0, 0.1),
            checks(0.5, 0.1),
            checks(1.0, 0.2),
            checks(1.0, 0.05),
        ];
        for c in &r.checks {
            assert!(
                perturbed.iter().any(|p| !check(p, &c.name).pass),
                "no perturbation fails {}:\n{}",
                c.name,
                perturbed.iter().map(|r| r.summary()).collect::<String>()
            );
        }
    }
}

mod population {
    use super::*;
    use nnlimits::models::fim::population_check::population_checks;
    use nnlimits::models::fim::{Activation, PopulationFim, PopulationSampler};

    #[test]
    fn each_population_check_can_fail() {
        // tanh, d = 40, N = 200, 10 draws of κ(W̃W̃ᵀ)/N at σ_w² = 1
        let (d, width) = (40, 200);
        let act = Activation::Tanh;
        let sampler = PopulationSampler::new(&act, width, d, 1.0).unwrap();
        let draws: Vec<Vec<f64>> = (0..10)
            .map(|i| sampler.sample(&mut nnlimits::rng::stream(8, i)).unwrap())
            .collect();
        let run = |s2: f64| {
            let p = PopulationFim::new(&act, d, s2, 4).unwrap();
            let pred = p.finite_width(width).unwrap();
            Report::new(
                "fim-population",
                p.params(),
                serde_json::Value::Null,
                8,
                10,
                population_checks(&p, &pred, width, &draws),
                vec![],
            )
        };
        let r = run(1.0);
        assert_eq!(r.verdict, Verdict::Pass, "{}", r.summary());
        assert!(r.checks.len() >= 2, "{}", r.summary());
        let r2 = run(1.2);
        for c in &r.checks {
            fails(&r2, &c.name);
        }
    }
}
