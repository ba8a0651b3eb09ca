"""``Dataset``, as ``azureml.core.dataset.Dataset``: ``Dataset.File``/``Dataset.Tabular`` make datasets,
``Dataset.get_by_name``/``get_by_id`` reopen registered ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hdnotebook.data.abstract_dataset import dataset_from_record
from hdnotebook.data.file_dataset import FileDataset
from hdnotebook.data.tabular_dataset import TabularDataset
from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook.data.abstract_dataset import AbstractDataset
    from hdnotebook.workspace import Workspace


class FileDatasetFactory:
    """``Dataset.File``: makes FileDatasets."""

    @staticmethod
    def from_files(path: Any, validate: bool = True, partition_format: str | None = None, is_file: bool = False) -> FileDataset:
        """A FileDataset of ``path``: a local file, folder or glob, an http(s) URL, a ``(Datastore, "path")``
        tuple, a DataReference, or a list of those. With ``validate`` missing local files raise at once
        (URLs are fetched only when the files are used)."""
        return FileDataset._from_paths(path, validate)


class TabularDatasetFactory:
    """``Dataset.Tabular``: makes TabularDatasets."""

    @staticmethod
    def from_delimited_files(path: Any, validate: bool = True, include_path: bool = False, infer_column_types: bool = True,
                             set_column_types: Any = None, separator: str = ",", header: Any = True,
                             partition_format: str | None = None, support_multi_line: bool = False,
                             empty_as_string: bool = False, encoding: str = "utf8") -> TabularDataset:
        """A TabularDataset of the delimited (CSV) files at ``path`` (same forms as ``from_files``), read with
        pandas: ``separator`` between fields, ``header`` whether each file's first line names the columns.
        With ``validate`` the first row is read at once. Column types are inferred by pandas;
        ``set_column_types``, ``partition_format`` and ``empty_as_string`` are accepted and ignored."""
        return TabularDataset._from_delimited(path, validate, include_path, separator, header, encoding)


def _check_workspace(workspace: Any, method: str) -> Workspace:
    from hdnotebook.workspace import Workspace

    if not isinstance(workspace, Workspace):
        raise UserErrorException(f"{method} expects workspace to be a Workspace, got {type(workspace).__name__}")
    return workspace


class Dataset:
    """Entry point: ``Dataset.File.from_files(...)``, ``Dataset.Tabular.from_delimited_files(...)``,
    ``Dataset.get_by_name(ws, name)``, ``Dataset.get_by_id(ws, id)``."""

    File = FileDatasetFactory
    Tabular = TabularDatasetFactory

    @staticmethod
    def get_by_name(workspace: Workspace, name: str, version: int | str = "latest") -> AbstractDataset:
        """The registered dataset ``name`` at ``version`` (an int, or ``"latest"``)."""
        store = _check_workspace(workspace, "get_by_name")._store
        if version != "latest" and (isinstance(version, bool) or not str(version).isdigit()):
            raise UserErrorException(f"get_by_name expects version to be a positive integer or 'latest', got {version!r}")
        record = store.get_dataset(name, None if version == "latest" else int(version))
        if record is None:
            which = "" if version == "latest" else f" (version: {version})"
            raise UserErrorException(f'Cannot find dataset registered with name "{name}"{which} in the workspace.')
        return dataset_from_record(record, workspace)

    @staticmethod
    def get_by_id(workspace: Workspace, id: str) -> AbstractDataset:
        """The registered dataset version with this id."""
        record = _check_workspace(workspace, "get_by_id")._store.get_dataset_by_id(id)
        if record is None:
            raise UserErrorException(f'Cannot find dataset with id "{id}" in the workspace.')
        return dataset_from_record(record, workspace)

    @staticmethod
    def get_all(workspace: Workspace) -> dict[str, AbstractDataset]:
        """``{name: latest version}`` of every registered dataset (same as ``workspace.datasets``)."""
        ws = _check_workspace(workspace, "get_all")
        return {r.name: dataset_from_record(r, ws) for r in ws._store.latest_datasets()}
