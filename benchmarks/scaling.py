"""Costs that must stay flat as a sweep grows (issue 16, items 1 and 2); prints figures (not a timed test).

(a) The tuning loop: notebook-process CPU per child for sweeps of N no-op function children (grid
    sampling, max_concurrent_runs 2, no policy; ``--policy``: MedianStoppingPolicy()), at 200 and
    1000 children, and their ratio, over the whole sweep and over its second half. The notebook
    waits by reading the sweep's status every 0.2 s, so the figure is the loop's own work.
    Beside it, where optuna is installed (``pip install hdnotebook[bench]``), optuna's CPU per trial
    for the same number of no-op trials (RandomSampler, one ``trial.report`` each) with SQLite storage.
(b) One policy evaluation on a sweep of 5000 runs x 100 values of which 4 are running: as the
    tuning loop does it when a batch arrives (one new value added to the incremental curve history,
    then ``evaluate_history``), and from a list of curves (``evaluate``, what the loop did before).
(c) ``hdnotebook.replay`` of each policy on 1000 runs x 100 values at concurrency 4 (CPU seconds).

Usage: python benchmarks/scaling.py [--children 200,1000] [--policy] [--runs 5000] [--replay-runs 1000] [--skip-loop]
Targets: (a) CPU per child at 1000 / at 200 <= 1.2, and at 1000 <= optuna's per trial; (b) <= 5 ms
per evaluation in the loop; (c) <= 5 s per replay.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from hdnotebook import (
    ASHAPolicy,
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    MedianStoppingPolicy,
    Run,
    TruncationSelectionPolicy,
    Workspace,
    choice,
    replay,
)
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import RunCurve

RUNNING = 4


def noop(i: int) -> None:
    """A function child that logs one value and ends."""
    Run.get_context().log("score", float(i))


def loop_cpu(folder: Path, children: int, policy: object = None) -> tuple[float, float]:
    """Notebook-process CPU seconds per child of a sweep of ``children`` no-op function children: over the
    whole sweep, and over its second half (from the moment half the children had completed)."""
    exp = Experiment(Workspace(folder / f"ws{children}"), "scaling")
    config = HyperDriveConfig(run_config=noop, hyperparameter_sampling=GridParameterSampling({"i": choice(*range(children))}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=children,
                              max_concurrent_runs=2, policy=policy)
    store = exp.workspace._store
    count = "SELECT COUNT(*) FROM runs WHERE parent_id=? AND status IN ('Completed', 'Canceled')"  # a policy may stop some
    started = time.process_time()
    run = exp.submit(config)
    half: tuple[float, int] | None = None
    while store.status_of(run.id) not in ("Completed", "Failed", "Canceled"):
        time.sleep(0.2)
        if half is None:
            (done,) = store._conn().execute(count, (run.id,)).fetchone()
            half = (time.process_time(), done) if done >= children // 2 else None
    cpu = time.process_time() - started
    (done,) = store._conn().execute(count, (run.id,)).fetchone()
    if done != children or half is None:
        raise RuntimeError(f"only {done} of {children} children ended Completed or Canceled")
    return cpu / children, (time.process_time() - half[0]) / max(1, children - half[1])


def optuna_cpu(folder: Path, trials: int) -> float | None:
    """optuna's CPU seconds per no-op trial with SQLite storage (None when optuna is not installed)."""
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        value = trial.suggest_int("i", 0, trials)
        trial.report(float(value), 1)
        return float(value)

    study = optuna.create_study(storage=f"sqlite:///{folder / f'optuna{trials}.db'}", direction="maximize",
                                sampler=optuna.samplers.RandomSampler(seed=0))
    started = time.process_time()
    study.optimize(objective, n_trials=trials)
    return (time.process_time() - started) / trials


def random_curves(runs: int, length: int, seed: int = 0) -> dict[str, list[float]]:
    """``runs`` noisy saturating learning curves of ``length`` values (maximize)."""
    rng = np.random.default_rng(seed)
    steps = np.arange(1, length + 1)
    top = rng.uniform(0.5, 0.95, (runs, 1))
    rate = rng.uniform(0.02, 0.5, (runs, 1))
    values = top * (1 - np.exp(-rate * steps)) + rng.normal(0, 0.01, (runs, length))
    return {f"r{i}": [float(v) for v in row] for i, row in enumerate(values)}


