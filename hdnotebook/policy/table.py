"""The curves of a sweep as numpy arrays oriented so that higher is better, shared by the policies.

Rules common to every policy (their module docstrings refer here):

* **Intervals.** ``values[k - 1]`` is interval k. Only numbers count: the store skips strings,
  booleans and None, so a run that logs only those has no interval and is never judged.
* **NaN and infinities.** A non-finite value is treated as missing in every reference (a leader,
  a running average, a median) and as the worst possible value for the run's own figure. A run's
  best so far ignores its non-finite values; a run with no finite value in its first N intervals
  has the worst possible best (so it is stopped whenever a reference exists) and is left out of
  the references. Nothing raises.
* **Ties.** A value within ``TOLERANCE`` (relative, at least absolute) of a cutoff counts as on it,
  and a run on the cutoff is kept, so float rounding never stops a run (0.8 - 0.2 is
  0.6000000000000001).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from hdnotebook._lazy import lazy_module
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.history import RunCurve, Termination

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

TOLERANCE = 1e-9


def fmt(value: float) -> str:
    """A number as shown in a termination reason (4 significant digits)."""
    return "NaN" if np.isnan(value) else f"{value:.4g}"


def worse(score: float, cutoff: float) -> bool:
    """True when ``score`` is strictly worse than ``cutoff`` beyond the tolerance (NaN is worst)."""
    if np.isnan(score):
        return not np.isnan(cutoff)
    if np.isinf(cutoff):
        return score < cutoff
    return score < cutoff - TOLERANCE * max(1.0, abs(cutoff))


class Scored:
    """What turns scores back into the metric's units and decisions; needs ``maximize``, ``sign`` and ``run_ids``."""

    maximize: bool
    sign: float
    run_ids: list[str]

    @staticmethod
    def worse(score: float, cutoff: float) -> bool:
        """True when ``score`` is strictly worse than ``cutoff`` beyond the tolerance (NaN is worst)."""
        return worse(score, cutoff)

    @property
    def worse_word(self) -> str:
        """How a worse value relates to a cutoff in the metric's own direction."""
        return "below" if self.maximize else "above"

    def value(self, score: float) -> float:
        """A score back in the metric's own units."""
        return float(score * self.sign)

    def stop(self, policy: str, row: int, interval: int, score: float, cutoff: float | None, reason: str) -> Termination:
        """A Termination for run ``row``, with ``score`` and ``cutoff`` given as scores (non-finite -> None)."""
        value, threshold = (None if x is None or not np.isfinite(x) else self.value(x) for x in (score, cutoff))
        return Termination(self.run_ids[row], policy, interval, value, threshold, reason)


class CurveTable(Scored):
    """``curves`` as a (runs x width) array of scores: values times +1 (maximize) or -1 (minimize).

    Columns past a run's length and non-finite values are NaN; ``lengths`` keeps the true lengths
    (a run's values beyond ``width`` are not needed to judge at intervals <= ``width``).
    ``arrival`` is the same shape when every curve carries arrival keys, else None.
    """

    def __init__(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal, width: int) -> None:
        self.goal = PrimaryMetricGoal.from_str(goal)
        self.maximize = self.goal is PrimaryMetricGoal.MAXIMIZE
        self.sign = 1.0 if self.maximize else -1.0
        self.run_ids = [c.run_id for c in curves]
        self.lengths = np.fromiter((len(c.values) for c in curves), dtype=np.int64, count=len(curves))
        self.running = np.fromiter((c.running for c in curves), dtype=bool, count=len(curves))
        width = int(min(width, self.lengths.max(initial=0)))
        values = np.full((len(curves), width), np.nan)
        has_arrival = all(c.arrival is not None and len(c.arrival) >= len(c.values) for c in curves)
        arrival = np.full((len(curves), width), np.nan) if has_arrival else None
        for i, curve in enumerate(curves):
            head = curve.values[:width]
            values[i, : len(head)] = head
            if arrival is not None:
                arrival[i, : len(head)] = curve.arrival[: len(head)]  # type: ignore[index]
        values[~np.isfinite(values)] = np.nan
        self.scores = values * self.sign
        self.arrival = arrival

    @cached_property
    def best(self) -> np.ndarray:
        """Best score within the first k intervals (column k - 1); NaN while no finite value."""
        return np.fmax.accumulate(self.scores, axis=1) if self.scores.size else self.scores

    @cached_property
    def mean(self) -> np.ndarray:
        """Running average of the finite scores within the first k intervals; NaN while none.

        Sums are taken on the scores divided by a power of two near their largest magnitude (exact),
        so they cannot overflow.
        """
        finite = ~np.isnan(self.scores)
        count = np.cumsum(finite, axis=1)
        scale = np.ldexp(1.0, int(np.frexp(np.nanmax(np.abs(self.scores), initial=0.0))[1]) - 1)
        total = np.cumsum(np.where(finite, self.scores / scale, 0.0), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1) * scale, np.nan)

    def reached(self, interval: int) -> np.ndarray:
        """Mask of the runs with at least ``interval`` values (running, finished or stopped)."""
        return self.lengths >= interval
