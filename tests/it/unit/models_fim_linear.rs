use nnlimits::model::SpectralModel;
use nnlimits::models::fim::activation::Activation;
use nnlimits::models::fim::law::Ratios;
use nnlimits::models::fim::linear::*;
use nnlimits::models::fim::proportional::ProportionalFim;
use nnlimits::models::fim::sampler::Trained;
use nnlimits::models::mp::MarchenkoPastur;
use nnlimits::numerics::poly;
use nnlimits::numerics::stieltjes::{self, SolverOptions};
use nnlimits::spectral::SpectralDensity;
use num_complex::Complex64 as C64;

fn lin(alpha: f64, gamma: f64, t: Trained) -> LinearFim {
    LinearFim::new(Ratios::from_alpha_gamma(alpha, gamma).unwrap(), 1.0, 1.0, t).unwrap()
}

/// Reference table of the linear law, m at real points, quartic residuals.
#[test]
fn section4_reference_numbers() {
    let rows = [
        (
            0.5,
            0.5,
            (0.1577679724, 6.3394829636),
            0.0,
            [0.43661100, 0.31788797, 0.20005254, 0.09547461],
            6.25,
        ),
        (
            2.0,
            0.5,
            (0.2930615921, 13.6743910451),
            0.5,
            [0.12768278, 0.11252980, 0.07930282, 0.04771119],
            13.0,
        ),
        (
            1.0,
            1.0,
            (0.0, 9.9456588048),
            0.0,
            [0.32749384, 0.21351243, 0.12761212, 0.06449479],
            9.0,
        ),
    ];
    for (a, g, (lo, hi), atom, rho, m2) in rows {
        let l = lin(a, g, Trained::Both);
        let s = l.support().unwrap();
        assert_eq!(s.components.len(), 1);
        assert!(
            (s.components[0].0 - lo).abs() < 1e-8 && (s.components[0].1 - hi).abs() < 1e-8,
            "{:?}",
            s
        );
        assert!((s.atom_mass() - atom).abs() < 1e-14);
        for (x, r) in [0.5, 1.0, 2.0, 4.0].iter().zip(rho) {
            assert!((l.density(*x).unwrap() - r).abs() < 1e-8, "rho({x})");
        }
        let m = l.moments();
        assert!((m[0] - 2.0).abs() < 1e-14 && (m[1] - m2).abs() < 1e-12);
        // independent route 1: free multiplicative moments
        let fm = l.free_moments();
        assert!((fm[0] - 2.0).abs() < 1e-14 && (fm[1] - m2).abs() < 1e-12);
        // ... against the integrated density, up to m4
        let sd = SpectralDensity::from_model(&l, 300).unwrap();
        assert!((sd.mass() - 1.0).abs() < 1e-4);
        for k in 1..=4 {
            let q = sd.moment(k as i32);
            assert!(
                (q - fm[k - 1]).abs() < 2e-4 * fm[k - 1],
                "m{k}: {q} vs {}",
                fm[k - 1]
            );
        }
    }
    let cases = [
        (0.5, 0.5, 1.0, C64::new(-0.0588658742, 0.9986745086)),
        (2.0, 0.5, 1.0, C64::new(-0.4107995990, 0.3535227929)),
        (1.0, 1.0, 4.0, C64::new(-0.25, 0.2026163631)),
    ];
    for (a, g, x, m_ref) in cases {
        let l = lin(a, g, Trained::Both);
        let m = stieltjes::solve_real(&l, x, None, &SolverOptions::default())
            .unwrap()
            .m;
        assert!((m - m_ref).norm() < 1e-9, "{m} vs {m_ref}");
        // independent route 2: the quartic's physical root
        let z = C64::new(x, 1e-10);
        let q = l.stieltjes_quartic(z, m).unwrap();
        assert!((q - m_ref).norm() < 1e-8, "{q}");
        let (p, _) = poly::eval(&l.quartic(z), m);
        assert!(p.norm() < 1e-9, "quartic residual {}", p.norm());
    }
    // below the lowest edge m is real: m(0.05)
    for (a, mref) in [(0.5, 1.2023313717), (2.0, -9.7009670785)] {
        let l = lin(a, 0.5, Trained::Both);
        let m = l.stieltjes(C64::new(0.05, 1e-12)).unwrap();
        assert!((m.re - mref).abs() < 1e-8 && m.im.abs() < 1e-6, "{m}");
    }
}

