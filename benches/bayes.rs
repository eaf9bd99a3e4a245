//! Speed of the Bayesian saddle points at P = 1000 (target: < 1 s including the one eigendecomposition).
use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::models::bayes::data::make_ds_outputs;
use nnlimits::models::bayes::kernels::Activation;
use nnlimits::models::bayes::multi::MultiOutputDln;
use nnlimits::models::bayes::nonodd::NonOddOneHidden;
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
    let gram2 = make_ds_outputs(1000, 20, 500, 3, 2)
        .unwrap()
        .gram(1.0)
        .unwrap();
    g.bench_function("multi_output_d2_l2_p1000_full", |b| {
        b.iter(|| {
            let eg = EigenGram::new(&gram2).unwrap();
            MultiOutputDln::new(500, 2, 1.0, 0.1)
                .unwrap()
                .saddle(&eg)
                .unwrap()
        })
    });
    let gram3 = make_ds(200, 20, 100, 3).unwrap().gram(1.0).unwrap();
    g.bench_function("relu_two_parameter_f34_p200", |b| {
        b.iter(|| {
            NonOddOneHidden::new(Activation::Relu, 100, 1.0, 0.1)
                .unwrap()
                .saddle(&gram3)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
