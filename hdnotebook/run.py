"""Compatibility path of ``azureml.core.run`` / ``azureml.train.hyperdrive.run``."""

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.runs.hyperdrive_run import HyperDriveRun
from hdnotebook.runs.run_handle import Run

__all__ = ["HyperDriveRun", "PrimaryMetricGoal", "Run"]
