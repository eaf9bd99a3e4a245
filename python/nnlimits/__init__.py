"""nnlimits from Python: limiting spectra, laws and saddle points of random neural networks, and the
Monte Carlo validator, as function calls returning dictionaries of NumPy arrays.

Every function runs the command ``nnlimits <verb> <model> --name value ...`` of the nnlimits command
line inside this process (the same parser, the same code, the same numbers as the executable; the
result's ``provenance["command"]`` is that command line). Parameters are the command's flags with
dashes spelled as underscores (``--d-ratio`` is ``d_ratio=``); ``True`` passes a flag, lists pass
comma-separated lists, ``None`` leaves a parameter at its default.

>>> import nnlimits
>>> s = nnlimits.spectrum("mp", ratio=0.5, points=400)       # s["x"], s["density"]: NumPy arrays
>>> r = nnlimits.validate("mp", ratio=0.5, size=500, samples=4, seed=1)
>>> r["verdict"], r["eigenvalues"].shape
('pass', (2000,))

The models, their parameters (range, default, meaning) and the commands that accept them come from the
library's model registry: :func:`models` lists them and :func:`help` prints one model's parameters.

Errors: bad parameters raise ``ValueError`` with the command line's message; a solver that does not
converge raises :class:`ConvergenceError` (with ``.iterations`` and ``.residual``); Ctrl-C stops a
running computation and raises ``KeyboardInterrupt`` (a second Ctrl-C returns at once and leaves it to
finish in the background).
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from ._native import ConvergenceError

__all__ = [
    "ConvergenceError",
    "spectrum",
    "validate",
    "law",
    "saddle",
    "models",
    "describe",
    "command",
    "__version__",
]

__version__: str = _native.version()

# `help` is not in __all__: `from nnlimits import *` must not shadow the built-in help().

Param = Union[bool, int, float, str, "os.PathLike[str]", Sequence[Union[int, float, str]], None]


def _scalar(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # shortest text that reads back to the same double
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"unsupported parameter value {value!r} ({type(value).__name__})")


def _word(value: Any) -> Union[bool, str]:
    """A parameter value as the command line carries it (``True``/``False`` stay booleans: flags)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.ndarray):
        value = value.ravel().tolist()
    if isinstance(value, (list, tuple, range)):
        return ",".join(_scalar(v) for v in value)
    return _scalar(value)


def _params(params: Dict[str, Any]) -> List[Tuple[str, Union[bool, str]]]:
    return [(k, _word(v)) for k, v in params.items() if v is not None]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _arrays(obj: Any) -> Any:
    """JSON lists of numbers become NumPy arrays (lists of equal-length number lists: 2-D arrays);
    ``null`` inside a list of numbers (a NaN in the output) becomes ``nan``."""
    if isinstance(obj, dict):
        return {k: _arrays(v) for k, v in obj.items()}
    if isinstance(obj, list) and obj:
        flat = all(_is_number(v) or v is None for v in obj) and any(_is_number(v) for v in obj)
        if flat:
            if all(isinstance(v, int) and not isinstance(v, bool) for v in obj):
                return np.array(obj, dtype=np.int64)
            return np.array([np.nan if v is None else v for v in obj], dtype=float)
        rows = [_arrays(v) for v in obj]
        if all(isinstance(r, np.ndarray) and r.ndim == 1 for r in rows) and len({len(r) for r in rows}) == 1:
            return np.array(rows, dtype=float if any(r.dtype == float for r in rows) else np.int64)
        return rows
    return obj


def _run(verb: str, model: Optional[str], params: Dict[str, Any]) -> Tuple[int, str, Optional[str], Optional[List[float]]]:
    return _native.run(verb, model, _params(params))


def command(verb: str, model: str, **params: Param) -> str:
    """The command line that ``<verb>(model, **params)`` runs, e.g. ``command("spectrum", "mp",
    ratio=0.5)`` is ``'nnlimits spectrum mp --ratio=0.5 --format json'`` (run it in a shell to get the same
    numbers; ``spectrum()`` also passes its ``points``)."""
    return shlex.join(_native.command(verb, model, _params(params)))


_DEFAULT_POINTS = 200


def spectrum(model: str, *, at: Optional[Union[float, Sequence[float], np.ndarray]] = None, points: int = _DEFAULT_POINTS, **params: Param) -> Dict[str, Any]:
    """The limiting eigenvalue law of ``model``: ``nnlimits spectrum <model> ... --format json``.

    ``at``: evaluate the density at these points; otherwise on ``points`` uniform interior points of the
    support's hull. For free-probability expressions: ``spectrum("expr", expression="mp(0.5) + sc(1)")``.

    Returns a dict with NumPy arrays ``x`` and ``density`` (atoms are never density values: see
    ``atoms``), ``support`` (a ``(k, 2)`` array of components), ``atoms`` (list of ``{"at", "mass"}``),
    ``moments`` (closed form ``m1, m2, ...``), ``moments_quadrature``, ``total_mass_quadrature``, ``params``,
    ``normalization`` (what the eigenvalues are of), ``solver`` (iterations, residual) and
    ``provenance`` (the equivalent command line). Models whose law is a table (``fim-population``,
    ``ck-population``, ``fim-unit-block``) return their own fields, without ``x`` and ``density``.
    """
    call = dict(params)
    if at is not None:
        call["at"] = at
    elif points != _DEFAULT_POINTS:
        call["points"] = points  # the default is the command's own (models tabulated otherwise have none)
    _, out, _, _ = _run("spectrum", model, call)
    doc = json.loads(out)
    pts = doc.pop("points", None)
    doc = _arrays(doc)
    if pts is not None:
        doc["x"] = np.array([p["x"] for p in pts], dtype=float)
        doc["density"] = np.array([np.nan if p["density"] is None else p["density"] for p in pts], dtype=float)
    return doc


