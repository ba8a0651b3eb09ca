"""The notebook side of one child on a Dask worker: a TrialHandle fed by worker messages and the task's result.

The first message fixes the attempt (its ``nonce``) and the worker. A message from another
attempt means Dask reran the task after the first worker died: the run fails (WorkerLost) and the
rerun is killed, so one run never holds two curves. The ``end`` message comes after every other
message of its attempt: it settles the outcome once the rest of the log and the child's files are
in the run folder, so a Completed run has all its metrics and files. When the end's files are too
large for a message, or the end message is late (up to 2 s after the task's result), the task's
result supplies them. Messages that arrive after the outcome is settled are dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook.executors.base import EventCallback, Outcome, OutcomeStatus, TrialSpec
from hdnotebook.executors.dask_files import unpack
from hdnotebook.runs import channel

if TYPE_CHECKING:
    from hdnotebook.executors.dask_executor import DaskExecutor

END_WAIT_SECONDS = 2.0
STOP_RESULT_SECONDS = 10.0


def write_at(path: Path, offset: int, data: bytes, truncate: bool = False) -> None:
    """Write ``data`` at byte ``offset`` of ``path`` (created if missing); ``truncate`` cuts the file after it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        if data:
            os.pwrite(fd, data, offset)
        if truncate:
            os.ftruncate(fd, offset + len(data))
    finally:
        os.close(fd)


def _task_error(exc: BaseException) -> tuple[str, str]:
    name = type(exc).__name__
    if isinstance(exc, ModuleNotFoundError) and "hdnotebook" in str(exc):
        return "DaskWorkerSetup", f"hdnotebook is not installed on the Dask worker: {exc}. Install it there (pip install hdnotebook[dask])."
    if name == "KilledWorker":
        return "WorkerLost", f"Dask gave up on this run's task after the workers running it died: {exc}"
    return "DaskTaskFailed", f"The Dask task running this child failed on the cluster: {name}: {exc}"


class DaskTrial:
    """A child running as a ``supervise`` task; created by DaskExecutor.submit."""

    def __init__(self, executor: "DaskExecutor", spec: TrialSpec, key: str, future: Any, on_events: EventCallback) -> None:
        self.run_id = spec.run_id
        self.key = key
        self.worker: str | None = None
        self.nonce: str | None = None
        self._executor = executor
        self._future = future
        self._on_events = on_events
        self._log_path = Path(spec.log_path)
        self._run_dir = Path(spec.env[channel.ENV_RUN_DIR])
        self._end: dict[str, Any] | None = None
        self._ended = asyncio.Event()
        self._stop_requested = False
        loop = asyncio.get_running_loop()
        self._done: asyncio.Future[Outcome] = loop.create_future()
        self._watcher = loop.create_task(self._watch())

    @property
    def done(self) -> bool:
        """True once the outcome is settled."""
        return self._done.done()

    def running_on(self, address: str) -> bool:
        """True while the task's accepted attempt runs on the worker at ``address``."""
        return not self.done and self.worker == address and self._end is None

    def deliver(self, message: dict[str, Any]) -> None:
        """Apply one worker message: events, a log chunk, the start or the end."""
        if self.done:
            return
        if self.nonce is None:
            self.nonce, self.worker = message.get("nonce"), message.get("worker")
        elif message.get("nonce") != self.nonce:
            self.worker_lost(self.worker or "(unknown)")
            return
        kind = message.get("kind")
        if kind == "events":
            self._on_events(json.loads(message["events"]))
        elif kind == "log":
            write_at(self._log_path, int(message["offset"]), message["data"])
        elif kind == "end":
            self._end = message
            self._ended.set()
            if not message.get("in_result"):
                self._store_end(message)
                self._settle_end(message)

    def _store_end(self, end: dict[str, Any]) -> None:
        write_at(self._log_path, int(end["log_offset"]), end["log"], truncate=True)
        unpack(end["files"], self._run_dir)

    def _settle_end(self, end: dict[str, Any]) -> None:
        if self._stop_requested:
            self._settle(Outcome(OutcomeStatus.STOPPED, end["exit_code"]))
        else:
            self._settle(Outcome(OutcomeStatus(end["status"]), end["exit_code"], end["error"], end["error_code"]))

    def _settle(self, outcome: Outcome) -> None:
        if not self._done.done():
            self._done.set_result(outcome)
            self._executor.forget(self.key)
            self._future.release()
            if self._watcher is not asyncio.current_task():
                self._watcher.cancel()

    def worker_lost(self, address: str) -> None:
        """The worker running this child left the cluster: the run fails and Dask's rerun is canceled."""
        if self.done:
            return
        if self._stop_requested:
            self._settle(Outcome(OutcomeStatus.STOPPED))
        else:
            message = (f"The Dask worker {address} running this child run left the cluster (its process died or was shut down), "
                       "and the child died with it. Everything it logged until then is kept; its outputs did not come back. "
                       "Dask's automatic rerun of the task was canceled, so the run's metrics stay one curve.")
            self._settle(Outcome(OutcomeStatus.FAILED, None, message, "WorkerLost"))
        self._executor.abandon(self.key, self._future)

    def connection_lost(self, message: str) -> None:
        """The notebook lost the scheduler: the run fails with ``message``."""
        self._settle(Outcome(OutcomeStatus.FAILED, None, message, "SchedulerLost"))

    async def _watch(self) -> None:
        try:
            result = await self._future
        except Exception as exc:
            if self.done:
                return
            if self._end is not None:
                self._settle_end(self._end)
            elif self._stop_requested:
                self._settle(Outcome(OutcomeStatus.STOPPED))
            elif self._executor.connection_lost():
                self.connection_lost(str(self._executor.failure))
            else:
                code, message = _task_error(exc)
                self._settle(Outcome(OutcomeStatus.FAILED, None, message, code))
            return
        if self.nonce is None:
            self.nonce = result["nonce"]
        if self._end is None and not self.done:
            try:
                await asyncio.wait_for(self._ended.wait(), END_WAIT_SECONDS)
            except asyncio.TimeoutError:
                pass
        if self.done or result["nonce"] != self.nonce:
            return
        await asyncio.get_running_loop().run_in_executor(None, self._store_end, result["end"])
        self._settle_end(result["end"])

    async def stop(self, grace: float = 5.0) -> None:
        """Kill the child on its worker (SIGTERM, SIGKILL after ``grace``), then wait for its files; idempotent.

        A task that has not started yet is canceled on the scheduler (and stopped on any worker that
        starts it). The outcome is STOPPED.
        """
        if self.done:
            return
        self._stop_requested = True
        if self._executor.failure is not None:
            self.connection_lost(str(self._executor.failure))
            return
        await self._executor.kill(self.key, self.worker, grace)
        if self.worker is None:
            await self._executor.cancel(self._future)
        try:
            await asyncio.wait_for(asyncio.shield(self._done), grace + STOP_RESULT_SECONDS)
        except asyncio.TimeoutError:
            await self._executor.cancel(self._future)
            self._settle(Outcome(OutcomeStatus.STOPPED))

    async def outcome(self) -> Outcome:
        """Wait for the trial to end."""
        return await asyncio.shield(self._done)
