"""Continuing a sweep that the death of its driving process ended (the engine side of ``HyperDriveRun.resume()``).

Only a sweep that is Failed with error code ``DriverLost`` is continued; the same sweep (same id, same folder, same
log) goes back to Running under this process. The Azure layer (``hdnotebook/resumption.py``) rebuilds the sweep's
plan from its stored recipe; its inheritance (interrupted children, budget spent, running time) is read from the
store here (``continuation.py``). Samplers and policies are pure, and read the history the loop rebuilds from the
store, so they continue where they were.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from pathlib import Path

from hdnotebook import status as st
from hdnotebook._engine import background
from hdnotebook._engine.continuation import continuation_of, interrupted
from hdnotebook._engine.driver import current_driver, driver_alive, fail_if_driver_lost
from hdnotebook._engine.executors.base import Executor
from hdnotebook._engine.layout import HYPERDRIVE_TYPE, SWEEP_LOG
from hdnotebook._engine.plan import SweepPlan
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook._engine.store.sweep_state_queries import error_code
from hdnotebook._engine.submit import start_controller, sweep_executor
from hdnotebook._engine.sweep import SweepController
from hdnotebook._engine.sweep_log import SweepLog
from hdnotebook.exceptions import UserErrorException


def check_resumable(store: Store, run_id: str) -> RunRecord:
    """The sweep's record if it can be continued (marked DriverLost first when its driver has died), else a
    UserErrorException naming the rule it breaks."""
    record = fail_if_driver_lost(store, store.get_run(run_id))
    if record is None:
        raise UserErrorException(f"resume() expects a sweep of this workspace, but there is no run {run_id!r}")
    if record.run_type != HYPERDRIVE_TYPE:
        raise UserErrorException(f"resume() continues sweeps only, but {run_id} is a {record.run_type} run")
    rule = "resume() continues only a sweep that the death of its driving process ended (Failed, DriverLost)"
    if not st.is_terminal(record.status):
        pid = (record.driver or {}).get("pid")
        where = ("on another host" if driver_alive(record.driver) is None else f"in process {pid}")
        raise UserErrorException(f"{rule}: sweep {run_id} is {record.status}, still driven {where}")
    if record.status == st.COMPLETED:
        raise UserErrorException(f"{rule}: sweep {run_id} finished normally (Completed)")
    if record.status == st.CANCELED:
        raise UserErrorException(f"{rule}: sweep {run_id} was canceled on purpose (Canceled)")
    if not interrupted(record):
        raise UserErrorException(f"{rule}: sweep {run_id} failed on its own (error code {error_code(record.error)})")
    return record


def continue_sweep(store: Store, lost: RunRecord, plan: SweepPlan) -> RunRecord:
    """Continue sweep ``lost`` (as ``check_resumable`` returned it) with ``plan`` in the background of this process;
    returns its record (Running). On any error the sweep stays as it was (Failed, DriverLost)."""
    run_id = lost.run_id
    continuation = continuation_of(store, run_id, plan.resume_child_ids)
    executor = sweep_executor(plan)
    now = time.time()
    stamp = _dt.datetime.fromtimestamp(now, _dt.timezone.utc).isoformat(timespec="seconds")
    if not store.reopen_lost_run(run_id, current_driver(), now, f"Resumed at {stamp} by process {os.getpid()}"):
        executor_close(executor)
        raise UserErrorException(f"Sweep {run_id} was resumed by another process meanwhile")
    try:
        record = store.get_run(run_id)
        assert record is not None
        log = SweepLog(Path(record.run_dir) / SWEEP_LOG)
        log.write("API", f"Experiment resumed at {stamp} by process {os.getpid()} after its driving process ended: "
                         f"{len(continuation.reruns)} interrupted child run(s) run again first; "
                         f"{continuation.ran_seconds:.1f} s of max_duration_minutes spent")
        log.write("CONTROLLER", "Experiment was 'ExperimentStatus.FAILED', is 'ExperimentStatus.RUNNING'.")
        controller = SweepController(store, record, plan, executor, log, continuation=continuation)
    except BaseException:
        executor_close(executor)
        store.set_status(run_id, st.FAILED, error=lost.error)
        raise
    start_controller(controller, controller.run())
    return record


def executor_close(executor: Executor) -> None:
    """Close an executor whose sweep never started (a Dask one holds a client)."""
    background.call(executor.aclose())
