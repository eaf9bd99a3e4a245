"""Side-by-side timing of symmetric eigenvalues: numpy.linalg.eigvalsh (LAPACK dsyevd, eigenvalues only)
against nnlimits::numerics::linalg::eigvalsh on the same Wishart matrices W = X Xᵀ / n, X n x n Gaussian.

Both sides run on ONE thread. The Rust side is `examples/eigen_timing.rs`, started once as a child
process: it builds the matrices (nnlimits rng stream (1, 0)), writes them to a temporary directory for
numpy to load, then times one decomposition per request. numpy and Rust repetitions alternate, so a
change of machine load hits both; the ratio of the medians is reported, with the largest difference
between the two spectra relative to the largest eigenvalue. `--faer` adds faer's
`self_adjoint_eigenvalues` (the path nnlimits took before) to the rotation.

Run (from the repository root):
    cargo build --release --features examples --example eigen_timing
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benches/numpy_eigh.py [--reps 5] [--sizes 500,1000,2000,4000]
Without the Rust binary (`--numpy-only`), only the numpy times are printed. Needs numpy; threadpoolctl,
when installed, is used to pin BLAS to one thread and to print which OpenBLAS kernel runs.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402
except ImportError:  # pragma: no cover
    threadpool_info = threadpool_limits = None


def numpy_time(w):
    t = time.perf_counter()
    ev = np.linalg.eigvalsh(w)
    return time.perf_counter() - t, ev


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="500,1000,2000,4000")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--bin", default=os.path.join("target", "release", "examples", "eigen_timing"))
    p.add_argument("--numpy-only", action="store_true")
    p.add_argument("--faer", action="store_true", help="also time faer's self_adjoint_eigenvalues")
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    if threadpool_limits is not None:
        threadpool_limits(1)
        for info in threadpool_info():
            print(f"# BLAS: {info.get('internal_api')} {info.get('version')} kernel={info.get('architecture')} "
                  f"threads={info.get('num_threads')}")
    print(f"# numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}")
    if a.numpy_only:
        rng = np.random.default_rng(1)
        for n in sizes:
            x = rng.standard_normal((n, n))
            w = x @ x.T / n
            numpy_time(w)  # warm-up
            ts = [numpy_time(w)[0] for _ in range(a.reps)]
            print(f"numpy n={n}: median {statistics.median(ts)*1e3:.1f} ms, min {min(ts)*1e3:.1f} ms")
        return
    with tempfile.TemporaryDirectory() as tmp:
        rust = subprocess.Popen([a.bin, tmp, *map(str, sizes)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, bufsize=1)

        def rust_time(n, which=""):
            rust.stdin.write(f"{n} {which}\n")
            rust.stdin.flush()
            return float(rust.stdout.readline())

        assert rust.stdout.readline().strip() == "ready"
        head = "| n | numpy (ms) | nnlimits (ms) | ratio nnlimits/numpy |"
        rule = "| ---: | ---: | ---: | ---: |"
        if a.faer:
            head += " faer (ms) | ratio faer/numpy |"
            rule += " ---: | ---: |"
        print(head + " max diff. of spectra / max eigenvalue |")
        print(rule + " ---: |")
        for n in sizes:
            w = np.fromfile(os.path.join(tmp, f"w{n}.f64"), dtype="<f8").reshape(n, n)
            ev_rust = np.fromfile(os.path.join(tmp, f"ev{n}.f64"), dtype="<f8")
            tn, ev = numpy_time(w)  # warm-up on both sides
            rust_time(n)
            diff = np.max(np.abs(ev - ev_rust)) / np.max(np.abs(ev))
            tn_all, tr_all, tf_all = [], [], []
            for _ in range(a.reps):
                tn_all.append(numpy_time(w)[0])
                tr_all.append(rust_time(n))
                if a.faer:
                    tf_all.append(rust_time(n, "faer"))
            mn, mr = statistics.median(tn_all), statistics.median(tr_all)
            row = f"| {n} | {mn*1e3:.0f} | {mr*1e3:.0f} | {mr/mn:.2f} |"
            if a.faer:
                mf = statistics.median(tf_all)
                row += f" {mf*1e3:.0f} | {mf/mn:.2f} |"
            print(f"{row} {diff:.1e} |", flush=True)
        rust.stdin.close()
        rust.wait()
    print(f"# load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
