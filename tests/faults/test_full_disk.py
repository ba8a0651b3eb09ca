"""A store that cannot be written (a full disk, SQLite's page limit, a read-only connection) fails the sweep promptly:
its children are stopped (no process of theirs survives), the sweep and the children end Failed with an error that
names the store file and the cause, wait_for_completion() raises at once, and what was committed stays readable.

The real full disk needs root (a 2 MB tmpfs); the other tests drive the same error path without root, through
SQLite's own limits on the tuning loop's connection (``PRAGMA max_page_count`` makes SQLite raise SQLITE_FULL
"database or disk is full", ``PRAGMA query_only`` SQLITE_READONLY), so the skip hides no feature.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from hdnotebook import (
    ActivityFailedException,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    ScriptRunConfig,
    Workspace,
    choice,
)
from hdnotebook._engine import background
from hdnotebook._engine.store import Store
from hdnotebook._engine.store.faults import StoreWriteError, reserve_path
from hdnotebook.widget.tracker import tracker_for
from tests.conftest import PYTHON, python_env

CHILD = """
import argparse, os, subprocess, sys, time
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--pids")
a = p.parse_args()
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # a process of the child's own
with open(os.path.join(a.pids, str(os.getpid())), "w") as f:
    f.write(f"{os.getpid()} {sleeper.pid}")
run = Run.get_context()
for i in range(10**6):  # logs until it is stopped
    run.log("payload", "x" * 2000)
    run.log("accuracy", i)
    time.sleep(0.001)
