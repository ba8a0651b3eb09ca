"""LocalExecutor: child runs as processes on this machine (scripts directly, functions in reused workers)."""

from __future__ import annotations

import asyncio
import os

from hdnotebook._engine.executors.base import EventCallback, TrialHandle, TrialKind, TrialSpec
from hdnotebook._engine.executors.function_trial import FunctionTrial, Worker
from hdnotebook._engine.executors.running import RunningTrials
from hdnotebook._engine.executors.script_trial import ScriptTrial


class LocalExecutor:
    """Runs trials on this machine, as many at once as the caller submits (a sweep keeps to its
    ``max_concurrent_runs``; ``slots`` is that number).

    ``prestart_workers`` (at most ``slots``) starts that many function workers in ``start()`` so the first
    function trials do not wait for Python to start.
    """

    target_name = "local"

    def __init__(self, slots: int, prestart_workers: int = 0, cwd: str | None = None) -> None:
        self.failure: BaseException | None = None
        self._prestart = min(prestart_workers, slots)
        self._cwd = cwd or os.getcwd()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._trials = RunningTrials()

    async def start(self) -> None:
        """Start the prestarted function workers."""
        workers = await asyncio.gather(*(Worker.spawn(self._cwd) for _ in range(self._prestart)))
        self._workers.update(workers)
        self._idle.extend(workers)

    def _release(self, worker: Worker) -> None:
        if worker.alive and worker in self._workers:
            self._idle.append(worker)

    async def _worker(self) -> Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.alive:
                return worker
            self._workers.discard(worker)
        worker = await Worker.spawn(self._cwd)
        self._workers.add(worker)
        return worker

    async def submit(self, spec: TrialSpec, on_events: EventCallback) -> TrialHandle:
        """Start a trial of either kind."""
        trial: TrialHandle
        if spec.kind is TrialKind.SCRIPT:
            trial = await ScriptTrial.start(spec, on_events)
        else:
            trial = FunctionTrial(spec, await self._worker(), on_events, self._release)
        self._trials.add(trial)
        return trial

    async def aclose(self, grace: float = 1.0) -> None:
        """Stop running trials and every worker."""
        await self._trials.stop_all(grace)
        await asyncio.gather(*(w.stop(grace) for w in list(self._workers)), return_exceptions=True)
        self._idle.clear()
        self._workers.clear()
