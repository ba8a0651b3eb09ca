"""What an early-termination policy sees of a sweep, and what it decides."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCurve:
    """The primary-metric values one child logged, in logging order.

    ``values[k - 1]`` is the value at interval k. ``running`` is False once the run has ended or is
    being stopped (a policy may compare against it but never cancels it). ``arrival``, when given,
    holds one non-decreasing key per value saying when it reached the store (the tuning loop uses
    the store's metric row id, ``replay`` the time step); ASHAPolicy uses it to know which runs had
    reached a rung before this one. Equal keys count as simultaneous.
    """

    run_id: str
    values: tuple[float, ...]
    running: bool
    arrival: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Termination:
    """A policy's decision to stop one run, with what decided it (shown to the user).

    ``interval`` is the interval the run was judged at, ``value`` the run's figure that was judged
    (its best so far for the HyperDrive policies, its value at the rung for ASHA; None when it has no
    finite value, so the record stays standard JSON), ``threshold`` the cutoff it missed and ``reason``
    a sentence stating the numbers.
    """

    run_id: str
    policy: str
    interval: int
    value: float | None
    threshold: float | None
    reason: str
