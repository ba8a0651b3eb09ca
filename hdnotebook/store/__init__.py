"""The SQLite store of a workspace: the single source of truth for runs, metrics and files."""

from hdnotebook.store.rows import MetricRow, RunRecord, numeric_values
from hdnotebook.store.store import Store

__all__ = ["MetricRow", "RunRecord", "Store", "numeric_values"]
