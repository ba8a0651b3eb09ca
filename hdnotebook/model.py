"""``azureml.core.Model``: a registry of model files in the workspace, for notebooks that migrate unchanged.

``Run.register_model(model_name, model_path)`` and ``Model.register(workspace, model_path, model_name)``
copy a file or a folder into ``<workspace>/.hdnotebook/models/<name>/<version>/`` and record the
version (1, 2, ... per name) in the store, with its run, tags, properties and framework. A registered
model keeps its files even if the run's folder is deleted later. Deployment (``Model.deploy``,
``InferenceConfig``, web services) is not provided.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook._engine.store.rows import ModelRecord, tag_text
from hdnotebook.exceptions import UserErrorException, WebserviceException
from hdnotebook.names import check_name

if TYPE_CHECKING:
    from hdnotebook.runs.run_handle import Run
    from hdnotebook.workspace import Workspace

MODELS_FOLDER = "models"


def check_model_name(name: Any) -> str:
    """``name`` if it is a valid model name, else UserErrorException stating the rule."""
    return check_name(name, "model_name", punctuation="-_.")


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def _texts(values: dict[str, Any] | None) -> dict[str, str | None]:
    """Tags and properties are stored as text, as in Azure."""
    return {str(k): tag_text(v) for k, v in (values or {}).items()}


def _matches(values: dict[str, Any], wanted: Any) -> bool:
    """Azure's tag/property filters: ``{"k": "v"}``, or a list of ``"k"`` and ``["k", "v"]`` items."""
    if not wanted:
        return True
    items = wanted.items() if isinstance(wanted, dict) else wanted
    for item in items:
        if isinstance(item, str):
            if item not in values:
                return False
        else:
            key, value = item
            if values.get(key) != value:
                return False
    return True


