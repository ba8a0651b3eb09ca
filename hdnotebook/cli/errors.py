"""The command line's errors and the lookups that raise them: the workspace to use and a run in it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hdnotebook.workspace import MARKER, Workspace, find_root


class CliError(Exception):
    """A user error: printed as ``hdnotebook: error: <message>``, exit status 2."""


def open_workspace(given: str | None) -> Workspace:
    """The workspace at ``given`` (its root or its ``.hdnotebook`` folder), or else the nearest one from the current
    folder up. Never creates one: a folder without ``.hdnotebook/store.sqlite`` is an error."""
    if given is not None:
        root = Path(given).expanduser().resolve()
        if root.name == MARKER:
            root = root.parent
        if not (root / MARKER / "store.sqlite").is_file():
            raise CliError(f"--workspace {os.fspath(given)!r}: no hdnotebook workspace there "
                           f"({root / MARKER / 'store.sqlite'} does not exist)")
        return Workspace(root)
    here = Path.cwd()
    root = find_root(here)
    if root is None:
        raise CliError(f"no hdnotebook workspace in {here} or a folder above it (none holds {MARKER}/store.sqlite); "
                       "run the command inside a workspace or pass --workspace PATH")
    return Workspace(root)


def open_run(workspace: Workspace, run_id: str) -> Any:
    """The run ``run_id`` of ``workspace`` (a HyperDriveRun for a sweep)."""
    if workspace._store.get_run(run_id) is None:
        raise CliError(f"no run with id {run_id!r} in workspace {workspace.path}")
    return workspace.get_run(run_id)
