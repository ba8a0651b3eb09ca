"""The versions a notebook and its Dask workers must share: Python (major.minor), hdnotebook and cloudpickle.

A function pickled by value carries bytecode that only the same Python minor version reads, and
cloudpickle's format and hdnotebook's task format change between releases; a mismatch is
reported up front, naming the worker and both versions, instead of as an unpickling error later.
"""

from __future__ import annotations

import sys
from typing import Any

from hdnotebook.exceptions import TrainingException

CHECKED = ("python", "hdnotebook", "cloudpickle")

_PROBE_SOURCE = '''
def probe():
    import sys
    found = {"python": "{}.{}.{}".format(*sys.version_info[:3])}
    for name in ("hdnotebook", "cloudpickle"):
        try:
            found[name] = __import__(name).__version__
        except Exception:
            found[name] = None
    return found
'''


def local_versions() -> dict[str, str | None]:
    """This process's Python, hdnotebook and cloudpickle versions."""
    import cloudpickle

    import hdnotebook

    return {"python": "{}.{}.{}".format(*sys.version_info[:3]), "hdnotebook": hdnotebook.__version__,
            "cloudpickle": cloudpickle.__version__}


def _minor(version: str | None) -> str | None:
    return ".".join(version.split(".")[:2]) if version else None


def differences(notebook: dict[str, Any], worker: dict[str, Any]) -> list[str]:
    """What differs, as ``"<name> <worker's> (notebook: <notebook's>)"``; Python compares major.minor only."""
    found = []
    if _minor(worker.get("python")) != _minor(notebook.get("python")):
        found.append(f"Python {worker.get('python')} (notebook: {notebook.get('python')})")
    for name in CHECKED[1:]:
        if worker.get(name) != notebook.get(name):
            found.append(f"{name} {worker.get(name) or 'not installed'} (notebook: {notebook.get(name)})")
    return found


def mismatch_message(problems: list[str]) -> str:
    """The error text for the workers listed in ``problems``."""
    here = local_versions()
    wanted = f"Python {_minor(here['python'])}.x, hdnotebook=={here['hdnotebook']}, cloudpickle=={here['cloudpickle']}"
    return ("The Dask workers do not match this notebook's versions:\n  " + "\n  ".join(problems)
            + f"\nInstall the same versions on every worker ({wanted}).")


def _probe() -> Any:
    namespace: dict[str, Any] = {"__name__": "hdnotebook_version_probe"}
    exec(_PROBE_SOURCE, namespace)
    return namespace["probe"]


async def check_workers(client: Any) -> None:
    """Ask every connected worker for its versions; raise TrainingException listing each mismatch.

    The probe is sent by value, so a worker without hdnotebook is reported as such.
    """
    here = local_versions()
    results = await client.run(_probe(), on_error="return")
    problems = []
    for address, found in sorted(results.items()):
        if isinstance(found, BaseException):
            problems.append(f"{address}: the version probe failed: {found!r}")
            continue
        diff = differences(here, found)
        if diff:
            problems.append(f"{address}: " + "; ".join(diff))
    if problems:
        raise TrainingException(mismatch_message(problems), error_code="VersionMismatch")
