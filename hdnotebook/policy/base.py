"""EarlyTerminationPolicy: the base of the early-termination policies (reference section 4).

How the tuning loop uses a policy: whenever a batch of child events carries the primary metric,
it calls ``policy.evaluate_history(history)`` with the sweep's ``CurveHistory`` (every child's curve,
kept up to date by the loop) and stops each run named in the returned ``Termination`` records that
is still running. ``evaluate_history`` gives the decisions of ``policy.evaluate(curves, goal)`` on
the history's curves (``RunCurve``); the built-in policies compute them from the history's
incremental views, a policy of your own only needs ``evaluate``. A policy is pure: it keeps no
history of its own, and the same curves always give the same decisions, so calling it again for the
same state is harmless.

The schedule of a ``ScheduledPolicy``: a running run with n values is judged at the largest due
interval N <= n (``latest_due``), on its first N values, against every run of the sweep (running,
finished or stopped) that has at least N values. So a run is judged as soon as it reaches a due
interval, a batch that carries it past several due intervals is judged at the last of them, and
while it waits for its next value it is judged again as other runs reach N. The rules for NaN,
strings and ties are in ``hdnotebook.policy.table``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import invalid_setting, invalid_type
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.history import RunCurve, Termination
from hdnotebook.policy.table import CurveTable, Scored, fmt

if TYPE_CHECKING:
    import numpy as np

    from hdnotebook.policy.curves import CurveHistory
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())


def is_int(value: object) -> bool:
    """True for a Python int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_int(name: str, value: object, minimum: int) -> int:
    """Return ``value`` if it is an int (not a bool) >= ``minimum``, else raise HyperDriveConfigException.

    Wrong type: ``"Expected type int for <name> but got <type>"``;
    too small: ``"<name> expects value to be at least <minimum>."``.
    """
    if not is_int(value):
        raise invalid_type("int", name, value)
    if value < minimum:
        raise invalid_setting(name, f"value to be at least {minimum}.")
    return value


def validate_positive_number(name: str, value: object) -> float:
    """Return ``value`` if it is a finite int/float (not a bool) > 0, else raise HyperDriveConfigException."""
    if not is_number(value):
        raise invalid_type("float", name, value)
    if not (math.isfinite(value) and value > 0):
        raise invalid_setting(name, "value to be a finite number greater than 0.")
    return value


class EarlyTerminationPolicy:
    """An early-termination policy: a JSON-able configuration plus the decision hook of the tuning loop.

    ``to_json()`` gives ``{"name": name, "properties": {...}}``; the ``properties`` key is left out
    when ``properties`` is None (as for NoTerminationPolicy). Two policies are equal when they are of
    the same class and their ``__dict__`` are equal.
    """

    def __init__(self, name: str, properties: dict[str, Any] | None = None) -> None:
        self._name = name
        self._properties = properties

    @property
    def name(self) -> str:
        """The HyperDrive name of the policy (``"Bandit"``, ``"MedianStopping"``...)."""
        return self._name

    @property
    def evaluation_interval(self) -> int | None:
        """Judge runs at multiples of this interval; None for a policy without a fixed interval."""
        return None

    @property
    def delay_evaluation(self) -> int:
        """Intervals below this value are never judged."""
        return 0

    def to_json(self) -> dict[str, Any]:
        """HyperDrive's JSON form, ``{"name": ..., "properties": {...}}`` (a fresh copy)."""
        result: dict[str, Any] = {"name": self._name}
        if self._properties is not None:
            result["properties"] = dict(self._properties)
        return result

    def is_due(self, interval: int) -> bool:
        """True when runs are judged at ``interval`` (the k-th logging of the primary metric is interval k).

        Due when ``interval`` is a positive multiple of ``evaluation_interval`` and
        ``interval >= delay_evaluation``: (1, 5) -> 5, 6, 7...; (2, 5) -> 6, 8, 10...; (3, 0) -> 3, 6, 9...
        Never due for a policy without an evaluation interval.
        """
        every = self.evaluation_interval
        if every is None or interval < 1:
            return False
        return interval % every == 0 and interval >= self.delay_evaluation

    def latest_due(self, count: int) -> int:
        """The largest due interval <= ``count`` (``is_due``), or 0 when there is none."""
        return next((n for n in range(count, 0, -1) if self.is_due(n)), 0)

    def evaluate(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal) -> list[Termination]:
        """The runs to cancel now, given every run's primary-metric curve. The base decides nothing: []."""
        return []

    def evaluate_history(self, history: CurveHistory) -> list[Termination]:
        """The decisions ``evaluate`` gives on the history's curves (the tuning loop and ``replay`` call this).
        The built-in policies answer from the history's incremental views, at the cost of what changed; any
        other policy gets ``evaluate(history.curves(), history.goal)``."""
        if type(self).evaluate is EarlyTerminationPolicy.evaluate:
            return []
        return self.evaluate(history.curves(), history.goal)

    def threshold(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal) -> tuple[int, float] | None:
        """``(interval, value)``: the cutoff in the metric's units at the latest interval due for a
        running run, for display; None when the policy has no single cutoff or none applies yet."""
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EarlyTerminationPolicy):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        props = ", ".join(f"{k}={v!r}" for k, v in (self._properties or {}).items())
        return f"{type(self).__name__}({props})"


