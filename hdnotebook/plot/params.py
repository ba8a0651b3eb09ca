"""``parallel_coordinates(run)`` and ``scatter(run, x, y, z=None)``: the hyperparameters against the primary
metric, the figures of the widget's Hyperparameters chart (``createParams`` in ``js/src/charts.js``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hdnotebook.plot._sweep import Axis, Sweep, choose, fmt, load, metric_axis, param_axis
from hdnotebook.plot._theme import figure

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

# plotly's parcoords draws with WebGL: more lines make each drawing slow without a GPU and add little to the picture
PARCOORDS_LINES = 1000


def _colour(sweep: Sweep, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Lines or markers coloured by the primary metric on Viridis, reversed to minimize: the best are yellow."""
    return {"color": [r["best"] for r in rows], "colorscale": "Viridis", "reversescale": sweep.goal == "minimize",
            "showscale": True, **extra}


def parallel_coordinates(run: HyperDriveRun) -> go.Figure:
    """A ``plotly.graph_objects.Figure`` with one ``parcoords`` trace: an axis per hyperparameter and one for the
    primary metric (each run's best value), a line per run that logged it (the best 1000 when there are more),
    coloured by that value. A log-scale hyperparameter's axis shows log10 of its values (label ``"key (log10)"``:
    a plotly axis with ticks of its own could not be brushed), a choice's axis its options as ticks."""
    sweep = load(run)
    measured = sweep.measured()
    rows = [r for r in sweep.ranked() if r.get("best") is not None][:PARCOORDS_LINES] \
        if len(measured) > PARCOORDS_LINES else measured
    axes = [param_axis(p, rows) for p in sweep.params] + [metric_axis(sweep.metric, rows)]
    dimensions = []
    for axis in axes:
        dimension: dict[str, Any] = {"label": axis.label, "values": axis.values}
        if axis.kind == "category":
            dimension.update(tickvals=axis.tickvals, ticktext=axis.ticktext, range=[-0.5, len(axis.ticktext) - 0.5])
        dimensions.append(dimension)
    trace = {"type": "parcoords", "dimensions": dimensions,
             "line": _colour(sweep, rows, colorbar={"title": {"text": sweep.metric, "side": "right"}, "thickness": 14})}
    shown = f"the best {len(rows)} of {len(measured)}" if len(rows) < len(measured) else str(len(rows))
    return figure([trace], {"title": {"text": f"Hyperparameters and best {sweep.metric} ({shown} runs)", "y": 0.98,
                                      "yanchor": "top"},
                            "height": 380, "margin": {"l": 60, "r": 60, "t": 80, "b": 30}})


def _layout_axis(axis: Axis, three: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"title": {"text": axis.key, **({"font": {"size": 12}} if three else {})}}
    if axis.kind == "log":
        out.update(type="log", exponentformat="power")
    elif axis.kind == "category":
        out.update(tickvals=axis.tickvals, ticktext=axis.ticktext)
    if three:  # few, small tick labels (a log axis labels its powers of ten only) so that they do not overlap
        out.update(nticks=5, tickfont={"size": 10}, **({"dtick": 1} if axis.kind == "log" else {}))
    return out


def scatter(run: HyperDriveRun, x: str, y: str, z: str | None = None) -> go.Figure:
    """A ``plotly.graph_objects.Figure`` of the runs that logged the primary metric as points (``scatter``, or
    ``scatter3d`` with ``z``) on the axes ``x``, ``y`` (and ``z``), each a hyperparameter's key or the primary
    metric's name (each run's best value), coloured by that value. Log-scale hyperparameters get log axes,
    choices their options as ticks.

    Raises ValueError when ``x``, ``y`` or ``z`` is neither a hyperparameter nor the primary metric."""
    sweep = load(run)
    options = [p["key"] for p in sweep.params] + [sweep.metric]
    names = {"x": x, "y": y, **({"z": z} if z is not None else {})}
    for argument, name in names.items():
        choose(argument, name, options, "a hyperparameter or the primary metric")
    rows = sweep.measured()
    params = {p["key"]: p for p in sweep.params}

    def axis(name: str) -> Axis:
        return metric_axis(name, rows) if name == sweep.metric else param_axis(params[name], rows)

    axes = {argument: axis(name) for argument, name in names.items()}
    three = z is not None
    trace: dict[str, Any] = {
        "type": "scatter3d" if three else "scatter", "mode": "markers",
        **{argument: (a.raw if a.kind == "log" else a.values) for argument, a in axes.items()},
        "text": [f"run #{r['n']}: {fmt(r['best'])}" for r in rows],
        "marker": _colour(sweep, rows, size=4 if three else 9, colorbar={
            "title": {"text": sweep.metric, "side": "right"}, "thickness": 14, "len": 0.7 if three else 1}),
    }
    if three:  # a cube seen from a camera that stands back, so that titles and tick labels fit
        layout: dict[str, Any] = {"height": 420, "margin": {"l": 0, "r": 0, "t": 30, "b": 0}, "scene": {
            **{f"{a}axis": _layout_axis(axes[a], True) for a in "xyz"},
            "aspectmode": "cube", "camera": {"eye": {"x": 2.0, "y": 2.0, "z": 1.2}}}}
    else:
        layout = {"height": 360, "margin": {"l": 60, "r": 10, "t": 40, "b": 50},
                  "xaxis": _layout_axis(axes["x"], False), "yaxis": _layout_axis(axes["y"], False)}
    layout["title"] = {"text": " / ".join(names.values()), "y": 0.98, "yanchor": "top"}
    return figure([trace], layout)
