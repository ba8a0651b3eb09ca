"""Orphans (issue 12, item 2): when the driver dies, or a run is canceled, every process of every child's tree
dies, however it was started: an ordinary subprocess, one in a session of its own, a double-forked daemon.

Each test runs on the Linux fast path (subreaper, PDEATHSIG) and on the portable path forced with
HDNOTEBOOK_PORTABLE_PROCESS=1 (what macOS runs). On the portable path the daemon's intermediate process
lingers 1 s before exiting: without a subreaper, a process that leaves the session and loses its parent before
the guard's first snapshot (0.25 s) is not found (README, "Supported platforms").
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from hdnotebook import GridParameterSampling, HyperDriveConfig, ScriptRunConfig, choice
from hdnotebook._engine.executors.guard import PORTABLE_ENV
from tests.conftest import PYTHON, REPO, python_env
from tests.faults.tree_children import spawn_tree

PATHS = [pytest.param("linux", marks=pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux fast path")),
         "portable"]
DEATH_SECONDS = 5.0

DRIVER = """
import functools, sys, time
from pathlib import Path
from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, ScriptRunConfig, Workspace, choice
from tests.faults.tree_children import spawn_tree
ws, kind, out, linger = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if kind == "script":
    src = Path(out) / "src"
    src.mkdir()
    (src / "train.py").write_text("from tests.faults.tree_children import main\\nmain()\\n")
    run_config = ScriptRunConfig(str(src), "train.py", arguments=["--out", out, "--linger", linger])
    space = {"--i": choice(0, 1)}
else:
    run_config = functools.partial(spawn_tree, out=out, linger=float(linger))
    space = {"i": choice(0, 1)}
config = HyperDriveConfig(run_config=run_config, hyperparameter_sampling=GridParameterSampling(space),
                          primary_metric_name="x", primary_metric_goal="maximize", max_total_runs=2, max_concurrent_runs=2)
