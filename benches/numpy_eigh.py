"""Reference timing for benches/spectra.rs (b): numpy.linalg.eigvalsh of a 2000 x 2000 Wishart matrix.

Run: python3 benches/numpy_eigh.py   (needs numpy: pip install numpy)
"""
import time
import numpy as np

n = 2000
rng = np.random.default_rng(1)
x = rng.standard_normal((n, n))
w = x @ x.T / n
np.linalg.eigvalsh(w)  # warm-up
times = []
for _ in range(5):
    t = time.perf_counter()
    np.linalg.eigvalsh(w)
    times.append(time.perf_counter() - t)
print(f"numpy.linalg.eigvalsh n={n}: median {sorted(times)[2]*1e3:.1f} ms, min {min(times)*1e3:.1f} ms")
