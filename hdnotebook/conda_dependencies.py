"""``azureml.core.conda_dependencies``: :class:`CondaDependencies` (defined in :mod:`hdnotebook.environment`)."""

from __future__ import annotations

from hdnotebook.environment import CondaDependencies

__all__ = ["CondaDependencies"]
