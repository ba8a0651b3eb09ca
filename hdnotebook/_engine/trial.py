"""Running one child run: executor start, events into the store, stop requests, final status and files.

A store that cannot be written (full disk, read-only file) never escapes as an exception here: the runner reports
it once (``on_store_failure``), stops its child and ends Failed; its final status is kept by the store until it
can be committed (``Store.record_end``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.executors.base import Executor, Outcome, OutcomeStatus, TrialHandle, TrialSpec
from hdnotebook._engine.layout import error_dict
from hdnotebook._engine.store import Store
from hdnotebook._engine.store.faults import write_failure
from hdnotebook.exceptions import STORE_FULL, StoreWriteError

STORE_STOP_GRACE_SECONDS = 1.0


class TrialRunner:
    """Drives one child from Queued to a final status.

    ``on_primary_metric`` is called (on the loop) whenever a batch carried the primary metric.
    ``on_store_failure`` is called (on the loop) once, with the first StoreWriteError of this runner's writes.
    ``timeout`` (seconds) cancels the child when it runs longer.
    """

    def __init__(self, store: Store, spec: TrialSpec, executor: Executor, *, primary_metric: str | None = None,
                 on_primary_metric: Callable[[], None] | None = None, timeout: float | None = None,
                 on_store_failure: Callable[[StoreWriteError], None] | None = None) -> None:
        self.store = store
        self.spec = spec
        self.run_id = spec.run_id
        self._executor = executor
        self._primary = primary_metric
        self._on_primary = on_primary_metric
        self._timeout = timeout
        self._on_store_failure = on_store_failure
        self.store_failure: StoreWriteError | None = None
        self._self_stop: asyncio.Task[None] | None = None
        self._ending = False
        self._handle: TrialHandle | None = None
        self._started = asyncio.Event()
        self._finished = asyncio.Event()
        self._stop: dict[str, Any] | None = None
        self._final_request: dict[str, Any] | None = None
        self.status: str = st.QUEUED

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop is not None

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event.get("op") == "final":
                self._final_request = event
        if self.store_failure is not None:  # the child is being stopped; its events cannot be kept
            return
        if not self._guarded(self.store.apply_events, events):
            return
        if self._on_primary is not None and any(
            e.get("op") == "metric" and e.get("name") == self._primary for e in events
        ):
            self._on_primary()

    def _guarded(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Call a store write; False, after ``fail_store``, when the store cannot be written."""
        try:
            write(*args, **kwargs)
            return True
        except (StoreWriteError, OSError) as exc:
            failure = write_failure(exc, self.store.path)
            if failure is None:
                raise
            self.fail_store(failure)
            return False

    def fail_store(self, failure: StoreWriteError, stop: bool = True) -> None:
        """The store cannot be written: stop writing the child's events and (with ``stop``) stop the child, which
        ends Failed with ``failure``. The first call reports ``failure`` to ``on_store_failure``; later calls do
        nothing."""
        if not self._report(failure):
            return
        if stop and self._stop is None and not self._ending:
            self._self_stop = asyncio.get_running_loop().create_task(
                self._halt("store", STORE_STOP_GRACE_SECONDS, store_error(failure), status=st.FAILED))

    def _report(self, failure: StoreWriteError) -> bool:
        """Keep the first store failure and pass it to ``on_store_failure``; False when one was kept before."""
        if self.store_failure is not None:
            return False
        self.store_failure = failure
        if self._on_store_failure is not None:
            self._on_store_failure(failure)
        return True

    async def run(self) -> str:
        """Start the child, wait for it, record the outcome; returns the final status."""
        try:
            return await self._run()
        finally:
            self._started.set()
            self._finished.set()

    async def _run(self) -> str:
        try:
            self._handle = await self._executor.submit(self.spec, self._on_events)
        except Exception as exc:
            self._started.set()
            return self._finish(Outcome(OutcomeStatus.FAILED, None, f"The child could not be started: {exc}", "StartFailed"))
        self._started.set()
        await self._handle.started()
        if self._stop is not None:
            await self._handle.stop(self._stop["grace"])
        elif self.store_failure is None:
            self._guarded(self.store.set_status, self.run_id, st.RUNNING, only_if_active=True)
        try:
            outcome = await asyncio.wait_for(self._handle.outcome(), self._timeout)
        except asyncio.TimeoutError:
            await self._halt("timeout", grace=5.0,
                            error=error_dict("MaxRunDurationExceeded", f"The run exceeded max_run_duration_seconds ({self._timeout:g} s)"))
            outcome = await self._handle.outcome()
        return self._finish(outcome)

    async def stop(self, reason: str, grace: float = 5.0, error: dict[str, Any] | None = None,
                   termination: dict[str, Any] | None = None, status: str = st.CANCELED) -> None:
        """Stop the child (idempotent: the first request decides) and wait until it has ended in ``status``
        (Canceled, or Failed when the stop is a failure's).

        ``termination`` records a policy's decision on the run.
        """
        await self._halt(reason, grace, error, termination, status)
        await self._finished.wait()

    async def _halt(self, reason: str, grace: float, error: dict[str, Any] | None = None,
                    termination: dict[str, Any] | None = None, status: str = st.CANCELED) -> None:
        if self._stop is None:
            self._stop = {"reason": reason, "grace": grace, "error": error, "status": status}
            if self.store_failure is None and termination is not None:
                self._guarded(self.store.add_properties, self.run_id, {"terminationReason": json.dumps(termination)})
            if self.store_failure is None:
                self._guarded(self.store.set_status, self.run_id, st.CANCEL_REQUESTED, only_if_active=True, details=reason)
        await self._started.wait()
        if self._handle is not None:
            await self._handle.stop(grace)

    def _finish(self, outcome: Outcome) -> str:
        self._ending = True  # the child has ended: a store failure from here on needs no stop
        lost = self.store_failure  # events were dropped: a child that completed did not keep all it logged
        if lost is None:
            self._guarded(self.store.register_run_files, self.run_id)
        error = None
        status: str
        if self._stop is not None:
            status, error = str(self._stop["status"]), self._stop["error"]
        elif lost is not None:
            status, error = st.FAILED, store_error(lost)
        elif outcome.status is OutcomeStatus.COMPLETED:
            status = st.COMPLETED
            if self._final_request is not None and self._final_request.get("status") in st.TERMINAL:
                status = str(self._final_request["status"])
                error = self._final_request.get("error")
        else:
            status = st.FAILED
            error = error_dict(outcome.error_code or "UserError", outcome.error or f"The child exited with code {outcome.exit_code}")
        if not self.store.record_end(self.run_id, status, error=error, only_if_active=False):
            self._report(self.store.write_error or StoreWriteError(self.store.path, "not committed", STORE_FULL))
        self.status = status
        return status


def store_error(failure: StoreWriteError) -> dict[str, Any]:
    """The error recorded on runs that ended because the store could not be written."""
    return error_dict(failure.error_code, str(failure))
