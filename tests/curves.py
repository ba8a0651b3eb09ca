"""Function children for the early-termination tests (importable by reference from worker processes)."""

from __future__ import annotations

import time

from hdnotebook import Run


def scripted(values: str, delay: float = 0.05, metric: str = "accuracy") -> None:
    """Logs the comma-separated ``values`` as ``metric``, one every ``delay`` seconds.

    ``"0.5*3"`` repeats a value (0.5, 0.5, 0.5); ``nan`` logs NaN; an item that is not a number is
    logged as a string.
    """
    run = Run.get_context()
    for item in expand(values):
        time.sleep(delay)
        try:
            value: float | str = float(item)
        except ValueError:
            value = item
        run.log(metric, value)


def expand(values: str) -> list[str]:
    """``"0.5*2,0.7"`` -> ``["0.5", "0.5", "0.7"]``."""
    out: list[str] = []
    for item in values.split(","):
        head, _, count = item.partition("*")
        out.extend([head] * (int(count) if count else 1))
    return out
