"""The portable process path (issue 12, item 7), forced on Linux with HDNOTEBOOK_PORTABLE_PROCESS=1: driver
liveness without /proc (psutil), zombie drivers, records written by one path and read by the other, and the
Windows check at submit. The portable guard itself is run by test_orphans.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from hdnotebook import Experiment, HyperDriveRun, UserErrorException, Workspace
from hdnotebook._engine.driver import current_driver, driver_alive
from hdnotebook._engine.executors.guard import PORTABLE_ENV, portable
from hdnotebook._engine.executors.process import check_platform
from tests.conftest import PYTHON, REPO, python_env
from tests.runs.test_persistence import DRIVER

READERS = [pytest.param("linux", marks=pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux fast path")),
           "portable"]


def _use(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PORTABLE_ENV, raising=False)
    if path == "portable":
        monkeypatch.setenv(PORTABLE_ENV, "1")


def _start_driver(tmp_path: Path, path: str) -> tuple[subprocess.Popen, str]:
    """A sweep driven by another process on ``path``, with its child running; returns the process and the sweep's id."""
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    env = python_env()
    env.pop(PORTABLE_ENV, None)
    if path == "portable":
        env[PORTABLE_ENV] = "1"
    proc = subprocess.Popen([PYTHON, str(script), str(tmp_path / "ws"), "kill"], stdout=subprocess.PIPE, text=True,
                            env=env, cwd=str(REPO))
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert proc.stdout.readline().strip() == "started"
    return proc, run_id


def test_windows_is_refused_with_a_pointer_to_wsl() -> None:
    for platform in ("win32", "cygwin"):
        with pytest.raises(UserErrorException, match=r"Windows.*WSL"):
            check_platform(platform)
    for platform in ("linux", "darwin", "freebsd14"):
        check_platform(platform)
    check_platform()  # this machine


def test_the_variable_forces_the_portable_path(monkeypatch: pytest.MonkeyPatch) -> None:
    _use("portable", monkeypatch)
    assert portable()
    assert "start" not in current_driver(), "no /proc start time is recorded on the portable path"
    monkeypatch.setenv(PORTABLE_ENV, "0")
    assert portable() is not sys.platform.startswith("linux")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("writer", READERS)
@pytest.mark.parametrize("reader", READERS)
def test_a_running_sweep_opened_from_another_process_stays_running(tmp_path: Path, writer: str, reader: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The symptom of item 7: without /proc, merely opening a running sweep marked it Failed/DriverLost."""
    proc, run_id = _start_driver(tmp_path, writer)
    try:
        _use(reader, monkeypatch)
        ws = Workspace(tmp_path / "ws")
        run = HyperDriveRun(Experiment(ws, "persist"), run_id)
        assert run.get_status() == "Running"
        assert ws.get_run(f"{run_id}_0").get_status() == "Running"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        run = HyperDriveRun(Experiment(ws, "persist"), run_id)
        assert run.get_status() == "Failed"
        assert run.get_details()["error"]["error"]["code"] == "DriverLost"
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its pipes


@pytest.mark.timeout(120)
def test_a_dead_unreaped_driver_is_lost_on_the_portable_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proc, run_id = _start_driver(tmp_path, "portable")
    try:
        _use("portable", monkeypatch)
        os.kill(proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:  # WNOWAIT: not reaped
            assert time.monotonic() < deadline, "the killed driver did not exit"
            time.sleep(0.02)
        assert psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE, "the driver is a zombie: exited, unreaped"
        run = HyperDriveRun(Experiment(Workspace(tmp_path / "ws"), "persist"), run_id)
        assert run.get_status() == "Failed"
        assert run.get_details()["error"]["error"]["code"] == "DriverLost"
        assert psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE, "still unreaped while the sweep was judged"
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its pipes


def test_a_reused_pid_is_not_taken_for_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver recorded with this process's pid (the parent's here) but another create time was another process."""
    _use("portable", monkeypatch)
    parent = {**current_driver(), "pid": os.getppid()}
    parent["created"] = psutil.Process(os.getppid()).create_time()
    assert driver_alive(parent) is True
    assert driver_alive({**parent, "created": parent["created"] - 5}) is False
    # psutil adds the boot time, which a clock adjustment moves (psutil 5.9 caches it per process): the driver and a
    # reader started at another moment can disagree by a second about the same process
    assert driver_alive({**parent, "created": parent["created"] + 1}) is True
    assert driver_alive({**parent, "created": parent["created"] - 1}) is True
    assert driver_alive({**parent, "created": None}) is True, "an older record without a create time: the pid alone"
    assert driver_alive({**parent, "pid": 2 ** 22 + 12345}) is False
