"""Function children run in reusable worker processes, one trial per worker at a time.

A worker runs below a guard (see process.spawn), which kills the worker's whole tree with it. Stopping a trial
kills its worker (a function cannot be interrupted safely any other way); a trial that ends normally returns its worker to the pool.
Records the worker's pipe reader could not decode are reported in the log of the trial it was running.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from typing import Any

from hdnotebook._engine.executors.base import EventCallback, Outcome, OutcomeStatus, TrialSpec
from hdnotebook._engine.executors.process import (
    EventPipe,
    append_to_log,
    child_environment,
    exit_description,
    spawn,
    stop_tree,
    sweep_session,
)
from hdnotebook._engine.executors.worker import ENV_WORKER_EVENTS_FD, frame


class Worker:
    """One worker process and the trial it is running, if any."""

    def __init__(self, process: asyncio.subprocess.Process, pipe: EventPipe) -> None:
        self.process = process
        self.pipe = pipe
        self.trial: FunctionTrial | None = None
        self.functions: set[str] = set()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    async def spawn(cls, cwd: str) -> Worker:
        """Start a worker process and wait until it can take tasks."""
        pipe = EventPipe()
        env = child_environment({ENV_WORKER_EVENTS_FD: str(pipe.write_fd)})
        process = await spawn([sys.executable, "-m", "hdnotebook._engine.executors.worker"], env, cwd, (pipe.write_fd,),
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pipe.close_write_end()
        worker = cls(process, pipe)
        await pipe.listen(worker._on_events, worker._report)
        asyncio.get_running_loop().create_task(worker._watch())
        await worker.ready
        return worker

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.returncode is None

    def _report(self, message: str) -> None:
        if self.trial is not None:
            append_to_log(self.trial.log_path, message)
        else:
            print(message, file=sys.stderr, flush=True)

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        forward: list[dict[str, Any]] = []
        for event in events:
            op = event.get("op")
            if op == "ready":
                if not self.ready.done():
                    self.ready.set_result(None)
            elif op == "end":
                if forward and self.trial is not None:
                    self.trial.on_events(forward)
                forward = []
                if self.pipe.decoder is not None:  # a record a process of the task left unfinished will not end now
                    self.pipe.decoder.abandon_unfinished()
                if self.trial is not None and self.trial.run_id == event.get("run"):
                    self.trial.finish(event)
            elif self.trial is not None:
                forward.append(event)
        if forward and self.trial is not None:
            self.trial.on_events(forward)

    async def _watch(self) -> None:
        code = await self.process.wait()
        await sweep_session(self.process)
        await self.pipe.drain(1.0)
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f"the function worker exited with code {code} before it was ready"))
        if self.trial is not None:
            self.trial.lost(code)

    async def stop(self, grace: float) -> None:
        """Stop the worker and its whole tree."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        await stop_tree(self.process, grace)


class FunctionTrial:
    """A function child running in a worker."""

    def __init__(self, spec: TrialSpec, worker: Worker, on_events: EventCallback, release: Any) -> None:
        self.run_id = spec.run_id
        self.log_path = spec.log_path
        self.on_events = on_events
        self._worker = worker
        self._release = release
        self._done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._stop_requested = False
        worker.trial = self
        assert spec.payload is not None, "a function trial needs a payload"
        digest = hashlib.sha256(spec.payload).hexdigest()
        task = {
            "run_id": spec.run_id, "env": spec.env, "cwd": spec.cwd, "sys_path": spec.sys_path,
            "log_path": spec.log_path, "digest": digest, "kwargs": spec.kwargs,
            "payload": None if digest in worker.functions else spec.payload,
        }
        worker.functions.add(digest)
        assert worker.process.stdin is not None
        worker.process.stdin.write(frame(task))

    def finish(self, event: dict[str, Any]) -> None:
        """The worker reported the end of this trial."""
        self._worker.trial = None
        if self._done.done():
            return
        if event.get("status") == "Completed":
            self._done.set_result(Outcome(OutcomeStatus.COMPLETED))
        else:
            self._done.set_result(Outcome(OutcomeStatus.FAILED, None, event.get("error"), "UserError"))
        self._release(self._worker)

    def lost(self, code: int | None) -> None:
        """The worker died while running this trial."""
        self._worker.trial = None
        if self._done.done():
            return
        if self._stop_requested:
            self._done.set_result(Outcome(OutcomeStatus.STOPPED, code))
        else:
            message = f"The worker process running the function ended unexpectedly: it {exit_description(code)}"
            self._done.set_result(Outcome(OutcomeStatus.FAILED, code, message, "WorkerLost"))

    async def started(self) -> None:
        """A local child runs as soon as it is submitted."""

    async def stop(self, grace: float = 5.0) -> None:
        """Kill the worker (SIGTERM, then SIGKILL after ``grace``); the trial ends STOPPED."""
        if self._done.done():
            return
        self._stop_requested = True
        await self._worker.stop(grace)
        await asyncio.shield(self._done)

    async def outcome(self) -> Outcome:
        """Wait for the trial to end."""
        return await asyncio.shield(self._done)
