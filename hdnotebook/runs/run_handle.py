"""Run: the handle on one run, backed by the workspace store (reference section 8)."""

from __future__ import annotations

import json
import os
import sys
import time

from hdnotebook import status as st
from hdnotebook._engine import channel
from hdnotebook._engine.layout import HYPERDRIVE_TYPE, INTERACTIVE_TYPE, RESUME_FOLDER, STD_LOG, SWEEP_LOG, error_dict
from hdnotebook.exceptions import ActivityFailedException, RunEnvironmentException, UserErrorException
from hdnotebook.runs.children import (
    RunChildren,
    run_matches as _matches,  # experiment.py filters with it too
)
from hdnotebook.runs.files import RunFiles
from hdnotebook.runs.logging import MetricLogging
from hdnotebook.runs.metrics import shape_metrics
from hdnotebook.runs.sinks import OfflineSink, StoreSink

# a script child imports this module to log: the store (sqlite3), pathlib, typing, datetime are imported where used
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    import pandas as pd

    from hdnotebook._engine.store import RunRecord, Store
    from hdnotebook.experiment import Experiment
    from hdnotebook.runs.logging import EventSink



def iso_utc(epoch: float | None) -> str | None:
    """Epoch seconds as HyperDrive's ISO time text, e.g. ``2026-11-25T03:24:10.123456Z``."""
    if epoch is None:
        return None
    import datetime as _dt

    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Run(RunFiles, RunChildren, MetricLogging):
    """A run of an experiment. ``Run(experiment, run_id)`` reopens one from the store.

    Writes go through one sink: the store when this process drives the run, the events pipe inside
    a child, the console for an offline run. Reads always come from the store.
    """

    def __init__(self, experiment: Experiment, run_id: str, outputs: Any = None, **kwargs: Any) -> None:
        if not isinstance(run_id, str):
            raise UserErrorException(f"run_id expects a str, got {type(run_id).__name__}")
        self._experiment = experiment
        self._id = run_id
        self._store: Store | None = experiment.workspace._store if experiment is not None else None
        self._sink: EventSink = kwargs.get("_sink") or (StoreSink(self._store) if self._store else OfflineSink())
        self._cached: RunRecord | None = kwargs.get("_record")
        self._added_properties: set[str] = set()
        if self._store is not None and self._cached is None:
            self._cached = self._store.get_run(run_id)
            if self._cached is None:
                from hdnotebook.exceptions import HyperDriveRehydrateException

                raise HyperDriveRehydrateException(
                    f"No run with id {run_id!r} in experiment {experiment.name!r} of workspace {experiment.workspace.path}"
                )

    # identity -----------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run id, e.g. ``HD_<uuid>_3``."""
        return self._id

    @property
    def name(self) -> str:
        """Deprecated alias of display_name, kept for compatibility."""
        return self.display_name

    @property
    def display_name(self) -> str:
        """A readable name (defaults to the run id)."""
        rec = self._record()
        return (rec.display_name if rec and rec.display_name else None) or self._id

    @display_name.setter
    def display_name(self, value: str) -> None:
        self._need_store().update_run(self._id, display_name=value)

    @property
    def description(self) -> str | None:
        """The run's description."""
        rec = self._record()
        return rec.description if rec else None

    @description.setter
    def description(self, value: str) -> None:
        self._need_store().update_run(self._id, description=value)

    @property
    def type(self) -> str:
        """``hyperdrive`` for a sweep, ``azureml.scriptrun`` for a script, ``hdnotebook.function`` for a function."""
        rec = self._record()
        return rec.run_type if rec else INTERACTIVE_TYPE

    @property
    def number(self) -> int:
        """The run's sequence number within its experiment."""
        rec = self._record()
        return rec.number if rec else 0

    @property
    def experiment(self) -> Experiment:
        """The experiment this run belongs to."""
        return self._experiment

    @property
    def parent(self) -> Run | None:
        """The parent run (the sweep, for a child), or None."""
        rec = self._record()
        if rec is None or rec.parent_id is None:
            return None
        return Run._open(self._experiment, rec.parent_id)

    @property
    def resume_from(self) -> str | None:
        """For a child that resumes an earlier run (``resume_child_runs``): the folder holding a copy of
        that run's ``outputs/`` (its checkpoints). None for any other run. Inside the child itself this is
        the copy it was given (on a Dask worker, the worker's own copy)."""
        if os.environ.get(channel.ENV_RUN_ID) == self._id and os.environ.get(channel.ENV_RESUME_FROM):
            return os.environ[channel.ENV_RESUME_FROM]
        rec = self._record()
        if rec is not None and self._store is not None and self._store.get_properties(self._id).get("resumed_from"):
            return os.path.join(rec.run_dir, RESUME_FOLDER)
        return None

    @property
    def input_datasets(self) -> dict[str, Any]:
        """``{name: input}`` of the datasets given to this run in its arguments: a FileDataset input
        (``as_mount``/``as_download``) is the local folder holding its files, a TabularDataset input the
        TabularDataset. Empty for a run without dataset inputs (and for a run without a store)."""
        rec = self._record()
        entries = ((rec.definition if rec is not None else None) or {}).get("inputDatasets") or {}
        if not entries:
            return {}
        from hdnotebook.data.abstract_dataset import dataset_from_json

        return {name: entry["path"] if "path" in entry else dataset_from_json(entry["dataset"])
                for name, entry in entries.items()}

    @property
    def status(self) -> str:
        """The current status (same as get_status())."""
        return self.get_status()

    @property
    def tags(self) -> dict[str, str | None]:
        """The run's tags."""
        return self.get_tags()

    @property
    def properties(self) -> dict[str, str | None]:
        """The run's properties."""
        return self.get_properties()

    def __repr__(self) -> str:
        return f"Run(Experiment: {self._experiment.name if self._experiment else None},\nId: {self._id},\nType: {self.type},\nStatus: {self.get_status()})"

    def _repr_html_(self) -> str:
        """Azure's table in a notebook: experiment, id, type, status and a link to the run's folder."""
        from hdnotebook.runs.html_repr import run_table

        rec = self._record()
        return run_table(self._experiment.name if self._experiment else "None", self._id, self.type, self.get_status(),
                         rec.run_dir if rec is not None else None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Run) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    @classmethod
    def _open(cls, experiment: Experiment, run_id: str, record: RunRecord | None = None) -> Run:
        """The right handle class for a stored run (HyperDriveRun for a sweep)."""
        record = record or experiment.workspace._store.get_run(run_id)
        if record is not None and record.run_type == HYPERDRIVE_TYPE:
            from hdnotebook.runs.hyperdrive_run import HyperDriveRun

            return HyperDriveRun(experiment, run_id, _record=record)
        return Run(experiment, run_id, _record=record)

    # context ------------------------------------------------------------------------------

    @classmethod
    def get_context(cls, allow_offline: bool = True, **kwargs: Any) -> Run:
        """The live run of this child process, or (outside any run) an offline run that prints."""
        from hdnotebook.runs.context import current_run

        run = current_run()
        if run is not None:
            return run
        if not allow_offline:
            raise RunEnvironmentException(
                f"Run.get_context(allow_offline=False) was called outside a run ({channel.ENV_RUN_ID} is not set)"
            )
        from hdnotebook.runs.offline import OfflineRun

        return OfflineRun()

    # state --------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # called only for attributes not set: a child's run (context.child_run) before its store is looked up
        if name in ("_experiment", "_store", "_cached") and "_child_workspace" in self.__dict__:
            from hdnotebook.runs.context import open_child_store

            open_child_store(self)
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _need_store(self) -> Store:
        if self._store is None:
            raise UserErrorException("This run has no workspace store (it is an offline run)")
        return self._store

    def _record(self) -> RunRecord | None:
        if self._store is None:
            return None
        from hdnotebook._engine.driver import fail_if_driver_lost  # not at start-up: a script child's log() needs none

        rec = fail_if_driver_lost(self._store, self._store.get_run(self._id))
        self._cached = rec
        return rec

    def get_status(self) -> str:
        """The run's status: NotStarted, Queued, Running, CancelRequested, Completed, Failed or Canceled."""
        rec = self._record()
        return rec.status if rec else st.RUNNING

    def get_detailed_status(self) -> dict[str, Any]:
        """``{"status": ..., "details": <last status message or None>}``."""
        status = self.get_status()
        events = self._store.status_events(self._id) if self._store else []
        return {"status": status, "details": events[-1][2] if events else None}

    def get_details(self) -> dict[str, Any]:
        """Run details in HyperDrive's shape: runId, status, times, properties, runDefinition, logFiles, error."""
        from pathlib import Path

        rec = self._record()
        if rec is None:
            return {"runId": self._id, "target": "local", "status": st.RUNNING}
        details: dict[str, Any] = {
            "runId": rec.run_id,
            "target": (rec.definition or {}).get("target", "local"),
            "status": rec.status,
            "startTimeUtc": iso_utc(rec.start_time),
        }
        if rec.end_time is not None:
            details["endTimeUtc"] = iso_utc(rec.end_time)
        details["properties"] = self.get_properties()
        details["inputDatasets"] = []
        details["outputDatasets"] = []
        if rec.definition is not None:
            details["runDefinition"] = rec.definition
        details["logFiles"] = {
            name: str(Path(rec.run_dir) / name) for name in self._store.file_names(self._id) if _is_log(name)
        }
        for name in (STD_LOG, SWEEP_LOG):
            if name not in details["logFiles"] and (Path(rec.run_dir) / name).exists():
                details["logFiles"][name] = str(Path(rec.run_dir) / name)
        details["submittedBy"] = _user()
        if rec.error is not None:
            details["error"] = rec.error
        termination = details["properties"].get("terminationReason")
        if termination:
            details["terminationReason"] = json.loads(termination)
        return details

    def get_details_with_logs(self) -> dict[str, Any]:
        """get_details() with ``logFiles`` mapping each log name to its text."""
        from pathlib import Path

        details = self.get_details()
        details["logFiles"] = {k: Path(p).read_text(errors="replace") for k, p in details["logFiles"].items()}
        return details

    # metrics ------------------------------------------------------------------------------

    def get_metrics(self, name: str | None = None, recursive: bool = False, run_type: str | None = None,
                    populate: bool = False) -> dict[str, Any]:
        """Logged metrics as ``{name: value}`` in HyperDrive's shapes; ``recursive`` gives ``{run_id: {...}}``."""
        if self._store is None:
            return {}
        if recursive:
            out = {}
            for run in [self, *self.get_children(recursive=True)]:
                if run_type is None or run.type == run_type:
                    out[run.id] = run.get_metrics(name=name)
            return out
        metrics = shape_metrics(self._id, self._store.metric_rows(self._id, name))
        return metrics

    def metrics_dataframe(self, name: str | None = None) -> pd.DataFrame:
        """The numbers this run logged (``log``, ``log_list``), one row per value in logging order: ``name``,
        ``interval`` (from 1 per metric), ``step``, ``value``, ``time`` (UTC); see
        ``hdnotebook.results.dataframe.run_metrics_dataframe``."""
        from hdnotebook.results.dataframe import run_metrics_dataframe

        return run_metrics_dataframe(self._need_store(), self._id, name)

    # tags and properties ------------------------------------------------------------------

    def tag(self, key: str, value: Any = None) -> None:
        """Set one tag."""
        self.set_tags({key: value})

    def set_tags(self, tags: dict[str, Any]) -> None:
        """Add or overwrite tags."""
        if not isinstance(tags, dict):
            raise UserErrorException("set_tags expects a dict of tags")
        self._sink.send({"op": "tags", "run": self._id, "tags": {str(k): v for k, v in tags.items()}})

    def remove_tags(self, tags: Iterable[str]) -> None:
        """Delete tags by key."""
        self._sink.send({"op": "remove_tags", "run": self._id, "keys": list(tags)})

    def get_tags(self) -> dict[str, str | None]:
        """The run's tags, fresh from the store."""
        return self._store.get_tags(self._id) if self._store else {}

    def add_properties(self, properties: dict[str, Any]) -> None:
        """Add properties. They are immutable, as in Azure: a key the run already has raises UserErrorException
        (naming the keys) and none of the given properties is added."""
        if not isinstance(properties, dict):
            raise UserErrorException("add_properties expects a dict")
        given = {str(k): v for k, v in properties.items()}
        # the pipe to the driver may still hold this process's last ones; an offline run only prints
        existing = set(self.get_properties()) | self._added_properties if self._store is not None else set()
        taken = sorted(existing & set(given))
        if taken:
            raise UserErrorException(f"add_properties: run {self._id} already has the properties {taken}; "
                                     "properties are immutable (use tags for values that change)")
        self._sink.send({"op": "properties", "run": self._id, "properties": given})
        self._added_properties |= set(given)

    def get_properties(self) -> dict[str, str | None]:
        """The run's properties, fresh from the store."""
        return self._store.get_properties(self._id) if self._store else {}

    # children -----------------------------------------------------------------------------

    def get_children(self, recursive: bool = False, tags: Any = None, properties: Any = None,
                     type: str | None = None, status: str | None = None, _rehydrate_runs: bool = True) -> list[Run]:
        """Child runs in generation order, filtered by tags/properties (a key or a {key: value} dict), type, status."""
        if self._store is None:
            return []
        out: list[Run] = []
        for rec in self._store.list_runs(parent_id=self._id):
            child = Run._open(self._experiment, rec.run_id, rec)
            if _matches(child, tags, properties, type, status):
                out.append(child)
            if recursive:
                out.extend(child.get_children(True, tags, properties, type, status))
        return out

    # lifecycle ----------------------------------------------------------------------------

    def _finish(self, status: str, error: dict[str, Any] | None = None) -> None:
        if isinstance(self._sink, StoreSink):
            self._need_store().set_status(self._id, status, error=error, only_if_active=True)
        else:
            self._sink.send({"op": "final", "run": self._id, "status": status, "error": error})

    def start(self) -> None:
        """Mark the run Running."""
        if isinstance(self._sink, StoreSink):
            self._need_store().set_status(self._id, st.RUNNING, only_if_active=True)

    def complete(self, _set_status: bool = True) -> None:
        """Mark the run Completed (in a child: when it exits)."""
        self._finish(st.COMPLETED)

    def fail(self, error_details: Any = None, error_code: str | None = None, _set_status: bool = True) -> None:
        """Mark the run Failed with an error message (in a child: when it exits)."""
        message = str(error_details) if error_details is not None else "The run was marked failed"
        self._finish(st.FAILED, error_dict(error_code or "UserError", message))

    def cancel(self) -> None:
        """Stop the run: its process (group) gets SIGTERM, then SIGKILL; status becomes Canceled. An interactive run
        (``start_logging``, ``child_run``) has no process: it ends Canceled at once."""
        if not isinstance(self._sink, StoreSink):
            self._finish(st.CANCELED)
            return
        from hdnotebook._engine.control import request_cancel

        request_cancel(self._need_store(), self._id)

    def flush(self, timeout_seconds: int = 300) -> None:
        """Every log call is already written when it returns; nothing to flush."""

    def __enter__(self) -> Run:
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is None:
            self.complete()
        else:
            self.fail(error_details=exc)

    # waiting ------------------------------------------------------------------------------

    def _main_log(self) -> str:
        return STD_LOG

    def _wait_output(self, show_output: bool | str, record: RunRecord) -> Any:
        """What ``wait_for_completion`` shows at each poll: the main log as it grows (``show_output`` True or
        ``"log"``), or None."""
        if show_output not in (False, True, "log"):
            raise UserErrorException(f"wait_for_completion expects show_output to be True, False or 'log', got {show_output!r}")
        if not show_output:
            return None
        from pathlib import Path

        from hdnotebook.runs.log_stream import LogStream

        return LogStream(self._id, Path(record.run_dir), self._main_log())

    def wait_for_completion(self, show_output: bool | str = False, wait_post_processing: bool = False,
                            raise_on_error: bool = True) -> dict[str, Any]:
        """Block until the run ends; with ``show_output`` (True or ``"log"``) print its log as it grows. Returns
        get_details().

        Raises ActivityFailedException when the run Failed and ``raise_on_error`` is True.
        """
        rec = self._record()
        if rec is None:
            return self.get_details()
        output = self._wait_output(show_output, rec)
        delay = 0.05
        try:
            while True:
                status = self.get_status()
                if output is not None:
                    output.show()
                if st.is_terminal(status):
                    break
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)
        finally:
            if output is not None:
                output.close()
        displays = sys.modules.get("hdnotebook.widget.displays")
        if displays is not None:  # RunDetails outputs of this run show its final state before the cell returns
            displays.finish_displays(self._id)
        details = self.get_details()
        if status == st.FAILED and raise_on_error:
            message = (details.get("error") or {}).get("error", {}).get("message", "")
            raise ActivityFailedException(f"Run {self._id} failed: {message}", error_code="ActivityFailed")
        return details


def _is_log(name: str) -> bool:
    return name.startswith(("logs/", "user_logs/", "azureml-logs/"))


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
