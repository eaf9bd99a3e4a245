#!/usr/bin/env python3
"""Side by side: nnlimits `spectrum expr` and freealg on the laws freealg can compute.

For each law, both tools evaluate the density at the same 1000 points, and both support
estimates are compared with an independent reference computed here from the law's algebraic
equation (numpy polynomial roots at each point; the edges are the real roots of the discriminant
found by bisection on the number of complex roots). Prints a Markdown table: wall time of one
1000-point density call (freealg in-process; nnlimits as a whole CLI process, start-up included),
the largest density error against the reference, and the largest support-edge error.

    pip install freealg==0.12.2 numpy
    cargo build --release
    python3 benches/free_freealg.py            # NNLIMITS_BIN overrides target/release/nnlimits

The laws (nnlimits expression / freealg object):
  * semicircle           sc(0.25)                        / Wigner(1)
  * Marchenko-Pastur     mp(0.5)                         / MarchenkoPastur(0.5)
  * two atoms + sc       atoms(-2:0.5, 2:0.5) + sc(0.1)  / DeformedWigner([-2, 2], [.5, .5], sigma=sqrt(0.1))
  * two-atom population  pop(atoms(1:0.5, 4:0.5), 0.05)  / DeformedMarchenkoPastur([1, 4], [.5, .5], c=0.05)
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

try:
    import freealg
    from freealg.distributions import (
        DeformedMarchenkoPastur,
        DeformedWigner,
        MarchenkoPastur,
        Wigner,
    )
except ImportError:  # pragma: no cover
    sys.exit("freealg is not installed: pip install freealg==0.12.2")

BIN = os.environ.get("NNLIMITS_BIN", "target/release/nnlimits")
NPTS = 1000


# --- independent references: the Stieltjes transform as a root of a polynomial ----------------
def poly_deformed_wigner(t, w, s2):
    """g = sum_i w_i / (z - s2 g - t_i): coefficients in g (highest first) as functions of z."""

    def coeffs(z):
        # prod_i (z - s2 g - t_i) * g - sum_i w_i prod_{j != i} (z - s2 g - t_j) = 0
        lin = [np.poly1d([-s2, z - ti]) for ti in t]
        p = np.poly1d([1.0, 0.0])
        for f in lin:
            p = p * f
        q = np.poly1d([0.0])
        for i, wi in enumerate(w):
            r = np.poly1d([wi])
            for j, f in enumerate(lin):
                if j != i:
                    r = r * f
            q = q + r
        return (p - q).coeffs

    return coeffs, lambda root, z: root


def poly_deformed_mp(t, w, c):
    """Silverstein: z = -1/u + c sum_i w_i t_i / (1 + t_i u); m = (u + (1 - c)/z)/c."""

    def coeffs(z):
        # multiply by u prod_i (1 + t_i u)
        lin = [np.poly1d([ti, 1.0]) for ti in t]
        prod = np.poly1d([1.0])
        for f in lin:
            prod = prod * f
        lhs = np.poly1d([z, 0.0]) * prod + prod
        rhs = np.poly1d([0.0])
        for i, (ti, wi) in enumerate(zip(t, w)):
            r = np.poly1d([c * wi * ti, 0.0])
            for j, f in enumerate(lin):
                if j != i:
                    r = r * f
            rhs = rhs + r
        return (lhs - rhs).coeffs

    return coeffs, lambda u, z: (u + (1 - c) / z) / c


def ref_density(family, xs):
    coeffs, to_g = family
    out = np.empty(len(xs))
    for k, x in enumerate(xs):
        roots = np.roots(coeffs(complex(x)))
        g = [to_g(r, x) for r in roots]
        out[k] = max(0.0, max(v.imag for v in g)) / np.pi
    return out


def ref_edges(family, lo, hi, n=4000):
    """Edges: where the polynomial changes between having a complex root pair and not."""
    coeffs, _ = family

    def inside(x):
        return np.max(np.abs(np.roots(coeffs(complex(x))).imag)) > 1e-9

    xs = np.linspace(lo, hi, n)
    flags = [inside(x) for x in xs]
    edges = []
    for k in range(n - 1):
        if flags[k] != flags[k + 1]:
            a, b = xs[k], xs[k + 1]
            for _ in range(60):
                m = 0.5 * (a + b)
                if inside(m) == flags[k]:
                    a = m
                else:
                    b = m
            edges.append(0.5 * (a + b))
    return np.array(edges)


# --- the two tools ----------------------------------------------------------------------------
def nnlimits(expr, xs):
    at = ",".join(repr(float(x)) for x in xs)
    t0 = time.perf_counter()
    out = subprocess.run(
        [BIN, "--quiet", "spectrum", "expr", expr, "--at", at, "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    dt = time.perf_counter() - t0
    doc = json.loads(out)
    dens = np.array([p["density"] for p in doc["points"]])
    edges = np.array([e for iv in doc["support"] for e in iv])
    return dt, dens, edges


def freealg_run(obj, xs):
    t0 = time.perf_counter()
    dens = np.asarray(obj.density(xs), dtype=float)
    dt = time.perf_counter() - t0
    sup = obj.support() if callable(obj.support) else obj.support
    sup = np.asarray(sup, dtype=float).ravel()
    return dt, dens, sup


def edge_error(found, ref):
    if len(found) != len(ref):
        return float("nan"), f"{len(found) // 2} interval(s), reference {len(ref) // 2}"
    return float(np.max(np.abs(np.sort(found) - np.sort(ref)))), ""


def main():
    s = np.sqrt(0.1)
    cases = [
        (
            "sc(0.25)",
            Wigner(1),
            lambda x: np.where(np.abs(x) < 1, 2 / np.pi * np.sqrt(np.clip(1 - x * x, 0, None)), 0.0),
            np.array([-1.0, 1.0]),
            (-1.5, 1.5),
        ),
        (
            "mp(0.5)",
            MarchenkoPastur(0.5),
            lambda x: np.where(
                (x > (1 - 0.5**0.5) ** 2) & (x < (1 + 0.5**0.5) ** 2),
                np.sqrt(np.clip(((1 + 0.5**0.5) ** 2 - x) * (x - (1 - 0.5**0.5) ** 2), 0, None))
                / (2 * np.pi * 0.5 * x),
                0.0,
            ),
            np.array([(1 - 0.5**0.5) ** 2, (1 + 0.5**0.5) ** 2]),
            (0.0, 3.5),
        ),
        (
            "atoms(-2:0.5, 2:0.5) + sc(0.1)",
            DeformedWigner([-2.0, 2.0], [0.5, 0.5], sigma=s),
            poly_deformed_wigner([-2.0, 2.0], [0.5, 0.5], 0.1),
            None,
            (-3.0, 3.0),
        ),
        (
            "pop(atoms(1:0.5, 4:0.5), 0.05)",
            DeformedMarchenkoPastur([1.0, 4.0], [0.5, 0.5], c=0.05),
            poly_deformed_mp([1.0, 4.0], [0.5, 0.5], 0.05),
            None,
            (0.5, 5.5),
        ),
    ]
    print(f"freealg {freealg.__version__}; nnlimits: {BIN}; {NPTS} points per call\n")
    print("| law | tool | time (1000 points) | max density error | max edge error |")
    print("|---|---|---|---|---|")
    for expr, obj, ref, edges, (lo, hi) in cases:
        xs = np.linspace(lo, hi, NPTS)
        if callable(ref) and not isinstance(ref, tuple):
            rd = ref(xs)
        else:
            rd = ref_density(ref, xs)
            edges = ref_edges(ref, lo, hi)
        for name, run in (("nnlimits", lambda: nnlimits(expr, xs)), ("freealg", lambda: freealg_run(obj, xs))):
            try:
                dt, dens, sup = run()
            except Exception as e:  # report, do not hide
                print(f"| `{expr}` | {name} | failed: {type(e).__name__}: {e} | | |")
                continue
            err = float(np.max(np.abs(dens - rd)))
            ee, note = edge_error(sup, edges)
            print(
                f"| `{expr}` | {name} | {dt * 1e3:.1f} ms | {err:.1e} | "
                + (f"{ee:.1e}" if not note else note)
                + " |"
            )


if __name__ == "__main__":
    main()
