"""Faults on real Dask clusters: a worker killed mid-run, late messages, a lost scheduler, mismatched versions."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hdnotebook import (
    DaskComputeTarget,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    ScriptRunConfig,
    TrainingException,
    Workspace,
    choice,
)
from hdnotebook._engine import background, channel
from hdnotebook._engine.executors.base import OutcomeStatus, TrialKind, TrialSpec
from hdnotebook._engine.executors.dask_executor import DaskExecutor
from hdnotebook._engine.specs import pickle_function
from tests import children, dask_children
from tests.conftest import REPO, python_env
from tests.dask_cluster import ExternalCluster, assert_workers_are_clean, local_target, pid_alive, wait_for, worker_info  # noqa: F401  (fixture)


def test_worker_killed_mid_run_fails_the_run_and_never_mixes_the_rerun(experiment: Experiment, tmp_path: Path,
                                                                        local_target: DaskComputeTarget) -> None:
    src = dask_children.write_script(tmp_path)
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py", arguments=["--delay", "0.1"]),
                              hyperparameter_sampling=GridParameterSampling({"values": choice("0.1*100", "0.2*2")}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=1, compute_target=local_target)
    run = experiment.submit(config)
    store = experiment.workspace._store
    victim = f"{run.id}_0"
    wait_for(lambda: len(store.metric_rows(victim, "accuracy")) >= 3, 30)
    metrics = run.get_children()[0].get_metrics()
    os.kill(metrics["worker_pid"], signal.SIGKILL)
    killed_at = time.time()
    wait_for(lambda: store.status_of(victim) == "Failed", 10)
    assert time.time() - killed_at < 5.0
    error = store.get_run(victim).error["error"]
    assert error["code"] == "WorkerLost" and "left the cluster" in error["message"] and "one curve" in error["message"]
    assert run.wait_for_completion()["status"] == "Completed"
    curve = run.get_children()[0].get_metrics()["accuracy"]
    assert curve == [0.1] * len(curve) and 3 <= len(curve) < 100
    assert [r.name for r in store.metric_rows(victim)].count("pid") == 1, "Dask's rerun logged nothing into the run"
    wait_for(lambda: not pid_alive(metrics["pid"]), 5)
    assert run.get_children()[1].get_status() == "Completed"
    assert wait_for(lambda: len(worker_info(local_target, dask_children.running_trials)) == 2, 30), "the nanny restarted the worker"
    wait_for(lambda: not any(worker_info(local_target, dask_children.running_trials).values()), 5)


def test_late_messages_of_a_stopped_run_are_dropped(tmp_path: Path, local_target: DaskComputeTarget) -> None:
    """A message that reaches the notebook after a trial was stopped (here sent by the test) never reaches the run."""
    async def scenario() -> tuple[list, list, OutcomeStatus]:
        executor = DaskExecutor(local_target, 1)
        await executor.start()
        received: list = []
        env = {channel.ENV_RUN_ID: "late_0", channel.ENV_EXPERIMENT: "e", channel.ENV_RUN_DIR: str(tmp_path)}
        spec = TrialSpec(run_id="late_0", kind=TrialKind.FUNCTION, cwd=str(tmp_path), env=env,
                         log_path=str(tmp_path / "std_log.txt"), payload=pickle_function(children.sleeper), kwargs={"seconds": 60})
        trial = await executor.submit(spec, received.extend)
        while not received:
            await asyncio.sleep(0.01)

        def forged(name: str) -> dict:
            event = {"op": "metric", "run": "late_0", "name": name, "kind": "scalar", "value": 1, "step": None, "t": time.time()}
            return {"key": trial.key, "kind": "events", "events": json.dumps([event])}

        await executor.client.log_event(executor.topic, forged("while_running"))
        while len(received) < 2:
            await asyncio.sleep(0.01)
        await trial.stop(1.0)
        outcome = await trial.outcome()
        await executor.client.log_event(executor.topic, forged("after_stop"))
        await asyncio.sleep(0.5)
        before_close = list(received)
        await executor.aclose()
        return before_close, received, outcome.status

    before_close, received, status = background.call(scenario(), timeout=60)
    assert status is OutcomeStatus.STOPPED
    assert [e["name"] for e in received] == ["started", "while_running"] and before_close == received


@pytest.fixture
def external(tmp_path: Path):
    clusters: list[ExternalCluster] = []

    def start(worker_env: dict[str, str] | None = None, with_worker: bool = True) -> ExternalCluster:
        cluster = ExternalCluster(tmp_path, worker_env, with_worker)
        clusters.append(cluster)
        return cluster

    yield start
    for cluster in clusters:
        cluster.close()


def test_lost_scheduler_fails_the_sweep_and_keeps_finished_runs(experiment: Experiment, external) -> None:
    cluster = external()
    config = HyperDriveConfig(run_config=dask_children.probe_then_sleep,
                              hyperparameter_sampling=GridParameterSampling({"seconds": choice(0.01, 60)}),
                              primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=1, compute_target=cluster.address)
    run = experiment.submit(config)
    wait_for(lambda: len(run.get_children()) == 2 and "pid" in run.get_children()[1].get_metrics(), 30)
    cluster.kill_scheduler()
    lost_at = time.time()
    details = run.wait_for_completion(raise_on_error=False)
    assert time.time() - lost_at < 5.0
    assert details["status"] == "Failed"
    assert "Lost the connection to the Dask scheduler at " + cluster.address in details["error"]["error"]["message"]
    finished, running = run.get_children()
    assert finished.get_status() == "Completed" and finished.get_metrics()["finished"] == 1
    assert running.get_status() == "Failed" and running.get_details()["error"]["error"]["code"] == "SchedulerLost"
    wait_for(lambda: not pid_alive(running.get_metrics()["pid"]), 20)


def old_hdnotebook_env(tmp_path: Path) -> dict[str, str]:
    """A worker environment in which hdnotebook says it is version 0.0.1-old."""
    patch = tmp_path / "patch"
    patch.mkdir(exist_ok=True)
    (patch / "sitecustomize.py").write_text("import hdnotebook\nhdnotebook.__version__ = '0.0.1-old'\n")
    return {"PYTHONPATH": os.pathsep.join([str(patch), str(REPO)])}


def test_version_mismatch_is_reported_at_submit(experiment: Experiment, tmp_path: Path, external) -> None:
    cluster = external(old_hdnotebook_env(tmp_path))
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=1,
                              compute_target=cluster.address)
    with pytest.raises(TrainingException, match="The Dask workers do not match this notebook's versions") as info:
        experiment.submit(config)
    assert info.value.error_code == "VersionMismatch"
    assert "hdnotebook 0.0.1-old (notebook: 0.1.0)" in str(info.value) and "Install the same versions" in str(info.value)
    assert experiment.get_runs() == []


def test_a_worker_with_other_versions_joining_later_fails_each_child_it_would_run(experiment: Experiment, tmp_path: Path,
                                                                                  external) -> None:
    cluster = external(with_worker=False)
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1, 2)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=1, compute_target=cluster.address)
    run = experiment.submit(config)
    wait_for(lambda: [c.get_status() for c in run.get_children()] == ["Queued"], 10)
    cluster.start_worker(old_hdnotebook_env(tmp_path))
    details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    kids = run.get_children()
    assert [c.get_status() for c in kids] == ["Failed", "Failed"]
    for child in kids:
        error = child.get_details()["error"]["error"]
        assert error["code"] == "VersionMismatch" and "hdnotebook 0.0.1-old (notebook: 0.1.0)" in error["message"]


DRIVER = """
import sys, time
from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, Workspace, choice
from tests import dask_children

