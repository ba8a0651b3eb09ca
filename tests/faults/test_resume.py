"""HyperDriveRun.resume(): a sweep whose driving process was SIGKILLed mid-sweep is continued from this process.

The driver is a real Python process (tests/faults/resume_driver.py) running a real sweep of script or function
children; the kill is a real SIGKILL; the store is the real SQLite file both processes use.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from hdnotebook import Experiment, HyperDriveConfig, RandomParameterSampling, Workspace, choice, status as st
from hdnotebook._engine.progress import ProgressReader
from hdnotebook._engine.store import Store
from hdnotebook._engine.sweep import SPAN_BEAT_SECONDS
from hdnotebook.exceptions import UserErrorException
from hdnotebook.resumption import resume_sweep
from hdnotebook.runs.hyperdrive_run import HyperDriveRun
from hdnotebook.widget.run_details import RunDetails
from tests.conftest import PYTHON, REPO, python_env

DRIVER = REPO / "tests" / "faults" / "resume_driver.py"
SWEEP_ID = "HD_resume_test"


def _store(ws: Path, timeout: float = 60.0) -> Store:
    deadline = time.monotonic() + timeout
    while not (ws / ".hdnotebook" / "store.sqlite").exists():
        assert time.monotonic() < deadline, "the driver did not create its store"
        time.sleep(0.05)
    return Store(ws / ".hdnotebook")


def _mid_sweep(store: Store, timeout: float = 90.0) -> None:
    """Wait until at least two children completed and one runs with a value logged (so its outputs/ exist)."""
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "the sweep did not get under way"
        children = store.list_runs(parent_id=SWEEP_ID) if store.get_run(SWEEP_ID) else []
        running = [c.run_id for c in children if c.status == st.RUNNING]
        if (sum(c.status == st.COMPLETED for c in children) >= 2 and running
                and all(store.metric_rows_for(running, "acc")[r] for r in running)):
            return
        time.sleep(0.05)


def _drive_and_kill(tmp_path: Path, kind: str, sampling: str, total: int, minutes: float = 60, step: float = 0.3,
                    before_kill=None) -> tuple[Path, Store, float]:
    """Run the driver, SIGKILL it mid-sweep, wait until every process below it is gone; returns the workspace,
    its store and the time of the kill."""
    ws = tmp_path / "ws"
    ws.mkdir()
    errors = tmp_path / "driver.err"
    with errors.open("w") as stderr:
        driver = subprocess.Popen([PYTHON, str(DRIVER), str(ws), kind, sampling, str(total), "2", str(minutes), str(step)],
                                  env=python_env(), cwd=str(ws), stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        store = _store(ws)
        try:
            _mid_sweep(store)
        except AssertionError as failure:
            raise AssertionError(f"{failure}; the driver's stderr:\n{errors.read_text()[-3000:]}") from None
        if before_kill is not None:
            before_kill(ws, driver.pid)
        below = psutil.Process(driver.pid).children(recursive=True)
        os.kill(driver.pid, signal.SIGKILL)
        killed = time.time()
        driver.wait(timeout=10)
        _, alive = psutil.wait_procs(below, timeout=15)
        assert not alive, f"children of the killed driver still run: {alive}"
    finally:
        driver.kill()
        driver.communicate(timeout=10)  # communicate: also closes its pipes
    return ws, store, killed


def _sweep(ws: Path) -> HyperDriveRun:
    return HyperDriveRun(Experiment(Workspace(ws), "resume"), SWEEP_ID)


def _code(record) -> str | None:
    return ((record.error or {}).get("error") or {}).get("code")


def _refuses_while_alive(ws: Path, pid: int) -> None:
    with pytest.raises(UserErrorException, match=rf"death of its driving process.*still driven in process {pid}"):
        _sweep(ws).resume()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("kind,sampling", [("script", "random"), ("function", "random"), ("function", "bayesian")])
def test_a_sigkilled_sweep_continues_with_its_interrupted_children_budget_and_sampler(
        tmp_path: Path, kind: str, sampling: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, store, killed = _drive_and_kill(tmp_path, kind, sampling, total=6, before_kill=_refuses_while_alive)
    monkeypatch.chdir(ws)
    before = {c.run_id: c for c in store.list_runs(parent_id=SWEEP_ID)}
    interrupted = sorted((r for r, c in before.items() if not st.is_terminal(c.status)), key=lambda r: before[r].child_index)
    assert interrupted, "the kill interrupted running children"
    values_before = {r: [m.value for m in store.metric_rows_for([r], "acc")[r]] for r in interrupted}

    run = _sweep(ws)
    assert run.get_status() == st.FAILED and _code(store.get_run(SWEEP_ID)) == "DriverLost"
    widget = RunDetails(run).widget
    assert widget._tracker.finished, "the dashboard of the dead sweep shows it ended"
    assert run.resume() is run and run.id == SWEEP_ID
    assert run.get_status() == st.RUNNING
    assert widget._updating and widget.snapshot["run"]["status"] == st.RUNNING, "the same dashboard is live again"
    assert RunDetails(run).get_widget_data()["status"] == st.RUNNING
    with pytest.raises(UserErrorException, match=f"still driven in process {os.getpid()}"):
        _sweep(ws).resume()
    run.wait_for_completion()
    assert run.get_status() == st.COMPLETED
    widget.stop_updates()

    children = store.list_runs(parent_id=SWEEP_ID)
    for run_id in interrupted:  # the interrupted records stay as they were, marked DriverLost
        record = store.get_run(run_id)
        assert record.status == st.FAILED and _code(record) == "DriverLost"
        assert [m.value for m in store.metric_rows_for([run_id], "acc")[run_id]] == values_before[run_id]
    reruns = {c.run_id: c for c in children if store.get_properties(c.run_id).get("resumed_from")}
    origins = {store.get_properties(r)["resumed_from"]: c for r, c in reruns.items()}
    assert sorted(origins) == interrupted, "each interrupted child ran again, once"
    first_new = len(before)
    assert sorted(c.child_index for c in reruns.values()) == list(range(first_new, first_new + len(interrupted))), \
        "the reruns were the first children of the continuation"
    for origin, rerun in origins.items():
        assert rerun.hyperparameters == before[origin].hyperparameters and rerun.status == st.COMPLETED
        x = rerun.hyperparameters["x"]
        assert [m.value for m in store.metric_rows_for([rerun.run_id], "ckpt_x")[rerun.run_id]] == [x], \
            "the rerun read the checkpoint its interrupted run wrote to outputs/"
        assert json.loads((Path(rerun.run_dir) / "resume_from" / "ckpt.json").read_text()) == {"x": x}

    counted = [c for c in children if _code(c) != "DriverLost"]
    assert len(counted) == 6, "max_total_runs counts the children that finished, not the interrupted ones"
    assert all(c.status == st.COMPLETED for c in counted)
    progress = ProgressReader(store, SWEEP_ID).read()
    assert progress.done == progress.total == 6 + len(interrupted), "the progress line counts the reruns in the budget"
    snapshot = RunDetails(run).get_widget_data()["snapshot"]
    assert snapshot["run"]["max_total"] == len(snapshot["runs"]) == 6 + len(interrupted), "so does the dashboard"
    sampled = [c.hyperparameters["x"] for c in children if c.run_id not in reruns]
    assert len(sampled) == 6 and len(set(sampled)) == 6, f"the seeded sequence repeated a configuration: {sampled}"

    log = (Path(store.get_run(SWEEP_ID).run_dir) / "azureml-logs" / "hyperdrive.txt").read_text()
    assert "Experiment resumed at" in log and log.count("Experiment was 'ExperimentStatus.RUNNING', is") == 1
    events = store.status_events(SWEEP_ID)
    assert [s for s, _, _ in events][-3:] == [st.FAILED, st.RUNNING, st.COMPLETED]
    assert (events[-2][2] or "").startswith("Resumed at")
    spans = store.running_spans(SWEEP_ID)
    assert len(spans) == 2 and spans[0][1] <= killed < spans[1][0]
    assert killed - spans[0][1] < SPAN_BEAT_SECONDS + 2.0, "the first life's span ends at its last beat before the kill"

    with pytest.raises(UserErrorException, match="finished normally"):
        _sweep(ws).resume()


@pytest.mark.timeout(240)
def test_a_continued_grid_runs_every_configuration_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, store, _ = _drive_and_kill(tmp_path, "script", "grid", total=10)
    monkeypatch.chdir(ws)
    run = _sweep(ws).resume()
    run.wait_for_completion()
    children = store.list_runs(parent_id=SWEEP_ID)
    done = sorted(c.hyperparameters["x"] for c in children if c.status == st.COMPLETED)
    assert done == [1, 2, 3, 4, 5, 6], "every grid point completed exactly once (reruns included)"
    assert all(_code(c) == "DriverLost" for c in children if c.status != st.COMPLETED)


@pytest.mark.timeout(240)
def test_max_duration_counts_only_the_time_the_sweep_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    minutes = 0.3  # 18 s in all; children of 6 steps of 1 s, so the kill comes after about 7 s
    ws, store, _ = _drive_and_kill(tmp_path, "function", "random", total=50, minutes=minutes, step=1.0)
    monkeypatch.chdir(ws)
    time.sleep(3)  # time the sweep does not run: not counted
    first = store.running_seconds(SWEEP_ID)
    assert 4 < first < 18
    started = time.monotonic()
    run = _sweep(ws).resume()
    run.wait_for_completion()
    second = time.monotonic() - started
    assert run.get_status() == st.CANCELED, "the duration budget ended the continued sweep"
    left = minutes * 60 - first
    assert left - 1 < second < left + 8, f"ran {second:.1f} s more where {left:.1f} s of the budget were left"
    total = store.running_seconds(SWEEP_ID)
    assert minutes * 60 - 1 < total < minutes * 60 + 8


@pytest.mark.timeout(240)
def test_a_resumed_sweep_can_be_canceled_and_is_then_not_resumed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, store, _ = _drive_and_kill(tmp_path, "script", "random", total=50, step=1.0)
    monkeypatch.chdir(ws)
    run = _sweep(ws).resume()
    deadline = time.monotonic() + 60
    while not any(c.status == st.RUNNING and store.get_properties(c.run_id).get("resumed_from")
                  for c in store.list_runs(parent_id=SWEEP_ID)):
        assert time.monotonic() < deadline, "the reruns did not start"
        time.sleep(0.05)
    run.cancel()
    assert run.get_status() == st.CANCELED
    assert not [c.run_id for c in store.list_runs(parent_id=SWEEP_ID) if not st.is_terminal(c.status)]
    with pytest.raises(UserErrorException, match="canceled on purpose"):
        _sweep(ws).resume()


@pytest.mark.timeout(120)
def test_resume_refuses_a_sweep_canceled_on_purpose(experiment) -> None:
    def train(x: int) -> None:
        time.sleep(30)

    config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling({"x": choice(1, 2)}),
                              primary_metric_name="acc", primary_metric_goal="maximize", max_total_runs=2)
    run = experiment.submit(config)
    run.cancel()
    run.wait_for_completion(raise_on_error=False)
    with pytest.raises(UserErrorException, match=r"death of its driving process ended \(Failed, DriverLost\).*canceled on purpose"):
        run.resume()
    assert run.get_status() == st.CANCELED


def test_a_sweep_of_a_schema_4_store_is_read_as_before_and_resume_says_why_it_cannot(tmp_path: Path) -> None:
    store = Store(tmp_path / ".hdnotebook")
    store.create_run("HD_old", "old", "hyperdrive", status=st.RUNNING, driver={"host": "elsewhere", "pid": 1})
    store.set_status("HD_old", st.FAILED, error={"error": {"code": "DriverLost", "message": "gone"}})
    store.close()
    with sqlite3.connect(tmp_path / ".hdnotebook" / "store.sqlite") as conn:  # as hdnotebook with schema 4 left it
        conn.execute("DROP TABLE sweep_recipes")
        conn.execute("DROP TABLE run_spans")
        conn.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
    conn.close()
    run = HyperDriveRun(Experiment(Workspace(tmp_path), "old"), "HD_old")
    assert run.get_status() == st.FAILED
    with pytest.raises(UserErrorException, match="submitted before the store kept what a sweep needs"):
        run.resume()
    store = run._need_store()
    assert store.get_run("HD_old").status == st.FAILED and store.running_spans("HD_old") == [], "nothing changed"
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("5",)
    conn.close()


def test_resume_refuses_a_sweep_that_failed_on_its_own_and_a_run_that_is_no_sweep(experiment) -> None:
    store = experiment.workspace._store
    store.create_run("HD_f", experiment.name, "hyperdrive", status=st.RUNNING)
    store.set_status("HD_f", st.FAILED, error={"error": {"code": "AllChildRunsFailed", "message": "all failed"}})
    with pytest.raises(UserErrorException, match=r"failed on its own \(error code AllChildRunsFailed\)"):
        HyperDriveRun(experiment, "HD_f").resume()
    store.create_run("single", experiment.name, "azureml.scriptrun", status=st.COMPLETED)
    with pytest.raises(UserErrorException, match="continues sweeps only, but single is a azureml.scriptrun run"):
        resume_sweep(store, "single")
