//! Level-1/2 vector kernels of the symmetric eigenvalue path ([`super::symeig`]): dot product, axpy
//! and the symmetric matrix–vector product on a lower-stored block, each read of the matrix done once.
//!
//! On x86-64 with AVX2 and FMA (detected at run time) the kernels use 256-bit fused multiply-adds; other
//! machines use a portable scalar path. The order of every reduction is fixed by the code (never by a
//! thread count), so a given machine always returns the same bits.

/// `true` when the AVX2 + FMA kernels can run (cached by the standard library's detection).
#[inline]
fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `Σ a_i b_i` over the common length of `a` and `b`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above); the slices have equal length.
        return unsafe { avx::dot(a, b) };
    }
    let mut s = [0.0; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..4 {
            s[k] += x[k] * y[k];
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        t += x * y;
    }
    t
}

/// `y += alpha x` over the common length of `x` and `y`.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &mut y[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: as in `dot`.
        return unsafe { avx::axpy(alpha, x, y) };
    }
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `y = A x` for the symmetric `m × m` matrix `A` whose lower triangle is stored column-major at
/// `a[j * lda + i]`, `i ≥ j` (the strict upper part is never read). Each stored entry is read once: a
/// group of four columns updates `y` below its diagonal block and accumulates the four transposed dot
/// products in the same pass.
pub fn symv_lower(a: &[f64], lda: usize, m: usize, x: &[f64], y: &mut [f64]) {
    assert!(x.len() >= m && y.len() >= m && lda >= m);
    assert!(m == 0 || a.len() >= (m - 1) * lda + m);
    y[..m].fill(0.0);
    let avx = has_avx2_fma();
    let mut j = 0;
    while j < m {
        let g = (m - j).min(4);
        // diagonal block (rows and columns j .. j + g)
        for p in 0..g {
            let col = &a[(j + p) * lda..];
            y[j + p] += col[j + p] * x[j + p];
            for q in p + 1..g {
                let v = col[j + q];
                y[j + q] += v * x[j + p];
                y[j + p] += v * x[j + q];
            }
        }
        if g == 4 {
            let r = j + 4..m;
            let c = |p: usize| &a[(j + p) * lda + j + 4..(j + p) * lda + m];
            let xs = [x[j], x[j + 1], x[j + 2], x[j + 3]];
            let s = fused4(avx, [c(0), c(1), c(2), c(3)], &x[r.clone()], &mut y[r], xs);
            for p in 0..4 {
                y[j + p] += s[p];
            }
        }
        j += g;
    }
}

/// Fused pass over four column pieces `a[p]` (equal lengths): `y += Σ_p xs[p] a[p]` and returns the
/// dot products `a[p] · x`.
#[inline]
fn fused4(avx: bool, a: [&[f64]; 4], x: &[f64], y: &mut [f64], xs: [f64; 4]) -> [f64; 4] {
    let n = y.len();
    assert!(a.iter().all(|c| c.len() == n) && x.len() == n);
    #[cfg(target_arch = "x86_64")]
    if avx {
        // SAFETY: the caller checked AVX2 + FMA; all six slices have length n.
        return unsafe { avx::fused4(a, x, y, xs) };
    }
    let _ = avx;
    let mut s = [0.0; 4];
    for i in 0..n {
        y[i] += (xs[0] * a[0][i] + xs[1] * a[1][i]) + (xs[2] * a[2][i] + xs[3] * a[3][i]);
        for p in 0..4 {
            s[p] += a[p][i] * x[i];
        }
    }
    s
}

/// A zero-initialised `f64` work buffer for large matrices. On Linux, buffers of 4 MiB or more are
/// mapped afresh, aligned to 2 MiB and advised as transparent huge pages (`madvise(MADV_HUGEPAGE)`, as
/// numpy does for its arrays): a sweep over the columns of an `n × n` column-major matrix touches a
/// new 4 KiB page every `512 / n` columns, and the TLB misses cost up to a factor ~2 in the symmetric
/// matrix–vector product at n = 2000. Elsewhere, and for small buffers, a plain `Vec`.
pub struct WorkBuf {
    inner: Inner,
}

