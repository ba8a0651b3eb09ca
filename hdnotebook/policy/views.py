"""The aggregates the built-in policies read from a ``CurveHistory``, each kept up to date incrementally.

Every run's best and average within its first k intervals never change once the run has k values,
so each view only adds (and for running-only populations removes) the entries of what changed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable

from hdnotebook.policy.curves import NAN, CurveHistory, View
from hdnotebook.policy.table import worse

#: Changes past which a view's catch-up appends and sorts once instead of inserting each entry in order.
BULK = 256


class LeaderView(View):
    """Per interval k, the largest finite best-within-k of the runs with at least k values (Bandit's leader)."""

    def __init__(self) -> None:
        super().__init__()
        self._leader: list[float] = []

    def on_values(self, history: CurveHistory, row: int, start: int, end: int) -> None:
        best, leader = history.best[row], self._leader
        if len(leader) < end:
            leader.extend([NAN] * (end - len(leader)))
        for k in range(start, end):
            score = best[k]
            if score == score and not leader[k] >= score:
                leader[k] = score

    def at(self, interval: int) -> float | None:
        """The leader at ``interval`` (a score), None when no run has a finite value there."""
        value = self._leader[interval - 1] if interval <= len(self._leader) else NAN
        return None if value != value else value


class SortedView(View):
    """Per interval k, the sorted figures at k of the runs with at least k values (only the running ones
    with ``running_only``). ``column`` "mean" leaves out runs without a finite value; "best" ranks them
    as -inf."""

    def __init__(self, column: str, running_only: bool = False) -> None:
        super().__init__()
        self._column = column
        self._running_only = running_only
        self._sorted: list[list[float]] = []
        self._lengths: dict[int, int] = {}
        self._running: set[int] = set()
        self._unsorted: set[int] | None = None

    def catch_up(self, history: CurveHistory) -> None:
        """As ``View.catch_up``; a long backlog (a first call on a big history) is appended, then sorted once."""
        if len(history.log) - self.position > BULK:
            self._unsorted = set()
        try:
            super().catch_up(history)
        finally:
            for k in self._unsorted or ():
                self._sorted[k].sort()
            self._unsorted = None

    def _items(self, history: CurveHistory, row: int, start: int, end: int) -> Iterable[tuple[int, float]]:
        figures = getattr(history, self._column)[row]
        for k in range(start, end):
            value = figures[k]
            if value == value:
                yield k, value
            elif self._column == "best":
                yield k, -math.inf

    def on_values(self, history: CurveHistory, row: int, start: int, end: int) -> None:
        self._lengths[row] = end
        if self._running_only and row not in self._running:
            return
        if len(self._sorted) < end:
            self._sorted.extend([] for _ in range(end - len(self._sorted)))
        unsorted = self._unsorted
        for k, value in self._items(history, row, start, end):
            if unsorted is None:
                bisect.insort(self._sorted[k], value)
            else:
                self._sorted[k].append(value)
                unsorted.add(k)

    def on_running(self, history: CurveHistory, row: int, running: bool) -> None:
        if not self._running_only:
            return
        length = self._lengths.get(row, 0)
        if running:
            self._running.add(row)
            self.on_values(history, row, 0, length)
            return
        self._running.discard(row)
        for k, value in self._items(history, row, 0, length):
            column = self._sorted[k]
            if self._unsorted is not None and k in self._unsorted:
                column.remove(value)
            else:
                del column[bisect.bisect_left(column, value)]

    def at(self, interval: int) -> list[float]:
        """The sorted figures at ``interval`` (the caller must not change the list)."""
        return self._sorted[interval - 1] if interval <= len(self._sorted) else []


class RungView(View):
    """ASHA's rungs: for each run that reached a rung, whether it failed it against the runs that had
    reached it no later (arrival keys; needs ``history.has_arrival``). Verdicts are settled per rung,
    lazily, in arrival order; a value that arrives no later than one already settled settles the rung anew."""

    def __init__(self, rungs: Callable[[int], Iterable[int]], reduction_factor: int) -> None:
        super().__init__()
        self._rungs = rungs
        self._factor = reduction_factor
        self._pending: dict[int, list[tuple[float, int]]] = {}
        self._settled: dict[int, list[tuple[float, int]]] = {}
        self._ranked: dict[int, list[float]] = {}
        self._failed: dict[int, dict[int, tuple[float, int, int, int]]] = {}

    def on_values(self, history: CurveHistory, row: int, start: int, end: int) -> None:
        arrival = history.arrival[row]
        for rung in self._rungs(end):
            if rung > start:
                self._pending.setdefault(rung, []).append((arrival[rung - 1], row))

    def failed(self, history: CurveHistory, rung: int, row: int) -> tuple[float, int, int, int] | None:
        """(cutoff score, rank, runs ranked, runs kept) when ``row`` failed ``rung``, else None."""
        self._settle(history, rung)
        return self._failed.get(rung, {}).get(row)

    def _settle(self, history: CurveHistory, rung: int) -> None:
        pending = self._pending.pop(rung, None)
        if not pending:
            return
        pending.sort(key=lambda entry: entry[0])
        settled = self._settled.setdefault(rung, [])
        if settled and pending[0][0] <= settled[-1][0]:
            pending = sorted(settled + pending, key=lambda entry: entry[0])
            settled.clear()
            self._ranked[rung], self._failed[rung] = [], {}
        settled.extend(pending)
        ranked = self._ranked.setdefault(rung, [])
        failed = self._failed.setdefault(rung, {})
        scores = history.scores
        start = 0
        while start < len(pending):
            stop = start
            while stop < len(pending) and pending[stop][0] == pending[start][0]:
                stop += 1
            group = [(row, _ranked_score(scores[row][rung - 1])) for _, row in pending[start:stop]]
            for _, score in group:
                bisect.insort(ranked, score)
            keep = max(len(ranked) // self._factor, 1)
            cutoff = ranked[-keep]
            for row, score in group:
                if worse(score, cutoff):
                    failed[row] = (cutoff, len(ranked) - bisect.bisect_right(ranked, score) + 1, len(ranked), keep)
                else:
                    failed.pop(row, None)
            start = stop


def _ranked_score(score: float) -> float:
    """NaN ranks below every number."""
    return -math.inf if score != score else score
