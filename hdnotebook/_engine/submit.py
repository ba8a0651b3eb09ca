"""Starting work on the background loop: a sweep (a SweepPlan) or a single run (a ScriptTrial or FunctionTrial)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine import background, control, specs
from hdnotebook._engine.executors.base import Executor
from hdnotebook._engine.executors.selection import executor_for
from hdnotebook._engine.layout import SWEEP_LOG, error_dict
from hdnotebook._engine.plan import FunctionTrial, ScriptTrial, SweepPlan, Trial
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook._engine.store_retry import flush_now_or_later
from hdnotebook._engine.sweep import SweepController
from hdnotebook._engine.sweep_log import SweepLog
from hdnotebook._engine.trial import TrialRunner


def sweep_executor(plan: SweepPlan) -> Executor:
    """The executor of a sweep: as many slots as it may run children at once (function workers started
    ahead, up to one per core); a Dask executor connects here (see ``executor_for``)."""
    slots = min(plan.max_concurrent_runs, plan.max_total_runs)
    prestart = min(slots, os.cpu_count() or 1) if isinstance(plan.trial, FunctionTrial) else 0
    return executor_for(plan.trial, plan.compute_target, slots, prestart=prestart, run_on_loop=background.call)


def single_executor(trial: Trial, compute_target: Any = None) -> Executor:
    """The executor of a run that is not part of a sweep: one slot."""
    return executor_for(trial, compute_target, 1, run_on_loop=background.call)


def start_sweep(store: Store, record: RunRecord, plan: SweepPlan, executor: Executor) -> None:
    """Start the tuning loop of the sweep ``record`` (already in the store) in the background; returns at once."""
    log = SweepLog(Path(record.run_dir) / SWEEP_LOG)
    log.write("API", f"Experiment created: {record.run_id}")
    controller = SweepController(store, record, plan, executor, log)
    start_controller(controller, controller.run())


class SingleRunController:
    """Drives one run that is not part of a sweep."""

    def __init__(self, runner: TrialRunner, executor: Executor) -> None:
        self.run_id = runner.run_id
        self.store = runner.store
        self._runner = runner
        self._executor = executor

    async def run(self) -> str:
        """Run to the end; returns the final status. An error of the loop stops the child and fails the run (it
        never ends unseen on the background loop); a status the store could not take is committed later."""
        try:
            return await self._runner.run()
        except Exception as exc:
            error = error_dict("TuningLoopError", repr(exc))
            with contextlib.suppress(Exception):
                await self._runner.stop("failed", grace=1.0, error=error, status=st.FAILED)
            with contextlib.suppress(Exception):  # record_end keeps the status in memory first: retried below
                self.store.record_end(self.run_id, st.FAILED, error=error)
            return st.FAILED
        finally:
            await self._executor.aclose()
            if self.store.unwritten():
                flush_now_or_later(self.store)

    async def cancel(self, run_id: str | None = None) -> None:
        """Stop the run (SIGTERM, SIGKILL after 1 s)."""
        await self._runner.stop("canceled", grace=1.0)


def single_definition(trial: Trial, target: str) -> dict[str, Any]:
    """``runDefinition`` of a run that is not part of a sweep (no sampled values)."""
    if isinstance(trial, ScriptTrial):
        return specs.script_definition(trial, {}, target)
    return specs.function_definition(trial, {}, target)


def start_single(store: Store, record: RunRecord, trial: Trial, executor: Executor) -> None:
    """Start the run ``record`` (already in the store, Queued) in the background; returns at once."""
    if isinstance(trial, ScriptTrial):
        spec = specs.script_spec(store, record, trial, {})
        timeout = trial.max_run_duration_seconds
    else:
        spec = specs.function_spec(store, record, trial.payload, {})
        timeout = None
    controller = SingleRunController(TrialRunner(store, spec, executor, timeout=timeout), executor)
    start_controller(controller, controller.run())


def start_controller(controller: Any, work: Any) -> None:
    """Register ``controller`` (cancel requests reach it) and run ``work`` on the background loop."""
    control.register(controller)

    async def drive() -> None:
        try:
            await work
        finally:
            control.unregister(controller)

    background.submit(drive())
