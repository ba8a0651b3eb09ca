"""The file methods of Run: files a run produced or uploaded live in its folder and are listed in the store."""

from __future__ import annotations

import os

from hdnotebook._engine import channel
from hdnotebook.exceptions import UserErrorException

TYPE_CHECKING = False  # a child imports this module (a base of Run): shutil, zipfile, pathlib, names are imported where used
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from hdnotebook._engine.store import RunRecord, Store
    from hdnotebook.model import Model
    from hdnotebook.runs.logging import EventSink


class RunFiles:
    """Mixin: needs ``self._id``, ``self._store``, ``self._cached``, ``self._sink`` and ``self._record()``."""

    _id: str
    _store: Store | None
    _cached: RunRecord | None
    _sink: EventSink

    def _record(self) -> RunRecord | None:
        raise NotImplementedError

    def _need_store(self) -> Store:
        raise NotImplementedError

    # files --------------------------------------------------------------------------------

    def _files_dir(self) -> Path | None:
        from pathlib import Path

        if self._cached is not None:
            return Path(self._cached.run_dir)
        env_dir = os.environ.get(channel.ENV_RUN_DIR)
        return Path(env_dir) if env_dir and os.environ.get(channel.ENV_RUN_ID) == self._id else None

    def get_file_names(self) -> list[str]:
        """Names of the run's files (``outputs/...``, logs, images), '/'-separated, sorted."""
        return self._store.file_names(self._id) if self._store else []

    def _file_path(self, name: str) -> Path:
        from pathlib import Path

        rec = self._record()
        if rec is None or name not in self._store.file_names(self._id):  # type: ignore[union-attr]
            raise UserErrorException(f"Run {self._id} has no file named {name!r}; see get_file_names()")
        return Path(rec.run_dir) / name

    def download_file(self, name: str, output_file_path: str | os.PathLike[str] | None = None,
                      _validate_checksum: bool = False) -> None:
        """Copy one of the run's files to ``output_file_path`` (a file or folder; default: its base name here)."""
        import shutil
        from pathlib import Path

        source = self._file_path(name)
        target = Path(output_file_path) if output_file_path is not None else Path(Path(name).name)
        if target.is_dir():
            target = target / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def download_files(self, prefix: str | None = None, output_directory: str | os.PathLike[str] | None = None,
                       output_paths: list[str] | None = None, batch_size: int = 100, append_prefix: bool = True,
                       timeout_seconds: int | None = None) -> None:
        """Copy every file whose name starts with ``prefix`` under ``output_directory`` (default: here)."""
        import shutil
        from pathlib import Path

        base = Path(output_directory) if output_directory is not None else Path.cwd()
        for name in self.get_file_names():
            if prefix and not name.startswith(prefix):
                continue
            relative = name if append_prefix or not prefix else name[len(prefix):].lstrip("/")
            target = base / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self._file_path(name), target)

    def upload_file(self, name: str, path_or_stream: Any, datastore_name: Any = None) -> None:
        """Keep a copy of a file (or a binary stream) with the run under ``name``, a relative file name that may have
        subfolders (``outputs/model.pkl``); ``..``, absolute names and backslashes are refused before anything is written."""
        import shutil
        from pathlib import Path

        from hdnotebook.names import check_relative_path, path_inside

        check_relative_path(name, "upload_file name")
        folder = self._files_dir()
        if folder is None:
            print(f"Attempted to upload file {name}")
            return
        target = path_inside(folder, name, "upload_file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        if hasattr(path_or_stream, "read"):
            with open(target, "wb") as f:
                shutil.copyfileobj(path_or_stream, f)
        else:
            if not Path(path_or_stream).is_file():
                raise UserErrorException(f"upload_file expects path_or_stream to be an existing file, got {path_or_stream!r}")
            if Path(path_or_stream).resolve() != target.resolve():
                shutil.copyfile(path_or_stream, target)
        self._sink.send({"op": "files", "run": self._id, "files": [[name, target.stat().st_size]]})

    def upload_folder(self, name: str, path: str | os.PathLike[str], datastore_name: Any = None) -> None:
        """Keep a copy of every file below ``path`` under ``name/``."""
        from pathlib import Path

        from hdnotebook.names import check_relative_path

        check_relative_path(name.rstrip("/") if isinstance(name, str) else name, "upload_folder name")
        root = Path(path)
        if not root.is_dir():
            raise UserErrorException(f"upload_folder expects path to be a folder, got {os.fspath(path)!r}")
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            self.upload_file(f"{name.rstrip('/')}/{file.relative_to(root).as_posix()}", file)

    # models -----------------------------------------------------------------------------------

    def restore_snapshot(self, snapshot_id: str | None = None, path: str | os.PathLike[str] | None = None) -> str:
        """Write the run's source snapshot (the files copied from ``source_directory`` when it started) to a ZIP
        file and return its path, as Azure does: ``path`` ending in ``.zip`` is the file, else the folder
        (default: the current one) that gets ``<snapshot_id or run id>.zip``. A run without a snapshot (not a
        script run) raises UserErrorException."""
        import json
        import zipfile
        from pathlib import Path

        from hdnotebook._engine.specs import SNAPSHOT_MANIFEST

        folder = self._files_dir()
        manifest = folder / SNAPSHOT_MANIFEST if folder is not None else None
        if manifest is None or not manifest.is_file():
            raise UserErrorException(f"restore_snapshot: run {self._id} has no source snapshot (only script runs have one)")
        target = Path(path) if path is not None else Path.cwd()
        if target.suffix.lower() != ".zip":
            target = target / f"{snapshot_id or self._id}.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in json.loads(manifest.read_text()):
                archive.write(folder / name, name)
        return str(target)

    def register_model(self, model_name: str, model_path: str | None = None, tags: dict[str, Any] | None = None,
                       properties: dict[str, Any] | None = None, model_framework: str | None = None,
                       model_framework_version: str | None = None, description: str | None = None, datasets: Any = None,
                       sample_input_dataset: Any = None, sample_output_dataset: Any = None,
                       resource_configuration: Any = None, **kwargs: Any) -> Model:
        """Register one of this run's files, or a folder of them (``model_path``, default ``model_name``), as
        the next version of model ``model_name``; see hdnotebook.model. A path that is not among
        ``get_file_names()`` raises ModelPathNotFoundException listing the run's files."""
        from hdnotebook.model import Model

        self._need_store()
        return Model._register_run_files(self, model_name, model_path if model_path is not None else model_name, tags,
                                         properties, description, model_framework, model_framework_version)