enum Inner {
    Heap(Vec<f64>),
    #[cfg(target_os = "linux")]
    Mapped {
        base: *mut libc::c_void,
        size: usize,
        data: *mut f64,
        len: usize,
    },
}

// SAFETY: the mapping is owned exclusively by the buffer (like a Vec's allocation).
unsafe impl Send for WorkBuf {}
// SAFETY: shared access only hands out `&[f64]`.
unsafe impl Sync for WorkBuf {}

impl WorkBuf {
    /// `len` zeros.
    pub fn zeroed(len: usize) -> Self {
        #[cfg(target_os = "linux")]
        if let Some(b) = Self::mapped(len) {
            return b;
        }
        WorkBuf {
            inner: Inner::Heap(vec![0.0; len]),
        }
    }

    /// A copy of `src`.
    pub fn from_slice(src: &[f64]) -> Self {
        let mut b = Self::zeroed(src.len());
        b.copy_from_slice(src);
        b
    }

    /// Fresh anonymous mapping (zero pages), 2 MiB aligned, advised as huge pages; `None` for small
    /// buffers or when the mapping fails (then the heap is used).
    #[cfg(target_os = "linux")]
    fn mapped(len: usize) -> Option<Self> {
        const HUGE: usize = 2 << 20;
        let bytes = len.checked_mul(8)?;
        if bytes < 2 * HUGE {
            return None;
        }
        let size = bytes.checked_add(HUGE)?;
        // SAFETY: anonymous private mapping of `size` bytes; checked for failure below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let off = (HUGE - (base as usize) % HUGE) % HUGE;
        // SAFETY: `off < HUGE`, so `[base + off, base + off + bytes)` lies inside the mapping.
        let data = unsafe { (base as *mut u8).add(off) };
        // SAFETY: advice on a range inside our own mapping; failure only means no huge pages.
        unsafe {
            libc::madvise(data as *mut libc::c_void, bytes, libc::MADV_HUGEPAGE);
        }
        Some(WorkBuf {
            inner: Inner::Mapped {
                base,
                size,
                data: data as *mut f64,
                len,
            },
        })
    }
}

impl std::ops::Deref for WorkBuf {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        match &self.inner {
            Inner::Heap(v) => v,
            #[cfg(target_os = "linux")]
            // SAFETY: `data` is 8-byte aligned, valid for `len` initialised (zero-filled) f64 values
            // for the life of the mapping, and borrowed through `&self`.
            Inner::Mapped { data, len, .. } => unsafe { std::slice::from_raw_parts(*data, *len) },
        }
    }
}

impl std::ops::DerefMut for WorkBuf {
    fn deref_mut(&mut self) -> &mut [f64] {
        match &mut self.inner {
            Inner::Heap(v) => v,
            #[cfg(target_os = "linux")]
            // SAFETY: as in `deref`, with exclusive access through `&mut self`.
            Inner::Mapped { data, len, .. } => unsafe {
                std::slice::from_raw_parts_mut(*data, *len)
            },
        }
    }
}

