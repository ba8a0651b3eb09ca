"""The executors the contract suite runs over, what each can honour, and a harness to drive one trial.

A Case names an executor and the trial kind it runs; its capability flags say which parts of the contract it
can keep (the in-process double shares this process, so it cannot honour a child's environment, working folder,
output capture or death by signal). Tests choose their cases with ``cases(...)``: a case that cannot honour a
test is not parametrised into it, rather than skipped at run time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudpickle
import pytest

from hdnotebook._engine import background, channel
from hdnotebook._engine.executors.base import Executor, Outcome, TrialHandle, TrialKind, TrialSpec
from tests.contracts import contract_children

CONTRACT_VAR = "value of the contract's variable"


@dataclass(frozen=True)
class Case:
    """An executor under contract: ``name`` (the test id), the kind of its trials, what it honours."""

    name: str
    kind: TrialKind
    processes: bool = True  # the child is a real process: its env, output capture, death by signal, process group
    own_cwd: bool = True  # the child runs in spec.cwd (a Dask child runs in a scratch folder on its worker)
    dask: bool = False


LOCAL_SCRIPT = Case("local-script", TrialKind.SCRIPT)
LOCAL_FUNCTION = Case("local-function", TrialKind.FUNCTION)
INLINE = Case("inline-double", TrialKind.FUNCTION, processes=False, own_cwd=False)
DASK = Case("dask-function", TrialKind.FUNCTION, own_cwd=False, dask=True)
ALL = (LOCAL_SCRIPT, LOCAL_FUNCTION, INLINE, DASK)


def cases(*, processes: bool = False, own_cwd: bool = False) -> list[Any]:
    """The cases that honour what is asked for, as pytest params."""
    chosen = [c for c in ALL if (c.processes or not processes) and (c.own_cwd or not own_cwd)]
    return [pytest.param(c, id=c.name) for c in chosen]


def make_executor(case: Case, request: pytest.FixtureRequest) -> Executor:
    """A new executor for ``case`` with 2 slots (the Dask one on the module's local cluster)."""
    if case.dask:
        from hdnotebook._engine.executors.dask_executor import DaskExecutor

        return DaskExecutor(request.getfixturevalue("local_target"), 2)
    if case is INLINE:
        from hdnotebook._engine.executors.inline import InlineExecutor

        return InlineExecutor(2)
    from hdnotebook._engine.executors.local import LocalExecutor

    return LocalExecutor(2)


def make_spec(case: Case, folder: Path, **options: Any) -> TrialSpec:
    """A trial of ``contract_children.child(**options)`` in a new run folder under ``folder``."""
    run_id = f"contract_{uuid.uuid4().hex[:10]}"
    run_dir = folder / run_id
    for sub in ("outputs", "logs", "user_logs"):
        (run_dir / sub).mkdir(parents=True)
    env = {channel.ENV_RUN_ID: run_id, channel.ENV_RUN_DIR: str(run_dir), "CONTRACT_VAR": CONTRACT_VAR}
    log_path = str(run_dir / "user_logs" / "std_log.txt")
    if case.kind is TrialKind.SCRIPT:
        argv = [sys.executable, "-m", "tests.contracts.contract_children", json.dumps(options)]
        return TrialSpec(run_id=run_id, kind=TrialKind.SCRIPT, cwd=str(run_dir), env=env, log_path=log_path, argv=argv)
    return TrialSpec(run_id=run_id, kind=TrialKind.FUNCTION, cwd=str(run_dir), env=env, log_path=log_path,
                     payload=cloudpickle.dumps(contract_children.child), kwargs=options, sys_path=list(sys.path))


class Trial:
    """One submitted trial, driven from the test's thread; ``events`` collects what the callback received."""

    def __init__(self, executor: Executor, spec: TrialSpec) -> None:
        self.spec = spec
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.handle: TrialHandle = background.call(executor.submit(spec, self._on_events), timeout=60)

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        assert background.in_loop_thread(), "the callback runs on the loop"
        with self._lock:
            self.events.extend(events)

    def metrics(self, name: str) -> list[Any]:
        """The values of metric ``name`` received so far, in order."""
        with self._lock:
            return [e["value"] for e in self.events if e.get("op") == "metric" and e.get("name") == name]

    def wait_for_metric(self, name: str, timeout: float) -> Any:
        """The first value of metric ``name``, waiting up to ``timeout`` seconds for it."""
        from tests.dask_cluster import wait_for

        return wait_for(lambda: self.metrics(name), timeout)[0]

    def outcome(self, timeout: float) -> Outcome:
        """The trial's Outcome, waiting up to ``timeout`` seconds."""
        return background.call(asyncio.wait_for(self.handle.outcome(), timeout), timeout=timeout + 5)

    def stop(self, grace: float, timeout: float) -> None:
        """``handle.stop(grace)``, waiting up to ``timeout`` seconds for it to return."""
        background.call(asyncio.wait_for(self.handle.stop(grace), timeout), timeout=timeout + 5)

    def started(self, timeout: float) -> None:
        """``handle.started()``, waiting up to ``timeout`` seconds."""
        background.call(asyncio.wait_for(self.handle.started(), timeout), timeout=timeout + 5)

    def log_text(self) -> str:
        """The trial's log file as text ("" when it was not written)."""
        path = Path(self.spec.log_path)
        return path.read_text(errors="replace") if path.exists() else ""

