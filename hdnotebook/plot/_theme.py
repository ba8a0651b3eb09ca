"""The widget's look for plotly figures: its light theme (``js/src/theme.js``) on a white page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hdnotebook.results.charts import PALETTE

if TYPE_CHECKING:
    import plotly.graph_objects as go

# theme.js's light colours: text, grid, axis lines; the widget's transparent background is white here, so that
# saved images and reports look the same on any page.
FONT = "#222222"
GRID = "#e5e5e5"
LINE = "#bdbdbd"
PAPER = "#ffffff"


def figure(traces: list[Any], layout: dict[str, Any]) -> go.Figure:
    """A ``plotly.graph_objects.Figure`` of ``traces`` with ``layout`` in the widget's colours: plotly.js's own
    defaults (no plotly.py template), the category10 colorway, theme.js's ``themed()`` axis colours."""
    import plotly.graph_objects as go

    axis = {"gridcolor": GRID, "zerolinecolor": LINE, "linecolor": LINE}
    out = {**layout, "template": "none", "colorway": list(PALETTE), "paper_bgcolor": PAPER, "plot_bgcolor": PAPER,
           "font": {**layout.get("font", {}), "color": FONT}, "legend": {"bgcolor": PAPER, **layout.get("legend", {})}}
    for key in ("xaxis", "yaxis"):
        out[key] = {**axis, **layout.get(key, {})}
    if "scene" in layout:
        out["scene"] = {**layout["scene"]}
        for key in ("xaxis", "yaxis", "zaxis"):
            out["scene"][key] = {**axis, **layout["scene"].get(key, {}), "backgroundcolor": PAPER, "showbackground": False}
    return go.Figure(data=traces, layout=out)
