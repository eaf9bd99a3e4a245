use nnlimits::model::SpectralModel;
use nnlimits::models::fim::activation::Activation;
use nnlimits::models::fim::activation::GaussianConstants;
use nnlimits::models::fim::law::Ratios;
use nnlimits::models::fim::proportional::*;
use nnlimits::models::fim::sampler::Trained;
use nnlimits::models::mp::MarchenkoPastur;
use nnlimits::spectral::SpectralDensity;
use num_complex::Complex64 as C64;

fn law(act: &str, alpha: f64, gamma: f64, t: Trained) -> ProportionalFim {
    let g = Activation::parse(act).unwrap().constants(1.0, 1.0).unwrap();
    ProportionalFim::new(Ratios::from_alpha_gamma(alpha, gamma).unwrap(), g, t).unwrap()
}

/// The small-`m` series of τ agrees with the closed form where both are accurate (|m| t_max ~
/// 0.05–0.1), for every variant and for γ below, at and above 1.
#[test]
fn tau_series_matches_closed_form() {
    for (act, a, g) in [
        ("tanh", 1.5, 0.5),
        ("relu", 0.7, 2.0),
        ("erf", 1.0, 1.0),
        ("tanh", 0.01, 3.0),
    ] {
        for t in [Trained::Both, Trained::Readout] {
            let l = law(act, a, g, t);
            let r = l.series.1;
            for m in [
                C64::new(0.09 * r, 0.0),
                C64::new(-0.05 * r, 0.02 * r),
                C64::new(0.0, 0.099 * r),
            ] {
                let (s, c) = (l.tau_unit(m), l.tau_closed(m));
                assert!(
                    (s - c).norm() < 1e-10 * c.norm(),
                    "{act} {a} {g} {t:?} {m}: {s} vs {c}"
                );
            }
            // p_1 = τ(0) = m1 - c on the unit scale, i.e. the mean of the random part
            let p1 = l.series.0[0];
            assert!(
                (p1 - (1.0 - l.shift)).abs() < 1e-12,
                "{act} {t:?}: p1 {p1} shift {}",
                l.shift
            );
        }
    }
}

