//! Eigenvalues of Wishart matrices `W = X Xᵀ / n` (`X` an `n × n` Gaussian matrix, rng stream (1, 0)) at
//! n = 500, 1000, 2000, 4000, one thread: `eigvalsh` (blocked tridiagonalisation + root-free QL,
//! `numerics::symeig`) against `eigvalsh_faer` (faer's `self_adjoint_eigenvalues`, the previous path).
//!
//! numpy side by side on the same matrices, repetitions interleaved (the ratios in docs/comparison.md):
//! `cargo build --release --features examples --example eigen_timing && OPENBLAS_NUM_THREADS=1 python3 benches/numpy_eigh.py --faer`.
//! One size only: `cargo bench --features bench --bench eigen -- eigvalsh_2000`.

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::models::mp::gram_scaled;
use nnlimits::numerics::linalg::{eigvalsh, eigvalsh_faer};
use std::time::Duration;

fn wishart(c: &mut Criterion) {
    faer::set_global_parallelism(faer::Par::Seq);
    for n in [500usize, 1000, 2000, 4000] {
        let mut rng = nnlimits::rng::stream(1, 0);
        let x = nnlimits::rng::normals(&mut rng, n * n);
        let w = gram_scaled(&x, n, n, 1.0 / n as f64);
        let mut g = c.benchmark_group(format!("eigvalsh_{n}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if n >= 2000 { 60 } else { 10 }));
        g.bench_function("symeig", |b| b.iter(|| eigvalsh(&w, n).unwrap()));
        g.bench_function("faer", |b| b.iter(|| eigvalsh_faer(&w, n).unwrap()));
        g.finish();
    }
}

criterion_group!(benches, wishart);
criterion_main!(benches);
