"""The live run of a child process, found through the environment the tuning loop set.

A child on another machine (e.g. a Dask worker) may have no workspace store at all: then, or when
the store does not hold the run, the child's Run has no store. Logging works the same (every
write goes through the events pipe); reads (get_metrics, get_tags, get_status...) return what an
offline run returns.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from hdnotebook._engine import channel

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _has_store(workspace: str | None) -> bool:
    """True when ``workspace`` (the root or its ``.hdnotebook`` folder) holds a store file here."""
    if not workspace:
        return False
    folder = Path(workspace)
    return (folder / "store.sqlite").is_file() or (folder / ".hdnotebook" / "store.sqlite").is_file()


def current_run():  # -> Run | None (untyped to keep this module import-light)
    """The Run this process was started for, or None outside any run."""
    run_id = os.environ.get(channel.ENV_RUN_ID)
    if not run_id:
        return None
    with _lock:
        run = _cache.get(run_id)
        if run is not None:
            return run
        from hdnotebook.experiment import Experiment
        from hdnotebook.runs.run_handle import Run
        from hdnotebook.workspace import Workspace

        fd = int(os.environ[channel.ENV_EVENTS_FD])
        writer = channel.writer_for(fd, os.environ.get(channel.ENV_EVENTS_PIPE))
        workspace = os.environ.get(channel.ENV_WORKSPACE)
        run = None
        if _has_store(workspace):
            try:
                run = Run(Experiment(Workspace(workspace), os.environ.get(channel.ENV_EXPERIMENT, "")), run_id, _sink=writer)
            except Exception:
                run = None
        if run is None:
            run = Run(None, run_id, _sink=writer)
        _cache.clear()
        _cache[run_id] = run
        return run
