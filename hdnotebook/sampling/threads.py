"""Single-threaded BLAS while the Bayesian optimiser computes.

The model's matrices are small (at most a few hundred rows) and a sweep's children already use the
cores: multi-threaded BLAS then mostly waits for a core, which makes a suggestion up to ten times
slower. BLAS limits apply to the whole process, and threadpoolctl (3.8 and later) lets only one thread
at a time change OpenBLAS's: the thread that set a limit must restore it and release control, or every
later limit from another thread is silently ignored. So each suggestion sets and restores its own
limit in the thread that computes it, and suggestions that overlap (two sweeps in one kernel, a
suggestion asked from the notebook while a sweep runs) take turns. A limit held by the user's code in
another thread wins: the suggestion then runs with the threads it has.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_TURN = threading.RLock()


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread for the duration of the block; blocks of other threads wait their turn.

    The threadpoolctl controller is made on entry, so it sees every BLAS library loaded by then (numpy and
    scipy are loaded first: hdnotebook imports them lazily).
    """
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import ThreadpoolController

    with _TURN, ThreadpoolController().limit(limits=1, user_api="blas"):
        yield