def policies() -> dict[str, object]:
    return {
        "MedianStopping(1, 5)": MedianStoppingPolicy(1, 5),
        "ASHA(1, 3)": ASHAPolicy(1, 3),
        "Bandit(1, slack_factor=0.1)": BanditPolicy(1, slack_factor=0.1),
        "TruncationSelection(20, 1, 5)": TruncationSelectionPolicy(20, 1, 5),
    }


def policy_evaluation(runs: int, length: int = 100, repeats: int = 20) -> None:
    """(b): milliseconds per evaluation, median of ``repeats``."""
    curves = random_curves(runs, length)
    ids = list(curves)
    running = {ids[i]: n for i, n in zip(range(RUNNING), (26, 80, 8, 98))}  # the next value reaches 27, 81, 9, 99
    listed = [RunCurve(run, tuple(v[:running.get(run, length)]), run in running,
                       tuple(range(i * length, i * length + running.get(run, length))))
              for i, (run, v) in enumerate(curves.items())]
    print(f"(b) one evaluation at {runs} runs x {length} values, {RUNNING} running (ms, median of {repeats}):")
    for label, policy in policies().items():
        times = []
        for _ in range(max(3, repeats // 5)):
            t0 = time.perf_counter()
            policy.evaluate(listed, PrimaryMetricGoal.MAXIMIZE)
            times.append(time.perf_counter() - t0)
        line = f"    {label:<30} from a list {np.median(times) * 1000:8.2f}"
        if hasattr(policy, "evaluate_history"):
            from hdnotebook.policy.curves import CurveHistory

            t0 = time.perf_counter()
            history = CurveHistory.from_curves(listed, PrimaryMetricGoal.MAXIMIZE)
            policy.evaluate_history(history)
            first = time.perf_counter() - t0
            key = runs * length
            times = []
            for k in range(repeats):
                run = ids[k % RUNNING]
                key += 1
                t0 = time.perf_counter()
                history.add(run, (curves[run][min(running[run] + k // RUNNING, length - 1)],), (key,))
                policy.evaluate_history(history)
                times.append(time.perf_counter() - t0)
            line += (f"   in the loop (incremental) {np.median(times) * 1000:7.3f}"
                     f"   (building the history and views at once: {first * 1000:.0f})")
        print(line)


def replay_cpu(runs: int, length: int = 100) -> None:
    """(c): CPU seconds of one replay per policy; the last replays identical curves, which no policy stops, so
    every run logs all its values (the most evaluations, the case that took over 10 minutes before)."""
    curves = random_curves(runs, length, seed=1)
    same = {run: [1 - 1 / (k + 2) for k in range(length)] for run in curves}
    print(f"(c) replay of {runs} runs x {length} values, concurrency 4 (CPU s):")
    lenient = "MedianStopping(1, 5) on identical curves"
    for label, policy in {**policies(), lenient: MedianStoppingPolicy(1, 5)}.items():
        t0 = time.process_time()
        result = replay(policy, same if label == lenient else curves, 4, goal="maximize")
        print(f"    {label:<30} {time.process_time() - t0:7.2f}   ({result.saved:.0%} of the epochs saved)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", default="200,1000")
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--replay-runs", type=int, default=1000)
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--policy", action="store_true", help="(a) with MedianStoppingPolicy() (evaluated on each value)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}")
    if not args.skip_loop:
        sizes = [int(n) for n in args.children.split(",")]
        with tempfile.TemporaryDirectory() as folder:
            loop_cpu(Path(folder), 20)  # warm-up: first imports and the executor's first start are not counted
            ours = {n: loop_cpu(Path(folder), n, MedianStoppingPolicy() if args.policy else None) for n in sizes}
            optuna_cpu(Path(folder), 20)
            theirs = {n: optuna_cpu(Path(folder), n) for n in sizes}
        for n in sizes:
            peer = "" if theirs[n] is None else f"; optuna (SQLite storage) {theirs[n] * 1000:6.2f} ms per trial"
            print(f"(a) {n:5d} children: notebook CPU {ours[n][0] * 1000:6.2f} ms per child "
                  f"({ours[n][1] * 1000:6.2f} over the second half){peer}")
        if len(sizes) > 1:
            whole, second = (ours[sizes[-1]][i] / ours[sizes[0]][i] for i in (0, 1))
            print(f"(a) CPU per child at {sizes[-1]} / at {sizes[0]}: {whole:.2f} (second halves {second:.2f}; target <= 1.2)")
    policy_evaluation(args.runs)
    replay_cpu(args.replay_runs)


if __name__ == "__main__":
    main()
