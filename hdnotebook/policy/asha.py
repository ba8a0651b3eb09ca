"""ASHAPolicy: asynchronous successive halving (Li et al., 2020), as a pure early-termination policy.

Rungs are at intervals ``min_interval * reduction_factor**k`` (k = 0, 1, ...) below ``max_interval``
(1, 3, 9, 27... by default). When a run reaches a rung, its value *at* that interval is compared with
the values at that interval of every run that had reached the rung by then (itself included; any
status). With m such runs, it continues only if it is among the top max(floor(m / reduction_factor), 1):
promotion is decided as results arrive, without waiting for a full rung. With fewer than
``reduction_factor`` runs at a rung, this means a run continues only if it is the best so far, the
rule of Optuna's SuccessiveHalvingPruner (so the first run to reach a rung always continues). Runs
tied with the cutoff all continue.

"By then" uses ``RunCurve.arrival`` (the tuning loop and ``replay`` provide it): runs whose value at
the rung arrived with a larger key are not competitors, so a decision, once made, never changes, and
a run that passed several rungs in one batch is judged at each of them in turn. Without arrival keys
every run that has reached the rung competes, so a promoted run waiting for its next rung can still
be stopped as better runs reach its rung. Non-finite values rank below every finite one (a lone run
continues even so); see ``hdnotebook.policy.table`` for the other shared rules.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import invalid_setting, invalid_type
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.base import EarlyTerminationPolicy, incremental, is_int, validate_int
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.policy.history import RunCurve, Termination
from hdnotebook.policy.table import CurveTable, Scored, fmt
from hdnotebook.policy.views import RungView

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())


class ASHAPolicy(EarlyTerminationPolicy):
    """Asynchronous successive halving: keep the top ``1/reduction_factor`` of the runs at each rung.

    ``min_interval`` (int >= 1) is the first rung, ``reduction_factor`` (int >= 2) both the spacing of
    the rungs and the share promoted, ``max_interval`` (None or an int > ``min_interval``) the interval a
    run trains to at most: no rung is at or beyond it. Arguments are checked in this order.
    JSON: ``{"name": "ASHA", "properties": {"min_interval", "reduction_factor", "max_interval"}}``.
    """

    POLICY_NAME = "ASHA"

    def __init__(self, min_interval: int = 1, reduction_factor: int = 3, max_interval: int | None = None) -> None:
        self._min_interval = validate_int("min_interval", min_interval, 1)
        self._reduction_factor = validate_int("reduction_factor", reduction_factor, 2)
        if max_interval is not None:
            if not is_int(max_interval):
                raise invalid_type("int", "max_interval", max_interval)
            if max_interval <= min_interval:
                raise invalid_setting("max_interval", "value to be None or greater than min_interval.")
        self._max_interval = max_interval
        super().__init__(self.POLICY_NAME, {"min_interval": min_interval, "reduction_factor": reduction_factor,
                                            "max_interval": max_interval})

    @property
    def min_interval(self) -> int:
        """The first rung."""
        return self._min_interval

    @property
    def reduction_factor(self) -> int:
        """The spacing of the rungs and the inverse of the share of runs promoted at each."""
        return self._reduction_factor

    @property
    def max_interval(self) -> int | None:
        """No rung is at or beyond this interval (None: no limit)."""
        return self._max_interval

    def rungs(self, upto: int) -> Iterator[int]:
        """The rungs <= ``upto``, in increasing order."""
        rung = self._min_interval
        while rung <= upto and (self._max_interval is None or rung < self._max_interval):
            yield rung
            rung *= self._reduction_factor

    def is_due(self, interval: int) -> bool:
        """True when ``interval`` is a rung."""
        return interval >= 1 and interval in set(self.rungs(interval))

    def latest_due(self, count: int) -> int:
        """The highest rung <= ``count``, or 0."""
        return max(self.rungs(count), default=0)

    def evaluate(self, curves: Sequence[RunCurve], goal: PrimaryMetricGoal) -> list[Termination]:
        """The running runs that failed a rung (the lowest rung each failed, see the module docstring)."""
        counts = [len(c.values) if c.running else 0 for c in curves]
        top = max((self.latest_due(n) for n in counts), default=0)
        if top == 0:
            return []
        table = CurveTable(curves, goal, width=top)
        alive = np.array([count >= self._min_interval for count in counts])
        decisions: list[tuple[int, Termination]] = []
        for rung in self.rungs(top):
            judged = alive & (table.lengths >= rung)
            for row, decision in self._judge(table, rung, judged):
                alive[row] = False
                decisions.append((row, decision))
        return [decision for _, decision in sorted(decisions, key=lambda item: item[0])]

    def evaluate_history(self, history: CurveHistory) -> list[Termination]:
        """``evaluate``'s decisions from the history's rungs: costs the running runs and what changed
        (needs arrival keys; without them every call ranks every run, as ``evaluate``)."""
        if not history.has_arrival or not incremental(type(self), ASHAPolicy):
            return super().evaluate_history(history)
        key = ("rungs", self._min_interval, self._reduction_factor, self._max_interval)
        view = history.view(key, lambda: RungView(self.rungs, self._reduction_factor))
        decisions = []
        for row in sorted(history.running_rows):
            count = len(history.values[row])
            if count >= self._min_interval:
                decision = self._judge_history(history, view, row, count)
                if decision is not None:
                    decisions.append(decision)
        return decisions

    def _judge_history(self, history: CurveHistory, view: RungView, row: int, count: int) -> Termination | None:
        """The lowest rung <= ``count`` that run ``row`` failed, as a decision (None: it passed them all)."""
        for rung in self.rungs(count):
            failed = view.failed(history, rung, row)
            if failed is not None:
                return self._stop(history, row, rung, history.scores[row][rung - 1], *failed)
        return None

    def _stop(self, table: Scored, row: int, rung: int, raw: float, cutoff: float, rank: int, ranked: int, keep: int
              ) -> Termination:
        reason = (f"value {fmt(table.value(raw))} at rung {rung} ranks {rank} of {ranked} runs that "
                  f"reached it; only the top {keep} (1/{self._reduction_factor}) continue: "
                  f"{table.worse_word} the cutoff {fmt(table.value(cutoff))}")
        return table.stop(self.name, row, rung, raw, cutoff, reason)

    def _judge(self, table: CurveTable, rung: int, judged: np.ndarray) -> Iterator[tuple[int, Termination]]:
        """The runs of ``judged`` that fail ``rung``, each against the runs that reached it no later."""
        reached = np.flatnonzero(table.reached(rung))
        raw = table.scores[reached, rung - 1]
        scores = np.where(np.isnan(raw), -np.inf, raw)
        keys = np.zeros(reached.size) if table.arrival is None else table.arrival[reached, rung - 1]
        order = np.argsort(keys, kind="stable")
        ends = np.searchsorted(keys[order], keys[order], side="right")
        ranked: list[float] = []
        start = 0
        while start < order.size:
            stop = int(ends[start])
            group = order[start:stop]
            for i in group:
                bisect.insort(ranked, float(scores[i]))
            start = stop
            keep = max(len(ranked) // self._reduction_factor, 1)
            cutoff = ranked[-keep]
            for i in group:
                row = int(reached[i])
                if judged[row] and table.worse(scores[i], cutoff):
                    rank = len(ranked) - bisect.bisect_right(ranked, scores[i]) + 1
                    yield row, self._stop(table, row, rung, raw[i], cutoff, rank, len(ranked), keep)
