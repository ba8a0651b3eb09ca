"""TruncationSelectionPolicy: cancel the lowest-ranked percentage of runs at each evaluation."""

from __future__ import annotations

from hdnotebook.exceptions import invalid_setting, invalid_type
from hdnotebook.policy.base import ScheduledPolicy, is_int


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
