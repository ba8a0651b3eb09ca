"""MedianStoppingPolicy: cancel runs whose best metric is worse than the median of running averages."""

from __future__ import annotations

from hdnotebook.policy.base import ScheduledPolicy


class MedianStoppingPolicy(ScheduledPolicy):
    """Early termination based on the median of the runs' running averages of the primary metric.

    Validates ``evaluation_interval`` (int >= 1) then ``delay_evaluation`` (int >= 0).
    JSON: ``{"name": "MedianStopping", "properties": {"evaluation_interval", "delay_evaluation"}}``.
    """

    POLICY_NAME = "MedianStopping"

    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        super().__init__(self.POLICY_NAME, evaluation_interval, delay_evaluation)
