"""Type stubs of the extension module `nnlimits._native` (src/lib.rs)."""

from typing import List, Optional, Sequence, Tuple, Union

class ConvergenceError(RuntimeError):
    """A solver did not converge."""

    what: str
    """What was being solved, with its parameters."""
    iterations: int
    """Iterations spent."""
    residual: float
    """Final residual."""
    tolerance: float
    """Requested tolerance."""

Params = Sequence[Tuple[str, Union[bool, str]]]

def run(verb: str, model: Optional[str], params: Params) -> Tuple[int, str, Optional[str], Optional[List[float]]]:
    """Run `nnlimits <verb> <model> <params>` in-process: (exit code, stdout, report JSON, pooled eigenvalues)."""

def command(verb: str, model: Optional[str], params: Params) -> List[str]:
    """The argument vector that `run` parses for these arguments."""

def version() -> str:
    """The library's version."""
