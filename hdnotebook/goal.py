"""PrimaryMetricGoal: whether the primary metric is maximised or minimised."""

from __future__ import annotations

import enum
import math

from hdnotebook.exceptions import HyperDriveConfigException


class PrimaryMetricGoal(enum.Enum):
    """The direction in which the primary metric improves."""

    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"

    @staticmethod
    def from_str(goal: str | PrimaryMetricGoal) -> PrimaryMetricGoal:
        """Parse ``"maximize"``/``"minimize"`` in any case (a PrimaryMetricGoal is returned as it is)."""
        if isinstance(goal, PrimaryMetricGoal):
            return goal
        if isinstance(goal, str):
            for member in PrimaryMetricGoal:
                if goal.upper() == member.value:
                    return member
        raise HyperDriveConfigException(
            "The primary metric goal expects either 'maximize' or 'minimize'.",
            error_code="InvalidConfigSetting",
        )

    def is_better(self, a: float, b: float) -> bool:
        """True when value ``a`` is strictly better than ``b`` under this goal."""
        return a > b if self is PrimaryMetricGoal.MAXIMIZE else a < b

    def better_child(self, value: float, index: float, best_value: float | None, best_index: float) -> bool:
        """True when a child's best ``value`` (child number ``index``) takes the place of the best child so far
        (``best_value`` of child ``best_index``; None: no best yet): a better value, or the same value of an
        earlier child. The one rule of the ``best_child_run_id`` property, the progress line and
        ``HyperDriveRun.get_best_run_by_primary_metric``."""
        return best_value is None or self.is_better(value, best_value) or (value == best_value and index < best_index)

    def best(self, values: list[float]) -> float | None:
        """The best finite value of ``values`` under this goal, or None if there is none."""
        finite = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
        if not finite:
            return None
        return max(finite) if self is PrimaryMetricGoal.MAXIMIZE else min(finite)
