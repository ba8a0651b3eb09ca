"""Single-threaded BLAS while the Bayesian optimiser computes, when threadpoolctl is installed.

The model's matrices are small (at most a few hundred rows) and a sweep's children already use the
cores: multi-threaded BLAS then mostly waits for a core, which makes a suggestion up to ten times
slower. threadpoolctl comes with scikit-learn; without it nothing changes. Its limits apply to the
whole process, so overlapping suggestions (two sweeps in one kernel) share one: the first sets it and
the last restores the original, so it never outlives them. (Some OpenBLAS builds ignore a change asked
from another thread than the main one once the main thread has made one; the suggestion then runs with
the threads it had.)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_LOCK = threading.Lock()
_STATE: dict[str, Any] = {"controller": None, "users": 0, "limiter": None}


def _controller() -> Any:
    """A threadpoolctl controller made now (it sees only the BLAS libraries loaded when it is made, and numpy's,
    scipy's or another library's may be loaded later), or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    import numpy  # noqa: F401  (hdnotebook imports numpy and scipy lazily: load their BLAS before looking)
    import scipy.linalg  # noqa: F401

    return ThreadpoolController()


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread for the duration of the block (a no-op without threadpoolctl)."""
    with _LOCK:
        if _STATE["users"] == 0:
            _STATE["controller"] = _controller()
            if _STATE["controller"] is not None:
                _STATE["limiter"] = _STATE["controller"].limit(limits=1, user_api="blas")
        controller = _STATE["controller"]
        if controller is not None:
            _STATE["users"] += 1
    try:
        yield
    finally:
        if controller is not None:
            with _LOCK:
                _STATE["users"] -= 1
                if _STATE["users"] == 0:
                    _STATE["limiter"].restore_original_limits()
                    _STATE["limiter"] = None
