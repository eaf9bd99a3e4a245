use nnlimits::numerics::mellin::*;
use nnlimits::numerics::special::ln_gamma_complex;
use num_complex::Complex64;

/// |z| for z ~ N(0, 1): M(s) = 2^{(s-1)/2} Γ(s/2) / sqrt(π).
struct AbsNormal;
impl Mellin for AbsNormal {
    fn ln_mellin(&self, s: Complex64) -> Complex64 {
        (s - 1.0) * 0.5 * 2f64.ln() + ln_gamma_complex(s * 0.5) - 0.5 * std::f64::consts::PI.ln()
    }
    fn strip(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

#[test]
fn half_normal_density_tail_cdf() {
    let inv = MellinInverter::new(AbsNormal);
    for x in [1e-4, 0.1, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0] {
        let p = inv.density(x).unwrap();
        let exact = 2.0 * (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        assert!(
            (p - exact).abs() < 1e-12 * exact.max(1e-3),
            "x={x}: {p} vs {exact}"
        );
        let t = inv.tail(x).unwrap();
        // statrs' erfc is only good to ~1e-10 relative
        let exact_t = statrs::function::erf::erfc(x / 2f64.sqrt());
        assert!(
            (t - exact_t).abs() < 2e-10 * exact_t.max(1e-4),
            "x={x}: {t} vs {exact_t}"
        );
        let f = inv.cdf(x).unwrap();
        assert!((f - (1.0 - exact_t)).abs() < 2e-10, "x={x}: {f}");
    }
    // P(|Z| > k), k = 1, 2, 3, to 16 digits (Abramowitz & Stegun 26.2 / mpmath)
    for (k, exact) in [
        (1.0, 0.317_310_507_862_914_1),
        (2.0, 0.045_500_263_896_358_42),
        (3.0, 0.002_699_796_063_260_186_6),
    ] {
        let t = inv.tail(k).unwrap();
        assert!(((t - exact) / exact).abs() < 1e-13, "k={k}: {t}");
    }
    // relative accuracy deep in the tail (saddle contour)
    let t = inv.tail(20.0).unwrap();
    let exact = statrs::function::erf::erfc(20.0 / 2f64.sqrt());
    assert!(((t - exact) / exact).abs() < 1e-8, "{t} vs {exact}");
    assert!(inv.density(0.0).is_err() && inv.tail(f64::NAN).is_err());
}
