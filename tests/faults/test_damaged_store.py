"""A damaged workspace store is refused at open with an error that names the file and says what to do; the file
is left exactly as it was."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hdnotebook import Experiment, Workspace
from hdnotebook._engine.store.damage import DamagedStoreException
from tests.conftest import PYTHON, python_env

pytestmark = pytest.mark.timeout(180)  # the fault suite: every test bounded

MAKE_STORE = """
import sys
from hdnotebook import Experiment, Workspace

run = Experiment(Workspace(sys.argv[1]), "kept").start_logging()
for step in range(200):
    run.log("loss", 1.0 / (step + 1))
run.complete()
"""


def _real_store(root: Path) -> Path:
    """A store with one run and 200 values, written by another process (this one must not cache it)."""
    subprocess.run([PYTHON, "-c", MAKE_STORE, str(root)], env=python_env(), check=True, timeout=120)
    path = root / ".hdnotebook" / "store.sqlite"
    assert path.stat().st_size > 8192 and not Path(f"{path}-wal").exists()  # checkpointed at close
    return path


def _refused(root: Path, path: Path, cause: str) -> None:
    damaged = path.read_bytes()
    with pytest.raises(DamagedStoreException) as info:
        Workspace(root)
    message = str(info.value)
    assert f"The workspace store {path} is damaged ({cause})" in message
    assert "hdnotebook does not overwrite it" in message
    assert f"mv {path} {path}.damaged" in message
    assert path.read_bytes() == damaged
    # SQLite itself opens a store whose header says WAL with an empty -wal file and its -shm index; the reserve
    # file is the healthy store's (made when it was written)
    assert {p.name for p in path.parent.iterdir()} <= {"runs", "store.sqlite", "store.sqlite-wal", "store.sqlite-shm",
                                                       "store.sqlite-reserve"}
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_a_file_that_is_not_a_database_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / ".hdnotebook" / "store.sqlite"
    path.parent.mkdir()
    (path.parent / "runs").mkdir()
    path.write_bytes(os.urandom(64 * 1024))
    _refused(tmp_path, path, "file is not a database")


def test_a_store_with_a_damaged_page_is_refused_and_moving_it_aside_starts_afresh(tmp_path: Path) -> None:
    path = _real_store(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:100] + os.urandom(3000) + data[3100:])  # page 1 past its header: the schema table
    _refused(tmp_path, path, "database disk image is malformed")
    path.rename(f"{path}.damaged")
    run = Experiment(Workspace(tmp_path), "fresh").start_logging()
    run.log("x", 1)
    assert run.get_metrics() == {"x": 1}
    assert Path(f"{path}.damaged").read_bytes()[3100:] == data[3100:]
