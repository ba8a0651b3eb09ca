"""``azureml.train.estimator.Estimator``: a training script described with Azure's estimator arguments.

An estimator is a :class:`ScriptRunConfig` (``python <entry_script> <arguments>`` in a copy of
``source_directory``), so submitting it and tuning it work exactly as for a ScriptRunConfig.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hdnotebook.environment import Environment
from hdnotebook.exceptions import UserErrorException
from hdnotebook.script_run_config import ScriptRunConfig

__all__ = ["Estimator", "script_params_arguments"]

_PACKAGE_ARGUMENTS = ("conda_packages", "pip_packages", "conda_dependencies_file", "conda_dependencies_file_path",
                      "pip_requirements_file", "pip_requirements_file_path")


def script_params_arguments(script_params: Mapping[Any, Any] | None) -> list[Any]:
    """``{"--data-folder": x, "--flag": None}`` as command-line words in dict order: each key, then its value
    unless the value is None or ``""`` (a bare flag). Values keep their type; children get ``str(value)``."""
    words: list[Any] = []
    for key, value in (script_params or {}).items():
        words.append(key)
        if value is not None and value != "":
            words.append(value)
    return words


def _word_list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise UserErrorException(f"Estimator expects {name} to be a list of strings, got {type(value).__name__}")
    return [str(v) for v in value]


class Estimator(ScriptRunConfig):
    """``Estimator(source_directory, entry_script=..., script_params={...}, ...)``, as ``azureml.train.estimator``.

    Used: ``source_directory``, ``entry_script`` (required), ``script_params`` (a dict: each key then its
    value, in dict order, a None or ``""`` value giving a bare flag), ``arguments`` (words appended after
    them), ``compute_target`` (as for a ScriptRunConfig: a Dask target runs the child on a Dask cluster,
    anything else on this machine) and ``max_run_duration_seconds``. HyperDrive appends the sampled
    values to these arguments, replacing a script parameter the space also sets.

    The environment is ``environment_definition`` when given; otherwise one is made from
    ``conda_packages``, ``pip_packages``, ``conda_dependencies_file`` and ``pip_requirements_file`` (the
    ``*_path`` variants too; relative paths are inside ``source_directory``) plus the framework's own
    package (SKLearn, TensorFlow, PyTorch). Giving both raises UserErrorException. As for any
    environment, submitting warns about packages this Python lacks; children run with this Python.
    ``environment_variables`` are set for the child; ``use_docker``, ``custom_docker_image`` and
    ``shm_size`` are recorded in that environment, not applied. Every other argument (vm_size, node_count, use_gpu, inputs,
    distributed settings...) is recorded in ``settings`` and changes nothing: one child runs one process.
    """

    _framework_package: str | None = None

    def __init__(
        self,
        source_directory: str | os.PathLike[str],
        *,
        compute_target: Any = None,
        vm_size: str | None = None,
        vm_priority: str | None = None,
        entry_script: str | None = None,
        script_params: Mapping[str, Any] | None = None,
        arguments: Sequence[Any] | None = None,
        node_count: int = 1,
        process_count_per_node: int = 1,
        distributed_backend: str | None = None,
        distributed_training: Any = None,
        use_gpu: bool = False,
        use_docker: bool = True,
        custom_docker_base_image: str | None = None,
        custom_docker_image: str | None = None,
        image_registry_details: Any = None,
        user_managed: bool = False,
        conda_packages: Sequence[str] | None = None,
        pip_packages: Sequence[str] | None = None,
        conda_dependencies_file_path: str | None = None,
        pip_requirements_file_path: str | None = None,
        conda_dependencies_file: str | None = None,
        pip_requirements_file: str | None = None,
        environment_variables: Mapping[str, str] | None = None,
        environment_definition: Environment | None = None,
        inputs: Sequence[Any] | None = None,
        source_directory_data_store: Any = None,
        shm_size: str | None = None,
        resume_from: Any = None,
        max_run_duration_seconds: float | None = None,
        framework_version: str | None = None,
    ) -> None:
        settings = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        if source_directory is None:
            raise UserErrorException(f"{type(self).__name__} expects source_directory to be set")
        if not (isinstance(entry_script, str) and entry_script):
            raise UserErrorException(f"{type(self).__name__} expects entry_script to be set (the script to run), got {entry_script!r}")
        if script_params is not None and not isinstance(script_params, Mapping):
            raise UserErrorException(f"{type(self).__name__} expects script_params to be a dict of argument name to value, "
                                     f"got {type(script_params).__name__}")
        if arguments is not None and (isinstance(arguments, (str, bytes)) or not isinstance(arguments, Sequence)):
            raise UserErrorException(f"{type(self).__name__} expects arguments to be a list of command-line words, "
                                     f"got {type(arguments).__name__}")
        super().__init__(
            source_directory, script=entry_script, arguments=[*script_params_arguments(script_params), *(arguments or [])],
            compute_target=compute_target, environment=self._environment(settings), resume_from=resume_from,
            **({} if max_run_duration_seconds is None else {"max_run_duration_seconds": max_run_duration_seconds}),
        )
        self.settings: dict[str, Any] = settings
        self.entry_script = entry_script
        self.script_params: dict[str, Any] = dict(script_params or {})
        self.framework_version = framework_version

    def _environment(self, settings: dict[str, Any]) -> Environment:
        name = type(self).__name__
        given = settings["environment_definition"]
        if given is not None:
            if not isinstance(given, Environment):
                raise UserErrorException(f"{name} expects environment_definition to be an Environment, got {type(given).__name__}")
            clashing = [k for k in _PACKAGE_ARGUMENTS if settings[k]]
            if clashing:
                raise UserErrorException(f"{name} expects either environment_definition or {', '.join(clashing)}, not both")
            return given
        source = Path(settings["source_directory"]) if settings["source_directory"] is not None else Path(".")
        requirements = settings["pip_requirements_file"] or settings["pip_requirements_file_path"]
        env = (Environment.from_pip_requirements(f"{name}-env", source / requirements) if requirements
               else Environment(f"{name}-env"))
        conda_file = settings["conda_dependencies_file"] or settings["conda_dependencies_file_path"]
        if conda_file:
            from_file = Environment.from_conda_specification(env.name, source / conda_file).python.conda_dependencies
            for package in from_file.conda_packages:
                env.python.conda_dependencies.add_conda_package(package)
            for package in from_file.pip_packages:
                env.python.conda_dependencies.add_pip_package(package)
        for package in _word_list("conda_packages", settings["conda_packages"]):
            env.python.conda_dependencies.add_conda_package(package)
        for package in _word_list("pip_packages", settings["pip_packages"]):
            env.python.conda_dependencies.add_pip_package(package)
        if self._framework_package:
            env.python.conda_dependencies.add_pip_package(self._framework_package)
        env.environment_variables = dict(settings["environment_variables"] or {})
        env.docker.enabled = bool(settings["use_docker"])
        env.docker.base_image = settings["custom_docker_image"] or settings["custom_docker_base_image"] or env.docker.base_image
        env.docker.shm_size = settings["shm_size"]
        return env

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(source_directory={self.source_directory!r}, entry_script={self.entry_script!r}, "
                f"arguments={self.arguments!r})")
