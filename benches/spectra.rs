//! Benchmarks of the foundation (issue 2):
//! (a) the Marchenko–Pastur density at 1000 grid points through the generic fixed-point solver;
//! (b) eigenvalues of a 2000 x 2000 Wishart matrix (`eigvalsh`), faer parallelism on and off (it only
//!     drives the panel updates);
//! (c) the Speicher–Wendel GEP law (ReLU on MP(0.5)) at 1000 grid points: subordination fixed point,
//!     warm-started along the grid (support computed once, outside the timing).
//! Compare (b) with `python3 benches/numpy_eigh.py` (numpy.linalg.eigvalsh on the same matrices, side by
//! side; sizes 500 to 4000 in benches/eigen.rs).

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::model::SpectralModel;
use nnlimits::models::mp::{gram_scaled, MarchenkoPastur, Method};
use nnlimits::numerics::linalg::eigvalsh;

fn density_fixed_point(c: &mut Criterion) {
    let m = MarchenkoPastur::new(0.5, 1.0)
        .unwrap()
        .with_method(Method::FixedPoint);
    let (lo, hi) = m.edges();
    let xs: Vec<f64> = (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect();
    c.bench_function("mp_density_1000_fixed_point", |b| {
        b.iter(|| m.density_many(&xs).unwrap())
    });
    let cf = MarchenkoPastur::new(0.5, 1.0).unwrap();
    c.bench_function("mp_density_1000_closed_form", |b| {
        b.iter(|| cf.density_many(&xs).unwrap())
    });
}

fn gep_density(c: &mut Criterion) {
    use nnlimits::models::gep::EntrywiseWishart;
    let l = EntrywiseWishart::new(0.5, &nnlimits::models::fim::Activation::Relu).unwrap();
    let s = l.support().unwrap();
    let (lo, hi) = s.components[0];
    let xs: Vec<f64> = (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect();
    c.bench_function("gep_relu_density_1000", |b| {
        b.iter(|| l.density_many(&xs).unwrap())
    });
    c.bench_function("gep_relu_support_and_density_1000", |b| {
        b.iter(|| {
            let l = EntrywiseWishart::new(0.5, &nnlimits::models::fim::Activation::Relu).unwrap();
            l.density_many(&xs).unwrap()
        })
    });
}

fn wishart_eigenvalues(c: &mut Criterion) {
    let n = 2000;
    let mut rng = nnlimits::rng::stream(1, 0);
    let x = nnlimits::rng::normals(&mut rng, n * n);
    let w = gram_scaled(&x, n, n, 1.0 / n as f64);
    let mut g = c.benchmark_group("eigvalsh_2000");
    g.sample_size(10);
    faer::set_global_parallelism(faer::Par::rayon(0));
    g.bench_function("faer_parallel", |b| b.iter(|| eigvalsh(&w, n).unwrap()));
    faer::set_global_parallelism(faer::Par::Seq);
    g.bench_function("faer_sequential", |b| b.iter(|| eigvalsh(&w, n).unwrap()));
    g.finish();
}

criterion_group!(
    benches,
    density_fixed_point,
    gep_density,
    wishart_eigenvalues
);
criterion_main!(benches);
