"""How a run consumes a dataset: ``DatasetConsumptionConfig`` (``as_named_input``, ``as_mount``, ``as_download``).

Here both ``as_mount()`` and ``as_download()`` give the child a local folder: the dataset's files,
materialised once into the workspace cache when the run is submitted (every child of a sweep gets the
same folder; treat it as read-only). Nothing is mounted. ``path_on_compute`` is accepted and ignored.
A FileDataset used in ``direct`` mode in arguments is also passed as that folder; a TabularDataset in
``direct`` mode is passed as its id (``Dataset.get_by_id``; an unregistered one is saved without a name at
submit, as Azure does), and ``run.input_datasets[name]`` gives the TabularDataset itself.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import TYPE_CHECKING, Any

from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook.data.abstract_dataset import AbstractDataset
    from hdnotebook.workspace import Workspace

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MODES = ("direct", "mount", "download")


class DatasetConsumptionConfig:
    """A dataset as an input of a run: ``name`` is its key in ``run.input_datasets``; ``mode`` is
    ``direct``, ``mount`` or ``download``."""

    def __init__(self, name: str, dataset: AbstractDataset, mode: str = "direct", path_on_compute: str | None = None) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise UserErrorException(
                f"as_named_input expects name to start with a letter or '_' and hold only letters, digits and '_', got {name!r}")
        if mode not in MODES:
            raise UserErrorException(f"DatasetConsumptionConfig expects mode to be one of {MODES}, got {mode!r}")
        self.name = name
        self.dataset = dataset
        self.mode = mode
        self.path_on_compute = path_on_compute

    def as_mount(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        """The same input, given to the run as a local folder (see the module notes: nothing is mounted)."""
        return self._with_mode("mount", path_on_compute)

    def as_download(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        """The same input, given to the run as a local folder holding a copy of the files."""
        return self._with_mode("download", path_on_compute)

    def _with_mode(self, mode: str, path_on_compute: str | None) -> DatasetConsumptionConfig:
        from hdnotebook.data.file_dataset import FileDataset

        if not isinstance(self.dataset, FileDataset):
            raise UserErrorException(f"{mode} is only supported for FileDataset, got {type(self.dataset).__name__}")
        return DatasetConsumptionConfig(self.name, self.dataset, mode, path_on_compute)

    def __repr__(self) -> str:
        return f"DatasetConsumptionConfig(name={self.name!r}, mode={self.mode!r}, dataset={self.dataset!r})"

    def __str__(self) -> str:
        return f"DatasetConsumptionConfig:{self.name}"

    def resolve(self, workspace: Workspace) -> tuple[str, dict[str, Any]]:
        """(the command-line word, the ``input_datasets`` entry) for a run of ``workspace``."""
        from hdnotebook.data.file_dataset import FileDataset

        if isinstance(self.dataset, FileDataset):
            folder = str(self.dataset._materialize(workspace))
            return folder, {"path": folder}
        saved = self.dataset._saved(workspace)  # an unregistered one is saved, as Azure does
        return saved.id, {"dataset": saved._to_json(workspace)}


def _resolve_value(value: Any, workspace: Workspace, inputs: dict[str, Any]) -> Any:
    from hdnotebook.data.datapath import bound_path

    bound = bound_path(value)
    if bound is not None:
        return str(bound.local_path)
    if isinstance(value, DatasetConsumptionConfig):
        word, entry = value.resolve(workspace)
        inputs[value.name] = entry
        return word
    return value


def dataset_inputs(run_config: Any) -> list[DatasetConsumptionConfig]:
    """The DatasetConsumptionConfigs in a ScriptRunConfig's arguments or a functools.partial's arguments."""
    from hdnotebook.script_run_config import ScriptRunConfig

    if isinstance(run_config, ScriptRunConfig):
        values = list(run_config.arguments)
    elif isinstance(run_config, functools.partial):
        values = [*run_config.args, *run_config.keywords.values()]
    else:
        values = []
    return [v for v in values if isinstance(v, DatasetConsumptionConfig)]


def resolve_run_config(run_config: Any, workspace: Workspace) -> tuple[Any, dict[str, Any]]:
    """Replace every DatasetConsumptionConfig in a ScriptRunConfig's ``arguments`` (or a functools.partial's
    arguments) by the local folder (or id) the child gets; returns (the run config, ``{name: entry}``).

    The run config is returned unchanged when it holds no dataset; otherwise it is a copy.
    """
    from hdnotebook.data.datapath import bound_path
    from hdnotebook.script_run_config import ScriptRunConfig

    inputs: dict[str, Any] = {}
    values = list(run_config.arguments) if isinstance(run_config, ScriptRunConfig) else []
    if not dataset_inputs(run_config) and not any(bound_path(v) is not None for v in values):
        return run_config, inputs
    if isinstance(run_config, ScriptRunConfig):
        resolved = copy.copy(run_config)
        resolved.arguments = [_resolve_value(a, workspace, inputs) for a in run_config.arguments]
    else:
        args = [_resolve_value(a, workspace, inputs) for a in run_config.args]
        keywords = {k: _resolve_value(v, workspace, inputs) for k, v in run_config.keywords.items()}
        resolved = functools.partial(run_config.func, *args, **keywords)
    resolved._input_datasets = inputs  # type: ignore[union-attr]
    return resolved, inputs


def input_datasets_of(run_config: Any) -> dict[str, Any]:
    """The ``{name: entry}`` a resolved run config carries (empty for any other)."""
    return dict(getattr(run_config, "_input_datasets", None) or {})