class Model:
    """A registered model version: ``Model(workspace, name)`` is the latest version, ``version=`` a given one.

    Also found by ``id="name:version"``; ``tags``, ``properties``, ``run_id`` and ``model_framework``
    narrow the search. Raises WebserviceException (``ModelNotFound``) when nothing matches.
    """

    def __init__(self, workspace: Workspace, name: str | None = None, id: str | None = None, tags: Any = None,
                 properties: Any = None, version: int | None = None, run_id: str | None = None,
                 model_framework: str | None = None, expand: bool = True, sdk_version: str | None = None,
                 _record: ModelRecord | None = None) -> None:
        self.workspace = workspace
        if _record is None:
            _record = self._find(workspace, name, id, tags, properties, version, run_id, model_framework)
        self._record = _record

    @staticmethod
    def _find(workspace: Workspace, name: str | None, id: str | None, tags: Any, properties: Any,
              version: int | None, run_id: str | None, framework: str | None) -> ModelRecord:
        if id is not None:
            name, _, number = str(id).partition(":")
            if number and not number.isdigit():
                raise UserErrorException(f"Model expects id to be 'name' or 'name:version' with a whole version number, got {id!r}")
            version = int(number) if number else version
        if name is None:
            raise WebserviceException("Model expects name or id to be given", error_code="ModelNotFound")
        candidates = [r for r in workspace._store.list_models(name=name, run_id=run_id)
                      if (version is None or r.version == int(version)) and (framework is None or r.framework == framework)
                      and _matches(r.tags, tags) and _matches(r.properties, properties)]
        if not candidates:
            which = f"{name}:{version}" if version is not None else name
            raise WebserviceException(f"ModelNotFound: Model with name {which} not found in provided workspace",
                                      error_code="ModelNotFound")
        return max(candidates, key=lambda r: r.version)

    # registering ------------------------------------------------------------------------------

    @staticmethod
    def register(workspace: Workspace, model_path: str | os.PathLike[str], model_name: str, tags: dict[str, Any] | None = None,
                 properties: dict[str, Any] | None = None, description: str | None = None, datasets: Any = None,
                 model_framework: str | None = None, model_framework_version: str | None = None,
                 child_paths: Iterable[str] | None = None, sample_input_dataset: Any = None,
                 sample_output_dataset: Any = None, resource_configuration: Any = None, **kwargs: Any) -> Model:
        """Register the local file or folder ``model_path`` as the next version of ``model_name``.

        ``child_paths`` (relative to a folder ``model_path``) keeps only those files.
        """
        source = Path(model_path)
        if not source.exists():
            raise UserErrorException(f"Model.register expects model_path to be an existing file or folder, got {os.fspath(model_path)!r}")
        if child_paths is not None:
            bad = [p for p in child_paths if Path(p).is_absolute() or ".." in Path(p).parts]
            if bad:
                raise UserErrorException(f"Model.register expects child_paths to be relative paths inside model_path, got {bad}")
        picks = [source / p for p in child_paths] if child_paths is not None else [source]
        missing = [str(p) for p in picks if not p.exists()]
        if missing:
            raise UserErrorException(f"Model.register expects child_paths to exist below model_path; missing: {missing}")

        def copy(target: Path) -> None:
            for pick in picks:
                _copy(pick, target / pick.relative_to(source) if child_paths is not None else target)

        return Model._add(workspace, check_model_name(model_name), source.name, copy, None, None, description,
                          model_framework, model_framework_version, tags, properties)

    @staticmethod
    def _register_run_files(run: Run, model_name: str, model_path: str, tags: dict[str, Any] | None,
                            properties: dict[str, Any] | None, description: str | None, framework: str | None,
                            framework_version: str | None) -> Model:
        """Run.register_model: ``model_path`` is a file of the run or a folder of its files, read from the
        run's folder (inside the child itself: the folder it writes to, so files it has just written count)."""
        from hdnotebook._engine import channel
        from hdnotebook.exceptions import ModelPathNotFoundException

        record = run._record()
        assert record is not None
        own = os.environ.get(channel.ENV_RUN_ID) == run.id and os.environ.get(channel.ENV_RUN_DIR)
        source = Path(own or record.run_dir) / model_path.strip("/")
        if not model_path.strip("/") or ".." in Path(model_path).parts or not source.exists():
            raise ModelPathNotFoundException(
                f"Could not locate the provided model_path {model_path} in the set of files uploaded to the run: "
                f"{run.get_file_names()}\nSee https://aka.ms/run-logging for more details.")
        return Model._add(run.experiment.workspace, check_model_name(model_name), source.name,
                          lambda target: _copy(source, target), run.id, record.experiment, description, framework,
                          framework_version, tags, properties)

    @staticmethod
    def _add(workspace: Workspace, name: str, base: str, copy: Any, run_id: str | None, experiment: str | None,
             description: str | None, framework: str | None, framework_version: str | None,
             tags: dict[str, Any] | None, properties: dict[str, Any] | None) -> Model:
        """Copy the files into a staging folder first, then, in the store's write transaction, only rename it
        to ``models/<name>/<version>/`` (so other writers never wait for a copy)."""
        store = workspace._store
        parent = store.folder / MODELS_FOLDER / name
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
        try:
            copy(staging / base)

            def place(version: int) -> str:
                target = parent / str(version)
                if target.exists():  # left by a registration whose transaction did not commit
                    shutil.rmtree(target)
                os.rename(staging, target)
                return (Path(MODELS_FOLDER) / name / str(version) / base).as_posix()

            record = store.add_model(name, place, run_id=run_id, experiment=experiment, description=description,
                                     framework=framework, framework_version=framework_version,
                                     tags=_texts(tags), properties=_texts(properties))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return Model(workspace, _record=record)

    # finding ----------------------------------------------------------------------------------

    @staticmethod
    def list(workspace: Workspace, name: str | None = None, tags: Any = None, properties: Any = None,
             run_id: str | None = None, latest: bool = False, dataset_id: str | None = None, expand: bool = True,
             page_count: int = 255, model_framework: str | None = None, **kwargs: Any) -> list[Model]:
        """Registered model versions (newest first), filtered like the constructor; ``latest`` keeps one per
        name. ``dataset_id`` matches nothing here (models record no datasets)."""
        records = [r for r in workspace._store.list_models(name=name, run_id=run_id)
                   if _matches(r.tags, tags) and _matches(r.properties, properties)
                   and (model_framework is None or r.framework == model_framework) and dataset_id is None]
        if latest:
            newest: dict[str, ModelRecord] = {}
            for r in records:
                if r.name not in newest or r.version > newest[r.name].version:
                    newest[r.name] = r
            records = [r for r in records if newest[r.name] is r]
        return [Model(workspace, _record=r) for r in records]

    @staticmethod
    def get_model_path(model_name: str, version: int | None = None, _workspace: Workspace | None = None) -> str:
        """The path of a registered model's file or folder in the workspace (``Workspace.from_config()`` by default)."""
        from hdnotebook.workspace import Workspace

        return str(Model(_workspace or Workspace.from_config(), model_name, version=version)._path)

    # reading ----------------------------------------------------------------------------------

    @property
    def _path(self) -> Path:
        return self.workspace._store.folder / self._record.path

    @property
    def name(self) -> str:
        """The model's name."""
        return self._record.name

    @property
    def version(self) -> int:
        """The version number, 1 for the first registration of a name."""
        return self._record.version

    @property
    def id(self) -> str:
        """``"name:version"``."""
        return f"{self.name}:{self.version}"

    @property
    def description(self) -> str | None:
        """The description given at registration (or by ``update``)."""
        return self._record.description

    @property
    def tags(self) -> dict[str, str]:
        """Tags (values are strings)."""
        return dict(self._record.tags)

    @property
    def properties(self) -> dict[str, str]:
        """Properties (values are strings; they can be added, not changed)."""
        return dict(self._record.properties)

    @property
    def created_time(self) -> _dt.datetime:
        """When this version was registered (UTC)."""
        return _dt.datetime.fromtimestamp(self._record.created_time, tz=_dt.timezone.utc)

    @property
    def run_id(self) -> str | None:
        """The run whose files were registered, or None for ``Model.register``."""
        return self._record.run_id

    @property
    def run(self) -> Run | None:
        """The run whose files were registered, or None."""
        return self.workspace.get_run(self.run_id) if self.run_id else None

    @property
    def experiment_name(self) -> str | None:
        """The experiment of that run, or None."""
        return self._record.experiment

    @property
    def model_framework(self) -> str | None:
        """The framework given at registration (e.g. "ScikitLearn"), or None."""
        return self._record.framework

    @property
    def model_framework_version(self) -> str | None:
        """The framework version given at registration, or None."""
        return self._record.framework_version

    @property
    def url(self) -> str:
        """A ``file://`` URL of the registered file or folder."""
        return self._path.as_uri()

    def download(self, target_dir: str | os.PathLike[str] = ".", exist_ok: bool = False, exists_ok: bool | None = None) -> str:
        """Copy the model's file or folder into ``target_dir``; returns the copy's path.

        An existing copy raises WebserviceException unless ``exist_ok`` (or Azure's older ``exists_ok``).
        """
        overwrite = exist_ok if exists_ok is None else exists_ok
        target = Path(target_dir) / self._path.name
        if target.exists():
            if not overwrite:
                raise WebserviceException(f"File {target} already exists. To overwrite, set exist_ok to True.")
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        _copy(self._path, target)
        return str(target)

    # changing ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        record = self.workspace._store.get_model(self.name, self.version)
        if record is None:
            raise WebserviceException(f"ModelNotFound: Model with name {self.id} not found in provided workspace",
                                      error_code="ModelNotFound")
        self._record = record

    def add_tags(self, tags: dict[str, Any]) -> None:
        """Add or replace tags."""
        self._refresh()
        self.workspace._store.update_model(self.name, self.version, tags={**self.tags, **_texts(tags)})
        self._refresh()

    def remove_tags(self, tags: Iterable[str]) -> None:
        """Remove the tags with these keys (absent keys are ignored)."""
        self._refresh()
        drop = set(tags)
        self.workspace._store.update_model(self.name, self.version, tags={k: v for k, v in self.tags.items() if k not in drop})
        self._refresh()

    def add_properties(self, properties: dict[str, Any]) -> None:
        """Add properties; an existing key keeps its value (properties are immutable, as in Azure)."""
        self._refresh()
        self.workspace._store.update_model(self.name, self.version,
                                           properties={**_texts(properties), **self.properties})
        self._refresh()

    def update(self, tags: dict[str, Any] | None = None, description: str | None = None, **kwargs: Any) -> None:
        """Replace the tags and/or the description."""
        self.workspace._store.update_model(self.name, self.version, description=description,
                                           tags=_texts(tags) if tags is not None else None)
        self._refresh()

    def delete(self) -> None:
        """Unregister this version and remove its files."""
        self.workspace._store.delete_model(self.name, self.version)
        shutil.rmtree(self._path.parent, ignore_errors=True)

    def serialize(self) -> dict[str, Any]:
        """The model as Azure's JSON keys."""
        return {"id": self.id, "name": self.name, "version": self.version, "description": self.description,
                "tags": self.tags, "properties": self.properties, "createdTime": self.created_time.isoformat(),
                "runId": self.run_id, "experimentName": self.experiment_name, "framework": self.model_framework,
                "frameworkVersion": self.model_framework_version, "url": self.url}

    def __repr__(self) -> str:
        return (f"Model(workspace={self.workspace!r}, name={self.name}, id={self.id}, version={self.version}, "
                f"tags={self.tags}, properties={self.properties})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and other.workspace == self.workspace and other.id == self.id

    def __hash__(self) -> int:
        return hash((self.workspace, self.id))
