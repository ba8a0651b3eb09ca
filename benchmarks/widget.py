"""Cost of the RunDetails data path on a synthetic sweep; prints figures (not a timed test).

A sweep of 1000 runs x 100 logged values is written straight into a store. Printed: bytes of the
first render (the snapshot trait), bytes and Python time of a tick in which 4 new values arrived,
and of an idle tick; and the CPU time of opening the widget as ``RunDetails(run).show()`` does in a
kernel (the widget with its snapshot serialized once, and the static view), the median of 3.
Targets: first render <= 2 MB at 1000 runs; a tick with 4 new values <= 10 KB and <= 20 ms; at 5000
runs x 100 values (``--runs 5000``) an idle tick <= 1 ms and opening <= 1 s of CPU.
The front end's render time is measured by the browser test's screenshot run, not here.

Usage: python benchmarks/widget.py [--runs 1000] [--values 100]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from hdnotebook import Experiment, HyperDriveRun, Workspace
from hdnotebook.parameter_expressions import choice, loguniform, uniform
from hdnotebook.sampling import RandomParameterSampling


def synthetic_sweep(workspace: Workspace, runs: int, values: int, seed: int = 0, running: int = 0) -> HyperDriveRun:
    """A sweep (parent Running) with ``values`` accuracy values per child; the last ``running`` children are
    Running, the others Completed."""
    store = workspace._store
    rng = random.Random(seed)
    space = {"--lr": loguniform(-9, -1), "--depth": choice(2, 4, 8, 16), "--dropout": uniform(0, 0.5)}
    sampler = RandomParameterSampling(space, seed=seed)
    parent = f"HD_synthetic_{seed}"
    store.create_run(parent, "bench", "hyperdrive", status="Running", config={
        "generator_config": sampler.to_json(), "policy_config": {"name": "Default"},
        "primary_metric_config": {"name": "accuracy", "goal": "maximize"}, "max_total_runs": runs,
        "max_concurrent_runs": 4, "max_duration_minutes": 10080})
    now = time.time()
    for i in range(runs):
        child = f"{parent}_{i}"
        params = {"--lr": math.exp(rng.uniform(-9, -1)), "--depth": rng.choice([2, 4, 8, 16]), "--dropout": rng.uniform(0, 0.5)}
        store.create_run(child, "bench", "hdnotebook.function", parent_id=parent, child_index=i, status="Running",
                         hyperparameters=params)
        rate = rng.uniform(0.02, 0.2)
        store.apply_events([{"op": "metric", "run": child, "name": "accuracy", "kind": "scalar",
                             "value": 1 - math.exp(-rate * (k + 1)) * rng.uniform(0.5, 0.9), "t": now} for k in range(values)])
        if i < runs - running:
            store.set_status(child, "Completed")
    return HyperDriveRun(Experiment(workspace, "bench"), parent)


def log_values(run: HyperDriveRun, count: int) -> None:
    """Log ``count`` new accuracy values spread over the first children."""
    store = run._need_store()
    store.apply_events([{"op": "metric", "run": f"{run.id}_{i % 4}", "name": "accuracy", "kind": "scalar",
                         "value": 0.5 + i / 1000, "t": time.time()} for i in range(count)])


def main() -> None:
    from hdnotebook.widget.tracker import SweepTracker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--values", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        run = synthetic_sweep(Workspace(Path(folder)), args.runs, args.values)
        print(f"synthetic sweep: {args.runs} runs x {args.values} values written in {time.perf_counter() - t0:.1f} s")
        tracker = SweepTracker(run)
        t0, cpu = time.perf_counter(), time.process_time()
        snapshot = tracker.snapshot()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
        first = len(json.dumps(snapshot))
        print(f"first render: {first / 1e6:.2f} MB of data, built in {wall * 1000:.0f} ms ({cpu * 1000:.0f} ms of CPU;"
              " the tracker's first snapshot)")
        sizes, times, idle = [], [], []
        for _ in range(20):
            log_values(run, 4)
            t0 = time.perf_counter()
            delta = tracker.delta()
            times.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(json.dumps(delta)))
            t0 = time.perf_counter()
            assert tracker.delta() is None
            idle.append((time.perf_counter() - t0) * 1000)
        print(f"tick with 4 new values: {statistics.median(sizes) / 1000:.1f} KB, {statistics.median(times):.1f} ms "
              f"median (max {max(times):.1f} ms) over 20 ticks")
        print(f"idle tick (nothing new): {statistics.median(idle):.2f} ms median")
        print(f"opening the widget: {statistics.median(opening_cpu(run) for _ in range(3)):.2f} s of CPU (median of 3)")


def opening_cpu(run: HyperDriveRun) -> float:
    """CPU seconds of what ``RunDetails(run).show()`` computes in a kernel: the widget (its snapshot, serialized
    once for the front end) and the static view."""
    from hdnotebook.widget.displays import static_bundle
    from hdnotebook.widget.widget import RunDetailsWidget

    start = time.process_time()
    widget = RunDetailsWidget(run)
    static_bundle(widget.snapshot, widget.static_key)
    seconds = time.process_time() - start
    widget.close()
    return seconds


if __name__ == "__main__":
    main()
