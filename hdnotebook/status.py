"""Run status names (HyperDrive's) and which of them are final."""

from __future__ import annotations

NOT_STARTED = "NotStarted"
QUEUED = "Queued"
STARTING = "Starting"
RUNNING = "Running"
CANCEL_REQUESTED = "CancelRequested"
FINALIZING = "Finalizing"
COMPLETED = "Completed"
FAILED = "Failed"
CANCELED = "Canceled"

TERMINAL = frozenset({COMPLETED, FAILED, CANCELED})
ACTIVE = frozenset({NOT_STARTED, QUEUED, STARTING, RUNNING, CANCEL_REQUESTED, FINALIZING})


def is_terminal(status: str) -> bool:
    """True for Completed, Failed and Canceled."""
    return status in TERMINAL
