"""Cost of HyperDriveRun.to_dataframe() and hdnotebook.param_importances() on synthetic sweeps; prints figures
(not a timed test).

For each size, a finished sweep of ``--runs`` runs x ``--values`` logged accuracy values (3 hyperparameters:
loguniform, choice, uniform) is written straight into a store (``benchmarks.widget.synthetic_sweep``). Printed,
as the median of ``--repeat`` calls:

* ``to_dataframe()`` and ``to_dataframe(metrics="all")``; target: 5000 runs x 100 values well under 1 s. The
  baseline measured in the same run is the DataFrame a user built by hand before it existed, from
  ``get_children_sorted_by_primary_metric()`` (which only has the best value, with the hyperparameters
  as JSON text); the peers, with ``--optuna`` (optuna installed: the ``bench`` extra), are Optuna's
  ``study.trials_dataframe()`` on a study of the same trials with the same 100 intermediate values, in memory
  (no reads at all) and, up to ``--optuna-max-runs``, in an SQLite storage read afresh (as this store is);
* ``param_importances()`` (64 trees), and with ``--optuna`` Optuna's ``get_param_importances`` (its
  fANOVA evaluator, 64 trees) on the same trials, with both results, at the sizes up to ``--optuna-max-runs``
  (Optuna's pure-Python fANOVA takes minutes at 5000 trials). The synthetic accuracy does not depend on the
  hyperparameters, so these shares only show the cost; with ``--optuna`` both methods are also run on 300 runs of
  f = 10 x1 + x2 + 3 x1 x3 (x uniform on [0, 1]), where they should agree (correctness is checked by
  tests/results/test_param_importances.py).

Usage: python benchmarks/results.py [--runs 1000 5000] [--values 100] [--repeat 5] [--optuna] [--optuna-max-runs 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import hdnotebook
from benchmarks.widget import synthetic_sweep
from hdnotebook import HyperDriveRun, Workspace


def median_seconds(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls (after one warm-up call) and the last result."""
    result = call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def by_hand(run: HyperDriveRun) -> pd.DataFrame:
    """What a user wrote before to_dataframe: the sorted children, hyperparameters decoded from JSON text."""
    rows = run.get_children_sorted_by_primary_metric()
    return pd.DataFrame([{"run_id": r["run_id"], "status": r["status"], **json.loads(r["hyperparameters"] or "{}"),
                          "accuracy": r["best_primary_metric"]} for r in rows])


def optuna_study(frame: pd.DataFrame, store: Any, storage: str | None = None) -> Any:
    """An Optuna study (in memory, or in ``storage``) holding the sweep's children as finished trials (same
    parameters, same intermediate values, best value as the objective)."""
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    low, high = math.exp(-9), math.exp(-1)  # synthetic_sweep's loguniform(-9, -1)
    distributions = {"--lr": FloatDistribution(low, high, log=True), "--depth": CategoricalDistribution([2, 4, 8, 16]),
                     "--dropout": FloatDistribution(0.0, 0.5)}
    values = store.metric_rows_for(list(frame["run_id"]), "accuracy")
    study = optuna.create_study(direction="maximize", storage=storage, study_name="peer")
    trials = []
    for row in frame.to_dict("records"):
        params = {"--lr": min(max(row["--lr"], low), high), "--depth": int(row["--depth"]), "--dropout": row["--dropout"]}
        intermediate = {k: float(m.value) for k, m in enumerate(values[row["run_id"]])}
        trials.append(optuna.trial.create_trial(params=params, distributions=distributions, value=row["accuracy"],
                                                intermediate_values=intermediate))
    study.add_trials(trials)
    return study


