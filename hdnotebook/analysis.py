"""What a sweep says about its hyperparameters: ``param_importances`` (the computation is ``results.importance``),
and ``replay`` of a policy on a finished sweep (the computation is ``policy.replay``, on curves)."""

from __future__ import annotations

from typing import Any

from hdnotebook.exceptions import UserErrorException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.base import EarlyTerminationPolicy
from hdnotebook.policy.replay import ReplayResult, replay as replay_curves
from hdnotebook.results.fanova import N_TREES


def replay(policy: EarlyTerminationPolicy | None, run_or_curves: Any, concurrency: int = 4, *,
           goal: PrimaryMetricGoal | str | None = None, seed: int | None = None, orders: int = 1) -> ReplayResult:
    """``hdnotebook.policy.replay.replay`` (see there), where ``run_or_curves`` may also be a finished
    HyperDriveRun: its children's primary-metric values, in generation order, and its goal unless ``goal``
    is given."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    if isinstance(run_or_curves, HyperDriveRun):
        run_or_curves, own_goal = run_or_curves._primary_metric_curves()
        goal = own_goal if goal is None else goal
    return replay_curves(policy, run_or_curves, concurrency, goal=goal, seed=seed, orders=orders)


def param_importances(run: Any, seed: int = 0, n_trees: int = N_TREES, include_warm_start: bool = False) -> dict[str, float]:
    """``{hyperparameter key: share}`` of a sweep (a ``HyperDriveRun``) for its primary metric, summing to 1,
    largest first: fANOVA over a random forest of ``n_trees`` trees (the method and defaults of Optuna's
    ``get_param_importances``), deterministic for a given ``seed``. Log-scaled parameters are measured in
    log space; a choice counts as one parameter. The sample is every child with a finite value of the
    primary metric (its best value); ``include_warm_start`` adds the warm-start parents' children.
    Needs scikit-learn (``pip install 'hdnotebook[importance]'``)."""
    from hdnotebook.results.importance import param_importances as compute
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    if not isinstance(run, HyperDriveRun):
        raise UserErrorException(f"param_importances expects a HyperDriveRun (a sweep), got {type(run).__name__}")
    try:
        return compute(run._need_store(), run.id, seed=seed, n_trees=n_trees, include_warm_start=include_warm_start)
    except ValueError as error:
        raise UserErrorException(str(error)) from error
