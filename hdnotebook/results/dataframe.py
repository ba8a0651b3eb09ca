"""A sweep's results as a pandas DataFrame, one row per child run; a run's metrics, one row per logged value.

Columns of :func:`sweep_dataframe`, in order:

* ``run_id``, ``sweep_id`` (the sweep the child belongs to: this one, or a warm-start parent),
  ``child_index`` (the child's position in its sweep, from 0), ``number`` (the run number in the
  experiment, as ``Run.number``), ``status``;
* one column per hyperparameter, named by its key (``--lr``), in the order of the parameter space, with a
  native dtype: float64 for uniform/normal and their log and q variants, int64 for ``randint``, and for a
  ``choice`` the dtype of its options (int64, float64, bool, or object for strings and mixed options);
  a key equal to a column name above or below is prefixed ``param_``;
* ``<primary metric>``: the best value the child logged (largest when the goal is maximize, smallest
  when minimize; finite values only; NaN when none), ``<primary metric>_last``: the last value logged,
  ``intervals``: how many values of the primary metric were logged (scalar calls and list items);
* with ``metrics="all"`` (or a list of names), for every other metric (with "all": that logged a number) ``<name>_min``, ``<name>_max``
  (finite values) and ``<name>_last``;
* ``start_time``, ``end_time`` (``datetime64[ns, UTC]``, NaT when not reached), ``duration_seconds`` (end
  minus start, float seconds, NaN for a run that has not ended), ``termination_reason`` (an early
  termination policy's reason, as the widget shows it: it names the policy, the value and the cutoff;
  for a run canceled otherwise what requested it, e.g. ``"canceled"`` or ``"max_duration"``; None for a
  run that was not stopped).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hdnotebook._engine.store import Store
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.results.aggregates import metric_summaries

CONTINUOUS = frozenset({"uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"})
FIXED_BEFORE = ("run_id", "sweep_id", "child_index", "number", "status")
FIXED_AFTER = ("intervals", "start_time", "end_time", "duration_seconds", "termination_reason")


def sweep_config(store: Store, sweep_id: str) -> dict[str, Any]:
    """The stored configuration of a sweep; a clear error when ``sweep_id`` is not a sweep of this store."""
    if not isinstance(sweep_id, str):
        raise TypeError(f"sweep_id expects a str, got {type(sweep_id).__name__}")
    record = store.get_run(sweep_id)
    if record is None or record.run_type != "hyperdrive":
        raise ValueError(f"sweep_id {sweep_id!r} is not a sweep (hyperdrive run) of the store {store.folder}")
    return record.config or {}


def primary_metric(config: dict[str, Any]) -> tuple[str, PrimaryMetricGoal]:
    """The sweep's primary metric name and goal."""
    primary = config.get("primary_metric_config") or {}
    return primary.get("name", ""), PrimaryMetricGoal.from_str(primary.get("goal", "maximize"))


def parameter_space(config: dict[str, Any]) -> dict[str, list[Any]]:
    """``{key: [expression name, args]}`` of the sweep's sampling."""
    return dict((config.get("generator_config") or {}).get("parameter_space") or {})


def param_column(values: list[Any], expression: list[Any] | None) -> pd.Series:
    """A hyperparameter's values (None where a run has none) as a Series of its native dtype."""
    kind = expression[0] if expression else None
    present = [v for v in values if v is not None]
    missing = len(present) < len(values)
    if kind in CONTINUOUS:
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean" if missing else "bool")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64" if missing else "int64")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series(values, dtype="object")


def _termination(policy_json: str | None, cancel_details: str | None) -> str | None:
    if policy_json:
        decision = json.loads(policy_json)
        return decision.get("reason") or decision.get("policy")
    return cancel_details


