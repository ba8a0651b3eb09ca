"""BayesianParameterSampling as an optimiser: better than random, pure, concurrency-aware, robust and fast."""

from __future__ import annotations

import itertools
import math
import os
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from hdnotebook import Experiment, HyperDriveConfig, PrimaryMetricGoal
from hdnotebook.parameter_expressions import (
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from hdnotebook.sampling import (
    BayesianParameterSampling,
    RandomParameterSampling,
    SamplingHistory,
    TrialRecord,
)
from hdnotebook.sampling.bayesian import initial_design_size
from hdnotebook.sampling.encoding import SpaceEncoding
from hdnotebook.sampling.observations import read_history
from hdnotebook.sampling.space import configuration_key
from hdnotebook.sampling.threads import single_threaded_blas
from tests import children

BRANIN = {"x1": uniform(-5, 10), "x2": uniform(0, 15)}
BRANIN_MINIMUM = 0.397887357729738
MINIMIZE = PrimaryMetricGoal.MINIMIZE


def branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def optimise(sampler: Any, function: Callable[..., float], budget: int, goal: PrimaryMetricGoal = MINIMIZE) -> list[TrialRecord]:
    trials: list[TrialRecord] = []
    for _ in range(budget):
        (params,) = sampler.suggest(SamplingHistory(tuple(trials), goal), 1)
        trials.append(TrialRecord(params, "Completed", function(**params)))
    return trials


def history(trials: list[TrialRecord], goal: PrimaryMetricGoal = MINIMIZE) -> SamplingHistory:
    return SamplingHistory(tuple(trials), goal)


def unit(configurations: list[dict[str, Any]]) -> np.ndarray:
    return np.array([[(c["x1"] + 5) / 15, c["x2"] / 15] for c in configurations])


def test_finds_a_much_better_branin_value_than_random_in_30_evaluations() -> None:
    regrets = {}
    for name, cls in (("bayesian", BayesianParameterSampling), ("random", RandomParameterSampling)):
        regrets[name] = [min(t.metric for t in optimise(cls(BRANIN, seed=seed), branin, 30)) - BRANIN_MINIMUM
                         for seed in range(4)]
    assert max(regrets["bayesian"]) < 0.05
    assert statistics.median(regrets["bayesian"]) < statistics.median(regrets["random"]) / 50


def test_maximises_or_minimises_by_the_goal() -> None:
    space = {"x": uniform(0, 1)}
    for goal, target in ((MINIMIZE, 0.3), (PrimaryMetricGoal.MAXIMIZE, 1.0)):
        trials = optimise(BayesianParameterSampling(space, seed=2), lambda x: (x - 0.3) ** 2, 15, goal)
        best = (min if goal is MINIMIZE else max)(trials, key=lambda t: t.metric)
        assert best.params["x"] == pytest.approx(target, abs=0.01)


def test_pure_same_seed_and_history_same_suggestions() -> None:
    trials = optimise(BayesianParameterSampling(BRANIN, seed=5), branin, 12)
    first = BayesianParameterSampling(BRANIN, seed=5).suggest(history(trials), 4)
    assert BayesianParameterSampling(BRANIN, seed=5).suggest(history(trials), 4) == first
    assert BayesianParameterSampling(BRANIN, seed=6).suggest(history(trials), 4) != first
    sampler = BayesianParameterSampling(BRANIN, seed=5)
    for i in range(4):
        queued = [TrialRecord(c, "Queued") for c in first[:i]]
        assert sampler.suggest(history(trials + queued), 1) == [first[i]], "suggestion i treats 0..i-1 as pending"
    assert sampler.suggest(history(trials), 4) == first, "no private history"


def test_a_batch_of_four_and_pending_runs_are_never_near_duplicates() -> None:
    for seed in range(3):
        trials = optimise(BayesianParameterSampling(BRANIN, seed=seed), branin, 30)
        batch = BayesianParameterSampling(BRANIN, seed=seed).suggest(history(trials), 4)
        points = unit(batch)
        assert min(np.linalg.norm(a - b) for a, b in itertools.combinations(points, 2)) >= 0.01
        running = [TrialRecord(c, "Running") for c in batch[:3]]
        (next_one,) = BayesianParameterSampling(BRANIN, seed=seed).suggest(history(trials + running), 1)
        assert np.min(np.linalg.norm(unit(batch[:3]) - unit([next_one]), axis=1)) >= 0.01


def test_first_runs_are_a_quasi_random_design() -> None:
    assert [initial_design_size(d) for d in (1, 2, 6, 9, 20)] == [5, 5, 7, 10, 10]
    points = unit(BayesianParameterSampling(BRANIN, seed=1).suggest(history([]), 4))
    assert sorted(np.floor(points[:, 0] * 4).tolist()) == [0, 1, 2, 3], "a scrambled Sobol sequence fills the strata"


def test_all_choice_space_never_repeats_and_exhausts() -> None:
    space = {"a": choice(1, 2, 3, 2), "b": choice("x", "y"), "c": randint(2)}
    sampler = BayesianParameterSampling(space, seed=3)
    assert sampler.max_configurations == 12
    trials: list[TrialRecord] = []
    while batch := sampler.suggest(history(trials), 3):
        trials += [TrialRecord(c, "Completed", c["a"] + (c["b"] == "y") + c["c"]) for c in batch]
    keys = [configuration_key(list(space), t.params) for t in trials]
    assert len(trials) == 12 and len(set(keys)) == 12
    assert sampler.suggest(history(trials[:11]), 5) == [next(t.params for t in trials if t.params not in
                                                             [u.params for u in trials[:11]])]
    pending = [TrialRecord(t.params, "Running") for t in trials[6:]]
    assert len(sampler.suggest(history(trials[:6] + pending), 12)) == 0


def test_a_finite_space_is_searched_by_the_model() -> None:
    space = {"n": choice(*range(40)), "kind": choice("a", "b")}
    trials = optimise(BayesianParameterSampling(space, seed=1), lambda n, kind: (n - 27) ** 2 + (kind == "a") * 30, 14)
    assert min(t.metric for t in trials) == 0


def test_a_large_finite_space_is_searched_without_repeats() -> None:
    space = {f"p{i}": choice("a", "b", "c", "d") for i in range(7)}
    sampler = BayesianParameterSampling(space, seed=2)
    assert sampler.max_configurations == 4**7
    trials = optimise(sampler, lambda **p: sum(v == "c" for v in p.values()), 30, PrimaryMetricGoal.MAXIMIZE)
    batch = sampler.suggest(history(trials, PrimaryMetricGoal.MAXIMIZE), 4)
    keys = {configuration_key(list(space), c) for c in [t.params for t in trials] + batch}
    assert len(keys) == 34
    assert max(t.metric for t in trials) == 7, "random search typically reaches 4 or 5"


def test_history_rules_completed_canceled_failed_pending() -> None:
    space = {"x": uniform(0, 1), "k": choice("a", "b")}
    trials = (
        TrialRecord({"x": 0.1, "k": "a"}, "Completed", 3.0),
        TrialRecord({"x": 0.2, "k": "a"}, "Canceled", 5.0),
        TrialRecord({"x": 0.3, "k": "b"}, "Failed", 1.0),
        TrialRecord({"x": 0.4, "k": "b"}, "Completed", None),
        TrialRecord({"x": 0.5, "k": "b"}, "Completed", float("nan")),
        TrialRecord({"x": 0.6, "k": "b"}, "Running", 2.0),
        TrialRecord({"x": 0.7, "k": "b"}, "Queued"),
        TrialRecord({"x": 0.8, "k": "zz"}, "Completed", 1.0),
        TrialRecord({"y": 0.9}, "Completed", 1.0),
    )
    observed = read_history(SamplingHistory(trials, MINIMIZE), SpaceEncoding(space))
    assert observed.points.tolist() == [[0.1, 0.0], [0.2, 0.0]] and observed.values.tolist() == [-3.0, -5.0]
    assert observed.failed.tolist() == [[0.3, 1.0]]
    assert observed.pending.tolist() == [[0.6, 1.0], [0.7, 1.0]]
    assert len(observed.seen) == 8


@pytest.mark.parametrize(
    "metrics",
    [[1.0] * 12, [float("nan")] * 12, [None] * 12, [2.0] + [float("nan")] * 11, [1e300, -1e300] * 6,
     [1.0 + i * 1e-15 for i in range(12)], [float("inf"), -float("inf")] * 6],
)
def test_degenerate_metrics_never_crash(metrics: list) -> None:
    sampler = BayesianParameterSampling(BRANIN, seed=0)
    configurations = sampler.suggest(history([]), 12)
    trials = [TrialRecord(c, "Completed", m) for c, m in zip(configurations, metrics)]
    batch = sampler.suggest(history(trials), 4)
    assert len(batch) == 4 and all(-5 <= c["x1"] <= 10 and 0 <= c["x2"] <= 15 for c in batch)


def test_failures_duplicates_and_foreign_trials_never_crash() -> None:
    sampler = BayesianParameterSampling(BRANIN, seed=0)
    same = {"x1": 1.0, "x2": 2.0}
    trials = [TrialRecord(same, "Completed", float(v)) for v in range(10)]
    trials += [TrialRecord({"x1": 3.0, "x2": 4.0}, "Failed"), TrialRecord({"other": 1}, "Completed", 0.0)]
    assert len(sampler.suggest(history(trials), 3)) == 3
    failed_only = [TrialRecord(c, "Failed") for c in sampler.suggest(history([]), 10)]
    assert len(sampler.suggest(history(failed_only), 2)) == 2


@pytest.mark.parametrize("dimension", [1, 20])
def test_one_and_twenty_dimensions(dimension: int) -> None:
    space = {f"x{i}": uniform(-1, 1) for i in range(dimension)}
    trials = optimise(BayesianParameterSampling(space, seed=4), lambda **x: sum(v * v for v in x.values()), 25)
    assert min(t.metric for t in trials[initial_design_size(dimension):]) < min(t.metric for t in trials[:initial_design_size(dimension)])


def test_every_expression_with_observations() -> None:
    space = {"c": choice("a", "b"), "n": choice(16, 32, 64), "r": randint(3), "u": uniform(0, 1), "q": quniform(0, 10, 2),
             "lu": loguniform(-5, 0), "qlu": qloguniform(0, 4, 5), "no": normal(0, 1), "qno": qnormal(0, 4, 2),
             "ln": lognormal(0, 0.5), "qln": qlognormal(1, 0.5, 1)}
    sampler = BayesianParameterSampling(space, seed=9)

    def score(**p):
        return (p["c"] == "a") + p["n"] / 64 + p["r"] + (p["u"] - 0.3) ** 2 + p["q"] + p["lu"] + p["no"] ** 2

    trials = optimise(sampler, score, 16)
    for configuration in sampler.suggest(history(trials), 4):
        assert configuration["c"] in ("a", "b") and configuration["n"] in (16, 32, 64) and configuration["r"] in (0, 1, 2)
        assert type(configuration["q"]) is int and configuration["q"] % 2 == 0 and type(configuration["qln"]) is int
        assert configuration["qlu"] % 5 == 0 and math.exp(-5) <= configuration["lu"] <= 1


MIXED = {"lr": loguniform(math.log(1e-5), 0), "width": quniform(16, 256, 16), "activation": choice("relu", "tanh", "sigmoid"),
         "layers": choice(1, 2, 3, 4), "dropout": uniform(0, 0.5)}


def mixed(lr: float, width: int, activation: str, layers: int, dropout: float) -> float:
    penalty = {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}[activation]
    return ((math.log10(lr) + 3) / 2) ** 2 + ((width - 96) / 128) ** 2 + penalty + 0.15 * abs(layers - 3) + (dropout - 0.1) ** 2


def test_mixed_space_suggestions_are_valid_members_and_reproducible() -> None:
    trials = optimise(BayesianParameterSampling(MIXED, seed=11), mixed, 30)
    pending = [TrialRecord(t.params, "Running") for t in trials[-2:]]
    batch = BayesianParameterSampling(MIXED, seed=11).suggest(history(trials[:-2] + pending), 4)
    for configuration in [t.params for t in trials] + batch:
        assert configuration["activation"] in ("relu", "tanh", "sigmoid") and configuration["layers"] in (1, 2, 3, 4)
        assert type(configuration["width"]) is int and configuration["width"] % 16 == 0 and 16 <= configuration["width"] <= 256
        assert math.exp(math.log(1e-5)) <= configuration["lr"] <= 1 and 0 <= configuration["dropout"] <= 0.5
    assert optimise(BayesianParameterSampling(MIXED, seed=11), mixed, 30) == trials, "same seed, same sweep"
    best = min(trials, key=lambda t: t.metric).params
    assert (best["activation"], best["layers"], best["width"]) == ("relu", 3, 96), "the discrete optimum within 30 runs"
    assert min(t.metric for t in trials) < 0.01


def random_history(dimension: int, count: int) -> tuple[dict, SamplingHistory]:
    space = {f"x{i}": uniform(0, 1) for i in range(dimension)}
    rng = np.random.default_rng(0)
    trials = []
    for _ in range(count):
        x = rng.random(dimension)
        trials.append(TrialRecord({f"x{i}": float(v) for i, v in enumerate(x)}, "Completed", float(np.sum(np.sin(5 * x)))))
    return space, SamplingHistory(tuple(trials), MINIMIZE)


@pytest.mark.parametrize(("observations", "limit"), [(200, 0.150), (1000, 1.0)])
def test_suggestion_time_is_bounded(observations: int, limit: float) -> None:
    """CPU seconds of this process, so that the figure does not depend on what else the machine runs."""
    space, past = random_history(6, observations)
    seconds = []
    for seed in range(5):
        start = time.process_time()
        BayesianParameterSampling(space, seed=seed).suggest(past, 1)
        seconds.append(time.process_time() - start)
    assert statistics.median(seconds) <= limit


@pytest.mark.timeout(120)
def test_blas_is_limited_in_a_process_that_had_not_loaded_numpy_yet() -> None:
    """numpy is imported lazily: the limit must still reach its BLAS (and scipy's) when a suggestion is the first
    thing that loads them."""
    import subprocess
    import sys

    code = ("import sys\nfrom hdnotebook.sampling.threads import single_threaded_blas\nassert 'numpy' not in sys.modules\n"
            "from threadpoolctl import threadpool_info\nwith single_threaded_blas():\n"
            "    print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=100,
                            env={**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1]"


def _blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_blas_limit_set_by_a_thread_that_lives_on_does_not_lock_out_the_next_thread() -> None:
    """A sweep suggests in the tuning loop's worker threads, which live as long as the kernel: the limit they set
    and restored must leave the next suggestion, asked from any other thread, free to set its own."""
    before = _blas_threads()
    inside: list[set[int]] = []
    done, leave = threading.Event(), threading.Event()

    def loop_worker() -> None:
        with single_threaded_blas():
            inside.append(_blas_threads())
        done.set()
        leave.wait(30)

    worker = threading.Thread(target=loop_worker)
    worker.start()
    try:
        assert done.wait(30)
        assert _blas_threads() == before
        with single_threaded_blas():
            inside.append(_blas_threads())
    finally:
        leave.set()
        worker.join(30)
    assert inside == [{1}, {1}]
    assert _blas_threads() == before


def test_overlapping_suggestions_take_turns_and_each_runs_single_threaded() -> None:
    before = _blas_threads()
    spans: list[tuple[str, float, float, set[int]]] = []
    first_in = threading.Event()

    def suggestion(name: str, hold: float) -> None:
        with single_threaded_blas():
            start = time.monotonic()
            first_in.set()
            threads = _blas_threads()
            time.sleep(hold)
            spans.append((name, start, time.monotonic(), threads))

    other = threading.Thread(target=suggestion, args=("other", 0.3))
    other.start()
    assert first_in.wait(30)
    suggestion("main", 0.0)
    other.join(30)
    (first, a_start, a_end, a_threads), (second, b_start, _, b_threads) = spans
    assert (first, second) == ("other", "main") and b_start >= a_end, "the second waited for the first"
    assert a_threads == b_threads == {1}
    with single_threaded_blas(), single_threaded_blas():  # nested in one thread: no deadlock
        assert _blas_threads() == {1}
    assert _blas_threads() == before


def test_a_sweep_with_four_concurrent_runs(experiment: Experiment) -> None:
    sampling = BayesianParameterSampling({"x": uniform(-2, 4), "y": uniform(-2, 2)}, seed=7)
    with pytest.warns(UserWarning, match="recommend using a maximum number of runs greater than or equal to 20 times"):
        config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=sampling,
                                  primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=16,
                                  max_concurrent_runs=4)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    configurations = [c.get_details()["runDefinition"]["arguments"] for c in run.get_children()]
    assert len(configurations) == 16 and len({tuple(c) for c in configurations}) == 16
    assert max(run.get_best_run_by_primary_metric().get_metrics()["score"]) > -0.1
