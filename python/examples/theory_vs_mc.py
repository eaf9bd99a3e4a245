"""Theory against Monte Carlo from Python: three limiting spectra of nnlimits beside histograms of the
eigenvalues its validator sampled (the pooled draws the checks used), with each validation's verdict.

    python python/examples/theory_vs_mc.py [out.png]

Runs headless (matplotlib's Agg backend) in about ten seconds of CPU time; writes a PNG (default
`theory_vs_mc.png`). The figure in docs/python.md was made by this script.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nnlimits  # noqa: E402

# (title, model, parameters of the law, parameters of the validation: the sampled finite system)
PANELS = [
    ("Marchenko–Pastur, c = 0.5", "mp", dict(ratio=0.5), dict(ratio=0.5, size=1000, samples=8)),
    (
        "conjugate kernel, tanh, d/n = N/n = 2",
        "ck",
        dict(activation="tanh", d_ratio=2.0, width_ratio=2.0),
        dict(activation="tanh", n=500, d=1000, width=1000, samples=6),
    ),
    (
        "free sum mp(0.5) + sc(0.5)",
        "expr",
        dict(expression="mp(0.5) + sc(0.5)"),
        dict(expression="mp(0.5) + sc(0.5)", n=800, samples=6),
    ),
]


def main(out: str) -> None:
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.4), constrained_layout=True)
    for ax, (title, model, law, system) in zip(axes, PANELS):
        s = nnlimits.spectrum(model, points=400, **law)
        r = nnlimits.validate(model, seed=1, **system)
        ev = r["eigenvalues"]
        lo, hi = s["support"].min(), s["support"].max()
        pad = 0.05 * (hi - lo)
        ax.hist(ev, bins=60, range=(lo - pad, hi + pad), density=True, color="#9ecae1", label=f"Monte Carlo ({ev.size} eigenvalues)")
        ax.plot(s["x"], s["density"], color="#d62728", lw=1.6, label="theory")
        ks = next(c for c in r["checks"] if c["name"] == "ks")
        ax.set_title(f"{title}\nverdict {r['verdict'].upper()}, KS {ks['observed']:.3f} (tol {ks['tolerance']:.3f})", fontsize=9)
        ax.set_xlabel("eigenvalue")
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("density")
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "theory_vs_mc.png")
