use nnlimits::numerics::symeig::*;
use nnlimits::rng::{normals, stream};

/// Symmetric `n × n` Gaussian (GOE-like) matrix, column-major, both triangles filled.
fn sym_matrix(n: usize, seed: u64) -> Vec<f64> {
    let g = normals(&mut stream(seed, n as u64), n * n);
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..n {
            a[i + j * n] = g[i.max(j) + i.min(j) * n];
        }
    }
    a
}

fn nalgebra_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let m = nalgebra::DMatrix::from_column_slice(n, n, a);
    let mut ev: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
    ev.sort_by(f64::total_cmp);
    ev
}

fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
    let top = b.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / top
}

#[test]
fn agrees_with_nalgebra_on_random_matrices() {
    // sizes around the panel width and its multiples, and past the 200 switch of eigvalsh
    for &n in &[1usize, 2, 3, 5, 31, 32, 33, 64, 65, 97, 130, 257] {
        let a = sym_matrix(n, 7);
        let ev = eigenvalues_lower(&a, n).unwrap();
        let r = nalgebra_eigenvalues(&a, n);
        assert!(ev.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            max_rel_diff(&ev, &r) < 1e-12,
            "n = {n}: {}",
            max_rel_diff(&ev, &r)
        );
        // trace invariance
        let tr: f64 = (0..n).map(|i| a[i * n + i]).sum();
        let s: f64 = ev.iter().sum();
        assert!((s - tr).abs() < 1e-11 * n as f64);
    }
}

#[test]
fn wishart_agrees_with_nalgebra_and_faer() {
    let n = 300;
    let x = normals(&mut stream(3, 0), n * n);
    let w = nnlimits::models::mp::gram_scaled(&x, n, n, 1.0 / n as f64);
    let ev = nnlimits::numerics::linalg::eigvalsh(&w, n).unwrap();
    assert!(max_rel_diff(&ev, &nalgebra_eigenvalues(&w, n)) < 1e-12);
    let ev_faer = nnlimits::numerics::linalg::eigvalsh_faer(&w, n).unwrap();
    assert!(max_rel_diff(&ev, &ev_faer) < 1e-12);
    // upper triangle is never read
    let mut lower = w.clone();
    for j in 0..n {
        for i in 0..j {
            lower[i + j * n] = 0.0;
        }
    }
    assert_eq!(eigenvalues_lower(&lower, n).unwrap(), ev);
}

#[test]
fn same_bits_on_any_thread_count() {
    faer::set_global_parallelism(faer::Par::Seq);
    let mats: Vec<Vec<f64>> = (0..4).map(|s| sym_matrix(230, s)).collect();
    let run = |threads: usize| -> Vec<Vec<f64>> {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            mats.par_iter()
                .map(|a| nnlimits::numerics::linalg::eigvalsh(a, 230).unwrap())
                .collect()
        })
    };
    let one = run(1);
    let two = run(2);
    for (a, b) in one.iter().zip(&two) {
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[test]
fn tridiagonal_toeplitz_closed_form() {
    // diag a, off-diagonal b: eigenvalues a + 2 b cos(kπ/(n+1)), k = 1..n
    for &(n, a, b) in &[
        (1usize, 2.0, 1.0),
        (2, 1.0, -3.0),
        (50, 0.5, 1.0),
        (400, -1.0, 0.25),
    ] {
        let mut d = vec![a; n];
        let mut e = vec![b; n - 1];
        tridiagonal_eigenvalues(&mut d, &mut e).unwrap();
        d.sort_by(f64::total_cmp);
        let mut r: Vec<f64> = (1..=n)
            .map(|k| a + 2.0 * b * (k as f64 * std::f64::consts::PI / (n as f64 + 1.0)).cos())
            .collect();
        r.sort_by(f64::total_cmp);
        assert!(max_rel_diff(&d, &r) < 1e-13, "n = {n}");
    }
}

#[test]
fn graded_tridiagonal_both_directions() {
    // strongly graded: the QR (reversed) branch runs for one order, QL for the other
    let n = 40;
    let d0: Vec<f64> = (0..n).map(|i| 10f64.powi(-(i as i32) / 4)).collect();
    let e0: Vec<f64> = (0..n - 1)
        .map(|i| 0.3 * 10f64.powi(-(i as i32) / 4))
        .collect();
    let dense = |d: &[f64], e: &[f64]| {
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = d[i];
            if i + 1 < n {
                a[i * n + i + 1] = e[i];
                a[(i + 1) * n + i] = e[i];
            }
        }
        nalgebra_eigenvalues(&a, n)
    };
    let r = dense(&d0, &e0);
    for rev in [false, true] {
        let (mut d, mut e) = (d0.clone(), e0.clone());
        if rev {
            d.reverse();
            e.reverse();
        }
        tridiagonal_eigenvalues(&mut d, &mut e).unwrap();
        d.sort_by(f64::total_cmp);
        assert!(max_rel_diff(&d, &r) < 1e-13);
    }
}

#[test]
fn scaling_is_exact_and_degenerate_inputs() {
    let n = 70;
    let a = sym_matrix(n, 11);
    let ev = eigenvalues_lower(&a, n).unwrap();
    for p in [-400, 400] {
        let s = 2f64.powi(p);
        let b: Vec<f64> = a.iter().map(|v| v * s).collect();
        let evb = eigenvalues_lower(&b, n).unwrap();
        assert!(ev
            .iter()
            .zip(&evb)
            .all(|(x, y)| (x * s).to_bits() == y.to_bits()));
    }
    assert_eq!(eigenvalues_lower(&[0.0; 9], 3).unwrap(), vec![0.0; 3]);
    assert_eq!(eigenvalues_lower(&[], 0).unwrap(), Vec::<f64>::new());
    // identity and a diagonal matrix: exact
    let mut id = vec![0.0; 25];
    (0..5).for_each(|i| id[i * 6] = (5 - i) as f64);
    assert_eq!(
        eigenvalues_lower(&id, 5).unwrap(),
        vec![1.0, 2.0, 3.0, 4.0, 5.0]
    );
}
