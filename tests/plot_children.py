"""A function child for the plotting tests (importable by reference from worker processes)."""

from __future__ import annotations

import math
import time

from hdnotebook import Run


def trained(lr: float, dropout: float, width: int, act: str, epochs: int = 8, sleep: float = 0.02) -> None:
    """Logs ``accuracy`` (rising towards a ceiling set by the hyperparameters) and ``loss`` each epoch."""
    run = Run.get_context()
    ceiling = 0.95 - 0.05 * abs(math.log10(lr) + 3) - 0.2 * dropout - (0.05 if act == "tanh" else 0.0) - 0.0004 * width
    for epoch in range(1, epochs + 1):
        time.sleep(sleep)
        accuracy = ceiling * (1 - math.exp(-epoch / 2))
        run.log("accuracy", accuracy)
        run.log("loss", 1 - accuracy)
