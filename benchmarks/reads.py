"""Cost of a sweep's reads (HyperDriveRun) against one raw scan of its metric rows; prints figures (not a timed test).

A finished sweep of ``--runs`` children x ``--values`` logged accuracy values is written straight into a store
(``benchmarks.widget.synthetic_sweep``). Printed, as the median of ``--repeat`` rounds that call each in turn (after a
warm-up round), the CPU time (``time.process_time``: SQLite runs in this process; the machine may be shared) of

* the baseline, measured in the same run: one raw scan of the sweep's metric rows, ``SELECT run_id, name, kind,
  value FROM metrics`` of the children's rows, fetched into Python (nothing decoded);
* ``get_best_run_by_primary_metric()``, ``get_metrics()`` (every child's metrics),
  ``get_children_sorted_by_primary_metric()``, and ``get_children()`` then ``get_status()`` of each child,

each with its ratio to the baseline. Target (issue 16): each of the first three <= 1.0 at 1000 x 50.

Usage: python benchmarks/reads.py [--runs 1000] [--values 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.widget import synthetic_sweep
from hdnotebook import HyperDriveRun, Workspace


def interleaved_medians(calls: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """The median CPU time (seconds) of each call over ``repeat`` rounds, each round calling every one once in
    turn (after one warm-up round), so that a busy machine slows them alike."""
    times: dict[str, list[float]] = {label: [] for label in calls}
    for round_ in range(repeat + 1):
        for label, call in calls.items():
            start = time.process_time()
            call()
            if round_:
                times[label].append(time.process_time() - start)
    return {label: statistics.median(values) for label, values in times.items()}


def raw_scan(run: HyperDriveRun) -> int:
    """Every metric row of the sweep's children fetched into Python, undecoded; returns how many."""
    sql = ("SELECT m.run_id, m.name, m.kind, m.value FROM metrics m"
           " WHERE m.run_id IN (SELECT run_id FROM runs WHERE parent_id = ?)")
    return len(run._need_store()._conn().execute(sql, (run.id,)).fetchall())


def child_statuses(run: HyperDriveRun) -> list[str]:
    """What a user writes to see each child's status."""
    return [child.get_status() for child in run.get_children()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--values", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run = synthetic_sweep(Workspace(Path(folder)), args.runs, args.values)
        rows = raw_scan(run)
        print(f"{args.runs} runs x {args.values} values ({rows} metric rows, written in {time.perf_counter() - start:.1f} s)")
        calls: dict[str, Callable[[], Any]] = {
            "baseline, one raw scan of the metric rows": lambda: raw_scan(run),
            "get_best_run_by_primary_metric()": run.get_best_run_by_primary_metric,
            "get_metrics()": run.get_metrics,
            "get_children_sorted_by_primary_metric()": run.get_children_sorted_by_primary_metric,
            "get_children() + get_status() each": lambda: child_statuses(run),
        }
        medians = interleaved_medians(calls, args.repeat)
        base = medians.pop("baseline, one raw scan of the metric rows")
        print(f"  {'baseline, one raw scan of the metric rows':<44} {base * 1000:8.1f} ms of CPU")
        for label, seconds in medians.items():
            print(f"  {label:<44} {seconds * 1000:8.1f} ms of CPU, ratio to the raw scan {seconds / base:6.2f}")

if __name__ == "__main__":
    main()
