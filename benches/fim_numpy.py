"""Reference timing for benches/fim.rs (b): one draw of the n = 2000 dual NTK Gram in numpy
(n = d = N = 2000, tanh, both layers): sample X, W, v; Θ = ΦᵀΦ/N + (XᵀX/d) ∘ (Φ'ᵀ diag(v²) Φ'/N);
numpy.linalg.eigvalsh. Run: python3 benches/fim_numpy.py (needs numpy)."""
import time
import numpy as np

n = d = N = 2000
rng = np.random.default_rng(1)

def draw():
    x = rng.standard_normal((d, n))
    w = rng.standard_normal((N, d))
    v = rng.standard_normal(N)
    h = w @ x / np.sqrt(d)
    phi = np.tanh(h)
    dphi = np.abs(v)[:, None] / np.cosh(h) ** 2
    k = phi.T @ phi / N + (x.T @ x / d) * (dphi.T @ dphi / N)
    return np.linalg.eigvalsh(k)

draw()
times = []
for _ in range(5):
    t = time.perf_counter()
    draw()
    times.append(time.perf_counter() - t)
print(f"numpy dual Gram n={n}: median {sorted(times)[2]*1e3:.1f} ms, min {min(times)*1e3:.1f} ms")
