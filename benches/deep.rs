//! Deep conjugate kernel (docs/models/ck-deep.md): a 1000-point density of the law of an `L`-layer
//! tanh network (`σ_w² = 1`, `d = n`, equal widths `N_ℓ = 1.5 n`) at `L = 2, 3, 5`, with the support
//! computed once outside the timed loop, and the whole pipeline at `L = 5` (recursion, expression,
//! support scan with its mass check, density).

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::model::SpectralModel;
use nnlimits::models::deep::DeepCk;
use nnlimits::models::fim::Activation;
use std::hint::black_box;

fn law(depth: usize) -> DeepCk {
    DeepCk::new(&Activation::Tanh, 1.0, 1.0, &vec![1.5; depth]).expect("law")
}

fn grid(m: &DeepCk) -> Vec<f64> {
    let s = m.support().expect("support");
    let (lo, hi) = (s.components[0].0, s.components[s.components.len() - 1].1);
    (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect()
}

fn bench(c: &mut Criterion) {
    for depth in [2usize, 3, 5] {
        c.bench_function(
            &format!("deep ck L={depth} density 1000 points (support cached)"),
            |b| {
                let m = law(depth);
                let xs = grid(&m);
                b.iter(|| black_box(m.density_many(black_box(&xs)).expect("density")))
            },
        );
    }
    c.bench_function("deep ck L=5 law + support + density 1000 points", |b| {
        b.iter(|| {
            let m = law(5);
            let xs = grid(&m);
            black_box(m.density_many(&xs).expect("density"))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
