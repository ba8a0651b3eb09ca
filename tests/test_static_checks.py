"""The project's static checks, as CI runs them: ruff over the repository (rules in pyproject.toml) and mypy --strict
over the engine (``hdnotebook/_engine``); type checkers see the package's lazily exported names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import hdnotebook

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                            cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(600)
def test_the_engine_passes_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "--no-incremental",
                             "hdnotebook/_engine"], cwd=REPO, capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(300)
def test_type_checkers_see_every_lazily_exported_name(tmp_path: Path) -> None:
    """The TYPE_CHECKING block of hdnotebook/__init__.py imports exactly the lazily exported names, from the
    modules they are loaded from at run time, and mypy resolves a user's imports of them."""
    tree = ast.parse(Path(hdnotebook.__file__).read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
                 and any(isinstance(s, ast.ImportFrom) and s.module == "hdnotebook.exceptions" for s in n.body))
    declared = {alias.name: stmt.module for stmt in block.body for alias in stmt.names}
    assert declared == hdnotebook._EXPORTS
    user = tmp_path / "user.py"
    user.write_text("from hdnotebook import BanditPolicy, HyperDriveConfig, RunDetails, choice\n"
                    "reveal_type(BanditPolicy(slack_factor=0.1).slack_factor)\nreveal_type(choice(1, 2))\n")
    result = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-incremental", str(user)],
                            capture_output=True, text=True, timeout=300, cwd=Path(hdnotebook.__file__).parents[1])
    assert 'Revealed type is "float | None"' in result.stdout, result.stdout  # Any if mypy saw only __getattr__
    assert 'Revealed type is "list[Any]"' in result.stdout and result.returncode == 0, result.stdout
