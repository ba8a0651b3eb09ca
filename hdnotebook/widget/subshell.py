"""Widget requests answered while a cell blocks: RunDetails' comm messages go to a kernel subshell.

A Jupyter kernel handles the front end's messages in its main shell, one at a time, so while a cell
blocks (``run.wait_for_completion()``, a training loop, ``time.sleep``) a click in the dashboard would
wait for the cell to end. ipykernel 7 implements kernel subshells (JEP 91): each subshell handles
shell messages in a thread of its own, and the kernel sends a comm's incoming messages to the subshell
that the comm's ``_reply_subshell_for(data, default)`` names. Every RunDetails widget of a kernel names
one subshell created for them, so cancel, run details and the metric picker are answered while the
main shell is busy. In a kernel without subshells (ipykernel < 7, other kernels) nothing changes: the
messages are handled when the cell ends.

jupyter-ui-poll was the first candidate; with ipykernel 7.4 it processes no message at all (its
``kernel.do_one_iteration()`` no longer exists and the error is swallowed), and it defers the cells
run meanwhile, which this approach does not need.
"""

from __future__ import annotations

import threading
from typing import Any

CREATE_TIMEOUT_SECONDS = 5.0

_lock = threading.Lock()
_subshell: dict[str, str | None] = {}  # "id": the subshell, once the kernel was asked


def _kernel() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def _create_subshell(kernel: Any) -> str | None:
    """A new subshell of ``kernel``, created in its shell-channel thread as a create_subshell_request
    would be; None when the kernel has no subshells."""
    thread = getattr(kernel, "shell_channel_thread", None)
    create = getattr(getattr(thread, "manager", None), "_create_subshell", None)
    if create is None:
        return None
    if threading.current_thread() is thread:
        return create()
    result: dict[str, Any] = {}
    done = threading.Event()

    def make() -> None:
        try:
            result["id"] = create()
        except Exception as exc:  # a kernel that refuses leaves the widget as it was
            result["error"] = exc
        finally:
            done.set()

    thread.io_loop.add_callback(make)
    done.wait(CREATE_TIMEOUT_SECONDS)
    return result.get("id")


def widget_subshell() -> str | None:
    """The id of the subshell that handles RunDetails messages in this kernel (created on first call),
    or None outside a kernel or in a kernel without subshells."""
    kernel = _kernel()
    if kernel is None:
        return None
    with _lock:
        if "id" not in _subshell:
            _subshell["id"] = _create_subshell(kernel)
        return _subshell["id"]


def route_to_subshell(widget: Any) -> bool:
    """Have the kernel hand ``widget``'s incoming comm messages to the RunDetails subshell.

    Returns True when they are routed there, False when they stay with the main shell. The widget's
    message handlers then run in the subshell's thread, concurrently with the cell being executed.
    """
    comm = getattr(widget, "comm", None)
    if comm is None:
        return False
    subshell = widget_subshell()
    if subshell is None:
        return False
    comm._reply_subshell_for = lambda data, default: subshell
    return True
