"""MedianStoppingPolicy: cancel runs whose best metric is worse than the median of running averages.

At a due interval N, every run with at least N values (running, finished or stopped, the candidate
included) contributes the average of its first N values; a running run is canceled when its best
within its first N intervals is strictly worse than the median of those averages (reference 11.7).
A run is judged only when at least two other runs contribute an average.

Example (maximize, N = 3): A .5 .6 .7 (average .600), B .4 .5 .55 (.483), C .2 .3 .35 (.283),
D .3 .45 .5 (.417): the median is (.417 + .483) / 2 = .45; D (best .5) continues, C (best .35) is
canceled. Averages skip non-finite values; NaN, ties and the schedule: see ``hdnotebook.policy.base``
and ``hdnotebook.policy.table``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.policy.base import ScheduledPolicy
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.policy.history import Termination
from hdnotebook.policy.table import CurveTable, Scored, fmt
from hdnotebook.policy.views import SortedView

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

MIN_OTHER_RUNS = 2


class MedianStoppingPolicy(ScheduledPolicy):
    """Early termination based on the median of the runs' running averages of the primary metric.

    Validates ``evaluation_interval`` (int >= 1) then ``delay_evaluation`` (int >= 0).
    JSON: ``{"name": "MedianStopping", "properties": {"evaluation_interval", "delay_evaluation"}}``.
    HyperDrive's conservative preset is ``MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5)``.
    """

    POLICY_NAME = "MedianStopping"

    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        super().__init__(self.POLICY_NAME, evaluation_interval, delay_evaluation)

    def _cutoff(self, table: CurveTable, interval: int) -> float | None:
        averages = table.mean[:, interval - 1]
        counted = table.reached(interval) & ~np.isnan(averages)
        return float(np.median(averages[counted])) if int(counted.sum()) - 1 >= MIN_OTHER_RUNS else None

    def _judge(self, table: CurveTable, interval: int, rows: np.ndarray) -> list[Termination]:
        averages = table.mean[:, interval - 1]
        counted = table.reached(interval) & ~np.isnan(averages)
        return self._stop_below(table, interval, rows, self._cutoff(table, interval), int(counted.sum()),
                                lambda row: bool(counted[row]), table.best[:, interval - 1])

    def _judge_history(self, history: CurveHistory, interval: int, rows: list[int]) -> list[Termination]:
        averages = history.view(("sorted", "mean", False), lambda: SortedView("mean")).at(interval)
        total = len(averages)
        if total - 1 < MIN_OTHER_RUNS:
            return []
        middle = total // 2
        median = averages[middle] if total % 2 else (averages[middle - 1] + averages[middle]) / 2
        own = history.at("mean", interval)
        return self._stop_below(history, interval, rows, median, total, lambda row: own[row] == own[row],
                                history.at("best", interval))

    def _stop_below(self, table: Scored, interval: int, rows: Iterable[int], median: float | None, total: int,
                    counted: Callable[[int], bool], best: Any) -> list[Termination]:
        """Stop the rows whose best is below the median of ``total`` averages (``counted``: the row's own is one)."""
        if median is None:
            return []
        context = f"the median {fmt(table.value(median))} of the running averages of {total} runs"
        return self._stop_worse(table, interval, rows, median, context,
                                eligible=lambda row: total - int(counted(row)) >= MIN_OTHER_RUNS, best=best)
