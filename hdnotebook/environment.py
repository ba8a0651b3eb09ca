"""``azureml.core.Environment`` and ``CondaDependencies``, for notebooks that migrate unchanged.

Children always run with the Python interpreter of the notebook (or script) that submits them: an
environment is recorded, not built. ``missing_packages()`` lists what an environment asks for that this
Python does not have, and submitting a ScriptRunConfig whose environment lists such packages warns.
Packages of Azure ML itself (``azureml-*``) and ``python``/``pip`` are not counted.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from hdnotebook.exceptions import UserErrorException

_NAME_END = re.compile(r"[\s=<>!~\[;@]")
_IGNORED = ("python", "pip")

# Azure ML v1's printed defaults (azureml-core 1.5x): a new CondaDependencies pins this Python and asks for
# azureml-defaults (unpinned) on pip; a new Environment's docker base image is the OpenMPI CPU image.
DEFAULT_PYTHON_VERSION = "3.8.13"
DEFAULT_PIP_PACKAGES = ("azureml-defaults",)
DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20230509.v1"


def _package_name(requirement: str) -> str | None:
    name = _NAME_END.split(requirement.strip(), maxsplit=1)[0].strip().lower().replace("_", "-")
    if not name or name.startswith(("#", "-", "azureml")) or name in _IGNORED or "::" in name:
        return None
    return name


def _installed(name: str) -> bool:
    import importlib.metadata  # here: it costs the package's import a few tens of ms (email, zipfile, csv...)

    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def _conda_dependencies(path: Path) -> list[Any]:
    """The ``dependencies`` list of a conda YAML file: package strings and ``{"pip": [...]}`` entries."""
    import yaml

    rule = "a conda specification: a YAML mapping whose 'dependencies' is a list of packages and {'pip': [...]} entries"
    try:
        spec = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise UserErrorException(f"file_path expects {rule}; {os.fspath(path)!r} is not valid YAML: {exc}") from None
    dependencies = spec.get("dependencies") if isinstance(spec, dict) else None
    items = [] if dependencies is None else dependencies
    valid = isinstance(items, list) and all(
        isinstance(i, (str, int, float)) or (isinstance(i, dict) and isinstance(i.get("pip") or [], list)) for i in items)
    if not isinstance(spec, dict) or not valid:
        raise UserErrorException(f"file_path expects {rule}, got {os.fspath(path)!r}")
    return items


class CondaDependencies:
    """The packages an environment asks for: ``CondaDependencies.create(pip_packages=[...], conda_packages=[...])``.

    Without a file it starts as Azure's does: ``python=3.8.13`` and the pip package ``azureml-defaults``; a
    conda file gives exactly that file's packages.
    """

    def __init__(self, conda_dependencies_file_path: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        self.conda_packages: list[str] = []
        self.pip_packages: list[str] = []
        self.python_version: str | None = None
        if conda_dependencies_file_path is not None:
            self._read_conda_file(Path(conda_dependencies_file_path))
        else:
            self.python_version = DEFAULT_PYTHON_VERSION
            self.pip_packages.extend(DEFAULT_PIP_PACKAGES)

    @staticmethod
    def create(pip_packages: list[str] | None = None, conda_packages: list[str] | None = None,
               python_version: str | None = None, pin_sdk_version: bool = True, **kwargs: Any) -> CondaDependencies:
        """Azure's defaults (see the class) plus the given package lists; ``python_version`` replaces 3.8.13."""
        deps = CondaDependencies()
        for package in pip_packages or []:
            deps.add_pip_package(package)
        for package in conda_packages or []:
            deps.add_conda_package(package)
        if python_version is not None:
            deps.python_version = python_version
        return deps

    def add_pip_package(self, pip_package: str) -> None:
        """Ask for a pip package (a requirement string)."""
        self.pip_packages.append(str(pip_package))

    def add_conda_package(self, conda_package: str) -> None:
        """Ask for a conda package (a match spec)."""
        self.conda_packages.append(str(conda_package))

    def add_tensorflow_conda_package(self, core_type: str = "cpu", version: str | None = None) -> None:
        """Ask for the conda package ``tensorflow`` (``tensorflow-gpu`` when ``core_type`` is ``"gpu"``), pinned to
        ``version`` when given."""
        if core_type not in ("cpu", "gpu"):
            raise UserErrorException(f"add_tensorflow_conda_package expects core_type to be 'cpu' or 'gpu', got {core_type!r}")
        name = "tensorflow-gpu" if core_type == "gpu" else "tensorflow"
        self.add_conda_package(f"{name}={version}" if version else name)

    def serialize_to_string(self) -> str:
        """The dependencies as conda YAML: ``name``, ``dependencies`` (``python=<python_version>`` when set, the
        conda packages, then ``{pip: [...]}``) and ``channels`` (anaconda, conda-forge)."""
        import yaml

        dependencies: list[Any] = [f"python={self.python_version}"] if self.python_version else []
        dependencies += self.conda_packages
        if self.pip_packages:
            dependencies.append({"pip": list(self.pip_packages)})
        spec = {"name": "project_environment", "dependencies": dependencies, "channels": ["anaconda", "conda-forge"]}
        return yaml.safe_dump(spec, sort_keys=False)

    def save_to_file(self, base_directory: str | os.PathLike[str], conda_file_path: str | os.PathLike[str] | None = None) -> str:
        """Write :meth:`serialize_to_string` to ``base_directory/conda_file_path`` (default
        ``conda_dependencies.yml``), creating folders as needed; returns the file's path."""
        path = Path(base_directory) / (conda_file_path or "conda_dependencies.yml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.serialize_to_string())
        return str(path)

    def _read_conda_file(self, path: Path) -> None:
        if not path.is_file():
            raise UserErrorException(f"file_path expects an existing conda specification file, got {os.fspath(path)!r}")
        for item in _conda_dependencies(path):
            if isinstance(item, dict):
                self.pip_packages.extend(str(p) for p in item.get("pip") or [])
            else:
                self.conda_packages.append(str(item))

    def package_names(self) -> list[str]:
        """Every package asked for (normalised names, Azure ML's own and python/pip left out), in order."""
        names = [_package_name(p) for p in [*self.conda_packages, *self.pip_packages]]
        return list(dict.fromkeys(n for n in names if n))


class _PythonSection:
    def __init__(self) -> None:
        self.conda_dependencies = CondaDependencies()
        self.user_managed_dependencies = False
        self.interpreter_path = sys.executable


class DockerSection:
    """``env.docker``: Docker settings, recorded and not used (children run with the notebook's Python, in no container).

    ``enabled`` (False), ``base_image`` (Azure's default CPU image), ``base_dockerfile``, ``shm_size`` (None: not
    set) and ``arguments`` (a list of ``docker run`` words) are plain writable attributes.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.base_image: str | None = DEFAULT_CPU_IMAGE
        self.base_dockerfile: str | None = None
        self.shm_size: str | None = None
        self.arguments: list[str] = []

    def __repr__(self) -> str:
        return f"DockerSection(enabled={self.enabled!r}, base_image={self.base_image!r})"


class Environment:
    """A named set of dependencies. Children run with this Python whatever the environment says;
    ``docker`` (a :class:`DockerSection`) is recorded, not applied. ``environment_variables`` are set in
    the processes of script children (ScriptRunConfig and estimators) that use the environment."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise UserErrorException("Environment expects name to be a non-empty string")
        self.name = name
        self.version: str | None = None
        self.python = _PythonSection()
        self.environment_variables: dict[str, str] = {}
        self.docker = DockerSection()

    @staticmethod
    def from_conda_specification(name: str, file_path: str | os.PathLike[str]) -> Environment:
        """An environment whose dependencies are those of a conda YAML file (read with a YAML parser, so
        list items may sit at the same column as ``dependencies:`` or ``- pip:``); a file that is not such a
        specification raises UserErrorException naming ``file_path``."""
        env = Environment(name)
        env.python.conda_dependencies = CondaDependencies(file_path)
        return env

    @staticmethod
    def from_pip_requirements(name: str, file_path: str | os.PathLike[str], pip_version: str | None = None) -> Environment:
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
    def from_existing_conda_environment(name: str, conda_environment_name: str) -> Environment:
        """An environment named after an existing conda environment (its packages are not read)."""
        return Environment(name)

    @staticmethod
    def get(workspace: Any, name: str, version: str | None = None, label: str | None = None) -> Environment:
        """A registered or curated environment by name (e.g. ``AzureML-sklearn-...``): an empty one here."""
        return Environment(name)

    def register(self, workspace: Any) -> Environment:
        """Registering is not needed locally; returns this environment."""
        return self

    def missing_packages(self) -> list[str]:
        """Packages the environment asks for that this Python does not have (conda and pip names can differ)."""
        return [name for name in self.python.conda_dependencies.package_names() if not _installed(name)]

    def __repr__(self) -> str:
        return f"Environment(name={self.name!r}, packages={self.python.conda_dependencies.package_names()!r})"
