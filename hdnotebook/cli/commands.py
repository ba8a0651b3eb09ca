"""The commands ``list``, ``show`` and ``cancel``: each takes the parsed arguments, prints to stdout and returns the
exit status."""

from __future__ import annotations

import argparse
import time
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.layout import HYPERDRIVE_TYPE
from hdnotebook._engine.progress import ProgressReader, hms
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook.cli.errors import CliError, open_run, open_workspace
from hdnotebook.cli.text import age, number, table


def _best_text(metric: str, value: float | None) -> str | None:
    return None if value is None else f"{metric} {number(value)}"


def list_runs(args: argparse.Namespace) -> int:
    """Top-level sweeps and runs, oldest first (with ``--children``, each sweep's children under it)."""
    workspace = open_workspace(args.workspace)
    store: Store = workspace._store
    if args.experiment is not None and args.experiment not in store.experiments():
        raise CliError(f"no experiment named {args.experiment!r} in workspace {workspace.path}")
    now = time.time()
    rows: list[list[Any]] = []
    for record in store.list_runs(experiment=args.experiment, top_level=True):
        if record.run_type != HYPERDRIVE_TYPE:
            rows.append([record.run_id, record.experiment, record.run_type, record.status, None, None,
                         age(now - record.created_time)])
            continue
        reader = ProgressReader(store, record.run_id, per_child=args.children)
        progress = reader.read(now)
        rows.append([record.run_id, record.experiment, "sweep", record.status, f"{progress.done}/{progress.total}",
                     _best_text(progress.metric, progress.best_value), age(now - record.created_time)])
        if args.children:
            best = reader.best_by_child
            for child in store.list_runs(parent_id=record.run_id):
                rows.append([f"  {child.run_id}", child.experiment, "child", child.status, None,
                             _best_text(progress.metric, best.get(child.run_id)), age(now - child.created_time)])
    if not rows:
        where = f"experiment {args.experiment!r} of " if args.experiment else ""
        print(f"No runs in {where}workspace {workspace.path}")
        return 0
    print(table(["RUN ID", "EXPERIMENT", "TYPE", "STATUS", "DONE", "BEST", "AGE"], rows))
    return 0


def _sweep_summary(store: Store, record: RunRecord, top: int) -> str:
    """The RunDetails header as text, then the best ``top`` children."""
    from hdnotebook._engine.metric_check import PRIMARY_METRIC_WARNING

    reader = ProgressReader(store, record.run_id)
    progress = reader.read()
    config = record.config or {}
    sampling = (config.get("generator_config") or {}).get("name") or ""
    policy = (config.get("policy_config") or {}).get("name") or "Default"
    best_text = (f"{number(progress.best_value)} (run {progress.best_run_number}, {progress.best_run_id})"
                 if progress.best_value is not None else "-")
    left = "none" if st.is_terminal(progress.status) else (
        "estimating" if progress.time_left is None else f"~{hms(progress.time_left)}")
    counts = ", ".join(f"{status} {n}" for status, n in sorted(progress.counts.items())) or "no runs scheduled yet"
    lines = [f"Sweep {record.run_id}: {progress.status} (experiment {record.experiment})",
             f"{sampling} sampling · policy {policy} · {progress.children}/{progress.max_total or '?'} runs · "
             f"up to {progress.max_concurrent or '?'} at once",
             f"Elapsed {hms(progress.elapsed)} · Best {progress.metric} {best_text} · Time left {left}",
             f"Runs: {counts}"]
    if record.error:
        lines.append(f"Error: {(record.error.get('error') or {}).get('message', '')}")
    warning = store.get_properties(record.run_id).get(PRIMARY_METRIC_WARNING)
    if warning and progress.best_value is None:
        lines.append(f"Warning: {warning}")
    best = reader.best_by_child
    sign = -1 if progress.goal == "maximize" else 1
    children = store.list_runs(parent_id=record.run_id)
    # best first, ties and runs without a value by child index: get_children_sorted_by_primary_metric's order
    ranked = sorted(children, key=lambda c: (c.run_id not in best, sign * best.get(c.run_id, 0.0), c.child_index or 0))[:top]
    if ranked:
        keys = list(dict.fromkeys(k for child in ranked for k in (child.hyperparameters or {})))
        now = time.time()
        rows = []
        for child in ranked:
            duration = hms((child.end_time or now) - child.start_time) if child.start_time is not None else None
            rows.append([child.child_index, child.run_id, child.status, number(best.get(child.run_id)), duration,
                         *[(child.hyperparameters or {}).get(k) for k in keys]])
        lines += ["", f"Best {len(ranked)} of {progress.children} runs by {progress.metric} ({progress.goal}):",
                  table(["RUN", "RUN ID", "STATUS", f"BEST {progress.metric}", "DURATION", *keys], rows)]
    return "\n".join(lines)


def _run_summary(record: RunRecord, run: Any) -> str:
    """A single run's status, times, error and metrics (the last value of a series, with its length)."""
    end = record.end_time or time.time()
    lines = [f"Run {record.run_id}: {record.status} (experiment {record.experiment}, type {record.run_type}"
             + (f", child of {record.parent_id}" if record.parent_id else "") + ")",
             f"Elapsed {hms(end - record.start_time) if record.start_time is not None else 'not started'}"]
    if record.hyperparameters:
        lines.append("Arguments: " + ", ".join(f"{k}={v}" for k, v in record.hyperparameters.items()))
    if record.error:
        lines.append(f"Error: {(record.error.get('error') or {}).get('message', '')}")
    rows = []
    for name, value in run.get_metrics().items():
        if isinstance(value, list):
            rows.append([name, value[-1] if value else None, len(value)])
        else:
            rows.append([name, value, 1])
    if rows:
        lines += ["", table(["METRIC", "LAST VALUE", "VALUES"], rows)]
    return "\n".join(lines)


def show_run(args: argparse.Namespace) -> int:
    """A sweep's summary and best children, or a single run's summary."""
    workspace = open_workspace(args.workspace)
    run = open_run(workspace, args.run_id)
    record = workspace._store.get_run(args.run_id)
    assert record is not None
    if record.run_type == HYPERDRIVE_TYPE:
        print(_sweep_summary(workspace._store, record, args.top))
    else:
        print(_run_summary(record, run))
    return 0


def cancel_run(args: argparse.Namespace) -> int:
    """``run.cancel()`` from this process; then wait up to ``--wait`` seconds for the run to end. Exit status 1 when
    it has not ended by then."""
    workspace = open_workspace(args.workspace)
    run = open_run(workspace, args.run_id)
    status = run.get_status()
    if st.is_terminal(status):
        print(f"{args.run_id} already ended: {status}; nothing to cancel")
        return 0
    run.cancel()
    deadline = time.monotonic() + args.wait
    while not st.is_terminal(status := run.get_status()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if st.is_terminal(status):
        print(f"{args.run_id}: {status}")
        return 0
    if args.wait == 0:
        print(f"{args.run_id}: {status} (cancel requested)")
        return 0
    print(f"{args.run_id}: still {status} {args.wait:g} s after the cancel request")
    return 1
