"""HyperDriveConfig: what to tune, how, and within which budget, as ``azureml.train.hyperdrive.runconfig``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from hdnotebook._engine.executors.dask_target import check_compute_target
from hdnotebook._engine.layout import argument_key
from hdnotebook.environment import CondaDependencies  # noqa: F401  (azureml.core.runconfig exposes it; notebooks import it from there)
from hdnotebook.exceptions import (
    HyperDriveConfigException,
    HyperDriveScenarioNotSupportedException,
    invalid_setting,
    invalid_type,
)
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.names import CUSTOM_RUN_ID_MAX, RUN_ID_PUNCTUATION, check_name
from hdnotebook.policy.base import EarlyTerminationPolicy, is_int, is_number
from hdnotebook.policy.no_termination import NoTerminationPolicy
from hdnotebook.run_configuration import DockerConfiguration, RunConfiguration  # noqa: F401  (azureml.core.runconfig's)
from hdnotebook.sampling.base import HyperParameterSampling
from hdnotebook.script_run_config import ScriptRunConfig
from hdnotebook.train.estimator import Estimator
from hdnotebook.warm_start import check_warm_start

__all__ = ["DockerConfiguration", "HyperDriveConfig", "HyperDriveRunConfig", "PrimaryMetricGoal", "RunConfiguration",
           "duplicated_arguments"]

MAX_TOTAL_RUNS = 1000
MAX_CONCURRENT_RUNS = 100
MAX_DURATION_MINUTES = 10080
MAX_RESUME_FROM_RUNS = 5
BAYESIAN_SAMPLING_NAME = "BayesianOptimization"
BAYESIAN_RUNS_PER_PARAMETER = 20
BAYESIAN_MAX_CONCURRENT_RUNS = 20

_UNSUPPORTED_HINT = "Pass a ScriptRunConfig or a Python function as run_config (or an Estimator as estimator) instead."


def _not_supported(argument: str) -> HyperDriveScenarioNotSupportedException:
    return HyperDriveScenarioNotSupportedException(
        f"HyperDriveConfig does not support {argument} in hdnotebook. {_UNSUPPORTED_HINT}",
        error_code="ScenarioNotSupported",
    )


def duplicated_arguments(arguments: Sequence[Any], parameter_space: dict[str, Any]) -> list[str]:
    """The words of ``arguments`` that are flags also set by ``parameter_space``, in argument order, without repeats.

    A space key ``"--lr"`` or ``"lr"`` matches the argument word ``"--lr"`` exactly (keys without a
    leading dash are passed as ``"--key"``). Only whole words match: ``"--lr=0.1"`` is not reported.
    """
    flags = {argument_key(key) for key in parameter_space}
    found: list[str] = []
    for word in arguments:
        if isinstance(word, str) and word in flags and word not in found:
            found.append(word)
    return found


def _is_run(obj: object) -> bool:
    from hdnotebook.runs.run_handle import Run

    return isinstance(obj, Run)


def _runs_list(name: str, value: object, expected: str) -> list[Any]:
    if value is None:
        return []
    runs = list(value) if isinstance(value, (list, tuple)) else [value]
    for run in runs:
        if not _is_run(run):
            raise invalid_type(expected, name, run)
    return runs


def _reject_duplicates(name: str, runs: list[Any]) -> None:
    ids = [run.id for run in runs]
    duplicated = sorted({run_id for run_id in ids if ids.count(run_id) > 1})
    if duplicated:
        raise invalid_setting(name, f"no duplicate runs, but got {duplicated} more than once.")


class HyperDriveConfig:
    """The configuration of a hyperparameter sweep.

    Differences from Azure ML: ``run_config`` is a :class:`ScriptRunConfig` or any Python callable
    (a function child, called with the sampled values as keyword arguments); ``estimator`` is an
    :class:`hdnotebook.train.estimator.Estimator` (SKLearn, TensorFlow, PyTorch...), which is a
    ScriptRunConfig and becomes ``run_config`` too; ``pipeline`` raises
    HyperDriveScenarioNotSupportedException. The documented limits are enforced:
    ``max_total_runs`` 1..1000, ``max_concurrent_runs`` 1..100. ``max_duration_minutes`` above 10080
    only warns and is NOT capped. Every invalid argument raises HyperDriveConfigException (or a
    subclass) naming the argument.

    Checks, in order: one of estimator/run_config/pipeline; estimator type; pipeline not supported;
    run_config type; hyperparameter_sampling set, then its type; primary_metric_name;
    primary_metric_goal; max_total_runs; max_concurrent_runs; max_duration_minutes; policy;
    resume_from; resume_child_runs; custom_run_id; compute_target. Warnings (UserWarning) are emitted only once the
    configuration is valid: duration above 10080, Bayesian budget advice, ScriptRunConfig arguments
    that the parameter space also sets.

    ``max_concurrent_runs`` is stored as ``max_concurrent_runs or max_total_runs`` as HyperDrive does;
    the local executor further limits concurrency to what it was asked to use.

    ``compute_target`` (an hdnotebook extension, for function children in particular) chooses where
    the children run: None or ``"local"`` (this machine, unless the ScriptRunConfig names a Dask
    target), a Dask scheduler address, a ``distributed.Client``, a Dask cluster or a
    :class:`DaskComputeTarget`. When set, it wins over the ScriptRunConfig's ``compute_target``.
    """

    def __init__(
        self,
        hyperparameter_sampling: HyperParameterSampling,
        primary_metric_name: str,
        primary_metric_goal: PrimaryMetricGoal | str,
        max_total_runs: int,
        max_concurrent_runs: int | None = None,
        max_duration_minutes: float = MAX_DURATION_MINUTES,
        policy: EarlyTerminationPolicy | None = None,
        estimator: Any = None,
        run_config: ScriptRunConfig | Callable[..., Any] | None = None,
        resume_from: Any = None,
        resume_child_runs: Any = None,
        pipeline: Any = None,
        debug_flag: Any = None,
        custom_run_id: str | None = None,
        compute_target: Any = None,
    ) -> None:
        run_config = self._validate_target(estimator, run_config, pipeline)
        if hyperparameter_sampling is None:
            raise invalid_setting("HyperDriveConfig", "hyperparameter_sampling to be set")
        if not isinstance(hyperparameter_sampling, HyperParameterSampling):
            raise invalid_type("HyperParameterSampling", "hyperparameter_sampling", hyperparameter_sampling)
        goal = self._validate_goal(primary_metric_name, primary_metric_goal)
        self._validate_budget(max_total_runs, max_concurrent_runs, max_duration_minutes)
        if policy is None:
            policy = NoTerminationPolicy()
        if not isinstance(policy, EarlyTerminationPolicy):
            raise invalid_type("EarlyTerminationPolicy", "policy", policy)
        resume_runs = self._validate_resume_from(resume_from)
        child_runs = self._validate_resume_child_runs(resume_child_runs, max_total_runs)
        parents = check_warm_start(resume_runs, child_runs, primary_metric_name, goal, max_total_runs)
        if custom_run_id is not None and not (isinstance(custom_run_id, str) and custom_run_id):
            raise invalid_type("str", "custom_run_id", custom_run_id)
        if custom_run_id is not None:
            check_name(custom_run_id, "custom_run_id", punctuation=RUN_ID_PUNCTUATION, max_length=CUSTOM_RUN_ID_MAX,
                       error=HyperDriveConfigException)
        check_compute_target(compute_target)

        self._hyperparameter_sampling = hyperparameter_sampling
        self._policy = policy
        self._primary_metric_goal = goal
        self._estimator = estimator
        self._pipeline = None
        self._run_config = run_config
        self._policy_config = policy.to_json()
        self._generator_config = hyperparameter_sampling.to_json()
        self._primary_metric_config = {"name": primary_metric_name, "goal": goal.name.lower()}
        self._max_total_runs = max_total_runs
        self._max_concurrent_runs = max_concurrent_runs or max_total_runs
        self._max_duration_minutes = max_duration_minutes
        self._platform = "AML"
        self._resume_from = resume_runs
        self._resume_child_runs = child_runs
        self._warm_start_parents = parents
        self._debug_flag = debug_flag
        self._custom_run_id = custom_run_id
        self._compute_target = compute_target
        self._warn()

    @staticmethod
    def _validate_target(estimator: Any, run_config: Any, pipeline: Any) -> ScriptRunConfig | Callable[..., Any]:
        given = sum(x is not None for x in (estimator, run_config, pipeline))
        if given == 0:
            raise invalid_setting(
                "HyperDriveConfig", f"at least one of estimator, run_config, pipeline to be set. {_UNSUPPORTED_HINT}"
            )
        if given > 1:
            raise invalid_setting("HyperDriveConfig", "only one of estimator, run_config, pipeline to be set")
        if estimator is not None:
            if not isinstance(estimator, Estimator):
                raise invalid_type("Estimator", "estimator", estimator)
            return estimator
        if pipeline is not None:
            raise _not_supported("pipeline")
        if not (isinstance(run_config, ScriptRunConfig) or callable(run_config)):
            raise invalid_type("ScriptRunConfig or a callable", "run_config", run_config)
        return run_config

    @staticmethod
    def _validate_goal(name: Any, goal: Any) -> PrimaryMetricGoal:
        if not isinstance(name, str):
            raise invalid_type("str", "primary_metric_name", name)
        if not name.strip():
            raise invalid_setting("primary_metric_name", "a non-empty metric name.")
        if isinstance(goal, PrimaryMetricGoal):
            return goal
        if not isinstance(goal, str):
            raise invalid_type("PrimaryMetricGoal", "primary_metric_goal", goal)
        try:
            return PrimaryMetricGoal.from_str(goal)
        except HyperDriveConfigException:
            raise invalid_setting("primary_metric_goal", f"either 'maximize' or 'minimize', but got {goal!r}.") from None

    @staticmethod
    def _validate_budget(max_total_runs: Any, max_concurrent_runs: Any, max_duration_minutes: Any) -> None:
        if not is_int(max_total_runs):
            raise invalid_type("int", "max_total_runs", max_total_runs)
        if not 1 <= max_total_runs <= MAX_TOTAL_RUNS:
            raise invalid_setting("max_total_runs", f"value to be between 1 and {MAX_TOTAL_RUNS}.")
        if max_concurrent_runs is not None:
            if not is_int(max_concurrent_runs):
                raise invalid_type("int", "max_concurrent_runs", max_concurrent_runs)
            if not 1 <= max_concurrent_runs <= MAX_CONCURRENT_RUNS:
                raise invalid_setting("max_concurrent_runs", f"value to be between 1 and {MAX_CONCURRENT_RUNS}.")
        if not is_number(max_duration_minutes):
            raise invalid_type("float", "max_duration_minutes", max_duration_minutes)
        if not (math.isfinite(max_duration_minutes) and max_duration_minutes > 0):
            raise invalid_setting("max_duration_minutes", "value to be a finite number of minutes greater than 0.")

    @staticmethod
    def _validate_resume_from(resume_from: Any) -> list[Any]:
        runs = _runs_list("resume_from", resume_from, "HyperDriveRun")
        if len(runs) > MAX_RESUME_FROM_RUNS:
            raise invalid_setting("HyperDriveConfig", f"the number of parent runs to not exceed than {MAX_RESUME_FROM_RUNS}")
        _reject_duplicates("resume_from", runs)
        return runs

    @staticmethod
    def _validate_resume_child_runs(resume_child_runs: Any, max_total_runs: int) -> list[Any]:
        runs = _runs_list("resume_child_runs", resume_child_runs, "Run")
        if len(runs) > max_total_runs:
            raise invalid_setting(
                "resume_child_runs",
                f"the number of runs ({len(runs)}) to not exceed max_total_runs ({max_total_runs}).",
            )
        _reject_duplicates("resume_child_runs", runs)
        return runs

    def _warn(self) -> None:
        if self._max_duration_minutes > MAX_DURATION_MINUTES:
            warnings.warn(
                f"max_duration_minutes is capped at {MAX_DURATION_MINUTES} minutes by the HyperDrive service; "
                f"hdnotebook does not cap it and lets the sweep run for up to {self._max_duration_minutes} minutes.",
                UserWarning,
                stacklevel=3,
            )
        sampling = self._hyperparameter_sampling
        if sampling._sampling_method_name == BAYESIAN_SAMPLING_NAME:
            recommended = BAYESIAN_RUNS_PER_PARAMETER * len(sampling._parameter_space or {})
            if self._max_total_runs < recommended:
                warnings.warn(
                    "For best results with Bayesian Sampling we recommend using a maximum number of runs greater than "
                    f"or equal to {BAYESIAN_RUNS_PER_PARAMETER} times the number of hyperparameters being tuned. "
                    f"Recommended value: {recommended}.",
                    UserWarning,
                    stacklevel=3,
                )
            if self._max_concurrent_runs > BAYESIAN_MAX_CONCURRENT_RUNS:
                warnings.warn(
                    "For best results with Bayesian Sampling we recommend using a maximum number of concurrent runs "
                    f"less than or equal to {BAYESIAN_MAX_CONCURRENT_RUNS}.",
                    UserWarning,
                    stacklevel=3,
                )
        if isinstance(self._run_config, ScriptRunConfig):
            duplicated = duplicated_arguments(self._run_config.arguments, sampling._parameter_space or {})
            if duplicated:
                warnings.warn(
                    "The same input parameter(s) are specified in run_config arguments and the HyperDrive parameter "
                    "space. The parameter space definition will override these duplicate entries. "
                    f"{duplicated} is the list of duplicate parameters.",
                    UserWarning,
                    stacklevel=3,
                )

    @property
    def hyperparameter_sampling(self) -> HyperParameterSampling:
        """The sampler that generates the hyperparameter configurations."""
        return self._hyperparameter_sampling

    @property
    def primary_metric_name(self) -> str:
        """The name of the metric the sweep optimises."""
        return self._primary_metric_config["name"]

    @property
    def primary_metric_goal(self) -> PrimaryMetricGoal:
        """Whether the primary metric is maximised or minimised."""
        return self._primary_metric_goal

    @property
    def max_total_runs(self) -> int:
        """The maximum number of child runs."""
        return self._max_total_runs

    @property
    def max_concurrent_runs(self) -> int:
        """The maximum number of children running at once (``max_total_runs`` when not given)."""
        return self._max_concurrent_runs

    @property
    def max_duration_minutes(self) -> float:
        """The sweep's time limit in minutes (not capped at 10080 here)."""
        return self._max_duration_minutes

    @property
    def policy(self) -> EarlyTerminationPolicy:
        """The early-termination policy (NoTerminationPolicy when none was given)."""
        return self._policy

    @property
    def run_config(self) -> ScriptRunConfig | Callable[..., Any]:
        """The child: a ScriptRunConfig (the estimator, when one was given) or a function called with the
        sampled values as keyword arguments."""
        return self._run_config

    @property
    def estimator(self) -> Any:
        """The Estimator given, else None."""
        return self._estimator

    @property
    def pipeline(self) -> None:
        """Always None: pipelines are not supported."""
        return self._pipeline

    @property
    def source_directory(self) -> str | None:
        """The ScriptRunConfig's source directory, or None for a function child."""
        if isinstance(self._run_config, ScriptRunConfig):
            return self._run_config.source_directory
        return None

    @property
    def resume_from(self) -> list[Any]:
        """The parent runs to warm-start from (a copy; empty when none)."""
        return list(self._resume_from)

    @property
    def resume_child_runs(self) -> list[Any]:
        """The child runs to resume (a copy; empty when none)."""
        return list(self._resume_child_runs)

    @property
    def warm_start_parents(self) -> list[Any]:
        """The sweeps this one inherits from: ``resume_from`` and the parents of ``resume_child_runs``."""
        return list(self._warm_start_parents)

    @property
    def compute_target(self) -> Any:
        """Where the children run; None defers to the ScriptRunConfig's compute_target (else this machine)."""
        return self._compute_target

    @property
    def custom_run_id(self) -> str | None:
        """The id requested for the parent run, or None for a generated ``HD_<uuid>``."""
        return self._custom_run_id

    @property
    def debug_flag(self) -> Any:
        """Recorded for compatibility; unused."""
        return self._debug_flag

    def __repr__(self) -> str:
        return (
            f"HyperDriveConfig(sampling={self._generator_config.get('name')!r}, "
            f"primary_metric={self._primary_metric_config!r}, max_total_runs={self._max_total_runs}, "
            f"max_concurrent_runs={self._max_concurrent_runs}, policy={self._policy_config.get('name')!r})"
        )


class HyperDriveRunConfig(HyperDriveConfig):
    """Deprecated estimator-based configuration: warns (DeprecationWarning), then is the
    :class:`HyperDriveConfig` of ``estimator`` with the same arguments (and the same checks).
    """

    def __init__(
        self,
        estimator: Any,
        hyperparameter_sampling: HyperParameterSampling,
        primary_metric_name: str,
        primary_metric_goal: PrimaryMetricGoal | str,
        max_total_runs: int,
        max_concurrent_runs: int | None = None,
        max_duration_minutes: float = MAX_DURATION_MINUTES,
        policy: EarlyTerminationPolicy | None = None,
    ) -> None:
        warnings.warn(
            "HyperDriveRunConfig is deprecated. Please use the new HyperDriveConfig class.",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(hyperparameter_sampling, primary_metric_name, primary_metric_goal, max_total_runs,
                         max_concurrent_runs, max_duration_minutes, policy, estimator=estimator)
