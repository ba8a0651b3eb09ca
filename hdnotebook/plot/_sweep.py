"""What the figures draw, read the way the widget reads it: the sweep's snapshot (``widget/tracker.py``, store
queries only, values at the charts' 6 significant digits), and the axes of its hyperparameters."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hdnotebook.results.charts import axis_kind, category_labels, ranked_rows


@dataclass
class Sweep:
    """A sweep's snapshot plus what the figures ask of it."""

    snapshot: dict[str, Any]
    tracker: Any

    @property
    def metric(self) -> str:
        return self.snapshot["run"]["primary"]["name"]

    @property
    def goal(self) -> str:
        return self.snapshot["run"]["primary"]["goal"]

    @property
    def params(self) -> list[dict[str, Any]]:
        return self.snapshot["params"]

    def measured(self) -> list[dict[str, Any]]:
        """The rows (warm-start parents' runs too) with a value of the primary metric."""
        return [r for r in self.snapshot["runs"] if r.get("best") is not None]

    def ranked(self) -> list[dict[str, Any]]:
        return ranked_rows(self.snapshot["runs"], self.goal)  # type: ignore[return-value]

    def curves(self, metric: str) -> dict[str, list[Any]]:
        """Each run's values of ``metric`` by interval (None where a value is not a finite number)."""
        if metric == self.metric:
            return self.snapshot["curves"].get(metric, {})
        return self.tracker.stream_metric(metric)


def load(run: object) -> Sweep:
    """The snapshot of the sweep ``run`` (a HyperDriveRun), read from its store."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun
    from hdnotebook.widget.tracker import SweepTracker

    if not isinstance(run, HyperDriveRun) or run._store is None:
        raise TypeError(f"run must be a HyperDriveRun (a sweep) of a workspace, got {run!r}")
    tracker = SweepTracker(run)
    return Sweep(tracker.snapshot(), tracker)


def choose(argument: str, value: object, valid: Sequence[str], what: str) -> str:
    """``value`` when it is one of ``valid``; else a ValueError naming ``argument`` and the choices."""
    if value not in valid:
        raise ValueError(f"{argument} must be {what}: one of {list(valid)}, got {value!r}")
    return value  # type: ignore[return-value]


def fmt(value: Any) -> str:
    """A number as the widget prints it (6 significant digits)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


@dataclass
class Axis:
    """One axis of the hyperparameter charts, as ``axisFor`` in ``js/src/charts.js``: ``values`` are what a
    parallel-coordinates axis plots (log10 of a log-scale value, the index of a category), ``raw`` the values
    themselves (a scatter chart's log axis takes those)."""

    key: str
    kind: str  # "linear", "log" or "category"
    values: list[Any]
    raw: list[Any]
    ticktext: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.key} (log10)" if self.kind == "log" else self.key

    @property
    def tickvals(self) -> list[int]:
        return list(range(len(self.ticktext)))


def _log10(value: Any) -> float | None:
    return math.log10(value) if isinstance(value, (int, float)) and value > 0 else None


def param_axis(param: dict[str, Any], rows: Sequence[dict[str, Any]]) -> Axis:
    """The axis of hyperparameter ``param`` (a snapshot's ``params`` item) over ``rows``."""
    raw = [r["params"].get(param["key"]) for r in rows]
    kind = axis_kind(param, raw)
    if kind == "category":
        labels = category_labels(param.get("choices"), raw)
        return Axis(param["key"], kind, [None if v is None else labels.index(str(v)) for v in raw], raw, labels)
    return Axis(param["key"], kind, [_log10(v) for v in raw] if kind == "log" else raw, raw)


def metric_axis(name: str, rows: Sequence[dict[str, Any]]) -> Axis:
    """The axis of the primary metric: each row's best value."""
    best = [r["best"] for r in rows]
    return Axis(name, "linear", best, best)
