"""Names the engine and the Azure layer share, defined once: run kinds, file names in a run's folder, error records,
how a parameter-space key is passed on a command line.

A leaf: imports nothing of hdnotebook, so the worker side of an executor may read it too.
"""

from __future__ import annotations

TYPE_CHECKING = False  # a script child reads this module: no typing at run time
if TYPE_CHECKING:
    from typing import Any

# run kinds (the store's run_type column, as Azure's Run.type shows them)
HYPERDRIVE_TYPE = "hyperdrive"
SCRIPT_TYPE = "azureml.scriptrun"
FUNCTION_TYPE = "hdnotebook.function"
INTERACTIVE_TYPE = "experimentrun"

# files and folders in a run's folder
STD_LOG = "user_logs/std_log.txt"  # a child's stdout and stderr
SWEEP_LOG = "azureml-logs/hyperdrive.txt"  # a sweep's log, in HyperDrive's format
RESUME_FOLDER = "resume_from"  # a resumed child's copy of the old run's outputs/ (its checkpoints)
RESUME_ARGUMENT = "--resume-from"  # appended with that folder to a resumed script child's arguments

# error codes
DRIVER_LOST = "DriverLost"  # the error code of a run whose driving process ended before it did


def argument_key(key: str) -> str:
    """A parameter-space key as a command-line option: keys without a leading dash get ``--`` (``lr`` -> ``--lr``)."""
    return key if key.startswith("-") else f"--{key}"


def error_dict(code: str, message: str) -> dict[str, Any]:
    """HyperDrive's error shape: ``{"error": {"code": ..., "message": ...}}``."""
    return {"error": {"code": code, "message": message}}
