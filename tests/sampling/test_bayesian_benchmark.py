"""benchmarks/bayesian.py: its task functions at their known optima, its Optuna spaces and its table (not the benchmark)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from hdnotebook.sampling import RandomParameterSampling

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bayesian.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark_bayesian", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_synthetic_functions_at_their_known_optima(bench) -> None:
    for x1, x2 in ((-math.pi, 12.275), (math.pi, 2.275), (9.42478, 2.475)):
        assert bench.branin(x1, x2) == pytest.approx(bench.BRANIN_MINIMUM, abs=1e-5)
    assert bench.branin(0.0, 0.0) > 50
    optimum = dict(zip([f"x{i}" for i in range(1, 7)], (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)))
    assert bench.hartmann6(**optimum) == pytest.approx(bench.HARTMANN6_MINIMUM, abs=1e-5)
    assert bench.hartmann6(**{k: 0.5 for k in optimum}) > -3.0
    assert bench.rosenbrock(x1=1, x2=1, x3=1, x4=1) == 0
    assert bench.rosenbrock(x1=0, x2=0, x3=0, x4=0) == 3
    assert bench.mixed(lr=1e-3, decay=1e-4, width=96, activation="relu", layers=3) == 0
    assert bench.mixed(lr=1e-2, decay=1e-4, width=96, activation="tanh", layers=2) == pytest.approx(0.25 + 0.3 + 0.15)


def test_tasks_budgets_and_spaces(bench) -> None:
    budgets = {task.name: task.budget for task in bench.TASKS}
    assert budgets == {"branin": 40, "hartmann6": 120, "rosenbrock4": 80, "mixed5": 100, "kernel-ridge-cv": 60}
    for task in bench.TASKS:
        configuration = RandomParameterSampling(task.space, seed=0).suggest(bench.SamplingHistory(), 1)[0]
        value = task.function(**configuration)
        assert math.isfinite(value) and (task.optimum is None or value >= task.optimum - 1e-9)


def test_kernel_ridge_cross_validation_separates_configurations(bench) -> None:
    good = bench.kernel_ridge_cv(alpha=1.0, gamma=0.01, kernel="rbf")
    bad = bench.kernel_ridge_cv(alpha=1e-4, gamma=1.0, kernel="rbf")
    assert 2000 < good < 4000 and bad > 2 * good


def test_runners_and_table(bench) -> None:
    task = bench.Task("small", {"x1": bench.uniform(-5, 10), "x2": bench.uniform(0, 15)}, bench.branin, bench.BRANIN_MINIMUM)
    runners = bench.available_samplers()
    assert {"bayesian", "random"} <= set(runners)
    results = {name: [runners[name](task, seed) for seed in range(2)] for name in ("bayesian", "random")}
    assert all(len(values) == len(seconds) == 40 for runs in results.values() for values, seconds in runs)
    lines = bench.report(task, results)
    assert lines[0] == "small (2-D, budget 40, 2 seeds), regret:"
    assert [line.split()[0] for line in lines[2:]] == ["bayesian", "random"]
    (ratio,) = bench.ratios(task, results, reference="random")
    assert ratio.startswith("  bayesian / random: regret 25% ") and ratio.endswith("x")
    assert float(ratio.split("100% ")[1].split("x")[0]) < 1, "ours beats random on Branin at the full budget"
    assert bench.ratios(task, results) == [], "no optuna-gp results, no ratio line"
