"""The notebook's side of the Dask slots: how many slot tasks run, which trial each runs, and the trials waiting.

A slot is a long-running ``serve_slot`` task (see supervise.py) that holds one worker thread for the
sweep. The pool starts one slot per trial that is queued or running, up to ``size`` (the sweep's
``max_concurrent_runs``): a sweep never holds more threads than it uses, and when the cluster has
fewer free threads the extra slot tasks wait on the scheduler (which is also what asks an adaptive
cluster to scale up) while their trials stay Queued. A slot becomes usable with its ``ready``
message, which names its worker and its attempt (``nonce``); trials are handed to a ready slot in
the order they were submitted.

Faults: when a slot's worker leaves the cluster, the trial it ran fails (WorkerLost) and the slot
waits for Dask's rerun of its task to announce a new attempt. When a slot task itself fails or
ends, the trial it was running fails: WorkerLost when its worker is gone from the cluster (the slot
task may fail before the scheduler's ``remove-worker`` event arrives, e.g. when the worker held the
scattered function), else with the task's error. A slot that fails before it ever announced itself
(hdnotebook missing on the workers, other versions) ends the oldest queued trial with its error,
so an error that would repeat on every slot ends trials one by one instead of looping. A new slot
is started for the trials still waiting.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hdnotebook._engine.executors.dask_executor import DaskExecutor
    from hdnotebook._engine.executors.dask_trial import DaskTrial


class DaskSlot:
    """One slot task: its Dask future, its current attempt (``nonce``), worker and trial."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.future: Any = None
        self.nonce: str | None = None
        self.worker: str | None = None
        self.trial: DaskTrial | None = None
        self.announced = False

    @property
    def idle(self) -> bool:
        """True when the slot is ready on a worker and runs no trial."""
        return self.nonce is not None and self.worker is not None and self.trial is None


def slot_task_error(exc: BaseException) -> tuple[str, str]:
    """The error code and message for a slot task that failed on the cluster with ``exc``."""
    name = type(exc).__name__
    if isinstance(exc, ModuleNotFoundError) and "hdnotebook" in str(exc):
        return "DaskWorkerSetup", f"hdnotebook is not installed on the Dask worker: {exc}. Install it there (pip install hdnotebook[dask])."
    if name == "KilledWorker":
        return "WorkerLost", f"Dask gave up on running children after the workers running them died: {exc}"
    return "DaskTaskFailed", f"The Dask task running children failed on the cluster: {name}: {exc}"


class SlotPool:
    """Slots of one DaskExecutor and the queue of trials waiting for one."""

    def __init__(self, executor: DaskExecutor, size: int) -> None:
        self.size = size
        self._executor = executor
        self._slots: dict[str, DaskSlot] = {}
        self._queue: deque[DaskTrial] = deque()

    def enqueue(self, trial: DaskTrial) -> None:
        """Queue a trial; it starts as soon as a slot is ready."""
        self._queue.append(trial)
        self._grow()
        self._dispatch()

    def release(self, trial: DaskTrial) -> None:
        """A trial ended: take it out of the queue or free its slot."""
        try:
            self._queue.remove(trial)
        except ValueError:
            pass
        for slot in self._slots.values():
            if slot.trial is trial:
                slot.trial = None
        self._dispatch()

    def ready(self, message: dict[str, Any]) -> None:
        """A slot attempt announced itself; a new attempt means the previous one's worker died."""
        slot = self._slots.get(message.get("key", ""))
        if slot is None or slot.nonce == message.get("nonce"):
            return
        if slot.trial is not None and slot.nonce is not None:
            trial, slot.trial = slot.trial, None
            trial.worker_lost(slot.worker or "(unknown)")
        slot.nonce, slot.worker, slot.announced = message.get("nonce"), message.get("worker"), True
        self._dispatch()

    def worker_removed(self, address: str) -> None:
        """The worker at ``address`` left: its slots wait for new attempts and their trials fail."""
        for slot in self._slots.values():
            if slot.worker == address:
                trial, slot.trial, slot.nonce, slot.worker = slot.trial, None, None, None
                if trial is not None:
                    trial.worker_lost(address)

    def _grow(self) -> None:
        busy = sum(slot.trial is not None for slot in self._slots.values())
        while len(self._slots) < min(self.size, busy + len(self._queue)):
            slot = DaskSlot(f"hdnotebook-slot-{uuid.uuid4().hex}")
            self._slots[slot.key] = slot
            self._executor.spawn(self._run(slot))

    def _dispatch(self) -> None:
        if self._executor.failure is not None:
            return
        for slot in self._slots.values():
            if not self._queue:
                return
            if slot.idle:
                trial = slot.trial = self._queue.popleft()
                trial.worker = slot.worker
                self._executor.spawn(self._hand_over(slot, trial, slot.nonce))

    async def _hand_over(self, slot: DaskSlot, trial: DaskTrial, nonce: str | None) -> None:
        from hdnotebook._engine.executors.dask_executor import DaskCallFailed
        from hdnotebook._engine.executors.supervise import hand_over

        worker = slot.worker
        assert worker is not None
        try:
            if trial.resume_archive is not None:
                await self._executor.send_parts(worker, trial.key, trial.resume_archive)
            accepted = await self._executor.run_on(worker, hand_over, slot.key, nonce, trial.task)
        except DaskCallFailed as exc:
            if slot.trial is trial:
                slot.trial = None
            if not await self._executor.has_worker(worker):
                trial.worker_lost(worker)
            else:
                trial.fail("DaskTaskFailed", f"The child could not be handed to the Dask worker {worker}: {exc}")
            self._dispatch()
            return
        if accepted:
            trial.handed_over()
            return
        # that attempt of the slot is gone (its worker died; Dask will rerun it and it will announce itself)
        if slot.nonce == nonce:
            slot.nonce = slot.worker = None
        if slot.trial is trial:
            slot.trial = None
        if not trial.done:
            trial.worker = None
            if trial.stop_requested:
                trial.fail("Stopped", "stopped before it started")
            else:
                self._queue.appendleft(trial)
        self._dispatch()

    async def _run(self, slot: DaskSlot) -> None:
        from hdnotebook._engine.executors.supervise import serve_slot

        executor = self._executor
        error: tuple[str, str] | None = None
        try:
            slot.future = await executor.submit_slot(serve_slot, slot.key)
            result = await slot.future
            if result.get("error"):
                error = (result["error_code"], result["error"])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = slot_task_error(exc)
        finally:
            del self._slots[slot.key]
        if executor.closing or executor.connection_lost():
            return
        trial, slot.trial = slot.trial, None
        if trial is not None and not trial.done:
            if trial.worker is not None and not await executor.has_worker(trial.worker):
                trial.worker_lost(trial.worker)
            else:
                trial.fail(*(error or ("DaskTaskFailed", "The Dask task running this child ended before the child did.")))
        elif error is not None and not slot.announced and self._queue:
            self._queue.popleft().fail(*error)
        self._grow()
        self._dispatch()

    def futures(self) -> list[Any]:
        """The slot tasks' futures (to cancel them when the executor closes)."""
        return [slot.future for slot in self._slots.values() if slot.future is not None]
