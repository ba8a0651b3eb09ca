"""ScriptRunConfig: a training script run as a subprocess, as in ``azureml.core.ScriptRunConfig``."""

from __future__ import annotations

import os
from typing import Any, Sequence

from hdnotebook.exceptions import UserErrorException


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
    ``environment``, ``run_config`` and ``distributed_job_config`` are accepted for compatibility
    and recorded.
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
        self.run_config = run_config
        self.compute_target = compute_target
        self.environment = environment
        self.distributed_job_config = distributed_job_config
        self.resume_from = resume_from
        self.max_run_duration_seconds = max_run_duration_seconds
        self.docker_runtime_config = docker_runtime_config

    def __repr__(self) -> str:
        target = self.script if self.script is not None else " ".join(self.command or [])
        return f"ScriptRunConfig(source_directory={self.source_directory!r}, script={target!r}, arguments={self.arguments!r})"
