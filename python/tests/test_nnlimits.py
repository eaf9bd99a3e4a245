"""The Python package against the command line: every function's numbers equal the CLI's JSON for the
same parameters (to 1e-12), and the error cases raise the documented exceptions with the CLI's messages.

The comparisons run the executable named by the environment variable NNLIMITS_BIN (`.ci/run` sets it to
the `target/release/nnlimits` that `cargo test --release` built); without it they are skipped with a
message, and the tests that need no executable still run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import nnlimits

BIN = os.environ.get("NNLIMITS_BIN")
needs_bin = pytest.mark.skipif(
    not BIN, reason="NNLIMITS_BIN is not set: no nnlimits executable to compare with (set it to target/release/nnlimits)"
)
TOL = 1e-12


def cli(*args: str) -> subprocess.CompletedProcess:
    assert BIN is not None
    return subprocess.run([BIN, "--quiet", *args], capture_output=True, text=True, timeout=600)


def cli_json(*args: str) -> dict:
    p = cli(*args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def cli_report(tmp_path, *args: str) -> dict:
    path = tmp_path / "report.json"
    p = cli(*args, "--report", str(path))
    assert p.returncode in (0, 1), p.stderr
    return json.loads(path.read_text())


def cli_error(*args: str) -> str:
    """The CLI's one-line error message (without `error: `) and exit code 2."""
    p = cli(*args)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    first = next(line for line in p.stderr.splitlines() if line.strip())
    assert first.startswith("error: "), p.stderr
    return first[len("error: ") :].strip()


