"""``azureml.core.compute_target``: the compute target base class and its exception (see :mod:`hdnotebook.compute`)."""

from __future__ import annotations

from hdnotebook.compute import ComputeTarget, ComputeTargetException

__all__ = ["ComputeTarget", "ComputeTargetException"]
