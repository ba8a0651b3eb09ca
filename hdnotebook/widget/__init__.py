"""The RunDetails view (compatibility path of ``azureml.widgets``)."""

from hdnotebook.widget.run_details import RunDetails

__all__ = ["RunDetails"]