def _times(seconds: list[float | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(seconds, dtype="float64"), unit="s", utc=True).astype("datetime64[ns, UTC]")


def metric_names_wanted(store: Store, parent_ids: Sequence[str], metric: str, metrics: Any) -> list[str]:
    """The metrics besides the primary one that ``metrics`` asks for ("primary": none, "all": every logged one)."""
    if metrics == "primary":
        return []
    if metrics == "all":
        names = sorted({name for parent in parent_ids for name in store.metric_names_of_children(parent)})
    elif isinstance(metrics, (list, tuple)) and all(isinstance(m, str) for m in metrics):
        names = list(dict.fromkeys(metrics))
    else:
        raise ValueError(f'metrics expects "primary", "all" or a list of metric names, got {metrics!r}')
    return [name for name in names if name != metric]


def sweep_dataframe(store: Store, sweep_id: str, metrics: Any = "primary",
                    include_warm_start: bool = False) -> pd.DataFrame:
    """One row per child of the sweep (and, with ``include_warm_start``, of its warm-start parents after it),
    ordered by sweep then child index; the columns are described in this module's docstring."""
    if not isinstance(include_warm_start, bool):
        raise TypeError("include_warm_start expects a bool")
    config = sweep_config(store, sweep_id)
    metric, goal = primary_metric(config)
    maximize = goal is PrimaryMetricGoal.MAXIMIZE
    parents = [sweep_id] + (list(config.get("resume_from") or []) if include_warm_start else [])
    others = metric_names_wanted(store, parents, metric, metrics)
    children = store.sweep_children(parents)
    run_ids = [c[0] for c in children]
    summaries = metric_summaries(store, parents, [metric, *others], maximize, both=bool(others))
    if metrics == "all":  # metrics that never held a number (strings, tables, images) get no columns
        numeric = {name for _, name in summaries}
        others = [name for name in others if name in numeric]
    space = parameter_space(config)
    params = json.loads("[" + ",".join(c[7] or "null" for c in children) + "]")
    keys = list(space) + [k for k in dict.fromkeys(k for p in params if p for k in p) if k not in space]

    def summary_column(name: str, field: str) -> pd.Series:
        values = []
        for run_id in run_ids:
            summary = summaries.get((run_id, name))
            value = None if summary is None else (summary.best(maximize) if field == "best" else getattr(summary, field))
            values.append(np.nan if value is None else value)
        return pd.Series(values, dtype="float64")

    columns: dict[str, pd.Series] = {
        "run_id": pd.Series(run_ids, dtype="object"), "sweep_id": pd.Series([c[1] for c in children], dtype="object"),
        "child_index": pd.Series([c[2] for c in children], dtype="Int64"),
        "number": pd.Series([c[3] for c in children], dtype="int64"),
        "status": pd.Series([c[4] for c in children], dtype="object"),
    }
    metric_columns = {metric: summary_column(metric, "best"), f"{metric}_last": summary_column(metric, "last")}
    for name in others:
        metric_columns.update({f"{name}_min": summary_column(name, "minimum"), f"{name}_max": summary_column(name, "maximum"),
                               f"{name}_last": summary_column(name, "last")})
    taken = set(FIXED_BEFORE) | set(FIXED_AFTER) | set(metric_columns)
    for key in keys:
        column = param_column([(p or {}).get(key) for p in params], space.get(key))
        columns[f"param_{key}" if key in taken else key] = column
    columns.update(metric_columns)
    counts = [summaries.get((run_id, metric)) for run_id in run_ids]
    columns["intervals"] = pd.Series([s.count if s else 0 for s in counts], dtype="int64")
    starts, ends = [c[5] for c in children], [c[6] for c in children]
    columns["start_time"], columns["end_time"] = _times(starts), _times(ends)
    columns["duration_seconds"] = pd.Series(
        [e - s if s is not None and e is not None else np.nan for s, e in zip(starts, ends)], dtype="float64")
    columns["termination_reason"] = pd.Series([_termination(c[8], c[9]) for c in children], dtype="object")
    return pd.DataFrame(columns)


def run_metrics_dataframe(store: Store, run_id: str, name: str | None = None) -> pd.DataFrame:
    """One row per value a run logged with ``log`` or ``log_list`` (optionally of one metric): ``name``,
    ``interval`` (1 for the metric's first value), ``step`` (as logged, for a scalar call; else missing),
    ``value`` (float64; non-numbers are left out), ``time`` (``datetime64[ns, UTC]`` of the call), in
    logging order. Rows, tables and images are not included (``Run.get_metrics`` returns them)."""
    if not isinstance(run_id, str):
        raise TypeError(f"run_id expects a str, got {type(run_id).__name__}")
    if store.get_run(run_id) is None:
        raise ValueError(f"run_id {run_id!r} is not a run of the store {store.folder}")
    names, steps, values, times = [], [], [], []
    for row in store.metric_rows(run_id, name):
        items = row.value if row.kind == "list" else [row.value] if row.kind == "scalar" else []
        for item in items:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                names.append(row.name)
                steps.append(row.step if row.kind == "scalar" else None)
                values.append(float(item))
                times.append(row.time)
    frame = pd.DataFrame({
        "name": pd.Series(names, dtype="object"), "interval": pd.Series(np.zeros(len(names)), dtype="int64"),
        "step": pd.Series(steps, dtype="Int64"), "value": pd.Series(values, dtype="float64"), "time": _times(times),
    })
    frame["interval"] = frame.groupby("name").cumcount().astype("int64") + 1
    return frame
