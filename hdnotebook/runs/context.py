"""The live run of a child process, found through the environment the tuning loop set.

A child on another machine (e.g. a Dask worker) may have no workspace store at all: then, or when
the store does not hold the run, the child's Run has no store. Logging works the same (every
write goes through the events pipe); reads (get_metrics, get_tags, get_status...) return what an
offline run returns.
"""

from __future__ import annotations

import os
import sys
import threading

from hdnotebook._engine import channel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from hdnotebook.runs.run_handle import Run

_lock = threading.RLock()
_cache: dict[str, object] = {}


def _has_store(workspace: str | None) -> bool:
    """True when ``workspace`` (the root or its ``.hdnotebook`` folder) holds a store file here."""
    if not workspace:
        return False
    return (os.path.isfile(os.path.join(workspace, "store.sqlite"))
            or os.path.isfile(os.path.join(workspace, ".hdnotebook", "store.sqlite")))


def current_run():  # -> Run | None (untyped to keep this module import-light)
    """The Run this process was started for, or None outside any run.

    It writes through the events pipe at once; its workspace's store is opened on its first read
    (open_child_store), so a child that only logs imports neither the store nor the Azure layer."""
    inline_context = sys.modules.get("hdnotebook._engine.executors.inline_context")  # loaded by the test double
    inline = inline_context.current.get() if inline_context is not None else None
    if inline is not None:  # a function the in-process test executor runs in a thread of this process
        if inline.run is None:
            inline.run = _make_run(inline.run_id, inline.env, inline.sink)
        return inline.run
    run_id = os.environ.get(channel.ENV_RUN_ID)
    if not run_id:
        return None
    with _lock:
        run = _cache.get(run_id)
        if run is not None:
            return run
        from hdnotebook.runs.run_handle import Run

        fd = int(os.environ[channel.ENV_EVENTS_FD])
        run = Run.__new__(Run)  # its experiment, store and record are looked up on first use (Run.__getattr__)
        run._id = run_id
        run._sink = channel.writer_for(fd, os.environ.get(channel.ENV_EVENTS_PIPE))
        run._added_properties = set()
        run._child_workspace = (os.environ.get(channel.ENV_WORKSPACE), os.environ.get(channel.ENV_EXPERIMENT, ""))
        _cache.clear()
        _cache[run_id] = run
        return run


def open_child_store(run: Run) -> None:
    """Give the child's ``run`` (made by current_run) its experiment, store and record: the workspace's when
    its store holds the run, else none (reads then answer as an offline run's do). Called by Run.__getattr__
    on the first read of one of them, so a child that only logs never imports the store."""
    with _lock:
        pending = run.__dict__.get("_child_workspace")
        if pending is None:  # another thread opened it
            return
        added = run._added_properties
        _attach_store(run, *pending)
        run._added_properties = added
        del run.__dict__["_child_workspace"]


def _attach_store(run: Run, workspace: str | None, experiment: str) -> None:
    """Initialise ``run`` (its ``_id`` and ``_sink`` set) with the experiment of ``workspace`` when that workspace's
    store holds the run, else without a store."""
    from hdnotebook.runs.run_handle import Run

    try:
        if not _has_store(workspace):
            raise LookupError(f"no store in {workspace!r}")
        from hdnotebook.experiment import Experiment
        from hdnotebook.workspace import Workspace

        Run.__init__(run, Experiment(Workspace(workspace), experiment), run._id, _sink=run._sink)
    except Exception:
        Run.__init__(run, None, run._id, _sink=run._sink)  # type: ignore[arg-type]  # a run without a store


def _make_run(run_id: str, env: Mapping[str, str], sink: object):  # -> Run
    """The Run of ``run_id`` logging to ``sink``, with the workspace store that ``env`` names when it has one."""
    from hdnotebook.runs.run_handle import Run

    run = Run.__new__(Run)
    run._id, run._sink = run_id, sink
    _attach_store(run, env.get(channel.ENV_WORKSPACE), env.get(channel.ENV_EXPERIMENT, ""))
    return run
