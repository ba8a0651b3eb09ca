"""TruncationSelectionPolicy: cancel the lowest-ranked percentage of runs at each evaluation.

At a due interval N, the runs with at least N values (running, finished or stopped; only running
ones with ``exclude_finished_jobs=True``) are ranked by their best value within their first N
intervals, so a long-running run is compared on its values up to N only. With n runs ranked, the
floor(n·p/100) lowest are cut: a running run is canceled when its best is strictly worse than the
cutoff, the best of the (floor(n·p/100) + 1)-th lowest run. Finished runs are never canceled (their
slots are not handed to others), and runs tied with the cutoff are all kept, so fewer may be cut.

Example (maximize, 25 %, 8 runs at N = 4): the 2 lowest are canceled if they are still running. A
run with no finite value ranks lowest. The schedule: see ``hdnotebook.policy.base``; ties and NaN:
``hdnotebook.policy.table``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import invalid_setting, invalid_type
from hdnotebook.policy.base import ScheduledPolicy, is_int
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.policy.history import Termination
from hdnotebook.policy.table import CurveTable, Scored, fmt
from hdnotebook.policy.views import SortedView

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())


class TruncationSelectionPolicy(ScheduledPolicy):
    """Early termination that cancels the worst ``truncation_percentage`` % of runs at each evaluation.

    ``truncation_percentage`` must be an int (not a bool) in 1..99; checked before
    ``evaluation_interval`` (int >= 1), ``delay_evaluation`` (int >= 0) and ``exclude_finished_jobs`` (bool).
    ``exclude_finished_jobs=True`` leaves finished runs out of the ranking population (keyword only;
    SDK v1 always sends False).
    JSON: ``{"name": "TruncationSelection", "properties": {"evaluation_interval", "delay_evaluation",
    "truncation_percentage", "exclude_finished_jobs"}}``.
    """

    POLICY_NAME = "TruncationSelection"

    def __init__(
        self,
        truncation_percentage: int,
        evaluation_interval: int = 1,
        delay_evaluation: int = 0,
        *,
        exclude_finished_jobs: bool = False,
    ) -> None:
        if not is_int(truncation_percentage):
            raise invalid_type("int", "truncation_percentage", truncation_percentage)
        if not 1 <= truncation_percentage <= 99:
            raise invalid_setting("truncation_percentage", "value to be between 1 and 99.")
        self._truncation_percentage = truncation_percentage
        extra = {"truncation_percentage": truncation_percentage, "exclude_finished_jobs": exclude_finished_jobs}
        super().__init__(self.POLICY_NAME, evaluation_interval, delay_evaluation, extra)
        if not isinstance(exclude_finished_jobs, bool):
            raise invalid_type("bool", "exclude_finished_jobs", exclude_finished_jobs)
        self._exclude_finished_jobs = exclude_finished_jobs

    @property
    def truncation_percentage(self) -> int:
        """The percentage of runs to cancel at each evaluation."""
        return self._truncation_percentage

    @property
    def exclude_finished_jobs(self) -> bool:
        """Whether finished runs are left out of the ranking population."""
        return self._exclude_finished_jobs

    def _ranking(self, table: CurveTable, interval: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """(ranked mask, scores with NaN as -inf, sorted population scores, how many are cut)."""
        ranked = table.reached(interval)
        if self._exclude_finished_jobs:
            ranked &= table.running
        best = table.best[:, interval - 1]
        scores = np.where(np.isnan(best), -np.inf, best)
        return ranked, scores, np.sort(scores[ranked]), int(ranked.sum()) * self._truncation_percentage // 100

    def _cutoff(self, table: CurveTable, interval: int) -> float | None:
        _, _, population, cut = self._ranking(table, interval)
        return float(population[cut]) if cut else None

    def _judge(self, table: CurveTable, interval: int, rows: np.ndarray) -> list[Termination]:
        ranked, scores, population, cut = self._ranking(table, interval)
        return self._cut(table, interval, [row for row in rows if ranked[row]], population, table.best[:, interval - 1])

    def _judge_history(self, history: CurveHistory, interval: int, rows: list[int]) -> list[Termination]:
        key = ("sorted", "best", self._exclude_finished_jobs)
        population = history.view(key, lambda: SortedView("best", self._exclude_finished_jobs)).at(interval)
        return self._cut(history, interval, rows, population, history.at("best", interval))

    def _cut(self, table: Scored, interval: int, rows: Iterable[int], population: Sequence[float], best: Any
             ) -> list[Termination]:
        """Stop the ranked ``rows`` in the worst share of ``population`` (sorted scores, no-value runs as -inf)."""
        total = len(population)
        cut = total * self._truncation_percentage // 100
        if cut == 0:
            return []
        cutoff = float(population[cut])
        decisions = []
        for row in rows:
            score = -np.inf if np.isnan(best[row]) else best[row]
            if table.worse(score, cutoff):
                rank = 1 + total - bisect.bisect_right(population, score)
                shown = "no finite value" if np.isnan(best[row]) else f"best {fmt(table.value(best[row]))}"
                worst = f"{self._truncation_percentage}% ({cut} run{'s' if cut > 1 else ''})"
                reason = (f"{shown} at interval {interval} ranks {rank} of {total} runs, in the worst {worst}: "
                          f"{table.worse_word} the cutoff {fmt(table.value(cutoff))}")
                decisions.append(table.stop(self.name, int(row), interval, best[row], cutoff, reason))
        return decisions
