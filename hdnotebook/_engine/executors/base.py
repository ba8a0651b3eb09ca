"""The executor interface: start, watch and stop child runs; report their events and outcome.

An executor never touches the store, the widget or the policy. The tuning loop hands it a
TrialSpec and a callback for event batches; it returns a TrialHandle to stop the trial or await
its Outcome. LocalExecutor (processes on this machine) is the first implementation; a Dask
executor implements the same interface.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

EventCallback = Callable[[list[dict[str, Any]]], None]


class TrialKind(enum.Enum):
    """How a child run is executed."""

    SCRIPT = "script"
    FUNCTION = "function"


@dataclass
class TrialSpec:
    """Everything needed to start one child run.

    SCRIPT: ``argv`` is the full command, run in ``cwd``. FUNCTION: ``payload`` is
    ``cloudpickle.dumps(fn)`` (the same bytes for every child of a sweep), called with ``kwargs``
    in ``cwd`` with ``sys_path``.
    ``env`` holds the variables that tell the child which run it is. ``log_path`` receives the
    child's stdout and stderr.
    """

    run_id: str
    kind: TrialKind
    cwd: str
    env: dict[str, str]
    log_path: str
    argv: list[str] | None = None
    payload: bytes | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    sys_path: list[str] = field(default_factory=list)


class OutcomeStatus(enum.Enum):
    """How a trial ended, as the executor saw it."""

    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPED = "Stopped"


@dataclass(frozen=True)
class Outcome:
    """The end of a trial: status, exit code (None for in-process ends) and an error message."""

    status: OutcomeStatus
    exit_code: int | None = None
    error: str | None = None
    error_code: str | None = None


class TrialHandle(Protocol):
    """A running trial."""

    run_id: str

    async def started(self) -> None:
        """Wait until the child runs (a trial may first wait for a free slot on its target), or has ended."""

    async def stop(self, grace: float = 5.0) -> None:
        """Idempotent: SIGTERM to the trial's process group, SIGKILL after ``grace`` seconds."""

    async def outcome(self) -> Outcome:
        """Wait for the trial to end."""


class Executor(Protocol):
    """Runs trials (the caller decides how many at once).

    ``failure`` is None while the executor can run trials; it becomes the exception that ended it
    (e.g. a lost connection to a cluster), and the sweep then fails with that error.
    ``target_name`` says where the children run, as run details show it.
    """

    failure: BaseException | None

    @property
    def target_name(self) -> str:
        """Where the children run, as run details show it."""

    async def start(self) -> None:
        """Prepare resources (e.g. worker processes)."""

    async def submit(self, spec: TrialSpec, on_events: EventCallback) -> TrialHandle:
        """Start a trial; ``on_events`` is called on the loop with each batch of child events."""

    async def aclose(self) -> None:
        """Stop every trial and release resources."""
