"""``Datastore``, as ``azureml.core.datastore``: a named folder under the workspace (see hdnotebook.data.datastore_folder)."""

from hdnotebook.data.datastore_folder import Datastore

__all__ = ["Datastore"]