"""

READ_BACK = """
import json, sqlite3, sys
from hdnotebook import Workspace
ws = Workspace(sys.argv[1])
sweep = ws.get_run(sys.argv[2])
conn = sqlite3.connect(str(ws._store.path))
out = {"status": sweep.get_status(), "error": sweep.get_details().get("error"),
       "children": {c.id: [c.get_status(), [r.value for r in ws._store.metric_rows(c.id, "accuracy")]]
                for c in sweep.get_children()},
       "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0]}
print(json.dumps(out))
"""


def _config(tmp_path: Path) -> HyperDriveConfig:
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(textwrap.dedent(CHILD))
    pids = tmp_path / "pids"
    pids.mkdir()
    return HyperDriveConfig(
        run_config=ScriptRunConfig(str(src), "train.py", arguments=["--pids", str(pids)]),
        hyperparameter_sampling=GridParameterSampling({"--lr": choice(0.1, 0.2, 0.3, 0.4)}),
        primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=4, max_concurrent_runs=2)


def _processes(tmp_path: Path) -> list[int]:
    """The pids of every child and of the process each child started."""
    return [int(p) for f in (tmp_path / "pids").iterdir() for p in f.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _assert_all_stopped(tmp_path: Path, within: float = 5.0) -> None:
    pids = _processes(tmp_path)
    assert pids, "no child started"
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in pids if _alive(p)] == []


def _read_back(root: Path, sweep_id: str) -> dict:
    """What another process reads from the store."""
    out = subprocess.run([PYTHON, "-c", READ_BACK, str(root), sweep_id], env=python_env(), check=True, timeout=60,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def _assert_committed_values_whole(children: dict) -> None:
    """Every child's accuracy values are 0, 1, 2, ... with no gap: a batch is committed whole or not at all."""
    logged = [values for _, values in children.values()]
    assert sum(map(len, logged)) > 0
    for values in logged:
        assert values == list(range(len(values)))


def _on_loop(store: Store, *pragmas: str) -> list:
    """Run PRAGMAs on the tuning loop's own connection to the store (each thread has its own)."""
    async def run() -> list:
        conn = store._conn()
        return [conn.execute(f"PRAGMA {p}").fetchall() for p in pragmas]

    return background.call(run(), timeout=30)


def _page_limit_now(store: Store, extra_pages: int) -> None:
    ((count,),) = _on_loop(store, "page_count")[0]
    _on_loop(store, f"max_page_count={count + extra_pages}")


# a real full disk --------------------------------------------------------------------------------


def _tmpfs_problem() -> str | None:
    """Why a small tmpfs cannot be mounted here, or None when it can."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (the page-limit tests below drive the same path without it)"
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", folder], capture_output=True, text=True)
        if done.returncode != 0:
            return f"mount -t tmpfs failed: {done.stderr.strip()}"
        subprocess.run(["umount", folder], check=True)
    return None


_NO_TMPFS = _tmpfs_problem()


@pytest.mark.skipif(_NO_TMPFS is not None, reason=str(_NO_TMPFS))
@pytest.mark.timeout(180)
def test_a_full_tmpfs_fails_the_sweep_promptly_stops_the_children_and_keeps_what_was_committed(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], check=True)
    try:
        workspace = Workspace(disk)
        store_path = workspace._store.path
        reserve = reserve_path(store_path).stat()
        assert reserve.st_size == 256 * 1024 and reserve.st_blocks * 512 >= 256 * 1024  # allocated, not sparse
        run = Experiment(workspace, "full").submit(_config(tmp_path))
        with pytest.raises(ActivityFailedException) as info:
            run.wait_for_completion()
        message = str(info.value)
        assert f"The workspace store {store_path} cannot be written (database or disk is full)" in message
        assert "free space on the disk that holds it" in message
        _assert_all_stopped(tmp_path)
        assert not reserve_path(store_path).exists()  # its space took the final statuses

        seen = _read_back(disk, run.id)  # another process reads it all from the full disk
        assert seen["integrity"] == "ok"
        assert seen["status"] == "Failed"
        assert seen["error"]["error"]["code"] == "StoreWriteFailed"
        assert str(store_path) in seen["error"]["error"]["message"]
        assert {status for status, _ in seen["children"].values()} == {"Failed"}
        _assert_committed_values_whole(seen["children"])
        # promptly: the sweep ended within seconds of the last value the store took
        conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
        (last_value,) = conn.execute("SELECT MAX(time) FROM metrics").fetchone()
        (ended,) = conn.execute("SELECT end_time FROM runs WHERE run_id=?", (run.id,)).fetchone()
        conn.close()
        assert 0 <= ended - last_value < 10

        # an interactive run on the full disk: a clear error naming the store (or the run folder in it)
        with pytest.raises(StoreWriteError) as late_info:
            late = Experiment(workspace, "late").start_logging()
            for _ in range(1000):
                late.log("big", "z" * 3000)
        assert f"The workspace store {store_path.parent}" in str(late_info.value)
        assert late_info.value.kind == "full"

        # with space freed, the same store takes new runs and keeps the old ones
        subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
        later = Experiment(workspace, "later").start_logging()
        later.log("loss", 0.5)
        later.complete()
        seen_after = _read_back(disk, run.id)
        assert seen_after == seen
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


# the same path without root ---------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_store_at_its_page_limit_fails_the_sweep_promptly_and_keeps_what_was_committed(
        experiment: Experiment, tmp_path: Path) -> None:
    store = experiment.workspace._store
    _page_limit_now(store, extra_pages=40)  # 160 KB more: SQLite raises SQLITE_FULL after that
    started = time.monotonic()
    run = experiment.submit(_config(tmp_path))
    with pytest.raises(ActivityFailedException) as info:
        run.wait_for_completion()
    assert time.monotonic() - started < 30
    message = str(info.value)
    assert f"The workspace store {store.path} cannot be written (database or disk is full)" in message
    _assert_all_stopped(tmp_path)
    assert run.get_status() == "Failed"
    assert {c.get_status() for c in run.get_children()} == {"Failed"}

    _on_loop(store, "max_page_count=1073741823")  # room again: whatever was kept in memory gets committed
    deadline = time.monotonic() + 10
    while store.unwritten() and time.monotonic() < deadline:
        time.sleep(0.1)
    seen = _read_back(experiment.workspace._store.folder.parent, run.id)
    assert seen["integrity"] == "ok"
    assert seen["status"] == "Failed" and seen["error"]["error"]["code"] == "StoreWriteFailed"
    assert {status for status, _ in seen["children"].values()} == {"Failed"}
    _assert_committed_values_whole(seen["children"])


@pytest.mark.timeout(120)
def test_a_read_only_store_fails_the_sweep_at_once_and_commits_the_failure_when_it_can(
        experiment: Experiment, tmp_path: Path) -> None:
    store = experiment.workspace._store
    run = experiment.submit(_config(tmp_path))
    deadline = time.monotonic() + 60
    while not store.child_calls_after(run.id, 0, names=["accuracy"])[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    _on_loop(store, "query_only=1")  # every write of the tuning loop now fails with SQLITE_READONLY
    with pytest.raises(ActivityFailedException) as info:
        run.wait_for_completion()
    assert f"The workspace store {store.path} cannot be written (attempt to write a readonly database)" in str(info.value)
    assert "make the file and its folder writable" in str(info.value)
    _assert_all_stopped(tmp_path)

    # nothing could be committed: this process (wait_for_completion, the widget) sees the failure, the file not yet
    seen = _read_back(store.folder.parent, run.id)
    assert seen["status"] == "Running"
    assert run.get_status() == "Failed"
    assert tracker_for(run).snapshot()["run"]["status"] == "Failed"
    assert set(store.unwritten()) == {run.id, *(c.id for c in run.get_children())}

    _on_loop(store, "query_only=0")  # writable again: the kept statuses are committed within a second or two
    deadline = time.monotonic() + 10
    while store.unwritten() and time.monotonic() < deadline:
        time.sleep(0.1)
    seen = _read_back(store.folder.parent, run.id)
    assert seen["status"] == "Failed" and "attempt to write a readonly database" in seen["error"]["error"]["message"]
    assert {status for status, _ in seen["children"].values()} == {"Failed"}
    _assert_committed_values_whole(seen["children"])


@pytest.mark.timeout(120)
def test_a_single_script_run_on_a_read_only_store_is_stopped_and_ends_failed(experiment: Experiment, tmp_path: Path) -> None:
    config = _config(tmp_path).run_config
    store = experiment.workspace._store
    run = experiment.submit(config)
    deadline = time.monotonic() + 60
    while not store.metric_rows(run.id, "accuracy") and time.monotonic() < deadline:
        time.sleep(0.05)
    _on_loop(store, "query_only=1")
    with pytest.raises(ActivityFailedException, match="attempt to write a readonly database"):
        run.wait_for_completion()
    _assert_all_stopped(tmp_path)
    _on_loop(store, "query_only=0")
    deadline = time.monotonic() + 10
    while store.unwritten() and time.monotonic() < deadline:
        time.sleep(0.1)
    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    status, error = conn.execute("SELECT status, error FROM runs WHERE run_id=?", (run.id,)).fetchone()
    conn.close()
    assert status == "Failed" and json.loads(error)["error"]["code"] == "StoreWriteFailed"


@pytest.mark.timeout(60)
def test_an_interactive_run_on_a_full_store_raises_naming_the_store_and_loses_nothing_committed(
        experiment: Experiment) -> None:
    store = experiment.workspace._store
    run = experiment.start_logging()
    run.log("kept", 1.0)
    conn = store._conn()  # this thread's connection: the one run.log writes through
    (count,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count={count + 5}")
    logged = 0
    with pytest.raises(StoreWriteError) as info:
        for _ in range(1000):
            run.log("big", "y" * 3000)
            logged += 1
    assert str(info.value).startswith(f"The workspace store {store.path} cannot be written (database or disk is full)")
    assert logged > 0
    conn.execute("PRAGMA max_page_count=1073741823")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(store.metric_rows(run.id, "big")) == logged  # the refused call left no row
    run.log("after", 2.0)
    run.complete()
    assert run.get_metrics()["kept"] == 1.0 and run.get_status() == "Completed"

    # a run that does not fit (its row needs new pages) is not created, and leaves no folder behind
    folders = set((store.folder / "runs").iterdir())
    (count,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count={count}")
    with pytest.raises(StoreWriteError, match="database or disk is full"):
        experiment.start_logging(display_name="n" * 100_000)
    assert set((store.folder / "runs").iterdir()) == folders


def _logging_function(pids: str, lr: float) -> None:
    """A function child that logs until it is stopped."""
    from hdnotebook import Run

    with open(os.path.join(pids, str(os.getpid())), "w") as f:
        f.write(str(os.getpid()))
    run = Run.get_context()
    for i in range(10**6):
        run.log("payload", "x" * 2000)
        run.log("accuracy", i)
        time.sleep(0.001)


@pytest.mark.timeout(120)
def test_a_function_sweep_at_the_page_limit_fails_promptly(experiment: Experiment, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    store = experiment.workspace._store
    _page_limit_now(store, extra_pages=40)
    config = HyperDriveConfig(
        run_config=functools.partial(_logging_function, str(pids)),
        hyperparameter_sampling=GridParameterSampling({"lr": choice(0.1, 0.2, 0.3)}),
        primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=3, max_concurrent_runs=2)
    run = experiment.submit(config)
    with pytest.raises(ActivityFailedException, match="cannot be written \\(database or disk is full\\)"):
        run.wait_for_completion()
    _assert_all_stopped(tmp_path)  # the worker processes that ran the calls
    assert {c.get_status() for c in run.get_children()} == {"Failed"}
    _on_loop(store, "max_page_count=1073741823")
    deadline = time.monotonic() + 10
    while store.unwritten() and time.monotonic() < deadline:
        time.sleep(0.1)
    seen = _read_back(store.folder.parent, run.id)
    assert seen["status"] == "Failed" and {status for status, _ in seen["children"].values()} == {"Failed"}
    _assert_committed_values_whole(seen["children"])


COPY_WITH_SIZE_LIMIT = """
import resource, signal, sys
from pathlib import Path
from hdnotebook._engine.executors.source import copy_source
from hdnotebook._engine.store.faults import write_failure
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
try:
    copy_source(Path(sys.argv[1]), Path(sys.argv[2]))
except Exception as error:
    failure = write_failure(error, Path(sys.argv[2]))
    print(type(error).__name__, failure.kind, failure.path, failure.cause, sep="|")
"""


@pytest.mark.timeout(60)
def test_a_source_copy_that_does_not_fit_is_a_store_write_failure(tmp_path: Path) -> None:
    """A run folder that cannot be filled (here: a file-size limit, EFBIG, a real error of the kernel) fails the sweep
    the same way, naming the file that did not fit."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("print('hi')\n")
    (source / "data.bin").write_bytes(b"\1" * 200_000)
    target = tmp_path / "run"
    out = subprocess.run([PYTHON, "-c", COPY_WITH_SIZE_LIMIT, str(source), str(target)], env=python_env(), check=True,
                         timeout=60, capture_output=True, text=True)
    assert out.stdout.strip() == f"Error|full|{target / 'data.bin'}|File too large"
