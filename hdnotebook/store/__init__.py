"""The SQLite store of a workspace: the single source of truth for runs, metrics and files."""

from hdnotebook.store.store import MetricRow, RunRecord, Store, numeric_values

__all__ = ["MetricRow", "RunRecord", "Store", "numeric_values"]
