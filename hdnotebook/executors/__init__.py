"""Executors start, watch and stop child runs: LocalExecutor (processes here) and DaskExecutor (processes on Dask workers)."""

from hdnotebook.executors.base import Executor, Outcome, OutcomeStatus, TrialHandle, TrialKind, TrialSpec
from hdnotebook.executors.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor", "Outcome", "OutcomeStatus", "TrialHandle", "TrialKind", "TrialSpec"]
