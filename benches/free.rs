//! Free-probability expressions: a 1000-point density of a three-operation expression (support
//! computed once, outside the timed loop) and the full pipeline (parse, support, density).

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::model::SpectralModel;
use nnlimits::models::free::Expression;
use std::hint::black_box;

const EXPR: &str = "pop(2 * mp(0.5) + 1, 0.3) + sc(0.5)";

fn grid(e: &Expression) -> Vec<f64> {
    let s = e.support().expect("support");
    let (lo, hi) = (s.components[0].0, s.components[s.components.len() - 1].1);
    (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect()
}

fn bench(c: &mut Criterion) {
    let e = Expression::parse_plain(EXPR).expect("parse");
    let xs = grid(&e);
    c.bench_function("expr density 1000 points (3 operations)", |b| {
        b.iter(|| black_box(e.density_many(black_box(&xs)).expect("density")))
    });
    c.bench_function("expr parse + support + density 1000 points", |b| {
        b.iter(|| {
            let e = Expression::parse_plain(EXPR).expect("parse");
            let xs = grid(&e);
            black_box(e.density_many(&xs).expect("density"))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
