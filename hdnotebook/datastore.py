"""``Datastore``, as ``azureml.core.datastore``: a named folder under the workspace (see hdnotebook.data.datastore)."""

from hdnotebook.data.datastore import Datastore

__all__ = ["Datastore"]
