use nnlimits::numerics::special::*;
use num_complex::Complex64;
use statrs::function::gamma::digamma;
use std::f64::consts::PI;

#[test]
fn log_gamma_closed_forms() {
    // Γ(1/2) = sqrt(pi); Γ(10) = 9!
    let h = ln_gamma_complex(Complex64::new(0.5, 0.0));
    assert!((h.re - 0.5 * PI.ln()).abs() < 1e-14 && h.im.abs() < 1e-15);
    let g = ln_gamma_complex(Complex64::new(10.0, 0.0));
    assert!((g.re - 362880f64.ln()).abs() < 1e-13);
    // |Γ(1/2 + i t)|² = π / cosh(π t)
    for t in [0.3, 2.0, 7.5, 40.0] {
        let v = ln_gamma_complex(Complex64::new(0.5, t));
        let exact = 0.5 * (PI / (PI * t).cosh()).ln();
        assert!((v.re - exact).abs() < 1e-12 * (1.0 + exact.abs()), "t={t}");
    }
    // Γ(1 + i t): |Γ|² = π t / sinh(π t)
    let t = 3.0;
    let v = ln_gamma_complex(Complex64::new(1.0, t));
    assert!((v.re - 0.5 * (PI * t / (PI * t).sinh()).ln()).abs() < 1e-12);
}

#[test]
fn gamma_ratio_matches_difference_and_closed_forms() {
    // E(chi2_N/N)^2 = 1 + 2/N
    for n in [1.0, 3.0, 20.0, 100.0, 1e6] {
        let r = ln_gamma_ratio_real(n / 2.0, 2.0);
        assert!((r - (1.0 + 2.0 / n).ln()).abs() < 1e-14, "N={n}");
        let r = ln_gamma_ratio_real(n / 2.0, 1.0);
        assert!(r.abs() < 1e-14);
    }
    // against a direct difference of complex log-gammas at moderate x
    let s = Complex64::new(-0.3, 4.0);
    let x = 7.25;
    let d = ln_gamma_complex(s + x) - ln_gamma_complex(Complex64::new(x, 0.0)) - s * x.ln();
    let r = ln_gamma_ratio(x, s);
    assert!((r.re - d.re).abs() < 1e-12);
    let k = (r.im - d.im) / (2.0 * PI);
    assert!((k - k.round()).abs() < 1e-12);
}

#[test]
fn trigamma_values() {
    assert!((trigamma(1.0) - PI * PI / 6.0).abs() < 1e-14);
    assert!((trigamma(0.5) - PI * PI / 2.0).abs() < 1e-13);
    // psi'(x) - psi'(x+1) = 1/x²
    assert!((trigamma(25.3) - trigamma(26.3) - 1.0 / (25.3f64 * 25.3)).abs() < 1e-16);
    assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-14);
}

/// erf and erfc against 30-digit values (mpmath): within 2 ulp, including erfc's far tail, where
/// `1 - erf` would have cancelled to zero. statrs' own erf misses these by about 1e-10 relative.
// The references keep 20 digits as printed by mpmath; the compiler rounds them to the nearest double.
#[allow(clippy::excessive_precision)]
#[test]
fn error_function_within_two_ulp() {
    let within = |got: f64, want: f64| (got - want).abs() <= 2.0 * f64::EPSILON * want.abs();
    for (x, want) in [
        (0.5, 0.520_499_877_813_046_537_68),
        (-0.5, -0.520_499_877_813_046_537_68),
        (1.0, 0.842_700_792_949_714_869_34),
        (2.0, 0.995_322_265_018_952_734_16),
        (0.1, 0.112_462_916_018_284_892_2),
        (1e-5, 1.128_379_167_057_899_935e-5),
        (3.5, 0.999_999_256_901_627_658_59),
    ] {
        assert!(
            within(erf(x), want),
            "erf({x}) = {:e}, want {want:e}",
            erf(x)
        );
    }
    for (x, want) in [
        (0.5, 0.479_500_122_186_953_462_32),
        (1.0, 0.157_299_207_050_285_130_66),
        (3.0, 2.209_049_699_858_544_137_3e-5),
        (5.0, 1.537_459_794_428_034_850_2e-12),
        (10.0, 2.088_487_583_762_544_757e-45),
        (-0.3, 1.328_626_759_459_127_427_6),
        (26.0, 5.663_192_408_856_142_846_5e-296),
    ] {
        assert!(
            within(erfc(x), want),
            "erfc({x}) = {:e}, want {want:e}",
            erfc(x)
        );
    }
    assert_eq!(erf(0.0), 0.0);
    assert_eq!(erf(f64::INFINITY), 1.0);
    assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
}
