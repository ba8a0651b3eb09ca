"""CurveHistory: every run's primary-metric curve, kept up to date by its caller, with what policies derive from it.

The tuning loop and ``replay`` append each batch of values (``add``) and say which runs are running
(``set_running``); a built-in policy's ``evaluate_history(history)`` then costs what changed, not the
sweep's size. The aggregates a policy needs (a leader per interval, sorted averages per interval,
ASHA's rungs...) are views: derived data the history caches, each brought up to date from the
history's change log when a policy asks for it. A view depends only on the history, so the policies
stay pure: the same history always gives the same decisions, those of ``policy.evaluate(curves)``.

Scores follow ``hdnotebook.policy.table``: values times +1 (maximize) or -1 (minimize), non-finite
values NaN. Per run the history keeps the best score within the first k intervals and the running
average of the finite scores within them (index k - 1), NaN while there is none. Sums are exact
sequential sums as in ``CurveTable.mean``, except that they are not rescaled: a sum beyond the float
range (scores near 1e308) gives an infinite average where ``CurveTable`` stays finite.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.history import RunCurve
from hdnotebook.policy.table import Scored

NAN = math.nan
#: A change-log entry: (row, first new interval index, end index) for values, (row, -1, 1 or 0) for a running flag.
Change = tuple[int, int, int]
V = TypeVar("V", bound="View")


class View:
    """Derived data of a history, brought up to date from its change log by ``catch_up``."""

    def __init__(self) -> None:
        self.position = 0

    def catch_up(self, history: CurveHistory) -> None:
        """Apply the changes logged since the last call, in order."""
        log = history.log
        for index in range(self.position, len(log)):
            row, start, end = log[index]
            if start < 0:
                self.on_running(history, row, bool(end))
            else:
                self.on_values(history, row, start, end)
        self.position = len(log)

    def on_values(self, history: CurveHistory, row: int, start: int, end: int) -> None:
        """Run ``row`` reached intervals ``start + 1`` to ``end``."""

    def on_running(self, history: CurveHistory, row: int, running: bool) -> None:
        """Run ``row`` started or stopped running."""


class CurveHistory(Scored):
    """The curves of a sweep in the order runs first logged (row numbers), grown by ``add`` only.

    ``arrival`` keys (one per value, non-decreasing, as ``RunCurve.arrival``) must be given with
    every ``add`` for ASHA's "reached the rung by then"; once one ``add`` lacks them the history has
    none (``has_arrival`` False) and every run that reached a rung competes, as with ``evaluate``.
    """

    def __init__(self, goal: PrimaryMetricGoal | str) -> None:
        self.goal = PrimaryMetricGoal.from_str(goal)
        self.maximize = self.goal is PrimaryMetricGoal.MAXIMIZE
        self.sign = 1.0 if self.maximize else -1.0
        self.run_ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.values: list[list[float]] = []
        # per-run figures as arrays of doubles: a fifth of the memory of lists of floats (5000 x 100 values: 16 MB)
        self.arrival: list[array[float]] = []
        self.scores: list[array[float]] = []
        self.best: list[array[float]] = []
        self.mean: list[array[float]] = []
        self.running_rows: set[int] = set()
        self.has_arrival = True
        self.log: list[Change] = []
        self._sums: list[tuple[float, int]] = []
        self._views: dict[Hashable, View] = {}

    def __len__(self) -> int:
        return len(self.run_ids)

    def __contains__(self, run_id: object) -> bool:
        return run_id in self.rows

    def add(self, run_id: str, values: Iterable[float], arrival: Sequence[float] | None = None) -> None:
        """Append ``values`` (numbers, in logging order) to the run's curve, a new run starting not running.
        ``arrival`` holds one key per value."""
        values = [float(v) for v in values]
        row = self.rows.get(run_id)
        if row is None:
            row = self.rows[run_id] = len(self.run_ids)
            self.run_ids.append(run_id)
            self.values.append([])
            for column in (self.arrival, self.scores, self.best, self.mean):
                column.append(array("d"))
            self._sums.append((0.0, 0))
        if arrival is None or len(arrival) < len(values):
            self.has_arrival = False
        elif self.has_arrival:
            self.arrival[row].extend(arrival[: len(values)])
        if not values:
            return
        start = len(self.values[row])
        self.values[row].extend(values)
        scores, best, mean = self.scores[row], self.best[row], self.mean[row]
        top = best[-1] if best else NAN
        total, count = self._sums[row]
        for value in values:
            score = value * self.sign if math.isfinite(value) else NAN
            scores.append(score)
            if score == score:
                if not top >= score:  # also when top is NaN
                    top = score
                total += score
                count += 1
            best.append(top)
            mean.append(total / count if count else NAN)
        self._sums[row] = (total, count)
        self.log.append((row, start, len(self.values[row])))

    def set_running(self, run_id: str, running: bool) -> None:
        """Mark a run as running (judged by the policies) or not (ended or being stopped; still compared with)."""
        row = self.rows[run_id]
        if (row in self.running_rows) != running:
            (self.running_rows.add if running else self.running_rows.discard)(row)
            self.log.append((row, -1, int(running)))

    def running_ids(self) -> list[str]:
        """The runs marked running, in row order."""
        return [self.run_ids[row] for row in sorted(self.running_rows)]

    def curve(self, run_id: str) -> list[float]:
        """The run's values so far (empty for an unknown run); the caller must not change the list."""
        row = self.rows.get(run_id)
        return [] if row is None else self.values[row]

    def curves(self) -> list[RunCurve]:
        """Every run as a ``RunCurve`` (what ``policy.evaluate`` takes): costs the whole history."""
        return [RunCurve(run_id, tuple(self.values[row]), row in self.running_rows,
                         tuple(self.arrival[row]) if self.has_arrival else None)
                for row, run_id in enumerate(self.run_ids)]

    def at(self, name: str, interval: int) -> Column:
        """Column ``interval - 1`` of the per-run figures ``name`` ("values", "scores", "best", "mean"),
        indexed by row; only for rows with at least ``interval`` values. Copies nothing."""
        return Column(getattr(self, name), interval - 1)

    def view(self, key: Hashable, factory: Callable[[], V]) -> V:
        """The view cached under ``key`` (made by ``factory`` the first time), brought up to date."""
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = factory()
        view.catch_up(self)
        return view  # type: ignore[return-value]

    @staticmethod
    def from_curves(curves: Sequence[RunCurve], goal: PrimaryMetricGoal | str) -> CurveHistory:
        """A history holding ``curves`` (as ``evaluate`` takes them), e.g. to compare both paths."""
        history = CurveHistory(goal)
        for curve in curves:
            history.add(curve.run_id, curve.values, curve.arrival)
            history.set_running(curve.run_id, curve.running)
        return history


class Column:
    """One interval of a per-run figure of a history, indexed by row (see ``CurveHistory.at``)."""

    def __init__(self, rows: Sequence[Sequence[float]], index: int) -> None:
        self._rows = rows
        self._index = index

    def __getitem__(self, row: int) -> float:
        return self._rows[row][self._index]
