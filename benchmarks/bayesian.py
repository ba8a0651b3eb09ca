"""Bayesian sampling against random search and Optuna's TPE and GP samplers; prints figures (not a timed test).

Tasks (all minimised): Branin (2-D), Hartmann6 (6-D), Rosenbrock (4-D, on [-2.048, 2.048]^4), a 5-D mixed
space (two log-scaled floats, a quantised int, a string choice and a numeric choice) with known optimum 0,
and a real scikit-learn task: the 5-fold cross-validated mean squared error of kernel ridge regression on
the diabetes data (alpha and gamma on log scales, kernel rbf or laplacian). Its optimum is unknown, so its
regret is measured from the best value any sampler found in the same run. Budget: 20 runs per dimension
(at most 120), one at a time: each sampler is called directly (``suggest(history, 1)``, or Optuna's
ask/tell), no processes.

For each task and sampler: the median [first quartile, third quartile] over the seeds of the simple
regret (best value minus the optimum) after 25%, 50% and 100% of the budget, and the median CPU seconds
one suggestion takes in this process, all threads (Optuna: ``study.ask()``); then our Bayesian sampler's
median regret at 25% and 100% and its CPU per suggestion as ratios to Optuna GPSampler's. Optuna's samplers run where optuna is installed
(``pip install -e '.[bench]'``), GPSampler only where torch is too (``pip install torch``).

Usage: python benchmarks/bayesian.py [--quick] [--seeds 10] [--tasks branin,hartmann6] [--samplers bayesian,random]
Targets (issue 16): on every task our median regret at 25% and at 100% of the budget <= GPSampler's;
CPU per suggestion within 3x of GPSampler's.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.parameter_expressions import choice, loguniform, quniform, uniform
from hdnotebook.sampling import (
    BayesianParameterSampling,
    RandomParameterSampling,
    SamplingHistory,
    TrialRecord,
)

BRANIN_MINIMUM = 0.397887357729738
HARTMANN6_MINIMUM = -3.322368011415511
_HARTMANN_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_HARTMANN_P = 1e-4 * np.array(
    [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
)
_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_ACTIVATION_PENALTY = {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}


def branin(x1: float, x2: float) -> float:
    """Branin on [-5, 10] x [0, 15]; minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475)."""
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(**x: float) -> float:
    """Hartmann6 on [0, 1]^6 (keywords x1..x6); minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)."""
    point = np.array([x[f"x{i}"] for i in range(1, 7)])
    return float(-_HARTMANN_ALPHA @ np.exp(-np.sum(_HARTMANN_A * (point - _HARTMANN_P) ** 2, axis=1)))


def rosenbrock(**x: float) -> float:
    """Rosenbrock in 4-D (keywords x1..x4, each in [-2.048, 2.048]); minimum 0 at (1, 1, 1, 1)."""
    v = [x[f"x{i}"] for i in range(1, 5)]
    return float(sum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(3)))


def mixed(lr: float, decay: float, width: int, activation: str, layers: int) -> float:
    """A 5-D mixed function, minimum 0 at lr=1e-3, decay=1e-4, width=96, activation="relu", layers=3."""
    a = (math.log10(lr) + 3) / 2
    b = (math.log10(decay) + 4) / 2.5
    c = (width - 96) / 128
    return a * a + 0.5 * b * b + c * c + 0.5 * a * c + _ACTIVATION_PENALTY[activation] + 0.15 * abs(layers - 3)


@lru_cache(maxsize=1)
def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    x, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(x), y


def kernel_ridge_cv(alpha: float, gamma: float, kernel: str) -> float:
    """5-fold cross-validated mean squared error of KernelRidge on the (standardised) diabetes data."""
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import KFold, cross_val_score

    x, y = _diabetes()
    folds = KFold(5, shuffle=True, random_state=0)
    return -float(np.mean(cross_val_score(KernelRidge(alpha=alpha, gamma=gamma, kernel=kernel), x, y, cv=folds,
                                          scoring="neg_mean_squared_error")))


@dataclass(frozen=True)
class Task:
    name: str
    space: dict[str, list[Any]]
    function: Callable[..., float]
    optimum: float | None

    @property
    def budget(self) -> int:
        return min(20 * len(self.space), 120)


TASKS = [
    Task("branin", {"x1": uniform(-5, 10), "x2": uniform(0, 15)}, branin, BRANIN_MINIMUM),
    Task("hartmann6", {f"x{i}": uniform(0, 1) for i in range(1, 7)}, hartmann6, HARTMANN6_MINIMUM),
    Task("rosenbrock4", {f"x{i}": uniform(-2.048, 2.048) for i in range(1, 5)}, rosenbrock, 0.0),
    Task("mixed5", {"lr": loguniform(math.log(1e-5), 0), "decay": loguniform(math.log(1e-6), math.log(0.1)),
                    "width": quniform(16, 256, 16), "activation": choice("relu", "tanh", "sigmoid"),
                    "layers": choice(1, 2, 3, 4)}, mixed, 0.0),
    Task("kernel-ridge-cv", {"alpha": loguniform(math.log(1e-4), math.log(10)),
                             "gamma": loguniform(math.log(1e-4), 0), "kernel": choice("rbf", "laplacian")},
         kernel_ridge_cv, None),
]


def sequential_sweep(sampler_class: type, task: Task, seed: int, budget: int | None = None,
                     prior: tuple[TrialRecord, ...] = ()) -> tuple[list[TrialRecord], list[float]]:
    """One of our samplers on one task, one suggestion at a time: the trials in evaluation order and
    the seconds per suggestion (``prior``: finished runs of a warm-start parent)."""
    sampler = sampler_class(task.space, seed=seed)
    trials: list[TrialRecord] = []
    seconds = []
    for _ in range(budget or task.budget):
        history = SamplingHistory(trials=tuple(trials), goal=PrimaryMetricGoal.MINIMIZE, prior=prior)
        start = time.process_time()
        (params,) = sampler.suggest(history, 1)
        seconds.append(time.process_time() - start)
        trials.append(TrialRecord(params=params, status="Completed", metric=task.function(**params)))
    return trials, seconds


def run_ours(sampler_class: type, task: Task, seed: int) -> tuple[list[float], list[float]]:
    """Values in evaluation order and seconds per suggestion of one of our samplers on one task."""
    trials, seconds = sequential_sweep(sampler_class, task, seed)
    return [t.metric for t in trials], seconds


def _optuna_distributions(space: dict[str, list[Any]]) -> dict[str, Any]:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    converted = {}
    for key, (name, args) in space.items():
        if name == "uniform":
            converted[key] = FloatDistribution(args[0], args[1])
        elif name == "loguniform":
            converted[key] = FloatDistribution(math.exp(args[0]), math.exp(args[1]), log=True)
        elif name == "quniform":
            converted[key] = IntDistribution(args[0], args[1], step=args[2])
        elif name == "choice":
            converted[key] = CategoricalDistribution(args[0])
        else:
            raise ValueError(f"no Optuna distribution for {name}")
    return converted


def run_optuna(kind: str, task: Task, seed: int) -> tuple[list[float], list[float]]:
    """The same for Optuna's TPESampler or GPSampler through ask/tell."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    sampler = optuna.samplers.TPESampler(seed=seed) if kind == "tpe" else optuna.samplers.GPSampler(seed=seed)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    distributions = _optuna_distributions(task.space)
    values, seconds = [], []
    for _ in range(task.budget):
        start = time.process_time()
        trial = study.ask(distributions)
        seconds.append(time.process_time() - start)
        values.append(task.function(**trial.params))
        study.tell(trial, values[-1])
    return values, seconds