print(Experiment(Workspace(ws), "faults").submit(config).id, flush=True)
time.sleep(300)
"""


def _use_path(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PORTABLE_ENV, raising=False)
    if path == "portable":
        monkeypatch.setenv(PORTABLE_ENV, "1")


def _linger(path: str) -> str:
    return "1.0" if path == "portable" else "0.0"


def _wait_for_trees(out: Path, children: int, timeout: float = 60.0) -> list[dict[str, int]]:
    deadline = time.monotonic() + timeout
    files = [out / f"pids_{i}.json" for i in range(children)]
    while not all(f.exists() for f in files):
        assert time.monotonic() < deadline, f"the children did not start their trees within {timeout} s"
        time.sleep(0.05)
    return [json.loads(f.read_text()) for f in files]


def _processes(pids: list[int]) -> list[psutil.Process]:
    processes = []
    for pid in pids:
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    return processes


def _running(processes: list[psutil.Process]) -> list[psutil.Process]:
    running = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                running.append(p)
        except psutil.NoSuchProcess:
            pass
    return running


def _survivors_after(processes: list[psutil.Process], seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while _running(processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [f"{p.pid} {' '.join(p.cmdline())[:80]}" for p in _running(processes)]


def _kill(processes: list[psutil.Process]) -> None:
    for p in _running(processes):
        try:
            p.kill()
        except psutil.Error:
            pass


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind", ["script", "function"])
@pytest.mark.parametrize("path", PATHS)
def test_killing_the_driver_kills_every_process_of_every_childs_tree(tmp_path: Path, kind: str, path: str) -> None:
    env = python_env()
    env.pop(PORTABLE_ENV, None)
    if path == "portable":
        env[PORTABLE_ENV] = "1"
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "driver.py").write_text(DRIVER)
    driver = subprocess.Popen([PYTHON, str(tmp_path / "driver.py"), str(tmp_path / "ws"), kind, str(out), _linger(path)],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=str(REPO))
    watched: list[psutil.Process] = []
    try:
        trees = _wait_for_trees(out, 2)
        below_driver = psutil.Process(driver.pid).children(recursive=True)  # guards, workers, children, their subprocesses
        watched = _processes([pid for tree in trees for pid in tree.values()]) + below_driver
        assert len(_running(watched)) >= 10, "every process of both trees was running before the kill"
        if path == "linux":
            guards = {p.ppid() for p in _processes([tree["child"] for tree in trees])}
            adopted = {p.ppid() for p in _processes([tree["daemon"] for tree in trees])}
            assert adopted <= guards, "the double-forked daemons were re-parented to the guards (subreapers)"
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=10)
        survivors = _survivors_after(watched, DEATH_SECONDS)
        assert not survivors, f"still running {DEATH_SECONDS} s after the driver was killed: {survivors}"
    finally:
        _kill(watched)
        driver.kill()
        driver.communicate(timeout=10)  # communicate: also closes its pipes


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", PATHS)
def test_canceling_a_sweep_kills_every_process_of_its_childrens_trees(experiment, tmp_path: Path, path: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _use_path(path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    config = HyperDriveConfig(run_config=functools.partial(spawn_tree, out=str(out), linger=float(_linger(path))),
                              hyperparameter_sampling=GridParameterSampling({"i": choice(0, 1)}),
                              primary_metric_name="x", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=2)
    run = experiment.submit(config)
    watched: list[psutil.Process] = []
    try:
        watched = _processes([pid for tree in _wait_for_trees(out, 2) for pid in tree.values()])
        assert len(_running(watched)) == 10
        run.cancel()
        survivors = _survivors_after(watched, DEATH_SECONDS)
        assert not survivors, f"still running {DEATH_SECONDS} s after cancel(): {survivors}"
        assert [c.get_status() for c in run.get_children()] == ["Canceled", "Canceled"]
    finally:
        _kill(watched)
        run.cancel()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", PATHS)
def test_a_script_that_ends_leaves_nothing_running(experiment, write_script, tmp_path: Path, path: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The script returns at once after starting its tree: the guard kills what it left behind."""
    _use_path(path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    src = write_script("from tests.faults.tree_children import main\nmain()\n")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    run = experiment.submit(ScriptRunConfig(str(src), "train.py",
                                            arguments=["--out", str(out), "--i", "0", "--linger", _linger(path), "--sleep", "0"]))
    watched: list[psutil.Process] = []
    try:
        assert run.wait_for_completion()["status"] == "Completed"
        watched = _processes(list(_wait_for_trees(out, 1)[0].values()))
        survivors = _survivors_after(watched, DEATH_SECONDS)
        assert not survivors, f"left running after the script ended: {survivors}"
    finally:
        _kill(watched)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", PATHS)
def test_killing_a_guard_kills_what_stayed_in_its_session(experiment, tmp_path: Path, path: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A double fault: the guard itself SIGKILLed. The driver kills the guard's session (the child and the processes
    that did not leave it); processes in sessions of their own are out of reach then."""
    _use_path(path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    run = experiment.submit(functools.partial(spawn_tree, out=str(out), i=0, linger=float(_linger(path))))
    watched: list[psutil.Process] = []
    try:
        tree = _wait_for_trees(out, 1)[0]
        watched = _processes(list(tree.values()))
        guard = psutil.Process(tree["child"]).parent()
        assert guard is not None and "guard.main" in " ".join(guard.cmdline())
        guard.kill()
        in_session = _processes([tree["child"], tree["plain"], tree["daemon_in_session"]])
        survivors = _survivors_after(in_session, DEATH_SECONDS)
        assert not survivors, f"still running {DEATH_SECONDS} s after the guard was killed: {survivors}"
        assert run.wait_for_completion(raise_on_error=False)["status"] == "Failed"
    finally:
        _kill(watched)


SPAWNER = """
import asyncio, json, os, subprocess, sys
from hdnotebook._engine.executors.process import spawn
TREE = ("import subprocess, sys, time\\n"
        "p = subprocess.Popen([sys.executable, '-S', '-c', 'import time; time.sleep(120)'], start_new_session=True)\\n"
        "print(p.pid, flush=True)\\ntime.sleep(120)\\n")
async def main():
    guard = await spawn([sys.executable, "-S", "-c", TREE], dict(os.environ), ".", (), stdout=subprocess.PIPE)
    grandchild = int(await guard.stdout.readline())
    print(json.dumps({"guard": guard.pid, "grandchild": grandchild}), flush=True)
    await asyncio.sleep(120)
asyncio.run(main())
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", PATHS)
def test_a_tree_is_found_when_the_driver_dies_right_after_it_was_started(path: str) -> None:
    """The driver is killed a few ms after the grandchild (in a session of its own) started, before the portable
    guard's first snapshot: the tree is frozen before anything of it dies, so the grandchild is still found."""
    env = python_env()
    env.pop(PORTABLE_ENV, None)
    if path == "portable":
        env[PORTABLE_ENV] = "1"
    driver = subprocess.Popen([PYTHON, "-c", SPAWNER], stdout=subprocess.PIPE, text=True, env=env, cwd=str(REPO))
    watched: list[psutil.Process] = []
    try:
        assert driver.stdout is not None
        pids = json.loads(driver.stdout.readline())
        watched = _processes([pids["guard"], pids["grandchild"]]) + psutil.Process(pids["guard"]).children(recursive=True)
        os.kill(driver.pid, signal.SIGKILL)
        survivors = _survivors_after(watched, DEATH_SECONDS)
        assert not survivors, f"still running {DEATH_SECONDS} s after the driver was killed: {survivors}"
    finally:
        _kill(watched)
        driver.kill()
        driver.communicate(timeout=10)  # communicate: also closes its pipes
