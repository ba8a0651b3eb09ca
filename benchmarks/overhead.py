"""Overhead of the tuning loop and of Run.log(); prints figures (not a timed test).

(a) 200 no-op children, script and function kinds, max_concurrent_runs 2: wall time of the sweep
    (from submit to the sweep's end time in the store, so the waiting loop's polling does not count),
    and the loop's overhead per child = (wall time x concurrency - the children's own time) / children,
    where a child's own time is what it spends inside its body (measured by the child itself).
(b) Run.log() inside a child: calls per second from one child (small values, and 20 KB strings, which go
    through the pipe as several frames of at most PIPE_BUF bytes), and the delay from log() returning
    to the value being readable in the store (polled every millisecond by the parent).
(c) The Dask executor on a LocalCluster (2 worker processes, 1 thread each) beside the local
    executor: the same per-child overhead as (a), measured right after each round of (a) so that
    both see the same load (medians of the rounds, and their ratio), and the metric latency
    (median, p99) of 200 values logged 10 ms apart by one child, from log() returning to the value
    being in the store. The cluster is started and warmed up (2 children of each kind) before
    anything is timed.

Usage: python benchmarks/overhead.py [--children 200] [--repeats 3] [--dask yes|no|only]
Targets on a 2-core machine: function <= 30 ms, script <= 150 ms per child; >= 20,000 log()/s;
a logged value visible in the store within 200 ms. Dask: per-child overhead within 2x of the local
executor's, metric latency p99 <= 250 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, Run, ScriptRunConfig, Workspace, choice

NOOP_SCRIPT = """
import time
t0 = time.perf_counter()
import argparse
import contextlib
from hdnotebook import Run
argparse.ArgumentParser().add_argument("--i")
Run.get_context().log("own", time.perf_counter() - t0)
"""


def noop(i: int) -> None:
    """A function child that does nothing but report its own time."""
    t0 = time.perf_counter()
    Run.get_context().log("own", time.perf_counter() - t0)


def log_rate(n: int, i: int = 0) -> None:
    """Calls Run.log() n times and logs the rate it achieved."""
    run = Run.get_context()
    t0 = time.perf_counter()
    for i in range(n):
        run.log("x", i)
    run.log("rate", n / (time.perf_counter() - t0))


def log_big_rate(n: int, size: int, i: int = 0) -> None:
    """Calls Run.log() n times with a string of ``size`` bytes and logs the rate it achieved."""
    run = Run.get_context()
    value = "v" * size
    t0 = time.perf_counter()
    for _ in range(n):
        run.log("big", value)
    run.log("rate", n / (time.perf_counter() - t0))


def probes(count: int, interval: float, i: int = 0) -> None:
    """Logs the wall-clock time at which each probe's log() returned."""
    run = Run.get_context()
    for _ in range(count):
        time.sleep(interval)
        run.log("probe", time.time())


def sweep(exp: Experiment, run_config, space: dict, total: int, concurrent: int, target=None) -> tuple[float, Run]:
    config = HyperDriveConfig(run_config=run_config, hyperparameter_sampling=GridParameterSampling(space),
                              primary_metric_name="own", primary_metric_goal="minimize", max_total_runs=total,
                              max_concurrent_runs=concurrent, compute_target=target)
    t0 = time.time()
    run = exp.submit(config)
    run.wait_for_completion()
    return exp.workspace._store.get_run(run.id).end_time - t0, run


def overhead(exp: Experiment, kind: str, run_config, children: int, concurrent: int = 2, target=None,
             section: str = "(a)") -> float:
    """Runs the sweep, prints and returns the overhead per child in seconds."""
    wall, run = sweep(exp, run_config, {"--i": choice(*range(children))}, children, concurrent, target)
    own = sum(m.get("own", 0.0) for m in run.get_metrics().values())
    done = sum(c.get_status() == "Completed" for c in run.get_children())
    per_child = (wall * concurrent - own) / children
    print(f"{section} {kind:8s} children: {done}/{children} completed in {wall:6.2f} s wall; "
          f"overhead {per_child * 1000:6.1f} ms per child (children's own time {own / children * 1000:.2f} ms each)")
    return per_child


