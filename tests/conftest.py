"""Shared fixtures (a fresh workspace in a temporary folder that is also the working folder) and helpers."""

from __future__ import annotations

import os
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from hdnotebook import Experiment, Workspace

REPO = Path(__file__).resolve().parents[1]


def seconds_of(iso: str) -> float:
    """Epoch seconds of HyperDrive's ISO time text (``...Z``, which Python 3.10's ``fromisoformat`` does not read)."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A new workspace rooted at a temporary folder, which is also the current folder."""
    monkeypatch.chdir(tmp_path)
    return Workspace(tmp_path)


@pytest.fixture
def experiment(workspace: Workspace) -> Experiment:
    """An experiment in the fresh workspace."""
    return Experiment(workspace, "tests")


@pytest.fixture
def write_script(tmp_path: Path):
    """Write a training script into ``tmp_path/src`` and return the folder."""

    def write(body: str, name: str = "train.py") -> Path:
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        (src / name).write_text(textwrap.dedent(body))
        return src

    return write


def python_env() -> dict[str, str]:
    """The environment for a helper Python process that must import hdnotebook from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


PYTHON = sys.executable
