//! Speed of the Bayesian saddle point at P = 1000 (target: < 1 s including the one eigendecomposition).
use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::models::bayes::{make_ds, BayesDln, EigenGram};

fn bench(c: &mut Criterion) {
    let gram = make_ds(1000, 20, 500, 3).unwrap().gram(1.0).unwrap();
    let mut g = c.benchmark_group("bayes");
    g.sample_size(10);
    g.bench_function("dln_saddle_p1000_full", |b| {
        b.iter(|| {
            let eg = EigenGram::new(&gram).unwrap();
            BayesDln::equal(500, 2, 0.1).unwrap().saddle(&eg).unwrap()
        })
    });
    let eg = EigenGram::new(&gram).unwrap();
    g.bench_function("dln_saddle_p1000_solve_only", |b| {
        b.iter(|| BayesDln::equal(500, 2, 0.1).unwrap().saddle(&eg).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
