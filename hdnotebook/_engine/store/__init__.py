"""The SQLite store of a workspace: the single source of truth for runs, metrics and files."""

from hdnotebook._engine.store.rows import MetricRow, RunRecord, numeric_values
from hdnotebook._engine.store.store import Store

__all__ = ["MetricRow", "RunRecord", "Store", "numeric_values"]