def metric_latency(exp: Experiment, target=None, count: int = 200, interval: float = 0.01) -> list[float]:
    """Delays in ms from log() returning in a child to the value being in the store (polled every ms)."""
    import functools

    config = HyperDriveConfig(run_config=functools.partial(probes, count, interval),
                              hyperparameter_sampling=GridParameterSampling({"--i": choice(0)}),
                              primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=1,
                              compute_target=target)
    run = exp.submit(config)
    store = exp.workspace._store
    seen: dict[float, float] = {}
    while run.get_status() not in ("Completed", "Failed", "Canceled"):
        children = store.list_runs(parent_id=run.id)
        if children:
            now = time.time()
            for row in store.metric_rows(children[0].run_id, "probe"):
                seen.setdefault(row.value, now)
        time.sleep(0.001)
    return sorted((seen_at - logged) * 1000 for logged, seen_at in seen.items())


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the sorted ``values`` lie (nearest rank)."""
    return values[max(0, min(len(values) - 1, int(round(fraction * len(values))) - 1))]


def dask_latency(exp: Experiment, target) -> None:
    """(c): metric latency of the local executor and of the Dask executor."""
    for name, target_or_none in (("local", None), ("dask", target)):
        delays = metric_latency(exp, target_or_none)
        print(f"(c) {name:5s} metric latency: median {statistics.median(delays):6.1f} ms, p99 {percentile(delays, 0.99):6.1f} ms, "
              f"max {delays[-1]:6.1f} ms over {len(delays)} values")


def logging_cost(exp: Experiment) -> None:
    import functools

    wall, run = sweep(exp, functools.partial(log_rate, 200_000), {"--i": choice(0)}, 1, 1)
    child = run.get_children()[0]
    rate = child.get_metrics(name="rate")["rate"]
    stored = len(child.get_metrics(name="x")["x"])
    print(f"(b) Run.log() from one child: {rate:,.0f} calls/s ({stored:,} values stored)")

    size = 20_000
    wall, run = sweep(exp, functools.partial(log_big_rate, 5_000, size), {"--i": choice(0)}, 1, 1)
    child = run.get_children()[0]
    rate = child.get_metrics(name="rate")["rate"]
    stored = len(child.get_metrics(name="big")["big"])
    print(f"(b) Run.log() of {size // 1000} KB values from one child: {rate:,.0f} calls/s = {rate * size / 1e6:,.0f} MB/s "
          f"({stored:,} values stored)")

    delays = metric_latency(exp, count=40, interval=0.05)
    print(f"(b) delay from log() to the store: median {statistics.median(delays):.1f} ms, "
          f"p95 {percentile(delays, 0.95):.1f} ms, max {delays[-1]:.1f} ms over {len(delays)} values")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds of (a), each followed by the same sweeps on Dask, so drifts in the machine's load hit both")
    parser.add_argument("--dask", choices=("yes", "no", "only"), default="yes",
                        help="also (yes) or only (only, skipping (b)) measure the Dask executor on a local cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        src = Path(folder) / "src"
        src.mkdir()
        (src / "noop.py").write_text(textwrap.dedent(NOOP_SCRIPT))
        exp = Experiment(Workspace(Path(folder) / "ws"), "overhead")
        print(f"Python {sys.version.split()[0]}, {args.children} children, max_concurrent_runs 2")
        kinds = {"function": noop, "script": ScriptRunConfig(str(src), "noop.py")}
        target = None
        if args.dask != "no":
            from hdnotebook import DaskComputeTarget

            started = time.perf_counter()
            target = stack.enter_context(DaskComputeTarget(n_workers=2, threads_per_worker=1))
            for run_config in kinds.values():
                sweep(exp, run_config, {"--i": choice(0, 1)}, 2, 2, target)
            print(f"(c) Dask LocalCluster of 2 workers x 1 thread started and warmed up in {time.perf_counter() - started:.2f} s")
        figures: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeats):
            for kind, run_config in kinds.items():
                figures.setdefault(("local", kind), []).append(overhead(exp, kind, run_config, args.children))
                if target is not None:
                    figures.setdefault(("dask", kind), []).append(
                        overhead(exp, kind, run_config, args.children, target=target, section="(c) dask"))
        for kind in kinds:
            local = statistics.median(figures["local", kind])
            print(f"(a) {kind:8s} overhead, median of {args.repeats}: {local * 1000:6.1f} ms per child")
            if target is not None:
                dask = statistics.median(figures["dask", kind])
                print(f"(c) {kind:8s} overhead on Dask, median of {args.repeats}: {dask * 1000:6.1f} ms per child "
                      f"= {dask / local:.2f}x the local executor's")
        if args.dask != "only":
            logging_cost(exp)
        if target is not None:
            dask_latency(exp, target)


if __name__ == "__main__":
    main()
