"""What an early-termination policy sees of a sweep, and what it decides."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCurve:
    """The primary-metric values one child logged, in logging order.

    ``values[k - 1]`` is the value at interval k. ``running`` is False once the run has ended
    (a policy may compare against it but never cancels it).
    """

    run_id: str
    values: tuple[float, ...]
    running: bool


@dataclass(frozen=True)
class Termination:
    """A policy's decision to stop one run, with what decided it (shown to the user)."""

    run_id: str
    policy: str
    interval: int
    value: float
    threshold: float | None
    reason: str
