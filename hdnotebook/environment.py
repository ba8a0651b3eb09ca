"""``azureml.core.Environment`` and ``CondaDependencies``, for notebooks that migrate unchanged.

Children always run with the Python interpreter of the notebook (or script) that submits them: an
environment is recorded, not built. ``missing_packages()`` lists what an environment asks for that this
Python does not have, and submitting a ScriptRunConfig whose environment lists such packages warns.
Packages of Azure ML itself (``azureml-*``) and ``python``/``pip`` are not counted.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from pathlib import Path
from typing import Any

from hdnotebook.exceptions import UserErrorException

_NAME_END = re.compile(r"[\s=<>!~\[;@]")
_IGNORED = ("python", "pip")


def _package_name(requirement: str) -> str | None:
    name = _NAME_END.split(requirement.strip(), maxsplit=1)[0].strip().lower().replace("_", "-")
    if not name or name.startswith(("#", "-", "azureml")) or name in _IGNORED or "::" in name:
        return None
    return name


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


class CondaDependencies:
    """The packages an environment asks for: ``CondaDependencies.create(pip_packages=[...], conda_packages=[...])``."""

    def __init__(self, conda_dependencies_file_path: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        self.conda_packages: list[str] = []
        self.pip_packages: list[str] = []
        self.python_version: str | None = None
        if conda_dependencies_file_path is not None:
            self._read_conda_file(Path(conda_dependencies_file_path))

    @staticmethod
    def create(pip_packages: list[str] | None = None, conda_packages: list[str] | None = None,
               python_version: str | None = None, pin_sdk_version: bool = True, **kwargs: Any) -> "CondaDependencies":
        """Dependencies made of the given package lists."""
        deps = CondaDependencies()
        for package in pip_packages or []:
            deps.add_pip_package(package)
        for package in conda_packages or []:
            deps.add_conda_package(package)
        deps.python_version = python_version
        return deps

    def add_pip_package(self, pip_package: str) -> None:
        """Ask for a pip package (a requirement string)."""
        self.pip_packages.append(str(pip_package))

    def add_conda_package(self, conda_package: str) -> None:
        """Ask for a conda package (a match spec)."""
        self.conda_packages.append(str(conda_package))

    def _read_conda_file(self, path: Path) -> None:
        if not path.is_file():
            raise UserErrorException(f"file_path expects an existing conda specification file, got {os.fspath(path)!r}")
        section = None
        for raw in path.read_text().splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            text = line.strip()
            if indent == 0:
                section = text.rstrip(":") if text.endswith(":") else None
            elif section == "dependencies" and text.startswith("- "):
                item = text[2:].strip()
                if item.rstrip(":") == "pip" and item.endswith(":"):
                    continue
                (self.pip_packages if indent > 2 else self.conda_packages).append(item)

    def package_names(self) -> list[str]:
        """Every package asked for (normalised names, Azure ML's own and python/pip left out), in order."""
        names = [_package_name(p) for p in [*self.conda_packages, *self.pip_packages]]
        return list(dict.fromkeys(n for n in names if n))


class _PythonSection:
    def __init__(self) -> None:
        self.conda_dependencies = CondaDependencies()
        self.user_managed_dependencies = False
        self.interpreter_path = sys.executable


class Environment:
    """A named set of dependencies. Children run with this Python whatever the environment says."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise UserErrorException("Environment expects name to be a non-empty string")
        self.name = name
        self.version: str | None = None
        self.python = _PythonSection()
        self.environment_variables: dict[str, str] = {}
        self.docker: Any = None

    @staticmethod
    def from_conda_specification(name: str, file_path: str | os.PathLike[str]) -> "Environment":
        """An environment whose dependencies are those of a conda YAML file."""
        env = Environment(name)
        env.python.conda_dependencies = CondaDependencies(file_path)
        return env

    @staticmethod
    def from_pip_requirements(name: str, file_path: str | os.PathLike[str], pip_version: str | None = None) -> "Environment":
        """An environment whose dependencies are those of a requirements file."""
        path = Path(file_path)
        if not path.is_file():
            raise UserErrorException(f"file_path expects an existing requirements file, got {os.fspath(file_path)!r}")
        env = Environment(name)
        for line in path.read_text().splitlines():
            if line.strip() and not line.strip().startswith(("#", "-")):
                env.python.conda_dependencies.add_pip_package(line.strip())
        return env

    @staticmethod
    def from_existing_conda_environment(name: str, conda_environment_name: str) -> "Environment":
        """An environment named after an existing conda environment (its packages are not read)."""
        return Environment(name)

    @staticmethod
    def get(workspace: Any, name: str, version: str | None = None, label: str | None = None) -> "Environment":
        """A registered or curated environment by name (e.g. ``AzureML-sklearn-...``): an empty one here."""
        return Environment(name)

    def register(self, workspace: Any) -> "Environment":
        """Registering is not needed locally; returns this environment."""
        return self

    def missing_packages(self) -> list[str]:
        """Packages the environment asks for that this Python does not have (conda and pip names can differ)."""
        return [name for name in self.python.conda_dependencies.package_names() if not _installed(name)]

    def __repr__(self) -> str:
        return f"Environment(name={self.name!r}, packages={self.python.conda_dependencies.package_names()!r})"
