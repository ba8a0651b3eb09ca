"""What a sampler sees of a sweep: a snapshot read from the store, never a private copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hdnotebook.goal import PrimaryMetricGoal


@dataclass(frozen=True)
class TrialRecord:
    """One child run of the sweep, as the sampler may use it.

    ``params`` are the sampled values keyed as in the parameter space (e.g. ``"--lr"``).
    ``status`` is the run status string (``"Running"``, ``"Completed"``, ``"Failed"``, ``"Canceled"``...).
    ``metric`` is the best primary-metric value the run logged so far under the goal, or None.
    """

    params: dict[str, Any]
    status: str
    metric: float | None = None


@dataclass(frozen=True)
class SamplingHistory:
    """Every child generated so far, in generation order (index k = child number k).

    ``prior`` holds the finished children of the warm-start parents (``resume_from``): a sampler may
    learn from them or skip their configurations, but they are not part of this sweep's count.
    """

    trials: tuple[TrialRecord, ...] = ()
    goal: PrimaryMetricGoal = PrimaryMetricGoal.MAXIMIZE
    prior: tuple[TrialRecord, ...] = ()

    @property
    def generated(self) -> int:
        """How many configurations have been generated so far."""
        return len(self.trials)
