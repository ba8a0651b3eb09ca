"""``importances(run)``: a horizontal bar chart of a sweep's hyperparameter importances (plotly), laid out as the
dashboard's importance chart (js/src/importance.js) plus a title."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hdnotebook.analysis import param_importances
from hdnotebook.plot._theme import figure
from hdnotebook.results.charts import PALETTE
from hdnotebook.results.dataframe import primary_metric, sweep_config
from hdnotebook.results.fanova import N_TREES

if TYPE_CHECKING:
    import plotly.graph_objects as go


def importances(run: Any, seed: int = 0, n_trees: int = N_TREES, include_warm_start: bool = False) -> go.Figure:
    """A bar per hyperparameter, the most important on top, its length the share (0-100 %) of the primary
    metric's variance it explains, as ``hdnotebook.param_importances`` computes it (same arguments)."""
    shares = param_importances(run, seed=seed, n_trees=n_trees, include_warm_start=include_warm_start)
    metric, _ = primary_metric(sweep_config(run._need_store(), run.id))
    keys = list(shares)
    bar = {"type": "bar", "x": [shares[k] for k in keys], "y": keys, "orientation": "h", "marker": {"color": PALETTE[0]},
           "text": [f"{shares[k]:.1%}" for k in keys], "textposition": "auto",
           "hovertemplate": "%{y}: %{x:.1%}<extra></extra>"}
    return figure([bar], {
        "title": {"text": f"Hyperparameter importance for {metric} (fANOVA)"},
        "height": max(160, 40 + 28 * len(keys)) + 40, "margin": {"l": 10, "r": 10, "t": 50, "b": 30},
        "xaxis": {"title": {"text": "share of the variance explained"}, "tickformat": ".0%", "range": [0, 1]},
        "yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
    })