impl Drop for WorkBuf {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Inner::Mapped { base, size, .. } = self.inner {
            // SAFETY: unmapping exactly the mapping created in `mapped`, once.
            unsafe {
                libc::munmap(base, size);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::*;

    /// Software prefetch distance of the matrix–vector product, in entries.
    const PREFETCH: usize = 64;

    /// Sum of the four lanes in a fixed order.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256d) -> f64 {
        let lo = _mm256_castpd256_pd128(v);
        let hi = _mm256_extractf128_pd(v, 1);
        let s = _mm_add_pd(lo, hi);
        let h = _mm_unpackhi_pd(s, s);
        _mm_cvtsd_f64(_mm_add_sd(s, h))
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [_mm256_setzero_pd(); 4];
        let mut i = 0;
        while i + 16 <= n {
            for (k, s) in acc.iter_mut().enumerate() {
                *s = _mm256_fmadd_pd(
                    _mm256_loadu_pd(pa.add(i + 4 * k)),
                    _mm256_loadu_pd(pb.add(i + 4 * k)),
                    *s,
                );
            }
            i += 16;
        }
        while i + 4 <= n {
            acc[0] = _mm256_fmadd_pd(
                _mm256_loadu_pd(pa.add(i)),
                _mm256_loadu_pd(pb.add(i)),
                acc[0],
            );
            i += 4;
        }
        let s = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
        let mut t = hsum(s);
        while i < n {
            t = a[i].mul_add(b[i], t);
            i += 1;
        }
        t
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
        let n = x.len();
        let (px, py) = (x.as_ptr(), y.as_mut_ptr());
        let va = _mm256_set1_pd(alpha);
        let mut i = 0;
        while i + 8 <= n {
            let y0 = _mm256_fmadd_pd(va, _mm256_loadu_pd(px.add(i)), _mm256_loadu_pd(py.add(i)));
            let y1 = _mm256_fmadd_pd(
                va,
                _mm256_loadu_pd(px.add(i + 4)),
                _mm256_loadu_pd(py.add(i + 4)),
            );
            _mm256_storeu_pd(py.add(i), y0);
            _mm256_storeu_pd(py.add(i + 4), y1);
            i += 8;
        }
        while i < n {
            y[i] = alpha.mul_add(x[i], y[i]);
            i += 1;
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn fused4(
        a: [&[f64]; 4],
        x: &[f64],
        y: &mut [f64],
        xs: [f64; 4],
    ) -> [f64; 4] {
        let n = y.len();
        let p = [a[0].as_ptr(), a[1].as_ptr(), a[2].as_ptr(), a[3].as_ptr()];
        let (px, py) = (x.as_ptr(), y.as_mut_ptr());
        let v = [
            _mm256_set1_pd(xs[0]),
            _mm256_set1_pd(xs[1]),
            _mm256_set1_pd(xs[2]),
            _mm256_set1_pd(xs[3]),
        ];
        let mut s = [_mm256_setzero_pd(); 4];
        let mut i = 0;
        while i + 4 <= n {
            if i % 8 == 0 {
                // one cache line ahead per column stream, PREFETCH entries ahead
                for q in p {
                    _mm_prefetch::<_MM_HINT_T0>(q.wrapping_add(i + PREFETCH) as *const i8);
                }
            }
            let vx = _mm256_loadu_pd(px.add(i));
            let a0 = _mm256_loadu_pd(p[0].add(i));
            let a1 = _mm256_loadu_pd(p[1].add(i));
            let a2 = _mm256_loadu_pd(p[2].add(i));
            let a3 = _mm256_loadu_pd(p[3].add(i));
            let mut y0 = _mm256_mul_pd(a0, v[0]);
            let mut y1 = _mm256_mul_pd(a2, v[2]);
            y0 = _mm256_fmadd_pd(a1, v[1], y0);
            y1 = _mm256_fmadd_pd(a3, v[3], y1);
            _mm256_storeu_pd(
                py.add(i),
                _mm256_add_pd(_mm256_loadu_pd(py.add(i)), _mm256_add_pd(y0, y1)),
            );
            s[0] = _mm256_fmadd_pd(a0, vx, s[0]);
            s[1] = _mm256_fmadd_pd(a1, vx, s[1]);
            s[2] = _mm256_fmadd_pd(a2, vx, s[2]);
            s[3] = _mm256_fmadd_pd(a3, vx, s[3]);
            i += 4;
        }
        let mut t = [hsum(s[0]), hsum(s[1]), hsum(s[2]), hsum(s[3])];
        while i < n {
            let u = a[1][i].mul_add(xs[1], a[0][i] * xs[0]);
            let w = a[3][i].mul_add(xs[3], a[2][i] * xs[2]);
            y[i] += u + w;
            for k in 0..4 {
                t[k] = a[k][i].mul_add(x[i], t[k]);
            }
            i += 1;
        }
        t
    }
}
