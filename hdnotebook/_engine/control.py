"""The sweeps and single runs this process drives, and the one code path that cancels a run."""

from __future__ import annotations

import atexit
import threading
import warnings
from typing import Any, Protocol

from hdnotebook import _library_logger, status as st
from hdnotebook._engine import background
from hdnotebook._engine.driver import driver_alive
from hdnotebook._engine.executors import exit_hooks
from hdnotebook._engine.store import Store

CANCEL_WAIT_SECONDS = 30.0
logger = _library_logger(__name__)  # with the package's NullHandler


class Controller(Protocol):
    """Something driving runs on the background loop: a sweep or a single run."""

    run_id: str
    store: Store

    async def cancel(self, run_id: str | None = None) -> None:
        """Cancel the whole thing (None / its own id) or one child; returns once stopped."""


_lock = threading.Lock()
_controllers: dict[str, Controller] = {}
_atexit_registered = False


def register(controller: Controller) -> None:
    """Track a controller until ``unregister``; the first one installs the exit handler, and registers it with the
    executors too (a Dask target's local cluster cancels these runs before it shuts down at exit)."""
    global _atexit_registered
    with _lock:
        _controllers[controller.run_id] = controller
        if not _atexit_registered:
            atexit.register(_cancel_all_at_exit)
            exit_hooks.on_exit_cancel(_cancel_all_at_exit)
            _atexit_registered = True


def unregister(controller: Controller) -> None:
    """Forget a controller whose work has ended."""
    with _lock:
        if _controllers.get(controller.run_id) is controller:
            del _controllers[controller.run_id]


def live_controller(run_id: str, parent_id: str | None = None) -> Controller | None:
    """The controller in this process that drives ``run_id`` (or its parent), if any."""
    with _lock:
        return _controllers.get(run_id) or (_controllers.get(parent_id) if parent_id else None)


def request_cancel(store: Store, run_id: str) -> bool:
    """Cancel a run wherever it is driven; True if it was active.

    In this process: the run is stopped before this returns (SIGTERM, SIGKILL after 1 s). In
    another live process on this host: the run is marked CancelRequested and that process's loop
    stops it within a second. With no live driver, or for an interactive run (``start_logging``,
    ``child_run``: no process of its own to stop): the run (and its active children) is marked
    Canceled directly.
    """
    from hdnotebook._engine.layout import INTERACTIVE_TYPE

    record = store.get_run(run_id)
    if record is None or st.is_terminal(record.status):
        return False
    if record.run_type == INTERACTIVE_TYPE:
        _mark_canceled(store, run_id, "canceled; an interactive run has no process to stop")
        return True
    controller = live_controller(run_id, record.parent_id)
    store.set_status(run_id, st.CANCEL_REQUESTED, only_if_active=True, details="cancel requested")
    if controller is not None:
        background.call(controller.cancel(run_id), timeout=CANCEL_WAIT_SECONDS)
    elif driver_alive(record.driver) is not True:
        _mark_canceled(store, run_id, "canceled without a live driver")
    return True


def _mark_canceled(store: Store, run_id: str, details: str) -> None:
    """The run and its active children end Canceled now (nothing runs them)."""
    for child in store.list_runs(parent_id=run_id):
        store.set_status(child.run_id, st.CANCELED, only_if_active=True, details=details)
    store.set_status(run_id, st.CANCELED, only_if_active=True, details=details)


def _cancel_all_at_exit() -> None:
    with _lock:
        controllers = list(_controllers.values())
    if not controllers:
        return
    for controller in controllers:
        if not st.is_terminal(controller.store.status_of(controller.run_id) or st.CANCELED):  # else it is only closing
            # a warning, not a log record: the user can avoid it (wait for the run) and should see it by default
            warnings.warn(f"hdnotebook: {controller.run_id} was still running when Python exited; canceling it.",
                          RuntimeWarning, stacklevel=1)
    futures: list[Any] = [background.submit(c.cancel(None)) for c in controllers]
    for controller, future in zip(controllers, futures):
        try:
            future.result(timeout=10)
        except Exception:
            logger.debug("Canceling %s at exit failed", controller.run_id, exc_info=True)
