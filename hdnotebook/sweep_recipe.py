"""A sweep's recipe (Azure layer: it keeps the Azure objects, which ``resumption.py`` turns into the engine's plan
again): everything its submission needs, kept in the store at submit so that a later process of the
workspace can continue the sweep (``resumption.py``) without anything from the user.

The recipe is a cloudpickle of ``SweepSettings``: the run configuration as submitted (datasets already resolved to
local folders), the sampler with its effective seed, the policy, the metric and the
budgets, and the compute target (a name, a scheduler address, or a fresh ``DaskComputeTarget`` for a cluster started
on demand). A workspace store the settings refer to (say through a ``ComputeTarget``) is kept as a reference and
resolved to the resuming process's store. A function sweep's function is kept once, beside it: the cloudpickle
its children get (a notebook function by value), loaded again as the settings' ``run_config``. A configuration that cannot be pickled does not stop the submission: the reason is kept instead, and
``resume()`` reports it.
"""

from __future__ import annotations

import copy
import io
import pickle
from dataclasses import dataclass, field
from typing import Any

from hdnotebook._engine.executors.dask_target import DaskComputeTarget, as_dask_target, is_dask_target
from hdnotebook._engine.executors.selection import compute_target_of, local_target_name
from hdnotebook._engine.store import Store
from hdnotebook.exceptions import UserErrorException
from hdnotebook.goal import PrimaryMetricGoal

_STORE_REFERENCE = "hdnotebook-workspace-store"


@dataclass(frozen=True)
class RunRef:
    """A run named by id (what the tuning loop needs of a ``resume_child_runs`` entry)."""

    id: str


@dataclass
class SweepSettings:
    """What the tuning loop reads of a HyperDriveConfig (the same attribute names), as plain data."""

    run_config: Any
    hyperparameter_sampling: Any
    policy: Any
    primary_metric_name: str
    primary_metric_goal: PrimaryMetricGoal
    max_total_runs: int
    max_concurrent_runs: int
    max_duration_minutes: float
    compute_target: Any = None
    resume_child_runs: list[RunRef] = field(default_factory=list)


def _kept_target(run_config: Any, compute_target: Any) -> Any:
    """The compute target as it can be used again by another process."""
    target = compute_target_of(run_config, compute_target)
    if not is_dask_target(target):
        return local_target_name(target)
    dask = as_dask_target(target)
    if dask._address is None:  # a LocalCluster started on demand died with its process: start a new one alike
        return DaskComputeTarget(None, dask.n_workers, dask.threads_per_worker, connect_timeout=dask.connect_timeout,
                                 **dask._cluster_kwargs)
    return dask.address


def _without_target(run_config: Any) -> Any:
    """A copy of a ScriptRunConfig whose compute target is left to the settings (a Dask client cannot be pickled);
    a function as it is."""
    inner = getattr(run_config, "run_config", None)
    if inner is None or not hasattr(run_config, "compute_target"):
        return run_config
    kept = copy.copy(run_config)
    kept.run_config = copy.copy(inner)
    kept.compute_target = None
    return kept


def settings_of(config: Any, payload: bytes | None = None) -> SweepSettings:
    """The settings of a (submitted) HyperDriveConfig; a function sweep's function is left out (None) when its
    ``payload`` is kept beside them, so that it is stored once."""
    return SweepSettings(
        run_config=None if payload is not None else _without_target(config.run_config),
        hyperparameter_sampling=config.hyperparameter_sampling,
        policy=config.policy, primary_metric_name=config.primary_metric_name,
        primary_metric_goal=config.primary_metric_goal, max_total_runs=config.max_total_runs,
        max_concurrent_runs=config.max_concurrent_runs, max_duration_minutes=config.max_duration_minutes,
        compute_target=_kept_target(config.run_config, getattr(config, "compute_target", None)),
        resume_child_runs=[RunRef(r.id) for r in config.resume_child_runs])


class _Pickler:
    """cloudpickle with workspace stores replaced by a reference."""

    @staticmethod
    def dumps(value: Any) -> bytes:
        import cloudpickle

        class Pickler(cloudpickle.Pickler):  # type: ignore[misc]
            def persistent_id(self, obj: Any) -> Any:
                return _STORE_REFERENCE if isinstance(obj, Store) else None

        buffer = io.BytesIO()
        Pickler(buffer, protocol=pickle.DEFAULT_PROTOCOL).dump(value)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes, store: Store) -> Any:
        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid: Any) -> Any:
                if pid == _STORE_REFERENCE:
                    return store
                raise pickle.UnpicklingError(f"unknown reference {pid!r}")

        return Unpickler(io.BytesIO(data)).load()


def keep_recipe(store: Store, run_id: str, config: Any, payload: bytes | None) -> None:
    """Keep the recipe of sweep ``run_id`` (``config`` as submitted, ``payload`` its pickled function or None);
    when the settings cannot be pickled, keep the reason."""
    try:
        recipe, problem = _Pickler.dumps(settings_of(config, payload)), None
    except Exception as exc:  # any object cloudpickle refuses: the sweep runs, it just cannot be resumed
        recipe, problem = None, f"its configuration could not be pickled at submit ({type(exc).__name__}: {exc})"
    store.keep_sweep_recipe(run_id, recipe, payload, problem)


def load_recipe(store: Store, run_id: str) -> tuple[SweepSettings, bytes | None]:
    """The settings and the pickled function (None for scripts) of sweep ``run_id``; UserErrorException naming
    the cause when there is none or it cannot be loaded in this process."""
    kept = store.sweep_recipe(run_id)
    if kept is None:
        raise UserErrorException(f"Sweep {run_id} cannot be resumed: it was submitted before the store kept what a "
                                 "sweep needs to continue (store schema 5).")
    if kept.recipe is None:
        raise UserErrorException(f"Sweep {run_id} cannot be resumed: {kept.problem}.")
    try:
        settings = _Pickler.loads(kept.recipe, store)
        if settings.run_config is None and kept.payload is not None:
            settings.run_config = _Pickler.loads(kept.payload, store)
    except Exception as exc:
        raise UserErrorException(f"Sweep {run_id} cannot be resumed in this process: its configuration does not load "
                                 f"here ({type(exc).__name__}: {exc}); a function or class it uses must be importable "
                                 "the same way as where it was submitted.") from exc
    return settings, kept.payload
