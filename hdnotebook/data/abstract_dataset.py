"""What every dataset shares: its definition, its workspace, and registration in the store.

A dataset is a definition (JSON: where its files come from and how to read them). Registering it
stores that definition under a name, as version 1, 2, ... in the workspace store's ``datasets`` table.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook._engine.store.dataset_queries import SAVED_PREFIX
from hdnotebook.data.cache import CACHE_FOLDER
from hdnotebook.data.sources import DataFile, list_files
from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook._engine.store.rows import DatasetRecord
    from hdnotebook.workspace import Workspace


def _check_tags(tags: Any) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise UserErrorException(f"tags must be a dict of strings, got {type(tags).__name__}")
    return {str(k): str(v) for k, v in tags.items()}


def _registered(field: str, doc: str) -> Any:
    """A read-only property showing one field of the dataset's registration (None when unregistered; a
    saved dataset has an id but no name or version)."""

    def get(self: AbstractDataset) -> Any:
        if self._registration is None or (field != "id" and self._registration.name.startswith(SAVED_PREFIX)):
            return None
        return getattr(self._registration, field)

    return property(get, doc=doc)


class AbstractDataset:
    """Base of FileDataset and TabularDataset; use ``Dataset.File``/``Dataset.Tabular`` to make one."""

    _kind = "abstract"

    def __init__(self, definition: dict[str, Any], workspace: Workspace | None = None,
                 registration: DatasetRecord | None = None) -> None:
        self._definition = definition
        self._workspace = workspace
        self._registration = registration

    # identity --------------------------------------------------------------------------------

    name = _registered("name", "The registered name (None before ``register``).")
    version = _registered("version", "The registered version, 1, 2, ... (None before ``register``).")
    id = _registered("id", "The registered version's id (None before ``register``).")
    description = _registered("description", "The description given at registration (None before ``register``).")

    @property
    def tags(self) -> dict[str, str]:
        """The tags given at registration."""
        return dict(self._registration.tags) if self._registration else {}

    @property
    def workspace(self) -> Workspace | None:
        """The workspace it is registered in (or whose datastore it reads), else None."""
        return self._workspace

    def __repr__(self) -> str:
        head = f"name={self.name!r}, version={self.version}, " if self._registration else ""
        return f"{type(self).__name__}({head}sources={self._definition['sources']!r})"

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other._definition == self._definition  # type: ignore[attr-defined]
                and other.id == self.id)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    # files -----------------------------------------------------------------------------------

    def _workspace_or_default(self, workspace: Workspace | None = None) -> Workspace:
        if workspace is not None:
            return workspace
        if self._workspace is not None:
            return self._workspace
        from hdnotebook.workspace import Workspace

        return Workspace.from_config()

    def _cache_root(self, workspace: Workspace | None = None) -> Path:
        return self._workspace_or_default(workspace)._store.folder / CACHE_FOLDER

    def _files(self, workspace: Workspace | None = None) -> list[DataFile]:
        return list_files(self._definition["sources"], self._workspace or workspace)

    # registration ----------------------------------------------------------------------------

    def register(self, workspace: Workspace, name: str, description: str | None = None, tags: dict[str, str] | None = None,
                 create_new_version: bool = False) -> AbstractDataset:
        """Register this definition as ``name`` in the workspace store and return the registered dataset.

        A new name becomes version 1. For a name that exists: the same definition as its latest version
        returns that version (no new one is made); another definition becomes the next version with
        ``create_new_version=True`` and raises UserErrorException without it.
        """
        from hdnotebook.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise UserErrorException(f"register expects workspace to be a Workspace, got {type(workspace).__name__}")
        if not isinstance(name, str) or not name.strip():
            raise UserErrorException(f"register expects name to be a non-empty string, got {name!r}")
        record = workspace._store.add_dataset_version(uuid.uuid4().hex, name, self._kind, self._definition, description,
                                                      _check_tags(tags), create_new_version)
        if record is None:
            raise UserErrorException(
                f'There is already a dataset registered under name "{name}". Specify `create_new_version=True` to '
                "register the dataset as a new version.")
        return type(self)(record.definition, workspace, record)

    def _saved(self, workspace: Workspace) -> AbstractDataset:
        """This dataset if registered, else the same definition saved in the store without a name (as Azure saves a
        dataset a run consumes): it gets an id that ``Dataset.get_by_id`` finds; saving the same definition again
        gives the same id. Saved datasets are not listed in ``workspace.datasets``."""
        if self.id is not None:
            return self
        digest = hashlib.sha256(json.dumps([self._kind, self._definition], sort_keys=True).encode()).hexdigest()[:32]
        record = workspace._store.add_dataset_version(uuid.uuid4().hex, SAVED_PREFIX + digest, self._kind, self._definition,
                                                      None, {}, False)
        assert record is not None  # the name is the definition's digest: an existing one has this definition
        return type(self)(record.definition, workspace, record)

    def _to_json(self, workspace: Workspace | None = None) -> dict[str, Any]:
        """What a child needs to rebuild this dataset (see ``dataset_from_json``)."""
        ws = self._workspace or workspace
        return {"kind": self._kind, "definition": self._definition, "workspace": str(ws.path) if ws else None,
                "id": self.id}


def dataset_from_record(record: DatasetRecord, workspace: Workspace) -> AbstractDataset:
    """The dataset object of a registered version."""
    from hdnotebook.data.file_dataset import FileDataset
    from hdnotebook.data.tabular_dataset import TabularDataset

    cls = FileDataset if record.kind == FileDataset._kind else TabularDataset
    return cls(record.definition, workspace, record)


def dataset_from_json(data: dict[str, Any]) -> AbstractDataset:
    """Rebuild a dataset from ``_to_json`` (registered when its workspace store is here and holds it)."""
    from hdnotebook.data.file_dataset import FileDataset
    from hdnotebook.data.tabular_dataset import TabularDataset
    from hdnotebook.workspace import MARKER, Workspace

    workspace = None
    if data.get("workspace") and (Path(data["workspace"]) / MARKER / "store.sqlite").is_file():
        workspace = Workspace(data["workspace"])
        record = workspace._store.get_dataset_by_id(data["id"]) if data.get("id") else None
        if record is not None:
            return dataset_from_record(record, workspace)
    cls = FileDataset if data["kind"] == FileDataset._kind else TabularDataset
    return cls(data["definition"], workspace)
