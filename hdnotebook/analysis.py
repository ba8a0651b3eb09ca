"""What a sweep says about its hyperparameters: ``param_importances`` (the computation is ``results.importance``)."""

from __future__ import annotations

from typing import Any

from hdnotebook.exceptions import UserErrorException
from hdnotebook.results.fanova import N_TREES


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
