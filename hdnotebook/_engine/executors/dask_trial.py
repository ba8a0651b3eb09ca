"""The notebook side of one child on a Dask worker: a TrialHandle fed by worker messages.

A trial waits in the executor's queue until a slot is free (see dask_slots.py), is handed over to
that slot's worker (``started()`` returns then), and ends with its ``end`` message, which comes
after every other message of the trial: the outcome is settled once the rest of the log and the
child's files are in the run folder, so a Completed run has all its metrics and files. When the
files were too large for a message, they are fetched from the worker first. Messages that arrive
after the outcome is settled are dropped. A run whose files cannot be fetched fails (``DaskResultLost``).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook._engine import channel
from hdnotebook._engine.executors.base import EventCallback, Outcome, OutcomeStatus, TrialSpec
from hdnotebook._engine.executors.dask_files import unpack

if TYPE_CHECKING:
    from hdnotebook._engine.executors.dask_executor import DaskExecutor

STOP_RESULT_SECONDS = 10.0
WORKER_LOST_MESSAGE = ("The Dask worker {address} running this child run left the cluster (its process died or was shut down), "
                       "and the child died with it. Everything it logged until then is kept; its outputs did not come back. "
                       "The run is not retried, so its metrics stay one curve.")


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


class DaskTrial:
    """A child run on a Dask worker; created by DaskExecutor.submit.

    ``task`` is what the worker's slot receives (see supervise.run_trial). ``worker`` is the
    address of the worker it was handed to (None while it waits for a slot). ``resume_archive`` is
    the zipped checkpoint folder of a resumed child, sent to the worker before the trial.
    """

    def __init__(self, executor: DaskExecutor, spec: TrialSpec, key: str, task: dict[str, Any],
                 on_events: EventCallback) -> None:
        self.run_id = spec.run_id
        self.key = key
        self.task = task
        self.worker: str | None = None
        self.resume_archive: bytes | None = None
        self._executor = executor
        self._on_events = on_events
        self._log_path = Path(spec.log_path)
        self._run_dir = Path(spec.env[channel.ENV_RUN_DIR])
        self._began = asyncio.Event()
        self.stop_requested = False
        self._done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    @property
    def done(self) -> bool:
        """True once the outcome is settled."""
        return self._done.done()

    def handed_over(self) -> None:
        """The worker's slot accepted the trial: it is running."""
        self._began.set()

    def deliver(self, message: dict[str, Any]) -> None:
        """Apply one worker message: events, a log chunk or the end."""
        if self.done:
            return
        kind = message.get("kind")
        if kind == "events":
            self._on_events(json.loads(message["events"]))
        elif kind == "log":
            write_at(self._log_path, int(message["offset"]), message["data"])
        elif kind == "end":
            if message.get("events"):
                self._on_events(json.loads(message["events"]))
            if message.get("in_result"):
                self._executor.spawn(self._collect_end(message))
            else:
                self._store_end(message)
                self._settle_end(message)

    async def _collect_end(self, message: dict[str, Any]) -> None:
        end = await self._executor.collect_end(self.key, self.worker)
        if self.done:
            return
        if end is None:
            self.fail("DaskResultLost", f"The child ended {message['status']} on the Dask worker {self.worker}, but its files "
                                        "and the end of its log could not be fetched from there (the worker left or dropped them).")
            return
        await asyncio.get_running_loop().run_in_executor(None, self._store_end, end)
        self._settle_end(end)

    def _store_end(self, end: dict[str, Any]) -> None:
        write_at(self._log_path, int(end["log_offset"]), end["log"], truncate=True)
        unpack(end["files"], self._run_dir)

    def _settle_end(self, end: dict[str, Any]) -> None:
        if self.stop_requested:
            self._settle(Outcome(OutcomeStatus.STOPPED, end["exit_code"]))
        else:
            self._settle(Outcome(OutcomeStatus(end["status"]), end["exit_code"], end["error"], end["error_code"]))

    def _settle(self, outcome: Outcome) -> None:
        if not self._done.done():
            self._done.set_result(outcome)
            self._began.set()
            self._executor.settled(self)

    def fail(self, code: str, message: str) -> None:
        """End the trial Failed (Stopped when a stop was requested) with ``code`` and ``message``."""
        if self.stop_requested:
            self._settle(Outcome(OutcomeStatus.STOPPED))
        else:
            self._settle(Outcome(OutcomeStatus.FAILED, None, message, code))

    def worker_lost(self, address: str) -> None:
        """The worker running this child left the cluster: the run fails (its child died with the worker)."""
        if self.done:
            return
        self.fail("WorkerLost", WORKER_LOST_MESSAGE.format(address=address))
        self._executor.abandon(self.key)

    def connection_lost(self, message: str) -> None:
        """The notebook lost the scheduler: the run fails with ``message``."""
        self._settle(Outcome(OutcomeStatus.FAILED, None, message, "SchedulerLost"))

    async def started(self) -> None:
        """Wait until a worker's slot took the trial (or the trial ended before that)."""
        await self._began.wait()

    async def stop(self, grace: float = 5.0) -> None:
        """Kill the child on its worker (SIGTERM, SIGKILL after ``grace``), then wait for its files; idempotent.

        A trial still waiting for a slot is taken out of the queue. The outcome is STOPPED.
        """
        if self.done:
            return
        self.stop_requested = True
        if self._executor.failure is not None:
            self.connection_lost(str(self._executor.failure))
            return
        if self.worker is None:
            self._settle(Outcome(OutcomeStatus.STOPPED))
            return
        await self._executor.kill(self.key, self.worker, grace)
        try:
            await asyncio.wait_for(asyncio.shield(self._done), grace + STOP_RESULT_SECONDS)
        except asyncio.TimeoutError:
            self._settle(Outcome(OutcomeStatus.STOPPED))

    async def outcome(self) -> Outcome:
        """Wait for the trial to end."""
        return await asyncio.shield(self._done)
