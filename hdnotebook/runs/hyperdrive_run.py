"""HyperDriveRun: the handle on a sweep (reference section 7)."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook import status as st
from hdnotebook._engine.layout import HYPERDRIVE_TYPE, SWEEP_LOG
from hdnotebook._engine.metric_check import PRIMARY_METRIC_WARNING
from hdnotebook._engine.progress import ProgressReader
from hdnotebook._engine.sweep_log import strip_markers
from hdnotebook.exceptions import HyperDriveNotImplementedException, UserErrorException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.runs.progress_output import progress_output
from hdnotebook.runs.run_handle import Run
from hdnotebook.runs.sweep_reads import best_values, child_statuses, children_metrics

if TYPE_CHECKING:
    import pandas as pd

    from hdnotebook._engine.store import RunRecord, Store
    from hdnotebook.experiment import Experiment

# (sweep id, method) pairs that have already warned about a primary metric no child logs: once each per process
_WARNED: set[tuple[str, str]] = set()


class HyperDriveRun(Run):
    """A sweep. ``HyperDriveRun(experiment, run_id)`` reopens one from the store, in any process."""

    RUN_TYPE = HYPERDRIVE_TYPE

    def __init__(self, experiment: Experiment, run_id: str, hyperdrive_config: Any = None, **kwargs: Any) -> None:
        if not isinstance(run_id, str):
            raise UserErrorException(f"HyperDriveRun expects run_id to be a str, got {type(run_id).__name__}")
        super().__init__(experiment, run_id, **kwargs)
        if self._cached is not None and self._cached.run_type != self.RUN_TYPE:
            raise UserErrorException(f"Run {run_id} is a {self._cached.run_type} run, not a hyperdrive run")
        self._hyperdrive_config = hyperdrive_config

    @property
    def hyperdrive_config(self) -> Any:
        """The HyperDriveConfig this sweep was submitted with (None for a sweep reopened from the store)."""
        return self._hyperdrive_config

    def _primary(self) -> tuple[str, PrimaryMetricGoal]:
        rec = self._cached or self._record()
        config = (rec.config or {}).get("primary_metric_config", {}) if rec else {}
        return config.get("name", ""), PrimaryMetricGoal.from_str(config.get("goal", "maximize"))

    def _primary_metric_curves(self) -> tuple[dict[str, tuple[float, ...]], PrimaryMetricGoal]:
        """``{child id: its primary-metric values in logged order}`` (children in generation order) and the goal."""
        name, goal = self._primary()
        children = self.get_children()
        curves = self._need_store().metric_curves([c.id for c in children], name)
        return {c.id: tuple(curves[c.id]) for c in children}, goal

    def _best_values(self) -> dict[str, float]:
        """``{child run id: its best value of the primary metric}`` for the children that logged a finite one."""
        name, goal = self._primary()
        return best_values(self._need_store(), self._id, name, goal)

    def get_children_sorted_by_primary_metric(self, top: int = 0, reverse: bool = False,
                                              discard_no_metric: bool = False) -> list[dict[str, Any]]:
        """Children as ``{"run_id", "hyperparameters" (JSON text), "best_primary_metric", "status"}``, best first.

        ``reverse`` flips the order of the children that have a metric; the others come last
        unless ``discard_no_metric``; ``top`` > 0 keeps that many.
        """
        if isinstance(top, bool) or not isinstance(top, int) or top < 0:
            raise UserErrorException("top expects an int >= 0")
        if not isinstance(reverse, bool) or not isinstance(discard_no_metric, bool):
            raise UserErrorException("reverse and discard_no_metric expect bools")
        _, goal = self._primary()
        tags = self.get_tags()
        values = self._best_values()
        scored, unscored = [], []
        for run_id, status in child_statuses(self._need_store(), self._id):
            best = values.get(run_id)
            item = {"run_id": run_id, "hyperparameters": tags.get(run_id), "best_primary_metric": best, "status": status}
            (scored if best is not None else unscored).append(item)
        descending = goal is PrimaryMetricGoal.MAXIMIZE
        scored.sort(key=lambda i: i["best_primary_metric"], reverse=descending != reverse)
        result = scored + ([] if discard_no_metric else unscored)
        return result[:top] if top else result

    def to_dataframe(self, metrics: Any = "primary", include_warm_start: bool = False) -> pd.DataFrame:
        """The sweep's children as a pandas DataFrame, one row per child ordered by child index: run id and
        numbers, status, one column per hyperparameter (native dtypes), the primary metric's best value (column
        named after the metric) and last value (``<metric>_last``), ``intervals``, times, duration and
        termination reason. ``metrics="all"`` (or a list of names) adds ``<name>_min/_max/_last`` of the other
        metrics; ``include_warm_start`` appends the warm-start parents' children. Columns and dtypes:
        ``hdnotebook.results.dataframe``."""
        from hdnotebook.results.dataframe import sweep_dataframe

        try:
            return sweep_dataframe(self._need_store(), self._id, metrics=metrics, include_warm_start=include_warm_start)
        except (TypeError, ValueError) as error:
            raise UserErrorException(str(error)) from error

    def warm_start_parents(self) -> list[HyperDriveRun]:
        """The sweeps this one was warm-started from (``resume_from`` and the parents of resumed runs)."""
        rec = self._cached or self._record()
        ids = ((rec.config or {}).get("resume_from") or []) if rec else []
        return [self._experiment.workspace.get_run(run_id) for run_id in ids]

    def _warn_missing_primary_metric(self, origin: str) -> None:
        """Issue the sweep's ``primary_metric_warning`` property as a UserWarning, once per sweep and ``origin``,
        unless a child has logged the primary metric since."""
        if (self._id, origin) in _WARNED:
            return
        message = self._need_store().get_properties(self._id).get(PRIMARY_METRIC_WARNING)
        if message and not self._best_values():
            _WARNED.add((self._id, origin))
            warnings.warn(message, UserWarning, stacklevel=3)

    def wait_for_completion(self, show_output: bool | str = False, wait_post_processing: bool = False,
                            raise_on_error: bool = True) -> dict[str, Any]:
        """Block until the sweep ends; returns get_details(). ``show_output=True`` shows one live progress line
        (children done of the total, running, failed, the best value so far and its run, elapsed time, time
        left): an updating display in a notebook, a line rewritten in place in a terminal, a line per change
        elsewhere. ``show_output="log"`` prints the sweep's log (``azureml-logs/hyperdrive.txt``) as it grows,
        as HyperDrive's ``show_output=True`` does. Then, once per sweep, a UserWarning if children completed
        without logging the primary metric (it names the metrics they did log)."""
        details = super().wait_for_completion(show_output=show_output, wait_post_processing=wait_post_processing,
                                              raise_on_error=raise_on_error)
        self._warn_missing_primary_metric("wait_for_completion")
        return details

    def get_best_run_by_primary_metric(self, include_failed: bool = True, include_canceled: bool = True,
                                       include_resume_from_runs: bool = True) -> Run | None:
        """The child with the best value of the primary metric (None if no child logged it); with
        ``include_resume_from_runs`` the warm-start parents' children compete too. On a tie the earlier
        child wins (this sweep's before its parents'), the same child as the ``best_child_run_id`` property."""
        _, goal = self._primary()
        best: tuple[HyperDriveRun, str, float] | None = None  # (its sweep, child run id, value)
        sweeps = [self, *(self.warm_start_parents() if include_resume_from_runs else [])]
        for sweep in sweeps:  # each sweep's children scored by its own primary metric, compared under this goal
            values = sweep._best_values()
            for run_id, status in child_statuses(sweep._need_store(), sweep.id):
                value = values.get(run_id)
                if value is None or (status == st.FAILED and not include_failed) or (status == st.CANCELED and not include_canceled):
                    continue
                if best is None or goal.is_better(value, best[2]):
                    best = (sweep, run_id, value)
        if best is None:
            self._warn_missing_primary_metric("get_best_run_by_primary_metric")
            return None
        return Run._open(best[0]._experiment, best[1])

    def get_hyperparameters(self) -> dict[str, str]:
        """``{child_run_id: '<JSON text of its sampled values>'}``."""
        return {c.id: json.dumps(c._cached.hyperparameters or {}) for c in self.get_children() if c._cached}

    def get_metrics(self, name: str | None = None, recursive: bool = False, run_type: str | None = None,
                    populate: bool = False) -> dict[str, dict[str, Any]]:
        """``{child_run_id: {metric: value}}`` for the children that logged something (only metric ``name`` unless
        None), by child index; each value in the shape of the child's own ``get_metrics()``."""
        return children_metrics(self._need_store(), self._id, name)

    def cancel(self) -> bool:
        """Stop the sweep: every running child is killed within 2 s; the sweep ends Canceled."""
        from hdnotebook._engine.control import request_cancel

        return request_cancel(self._need_store(), self._id)

    def resume(self) -> HyperDriveRun:
        """Continue this sweep after the death of the process that drove it (a kernel crash or restart: status
        Failed, error code DriverLost), in the background of this process; returns self, Running again.

        The same sweep (id, folder, log, RunDetails) goes on with the configuration kept in the store at submit,
        a function sweep's function included. The children the death interrupted run again first, as new children
        with the same hyperparameters and a copy of their ``outputs/`` (``resume_from``, as for
        ``resume_child_runs``); their records stay Failed. The budget is the original one: ``max_total_runs``
        counts the children that finished (completed, failed or canceled, or are running), not the interrupted
        ones; ``max_duration_minutes`` counts the time the sweep actually ran. The sampler continues its sequence
        (a seeded random sampler repeats nothing, a grid skips what was generated, Bayesian sampling uses every
        finished child) and the policy compares against every earlier curve. The sweep log records the
        continuation with its time. Raises UserErrorException for a sweep still driven by a live process,
        Completed, Canceled, failed for another reason, or submitted before the store kept recipes.
        """
        from hdnotebook.resumption import resume_sweep

        self._cached = resume_sweep(self._need_store(), self._id)
        widgets = sys.modules.get("hdnotebook.widget.widget")  # RunDetails shown in this process before: live again
        if widgets is not None:
            widgets.revive(self._id)
        return self

    def get_diagnostics(self) -> None:
        """Not implemented, as in HyperDrive."""
        raise HyperDriveNotImplementedException("Get diagnostics is not implemented for HyperDrive run")

    def fail(self, error_details: Any = None, error_code: str | None = None, _set_status: bool = True) -> None:
        """Not implemented, as in HyperDrive."""
        raise HyperDriveNotImplementedException("Fail is not implemented for HyperDrive run")

    def _main_log(self) -> str:
        return SWEEP_LOG

    def _wait_output(self, show_output: bool | str, record: RunRecord) -> Any:
        """The progress line (``show_output`` True), the sweep's log (``"log"``) or None."""
        if show_output not in (False, True, "log"):
            raise UserErrorException(f"wait_for_completion expects show_output to be True, False or 'log', got {show_output!r}")
        if show_output == "log":
            from hdnotebook.runs.log_stream import LogStream

            return LogStream(self._id, Path(record.run_dir), self._main_log(), strip_markers)
        if not show_output:
            return None
        return _SweepProgressOutput(self._need_store(), self._id)


class _SweepProgressOutput:
    """The progress line of a sweep, read again at each poll of ``wait_for_completion``."""

    def __init__(self, store: Store, sweep_id: str) -> None:
        self._reader = ProgressReader(store, sweep_id)
        self._output = progress_output()

    def show(self) -> None:
        self._output.show(self._reader.read())

    def close(self) -> None:
        self._output.show(self._reader.read())
        self._output.close()
