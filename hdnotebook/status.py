"""Run status names (HyperDrive's) and which of them are final."""

from __future__ import annotations

NOT_STARTED = "NotStarted"
QUEUED = "Queued"
RUNNING = "Running"
CANCEL_REQUESTED = "CancelRequested"
COMPLETED = "Completed"
FAILED = "Failed"
CANCELED = "Canceled"

TERMINAL = frozenset({COMPLETED, FAILED, CANCELED})


def is_terminal(status: str) -> bool:
    """True for Completed, Failed and Canceled."""
    return status in TERMINAL
