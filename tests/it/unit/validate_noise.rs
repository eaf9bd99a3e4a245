use nnlimits::model::Sampler;
use nnlimits::models::mp::{MarchenkoPastur, WishartSampler};
use nnlimits::spectral::{SpectralDensity, DEFAULT_NODES};
use nnlimits::validate::noise::*;
use nnlimits::validate::stats;

#[test]
fn quantiles_match_tables() {
    // scipy.stats.t.ppf(1 - 5e-4, df): df 3 -> 12.924, df 7 -> 5.408, df 9 -> 4.781
    assert!(
        (t_quantile(4, 1e-3) - 12.924).abs() < 2e-3,
        "{}",
        t_quantile(4, 1e-3)
    );
    assert!((t_quantile(8, 1e-3) - 5.408).abs() < 2e-3);
    assert!((t_quantile(10, 1e-3) - 4.781).abs() < 2e-3);
    assert!((z_quantile(1e-3) - 3.2905).abs() < 1e-3);
    assert!(t_quantile(1, 1e-3).is_infinite());
}

#[test]
fn sup_noise_of_iid_uniform_points_is_kolmogorov() {
    // S draws of n iid uniforms: the pooled CDF error is a Brownian bridge / sqrt(S n); its sup has
    // mean 0.8687 / sqrt(S n). The estimator must recover that (within its own ~10% spread).
    let (s, n) = (16, 400);
    let mut rng = nnlimits::rng::stream(3, 0);
    let draws: Vec<Vec<f64>> = (0..s)
        .map(|_| {
            let mut v: Vec<f64> = (0..n)
                .map(|_| 0.5 * (1.0 + libm_erf(nnlimits::rng::normals(&mut rng, 1)[0])))
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let noise = ks_noise(&draws).unwrap();
    let expect = 0.8687 / ((s * n) as f64).sqrt();
    assert!((noise / expect - 1.0).abs() < 0.2, "{noise} vs {expect}");
}

fn libm_erf(x: f64) -> f64 {
    statrs::function::erf::erf(x / std::f64::consts::SQRT_2)
}

#[test]
fn rigid_spectra_fluctuate_far_less_than_iid_points() {
    // Wishart n = 200, c = 0.5: the measured noise of the pooled CDF is several times below the iid
    // Kolmogorov mean 0.8687/sqrt(N), and the pooled KS of the true law lies within K_SUP of it
    // (plus the O(1/n) rigidity floor of a single draw's CDF steps).
    let (s, n) = (8usize, 200usize);
    let sampler = WishartSampler::new(n, 400, 1.0).unwrap();
    let law = SpectralDensity::from_model(&MarchenkoPastur::new(0.5, 1.0).unwrap(), DEFAULT_NODES)
        .unwrap();
    let draws: Vec<Vec<f64>> = (0..s)
        .map(|i| {
            let mut v = sampler
                .sample(&mut nnlimits::rng::stream(11, i as u64))
                .unwrap();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let noise = ks_noise(&draws).unwrap();
    let iid = 0.8687 / ((s * n) as f64).sqrt();
    assert!(noise < 0.5 * iid, "noise {noise} vs iid {iid}");
    let mut pooled: Vec<f64> = draws.concat();
    pooled.sort_by(f64::total_cmp);
    let ks = stats::ks_distance(&pooled, |x| law.cdf(x), |x| law.cdf_left(x));
    assert!(
        ks <= K_SUP * noise + 1.0 / n as f64,
        "ks {ks} noise {noise}"
    );
    let per = per_draw_ks(&draws, |x| law.cdf(x), |x| law.cdf_left(x));
    assert!(per.iter().all(|&d| d > 0.0 && d < 0.05), "{per:?}");
}
