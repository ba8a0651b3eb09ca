"""InlineExecutor: an in-process test double of the Executor protocol (as httpx's MockTransport is of a transport).

It runs FUNCTION trials in threads of this process, so a whole sweep runs in milliseconds per child; the
scheduler cannot tell it from LocalExecutor. Select it with the compute target ``InlineTarget()`` (see
``selection.executor_for``); it is for tests, not exported from ``hdnotebook``.

What it shares with the real executors: the function is unpickled from ``spec.payload`` and called with
``spec.kwargs``; every event goes through the channel's JSON encoding (``channel.encode``) and reaches the
loop's callback in the order it was sent; ``Run.get_context()`` in the function returns the child's run (through
``inline_context``, not the environment); the Outcome is COMPLETED, FAILED with the traceback's text (also
appended to ``log_path``), or STOPPED after ``stop()``.

What it cannot honour, since every thread shares the process: ``spec.env`` is seen by ``Run.get_context()`` but
not set in ``os.environ``; ``spec.cwd`` and ``spec.sys_path`` are not applied; the function's prints go to this
process's output, not ``log_path``; nothing can kill it by a signal. SCRIPT trials are refused.

Stopping is cooperative, with abandonment: ``stop()`` sets a flag that the child's next event send sees (it raises
TrialStopped, a BaseException so that ``except Exception`` in the function does not swallow it). A child that does
not send within ``grace`` seconds is abandoned: its daemon thread runs on unobserved (a Python thread cannot be
killed), every later event of it is dropped, and the trial ends STOPPED at once. A thread, not a task on the
loop: functions block (``time.sleep``, computation), and on the loop's thread they would freeze every other trial
and the very ``stop()`` meant to end them.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import threading
import traceback
from collections.abc import Callable
from typing import Any

from hdnotebook._engine import channel
from hdnotebook._engine.executors.base import EventCallback, Outcome, OutcomeStatus, TrialKind, TrialSpec
from hdnotebook._engine.executors.inline_context import InlineChild, current
from hdnotebook._engine.executors.process import append_to_log
from hdnotebook._engine.executors.running import RunningTrials
from hdnotebook.exceptions import UserErrorException

ERROR_LINES = 30
"""How many lines of a traceback an outcome's error keeps: the first and the last 29 (as the function worker)."""


class InlineTarget:
    """The compute target that selects the InlineExecutor (tests only); run details name it ``"inline"``."""

    name = "inline"

    def __repr__(self) -> str:
        return "InlineTarget()"


def is_inline_target(value: object) -> bool:
    """True for an InlineTarget."""
    return isinstance(value, InlineTarget)


class TrialStopped(BaseException):
    """Raised in an inline child at its next event once its trial was asked to stop."""


class _Sink:
    """The child's end of the channel: events to the loop, in order; refuses once the trial is stopping."""

    def __init__(self, trial: InlineTrial) -> None:
        self._trial = trial

    def send(self, event: dict[str, Any]) -> None:
        """Hand one event to the loop (as the JSON the pipe would carry); TrialStopped once a stop was requested."""
        if self._trial.stop_requested.is_set():
            raise TrialStopped(self._trial.run_id)
        decoded = json.loads(channel.encode(event))
        self._trial.loop.call_soon_threadsafe(self._trial.deliver, [decoded])


def error_text(exc: BaseException) -> str:
    """A failed child's traceback (without this module's frame), as its first line and last lines."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None))
    lines = text.rstrip("\n").split("\n")
    return "\n".join(lines[:1] + lines[1:][-(ERROR_LINES - 1):])


class InlineTrial:
    """One function child running in a daemon thread of this process."""

    def __init__(self, spec: TrialSpec, function: Callable[..., Any], on_events: EventCallback) -> None:
        self.run_id = spec.run_id
        self.loop = asyncio.get_running_loop()
        self.stop_requested = threading.Event()
        self._spec = spec
        self._on_events = on_events
        self._done: asyncio.Future[Outcome] = self.loop.create_future()
        context = contextvars.copy_context()
        context.run(current.set, InlineChild(spec.run_id, dict(spec.env), _Sink(self)))
        self._thread = threading.Thread(target=context.run, args=(self._call, function), daemon=True,
                                        name=f"hdnotebook-inline-{spec.run_id}")
        self._thread.start()

    def deliver(self, events: list[dict[str, Any]]) -> None:
        """On the loop: pass events on, unless the trial has ended (an abandoned child's late events are dropped)."""
        if not self._done.done():
            self._on_events(events)

    def _call(self, function: Callable[..., Any]) -> None:
        status, error = OutcomeStatus.COMPLETED, None
        try:
            function(**self._spec.kwargs)
        except TrialStopped:
            status = OutcomeStatus.STOPPED
        except SystemExit as exc:
            if exc.code not in (None, 0):
                status, error = OutcomeStatus.FAILED, f"SystemExit: {exc.code}"
        except BaseException as exc:
            status, error = OutcomeStatus.FAILED, error_text(exc)
            append_to_log(self._spec.log_path, error)
        if self.stop_requested.is_set():
            status, error = OutcomeStatus.STOPPED, None
        outcome = Outcome(status, None, error, "UserError" if error else None)
        try:
            self.loop.call_soon_threadsafe(self._settle, outcome)
        except RuntimeError:  # the loop was closed while an abandoned child ran on
            pass

    def _settle(self, outcome: Outcome) -> None:
        if not self._done.done():
            self._done.set_result(outcome)

    async def started(self) -> None:
        """An inline child runs as soon as it is submitted."""

    async def stop(self, grace: float = 5.0) -> None:
        """Idempotent: ask the child to stop (its next event raises TrialStopped); after ``grace`` seconds without an
        end, abandon its thread. The outcome is STOPPED either way (unless the child had already ended)."""
        if self._done.done():
            return
        self.stop_requested.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._done), grace)
        except asyncio.TimeoutError:
            self._settle(Outcome(OutcomeStatus.STOPPED))

    async def outcome(self) -> Outcome:
        """Wait for the trial to end."""
        return await asyncio.shield(self._done)


class InlineExecutor:
    """Runs FUNCTION trials in threads of this process (see the module docstring); ``slots`` is not enforced here
    (the scheduler keeps to its concurrency limit, as with LocalExecutor)."""

    target_name = "inline"

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.failure: BaseException | None = None
        self._functions: dict[str, Callable[..., Any]] = {}
        self._trials = RunningTrials()

    async def start(self) -> None:
        """Nothing to prepare."""

    def _function(self, payload: bytes) -> Callable[..., Any]:
        import cloudpickle

        digest = hashlib.sha256(payload).hexdigest()
        function = self._functions.get(digest)
        if function is None:
            function = self._functions[digest] = cloudpickle.loads(payload)
        return function

    async def submit(self, spec: TrialSpec, on_events: EventCallback) -> InlineTrial:
        """Start a FUNCTION trial in a thread; a SCRIPT trial raises UserErrorException (the double runs no processes)."""
        if spec.kind is not TrialKind.FUNCTION or spec.payload is None:
            raise UserErrorException(f"InlineExecutor runs FUNCTION trials with a payload only, got a {spec.kind.value} "
                                     f"trial for run {spec.run_id!r}")
        trial = InlineTrial(spec, self._function(spec.payload), on_events)
        self._trials.add(trial)
        return trial

    async def aclose(self, grace: float = 1.0) -> None:
        """Stop every running trial (abandoning those that do not end within ``grace`` seconds)."""
        await self._trials.stop_all(grace)
