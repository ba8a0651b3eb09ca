"""Sweeps on a real LocalCluster (2 worker processes): script and function children, a policy that stops some,
metrics streamed live, files and logs returned, cancel within 2 s."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from distributed import Client

from hdnotebook import (
    DaskComputeTarget,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    MedianStoppingPolicy,
    ScriptRunConfig,
    choice,
)
from tests import children, curves, dask_children
from tests.conftest import seconds_of
from tests.dask_cluster import assert_workers_are_clean, local_target, pid_alive, wait_for, worker_info  # noqa: F401  (fixture)

MEDIAN_EXAMPLE = [".5,.6,.7", ".4,.5,.55", ".3,.45,.5", ".2,.3,.35,.4*100"]


def assert_stopped_within_two_seconds(child) -> None:
    reason = child.get_details()["terminationReason"]
    assert (reason["policy"], reason["interval"], reason["value"]) == ("MedianStopping", 3, 0.35)
    decided_at = child._need_store().metric_rows_for([child.id], "accuracy")[child.id][2].time
    assert seconds_of(child.get_details()["endTimeUtc"]) - decided_at < 2.0
    assert len(child.get_metrics()["accuracy"]) < 40


def test_function_sweep_with_a_policy_on_a_cluster_object(experiment: Experiment, local_target: DaskComputeTarget) -> None:
    config = HyperDriveConfig(run_config=curves.scripted, hyperparameter_sampling=GridParameterSampling({"values": choice(*MEDIAN_EXAMPLE)}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=4,
                              max_concurrent_runs=1, policy=MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=3),
                              compute_target=local_target.cluster)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    kids = run.get_children()
    assert [c.get_status() for c in kids] == ["Completed", "Completed", "Completed", "Canceled"]
    assert [c.get_metrics()["accuracy"] for c in kids[:3]] == [[.5, .6, .7], [.4, .5, .55], [.3, .45, .5]]
    assert_stopped_within_two_seconds(kids[3])
    assert run.get_best_run_by_primary_metric().id == kids[0].id
    assert kids[0].get_details()["target"].startswith("dask tcp://")
    assert '"target": "dask tcp://' in run.get_tags()["platform_config"]
    assert_workers_are_clean(local_target)


def test_script_sweep_with_a_policy_returns_files_and_logs(experiment: Experiment, local_target: DaskComputeTarget,
                                                          tmp_path: Path) -> None:
    src = dask_children.write_script(tmp_path)
    script = ScriptRunConfig(str(src), "train.py", compute_target=local_target.address)
    config = HyperDriveConfig(run_config=script, hyperparameter_sampling=GridParameterSampling({"values": choice(*MEDIAN_EXAMPLE)}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=4,
                              max_concurrent_runs=1, policy=MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=3))
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    kids = run.get_children()
    assert [c.get_status() for c in kids] == ["Completed", "Completed", "Completed", "Canceled"]
    assert_stopped_within_two_seconds(kids[3])
    first = kids[0]
    assert first.get_metrics()["worker_pid"] in worker_info(local_target, os.getpid).values(), "ran on a Dask worker"
    assert first.get_file_names() == ["extra/notes.txt", "outputs/result.txt", "user_logs/std_log.txt"]
    folder = Path(first.get_details()["runDefinition"]["sourceDirectory"]).parent / ".hdnotebook" / "runs" / first.id
    assert (folder / "outputs" / "result.txt").read_text() == ".5,.6,.7"
    assert (folder / "extra" / "notes.txt").read_text() == "uploaded from the worker"
    log = Path(first.get_details()["logFiles"]["user_logs/std_log.txt"]).read_text()
    assert log == "started on the worker\ndone\n"
    assert "outputs/result.txt" in kids[3].get_file_names(), "a stopped child's outputs come back too"
    assert_workers_are_clean(local_target)


def test_failing_single_script_run_through_a_client(experiment: Experiment, local_target: DaskComputeTarget,
                                                    tmp_path: Path) -> None:
    src = dask_children.write_script(tmp_path)
    with Client(local_target.address, set_as_default=False) as client:
        script = ScriptRunConfig(str(src), "train.py", arguments=["--values", "0.1", "--fail", "1"], compute_target=client)
        run = experiment.submit(script)
        details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    message = details["error"]["error"]["message"]
    assert message.startswith("Traceback (most recent call last)") and message.endswith("ValueError: failing on purpose")
    assert run.get_metrics()["accuracy"] == 0.1
    assert "outputs/result.txt" in run.get_file_names()


def test_metrics_and_log_tail_arrive_while_the_child_runs(experiment: Experiment, local_target: DaskComputeTarget) -> None:
    config = HyperDriveConfig(run_config=dask_children.probe_then_sleep, hyperparameter_sampling=GridParameterSampling({"seconds": choice(3)}),
                              primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=1,
                              compute_target=local_target)
    run = experiment.submit(config)
    store = experiment.workspace._store
    child_id = f"{run.id}_0"
    rows = wait_for(lambda: store.metric_rows(child_id, "probe"), 20, interval=0.005)
    seen_at = time.time()
    assert seen_at - rows[0].value < 1.0, "a value logged on a worker is in the store within 1 s"
    log = store.run_folder(child_id) / "user_logs" / "std_log.txt"
    wait_for(lambda: log.is_file() and "a line of the log tail" in log.read_text(), 2)
    assert store.status_of(child_id) == "Running", "the log tail arrives while the child runs"
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.get_children()[0].get_metrics()["finished"] == 1


def test_cancel_kills_children_on_their_workers_within_two_seconds(experiment: Experiment,
                                                                   local_target: DaskComputeTarget) -> None:
    config = HyperDriveConfig(run_config=dask_children.probe_then_sleep, hyperparameter_sampling=GridParameterSampling({"seconds": choice(60, 61)}),
                              primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=2, compute_target=local_target)
    run = experiment.submit(config)
    wait_for(lambda: len(run.get_children()) == 2 and all("pid" in c.get_metrics() for c in run.get_children()), 20)
    kids = run.get_children()
    pids = [c.get_metrics()["pid"] for c in kids]
    started = time.time()
    run.cancel()
    assert time.time() - started < 2.0
    assert [c.get_status() for c in run.get_children()] == ["Canceled", "Canceled"]
    assert not any(pid_alive(pid) for pid in pids), "the children are gone"
    assert all("finished" not in c.get_metrics() for c in kids)
    assert_workers_are_clean(local_target)


def test_children_beyond_the_cluster_threads_stay_queued_until_a_thread_is_free(experiment: Experiment,
                                                                             local_target: DaskComputeTarget) -> None:
    config = HyperDriveConfig(run_config=dask_children.probe_then_sleep,
                              hyperparameter_sampling=GridParameterSampling({"seconds": choice(2.0, 2.1, 0.1)}),
                              primary_metric_name="probe", primary_metric_goal="maximize", max_total_runs=3,
                              max_concurrent_runs=3, compute_target=local_target)
    run = experiment.submit(config)
    wait_for(lambda: [c.get_status() for c in run.get_children()] == ["Running", "Running", "Queued"], 20)
    kids = run.get_children()
    wait_for(lambda: all("pid" in c.get_metrics() for c in kids[:2]), 5)
    assert kids[2].get_status() == "Queued" and kids[2].get_metrics() == {}
    assert run.wait_for_completion()["status"] == "Completed"
    assert [c.get_status() for c in run.get_children()] == ["Completed"] * 3
    first_end = min(seconds_of(c.get_details()["endTimeUtc"]) for c in kids[:2])
    assert run.get_children()[2].get_metrics()["probe"] >= first_end - 0.05, "the third child started once a thread was free"
    assert_workers_are_clean(local_target)


def test_large_outputs_and_logs_come_back_whole(experiment: Experiment, local_target: DaskComputeTarget) -> None:
    import hashlib

    config = HyperDriveConfig(run_config=dask_children.write_output, hyperparameter_sampling=GridParameterSampling({"megabytes": choice(3)}),
                              primary_metric_name="sha256", primary_metric_goal="maximize", max_total_runs=1,
                              compute_target=local_target)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    child = run.get_children()[0]
    folder = experiment.workspace._store.run_folder(child.id)
    blob = (folder / "outputs" / "blob.bin").read_bytes()
    assert len(blob) == 3 * 1024 * 1024 and hashlib.sha256(blob).hexdigest() == child.get_metrics()["sha256"]
    assert (folder / "user_logs" / "std_log.txt").read_text() == "x" * 200_000 + "\n"
    assert_workers_are_clean(local_target)


def resume_sweeps(experiment: Experiment, run_config, space: dict, target: DaskComputeTarget):
    """A sweep of one child that fails after a checkpoint, then a sweep that resumes it; returns the resumed child."""
    def config(**kwargs) -> HyperDriveConfig:
        return HyperDriveConfig(run_config=run_config, hyperparameter_sampling=GridParameterSampling(space), primary_metric_name="loss",
                                primary_metric_goal="minimize", max_total_runs=1, compute_target=target, **kwargs)

    first = experiment.submit(config())
    first.wait_for_completion(raise_on_error=False)
    old = first.get_children()[0]
    assert old.get_status() == "Failed"
    second = experiment.submit(config(resume_child_runs=old))
    assert second.wait_for_completion()["status"] == "Completed"
    return second.get_children()[0]


def test_a_function_child_resumes_on_a_worker_from_its_checkpoint_shipped_there(experiment: Experiment,
                                                                                local_target: DaskComputeTarget) -> None:
    resumed = resume_sweeps(experiment, dask_children.checkpointed_here, {"epochs": choice(6), "fail_at": choice(3)}, local_target)
    metrics = resumed.get_metrics()
    assert metrics["started_at"] == [0, 3]
    assert metrics["loss"] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6])
    folder = metrics["resume_folder"]
    assert folder == metrics["context_resume_folder"] and folder != resumed.resume_from
    assert Path(folder).name == "resume_from" and Path(folder).parent.name.startswith("hdnotebook-run-"), "a copy in the worker's folder"
    assert_workers_are_clean(local_target)


def test_a_script_child_resumes_on_a_worker_with_a_large_checkpoint(experiment: Experiment, local_target: DaskComputeTarget,
                                                                    tmp_path: Path) -> None:
    src = tmp_path / "resumable"
    src.mkdir()
    (src / "train.py").write_text(children.RESUMABLE_SCRIPT)
    script = ScriptRunConfig(str(src), "train.py", arguments=["--checkpoint-mb", 6])
    resumed = resume_sweeps(experiment, script, {"--epochs": choice(4)}, local_target)
    arguments = resumed.get_details()["runDefinition"]["arguments"]
    assert arguments[-2:] == ["--resume-from", resumed.resume_from]
    metrics = resumed.get_metrics()
    assert metrics["loss"] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    assert metrics["resume_folder"] != resumed.resume_from and Path(metrics["resume_folder"]).name == "resume_from"
    assert Path(resumed.resume_from, "big.bin").stat().st_size == 6 * 1024 * 1024, "the 6 MB checkpoint went in two parts"
