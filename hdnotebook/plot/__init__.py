"""Plotly figures of a sweep's results, for static reports and customisation outside the widget."""

from hdnotebook.plot.importances import importances

__all__ = ["importances"]
