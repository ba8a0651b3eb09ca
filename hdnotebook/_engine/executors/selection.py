"""Choosing the executor of a sweep or a single run from its compute target."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from hdnotebook._engine.executors.base import Executor
from hdnotebook._engine.executors.dask_target import as_dask_target, is_dask_target, require_distributed
from hdnotebook._engine.executors.inline import InlineExecutor, is_inline_target
from hdnotebook._engine.executors.local import LocalExecutor


def compute_target_of(run_config: Any, compute_target: Any = None) -> Any:
    """The target that applies: ``compute_target`` (HyperDriveConfig's) if set, else the ScriptRunConfig's."""
    return compute_target if compute_target is not None else getattr(run_config, "compute_target", None)


def local_target_name(target: Any) -> str:
    """The name run details report for a target that runs children on this machine: a target name given as a
    string, the ``name`` of a compute target object (an Azure-style ``ComputeTarget``), else ``"local"``."""
    if isinstance(target, str) and target:
        return target
    name = getattr(target, "name", None)
    return name if isinstance(name, str) and name else "local"


def executor_for(run_config: Any, compute_target: Any, slots: int, prestart: int = 0, *,
                 run_on_loop: Callable[[Coroutine[Any, Any, None]], object]) -> Executor:
    """A LocalExecutor, or a started DaskExecutor when the target is a Dask one (see dask_target.py).

    A Dask executor connects and checks the workers' versions here, in the calling thread, through
    ``run_on_loop`` (the tuning loop's: runs a coroutine there and waits for it), so a missing
    ``distributed`` (ImportError naming ``pip install hdnotebook[dask]``), an unreachable scheduler or
    a version mismatch (TrainingException) is raised by ``submit`` itself.
    """
    target = compute_target_of(run_config, compute_target)
    if is_inline_target(target):  # the in-process test double (tests select it with compute_target=InlineTarget())
        return InlineExecutor(slots)
    if not is_dask_target(target):
        local = LocalExecutor(slots, prestart_workers=prestart)
        local.target_name = local_target_name(target)
        return local
    require_distributed()
    from hdnotebook._engine.executors.dask_executor import DaskExecutor

    executor = DaskExecutor(as_dask_target(target), slots, source_directory=getattr(run_config, "source_directory", None))
    run_on_loop(executor.start())
    return executor
