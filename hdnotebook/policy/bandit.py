"""BanditPolicy: cancel runs whose best metric falls outside a slack of the best run's.

At a due interval N, the leader B is the best value that any run (the candidate included; running,
finished or stopped) logged within its first N intervals. A running run is canceled when its own
best within its first N intervals is strictly worse than the cutoff (reference 11.4-11.6):

* ``slack_amount`` a: cutoff B - a (maximize), B + a (minimize);
* ``slack_factor`` s: cutoff B - |B|·s/(1+s) (maximize), B + |B|·s (minimize). For B > 0 this is
  HyperDrive's B/(1+s) and B·(1+s); the absolute value keeps the slack on the lenient side when
  the metric is negative, where the plain ratio would invert.

Example (maximize, s = 0.1): leader 0.90 gives the cutoff 0.818; a best of 0.80 is canceled, 0.83
survives. NaN, ties and the schedule: see ``hdnotebook.policy.base`` and ``hdnotebook.policy.table``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import invalid_setting
from hdnotebook.policy.base import ScheduledPolicy, validate_positive_number
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.policy.history import Termination
from hdnotebook.policy.table import CurveTable, Scored, fmt
from hdnotebook.policy.views import LeaderView

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())


class BanditPolicy(ScheduledPolicy):
    """Early termination based on a slack factor or slack amount relative to the best run.

    Exactly one of ``slack_factor`` (a ratio) or ``slack_amount`` (an absolute distance) must be
    set, not None and > 0. Checks in order: exactly one slack, the slack's type and value,
    ``evaluation_interval`` (int >= 1), ``delay_evaluation`` (int >= 0).
    JSON: ``{"name": "Bandit", "properties": {"evaluation_interval", "delay_evaluation", "slack_factor" | "slack_amount"}}``.
    """

    POLICY_NAME = "Bandit"

    def __init__(
        self,
        evaluation_interval: int = 1,
        slack_factor: float | None = None,
        slack_amount: float | None = None,
        delay_evaluation: int = 0,
    ) -> None:
        if (slack_factor is None) == (slack_amount is None):
            raise invalid_setting(
                "Bandit termination policy", "exactly one of slack factor or slack amount to be set."
            )
        if slack_factor is not None:
            slack = {"slack_factor": validate_positive_number("slack_factor", slack_factor)}
        else:
            slack = {"slack_amount": validate_positive_number("slack_amount", slack_amount)}
        self._slack_factor = slack_factor
        self._slack_amount = slack_amount
        super().__init__(self.POLICY_NAME, evaluation_interval, delay_evaluation, slack)

    @property
    def slack_factor(self) -> float | None:
        """The allowed ratio to the best run, or None when ``slack_amount`` is used."""
        return self._slack_factor

    @property
    def slack_amount(self) -> float | None:
        """The allowed absolute distance to the best run, or None when ``slack_factor`` is used."""
        return self._slack_amount

    def _leader(self, table: CurveTable, interval: int) -> float | None:
        references = table.best[:, interval - 1][table.reached(interval)]
        references = references[~np.isnan(references)]
        return float(references.max()) if references.size else None

    def _cutoff(self, table: CurveTable, interval: int) -> float | None:
        leader = self._leader(table, interval)
        return None if leader is None else self._cutoff_of(leader, table.maximize)

    def _cutoff_of(self, leader: float, maximize: bool) -> float:
        """The cutoff score for a leader's score."""
        if self._slack_amount is not None:
            return leader - float(self._slack_amount)
        factor = float(self._slack_factor)  # type: ignore[arg-type]
        return leader - abs(leader) * (factor / (1 + factor) if maximize else factor)

    def _judge(self, table: CurveTable, interval: int, rows: np.ndarray) -> list[Termination]:
        return self._stop_behind(table, interval, rows, self._leader(table, interval), table.best[:, interval - 1])

    def _judge_history(self, history: CurveHistory, interval: int, rows: list[int]) -> list[Termination]:
        leader = history.view(("leader",), LeaderView).at(interval)
        return self._stop_behind(history, interval, rows, leader, history.at("best", interval))

    def _stop_behind(self, table: Scored, interval: int, rows: Iterable[int], leader: float | None, best: Any
                     ) -> list[Termination]:
        if leader is None:
            return []
        cutoff = self._cutoff_of(leader, table.maximize)
        if self._slack_amount is not None:
            slack = f"slack_amount {fmt(self._slack_amount)}"
        else:
            slack = f"slack_factor {fmt(float(self._slack_factor))}"  # type: ignore[arg-type]
        context = f"the Bandit cutoff {fmt(table.value(cutoff))} (leader {fmt(table.value(leader))}, {slack})"
        return self._stop_worse(table, interval, rows, cutoff, context, best=best)
