use nnlimits::numerics::kernels::*;

fn lcg(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}

#[test]
fn kernels_match_plain_loops() {
    for &m in &[0usize, 1, 2, 3, 7, 8, 9, 16, 17, 33, 100] {
        let lda = m + 3;
        let a = lcg(lda * m.max(1), 1 + m as u64);
        let x = lcg(m, 99);
        let mut y = vec![0.0; m];
        symv_lower(&a, lda, m, &x, &mut y);
        for i in 0..m {
            let r: f64 = (0..m).map(|j| a[i.min(j) * lda + i.max(j)] * x[j]).sum();
            assert!((y[i] - r).abs() < 1e-13 * (1.0 + r.abs()), "m={m} i={i}");
        }
        let d: f64 = x.iter().zip(&a).map(|(p, q)| p * q).sum();
        assert!((dot(&x, &a) - d).abs() < 1e-13);
        let mut z = a[..m].to_vec();
        axpy(0.75, &x, &mut z);
        for i in 0..m {
            assert!((z[i] - (a[i] + 0.75 * x[i])).abs() < 1e-15);
        }
    }
}

#[test]
fn work_buffer_zeroed_and_copied() {
    for &len in &[0usize, 10, 3 << 20] {
        let b = WorkBuf::zeroed(len);
        assert_eq!(b.len(), len);
        assert!(b.iter().all(|&v| v == 0.0));
        let src = lcg(len, 5);
        let mut c = WorkBuf::from_slice(&src);
        assert_eq!(&c[..], &src[..]);
        if len > 0 {
            c[len - 1] = 7.0;
            assert_eq!(c[len - 1], 7.0);
        }
    }
}
