"""ScriptRunConfig: a training script run as a subprocess, as in ``azureml.core.ScriptRunConfig``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from hdnotebook.exceptions import UserErrorException
from hdnotebook.run_configuration import RunConfiguration


class ScriptRunConfig:
    """Run ``python <script> <arguments...>`` in a fresh copy of ``source_directory``.

    ``arguments`` is a list of command-line words (non-strings are passed through ``str``).
    ``command`` (a list of words or a shell-free string) replaces ``python <script>`` when given.
    ``max_run_duration_seconds`` stops the child (status Canceled) after that many seconds.
    ``compute_target`` chooses where the child runs: None or ``"local"`` runs it on this machine
    with the current Python interpreter; a Dask scheduler address (``"tcp://host:8786"``), a
    ``distributed.Client``, a Dask cluster or a :class:`hdnotebook.DaskComputeTarget` runs it on a
    worker of that Dask cluster (the source folder is shipped there; ``outputs/`` and the log come
    back). Any other value (an Azure compute name) is recorded and runs on this machine.
    ``run_config`` (a :class:`RunConfiguration`; a new one when not given) holds the target and the
    environment: ``compute_target`` and ``environment``, when given, are set on it, and
    ``src.compute_target`` / ``src.environment`` read and write it, so ``src.run_config.environment = env``
    is the environment the run gets. ``distributed_job_config`` is recorded.
    """

    def __init__(
        self,
        source_directory: str | os.PathLike[str],
        script: str | None = None,
        arguments: Sequence[Any] | None = None,
        run_config: Any = None,
        _telemetry_values: Any = None,
        compute_target: Any = None,
        environment: Any = None,
        distributed_job_config: Any = None,
        resume_from: Any = None,
        max_run_duration_seconds: float | None = 2592000,
        command: Sequence[str] | str | None = None,
        docker_runtime_config: Any = None,
    ) -> None:
        if source_directory is None:
            raise UserErrorException("ScriptRunConfig expects source_directory to be set")
        if script is None and command is None:
            raise UserErrorException("ScriptRunConfig expects one of script or command to be set")
        if script is not None and command is not None:
            raise UserErrorException("ScriptRunConfig expects only one of script or command to be set")
        if arguments is not None and (isinstance(arguments, (str, bytes)) or not isinstance(arguments, Sequence)):
            raise UserErrorException("ScriptRunConfig expects arguments to be a list of command-line words")
        if max_run_duration_seconds is not None and not max_run_duration_seconds > 0:
            raise UserErrorException("ScriptRunConfig expects max_run_duration_seconds to be a positive number")
        self.source_directory = os.fspath(source_directory)
        self.script = script
        self.arguments = list(arguments) if arguments is not None else []
        self.command = command.split() if isinstance(command, str) else (list(command) if command else None)
        if run_config is not None and not isinstance(run_config, RunConfiguration):
            raise UserErrorException(f"ScriptRunConfig expects run_config to be a RunConfiguration, got {type(run_config).__name__}")
        self.run_config = run_config if run_config is not None else RunConfiguration()
        if compute_target is not None:
            self.run_config.target = compute_target
        if environment is not None:
            self.run_config.environment = environment
        self.distributed_job_config = distributed_job_config
        self.resume_from = resume_from
        self.max_run_duration_seconds = max_run_duration_seconds
        self.docker_runtime_config = docker_runtime_config

    @property
    def compute_target(self) -> Any:
        """``run_config.target``: where the run goes (None when it is the default ``"local"``)."""
        target = self.run_config.target
        return None if isinstance(target, str) and target == "local" else target

    @compute_target.setter
    def compute_target(self, value: Any) -> None:
        self.run_config.target = "local" if value is None else value

    @property
    def environment(self) -> Any:
        """``run_config.environment``: the environment the run gets."""
        return self.run_config.environment

    @environment.setter
    def environment(self, value: Any) -> None:
        self.run_config.environment = value

    def __repr__(self) -> str:
        target = self.script if self.script is not None else " ".join(self.command or [])
        return f"ScriptRunConfig(source_directory={self.source_directory!r}, script={target!r}, arguments={self.arguments!r})"
