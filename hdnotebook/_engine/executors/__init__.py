"""Executors start, watch and stop child runs: LocalExecutor (processes here) and DaskExecutor (processes on Dask workers).

Names are imported on first use (PEP 562): a child that imports one small module of this package (the run
handles read the process layer's platform flag from ``guard``) does not pay for asyncio and the executors.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Executor": "hdnotebook._engine.executors.base", "Outcome": "hdnotebook._engine.executors.base",
    "OutcomeStatus": "hdnotebook._engine.executors.base", "TrialHandle": "hdnotebook._engine.executors.base",
    "TrialKind": "hdnotebook._engine.executors.base", "TrialSpec": "hdnotebook._engine.executors.base",
    "LocalExecutor": "hdnotebook._engine.executors.local",
}

__all__ = ["Executor", "LocalExecutor", "Outcome", "OutcomeStatus", "TrialHandle", "TrialKind", "TrialSpec"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
