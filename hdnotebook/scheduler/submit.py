"""Starting work on the background loop: a sweep (HyperDriveConfig) or a single run."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import sys
import time
import warnings
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from hdnotebook import status as st
from hdnotebook.exceptions import UserErrorException
from hdnotebook.executors.base import Executor
from hdnotebook.executors.choice import executor_for
from hdnotebook.executors.process import check_platform
from hdnotebook.runs.driver import current_driver
from hdnotebook.runs.run import FUNCTION_TYPE, HYPERDRIVE_TYPE, SCRIPT_TYPE, SWEEP_LOG, Run
from hdnotebook.scheduler import background, control, specs
from hdnotebook.scheduler.store_retry import flush_now_or_later
from hdnotebook.scheduler.sweep import SweepController
from hdnotebook.scheduler.sweep_log import SweepLog
from hdnotebook.scheduler.sweep_recipe import keep_recipe
from hdnotebook.scheduler.trial import TrialRunner, error_dict
from hdnotebook.script_run_config import ScriptRunConfig
from hdnotebook.store import RunRecord, Store

if TYPE_CHECKING:
    from hdnotebook.experiment import Experiment
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun


def _prepare(run_config: Any) -> bytes | None:
    """Check a script's files, or pickle a function once (children get these bytes); errors name the problem."""
    if isinstance(run_config, ScriptRunConfig):
        specs.check_script_config(run_config)
        _warn_missing_packages(run_config.environment)
        return None
    return specs.pickle_function(run_config)


def _resolve_datasets(run_config: Any, compute_target: Any, workspace: Any) -> Any:
    """The run config with its dataset inputs replaced by local folders (materialised now, once for every
    child); a Dask target with dataset inputs raises, since those folders exist only on this machine."""
    from hdnotebook.data.consumption import dataset_inputs, resolve_run_config
    from hdnotebook.executors.choice import compute_target_of
    from hdnotebook.executors.compute_target import is_dask_target

    if dataset_inputs(run_config) and is_dask_target(compute_target_of(run_config, compute_target)):
        raise UserErrorException(
            "Dataset inputs (as_mount/as_download/as_named_input in arguments) cannot run on a Dask compute target yet: "
            "they are local folders of this machine. Run on the local target, or copy the files to the workers and pass "
            "their path as a plain argument.")
    return resolve_run_config(run_config, workspace)[0]


def _warn_missing_packages(environment: Any) -> None:
    from hdnotebook.environment import Environment

    if isinstance(environment, Environment):
        missing = environment.missing_packages()
        if missing:
            warnings.warn(f"Environment {environment.name!r} asks for packages this Python does not have: {missing}. "
                          f"Children run with {sys.executable}; install them there if the script needs them.", stacklevel=4)


def _sweep_tags(config: Any, target: str) -> dict[str, Any]:
    values = {
        "generator_config": json.dumps(config.hyperparameter_sampling.to_json()),
        "primary_metric_config": json.dumps(config._primary_metric_config),
        "policy_config": json.dumps(config.policy.to_json()),
        "platform_config": json.dumps({"platform": config._platform, "target": target}),
        "max_total_jobs": str(config.max_total_runs),
        "max_concurrent_jobs": str(config.max_concurrent_runs),
        "max_duration_minutes": f"{config.max_duration_minutes:g}",
    }
    return {**{f"_aml_system_{k}": v for k, v in values.items()}, **values}


def _describe_run_config(run_config: Any) -> dict[str, Any]:
    if isinstance(run_config, ScriptRunConfig):
        return {"kind": "script", "source_directory": str(Path(run_config.source_directory).resolve()),
                "script": run_config.script, "command": run_config.command, "arguments": [str(a) for a in run_config.arguments]}
    return {"kind": "function", "function": f"{getattr(run_config, '__module__', '?')}.{getattr(run_config, '__qualname__', repr(run_config))}"}