def known_function_check(seed: int = 0) -> None:
    """Both fANOVA implementations on 300 runs of a function of three uniform parameters, printed side by side."""
    import random

    import optuna
    from optuna.distributions import FloatDistribution

    rng = random.Random(seed)
    trials = [{k: rng.random() for k in ("x1", "x2", "x3")} for _ in range(300)]
    score = [10 * t["x1"] + t["x2"] + 3 * t["x1"] * t["x3"] for t in trials]
    with tempfile.TemporaryDirectory() as folder:
        store = Workspace(Path(folder))._store
        space = {k: ["uniform", [0, 1]] for k in ("x1", "x2", "x3")}
        store.create_run("HD_known", "bench", "hyperdrive", status="Completed", config={
            "generator_config": {"name": "RANDOM", "parameter_space": space},
            "primary_metric_config": {"name": "score", "goal": "maximize"}})
        for i, (params, value) in enumerate(zip(trials, score)):
            store.create_run(f"HD_known_{i}", "bench", "hdnotebook.function", parent_id="HD_known", child_index=i,
                             status="Completed", hyperparameters=params)
            store.apply_events([{"op": "metric", "run": f"HD_known_{i}", "name": "score", "kind": "scalar", "value": value, "t": 0.0}])
        from hdnotebook.results.importance import param_importances

        ours = param_importances(store, "HD_known", seed=seed)
    study = optuna.create_study(direction="maximize")
    for params, value in zip(trials, score):
        study.add_trial(optuna.trial.create_trial(params=params, value=value,
                                                  distributions={k: FloatDistribution(0, 1) for k in params}))
    theirs = optuna.importance.get_param_importances(study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed))
    print("\nknown function f = 10 x1 + x2 + 3 x1 x3, 300 runs:")
    print("  param_importances():   " + ", ".join(f"{k} {v:.3f}" for k, v in ours.items()))
    print("  Optuna (fANOVA):       " + ", ".join(f"{k} {v:.3f}" for k, v in theirs.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--values", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--optuna", action="store_true")
    parser.add_argument("--optuna-max-runs", type=int, default=1000)
    args = parser.parse_args()
    import sklearn.ensemble  # noqa: F401  (imported once here: its ~1-5 s import is not the method's cost)

    if args.optuna:
        known_function_check()
    for runs in args.runs:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            run = synthetic_sweep(Workspace(Path(folder)), runs, args.values)
            print(f"\n{runs} runs x {args.values} values (written in {time.perf_counter() - start:.1f} s)")
            seconds, frame = median_seconds(run.to_dataframe, args.repeat)
            print(f"  to_dataframe():                 {seconds * 1000:7.0f} ms  ({frame.shape[0]} rows x {frame.shape[1]} columns)")
            all_seconds, _ = median_seconds(lambda: run.to_dataframe(metrics="all"), args.repeat)
            print(f"  to_dataframe(metrics='all'):    {all_seconds * 1000:7.0f} ms")
            hand, _ = median_seconds(lambda: by_hand(run), max(1, args.repeat // 2))
            print(f"  baseline, built by hand from get_children_sorted_by_primary_metric(): {hand * 1000:7.0f} ms"
                  f"  -> to_dataframe is {hand / seconds:.1f}x faster")
            study = optuna_study(frame, run._need_store()) if args.optuna else None
            if study is not None:
                peer, _ = median_seconds(study.trials_dataframe, max(1, args.repeat // 2))
                print(f"  peer, Optuna study.trials_dataframe() (in memory): {peer * 1000:7.0f} ms"
                      f"  -> ratio to_dataframe / Optuna {seconds / peer:.2f}")
            if args.optuna and runs <= args.optuna_max_runs:
                import optuna

                url = f"sqlite:///{Path(folder) / 'optuna.db'}"
                optuna_study(frame, run._need_store(), storage=url)
                # a new storage object per call: Optuna caches finished trials in the one that read them
                peer, _ = median_seconds(lambda: optuna.load_study(study_name="peer", storage=url).trials_dataframe(),
                                         max(1, args.repeat // 2))
                print(f"  peer, Optuna study.trials_dataframe() (SQLite storage, as this store): {peer * 1000:7.0f} ms"
                      f"  -> to_dataframe is {peer / seconds:.1f}x faster")
            imp_seconds, shares = median_seconds(lambda: hdnotebook.param_importances(run), max(1, args.repeat // 2))
            print(f"  param_importances():            {imp_seconds * 1000:7.0f} ms  "
                  + ", ".join(f"{k} {v:.3f}" for k, v in shares.items()))
            if study is not None and runs <= args.optuna_max_runs:
                import optuna

                evaluator = optuna.importance.FanovaImportanceEvaluator(n_trees=64, max_depth=64, seed=0)
                start = time.perf_counter()
                theirs = optuna.importance.get_param_importances(study, evaluator=evaluator)
                peer = time.perf_counter() - start
                print(f"  peer, Optuna get_param_importances (fANOVA): {peer * 1000:7.0f} ms  "
                      + ", ".join(f"{k} {v:.3f}" for k, v in theirs.items())
                      + f"  -> param_importances is {peer / imp_seconds:.1f}x faster")


if __name__ == "__main__":
    main()