config = HyperDriveConfig(run_config=dask_children.probe_then_sleep, hyperparameter_sampling=GridParameterSampling({"seconds": choice(60, 61)}),
                          primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=2,
                          max_concurrent_runs=2, compute_target=sys.argv[2])
run = Experiment(Workspace(sys.argv[1]), "orphans").submit(config)
print(run.id, flush=True)
time.sleep(600)
"""


def test_a_notebook_that_dies_leaves_nothing_running_on_the_cluster(tmp_path: Path, local_target: DaskComputeTarget) -> None:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    driver = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ws"), local_target.address], stdout=subprocess.PIPE,
                              text=True, env=python_env(), cwd=str(REPO), start_new_session=True)
    try:
        run_id = driver.stdout.readline().strip()
        store = Workspace(tmp_path / "ws")._store

        def both_pids() -> list[int] | None:
            pids = [int(rows[0].value) for rows in (store.metric_rows(f"{run_id}_{i}", "pid") for i in (0, 1)) if rows]
            return pids if len(pids) == 2 else None

        pids = wait_for(both_pids, 30)
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(10)
        killed_at = time.time()
        wait_for(lambda: not any(pid_alive(pid) for pid in pids), 10)
        assert time.time() - killed_at < 5.0, "the children stop once the scheduler drops the notebook's client"
        assert_workers_are_clean(local_target)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
        driver.communicate(timeout=10)  # communicate: also closes its pipe


def test_a_plain_scheduler_and_worker_pair_runs_script_and_notebook_function_sweeps(experiment: Experiment, tmp_path: Path,
                                                                                    external) -> None:
    """The documented `dask scheduler` / `dask worker` setup, with the worker in its own folder and process tree."""
    from hdnotebook import Run

    cluster = external()
    src = dask_children.write_script(tmp_path)
    script = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=GridParameterSampling({"--values": choice(".5,.6", ".4")}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=2, compute_target=cluster.address)
    run = experiment.submit(script)
    assert run.wait_for_completion()["status"] == "Completed"
    kids = run.get_children()
    assert [c.get_metrics()["accuracy"] for c in kids] == [[.5, .6], .4]
    assert kids[0].get_details()["target"] == f"dask {cluster.address}"
    assert "outputs/result.txt" in kids[0].get_file_names() and "extra/notes.txt" in kids[0].get_file_names()

    def train(x: float) -> None:  # defined here, so it travels by value, like a notebook's function
        Run.get_context().log("score", x * 2)

    functions = HyperDriveConfig(run_config=train, hyperparameter_sampling=GridParameterSampling({"x": choice(1.5, 2.5)}),
                                 primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2,
                                 compute_target=cluster.address)
    run = experiment.submit(functions)
    assert run.wait_for_completion()["status"] == "Completed"
    assert [c.get_metrics()["score"] for c in run.get_children()] == [3.0, 5.0]
