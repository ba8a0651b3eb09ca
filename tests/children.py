"""Function children used by the tests (importable by reference from worker processes)."""

from __future__ import annotations

import os
import time

from hdnotebook import Run


def quadratic(x: float, y: float = 0.0, epochs: int = 3, sleep: float = 0.0) -> None:
    """Logs ``score = -(x-1)^2 - y^2`` ``epochs`` times, plus the pid and working folder."""
    run = Run.get_context()
    run.log("pid", os.getpid())
    run.log("cwd", os.getcwd())
    for _ in range(epochs):
        time.sleep(sleep)
        run.log("score", -((x - 1) ** 2) - y**2)


def failing(x: int) -> None:
    """Raises when x is odd, after logging x."""
    Run.get_context().log("x", x)
    if x % 2:
        raise ValueError(f"odd value {x}")


def sleeper(seconds: float) -> None:
    """Logs ``started`` and sleeps."""
    Run.get_context().log("started", 1)
    time.sleep(seconds)
    Run.get_context().log("finished", 1)


def curve(values: str, delay: float = 0.05) -> None:
    """Logs the comma-separated ``values`` as ``loss``, one every ``delay`` seconds."""
    run = Run.get_context()
    for value in values.split(","):
        time.sleep(delay)
        run.log("loss", float(value))
