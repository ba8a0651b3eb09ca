"""How much faster a sweep runs on the in-process test executor (executors/inline.py) than on local function
workers; prints figures (not a timed test).

The same sweep of no-op function children (each logs one value) runs on both executors, alternately, ``--repeats``
times; the wall time is from submit to the sweep's end time in the store. Prints the medians and their ratio: the
factor by which scheduler tests on the double run faster than the same sweep on real processes.

Usage: python benchmarks/inline_double.py [--children 100] [--concurrent 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import Any

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, Run, Workspace, choice
from hdnotebook._engine.executors.inline import InlineTarget


def noop(i: int) -> None:
    """A function child that logs its index."""
    Run.get_context().log("i", i)


def sweep_seconds(experiment: Experiment, children: int, concurrent: int, target: Any) -> float:
    """Wall time of one sweep, submit to end time, in seconds."""
    config = HyperDriveConfig(run_config=noop, hyperparameter_sampling=GridParameterSampling({"i": choice(*range(children))}),
                              primary_metric_name="i", primary_metric_goal="maximize", max_total_runs=children,
                              max_concurrent_runs=concurrent, compute_target=target)
    began = time.time()
    run = experiment.submit(config)
    run.wait_for_completion()
    assert run.get_status() == "Completed" and len(run.get_children()) == children
    return run._record().end_time - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        experiment = Experiment(Workspace(folder), "inline-benchmark")
        sweep_seconds(experiment, 4, args.concurrent, None)  # warm up: the workers' first import is not timed
        times: dict[str, list[float]] = {"local": [], "inline": []}
        for _ in range(args.repeats):
            times["local"].append(sweep_seconds(experiment, args.children, args.concurrent, None))
            times["inline"].append(sweep_seconds(experiment, args.children, args.concurrent, InlineTarget()))
    local, inline = statistics.median(times["local"]), statistics.median(times["inline"])
    print(f"{args.children} no-op function children, max_concurrent_runs {args.concurrent}, median of {args.repeats}:")
    print(f"  local function workers: {local:.2f} s ({1000 * local / args.children:.1f} ms per child)")
    print(f"  in-process double:      {inline:.2f} s ({1000 * inline / args.children:.1f} ms per child)")
    print(f"  ratio local / double:   {local / inline:.1f}x")


if __name__ == "__main__":
    main()
