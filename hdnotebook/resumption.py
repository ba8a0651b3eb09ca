"""``HyperDriveRun.resume()`` on the Azure side: the sweep's stored recipe (``sweep_recipe.py``) -> the engine's
plan again, then the engine continues the sweep (``_engine/resume.py``)."""

from __future__ import annotations

from dataclasses import replace

from hdnotebook._engine.executors.process import check_platform
from hdnotebook._engine.plan import FunctionTrial
from hdnotebook._engine.resume import check_resumable, continue_sweep
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook.submission import sweep_plan, trial_of
from hdnotebook.sweep_recipe import load_recipe


def resume_sweep(store: Store, run_id: str) -> RunRecord:
    """Continue sweep ``run_id`` in the background of this process; returns its record (Running). Errors:
    UserErrorException naming the rule it breaks (see ``check_resumable``) or why it cannot be rebuilt here; on any
    error the sweep stays as it was (Failed, DriverLost), so resume() can be called again."""
    check_platform()
    lost = check_resumable(store, run_id)
    settings, payload = load_recipe(store, run_id)
    trial = trial_of(settings.run_config)
    if payload is not None and isinstance(trial, FunctionTrial):  # the children get the very bytes of the first life
        trial = replace(trial, payload=payload)
    return continue_sweep(store, lost, sweep_plan(settings, trial))