def assert_same(py, ref, path="") -> None:
    """Every number of `py` (NumPy arrays included) equals the JSON value `ref` to TOL (relative to the
    magnitude, absolute below 1); every string and structure is the same; `provenance` is not compared."""
    if isinstance(py, np.ndarray):
        py = py.tolist()
    if isinstance(ref, dict):
        assert isinstance(py, dict), path
        keys = set(ref) - {"provenance"}
        assert keys == set(py) - {"provenance"}, (path, sorted(keys ^ (set(py) - {"provenance"})))
        for k in keys:
            assert_same(py[k], ref[k], f"{path}.{k}")
    elif isinstance(ref, list):
        assert isinstance(py, list) and len(py) == len(ref), (path, py, ref)
        for i, (a, b) in enumerate(zip(py, ref)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(ref, bool) or ref is None or isinstance(ref, str):
        if ref is None and isinstance(py, float):
            assert np.isnan(py), path
        else:
            assert py == ref, (path, py, ref)
    else:
        assert abs(py - ref) <= TOL * max(1.0, abs(ref)), (path, py, ref)


def spectrum_as_cli(s: dict) -> dict:
    """A `spectrum()` result in the CLI's JSON layout (x, density back into `points`)."""
    d = {k: v for k, v in s.items() if k not in ("x", "density")}
    d["points"] = [{"x": x, "density": y} for x, y in zip(s["x"].tolist(), s["density"].tolist())]
    return d


# (Python call, the same command line)
SPECTRA = [
    (("mp", {"ratio": 0.5}), ["spectrum", "mp", "--ratio", "0.5"]),
    (("mp", {"ratio": 2, "points": 10}), ["spectrum", "mp", "--ratio", "2", "--points", "10"]),
    (("mp", {"ratio": 2, "at": [0.5, 1, 2]}), ["spectrum", "mp", "--ratio", "2", "--at", "0.5,1,2"]),
    (("semicircle", {"variance": 2.0, "points": 50}), ["spectrum", "semicircle", "--variance", "2", "--points", "50"]),
    (
        ("fim", {"activation": "tanh", "d_ratio": 0.6667, "width_ratio": 1.3333, "at": np.array([0.5, 1.0, 2.0])}),
        ["spectrum", "fim", "--activation", "tanh", "--d-ratio", "0.6667", "--width-ratio", "1.3333", "--at", "0.5,1,2"],
    ),
    (
        ("fim", {"activation": "linear", "d_ratio": 1.3333, "width_ratio": 2.6667, "outputs_ratio": 0.1, "at": [0.5, 1]}),
        ["spectrum", "fim", "--activation", "linear", "--d-ratio", "1.3333", "--width-ratio", "2.6667", "--outputs-ratio", "0.1", "--at", "0.5,1"],
    ),
    (("fim", {"limit": "population", "activation": "relu", "d": 10}), ["spectrum", "fim", "--limit", "population", "--activation", "relu", "--d", "10"]),
    (("gep", {"activation": "relu", "ratio": 0.5, "at": [-0.5, 0, 0.5, 1]}), ["spectrum", "gep", "--activation", "relu", "--ratio", "0.5", "--at", "-0.5,0,0.5,1"]),
    (("expr", {"expression": "mp(0.5) + sc(1)", "at": [0, 1, 2]}), ["spectrum", "expr", "mp(0.5) + sc(1)", "--at", "0,1,2"]),
    (("expr", {"expression": "pop(atoms(1:0.5, 4:0.5), 0.1)", "points": 40}), ["spectrum", "expr", "pop(atoms(1:0.5, 4:0.5), 0.1)", "--points", "40"]),
]


@needs_bin
@pytest.mark.parametrize("call,args", SPECTRA, ids=[" ".join(a[:2]) + str(i) for i, (_, a) in enumerate(SPECTRA)])
def test_spectrum_equals_cli(call, args):
    model, params = call
    s = nnlimits.spectrum(model, **params)
    ref = cli_json(*args)
    if "points" in ref:
        assert isinstance(s["x"], np.ndarray) and isinstance(s["density"], np.ndarray)
        assert s["x"].shape == s["density"].shape
        s = spectrum_as_cli(s)
    assert_same(s, ref)


def test_spectrum_shape_and_mass():
    """The arrays and fields the issue names, and the MP law's closed forms (support, moments)."""
    s = nnlimits.spectrum("mp", ratio=0.5, points=1000)
    for key in ("x", "density", "support", "atoms", "moments", "params", "provenance"):
        assert key in s, key
    assert s["x"].shape == (1000,) and s["density"].dtype == float
    lo, hi = (1 - 0.5**0.5) ** 2, (1 + 0.5**0.5) ** 2
    assert np.allclose(s["support"], [[lo, hi]], rtol=1e-12)
    assert s["atoms"] == []
    assert abs(s["moments"][0] - 1.0) < 1e-12 and abs(s["moments"][1] - 1.5) < 1e-12
    # the density integrates to one over the support (trapezoid on 1000 interior points)
    assert abs(np.trapezoid(s["density"], s["x"]) - 1.0) < 2e-3
    assert s["provenance"]["command"] == "nnlimits spectrum mp --ratio=0.5 --points=1000 --format json"


@needs_bin
def test_validate_equals_cli(tmp_path):
    r = nnlimits.validate("mp", ratio=0.5, size=300, samples=3, seed=2)
    ref = cli_report(tmp_path, "validate", "mp", "--ratio", "0.5", "--size", "300", "--samples", "3", "--seed", "2")
    assert r["verdict"] == ref["verdict"] == "pass"
    assert_same({k: v for k, v in r.items() if k not in ("eigenvalues", "summary")}, ref)
    ev = r["eigenvalues"]
    assert isinstance(ev, np.ndarray) and ev.size == 3 * 300 and np.all(np.diff(ev) >= 0)
    # the pooled eigenvalues are the ones the checks used: their mean and mean square are the observed
    # moments m1, m2 (equal-size draws: the mean of per-draw means)
    obs = {c["name"]: c["observed"] for c in r["checks"]}
    assert abs(ev.mean() - obs["m1"]) < 1e-12 * max(1, abs(obs["m1"]))
    assert abs((ev**2).mean() - obs["m2"]) < 1e-12 * max(1, abs(obs["m2"]))
    assert "verdict: PASS" in r["summary"]


@needs_bin
def test_validate_wrong_claim_is_a_result(tmp_path):
    r = nnlimits.validate("mp", ratio=0.5, theory_ratio=0.6, size=1000, samples=2, seed=2)
    ref = cli_report(tmp_path, "validate", "mp", "--ratio", "0.5", "--theory-ratio", "0.6", "--size", "1000", "--samples", "2", "--seed", "2")
    assert r["verdict"] == ref["verdict"] == "fail"
    assert_same({k: v for k, v in r.items() if k not in ("eigenvalues", "summary")}, ref)


@needs_bin
def test_validate_expression_and_non_spectral(tmp_path):
    r = nnlimits.validate("expr", expression="mp(0.5) + sc(0.5)", n=200, samples=2, seed=5)
    ref = cli_report(tmp_path, "validate", "expr", "mp(0.5) + sc(0.5)", "--n", "200", "--samples", "2", "--seed", "5")
    assert_same({k: v for k, v in r.items() if k not in ("eigenvalues", "summary")}, ref)
    assert r["eigenvalues"].size == 400
    # a validator that samples network outputs, not spectra: the report, and no eigenvalues
    d = nnlimits.validate("dln", widths="20x20", outputs=2, samples=400, seed=3)
    ref = cli_report(tmp_path, "validate", "dln", "--widths", "20x20", "--outputs", "2", "--samples", "400", "--seed", "3")
    assert_same({k: v for k, v in d.items() if k not in ("eigenvalues", "summary")}, ref)
    assert d["eigenvalues"] is None


def test_validate_is_reproducible():
    a = nnlimits.validate("semicircle", n=200, samples=2, seed=7)
    b = nnlimits.validate("semicircle", n=200, samples=2, seed=7)
    c = nnlimits.validate("semicircle", n=200, samples=2, seed=8)
    assert np.array_equal(a["eigenvalues"], b["eigenvalues"])
    assert not np.array_equal(a["eigenvalues"], c["eigenvalues"])


@needs_bin
def test_law_equals_cli():
    law = nnlimits.law("dln", widths="50x25", at=[0, 1], tail=3)
    assert_same(law, cli_json("law", "dln", "--widths", "50x25", "--at", "0,1", "--tail", "3"))
    law = nnlimits.law("dln", limit_a=0.5, outputs=2)
    assert_same(law, cli_json("law", "dln", "--limit-a", "0.5", "--outputs", "2"))


@needs_bin
def test_saddle_equals_cli():
    s = nnlimits.saddle("dln", data="make_ds:20,5,40,2024", width=20, depth=2, temperature=0.1)
    assert isinstance(s["prediction"]["mean"], np.ndarray)
    assert_same(s, cli_json("saddle", "dln", "--data", "make_ds:20,5,40,2024", "--width", "20", "--depth", "2", "--temperature", "0.1"))
    # True is a bare flag
    s = nnlimits.saddle("1hl", data="make_ds:30,10,30,7", width=30, activation="relu", two_parameter=True)
    assert_same(s, cli_json("saddle", "1hl", "--data", "make_ds:30,10,30,7", "--width", "30", "--activation", "relu", "--two-parameter"))
    assert "--two-parameter" in nnlimits.command("saddle", "1hl", two_parameter=True)
    assert "two-parameter" not in nnlimits.command("saddle", "1hl", two_parameter=False)


@needs_bin
def test_models_equals_cli():
    listing = nnlimits.models()
    assert listing == cli_json("models")["models"]
    names = [m["name"] for m in listing]
    assert {"mp", "semicircle", "fim", "expr", "dln"} <= set(names)


def test_docstrings_and_help_come_from_the_registry(capsys):
    listing = nnlimits.models()
    for fn in (nnlimits.spectrum, nnlimits.validate, nnlimits.law, nnlimits.saddle):
        for m in listing:
            accepts = any(c["command"] == fn.__name__ for c in m["commands"])
            assert (f"    {m['name']} " in fn.__doc__) == accepts, (fn.__name__, m["name"])
    text = nnlimits.describe("fim")
    fim = next(m for m in listing if m["name"] == "fim")
    spec = next(c for c in fim["commands"] if c["command"] == "spectrum")
    for p in spec["params"]:
        if p["name"] not in ("format", "out"):
            assert f"    {p['name'].replace('-', '_')}: {p['range']}" in text, p["name"]
            assert p["doc"] in text
    nnlimits.help("mp")
    assert "ratio" in capsys.readouterr().out
    with pytest.raises(ValueError, match="must be one of"):
        nnlimits.describe("nope")


# ---- errors ---------------------------------------------------------------------------------------


def check_error(exc: pytest.ExceptionInfo, verb: str, model: str, params: dict) -> None:
    """The exception's message is the CLI's for the same command line."""
    msg = str(exc.value)
    assert "\n" not in msg and "\x1b" not in msg, msg
    if BIN:
        argv = nnlimits._native.command(verb, model, nnlimits._params(params))[1:]
        assert msg == cli_error(*argv)


@pytest.mark.parametrize(
    "verb,model,params,pattern",
    [
        ("spectrum", "mp", {"ratio": -1}, "invalid parameter `ratio` = -1: must be in [1e-6, 1e6]"),
        ("spectrum", "mp", {"ratio": float("inf")}, "invalid parameter `ratio`"),
        ("spectrum", "nope", {}, "unrecognized subcommand 'nope'"),
        ("spectrum", "mp", {"foo": 1}, "unexpected argument '--foo' found"),
        ("spectrum", "mp", {"d_ratio": 1}, "unexpected argument '--d-ratio' found"),
        ("spectrum", "mp", {"points": 0}, "points"),
        ("spectrum", "expr", {"expression": "mp(0.5) +"}, "expression"),
        ("validate", "mp", {"samples": 0}, "samples"),
        ("law", "mp", {}, "unrecognized subcommand 'mp'"),
    ],
)
def test_bad_parameters_raise_value_error(verb, model, params, pattern):
    fn = getattr(nnlimits, verb)
    with pytest.raises(ValueError, match=re.escape(pattern)) as e:
        fn(model, **params)
    assert not isinstance(e.value, nnlimits.ConvergenceError)
    check_error(e, verb, model, params)


def test_reserved_options_and_types():
    with pytest.raises(ValueError, match="sets --format itself"):
        nnlimits.spectrum("mp", format="csv")
    with pytest.raises(ValueError, match="sets --out itself"):
        nnlimits.law("dln", out="x.json")
    with pytest.raises(TypeError, match="unsupported parameter value"):
        nnlimits.spectrum("mp", ratio={"a": 1})


CONVERGENCE_CASES = [
    # a fixed-point equation with no solution in the upper half plane: the solver exhausts its steps
    ("expr", {"expression": 'fixedpoint("g = 1/(z - g)")', "at": [0.5]}),
]


@pytest.mark.parametrize("model,params", CONVERGENCE_CASES)
def test_non_convergence_is_typed(model, params):
    with pytest.raises(nnlimits.ConvergenceError) as e:
        nnlimits.spectrum(model, **params)
    err = e.value
    assert isinstance(err, RuntimeError)
    assert isinstance(err.iterations, int) and err.iterations > 0
    # the residual is reported as the solver left it: above the tolerance, or NaN (a diverged iterate)
    assert isinstance(err.residual, float) and not err.residual <= err.tolerance
    assert f"did not converge after {err.iterations} iterations" in str(err)
    check_error(e, "spectrum", model, params)


# ---- the GIL and Ctrl-C ----------------------------------------------------------------------------


def test_gil_is_released():
    """While a validation runs in another thread, this thread keeps running Python code."""
    done = threading.Event()
    result = {}

    def work():
        result["r"] = nnlimits.validate("mp", ratio=0.5, size=800, samples=6, seed=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert result["r"]["verdict"] == "pass"
    assert ticks > 20, ticks


def test_ctrl_c_stops_a_long_validation():
    """SIGINT during a validation that would take an hour raises KeyboardInterrupt once the draws in
    progress are done (a fraction of a second at this size), and the process can compute again
    afterwards. (The child installs Python's usual handler: a CI runner may start us with SIGINT
    ignored, which children inherit.)"""
    script = textwrap.dedent(
        """
        import signal, sys, time, nnlimits
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("start", flush=True)
        t = time.time()
        try:
            nnlimits.validate("mp", ratio=0.5, size=400, samples=100000, seed=1)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print(f"interrupted {time.time() - t:.2f}", flush=True)
        s = nnlimits.spectrum("mp", ratio=0.5, at=[1.0])
        print("after", s["density"][0], flush=True)
        """
    )
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(2.0)
    sent = time.time()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    latency = time.time() - sent
    assert p.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("interrupted"), out
    assert lines[1].startswith("after ") and float(lines[1].split()[1]) > 0, out
    assert latency < 30, latency  # generous: a loaded 2-core machine; typically 0.6 s
