"""Experiment: a named group of runs in a workspace; ``submit`` starts a sweep or a single run."""

from __future__ import annotations

import time
import uuid
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.driver import current_driver
from hdnotebook.exceptions import UserErrorException
from hdnotebook.names import check_name
from hdnotebook.workspace import Workspace


class Experiment:
    """``Experiment(workspace, name)``; the name is 1-255 letters, digits, '-' or '_', starting with a letter or digit."""

    def __init__(self, workspace: Workspace, name: str, _skip_name_validation: bool = False, **kwargs: Any) -> None:
        if not isinstance(workspace, Workspace):
            raise UserErrorException(f"Experiment expects workspace to be a Workspace, got {type(workspace).__name__}")
        if not isinstance(name, str) or not _skip_name_validation:
            check_name(name, "Experiment name")
        self._workspace = workspace
        self._name = name

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self._name

    @property
    def workspace(self) -> Workspace:
        """The workspace holding this experiment."""
        return self._workspace

    def __repr__(self) -> str:
        return f"Experiment(Name: {self._name},\nWorkspace: {self._workspace.name})"

    def _repr_html_(self) -> str:
        """Azure's table in a notebook: name, workspace and a link to the folder that holds its runs."""
        from hdnotebook.runs.html_repr import html_table, link

        runs = self._workspace._store.folder / "runs"
        return html_table({"Name": self._name, "Workspace": self._workspace.name, "Report Page": link(runs, "Link to runs folder")},
                          raw=frozenset({"Report Page"}))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Experiment) and (other._workspace, other._name) == (self._workspace, self._name)

    def __hash__(self) -> int:
        return hash((self._workspace, self._name))

    @staticmethod
    def list(workspace: Workspace, experiment_name: str | None = None, **kwargs: Any) -> list[Experiment]:
        """The workspace's experiments (optionally only the one named)."""
        return [Experiment(workspace, n) for n in workspace._store.experiments() if experiment_name in (None, n)]

    def submit(self, config: Any, tags: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Start a run and return its handle at once.

        A HyperDriveConfig starts a sweep (returns a HyperDriveRun); a ScriptRunConfig (or an Estimator,
        which is one) runs one script
        and a callable runs one function call with no arguments (use functools.partial to bind some);
        both return a Run. The work runs on the background tuning loop; use wait_for_completion() to block.
        """
        from hdnotebook.runconfig import HyperDriveConfig
        from hdnotebook.script_run_config import ScriptRunConfig
        from hdnotebook.submission import submit_single, submit_sweep

        if tags is not None and not isinstance(tags, dict):
            raise UserErrorException("submit expects tags to be a dict")
        if isinstance(config, HyperDriveConfig):
            return submit_sweep(self, config, tags or {})
        if isinstance(config, ScriptRunConfig) or callable(config):
            return submit_single(self, config, tags or {})
        raise UserErrorException(
            f"submit expects a HyperDriveConfig, a ScriptRunConfig or a function, got {type(config).__name__}"
        )

    def start_logging(self, *args: Any, outputs: Any = None, snapshot_directory: Any = None, **kwargs: Any) -> Any:
        """Start an interactive run (status Running) that logs straight into the store; call complete() at the end."""
        from hdnotebook._engine.layout import INTERACTIVE_TYPE
        from hdnotebook.runs.run_handle import Run

        run_id = f"{self._name}_{int(time.time())}_{uuid.uuid4().hex[:8]}"
        record = self._workspace._store.create_run(
            run_id, self._name, INTERACTIVE_TYPE, status=st.RUNNING, driver=current_driver(),
            display_name=kwargs.get("display_name"),
        )
        self._workspace._store.set_status(run_id, st.RUNNING)
        return Run(self, run_id, _record=record)

    def get_runs(self, type: str | None = None, tags: Any = None, properties: Any = None,
                 include_children: bool = False) -> list[Any]:
        """The experiment's runs, newest first (top-level ones unless include_children)."""
        from hdnotebook.runs.run_handle import Run, _matches

        records = self._workspace._store.list_runs(experiment=self._name, top_level=not include_children)
        runs = [Run._open(self, r.run_id, r) for r in reversed(records)]
        return [r for r in runs if _matches(r, tags, properties, type, None)]

    def archive(self) -> None:
        """Not supported: experiments are kept as long as the workspace."""
        raise UserErrorException("Experiment.archive is not supported by hdnotebook")


