"""FileDataset: a set of files (local, http(s) or in a datastore), as ``azureml.data.FileDataset``."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook.data.abstract_dataset import AbstractDataset
from hdnotebook.data.cache import copy_files, materialize
from hdnotebook.data.consumption import DatasetConsumptionConfig
from hdnotebook.data.sources import list_files, parse_paths
from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook.workspace import Workspace


class MountContext:
    """What ``FileDataset.mount()`` returns: ``mount_point`` is a local folder holding the files
    (nothing is mounted); ``start()``/``stop()`` and ``with`` are accepted for compatibility."""

    def __init__(self, mount_point: str) -> None:
        self.mount_point = mount_point

    def start(self) -> None:
        """Nothing to do: the files are already in ``mount_point``."""

    def stop(self) -> None:
        """Nothing to do: the folder stays (a cache folder is reused by later calls)."""

    def __enter__(self) -> MountContext:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class FileDataset(AbstractDataset):
    """Files to read in a run; make one with ``Dataset.File.from_files(path=...)``."""

    _kind = "file"

    @staticmethod
    def _from_paths(path: Any, validate: bool = True) -> FileDataset:
        sources, workspace = parse_paths(path)
        dataset = FileDataset({"sources": sources}, workspace)
        if validate:
            list_files(sources, workspace)
        return dataset

    def to_path(self) -> list[str]:
        """The files' paths relative to the dataset's root, each starting with '/', as downloads place them.

        The root is the deepest folder holding every source: a folder source's files keep their paths
        inside it; a single file or URL shows as ``/<file name>``.
        """
        return ["/" + f.relative for f in self._files()]

    def _materialize(self, workspace: Workspace | None = None) -> Path:
        files = list_files(self._definition["sources"], self._workspace or workspace)
        return materialize(files, self._cache_root(workspace))

    def download(self, target_path: str | os.PathLike[str] | None = None, overwrite: bool = False,
                 ignore_not_found: bool = False) -> list[str]:
        """Copy the files to ``target_path`` (default: a new temporary folder) at their ``to_path()`` places
        and return the local paths written. URLs are fetched once into the workspace cache. An existing file
        raises UserErrorException unless ``overwrite``."""
        target = Path(tempfile.mkdtemp(prefix="hdnotebook-dataset-")) if target_path is None else Path(target_path)
        target.mkdir(parents=True, exist_ok=True)
        return copy_files(self._files(), target.resolve(), self._cache_root(), overwrite=overwrite)

    def mount(self, mount_point: str | os.PathLike[str] | None = None, **kwargs: Any) -> MountContext:
        """A MountContext whose ``mount_point`` holds the files: the workspace's cache folder of this dataset,
        or a copy in ``mount_point`` when given (use ``with dataset.mount() as context: context.mount_point``)."""
        if mount_point is None:
            return MountContext(str(self._materialize()))
        target = Path(mount_point)
        if target.exists() and any(target.iterdir()):
            raise UserErrorException(f"mount expects mount_point to be an empty or new folder, got {os.fspath(mount_point)!r}")
        shutil.copytree(self._materialize(), target, dirs_exist_ok=True)
        return MountContext(str(target.resolve()))

    def as_named_input(self, name: str) -> DatasetConsumptionConfig:
        """This dataset as the run input ``name`` (``run.input_datasets[name]``); chain ``.as_mount()``/``.as_download()``."""
        return DatasetConsumptionConfig(name, self)

    def as_mount(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        """This dataset as a run input given as a local folder (named ``input_<id>``; see DatasetConsumptionConfig)."""
        return self.as_named_input(self._input_name()).as_mount(path_on_compute)

    def as_download(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        """This dataset as a run input given as a local folder holding a copy of the files."""
        return self.as_named_input(self._input_name()).as_download(path_on_compute)

    def _input_name(self) -> str:
        return f"input_{(self.id or uuid.uuid4().hex)[:8]}"
