//! Benchmarks of the FIM / CK models (issue 3):
//! (a) a 1000-point density of every model, *including* construction and the support computation
//!     (edges by the Silverstein–Choi scan), on a fresh model each iteration;
//! (a') the C-output linear law F13 (α = 0.75, γ = 0.5, C/N = 0.1; a mixture of 24 F9 laws): a
//!     1000-point density on a model whose component supports are cached (the reuse case), and
//!     including construction and all supports;
//! (b) one draw of the n = 2000 dual NTK Gram (n = d = N = 2000, tanh, both layers): sampling,
//!     forming Θ without the Jacobian, and all eigenvalues (faer, parallel);
//! (c) the data-dependent law F20/F30 at n = 600 (d = 400, N = 800, erf): the CK (readout) law, a
//!     1000-point density including the kernels, their eigenvalues and the support; the NTK (both
//!     layers) law, one exact point (one n × n symmetric eigendecomposition: the cost per point).
//! Compare (b) with `python3 benches/fim_numpy.py` (the same computation in numpy).
//!
//! Equation labels (F-numbers) are those of docs/models/fim.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nnlimits::model::SpectralModel;
use nnlimits::models::fim::{
    draw_data, Activation, DataFim, InfiniteWidthFim, Inputs, LinearFim, MultiOutputLinearFim,
    NetworkSampler, ProportionalFim, Ratios, Trained,
};

fn grid(m: &dyn SpectralModel) -> Vec<f64> {
    let s = m.support().unwrap();
    let (lo, hi) = (s.components[0].0, s.components.last().unwrap().1);
    (0..1000)
        .map(|k| lo + (hi - lo) * (k as f64 + 0.5) / 1000.0)
        .collect()
}

fn densities(c: &mut Criterion) {
    let r = Ratios::from_alpha_gamma(1.5, 0.5).unwrap();
    let tanh = Activation::Tanh.constants(1.0, 1.0).unwrap();
    let mk_prop = |t: Trained| ProportionalFim::new(r, tanh.clone(), t).unwrap();
    for (name, t) in [
        ("fim_tanh_both", Trained::Both),
        ("ck_tanh_readout", Trained::Readout),
    ] {
        let xs = grid(&mk_prop(t));
        c.bench_function(&format!("density_1000_{name}"), |b| {
            b.iter(|| mk_prop(t).density_many(&xs).unwrap())
        });
    }
    let mk_lin = || LinearFim::new(r, 1.0, 1.0, Trained::Both).unwrap();
    let xs = grid(&mk_lin());
    c.bench_function("density_1000_fim_linear_exact", |b| {
        b.iter(|| mk_lin().density_many(&xs).unwrap())
    });
    let ro = Ratios::from_alpha_gamma(0.75, 0.5).unwrap();
    let mk_out = || MultiOutputLinearFim::new(ro, 0.1, 1.0, 1.0).unwrap();
    let warm = mk_out();
    let xs = grid(&warm);
    c.bench_function("density_1000_fim_linear_outputs_cached_supports", |b| {
        b.iter(|| warm.density_many(&xs).unwrap())
    });
    c.bench_function("density_1000_fim_linear_outputs_incl_construction", |b| {
        b.iter(|| mk_out().density_many(&xs).unwrap())
    });
    let mk_inf = || InfiniteWidthFim::new(1.5, tanh.clone(), Trained::Both).unwrap();
    let xs = grid(&mk_inf());
    c.bench_function("density_1000_fim_infinite_width", |b| {
        b.iter(|| mk_inf().density_many(&xs).unwrap())
    });
}

fn dual_gram(c: &mut Criterion) {
    let s = NetworkSampler::new(
        2000,
        2000,
        2000,
        Activation::Tanh,
        1.0,
        1.0,
        Trained::Both,
        Inputs::Gaussian,
        false,
        0,
    )
    .unwrap();
    let mut g = c.benchmark_group("dual_gram_n2000");
    g.sample_size(10);
    faer::set_global_parallelism(faer::Par::rayon(0));
    g.bench_function("sample_gram_eigvalsh_parallel", |b| {
        let mut rng = nnlimits::rng::stream(1, 0);
        b.iter(|| s.eigenvalues(&mut rng).unwrap())
    });
    g.finish();
}

fn data_law(c: &mut Criterion) {
    faer::set_global_parallelism(faer::Par::Seq);
    let x = draw_data(600, 400, Inputs::Gaussian, 4242);
    let mk = |t: Trained| DataFim::new(&x, 800, &Activation::Erf, 1.0, 1.0, t).unwrap();
    let xs = grid(&mk(Trained::Readout));
    let mut g = c.benchmark_group("data_law_n600");
    g.sample_size(10);
    g.bench_function("density_1000_ck_erf_with_kernels_and_support", |b| {
        b.iter(|| mk(Trained::Readout).density_many(&xs).unwrap())
    });
    let ck = mk(Trained::Readout);
    ck.density_many(&xs).unwrap();
    g.bench_function("density_1000_ck_erf_given_law_and_support", |b| {
        b.iter(|| ck.density_many(&xs).unwrap())
    });
    let ntk = mk(Trained::Both);
    g.bench_function("ntk_erf_construction", |b| b.iter(|| mk(Trained::Both)));
    g.bench_function("ntk_erf_one_point", |b| {
        b.iter(|| ntk.boundary_value(1.0).unwrap())
    });
    g.finish();
}

criterion_group!(benches, densities, dual_gram, data_law);
criterion_main!(benches);
