"""The guard on its own: it passes on how its child ended, and names a program it cannot start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hdnotebook._engine.executors.process import _GUARD_MAIN, GUARD_PATH, lifeline_fd


def _guarded(argv: list[str]) -> subprocess.CompletedProcess:
    fd = lifeline_fd()
    command = [sys.executable, "-S", "-c", _GUARD_MAIN, str(Path(GUARD_PATH).parent), str(fd), "--", *argv]
    return subprocess.run(command, pass_fds=(fd,), capture_output=True, text=True, timeout=30, start_new_session=True)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("shell, code", [("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", -15), ("kill -KILL $$", -9),
                                          ("kill -PIPE $$", -13), ("kill -SEGV $$", -11)])
def test_the_guard_exits_as_its_child_did(shell: str, code: int) -> None:
    assert _guarded(["sh", "-c", shell]).returncode == code


@pytest.mark.timeout(60)
def test_a_program_that_cannot_start_is_named_and_exits_127(tmp_path: Path) -> None:
    done = _guarded([str(tmp_path / "no-such-program")])
    assert done.returncode == 127
    assert "no-such-program" in done.stderr and "No such file" in done.stderr


@pytest.mark.timeout(60)
def test_the_child_does_not_inherit_the_lifeline() -> None:
    """Only the driver and the guards may hold the lifeline pipe (its read end here; a child's write end would
    delay the guards' EOF)."""
    fd = lifeline_fd()
    probe = f"import os\ntry:\n    os.fstat({fd})\n    print('inherited')\nexcept OSError:\n    print('closed')\n"
    done = _guarded([sys.executable, "-c", probe])
    assert done.stdout.split() == ["closed"], done.stderr
    assert os.fstat(fd), "still open here"
