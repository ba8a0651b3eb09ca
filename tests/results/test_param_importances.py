"""param_importances (fANOVA over a random forest) on functions whose true importances are known."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import hdnotebook
from hdnotebook import (
    Experiment,
    HyperDriveConfig,
    HyperDriveRun,
    RandomParameterSampling,
    UserErrorException,
    Workspace,
    choice,
    loguniform,
    randint,
    uniform,
)
from hdnotebook.sampling.random import RandomParameterSampling as Sampler
from tests import children

_SWEEPS = itertools.count()


def store_sweep(workspace: Workspace, space: dict[str, list[Any]], score: Callable[[dict[str, Any]], float], runs: int,
                goal: str = "maximize", seed: int = 0) -> HyperDriveRun:
    """A finished sweep written straight into the workspace's store: ``runs`` children sampled from ``space``,
    each logging ``score(params)`` once as ``score``."""
    store = workspace._store
    parent = f"HD_known_{next(_SWEEPS)}"
    sampler = Sampler(space, seed=seed)
    store.create_run(parent, "known", "hyperdrive", status="Completed", config={
        "generator_config": sampler.to_json(), "primary_metric_config": {"name": "score", "goal": goal}})
    rng = random.Random(seed)
    for i in range(runs):
        params = {key: sample(expression, rng) for key, expression in space.items()}
        store.create_run(f"{parent}_{i}", "known", "hdnotebook.function", parent_id=parent, child_index=i,
                         status="Completed", hyperparameters=params)
        store.apply_events([{"op": "metric", "run": f"{parent}_{i}", "name": "score", "kind": "scalar",
                             "value": score(params), "t": 1.0}])
    return HyperDriveRun(Experiment(workspace, "known"), parent)


def sample(expression: list[Any], rng: random.Random) -> Any:
    name, args = expression
    if name == "uniform":
        return rng.uniform(*args)
    if name == "loguniform":
        return math.exp(rng.uniform(*args))
    if name == "randint":
        return rng.randrange(args[0])
    return rng.choice(args[0])


@pytest.mark.timeout(240)
def test_a_real_sweep_ranks_x1_over_x2_over_x3(experiment: Experiment) -> None:
    space = {"x1": uniform(0, 1), "x2": uniform(0, 1), "x3": uniform(0, 1)}
    config = HyperDriveConfig(run_config=children.linear, hyperparameter_sampling=RandomParameterSampling(space, seed=3),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=40,
                              max_concurrent_runs=4)
    run = experiment.submit(config)
    run.wait_for_completion()
    shares = hdnotebook.param_importances(run)
    assert list(shares) == ["x1", "x2", "x3"], shares
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["x1"] > 0.9 and shares["x3"] < 0.02


@pytest.mark.timeout(120)
def test_known_importances_on_store_written_sweeps(workspace: Workspace) -> None:
    linear = store_sweep(workspace, {"x1": uniform(0, 1), "x2": uniform(0, 1), "x3": uniform(0, 1)},
                         lambda p: 10 * p["x1"] + p["x2"], runs=300)
    shares = hdnotebook.param_importances(linear)
    assert list(shares) == ["x1", "x2", "x3"] and shares["x1"] > 0.95 and shares["x3"] < 0.005, shares
    assert sum(shares.values()) == pytest.approx(1.0)

    offsets = {"a": 0.0, "b": 5.0, "c": -3.0}
    categorical = store_sweep(workspace, {"x": uniform(0, 1), "act": choice("a", "b", "c")},
                              lambda p: offsets[p["act"]] + p["x"], runs=200, goal="minimize")
    shares = hdnotebook.param_importances(categorical)
    assert list(shares) == ["act", "x"] and shares["act"] > 0.95, "a choice counts as one parameter"

    # ln(lr) is uniform on [-9, -1] like y on [0, 8]: equal variance, so equal shares, only when lr is
    # measured in log space (in linear space ln(lr) hardly varies over most of the range)
    logs = store_sweep(workspace, {"lr": loguniform(-9, -1), "y": uniform(0, 8)}, lambda p: math.log(p["lr"]) + p["y"], runs=400)
    shares = hdnotebook.param_importances(logs)
    assert 0.35 < shares["lr"] < 0.65 and 0.35 < shares["y"] < 0.65, shares

    levels = store_sweep(workspace, {"depth": randint(6), "width": choice(16, 32, 64), "noise": uniform(0, 1)},
                         lambda p: 3 * p["depth"] + 0.01 * p["width"] + 0.1 * p["noise"], runs=200)
    shares = hdnotebook.param_importances(levels)
    assert list(shares)[0] == "depth" and shares["depth"] > 0.9, shares


@pytest.mark.timeout(120)
def test_deterministic_with_a_seed_and_clear_errors(workspace: Workspace) -> None:
    run = store_sweep(workspace, {"a": uniform(0, 1), "b": uniform(0, 1)}, lambda p: p["a"] + 0.5 * p["b"], runs=60)
    first = hdnotebook.param_importances(run, seed=7)
    assert hdnotebook.param_importances(run, seed=7) == first
    assert hdnotebook.param_importances(run, seed=8) != first
    assert list(hdnotebook.param_importances(run, n_trees=8)) == ["a", "b"]

    with pytest.raises(UserErrorException, match="expects a HyperDriveRun"):
        hdnotebook.param_importances(run.get_children()[0])
    with pytest.raises(UserErrorException, match="seed expects an int >= 0"):
        hdnotebook.param_importances(run, seed=-1)
    constant = store_sweep(workspace, {"a": uniform(0, 1)}, lambda p: 1.0, runs=5)
    with pytest.raises(UserErrorException, match="same value in every run"):
        hdnotebook.param_importances(constant)
    single = store_sweep(workspace, {"a": uniform(0, 1)}, lambda p: p["a"], runs=1)
    with pytest.raises(UserErrorException, match="needs at least 2 runs .* found 1"):
        hdnotebook.param_importances(single)


def test_importance_figure_is_a_horizontal_bar_chart(workspace: Workspace) -> None:
    import plotly.graph_objects as go

    from hdnotebook.plot import importances

    run = store_sweep(workspace, {"small": uniform(0, 1), "big": uniform(0, 1)}, lambda p: p["small"] + 5 * p["big"], runs=80)
    figure = importances(run, seed=1)
    shares = hdnotebook.param_importances(run, seed=1)
    assert isinstance(figure, go.Figure) and len(figure.data) == 1
    bar = figure.data[0]
    assert bar.type == "bar" and bar.orientation == "h"
    assert list(bar.y) == ["big", "small"] == list(shares) and list(bar.x) == list(shares.values())
    assert figure.layout.yaxis.autorange == "reversed", "the most important on top"
    assert "score" in figure.layout.title.text and bar.text[0] == f"{shares['big']:.1%}"
    assert go.Figure(figure.to_dict()).data[0].y == bar.y, "it round-trips as a plain figure (saved, shown statically)"