def validate(model: str, *, samples: Optional[int] = None, seed: Optional[int] = None, **params: Param) -> Dict[str, Any]:
    """Monte Carlo validation of ``model``'s theory: ``nnlimits validate <model> ...``.

    ``samples`` independent draws (draw ``i`` uses stream ``i`` of ``seed``; the same numbers on any
    thread count) of the finite random system, compared with the theory by the checks of
    ``docs/architecture.md`` (KS and histogram distances, moments, atoms).

    Returns the report as a dict: ``verdict`` (``"pass"`` or ``"fail"``), ``checks`` (list of dicts with
    ``name``, ``theory``, ``observed``, ``std_error``, ``tolerance``, ``rule``, ``pass``), ``theory``,
    ``sampled``, ``seed``, ``samples``, ``notes``, ``provenance``; ``eigenvalues``: the pooled sampled
    eigenvalues the checks used (sorted NumPy array; ``None`` for validations that do not sample
    spectra, e.g. ``dln``); ``summary``: the text the command prints. A failed validation is a result
    (``verdict == "fail"``), not an exception. ``plot="file.svg"`` and ``report="file.json"`` also write
    the command's files.
    """
    call = dict(params)
    call["samples"] = samples
    call["seed"] = seed
    _, out, report, pooled = _run("validate", model, call)
    doc: Dict[str, Any] = _arrays(json.loads(report)) if report is not None else {}
    doc["eigenvalues"] = None if pooled is None else np.array(pooled, dtype=float)
    doc["summary"] = out
    return doc


def law(model: str, **params: Param) -> Dict[str, Any]:
    """A closed-form law (e.g. the output law of a deep linear network): ``nnlimits law <model> ...
    --format json``, with lists of numbers as NumPy arrays."""
    _, out, _, _ = _run("law", model, params)
    return _arrays(json.loads(out))


def saddle(model: str, **params: Param) -> Dict[str, Any]:
    """The saddle point of a Bayesian network (order parameters, predictor, generalization error):
    ``nnlimits saddle <model> ... --format json``, with lists of numbers as NumPy arrays."""
    _, out, _, _ = _run("saddle", model, params)
    return _arrays(json.loads(out))


def models() -> List[Dict[str, Any]]:
    """Every registered model (``nnlimits models --format json``): ``name``, ``summary``, ``docs`` and
    ``commands``, each with its ``command`` (verb), ``usage`` and ``params`` (``name`` as the flag is
    spelled, ``range``, ``default``, ``required``, ``doc``)."""
    _, out, _, _ = _native.run("models", None, [])
    listing: List[Dict[str, Any]] = json.loads(out)["models"]
    return listing


_OUTPUT_OPTIONS = {"format", "out"}


def describe(model: str) -> str:
    """The text of :func:`help` for ``model``: every function that accepts it and its parameters."""
    for m in models():
        if m["name"] == model:
            break
    else:
        names = ", ".join(m["name"] for m in models())
        raise ValueError(f"invalid parameter `model` = {model}: must be one of {names}")
    lines = [f"{m['name']}: {m['summary']}", f"documentation: {m['docs']}", ""]
    for c in m["commands"]:
        verb = c["command"]
        lines.append(f"nnlimits.{verb}({model!r}, ...)")
        for p in c["params"]:
            if p["name"] in _OUTPUT_OPTIONS:
                continue
            key = p["name"].replace("-", "_")
            default = "" if p["default"] is None else f" [default: {p['default']}]"
            req = " (required)" if p["required"] else ""
            lines.append(f"    {key}: {p['range']}{default}{req}")
            if p["doc"]:
                lines.append(f"        {p['doc']}")
        lines.append("")
    return "\n".join(lines)


def help(model: Optional[str] = None) -> None:  # noqa: A001 (the package's help, as `nnlimits help`)
    """Print the parameters of ``model`` for each function that accepts it (from the registry), or the
    list of models."""
    if model is None:
        for m in models():
            verbs = ", ".join(c["command"] for c in m["commands"])
            print(f"{m['name']:<20} {m['summary']}  [{verbs}]")
    else:
        print(describe(model))


def _document() -> None:
    """Append the registry's models to each function's docstring."""
    try:
        listing = models()
    except Exception:  # pragma: no cover - a docstring is not worth a failed import
        return
    for fn in (spectrum, validate, law, saddle):
        names = [f"    {m['name']:<20} {m['summary']}" for m in listing if any(c["command"] == fn.__name__ for c in m["commands"])]
        fn.__doc__ = (fn.__doc__ or "") + "\n    Models (``nnlimits.help(name)`` lists a model's parameters):\n\n" + "\n".join(names) + "\n"


_document()
