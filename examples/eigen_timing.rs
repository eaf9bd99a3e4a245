//! Rust side of `benches/numpy_eigh.py` (side-by-side eigenvalue timing against numpy).
//!
//! `eigen_timing DIR n1 n2 ...` builds the Wishart matrices `W = X Xᵀ / n` (`X` an `n x n` Gaussian
//! matrix from rng stream (1, 0)), writes each as raw little-endian f64 to `DIR/w{n}.f64` and its
//! eigenvalues to `DIR/ev{n}.f64`, prints `ready`, then answers each line `n` on stdin with the wall
//! time in seconds of one `nnlimits::numerics::linalg::eigvalsh` of that matrix (one thread), and each
//! line `n faer` with the time of `eigvalsh_faer` (faer's `self_adjoint_eigenvalues`, the previous path).

use std::io::{BufRead, Write};
use std::time::Instant;

fn write_f64(path: &std::path::Path, v: &[f64]) {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(path, bytes).expect("write matrix");
}

fn main() {
    faer::set_global_parallelism(faer::Par::Seq);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, sizes) = args
        .split_first()
        .expect("usage: eigen_timing DIR n1 n2 ...");
    let dir = std::path::Path::new(dir);
    let mut mats = std::collections::HashMap::new();
    for s in sizes {
        let n: usize = s.parse().expect("size");
        let mut rng = nnlimits::rng::stream(1, 0);
        let x = nnlimits::rng::normals(&mut rng, n * n);
        let w = nnlimits::models::mp::gram_scaled(&x, n, n, 1.0 / n as f64);
        write_f64(&dir.join(format!("w{n}.f64")), &w);
        let ev = nnlimits::numerics::linalg::eigvalsh(&w, n).expect("eigenvalues");
        write_f64(&dir.join(format!("ev{n}.f64")), &ev);
        mats.insert(n, w);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let mut words = line.split_whitespace();
        let n: usize = words.next().expect("size").parse().expect("size");
        let faer = words.next() == Some("faer");
        let w = &mats[&n];
        let t = Instant::now();
        let ev = if faer {
            nnlimits::numerics::linalg::eigvalsh_faer(w, n)
        } else {
            nnlimits::numerics::linalg::eigvalsh(w, n)
        }
        .expect("eigenvalues");
        let dt = t.elapsed().as_secs_f64();
        std::hint::black_box(ev);
        writeln!(out, "{dt}").unwrap();
        out.flush().unwrap();
    }
}
