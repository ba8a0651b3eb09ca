"""Cost of the progress line's reads (``wait_for_completion(show_output=True)`` polls every 0.5 s); prints figures.

On synthetic sweeps (``benchmarks/widget.py``: N runs x 100 values, the last 20 running) it times
``ProgressReader.read()``: the first read, a read after 4 new values of running children, an idle read; and, as the baseline
measured in the same run, a fresh reader each poll (what a non-incremental read costs) and
``get_children_sorted_by_primary_metric(top=1)`` (what the demo's hand-written progress loop called each poll).

Usage: python benchmarks/progress.py [--runs 1000 5000] [--values 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.widget import synthetic_sweep
from hdnotebook import Workspace
from hdnotebook._engine.progress import ProgressReader
from hdnotebook._engine.store import Store


def _ms(action: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def log_running(store: Store, sweep_id: str, runs: int, count: int) -> None:
    """``count`` new accuracy values spread over the running children (the last 20)."""
    store.apply_events([{"op": "metric", "run": f"{sweep_id}_{runs - 1 - i % 20}", "name": "accuracy", "kind": "scalar",
                         "value": 0.5 + i / 1000, "t": time.time()} for i in range(count)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--values", type=int, default=100)
    args = parser.parse_args()
    for runs in args.runs:
        with tempfile.TemporaryDirectory() as folder:
            run = synthetic_sweep(Workspace(Path(folder)), runs, args.values, running=20)
            store = run._need_store()
            reader = ProgressReader(store, run.id)
            first = _ms(reader.read, 1)

            def after_new_values() -> None:
                log_running(store, run.id, runs, 4)
                reader.read()

            new = _ms(after_new_values, 20) - _ms(lambda: log_running(store, run.id, runs, 4), 20)
            idle = _ms(reader.read, 20)
            fresh = _ms(lambda: ProgressReader(store, run.id).read(), 5)
            sorted_top = _ms(lambda: run.get_children_sorted_by_primary_metric(top=1), 3)
            print(f"{runs} runs x {args.values} values: first read {first:.0f} ms; each poll after it: "
                  f"{new:.1f} ms with 4 new values, {idle:.1f} ms idle; baselines per poll: a fresh reader {fresh:.0f} ms "
                  f"({fresh / idle:.0f}x idle), get_children_sorted_by_primary_metric(top=1) {sorted_top:.0f} ms "
                  f"({sorted_top / idle:.0f}x idle)")


if __name__ == "__main__":
    main()
