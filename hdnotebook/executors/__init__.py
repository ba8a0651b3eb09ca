"""Executors start, watch and stop child runs (local processes now; Dask later, same interface)."""

from hdnotebook.executors.base import Executor, Outcome, OutcomeStatus, TrialHandle, TrialKind, TrialSpec
from hdnotebook.executors.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor", "Outcome", "OutcomeStatus", "TrialHandle", "TrialKind", "TrialSpec"]
