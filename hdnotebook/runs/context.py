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
from typing import Mapping

from hdnotebook.executors import inline_context
from hdnotebook.runs import channel

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
    inline = inline_context.current.get()
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
        fd = int(os.environ[channel.ENV_EVENTS_FD])
        run = _make_run(run_id, os.environ, channel.writer_for(fd, os.environ.get(channel.ENV_EVENTS_PIPE)))
        _cache.clear()
        _cache[run_id] = run
        return run


def _make_run(run_id: str, env: Mapping[str, str], sink: object):  # -> Run
    """The Run of ``run_id`` logging to ``sink``, with the workspace store that ``env`` names when it has one."""
    from hdnotebook.experiment import Experiment
    from hdnotebook.runs.run import Run
    from hdnotebook.workspace import Workspace

    workspace = env.get(channel.ENV_WORKSPACE)
    if _has_store(workspace):
        try:
            return Run(Experiment(Workspace(workspace), env.get(channel.ENV_EXPERIMENT, "")), run_id, _sink=sink)
        except Exception:
            pass
    return Run(None, run_id, _sink=sink)  # type: ignore[arg-type]  # a child run without a workspace store
