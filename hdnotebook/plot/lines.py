"""``curves(run)``: each run's metric by interval with the policy's cutoff, as the widget's Curves chart;
``history(run)``: each run's best value and the best so far, by run number."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from hdnotebook import status as st
from hdnotebook.plot._sweep import Sweep, choose, fmt, load
from hdnotebook.plot._theme import figure
from hdnotebook.policy.from_json import policy_from_json
from hdnotebook.results.charts import CUTOFF_COLOUR, PALETTE, best_so_far, policy_cutoff

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

TOP = 5  # drawn; the next ones up to LISTED are a click away in the legend (js/src/charts.js)
LISTED = 50
GL_ABOVE = 200  # more traces than this are drawn with WebGL, as in the widget


def _name(row: dict[str, Any]) -> str:
    return f"↩{row['n']}" if row.get("inherited") else f"#{row['n']}"


def _cutoff(sweep: Sweep) -> dict[str, Any] | None:
    """The cutoff the widget draws (at the latest interval due for a running run); once the sweep has ended,
    the policy's cutoff over all its runs."""
    run = sweep.snapshot["run"]
    if run.get("threshold") is not None or not st.is_terminal(run["status"]):
        return run.get("threshold")
    curves = {run_id: [math.nan if v is None else v for v in values]
              for run_id, values in sweep.curves(sweep.metric).items()}
    return policy_cutoff(policy_from_json(run.get("policy")), curves, sweep.goal)


def curves(run: HyperDriveRun, metric: str | None = None, *, all_runs: bool = False) -> go.Figure:
    """A ``plotly.graph_objects.Figure`` of ``metric`` (default: the primary metric) by interval, one line per
    run, as the widget's Curves chart: runs ranked by their best primary metric, the best 5 drawn and the next
    45 hidden in the legend (``all_runs``: every run drawn), colours of plotly.js's default colorway, and for the
    primary metric the policy's cutoff as a dashed red line (a running sweep: at the latest interval due for a
    running run; an ended one: over all its runs).

    Raises ValueError when ``metric`` is not a metric the sweep's runs logged."""
    sweep = load(run)
    primary = sweep.metric
    metric = primary if metric is None else metric
    choose("metric", metric, sorted({primary, *sweep.snapshot["metrics"]}), "a metric the sweep's runs logged")
    values = sweep.curves(metric)
    order = [r for r in sweep.ranked() if any(v is not None for v in values.get(r["id"], []))]
    listed = order if all_runs else order[:LISTED]
    kind = "scattergl" if len(listed) > GL_ABOVE else "scatter"
    traces = []
    for i, row in enumerate(listed):
        ys = values[row["id"]]
        colour = PALETTE[i % len(PALETTE)]
        traces.append({
            "type": kind, "mode": "lines+markers", "name": _name(row), "x": list(range(1, len(ys) + 1)), "y": list(ys),
            "visible": True if all_runs or i < TOP else "legendonly", "line": {"width": 1.5, "color": colour},
            "marker": {"size": 4, "color": colour},
            "hovertemplate": f"run {_name(row)} %{{y}}<extra>interval %{{x}}</extra>"})
    is_primary = metric == primary
    threshold = _cutoff(sweep) if is_primary else None
    shapes, annotations = [], []
    if threshold is not None and threshold.get("value") is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": threshold["value"],
                       "y1": threshold["value"], "line": {"dash": "dash", "color": CUTOFF_COLOUR}})
        annotations.append({"xref": "paper", "x": 1, "xanchor": "right", "yref": "paper", "y": 1, "yanchor": "bottom",
                            "showarrow": False, "font": {"color": CUTOFF_COLOUR, "size": 11},
                            "text": f"- - {threshold['policy']} cutoff at interval {threshold['interval']}: "
                                    f"{fmt(threshold['value'])}"})
    title = f"{metric} per interval (primary metric)" if is_primary else f"{metric} per interval"
    return figure(traces, {
        "title": {"text": title, "y": 0.97, "yanchor": "top"}, "height": 330, "margin": {"l": 50, "r": 10, "t": 58, "b": 40},
        "xaxis": {"title": {"text": "interval"}}, "yaxis": {"title": {"text": metric}}, "showlegend": True,
        "shapes": shapes, "annotations": annotations})


def history(run: HyperDriveRun) -> go.Figure:
    """A ``plotly.graph_objects.Figure`` of the sweep's progress: each of its own runs' best primary-metric
    value as a marker at its run number, and the best value so far as a step line (runs without a value are
    left out; warm-start parents' runs are not the sweep's own and are left out too)."""
    sweep = load(run)
    rows = sorted((r for r in sweep.measured() if not r.get("inherited")), key=lambda r: r["n"])
    numbers = [r["n"] for r in rows]
    best = best_so_far([r["best"] for r in rows], sweep.goal)
    metric = sweep.metric
    traces = [
        {"type": "scatter", "mode": "markers", "name": f"run's best {metric}", "x": numbers, "y": [r["best"] for r in rows],
         "marker": {"size": 7, "color": PALETTE[0]}, "text": [r["id"] for r in rows],
         "hovertemplate": "run #%{x}: %{y}<extra>%{text}</extra>"},
        {"type": "scatter", "mode": "lines", "name": "best so far", "x": numbers, "y": best,
         "line": {"shape": "hv", "width": 2, "color": PALETTE[1]}, "hovertemplate": "best after run #%{x}: %{y}<extra></extra>"},
    ]
    return figure(traces, {
        "title": {"text": f"{metric} by run ({sweep.goal}): each run and the best so far", "y": 0.97, "yanchor": "top"},
        "height": 330, "margin": {"l": 50, "r": 10, "t": 58, "b": 40},
        "xaxis": {"title": {"text": "run number"}}, "yaxis": {"title": {"text": metric}}, "showlegend": True})
