"""Compatibility path of ``azureml.widgets``."""

from hdnotebook.widget import RunDetails

__all__ = ["RunDetails"]
