"""Real Dask clusters for the Dask tests.

``local_target``: a DaskComputeTarget that starts its own LocalCluster (2 worker processes, 1 thread
each) on hdnotebook's tuning loop, closed by the fixture's finalizer. ``ExternalCluster``: a plain
``dask scheduler`` / ``dask worker`` pair in their own process groups (killed on close), for the
faults a LocalCluster cannot show (a scheduler that dies, a worker with other versions).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hdnotebook import DaskComputeTarget
from hdnotebook._engine import background
from tests import dask_children
from tests.conftest import python_env


@pytest.fixture(scope="module")
def local_target() -> Iterator[DaskComputeTarget]:
    """A started DaskComputeTarget(n_workers=2, threads_per_worker=1); closed (and checked closed) at the end."""
    target = DaskComputeTarget(n_workers=2, threads_per_worker=1)
    try:
        background.call(target.scheduler_address(), timeout=60)
        yield target
    finally:
        cluster = target.cluster
        target.close()
        assert target.cluster is None and (cluster is None or cluster.status.name == "closed")


def worker_info(target: DaskComputeTarget, function) -> dict[str, object]:
    """``client.run(function)`` on every worker of ``target`` through a short-lived synchronous client."""
    from distributed import Client

    with Client(target.address, set_as_default=False, timeout=10) as client:
        return client.run(function)


def assert_workers_are_clean(target: DaskComputeTarget) -> None:
    """No child, slot, scratch folder or executing task is left on the workers (slots end within 0.5 s)."""
    for probe in (dask_children.running_trials, dask_children.open_slots, dask_children.scratch_folders,
                  dask_children.executing_tasks):
        wait_for(lambda probe=probe: not any(worker_info(target, probe).values()), 5)


def wait_for(condition, timeout: float, interval: float = 0.02):
    """Poll ``condition()`` until it is truthy (returned) or ``timeout`` seconds pass (AssertionError)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class ExternalCluster:
    """``python -m distributed.cli.dask_scheduler`` plus one ``dask_worker`` (1 process, 1 thread), or none yet."""

    def __init__(self, folder: Path, worker_env: dict[str, str] | None = None, with_worker: bool = True) -> None:
        self._processes: list[subprocess.Popen[bytes]] = []
        self._folder = folder
        scheduler_file = folder / "scheduler.json"
        self._env = {**python_env(), "DASK_TEMPORARY_DIRECTORY": str(folder)}
        self.scheduler = self._start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file",
                                      str(scheduler_file), "--port", "0", "--dashboard-address", ":0"], self._env, folder)
        wait_for(scheduler_file.exists, 30)
        self.address = wait_for(lambda: json.loads(scheduler_file.read_text() or "{}").get("address"), 10)
        if with_worker:
            self.start_worker(worker_env)

    def start_worker(self, worker_env: dict[str, str] | None = None) -> None:
        """Start one more worker (1 process, 1 thread) with ``worker_env`` added, and wait until it joined."""
        self._start([sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--nworkers", "1",
                     "--nthreads", "1", "--no-dashboard", "--death-timeout", "5"],
                    {**self._env, **(worker_env or {})}, self._folder)
        self._wait_for_worker()

    def _start(self, argv: list[str], env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
        with open(folder / "dask.log", "ab") as log:
            process = subprocess.Popen(argv, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self._processes.append(process)
        return process

    def _wait_for_worker(self) -> None:
        from distributed import Client

        with Client(self.address, set_as_default=False, timeout=10) as client:
            client.wait_for_workers(len(self._processes) - 1, timeout=30)

    def kill_scheduler(self) -> None:
        """SIGKILL the scheduler's process group."""
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait()

    def close(self) -> None:
        """Kill every process group started here and reap them."""
        for process in self._processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
