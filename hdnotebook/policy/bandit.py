"""BanditPolicy: cancel runs whose best metric falls outside a slack of the best run's."""

from __future__ import annotations

from hdnotebook.exceptions import invalid_setting
from hdnotebook.policy.base import ScheduledPolicy, validate_positive_number


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