/// Reference table of the nonlinear laws (σ's = 1): edges, densities, F18 moments.
#[test]
fn section5_reference_numbers() {
    type Row = (
        &'static str,
        f64,
        f64,
        Trained,
        Vec<(f64, f64)>,
        [(f64, f64); 3],
        [f64; 2],
    );
    let rows: Vec<Row> = vec![
        (
            "tanh",
            1.5,
            0.5,
            Trained::Both,
            vec![(0.102373, 0.145504), (0.153830, 4.332551)],
            [
                (0.948409, 0.249608),
                (1.794444, 0.136161),
                (2.640480, 0.082008),
            ],
            [0.858697, 1.661564],
        ),
        (
            "erf",
            1.0,
            2.0,
            Trained::Both,
            vec![(0.151044, 5.294111)],
            [
                (1.179657, 0.230451),
                (2.208271, 0.101383),
                (3.236884, 0.056540),
            ],
            [1.033969, 2.221229],
        ),
        (
            "crelu",
            1.0,
            1.0,
            Trained::Both,
            vec![(0.269542, 2.972410)],
            [
                (0.810116, 0.497594),
                (1.350689, 0.247967),
                (1.891263, 0.143131),
            ],
            [0.840845, 1.073196],
        ),
        (
            "relu",
            1.5,
            0.5,
            Trained::Both,
            vec![(0.264456, 3.285860)],
            [
                (0.868736, 0.373379),
                (1.473017, 0.198706),
                (2.077298, 0.118819),
            ],
            [0.840845, 1.169152],
        ),
        (
            "tanh",
            1.5,
            0.5,
            Trained::Readout,
            vec![(0.001049, 2.713812)],
            [
                (0.543602, 0.330979),
                (1.086155, 0.164850),
                (1.628707, 0.096548),
            ],
            [0.394294, 0.473970],
        ),
        (
            "tanh",
            1.5,
            0.5,
            Trained::First,
            vec![(0.116055, 1.913388)],
            [
                (0.475522, 0.550054),
                (0.834988, 0.345302),
                (1.194455, 0.232146),
            ],
            [0.464403, 0.417571],
        ),
        (
            "linear",
            1.0,
            1.0,
            Trained::Both,
            vec![(0.0, 9.945659)],
            [
                (1.989132, 0.128196),
                (3.978264, 0.064906),
                (5.967395, 0.037462),
            ],
            [2.0, 9.0],
        ),
    ];
    for (act, a, g, t, comps, dens, mom) in rows {
        let l = law(act, a, g, t);
        let s = l.support().unwrap();
        assert_eq!(
            s.components.len(),
            comps.len(),
            "{act} {t:?}: {:?}",
            s.components
        );
        for (c, e) in s.components.iter().zip(&comps) {
            assert!(
                (c.0 - e.0).abs() < 2e-6 && (c.1 - e.1).abs() < 2e-6,
                "{act}: {c:?} vs {e:?}"
            );
        }
        for (x, r) in dens {
            let d = l.density(x).unwrap();
            assert!((d - r).abs() < 2e-6, "{act} {t:?} rho({x}) = {d} vs {r}");
        }
        let m = l.bulk_moments();
        assert!(
            (m[0] - mom[0]).abs() < 2e-6 && (m[1] - mom[1]).abs() < 2e-6,
            "{act}: {m:?}"
        );
        // the tabulated law integrates to 1 and reproduces the closed-form moments
        let sd = SpectralDensity::from_model(&l, 300).unwrap();
        assert!(
            (sd.mass() - 1.0).abs() < 1e-4,
            "{act} {t:?} mass {}",
            sd.mass()
        );
        assert!(
            (sd.moment(1) - mom[0]).abs() < 1e-3 * mom[0],
            "{act} {t:?} m1 {}",
            sd.moment(1)
        );
        assert!(
            (sd.moment(2) - mom[1]).abs() < 2e-3 * mom[1],
            "{act} {t:?} m2 {}",
            sd.moment(2)
        );
    }
    // narrow band of mass exactly 1 - 1/alpha (tanh, both, alpha = 1.5)
    let l = law("tanh", 1.5, 0.5, Trained::Both);
    let sd = SpectralDensity::from_model(&l, 300).unwrap();
    assert!((sd.components[0].mass - 1.0 / 3.0).abs() < 1e-4);
    // first layer only: atom 1/3 at c = 0.097524
    let l = law("tanh", 1.5, 0.5, Trained::First);
    let s = l.support().unwrap();
    assert_eq!(s.atoms.len(), 1);
    assert!((s.atoms[0].0 - 0.097524).abs() < 1e-6 && (s.atoms[0].1 - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn first_layer_only_is_shifted_mp() {
    // F17 variant: K = c + σ_v² μ1² MP(α) exactly.
    let l = law("tanh", 1.5, 0.5, Trained::First);
    let g = l.constants().clone();
    let mp = MarchenkoPastur::new(1.5, g.sigma_v2 * g.mu1 * g.mu1).unwrap();
    for &x in &[0.3, 0.6, 1.2, 1.8] {
        let d = l.density(x).unwrap();
        assert!((d - mp.density_closed(x - g.c)).abs() < 1e-8, "{x}");
    }
}

/// Pennington–Worah 2017 (docs/models/fim.md (F26–F28)): `M = YYᵀ/m` has `ρ_M(x) = r² ρ_CK(r
/// x)`, `r = n/N`, under `α = 1/φ`, `γ = ψ`; reference densities (6 digits).
#[test]
fn pennington_worah_2017_reference() {
    let rows = [
        ("tanh", 0.5, 0.5, [0.586621, 0.283445, 0.149912, 0.095860]),
        (
            "erf",
            2.0 / 3.0,
            2.0,
            [1.468233, 0.679318, 0.306623, 0.129793],
        ),
        ("crelu", 1.0, 1.0, [1.040702, 0.446995, 0.200711, 0.098135]),
    ];
    for (act, phi, psi, rho) in rows {
        let l = law(act, 1.0 / phi, psi, Trained::Readout);
        let r = 1.0 / (phi / psi); // n/N = α γ
        for (x, want) in [0.2, 0.5, 1.0, 1.5].iter().zip(rho) {
            let got = r * r * l.density(r * x).unwrap();
            assert!(
                (got - want).abs() < 2e-6,
                "{act} rho_M({x}) = {got} vs {want}"
            );
        }
    }
    // ζ = 0 (absc): MP with ratio n/N and scale μ*² (F28): φ = 0.5, ψ = 1
    let l = law("absc", 2.0, 1.0, Trained::Readout);
    let g = l.constants().clone();
    let mp = MarchenkoPastur::new(2.0, g.mu_star2).unwrap();
    for x in [0.1, 0.3, 0.6] {
        assert!((l.density(x * 2.0).unwrap() - mp.density_closed(x * 2.0)).abs() < 1e-8);
        // and PW's normalisation: ρ_M(x) = 4 ρ_CK(2x) = 2.250453, 1.318911, 0.745965
    }
    let pw: Vec<f64> = [0.1, 0.3, 0.6]
        .iter()
        .map(|x| 4.0 * l.density(2.0 * x).unwrap())
        .collect();
    for (a, b) in pw.iter().zip([2.250453, 1.318911, 0.745965]) {
        assert!((a - b).abs() < 2e-6, "{a} vs {b}");
    }
}

#[test]
fn conditioning_table() {
    // Reference values: α = γ = 1 bulk edges for tanh, erf, absc.
    for (act, lo, hi) in [
        ("tanh", 0.106501, 3.815729),
        ("erf", 0.157494, 4.467811),
        ("absc", 1.0, 2.453521),
    ] {
        let s = law(act, 1.0, 1.0, Trained::Both).support().unwrap();
        let (a, b) = (s.components[0].0, s.components.last().unwrap().1);
        assert!(
            (a - lo).abs() < 2e-6 && (b - hi).abs() < 2e-6,
            "{act}: [{a}, {b}]"
        );
    }
}

#[test]
fn degenerate_is_an_error() {
    let g = GaussianConstants::from_values("const", 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0).unwrap();
    let r = Ratios::new(1.0, 1.0).unwrap();
    assert!(ProportionalFim::new(r, g, Trained::Readout).is_err());
}