class ScheduledPolicy(EarlyTerminationPolicy):
    """A policy judged on the ``evaluation_interval`` / ``delay_evaluation`` schedule.

    Validates ``evaluation_interval`` (int >= 1) then ``delay_evaluation`` (int >= 0); bools are rejected.
    The JSON properties start with these two keys, followed by ``extra``.
    """

    def __init__(
        self,
        name: str,
        evaluation_interval: object,
        delay_evaluation: object,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self._evaluation_interval = validate_int("evaluation_interval", evaluation_interval, 1)
        self._delay_evaluation = validate_int("delay_evaluation", delay_evaluation, 0)
        properties = {"evaluation_interval": self._evaluation_interval, "delay_evaluation": self._delay_evaluation}
        properties.update(extra or {})
        super().__init__(name, properties)

    @property
    def evaluation_interval(self) -> int:
        """Judge runs at multiples of this interval."""
        return self._evaluation_interval

    @property
    def delay_evaluation(self) -> int:
        """Intervals below this value are never judged."""
        return self._delay_evaluation

    def latest_due(self, count: int) -> int:
        """The largest due interval <= ``count``, or 0 when there is none."""
        last = count // self._evaluation_interval * self._evaluation_interval
        return last if last >= max(self._delay_evaluation, 1) else 0

    def evaluate(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal) -> list[Termination]:
        """Judge every running run at its latest due interval (see the module docstring); the runs to cancel now."""
        due = np.fromiter((self.latest_due(len(c.values)) if c.running else 0 for c in curves),
                          dtype=np.int64, count=len(curves))
        if not due.any():
            return []
        table = CurveTable(curves, goal, width=int(due.max()))
        decisions: list[Termination] = []
        for interval in np.unique(due[due > 0]):
            decisions.extend(self._judge(table, int(interval), np.flatnonzero(due == interval)))
        position = {run_id: i for i, run_id in enumerate(table.run_ids)}
        return sorted(decisions, key=lambda t: position[t.run_id])

    def evaluate_history(self, history: CurveHistory) -> list[Termination]:
        """``evaluate``'s decisions, from the history's views: costs the running runs and what changed."""
        if not incremental(type(self), ScheduledPolicy):
            return super().evaluate_history(history)
        due: dict[int, list[int]] = {}
        for row in sorted(history.running_rows):
            interval = self.latest_due(len(history.values[row]))
            if interval:
                due.setdefault(interval, []).append(row)
        decisions: list[Termination] = []
        for interval in sorted(due):
            decisions.extend(self._judge_history(history, interval, due[interval]))
        return sorted(decisions, key=lambda t: history.rows[t.run_id])

    def _judge(self, table: CurveTable, interval: int, rows: np.ndarray) -> list[Termination]:
        """The decisions about ``rows`` (running runs whose latest due interval is ``interval``)."""
        return []

    def _judge_history(self, history: CurveHistory, interval: int, rows: list[int]) -> list[Termination]:
        """``_judge`` on a history (rows are history rows)."""
        return []

    def _stop_worse(self, table: Scored, interval: int, rows: Iterable[int], cutoff: float, context: str,
                    eligible: Callable[[int], bool] = lambda row: True, best: Any = None) -> list[Termination]:
        """Stop each eligible row whose best score within its first ``interval`` values is worse than
        ``cutoff`` (a score); the reason states the run's value and ``context`` (what the cutoff is).
        ``best`` is that score by row (default: the table's column)."""
        if best is None:
            best = table.best[:, interval - 1]  # type: ignore[attr-defined]
        decisions = []
        for row in rows:
            if eligible(row) and table.worse(best[row], cutoff):
                shown = (f"no finite value in its first {interval} intervals;" if np.isnan(best[row])
                         else f"best {fmt(table.value(best[row]))} at interval {interval} is {table.worse_word}")
                decisions.append(table.stop(self.name, int(row), interval, best[row], cutoff, f"{shown} {context}"))
        return decisions

    def _cutoff(self, table: CurveTable, interval: int) -> float | None:
        """The cutoff score at ``interval`` (None when no rule applies); used by ``threshold``."""
        return None

    def threshold(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal) -> tuple[int, float] | None:
        """``(interval, value)``: the cutoff at the latest interval due for a running run, in the metric's units."""
        interval = max((self.latest_due(len(c.values)) for c in curves if c.running), default=0)
        if interval == 0:
            return None
        table = CurveTable(curves, goal, width=interval)
        cutoff = self._cutoff(table, interval)
        if cutoff is None or not np.isfinite(cutoff):
            return None
        return interval, table.value(cutoff)


def incremental(cls: type, base: type) -> bool:
    """True when ``cls`` may answer ``evaluate_history`` from views: it keeps ``base.evaluate`` and no
    subclass overrides ``_judge`` (its rule for a list of curves) below where ``_judge_history`` is defined."""
    def depth(name: str) -> int:
        return next(i for i, klass in enumerate(cls.__mro__) if name in vars(klass))

    return cls.evaluate is base.evaluate and depth("_judge_history") <= depth("_judge")
