"""Interpreter exit: the runs this process drives are canceled before a compute resource under them shuts down.

The executors sit below the tuning loop and never import it. The loop (``control.py``) registers here how to cancel
everything it drives; a resource whose shutdown would kill running children (a ``DaskComputeTarget``'s local
cluster, closed by its own ``atexit`` handler) calls ``cancel_running_work()`` first, so those runs end Canceled
rather than failed by a lost cluster, whatever order the ``atexit`` handlers run in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_lock = threading.Lock()
_cancelers: list[Callable[[], None]] = []


def on_exit_cancel(canceler: Callable[[], None]) -> None:
    """Register ``canceler``, a blocking call that cancels the running work of a layer above (once per function)."""
    with _lock:
        if canceler not in _cancelers:
            _cancelers.append(canceler)


def cancel_running_work() -> None:
    """Call every registered canceler in registration order and wait for each; nothing registered: nothing to do."""
    with _lock:
        cancelers = list(_cancelers)
    for canceler in cancelers:
        canceler()
