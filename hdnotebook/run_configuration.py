"""``azureml.core.runconfig.RunConfiguration`` and ``DockerConfiguration``: where and with what a script runs.

A ScriptRunConfig always has one (``src.run_config``); its ``target`` and ``environment`` are the ones the
submitted run uses, so ``src.run_config.environment = env`` and ``src.run_config.target = "cpu-cluster"``
work as in Azure. Children run with this Python whatever the environment says (see
:mod:`hdnotebook.environment`); ``docker`` is recorded.
"""

from __future__ import annotations

from typing import Any

from hdnotebook.environment import CondaDependencies, Environment
from hdnotebook.exceptions import UserErrorException

DEFAULT_ENVIRONMENT_NAME = "Experiment Environment"


class DockerConfiguration:
    """``DockerConfiguration(use_docker=..., arguments=..., shm_size=...)``: recorded, not used."""

    def __init__(self, use_docker: bool = False, shared_volumes: bool = True, arguments: list[str] | None = None,
                 shm_size: str | None = None, **kwargs: Any) -> None:
        self.use_docker = bool(use_docker)
        self.shared_volumes = shared_volumes
        self.arguments = list(arguments or [])
        self.shm_size = shm_size


class RunConfiguration:
    """How a script runs: ``target`` (a compute target name or object; ``"local"``), ``environment`` (an
    :class:`Environment`; a new one holds Azure's default dependencies), ``node_count``, ``framework``,
    ``communicator``, ``max_run_duration_seconds``, ``docker`` and ``data`` (recorded).

    ``conda_dependencies`` (a CondaDependencies) becomes the environment's dependencies; ``script``,
    ``arguments`` and ``command`` are kept for a ScriptRunConfig made from this configuration.
    """

    def __init__(self, script: str | None = None, arguments: list[Any] | None = None, framework: str | None = None,
                 communicator: str | None = None, conda_dependencies: CondaDependencies | None = None,
                 _history_enabled: Any = None, _path: Any = None, _name: Any = None, command: Any = None) -> None:
        if conda_dependencies is not None and not isinstance(conda_dependencies, CondaDependencies):
            raise UserErrorException("RunConfiguration expects conda_dependencies to be a CondaDependencies, "
                                     f"got {type(conda_dependencies).__name__}")
        self.script = script
        self.arguments = list(arguments or [])
        self.command = command
        self.framework = framework or "Python"
        self.communicator = communicator or "None"
        self.target: Any = "local"
        self.node_count = 1
        self.max_run_duration_seconds: float | None = None
        self.environment: Any = Environment(_name or DEFAULT_ENVIRONMENT_NAME)
        if conda_dependencies is not None:
            self.environment.python.conda_dependencies = conda_dependencies
        self.docker = DockerConfiguration()
        self.data: dict[str, Any] = {}
        self.history: dict[str, Any] = {"outputCollection": True}

    def __repr__(self) -> str:
        target = getattr(self.target, "name", self.target)
        return f"RunConfiguration(target={target!r}, environment={getattr(self.environment, 'name', None)!r})"