def available_samplers() -> dict[str, Callable[[Task, int], tuple[list[float], list[float]]]]:
    """Our Bayesian and random samplers, plus Optuna's TPE and GP samplers where they can be imported."""
    runners: dict[str, Callable[[Task, int], tuple[list[float], list[float]]]] = {
        "bayesian": lambda task, seed: run_ours(BayesianParameterSampling, task, seed),
        "random": lambda task, seed: run_ours(RandomParameterSampling, task, seed),
    }
    try:
        import optuna  # noqa: F401
    except ImportError:
        return runners
    runners["optuna-tpe"] = lambda task, seed: run_optuna("tpe", task, seed)
    try:
        import torch  # noqa: F401
    except ImportError:
        return runners
    runners["optuna-gp"] = lambda task, seed: run_optuna("gp", task, seed)
    return runners


def _quartiles(values: list[float]) -> str:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return f"{median:.3g} [{q1:.3g}, {q3:.3g}]"


def report(task: Task, results: dict[str, list[tuple[list[float], list[float]]]]) -> list[str]:
    """The table of one task: a row per sampler.

    The regret of a task without a known optimum is measured from the best value any sampler found here.
    """
    optimum = task.optimum
    if optimum is None:
        optimum = min(min(values) for runs in results.values() for values, _ in runs)
    what = "regret" if task.optimum is not None else f"regret from the best value found, {optimum:.6g}"
    seeds = len(next(iter(results.values())))
    lines = [f"{task.name} ({len(task.space)}-D, budget {task.budget}, {seeds} seeds), {what}:",
             f"  {'sampler':<12} {'25%':>28} {'50%':>28} {'100%':>28} {'CPU s/sugg.':>13}"]
    for name, runs in results.items():
        cells = []
        for fraction in (0.25, 0.5, 1.0):
            n = max(1, round(task.budget * fraction))
            cells.append(_quartiles([min(values[:n]) - optimum for values, _ in runs]))
        seconds = statistics.median(s for _, times in runs for s in times)
        lines.append(f"  {name:<12} {cells[0]:>28} {cells[1]:>28} {cells[2]:>28} {seconds:>13.4f}")
    return lines