/// The two evaluations of τ agree where both are accurate, and the far form keeps full precision
/// where the closed form cancels (series `τ ≈ h1 - u h2`, `h1 = σ_w² + σ_v²`,
/// `h2 = σ_w⁴ (1 + γ) + 2 σ_w² σ_v² + σ_v⁴`).
#[test]
fn tau_far_form_is_stable() {
    let l = LinearFim::new(
        Ratios::from_alpha_gamma(0.01, 0.5).unwrap(),
        1.0,
        0.5,
        Trained::Both,
    )
    .unwrap();
    let (s, v, g, a) = (1.0, 0.5, 0.5, 0.01);
    for m in [C64::new(-3.0, 2.0), C64::new(1.0, 1.0), C64::new(0.3, 0.1)] {
        let u = m * a;
        let gh = l.mp.stieltjes_closed(-u.inv() - v);
        let closed = (C64::new(1.0, 0.0) - gh / u) / u;
        assert!(
            (l.tau(m) - closed).norm() < 1e-9,
            "{m}: {} vs {closed}",
            l.tau(m)
        );
    }
    let (h1, h2) = (s + v, s * s * (1.0 + g) + 2.0 * s * v + v * v);
    for m in [C64::new(-1e-6, 1e-7), C64::new(1e-9, 1e-9)] {
        let u = m * a;
        let series = C64::new(h1, 0.0) - u * h2;
        assert!((l.tau(m) - series).norm() < 1e-13 * h1, "{m}: {}", l.tau(m));
    }
}

#[test]
fn readout_cubic_and_reductions() {
    // readout-only linear, α = 1.5, γ = 0.5 (docs/models/fim.md (F9–F13))
    let l = lin(1.5, 0.5, Trained::Readout);
    let s = l.support().unwrap();
    assert!(
        (s.components[0].0 - 0.02004616).abs() < 1e-7
            && (s.components[0].1 - 7.21221306).abs() < 1e-7
    );
    assert!((s.atom_mass() - 1.0 / 3.0).abs() < 1e-14);
    for (x, r) in [
        (0.5, 0.280723),
        (1.0, 0.163430),
        (2.0, 0.088185),
        (3.0, 0.057514),
    ] {
        assert!((l.density(x).unwrap() - r).abs() < 1e-6);
    }
    assert!((l.moments()[1] - 3.25).abs() < 1e-12);
    // cubic (c4 = 0) roots at z = 1: 1.29800328, -0.64900164 ± 0.51342905 i
    let c = l.quartic(C64::new(1.0, 0.0));
    assert_eq!(c[4], C64::new(0.0, 0.0));
    let r = poly::roots(&c[..4]).unwrap();
    for want in [C64::new(1.29800328, 0.0), C64::new(-0.64900164, 0.51342905)] {
        assert!(r.iter().any(|z| (z - want).norm() < 1e-7), "{r:?}");
    }
    // γ → 0: MP with ratio α and scale σ_w² + σ_v² (F11)
    // (the deviation is O(γ): check it is small and shrinks tenfold with γ)
    let mp = MarchenkoPastur::new(0.5, 2.0).unwrap();
    let err = |g: f64| {
        let l = lin(0.5, g, Trained::Both);
        [0.5, 1.0, 3.0]
            .iter()
            .map(|&x| (l.density(x).unwrap() - mp.density_closed(x)).abs())
            .fold(0.0, f64::max)
    };
    let (e2, e3) = (err(1e-2), err(1e-3));
    assert!(e3 < 2e-3 && e3 < 0.15 * e2, "{e2} {e3}");
    // F17 with φ = identity equals F9
    let g = Activation::Linear.constants(1.0, 1.0).unwrap();
    for (a, gm) in [(0.5, 0.5), (2.0, 0.5), (1.5, 2.0)] {
        let r = Ratios::from_alpha_gamma(a, gm).unwrap();
        let p = ProportionalFim::new(r, g.clone(), Trained::Both).unwrap();
        let l = LinearFim::new(r, 1.0, 1.0, Trained::Both).unwrap();
        for x in [0.7, 1.3, 3.0] {
            assert!((p.density(x).unwrap() - l.density(x).unwrap()).abs() < 1e-8);
        }
    }
    assert!(LinearFim::new(Ratios::new(1.0, 1.0).unwrap(), 1.0, 0.0, Trained::Both).is_err());
    assert!(LinearFim::new(Ratios::new(1.0, 1.0).unwrap(), 1.0, 1.0, Trained::First).is_err());
}
