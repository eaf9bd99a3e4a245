//! Breakdown of one n = 2000 dual-Gram draw (sampling, Θ, eigenvalues); see benches/fim.rs for the
//! criterion figure. Run: cargo run --release --features examples --example fim_timing
use nnlimits::models::fim::{Activation, Inputs, NetworkSampler, Trained};
use std::time::Instant;

fn main() {
    faer::set_global_parallelism(faer::Par::rayon(0));
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
    let mut rng = nnlimits::rng::stream(1, 0);
    for _ in 0..3 {
        let t = Instant::now();
        let (x, w, v) = s.draw(&mut rng);
        let t1 = t.elapsed();
        let k = s.gram_lower(&x, &w, &v);
        let t2 = t.elapsed();
        let ev = nnlimits::numerics::linalg::eigvalsh(&k, s.n).unwrap();
        let t3 = t.elapsed();
        println!(
            "draw {:?}  gram {:?}  eig {:?}  total {:?} ({})",
            t1,
            t2 - t1,
            t3 - t2,
            t3,
            ev.len()
        );
    }
    let a = faer::Mat::<f64>::from_fn(2000, 2000, |i, j| ((i * 7 + j * 13) % 17) as f64);
    let mut c = faer::Mat::<f64>::zeros(2000, 2000);
    let t = Instant::now();
    faer::linalg::matmul::matmul(
        &mut c,
        faer::Accum::Replace,
        a.transpose(),
        &a,
        1.0,
        faer::get_global_parallelism(),
    );
    println!("plain matmul 2000^3: {:?}", t.elapsed());
}
