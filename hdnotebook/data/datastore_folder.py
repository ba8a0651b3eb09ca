"""Datastores: named folders under the workspace (``.hdnotebook/datastores/<name>/``), as ``azureml.core.Datastore``.

A datastore here is a plain folder: ``upload`` copies files into it, ``path`` names a place in it, and a
``(datastore, "relative/path")`` tuple or a DataReference given to ``Dataset.File.from_files`` reads from it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook.workspace import Workspace

DEFAULT_DATASTORE = "workspaceblobstore"
DATASTORES_FOLDER = "datastores"
_NAME = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def relative_datastore_path(path: str | os.PathLike[str] | None, argument: str = "path") -> str:
    """``path`` as a '/'-separated path inside a datastore ('' for its root); absolute paths and '..' are refused."""
    text = "" if path is None else os.fspath(path).replace("\\", "/").strip()
    pure = PurePosixPath(text.lstrip("/")) if text else PurePosixPath("")
    if ".." in pure.parts:
        raise UserErrorException(f"{argument} must stay inside the datastore (no '..'), got {text!r}")
    return "" if str(pure) == "." else str(pure)


class Datastore:
    """``Datastore.get(workspace, name)``; ``workspace.get_default_datastore()`` is ``workspaceblobstore``.

    Its files live in ``<workspace>/.hdnotebook/datastores/<name>/``. Azure's register_* methods, which
    attach cloud storage, are not available; ``Datastore.register_local(workspace, name)`` creates an empty one.
    """

    datastore_type = "AzureBlob"

    def __init__(self, workspace: Workspace, name: str | None = None) -> None:
        name = DEFAULT_DATASTORE if name is None else name
        if not isinstance(name, str) or not _NAME.match(name):
            raise UserErrorException(
                f"Datastore name must be 1-255 letters, digits or underscores, got {name!r}")
        self._workspace = workspace
        self._name = name

    @staticmethod
    def get(workspace: Workspace, datastore_name: str) -> Datastore:
        """The datastore named ``datastore_name``; the default one always exists, others once registered or uploaded to."""
        store = Datastore(workspace, datastore_name)
        if datastore_name != DEFAULT_DATASTORE and not store.root.is_dir():
            known = sorted(workspace.datastores)
            raise UserErrorException(f"Datastore {datastore_name!r} was not found in workspace {workspace.name!r}; "
                                     f"it has {known}")
        return store

    @staticmethod
    def get_default(workspace: Workspace) -> Datastore:
        """The workspace's default datastore (``workspaceblobstore``)."""
        return Datastore(workspace, DEFAULT_DATASTORE)

    @staticmethod
    def register_local(workspace: Workspace, datastore_name: str) -> Datastore:
        """Create (or return) an empty datastore folder named ``datastore_name`` (an hdnotebook extension)."""
        store = Datastore(workspace, datastore_name)
        store.root.mkdir(parents=True, exist_ok=True)
        return store

    @property
    def name(self) -> str:
        """The datastore's name."""
        return self._name

    @property
    def workspace(self) -> Workspace:
        """The workspace holding this datastore."""
        return self._workspace

    @property
    def root(self) -> Path:
        """The folder holding the datastore's files."""
        return self._workspace._store.folder / DATASTORES_FOLDER / self._name

    def path(self, path: str | None = None, data_reference_name: str | None = None) -> DataReference:
        """A reference to ``path`` (a file, folder or glob) inside this datastore."""
        return DataReference(self, relative_datastore_path(path), data_reference_name)

    def upload(self, src_dir: str | os.PathLike[str], target_path: str | None = None, overwrite: bool = False,
               show_progress: bool = True) -> DataReference:
        """Copy every file below the folder ``src_dir`` to ``target_path`` in the datastore.

        Files that already exist there are skipped unless ``overwrite``; ``show_progress`` prints one line per file.
        Returns a DataReference to ``target_path``.
        """
        source = Path(src_dir)
        if not source.is_dir():
            raise UserErrorException(f"upload expects src_dir to be an existing folder, got {os.fspath(src_dir)!r}")
        files = [p for p in sorted(source.rglob("*")) if p.is_file()]
        self._copy([(p, p.relative_to(source).as_posix()) for p in files], target_path, overwrite, show_progress)
        return self.path(target_path)

    def upload_files(self, files: Iterable[str | os.PathLike[str]], relative_root: str | None = None,
                     target_path: str | None = None, overwrite: bool = False, show_progress: bool = True) -> DataReference:
        """Copy the given files to ``target_path``, keeping their paths relative to ``relative_root``
        (default: each file's own folder, so only the file names are kept)."""
        pairs = []
        for file in files:
            path = Path(file).resolve()
            if not path.is_file():
                raise UserErrorException(f"upload_files expects files to be existing files, got {os.fspath(file)!r}")
            if relative_root is None:
                pairs.append((path, path.name))
            else:
                try:
                    pairs.append((path, path.relative_to(Path(relative_root).resolve()).as_posix()))
                except ValueError:
                    raise UserErrorException(f"upload_files: {os.fspath(file)!r} is not inside relative_root {relative_root!r}") from None
        self._copy(pairs, target_path, overwrite, show_progress)
        return self.path(target_path)

    def _copy(self, pairs: list[tuple[Path, str]], target_path: str | None, overwrite: bool, show_progress: bool) -> None:
        target = self.root / relative_datastore_path(target_path, "target_path")
        if show_progress:
            print(f"Uploading {len(pairs)} files")
        for number, (source, name) in enumerate(pairs, 1):
            destination = target / name
            if destination.exists() and not overwrite:
                if show_progress:
                    print(f"Target already exists. Skipping upload for {PurePosixPath(destination.relative_to(self.root))}")
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            if show_progress:
                print(f"Uploaded {source}, {number} files out of an estimated total of {len(pairs)}")
        if show_progress:
            print(f"Uploaded {len(pairs)} files")

    def __repr__(self) -> str:
        return f"Datastore(name={self._name!r}, root={str(self.root)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Datastore) and (other._workspace, other._name) == (self._workspace, self._name)

    def __hash__(self) -> int:
        return hash((self._workspace, self._name))


class DataReference:
    """A place in a datastore (``datastore.path("mnist")``); usable as ``path`` of ``Dataset.File.from_files``."""

    def __init__(self, datastore: Datastore, path_on_datastore: str, data_reference_name: str | None = None) -> None:
        self.datastore = datastore
        self.path_on_datastore = path_on_datastore
        self.data_reference_name = data_reference_name or datastore.name

    @property
    def local_path(self) -> Path:
        """The local folder or file this reference names (an hdnotebook extension)."""
        return self.datastore.root / self.path_on_datastore

    def __str__(self) -> str:
        return str(self.local_path)

    def __repr__(self) -> str:
        return f"DataReference(datastore={self.datastore.name!r}, path_on_datastore={self.path_on_datastore!r})"


def datastores_of(workspace: Workspace) -> dict[str, Any]:
    """``{name: Datastore}``: the default datastore plus every datastore folder of the workspace."""
    folder = workspace._store.folder / DATASTORES_FOLDER
    names = {DEFAULT_DATASTORE} | ({p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set())
    return {name: Datastore(workspace, name) for name in sorted(names)}
