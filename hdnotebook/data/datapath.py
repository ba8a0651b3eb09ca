"""``azureml.data.datapath``: ``DataPath`` (a place in a datastore) and ``DataPathComputeBinding`` (how a run
sees it). In a ScriptRunConfig's arguments, a DataPath, or a ``(DataPath, DataPathComputeBinding)`` pair,
becomes the local folder (or file) of that datastore path: the run reads it in place (``mount``) or as it
is (``download``); nothing is copied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hdnotebook.data.datastore_folder import DataReference, Datastore, relative_datastore_path
from hdnotebook.exceptions import UserErrorException

BINDING_MODES = ("mount", "download")


class DataPathComputeBinding:
    """How a run gets a DataPath: ``mode`` ``"mount"`` or ``"download"`` (both: the local path);
    ``path_on_compute`` and ``overwrite`` are recorded."""

    def __init__(self, mode: str = "mount", path_on_compute: str | None = None, overwrite: bool = False) -> None:
        if mode not in BINDING_MODES:
            raise UserErrorException(f"DataPathComputeBinding expects mode to be one of {BINDING_MODES}, got {mode!r}")
        self.mode = mode
        self.path_on_compute = path_on_compute
        self.overwrite = overwrite

    def __repr__(self) -> str:
        return f"DataPathComputeBinding(mode={self.mode!r})"


class DataPath:
    """``DataPath(datastore, path_on_datastore, name=None)``: a path inside a datastore (the datastore root when
    ``path_on_datastore`` is None); ``str()`` of it, as a script argument, is the local path."""

    def __init__(self, datastore: Datastore | None = None, path_on_datastore: str | None = None, name: str | None = None) -> None:
        if not isinstance(datastore, Datastore):
            raise UserErrorException(f"DataPath expects datastore to be a Datastore, got {type(datastore).__name__}")
        self._datastore = datastore
        self.path_on_datastore = relative_datastore_path(path_on_datastore, "path_on_datastore")
        self.name = name

    @property
    def datastore_name(self) -> str:
        """The datastore's name."""
        return self._datastore.name

    @property
    def local_path(self) -> Path:
        """The local folder or file of this path (an hdnotebook extension)."""
        return self._datastore.root / self.path_on_datastore

    def create_data_reference(self, data_reference_name: str | None = None,
                              datapath_compute_binding: DataPathComputeBinding | None = None) -> DataReference:
        """A DataReference to the same place (its ``str()`` is the same local path)."""
        return DataReference(self._datastore, self.path_on_datastore, data_reference_name)

    def __str__(self) -> str:
        return str(self.local_path)

    def __repr__(self) -> str:
        return f"DataPath(datastore={self.datastore_name!r}, path_on_datastore={self.path_on_datastore!r})"


def bound_path(value: Any) -> DataPath | None:
    """The DataPath of a ``(DataPath, DataPathComputeBinding)`` argument pair, else None."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], DataPath) \
            and isinstance(value[1], DataPathComputeBinding):
        return value[0]
    return None
