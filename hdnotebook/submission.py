"""The Azure objects -> the engine's plain plan: the one place the Azure layer hands work to the engine.

``Experiment.submit`` calls :func:`submit_sweep` (a HyperDriveConfig) or :func:`submit_single` (a
ScriptRunConfig or a function). Both check what they are given, resolve dataset inputs to local folders,
build a :class:`~hdnotebook._engine.plan.ScriptTrial` / ``FunctionTrial`` (and a ``SweepPlan``), record the
run in the store, start it on the background loop and wrap it in its handle.
"""

from __future__ import annotations

import copy
import json
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdnotebook import status as st
from hdnotebook._engine import specs
from hdnotebook._engine.driver import current_driver
from hdnotebook._engine.executors.dask_target import is_dask_target
from hdnotebook._engine.executors.process import check_platform
from hdnotebook._engine.executors.selection import compute_target_of
from hdnotebook._engine.layout import FUNCTION_TYPE, HYPERDRIVE_TYPE, SCRIPT_TYPE
from hdnotebook._engine.plan import FunctionTrial, ScriptTrial, SweepPlan, Trial
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook._engine.submit import single_definition, single_executor, start_single, start_sweep, sweep_executor
from hdnotebook.data.consumption import dataset_inputs, input_datasets_of, resolve_run_config
from hdnotebook.exceptions import UserErrorException
from hdnotebook.runs.run_handle import Run
from hdnotebook.script_run_config import ScriptRunConfig
from hdnotebook.sweep_recipe import keep_recipe

if TYPE_CHECKING:
    from hdnotebook.experiment import Experiment
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun


def trial_of(run_config: Any) -> Trial:
    """What the engine needs to start one child of ``run_config`` (datasets already resolved): a ScriptTrial
    (the script's folder and script are checked now) or a FunctionTrial (the function is pickled once now;
    every child gets these bytes). Errors name the problem."""
    if isinstance(run_config, ScriptRunConfig):
        environment = run_config.environment
        trial = ScriptTrial(
            source_directory=run_config.source_directory, script=run_config.script, command=run_config.command,
            arguments=list(run_config.arguments), environment_name=getattr(environment, "name", None),
            environment_variables=dict(getattr(environment, "environment_variables", None) or {}),
            input_datasets=input_datasets_of(run_config), max_run_duration_seconds=run_config.max_run_duration_seconds)
        specs.check_script_config(trial)
        _warn_missing_packages(environment)
        return trial
    return FunctionTrial(function=run_config, payload=specs.pickle_function(run_config),
                         input_datasets=input_datasets_of(run_config),
                         accepts_resume=specs.accepts_keyword(run_config, "resume_from"))


def _resolve_datasets(run_config: Any, compute_target: Any, workspace: Any) -> Any:
    """The run config with its dataset inputs replaced by local folders (materialised now, once for every
    child); a Dask target with dataset inputs raises, since those folders exist only on this machine."""
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


def sweep_plan(config: Any, trial: Trial) -> SweepPlan:
    """The engine's plan of a HyperDriveConfig (its sampler already made ready for one sweep)."""
    return SweepPlan(
        trial=trial, hyperparameter_sampling=config.hyperparameter_sampling, policy=config.policy,
        primary_metric_name=config.primary_metric_name, primary_metric_goal=config.primary_metric_goal,
        max_total_runs=config.max_total_runs, max_concurrent_runs=config.max_concurrent_runs,
        max_duration_minutes=config.max_duration_minutes,
        resume_child_ids=tuple(r.id for r in config.resume_child_runs),
        compute_target=compute_target_of(config.run_config, getattr(config, "compute_target", None)))


def submit_sweep(experiment: Experiment, config: Any, tags: dict[str, Any]) -> HyperDriveRun:
    """Record the sweep, start its tuning loop in the background and return its handle at once."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    check_platform()
    given, config = config, copy.copy(config)
    config._run_config = _resolve_datasets(config.run_config, config.compute_target, experiment.workspace)
    config._hyperparameter_sampling = config.hyperparameter_sampling.for_sweep()
    plan = sweep_plan(config, trial_of(config.run_config))
    store: Store = experiment.workspace._store
    run_id = config.custom_run_id or f"HD_{uuid.uuid4()}"
    if store.get_run(run_id) is not None:
        raise UserErrorException(f"custom_run_id {run_id!r} is already used by another run of this workspace")
    executor = sweep_executor(plan)
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
    keep_recipe(store, run_id, config, plan.trial.payload if isinstance(plan.trial, FunctionTrial) else None)
    start_sweep(store, record, plan, executor)
    return HyperDriveRun(experiment, run_id, hyperdrive_config=given, _record=record)


def submit_single(experiment: Experiment, run_config: ScriptRunConfig | Callable[[], Any], tags: dict[str, Any]) -> Run:
    """Start one script or function run in the background and return its handle at once."""
    check_platform()
    run_config = _resolve_datasets(run_config, None, experiment.workspace)
    trial = trial_of(run_config)
    store: Store = experiment.workspace._store
    executor = single_executor(trial, compute_target_of(run_config, None))
    run_id = f"{experiment.name}_{int(time.time())}_{uuid.uuid4().hex[:8]}"
    record: RunRecord = store.create_run(run_id, experiment.name, SCRIPT_TYPE if isinstance(trial, ScriptTrial) else FUNCTION_TYPE,
                                         status=st.QUEUED, definition=single_definition(trial, executor.target_name),
                                         driver=current_driver(), tags=tags)
    start_single(store, record, trial, executor)
    return Run(experiment, run_id, _record=record)
