"""The live run of a child process, found through the environment the tuning loop set."""

from __future__ import annotations

import os
import threading

from hdnotebook.runs import channel

_lock = threading.Lock()
_cache: dict[str, object] = {}
_writers: dict[int, channel.PipeWriter] = {}


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
        from hdnotebook.runs.run import Run
        from hdnotebook.workspace import Workspace

        fd = int(os.environ[channel.ENV_EVENTS_FD])
        writer = _writers.get(fd) or _writers.setdefault(fd, channel.PipeWriter(fd))
        experiment = Experiment(Workspace(os.environ[channel.ENV_WORKSPACE]), os.environ[channel.ENV_EXPERIMENT])
        run = Run(experiment, run_id, _sink=writer)
        _cache.clear()
        _cache[run_id] = run
        return run
