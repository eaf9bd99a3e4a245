//! Speed targets of issue 4: the finite-width density at 1000 points for L = 100 (well under 100 ms),
//! and the Bartlett sampler of Q vs propagating dense weights (>= 10x faster per network).

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::model::Sampler;
use nnlimits::models::dln::network::NetworkSampler;
use nnlimits::models::dln::wishart::WishartProduct;
use nnlimits::models::dln::{DlnLaw, DlnPrior};
use std::hint::black_box;

fn density(c: &mut Criterion) {
    let xs: Vec<f64> = (0..1000)
        .map(|k| -5.0 + 10.0 * (k as f64 + 0.5) / 1000.0)
        .collect();
    for (n, l) in [(100usize, 100usize), (10, 100)] {
        let p = DlnPrior::equal(n, l, 1).unwrap();
        c.bench_function(
            &format!("dln density 1000 points N={n} L={l} (cold cache)"),
            |b| {
                b.iter(|| {
                    // a fresh law each time: contours are recomputed
                    let law = p.output_law(0).unwrap();
                    black_box(law.pdf_many(black_box(&xs)).unwrap())
                })
            },
        );
    }
    let p = DlnPrior::new(
        (1..=100).map(|k| 20 + k).collect(),
        vec![],
        1,
        nnlimits::models::dln::Gram::unit(),
    )
    .unwrap();
    c.bench_function(
        "dln density 1000 points 100 distinct widths (cold cache)",
        |b| {
            b.iter(|| {
                let law = p.output_law(0).unwrap();
                black_box(law.pdf_many(black_box(&xs)).unwrap())
            })
        },
    );
}

fn samplers(c: &mut Criterion) {
    let mut g = c.benchmark_group("dln sampler per network N=L=50 D=2");
    g.sample_size(20);
    let p = DlnPrior::equal(50, 50, 2).unwrap();
    let bartlett = WishartProduct::from_prior(&p).unwrap();
    let dense = NetworkSampler::for_prior(&p, 50).unwrap();
    let mut rng = nnlimits::rng::stream(1, 0);
    g.bench_function("bartlett Q", |b| {
        b.iter(|| black_box(bartlett.sample(&mut rng).unwrap()))
    });
    g.bench_function("dense network", |b| {
        b.iter(|| black_box(dense.sample(&mut rng).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, density, samplers);
criterion_main!(benches);
