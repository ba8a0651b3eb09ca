"""Function children for sweeps on the in-process test executor (executors/inline.py).

They run in threads of the test's own process, so they can share state with the test: ``GAUGE`` counts the
children running at once.
"""

from __future__ import annotations

import threading
import time

from hdnotebook import Run


class Gauge:
    """How many children run now, and the most that ever ran at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def reset(self) -> None:
        with self._lock:
            self.running = self.peak = 0

    def enter(self) -> None:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)

    def leave(self) -> None:
        with self._lock:
            self.running -= 1


GAUGE = Gauge()


def scored(x: float) -> None:
    """Logs ``score = -(x - 1)^2``."""
    Run.get_context().log("score", -((x - 1) ** 2))


def occupying(x: float, seconds: float = 0.1) -> None:
    """Counts itself in GAUGE while it sleeps ``seconds``, then logs ``score = x``."""
    GAUGE.enter()
    try:
        time.sleep(seconds)
    finally:
        GAUGE.leave()
    Run.get_context().log("score", x)


def ticking(seconds: float, x: float = 0.0) -> None:
    """Logs ``score = x`` every 20 ms for ``seconds`` (a stop takes effect at its next log)."""
    run = Run.get_context()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.log("score", x)
        time.sleep(0.02)
