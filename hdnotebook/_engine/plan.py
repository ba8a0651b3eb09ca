"""What the engine needs to run a sweep or a single run, as plain data (built by ``hdnotebook.submission``).

The engine never sees the Azure objects (ScriptRunConfig, HyperDriveConfig, Environment, datasets): the
Azure layer turns them into a :class:`ScriptTrial` or :class:`FunctionTrial` (how to start one child) and,
for a sweep, a :class:`SweepPlan` (the budgets, the sampler, the policy, the primary metric).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and scipy load only when a sweep does
    from hdnotebook.goal import PrimaryMetricGoal
    from hdnotebook.policy.base import EarlyTerminationPolicy
    from hdnotebook.sampling.base import HyperParameterSampling


@dataclass(frozen=True)
class ScriptTrial:
    """A script child: ``source_directory`` is copied into the run's folder, then ``command`` (or
    ``python script``) runs there with ``arguments`` and the sampled values as ``--key value`` options."""

    source_directory: str
    script: str | None = None
    command: list[Any] | None = None
    arguments: list[Any] = field(default_factory=list)
    environment_name: str | None = None
    environment_variables: dict[str, str] = field(default_factory=dict)  # set for the child; the run's own win
    input_datasets: dict[str, Any] = field(default_factory=dict)  # runDefinition's inputDatasets
    max_run_duration_seconds: float | None = None  # the child is canceled when it runs longer


@dataclass(frozen=True)
class FunctionTrial:
    """A function child: ``payload`` (the cloudpickled ``function``) is called with the sampled values as
    keywords, and ``resume_from=<folder>`` when resumed and ``accepts_resume``."""

    function: Callable[..., Any]
    payload: bytes
    input_datasets: dict[str, Any] = field(default_factory=dict)
    accepts_resume: bool = False


Trial = ScriptTrial | FunctionTrial


@dataclass(frozen=True)
class SweepPlan:
    """A sweep: the child template, the search, the budgets (runs, concurrent runs, minutes) and where it runs.

    ``compute_target`` is what the executor choice reads (None or a name: this machine; a Dask target: Dask);
    ``resume_child_ids`` are earlier children to continue from their checkpoints before sampling new ones.
    """

    trial: Trial
    hyperparameter_sampling: HyperParameterSampling
    policy: EarlyTerminationPolicy
    primary_metric_name: str
    primary_metric_goal: PrimaryMetricGoal
    max_total_runs: int
    max_concurrent_runs: int
    max_duration_minutes: float
    resume_child_ids: tuple[str, ...] = ()
    compute_target: Any = None
