"""The importance of a sweep's hyperparameters for its primary metric, by fANOVA (see ``results.fanova``).

Each child that logged a finite value of the primary metric is one sample: its hyperparameters, and its
best value of the metric (the value the sweep ranks it by). Parameters are placed in the unit box the
Bayesian sampler uses (``sampling.encoding``): uniform and normal ones linearly (normal ones by their
prior's CDF), log-scaled ones (loguniform, lognormal and q variants) in log space, ``randint`` and
numeric choices as ordered levels, and choices of strings one-hot (the importance is the parameter's).
The importance is measured under the uniform distribution over that box.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from hdnotebook._engine.store import Store
from hdnotebook.results.aggregates import metric_summaries
from hdnotebook.results.dataframe import parameter_space, primary_metric, sweep_config
from hdnotebook.results.fanova import N_TREES, Group, fanova
from hdnotebook.sampling.encoding import SpaceEncoding

MIN_RUNS = 2


def _design(encoding: SpaceEncoding, points: np.ndarray) -> tuple[np.ndarray, list[Group]]:
    """The forest's columns (categorical parameters one-hot) and one group per parameter."""
    columns: list[np.ndarray] = []
    groups: list[Group] = []
    for i, column in enumerate(encoding.columns):
        start = len(columns)
        if column.kind == "categorical":
            levels = column.levels
            columns += [(points[:, i] == level).astype(float) for level in range(levels)]
            groups.append(Group(tuple(range(start, start + levels)), np.eye(levels)))
        elif column.kind == "ordinal":
            columns.append(points[:, i])
            groups.append(Group((start,), ((np.arange(column.levels) + 0.5) / column.levels)[:, None]))
        else:
            columns.append(points[:, i])
            groups.append(Group((start,)))
    return np.column_stack(columns), groups


def param_importances(store: Store, sweep_id: str, seed: int = 0, n_trees: int = N_TREES,
                      include_warm_start: bool = False) -> dict[str, float]:
    """``{hyperparameter key: share}`` for the sweep's primary metric: fANOVA main effects normalised to sum
    to 1, largest first. Deterministic for a given ``seed``. Needs at least 2 children with a finite value
    of the primary metric whose metric values differ; raises ValueError otherwise, and ImportError without
    scikit-learn (``pip install hdnotebook[importance]``)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed expects an int >= 0, got {seed!r}")
    if isinstance(n_trees, bool) or not isinstance(n_trees, int) or n_trees < 1:
        raise ValueError(f"n_trees expects an int >= 1, got {n_trees!r}")
    try:
        import sklearn  # noqa: F401
    except ImportError as error:
        raise ImportError("param_importances needs scikit-learn: pip install 'hdnotebook[importance]'") from error
    config = sweep_config(store, sweep_id)
    metric, goal = primary_metric(config)
    space = parameter_space(config)
    if not space:
        raise ValueError(f"the sweep {sweep_id} has no parameter space")
    parents = [sweep_id] + (list(config.get("resume_from") or []) if include_warm_start else [])
    children = store.sweep_children(parents)
    summaries = metric_summaries(store, parents, [metric], maximize=goal.name == "MAXIMIZE")
    params: list[dict[str, Any]] = []
    values: list[float] = []
    for child in children:
        summary = summaries.get((child[0], metric))
        best = summary.best(goal.name == "MAXIMIZE") if summary else None
        if best is not None:
            params.append(json.loads(child[7] or "{}"))
            values.append(best)
    encoding = SpaceEncoding(space)
    points = encoding.encode_many(params) if params else np.empty((0, len(space)))
    keep = ~np.isnan(points).any(axis=1)
    if int(keep.sum()) < MIN_RUNS:
        raise ValueError(f"param_importances needs at least {MIN_RUNS} runs of sweep {sweep_id} that logged a finite "
                         f"value of the primary metric {metric!r} (with values of the sweep's parameter space); "
                         f"found {int(keep.sum())}")
    x, groups = _design(encoding, points[keep])
    shares = fanova(x, np.asarray(values)[keep], groups, seed=seed, n_trees=n_trees)
    order = sorted(range(len(space)), key=lambda i: (-shares[i], i))
    return {encoding.keys[i]: float(shares[i]) for i in order}
