"""Workspace: a folder holding the store (``.hdnotebook/store.sqlite``) and every run's files."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from hdnotebook._engine.store import Store
from hdnotebook.exceptions import UserErrorException

MARKER = ".hdnotebook"
LOCAL = "local"
_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def _store_for(folder: Path) -> Store:
    with _stores_lock:
        store = _stores.get(folder)
        if store is None:
            store = _stores[folder] = Store(folder)
        return store


def _azure_value(name: str, value: Any) -> str:
    if value is None:
        return LOCAL
    if not isinstance(value, str):
        raise UserErrorException(f"Workspace expects {name} to be a string, got {type(value).__name__}")
    return value


def find_root(start: Path) -> Path | None:
    """``start`` or its nearest parent that holds a workspace store (``.hdnotebook/store.sqlite``); None when none does."""
    for folder in (start, *start.parents):
        if (folder / MARKER / "store.sqlite").is_file():
            return folder
    return None


def _nearest(start: Path) -> Path:
    """``start`` or its nearest parent that holds a workspace store; ``start`` when none does."""
    return find_root(start) or start


class Workspace:
    """``Workspace(path)`` opens (or creates) the workspace rooted at ``path`` (default: here).

    The root may also be given as the ``.hdnotebook`` folder itself. Azure's keyword arguments are
    accepted: ``subscription_id``, ``resource_group`` and ``location`` (or ``_location``) are kept, as
    given, in the attributes of the same names, which are ``"local"`` when not given (always so for
    ``from_config()``); they change nothing. The rest (``workspace_name``, ``auth``...) is ignored.
    Azure's forms ``Workspace(subscription_id, resource_group, workspace_name)`` and
    ``Workspace(subscription_id=..., resource_group=..., workspace_name=...)`` (no path) open the workspace
    ``from_config()`` would (here or the nearest parent that has one) with that identity.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *azure_positional: Any, subscription_id: str | None = None,
                 resource_group: str | None = None, location: str | None = None, **azure_kwargs: Any) -> None:
        if azure_positional:  # Azure's Workspace(subscription_id, resource_group, workspace_name, ...)
            subscription_id, resource_group = _azure_value("subscription_id", path), azure_positional[0]
            path = None
        if path is None:
            path = _nearest(Path.cwd()) if subscription_id or resource_group or azure_kwargs.get("workspace_name") else "."
        root = Path(path).expanduser().resolve()
        if root.name == MARKER:
            root = root.parent
        if root.exists() and not root.is_dir():
            raise UserErrorException(f"Workspace expects path to be a folder, got the file {os.fspath(path)!r}")
        self._root = root
        self._store = _store_for(root / MARKER)
        self.subscription_id = _azure_value("subscription_id", subscription_id)
        self.resource_group = _azure_value("resource_group", resource_group)
        self.location = _azure_value("location", azure_kwargs.get("_location") if location is None else location)

    @staticmethod
    def from_config(path: str | os.PathLike[str] | None = None, auth: Any = None, _logger: Any = None,
                    _file_name: str | None = None) -> Workspace:
        """The workspace in ``path`` (default: the current folder) or the nearest parent that has one;
        when none exists, a new one in ``path``."""
        return Workspace(_nearest(Path(path).expanduser().resolve() if path is not None else Path.cwd()))

    @property
    def path(self) -> Path:
        """The workspace's root folder."""
        return self._root

    @property
    def name(self) -> str:
        """The root folder's name."""
        return self._root.name

    @property
    def compute_targets(self) -> dict[str, Any]:
        """``{name: ComputeTarget}`` for the targets created or attached in this workspace (kept in its store)."""
        from hdnotebook.compute import workspace_targets

        return workspace_targets(self)

    @property
    def experiments(self) -> dict[str, Any]:
        """``{name: Experiment}`` for every experiment in the store."""
        from hdnotebook.experiment import Experiment

        return {name: Experiment(self, name) for name in self._store.experiments()}

    @property
    def models(self) -> dict[str, Any]:
        """``{name: Model}`` with the latest version of every registered model."""
        from hdnotebook.model import Model

        return {m.name: m for m in Model.list(self, latest=True)}

    def get_run(self, run_id: str) -> Any:
        """Reopen any run of this workspace by id."""
        from hdnotebook.exceptions import HyperDriveRehydrateException
        from hdnotebook.experiment import Experiment
        from hdnotebook.runs.run_handle import Run

        record = self._store.get_run(run_id)
        if record is None:
            raise HyperDriveRehydrateException(f"No run with id {run_id!r} in workspace {self._root}")
        return Run._open(Experiment(self, record.experiment), run_id, record)

    @property
    def datasets(self) -> dict[str, Any]:
        """``{name: Dataset}``: the latest version of every dataset registered in this workspace."""
        from hdnotebook.dataset import Dataset

        return Dataset.get_all(self)

    @property
    def datastores(self) -> dict[str, Any]:
        """``{name: Datastore}``: the default ``workspaceblobstore`` and every other datastore folder."""
        from hdnotebook.data.datastore_folder import datastores_of

        return datastores_of(self)

    def get_default_datastore(self) -> Any:
        """The default Datastore (``workspaceblobstore``, the folder ``.hdnotebook/datastores/workspaceblobstore``)."""
        from hdnotebook.data.datastore_folder import Datastore

        return Datastore.get_default(self)

    def __repr__(self) -> str:
        return f"Workspace.create(name='{self.name}', path='{self._root}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Workspace) and other._root == self._root

    def __hash__(self) -> int:
        return hash(self._root)
