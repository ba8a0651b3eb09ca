"""Running one child run: executor start, events into the store, stop requests, final status and files."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable

from hdnotebook import status as st
from hdnotebook.executors.base import Executor, Outcome, OutcomeStatus, TrialHandle, TrialSpec
from hdnotebook.store import Store

def error_dict(code: str, message: str) -> dict[str, Any]:
    """HyperDrive's error shape: ``{"error": {"code": ..., "message": ...}}``."""
    return {"error": {"code": code, "message": message}}


class TrialRunner:
    """Drives one child from Queued to a final status.

    ``on_primary_metric`` is called (on the loop) whenever a batch carried the primary metric.
    ``timeout`` (seconds) cancels the child when it runs longer.
    """

    def __init__(self, store: Store, spec: TrialSpec, executor: Executor, *, primary_metric: str | None = None,
                 on_primary_metric: Callable[[], None] | None = None, timeout: float | None = None) -> None:
        self.store = store
        self.spec = spec
        self.run_id = spec.run_id
        self._executor = executor
        self._primary = primary_metric
        self._on_primary = on_primary_metric
        self._timeout = timeout
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
        self.store.apply_events(events)
        if self._on_primary is not None and any(
            e.get("op") == "metric" and e.get("name") == self._primary for e in events
        ):
            self._on_primary()

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
        else:
            self.store.set_status(self.run_id, st.RUNNING, only_if_active=True)
        try:
            outcome = await asyncio.wait_for(self._handle.outcome(), self._timeout)
        except asyncio.TimeoutError:
            await self._halt("timeout", grace=5.0,
                            error=error_dict("MaxRunDurationExceeded", f"The run exceeded max_run_duration_seconds ({self._timeout:g} s)"))
            outcome = await self._handle.outcome()
        return self._finish(outcome)

    async def stop(self, reason: str, grace: float = 5.0, error: dict[str, Any] | None = None,
                   termination: dict[str, Any] | None = None) -> None:
        """Stop the child (idempotent) and wait until it is recorded Canceled.

        ``termination`` records a policy's decision on the run.
        """
        await self._halt(reason, grace, error, termination)
        await self._finished.wait()

    async def _halt(self, reason: str, grace: float, error: dict[str, Any] | None = None,
                    termination: dict[str, Any] | None = None) -> None:
        if self._stop is None:
            self._stop = {"reason": reason, "grace": grace, "error": error}
            if termination is not None:
                self.store.add_properties(self.run_id, {"terminationReason": json.dumps(termination)})
            self.store.set_status(self.run_id, st.CANCEL_REQUESTED, only_if_active=True, details=reason)
        await self._started.wait()
        if self._handle is not None:
            await self._handle.stop(grace)

    def _finish(self, outcome: Outcome) -> str:
        self.store.register_run_files(self.run_id)
        error = None
        if self._stop is not None:
            status, error = st.CANCELED, self._stop["error"]
        elif outcome.status is OutcomeStatus.COMPLETED:
            status = st.COMPLETED
            if self._final_request is not None and self._final_request.get("status") in st.TERMINAL:
                status = self._final_request["status"]
                error = self._final_request.get("error")
        else:
            status = st.FAILED
            error = error_dict(outcome.error_code or "UserError", outcome.error or f"The child exited with code {outcome.exit_code}")
        self.store.set_status(self.run_id, status, error=error, only_if_active=False)
        self.status = status
        return status
