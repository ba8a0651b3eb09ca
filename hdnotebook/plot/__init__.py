"""Plotly figures of a sweep that look like the RunDetails widget's charts (same colours, log axes for
log-scale hyperparameters, choices as ticks, the policy's cutoff), to save, customise and show in static
reports: ``curves``, ``parallel_coordinates``, ``scatter``, ``history``, ``importances``. Each takes a HyperDriveRun
and returns a ``plotly.graph_objects.Figure``; plotly is imported when a figure is made."""

from __future__ import annotations

from hdnotebook.plot.importances import importances
from hdnotebook.plot.lines import curves, history
from hdnotebook.plot.params import parallel_coordinates, scatter

__all__ = ["curves", "history", "importances", "parallel_coordinates", "scatter"]
