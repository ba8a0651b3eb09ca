"""Per run and metric of whole sweeps: how many numbers were logged, the last one, the smallest and largest.

Read with a few set-based queries (``Store.child_metric_extremes``, ``child_last_metric_calls``); only the
runs whose calls SQLite cannot aggregate (list calls, NaN, Infinity, non-numbers) are read call by call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hdnotebook._engine.store import Store
from hdnotebook._engine.store.rows import numbers_of, stored_values


@dataclass(frozen=True)
class MetricSummary:
    """The numbers one run logged under one metric name (scalar calls and list items, in order; booleans and
    strings are not numbers). ``count`` includes NaN and infinities (each is an interval, as for the
    policies); ``last`` is the last number (may be NaN); ``minimum``/``maximum`` are over the finite ones
    (None when there is none)."""

    count: int
    last: float | None
    minimum: float | None
    maximum: float | None

    def best(self, maximize: bool) -> float | None:
        """The largest finite value when ``maximize``, else the smallest."""
        return self.maximum if maximize else self.minimum


def summarize(values: Sequence[Any]) -> MetricSummary | None:
    """The summary of logged values (None when none of them is a number)."""
    numbers = numbers_of(values)
    if not numbers:
        return None
    finite = [v for v in numbers if math.isfinite(v)]
    return MetricSummary(len(numbers), numbers[-1], min(finite) if finite else None, max(finite) if finite else None)


def _decode(texts: list[str]) -> list[Any]:
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def metric_summaries(store: Store, parent_ids: Sequence[str], names: Sequence[str] | None,
                     maximize: bool, both: bool = False) -> dict[tuple[str, str], MetricSummary]:
    """``{(run_id, name): summary}`` for the children of the sweeps ``parent_ids`` and the metric ``names``
    (every logged name when None). The extreme in the ``maximize`` direction is always computed; the other
    one only with ``both`` (else it is None for runs SQLite aggregated)."""
    if names is None:
        names = sorted({name for parent in parent_ids for name in store.metric_names_of_children(parent)})
    extremes = store.child_metric_extremes(parent_ids, names, largest=maximize)
    others = {(r[0], r[1]): r[2] for r in store.child_metric_extremes(parent_ids, names, largest=not maximize)} if both else {}
    lasts = {(run_id, name): (kind, text) for run_id, name, kind, text in store.child_last_metric_calls(parent_ids, names)}
    regular = [row for row in extremes if not row[4] and lasts.get((row[0], row[1]), ("",))[0] == "scalar"]
    keys = [(row[0], row[1]) for row in regular]
    best = _decode([row[2] for row in regular])
    last = _decode([lasts[key][1] for key in keys])
    other = _decode([others[key] for key in keys]) if both else [None] * len(keys)
    out: dict[tuple[str, str], MetricSummary] = {}
    irregular = {(row[0], row[1]) for row in extremes} - set(keys)
    for key, row, b, la, o in zip(keys, regular, best, last, other):
        if not (math.isfinite(b) and (o is None or math.isfinite(o))):
            irregular.add(key)  # -Infinity sorted as 0 by SQLite: decode this run's calls instead
            continue
        low, high = (o, b) if maximize else (b, o)
        out[key] = MetricSummary(int(row[3]), float(la), None if low is None else float(low), None if high is None else float(high))
    if irregular:
        run_ids = sorted({run_id for run_id, _ in irregular})
        wanted = sorted({name for _, name in irregular})
        for (name, run_id), values in stored_values(store.metric_texts_of_runs(run_ids, wanted)).items():
            summary = summarize(values) if (run_id, name) in irregular else None
            if summary is not None:
                out[(run_id, name)] = summary
    return out


def metric_bests(store: Store, parent_ids: Sequence[str], name: str, maximize: bool) -> dict[str, float]:
    """``{run_id: best finite number logged under name}`` for the children of the sweeps ``parent_ids`` that logged
    one: what ``metric_summaries(...)[(run_id, name)].best(maximize)`` gives, without reading the last values
    (one aggregate query; only the runs with irregular calls are read call by call)."""
    extremes = store.child_metric_extremes(parent_ids, [name], largest=maximize)
    regular = [row for row in extremes if not row[4]]
    out: dict[str, float] = {}
    irregular = {row[0] for row in extremes if row[4]}
    for row, value in zip(regular, _decode([row[2] for row in regular])):
        if math.isfinite(value):
            out[row[0]] = float(value)
        else:
            irregular.add(row[0])  # -Infinity sorted as 0 by SQLite: decode this run's calls instead
    if irregular:
        for (_, run_id), values in stored_values(store.metric_texts_of_runs(sorted(irregular), [name])).items():
            summary = summarize(values)
            best = summary.best(maximize) if summary is not None else None
            if best is not None:
                out[run_id] = best
    return out