def ratios(task: Task, results: dict[str, list[tuple[list[float], list[float]]]], ours: str = "bayesian",
           reference: str = "optuna-gp") -> list[str]:
    """``ours`` against ``reference`` on one task: median regret at 25% and 100% and median CPU per suggestion,
    each as ours / reference (below 1: ours is better or cheaper); empty when either is missing."""
    if ours not in results or reference not in results:
        return []
    optimum = task.optimum
    if optimum is None:
        optimum = min(min(values) for runs in results.values() for values, _ in runs)
    cells = []
    for fraction in (0.25, 1.0):
        n = max(1, round(task.budget * fraction))
        mine, theirs = (statistics.median(min(values[:n]) - optimum for values, _ in results[name])
                        for name in (ours, reference))
        cells.append(f"{fraction:.0%} {mine / theirs:.3g}x" if theirs > 0 else f"{fraction:.0%} {mine:.3g} vs 0")
    cpu = [statistics.median(s for _, times in results[name] for s in times) for name in (ours, reference)]
    return [f"  {ours} / {reference}: regret {', '.join(cells)}; CPU per suggestion {cpu[0] / max(cpu[1], 1e-9):.3g}x"]


WARM_TASKS = ("hartmann6", "mixed5")
WARM_BUDGET = 60
WARM_CHECKPOINTS = (10, 30, 60)


def warm_start_report(task: Task, seeds: range) -> list[str]:
    """Cold sweeps of WARM_BUDGET runs against sweeps of WARM_BUDGET warm-started from an earlier sweep of
    WARM_BUDGET (another seed): median [quartiles] of the regret after 10, 30 and 60 runs."""
    cold, warm = [], []
    for seed in seeds:
        prior, _ = sequential_sweep(BayesianParameterSampling, task, seed + 1000, WARM_BUDGET)
        for runs, parents in ((cold, ()), (warm, tuple(prior))):
            trials, _ = sequential_sweep(BayesianParameterSampling, task, seed, WARM_BUDGET, parents)
            runs.append([t.metric for t in trials])
    optimum = task.optimum or 0.0
    lines = [f"{task.name} warm start ({len(seeds)} seeds; parent sweep of {WARM_BUDGET} runs), regret after n runs:",
             "  " + f"{'sweep':<8}" + "".join(f"{f'n={n}':>32}" for n in WARM_CHECKPOINTS)]
    for name, runs in (("cold", cold), ("warm", warm)):
        lines.append("  " + f"{name:<8}" + "".join(
            f"{_quartiles([min(v[:n]) - optimum for v in runs]):>32}" for n in WARM_CHECKPOINTS))
    warm10 = statistics.median(min(v[:10]) - optimum for v in warm)
    cold30 = statistics.median(min(v[:30]) - optimum for v in cold)
    verdict = "met" if warm10 < cold30 else "NOT met"
    lines.append(f"  target: warm after 10 runs ({warm10:.3g}) beats cold after 30 ({cold30:.3g}): {verdict}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 10 (a smoke run)")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tasks", default=",".join(task.name for task in TASKS))
    parser.add_argument("--samplers", default="")
    parser.add_argument("--warm-start", action="store_true", help="only the warm-start comparison (issue 6)")
    args = parser.parse_args()
    seeds = range(2 if args.quick else args.seeds)
    if args.warm_start:
        for task in [task for task in TASKS if task.name in WARM_TASKS]:
            print("\n".join(warm_start_report(task, seeds)), flush=True)
        return
    runners = available_samplers()
    chosen = [name for name in args.samplers.split(",") if name] or list(runners)
    for task in [task for task in TASKS if task.name in args.tasks.split(",")]:
        results = {}
        for name in chosen:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[name] = [runners[name](task, seed) for seed in seeds]
        print("\n".join(report(task, results) + ratios(task, results)), flush=True)


if __name__ == "__main__":
    main()