def submit_sweep(experiment: "Experiment", config: Any, tags: dict[str, Any]) -> "HyperDriveRun":
    """Record the sweep, start its tuning loop in the background and return its handle at once."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    check_platform()
    given, config = config, copy.copy(config)
    config._run_config = _resolve_datasets(config.run_config, config.compute_target, experiment.workspace)
    config._hyperparameter_sampling = config.hyperparameter_sampling.for_sweep()
    payload = _prepare(config.run_config)
    store: Store = experiment.workspace._store
    run_id = config.custom_run_id or f"HD_{uuid.uuid4()}"
    if store.get_run(run_id) is not None:
        raise UserErrorException(f"custom_run_id {run_id!r} is already used by another run of this workspace")
    slots = min(config.max_concurrent_runs, config.max_total_runs)
    is_function = not isinstance(config.run_config, ScriptRunConfig)
    executor = executor_for(config.run_config, getattr(config, "compute_target", None), slots,
                            prestart=min(slots, os.cpu_count() or 1) if is_function else 0)
    sampler = config.hyperparameter_sampling
    seed = getattr(sampler, "effective_seed", None)
    stored_config = {
        "generator_config": sampler.to_json(), "policy_config": config.policy.to_json(),
        "primary_metric_config": config._primary_metric_config, "max_total_runs": config.max_total_runs,
        "max_concurrent_runs": config.max_concurrent_runs, "max_duration_minutes": config.max_duration_minutes,
        "seed": seed, "run_config": _describe_run_config(config.run_config),
        "resume_from": [p.id for p in config.warm_start_parents],
        "resume_child_runs": [r.id for r in config.resume_child_runs],
    }
    properties = {
        "primary_metric_config": json.dumps(config._primary_metric_config),
        "resume_from": json.dumps([p.id for p in config.warm_start_parents] or None),
        "runTemplate": "HyperDrive", "azureml.runsource": "hyperdrive", "platform": config._platform,
        "sampling_seed": seed,
    }
    record = store.create_run(run_id, experiment.name, HYPERDRIVE_TYPE, status=st.NOT_STARTED, config=stored_config,
                              driver=current_driver(), tags={**_sweep_tags(config, executor.target_name), **tags}, properties=properties)
    keep_recipe(store, run_id, config, payload)  # what HyperDriveRun.resume() needs if this process dies
    log = SweepLog(Path(record.run_dir) / SWEEP_LOG)
    log.write("API", f"Experiment created: {run_id}")
    controller = SweepController(store, record, config, executor, log, payload)
    start_controller(controller, controller.run())
    return HyperDriveRun(experiment, run_id, hyperdrive_config=given, _record=record)


class SingleRunController:
    """Drives one run that is not part of a sweep."""

    def __init__(self, runner: TrialRunner, executor: Executor) -> None:
        self.run_id = runner.run_id
        self.store = runner.store
        self._runner = runner
        self._executor = executor

    async def run(self) -> str:
        """Run to the end; returns the final status. An error of the loop stops the child and fails the run (it
        never ends unseen on the background loop); a status the store could not take is committed later."""
        try:
            return await self._runner.run()
        except Exception as exc:
            error = error_dict("TuningLoopError", repr(exc))
            with contextlib.suppress(Exception):
                await self._runner.stop("failed", grace=1.0, error=error, status=st.FAILED)
            with contextlib.suppress(Exception):  # record_end keeps the status in memory first: retried below
                self.store.record_end(self.run_id, st.FAILED, error=error)
            return st.FAILED
        finally:
            await self._executor.aclose()
            if self.store.unwritten():
                flush_now_or_later(self.store)

    async def cancel(self, run_id: str | None = None) -> None:
        """Stop the run (SIGTERM, SIGKILL after 1 s)."""
        await self._runner.stop("canceled", grace=1.0)


def submit_single(experiment: "Experiment", run_config: ScriptRunConfig | Callable[[], Any], tags: dict[str, Any]) -> Run:
    """Start one script or function run in the background and return its handle at once."""
    check_platform()
    run_config = _resolve_datasets(run_config, None, experiment.workspace)
    payload = _prepare(run_config)
    store: Store = experiment.workspace._store
    is_script = isinstance(run_config, ScriptRunConfig)
    executor = executor_for(run_config, None, 1)
    run_id = f"{experiment.name}_{int(time.time())}_{uuid.uuid4().hex[:8]}"
    target = executor.target_name
    definition = (specs.script_definition(run_config, {}, target) if is_script
                  else specs.function_definition(run_config, {}, target))
    record: RunRecord = store.create_run(run_id, experiment.name, SCRIPT_TYPE if is_script else FUNCTION_TYPE,
                                         status=st.QUEUED, definition=definition, driver=current_driver(), tags=tags)
    if is_script:
        spec = specs.script_spec(store, record, run_config, {})
        timeout = run_config.max_run_duration_seconds
    else:
        assert payload is not None
        spec = specs.function_spec(store, record, payload, {})
        timeout = None
    controller = SingleRunController(TrialRunner(store, spec, executor, timeout=timeout), executor)
    start_controller(controller, controller.run())
    return Run(experiment, run_id, _record=record)


def start_controller(controller: Any, work: Any) -> None:
    """Register ``controller`` (cancel requests reach it) and run ``work`` on the background loop."""
    control.register(controller)

    async def drive() -> None:
        try:
            await work
        finally:
            control.unregister(controller)

    background.submit(drive())
