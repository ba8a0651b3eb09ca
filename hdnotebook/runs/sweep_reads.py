"""Reads of a whole sweep's children for HyperDriveRun, in a few set-based queries (never one per child).

Each function gives what the per-child handles would (``get_children()`` then ``get_status()`` / ``get_metrics()``
of each child), in the same order and shapes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from hdnotebook import status as st
from hdnotebook._engine.driver import driver_alive, fail_lost_run
from hdnotebook._engine.store import Store
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.results.aggregates import metric_bests
from hdnotebook.runs.metrics import shape_metrics


def child_statuses(store: Store, parent_id: str) -> list[tuple[str, str]]:
    """(run_id, status) of the sweep's children in ``get_children()`` order, as each child's ``get_status()`` gives
    it: an active child whose driver process has ended is first marked Failed (``DriverLost``)."""
    drivers: dict[str, tuple[dict[str, Any], bool | None]] = {}  # children share their sweep's driver: asked once
    out = []
    for run_id, status, driver in store.child_statuses(parent_id):
        if driver is not None and not st.is_terminal(status):
            if driver not in drivers:
                record = json.loads(driver) or {}
                drivers[driver] = (record, driver_alive(record))
            record, alive = drivers[driver]
            if alive is False:
                fail_lost_run(store, run_id, record)
                status = store.status_of(run_id) or status
        out.append((run_id, status))
    return out


def best_values(store: Store, parent_id: str, name: str, goal: PrimaryMetricGoal) -> dict[str, float]:
    """``{child run id: best finite value of metric name under goal}`` for the sweep's children that logged a finite
    number under ``name`` (scalar calls and list items; booleans and strings are not numbers)."""
    return metric_bests(store, [parent_id], name, goal is PrimaryMetricGoal.MAXIMIZE)


def children_metrics(store: Store, parent_id: str, name: str | None = None) -> dict[str, dict[str, Any]]:
    """``{child run id: {metric: value}}``, by child, for the children that logged something (only ``name`` unless
    None): each child's ``get_metrics(name=name)``, names in first-logged order. Series of scalar and list calls
    come decoded in bulk from one query; the other kinds (rows, tables, images, JSON) are read call by call."""
    series = sorted(store.child_metric_series(parent_id, None if name is None else [name]), key=lambda row: row[2])
    regular = [(run_id, metric, lists, text) for run_id, metric, _, _, lists, others, text in series
               if not others and text is not None]
    logged = _loads("[[" + "],[".join(text for *_, text in regular) + "]]") if regular else []
    shaped: dict[tuple[str, str], Any] = {}
    for (run_id, metric, lists, _), calls in zip(regular, logged):
        # a scalar call never holds a list: the lists are the list calls, whose items count
        values = [item for call in calls for item in (call if isinstance(call, list) else [call])] if lists else calls
        shaped[(run_id, metric)] = values[0] if len(values) == 1 else values
    irregular = [row for row in series if row[5] or row[6] is None]
    if irregular:
        wanted = {(row[0], row[1]) for row in irregular}
        rows_of = store.metric_rows_for(sorted({row[0] for row in irregular}), name)
        for run_id, rows in rows_of.items():
            for metric, value in shape_metrics(run_id, [r for r in rows if (run_id, r.name) in wanted]).items():
                shaped[(run_id, metric)] = value
    out: dict[str, dict[str, Any]] = {run_id: {} for run_id, _, _ in store.child_statuses(parent_id)}
    for run_id, metric, *_ in series:  # by first call: each child's names in first-logged order
        out[run_id][metric] = shaped[(run_id, metric)]
    return {run_id: metrics for run_id, metrics in out.items() if metrics}


def _loads(text: str) -> Any:
    """json.loads, 4x faster by orjson when it can: it refuses NaN, infinities and ints beyond 64 bits, which json
    reads (the values it reads, floats included, are the same)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
