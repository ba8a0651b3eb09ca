"""The store outlives the process: reopen runs by id in a new process; a dead driver is noticed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from hdnotebook import Experiment, HyperDriveRun, Run, Workspace
from tests.conftest import PYTHON, python_env

DRIVER = """
import sys, time
from hdnotebook import (Experiment, GridParameterSampling, HyperDriveConfig, Workspace, choice)
from tests.children import quadratic, sleeper
ws = Workspace(sys.argv[1])
kind = sys.argv[2]
if kind == "finish":
    config = HyperDriveConfig(run_config=quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 3)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=3)
else:
    config = HyperDriveConfig(run_config=sleeper, hyperparameter_sampling=GridParameterSampling({"seconds": choice(60)}),
                              primary_metric_name="started", primary_metric_goal="maximize", max_total_runs=1)
run = Experiment(ws, "persist").submit(config)
print(run.id, flush=True)
if kind == "finish":
    run.wait_for_completion()
else:
    while not run.get_children() or "started" not in run.get_children()[0].get_metrics():
        time.sleep(0.05)
    print("started", flush=True)
    time.sleep(120)
"""


def _driver(tmp_path: Path, kind: str) -> subprocess.Popen:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    return subprocess.Popen([PYTHON, str(script), str(tmp_path / "ws"), kind], stdout=subprocess.PIPE, text=True,
                            env=python_env(), cwd=str(Path(__file__).resolve().parents[2]))


def test_a_finished_sweep_reopens_in_another_process(tmp_path: Path) -> None:
    proc = _driver(tmp_path, "finish")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    run_id = out.split()[0]
    ws = Workspace.from_config(tmp_path / "ws")
    exp = Experiment(ws, "persist")
    assert [r.id for r in exp.get_runs()] == [run_id]
    run = HyperDriveRun(exp, run_id)
    assert run.get_status() == "Completed"
    assert len(run.get_children()) == 3
    assert run.get_best_run_by_primary_metric().id == f"{run_id}_1"
    assert run.get_metrics()[f"{run_id}_2"]["score"] == [-4, -4, -4]
    assert json.loads(run.get_hyperparameters()[f"{run_id}_2"]) == {"x": 3}
    assert run.get_properties()["best_child_run_id"] == f"{run_id}_1"
    assert run.get_metrics(name="score") == {f"{run_id}_{i}": {"score": [v] * 3} for i, v in enumerate([-1, 0, -4])}
    assert ws.get_run(f"{run_id}_1").get_details()["runDefinition"]["kwargs"] == {"x": 1}
    parent_metrics = Run.get_metrics(run)
    assert parent_metrics["best_child_by_primary_metric"]["final"][-1] is True


def test_a_killed_driver_leaves_its_metrics_and_is_reported_lost(tmp_path: Path) -> None:
    proc = _driver(tmp_path, "kill")
    run_id = proc.stdout.readline().strip()
    assert proc.stdout.readline().strip() == "started"
    ws = Workspace(tmp_path / "ws")
    child = ws.get_run(f"{run_id}_0")
    assert child.get_status() == "Running"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)  # communicate: also closes its pipe
    time.sleep(0.2)
    run = HyperDriveRun(Experiment(ws, "persist"), run_id)
    assert run.get_status() == "Failed"
    assert run.get_details()["error"]["error"]["code"] == "DriverLost"
    child = ws.get_run(f"{run_id}_0")
    assert child.get_status() == "Failed"
    assert child.get_metrics() == {"started": 1}
    assert child.get_file_names() == ["user_logs/std_log.txt"], "files written before the crash are registered"


def test_a_dead_driver_that_its_parent_has_not_reaped_is_lost_too(tmp_path: Path) -> None:
    """A zombie (exited, not yet waited for by its parent, here this test) still has its /proc entry."""
    proc = _driver(tmp_path, "kill")
    try:
        run_id = proc.stdout.readline().strip()
        assert proc.stdout.readline().strip() == "started"
        ws = Workspace(tmp_path / "ws")
        assert HyperDriveRun(Experiment(ws, "persist"), run_id).get_status() == "Running"
        os.kill(proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:  # WNOWAIT: not reaped
            assert time.monotonic() < deadline, "the killed driver did not exit"
            time.sleep(0.02)
        assert Path(f"/proc/{proc.pid}").exists(), "the driver is a zombie: exited, unreaped"
        run = HyperDriveRun(Experiment(ws, "persist"), run_id)
        assert run.get_status() == "Failed"
        assert run.get_details()["error"]["error"]["code"] == "DriverLost"
        assert Path(f"/proc/{proc.pid}").exists(), "still unreaped while the sweep was judged"
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its pipes


def test_reopening_an_unknown_id_names_it(workspace: Workspace) -> None:
    from hdnotebook import HyperDriveRehydrateException

    with pytest.raises(HyperDriveRehydrateException, match="HD_nope"):
        HyperDriveRun(Experiment(workspace, "x"), "HD_nope")


def test_from_config_finds_the_workspace_in_a_parent_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace(tmp_path)
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert Workspace.from_config().path == tmp_path
    fresh = tmp_path.parent / (tmp_path.name + "-fresh")
    fresh.mkdir()
    monkeypatch.chdir(fresh)
    assert Workspace.from_config().path == fresh
    assert (fresh / ".hdnotebook" / "store.sqlite").is_file()
