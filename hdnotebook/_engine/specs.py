"""Turning a run configuration and sampled values into an executor TrialSpec."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hdnotebook._engine import channel
from hdnotebook._engine.executors.base import TrialKind, TrialSpec
from hdnotebook._engine.executors.source import copy_source
from hdnotebook._engine.layout import RESUME_ARGUMENT, RESUME_FOLDER, STD_LOG, argument_key
from hdnotebook._engine.plan import FunctionTrial, ScriptTrial
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook.exceptions import UserErrorException


def keyword_name(key: str) -> str:
    """A parameter-space key as a Python keyword: leading dashes stripped, inner dashes as underscores."""
    return key.lstrip("-").replace("-", "_")


def merge_arguments(base: list[Any], params: dict[str, Any]) -> list[str]:
    """Base arguments without the options the space sets (and their values), then ``key value`` pairs."""
    sampled = {argument_key(k) for k in params}
    words = [str(w) for w in base]
    kept: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        option = word.split("=", 1)[0]
        if option in sampled:
            i += 1 if "=" in word else 2 if i + 1 < len(words) and not _is_option(words[i + 1]) else 1
            continue
        kept.append(word)
        i += 1
    for key, value in params.items():
        kept += [argument_key(key), str(value)]
    return kept


def _is_option(word: str) -> bool:
    return word.startswith("-") and not _is_number(word)


def _is_number(word: str) -> bool:
    try:
        float(word)
        return True
    except ValueError:
        return False


def check_script_config(config: ScriptTrial) -> None:
    """Fail early, naming the argument, when the source folder or script does not exist."""
    source = Path(config.source_directory)
    if not source.is_dir():
        raise UserErrorException(f"ScriptRunConfig expects source_directory to be an existing folder, got {config.source_directory!r}")
    if config.script is not None and not (source / config.script).is_file():
        raise UserErrorException(f"ScriptRunConfig expects script {config.script!r} to exist in {config.source_directory!r}")


SNAPSHOT_MANIFEST = ".snapshot.json"  # in a script run's folder: the source files copied there (run.restore_snapshot)


def prepare_resume(store: Store, record: RunRecord, resumed_run_id: str) -> str:
    """Make a resumed child continue an old run: copy the old run's metrics (so interval counts carry
    on) and its ``outputs/`` (its checkpoints) into ``<run folder>/resume_from``; returns that folder."""
    store.copy_metrics(resumed_run_id, record.run_id)
    target = Path(record.run_dir) / RESUME_FOLDER
    source = store.run_folder(resumed_run_id) / "outputs"
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
    return str(target)


def accepts_keyword(fn: Callable[..., Any], name: str) -> bool:
    """True when ``fn`` can be called with the keyword argument ``name``."""
    import inspect

    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) or p.kind is p.VAR_KEYWORD
               for p in parameters)


def child_env(store: Store, record: RunRecord, resume_folder: str | None = None) -> dict[str, str]:
    """The variables that tell a child process which run it is (and, when resumed, where its checkpoints are)."""
    env = {
        channel.ENV_RUN_ID: record.run_id,
        channel.ENV_EXPERIMENT: record.experiment,
        channel.ENV_WORKSPACE: str(store.folder),
        channel.ENV_RUN_DIR: record.run_dir,
        "AZUREML_RUN_ID": record.run_id,
    }
    if record.parent_id:
        env[channel.ENV_PARENT_ID] = record.parent_id
    if resume_folder is not None:
        env[channel.ENV_RESUME_FROM] = resume_folder
    return env


def script_definition(config: ScriptTrial, params: dict[str, Any], target: str = "local") -> dict[str, Any]:
    """``runDefinition`` as get_details() shows it; ``arguments`` is the flat list of words."""
    arguments = merge_arguments(config.arguments, params)
    return {
        "script": config.script, "command": " ".join(str(c) for c in (config.command or [])) or None,
        "arguments": arguments, "target": target, "framework": "Python", "nodeCount": 1,
        "environment": {"name": config.environment_name, "python": {"interpreterPath": sys.executable}},
        "sourceDirectory": str(Path(config.source_directory).resolve()),
        "inputDatasets": dict(config.input_datasets),
    }


def script_spec(store: Store, record: RunRecord, config: ScriptTrial, params: dict[str, Any],
                resume_folder: str | None = None) -> TrialSpec:
    """Copy the source folder into the run's folder and build the command line
    (``--resume-from <folder>`` at the end for a resumed child). The environment's
    ``environment_variables`` are set for the child (the run's own HDNOTEBOOK_/AZUREML_RUN_ID win)."""
    folder = Path(record.run_dir)
    snapshot = copy_source(Path(config.source_directory).resolve(), folder)
    (folder / SNAPSHOT_MANIFEST).write_text(json.dumps(sorted(snapshot)))
    (folder / "outputs").mkdir(exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    log_path = folder / STD_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    arguments = merge_arguments(config.arguments, params)
    if resume_folder is not None:
        arguments += [RESUME_ARGUMENT, resume_folder]
    if config.command:
        argv = [str(w) for w in config.command] + arguments
        if argv[0] in ("python", "python3"):
            argv[0] = sys.executable
    else:
        argv = [sys.executable, str(config.script), *arguments]
    variables = config.environment_variables
    env = {**{str(k): str(v) for k, v in variables.items()}, **child_env(store, record, resume_folder)}
    return TrialSpec(run_id=record.run_id, kind=TrialKind.SCRIPT, cwd=str(folder), env=env, log_path=str(log_path),
                     argv=argv)


def function_definition(trial: FunctionTrial, params: dict[str, Any], target: str = "local") -> dict[str, Any]:
    """``runDefinition`` of a function child: its name and the keyword arguments it gets."""
    fn = trial.function
    kwargs = {keyword_name(k): v for k, v in params.items()}
    return {
        "function": f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}",
        "arguments": [w for k, v in params.items() for w in (argument_key(k), str(v))],
        "kwargs": kwargs, "target": target, "framework": "Python", "nodeCount": 1,
        "inputDatasets": dict(trial.input_datasets),
    }


def pickle_function(fn: Callable[..., Any]) -> bytes:
    """The function as bytes for a child process (by value when it lives in a notebook), or a clear error."""
    import cloudpickle

    try:
        data: bytes = cloudpickle.dumps(fn)
        return data
    except Exception as exc:
        raise UserErrorException(f"The function {fn!r} cannot be sent to a child process: {exc}") from exc


def function_spec(store: Store, record: RunRecord, payload: bytes, params: dict[str, Any],
                  resume_folder: str | None = None, pass_resume: bool = False) -> TrialSpec:
    """A function child: ``payload`` from pickle_function, called with the sampled values as keywords
    (and ``resume_from=<folder>`` when resumed and ``pass_resume``: the function accepts that keyword)."""
    folder = Path(record.run_dir)
    (folder / "outputs").mkdir(parents=True, exist_ok=True)
    log_path = folder / STD_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {keyword_name(k): v for k, v in params.items()}
    if resume_folder is not None and pass_resume:
        kwargs["resume_from"] = resume_folder
    cwd = os.getcwd()
    sys_path = [cwd if p == "" else p for p in sys.path]
    return TrialSpec(run_id=record.run_id, kind=TrialKind.FUNCTION, cwd=cwd, env=child_env(store, record, resume_folder),
                     log_path=str(log_path), payload=payload, kwargs=kwargs, sys_path=sys_path)

