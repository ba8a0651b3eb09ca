"""Script children: real subprocesses, each in its own copy of the source folder."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from hdnotebook import (
    ActivityFailedException,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    Run,
    ScriptRunConfig,
    choice,
    uniform,
)
from tests.conftest import seconds_of

TRAIN = """
import argparse, os, sys, time
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--batch", type=int)
p.add_argument("--fixed", default="none")
p.add_argument("--sleep", type=float, default=0.0)
a = p.parse_args()
run = Run.get_context()
print("argv", sys.argv[1:], flush=True)
run.log("pid", os.getpid())
run.log("start", time.time())
time.sleep(a.sleep)
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.txt", "w") as f:
    f.write(f"{a.lr} {a.batch}")
for step in range(3):
    run.log("accuracy", a.lr * a.batch / 100 + step * 0.01)
run.log("end", time.time())
if a.batch == 64 and a.fixed == "fail":
    raise RuntimeError("batch 64 is not allowed")
"""


def sweep_config(src: Path, space: dict, **kwargs) -> HyperDriveConfig:
    options = dict(primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=4,
                   max_concurrent_runs=2)
    arguments = kwargs.pop("arguments", [])
    options.update(kwargs)
    return HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py", arguments=arguments),
                            hyperparameter_sampling=GridParameterSampling(space), **options)


def test_grid_sweep_of_scripts_runs_every_configuration(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    config = sweep_config(src, {"--lr": choice(0.1, 0.2), "batch": choice(32, 64)}, arguments=["--fixed", "yes"])
    run = experiment.submit(config)
    assert run.id.startswith("HD_")
    details = run.wait_for_completion()
    assert details["status"] == "Completed"
    children = run.get_children()
    assert [c.id for c in children] == [f"{run.id}_{i}" for i in range(4)]
    assert {c.get_status() for c in children} == {"Completed"}
    args = [c.get_details()["runDefinition"]["arguments"] for c in children]
    assert args[0] == ["--fixed", "yes", "--lr", "0.1", "--batch", "32"]
    assert args[3] == ["--fixed", "yes", "--lr", "0.2", "--batch", "64"]
    for child in children:
        assert child.get_file_names() == ["outputs/model.txt", "user_logs/std_log.txt"]
        log = Path(child.get_details()["logFiles"]["user_logs/std_log.txt"]).read_text()
        assert "argv ['--fixed', 'yes'" in log
    assert json.loads(run.get_hyperparameters()[children[3].id]) == {"--lr": 0.2, "batch": 64}
    best = run.get_best_run_by_primary_metric()
    assert best.id == children[3].id
    assert best.get_metrics()["accuracy"] == pytest.approx([0.128, 0.138, 0.148])


def test_each_child_gets_its_own_copy_of_the_source_folder(experiment: Experiment, write_script, tmp_path: Path) -> None:
    src = write_script(TRAIN)
    (src / "data.txt").write_text("shared input")
    run = experiment.submit(sweep_config(src, {"--lr": choice(0.1, 0.2), "--batch": choice(32)}))
    run.wait_for_completion()
    folders = {Path(c.get_details()["logFiles"]["user_logs/std_log.txt"]).parents[1] for c in run.get_children()}
    assert len(folders) == 2
    for folder in folders:
        assert (folder / "data.txt").read_text() == "shared input"
        assert (folder / "outputs" / "model.txt").exists()
    assert not (src / "outputs").exists(), "children must not write into the user's source folder"
    target = tmp_path / "downloaded"
    child = run.get_children()[1]
    child.download_file("outputs/model.txt", target / "model.txt")
    assert (target / "model.txt").read_text() == "0.2 32"
    child.download_files(prefix="outputs", output_directory=target / "all")
    assert (target / "all" / "outputs" / "model.txt").exists()


def test_base_argument_set_by_the_space_is_dropped_with_a_warning(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    with pytest.warns(UserWarning, match="--lr"):
        config = sweep_config(src, {"--lr": choice(0.5), "--batch": choice(8)}, arguments=["--lr", "0.9", "--fixed", "x"],
                              max_total_runs=1)
    run = experiment.submit(config)
    run.wait_for_completion()
    assert run.get_children()[0].get_details()["runDefinition"]["arguments"] == ["--fixed", "x", "--lr", "0.5", "--batch", "8"]


def test_failed_child_records_its_traceback_and_the_sweep_goes_on(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    run = experiment.submit(sweep_config(src, {"--lr": choice(0.1), "--batch": choice(32, 64, 128)}, arguments=["--fixed", "fail"]))
    assert run.wait_for_completion()["status"] == "Completed"
    statuses = [c.get_status() for c in run.get_children()]
    assert statuses == ["Completed", "Failed", "Completed"]
    failed = run.get_children()[1]
    error = failed.get_details()["error"]["error"]
    assert "RuntimeError: batch 64 is not allowed" in error["message"]
    assert error["message"].startswith("Traceback (most recent call last)")
    assert failed.get_metrics()["accuracy"] == pytest.approx([0.064, 0.074, 0.084]), "metrics logged before the failure are kept"
    with pytest.raises(ActivityFailedException, match="batch 64"):
        failed.wait_for_completion()


def test_max_concurrent_runs_is_honoured(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    config = sweep_config(src, {"--lr": choice(0.1, 0.2, 0.3, 0.4, 0.5), "--batch": choice(1)}, arguments=["--sleep", "0.6"],
                          max_total_runs=5, max_concurrent_runs=2)
    run = experiment.submit(config)
    run.wait_for_completion()
    # each child's span in the store, from its launch to its end (the script's own start can lag its launch by a
    # second on a loaded machine, so the spans it logs need not overlap)
    details = [c.get_details() for c in run.get_children()]
    spans = [(seconds_of(d["startTimeUtc"]), seconds_of(d["endTimeUtc"])) for d in details]
    assert len(spans) == 5
    moments = sorted({t for span in spans for t in span})
    most = max(sum(1 for s, e in spans if s <= t < e) for t in moments)
    assert most == 2


def test_max_total_runs_caps_a_larger_space(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    space = {"--lr": uniform(0.1, 0.2), "--batch": choice(1, 2)}
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=RandomParameterSampling(space, seed=3),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=3,
                              max_concurrent_runs=3)
    run = experiment.submit(config)
    run.wait_for_completion()
    assert len(run.get_children()) == 3


GRANDCHILD = """
import os, subprocess, sys, time
from hdnotebook import Run
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
run = Run.get_context()
run.log("grandchild", child.pid)
run.log("accuracy", 0.5)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def _wait_for_child(run: Run, index: int, timeout: float = 30.0) -> Run:
    deadline = time.time() + timeout
    while time.time() < deadline:
        children = run.get_children()
        if len(children) > index:
            return children[index]
        time.sleep(0.05)
    raise AssertionError(f"child {index} was not created within {timeout} s")


def _wait_for_metric(run: Run, name: str, timeout: float = 30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        metrics = run.get_metrics()
        if name in metrics:
            return metrics[name]
        time.sleep(0.05)
    raise AssertionError(f"{name} was not logged within {timeout} s")


def test_cancel_kills_children_and_their_process_groups_within_two_seconds(experiment: Experiment, write_script) -> None:
    src = write_script(GRANDCHILD)
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=GridParameterSampling({"--a": choice(1, 2, 3)}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=3,
                              max_concurrent_runs=2)
    run = experiment.submit(config)
    children = []
    deadline = time.time() + 30
    while len(children) < 2 and time.time() < deadline:
        children = [c for c in run.get_children() if "grandchild" in c.get_metrics()]
        time.sleep(0.05)
    grandchildren = [c.get_metrics()["grandchild"] for c in children]
    pids = [c.get_metrics()["pid"] if "pid" in c.get_metrics() else None for c in children]
    assert all(_alive(p) for p in grandchildren)
    started = time.time()
    assert run.cancel() is True
    assert time.time() - started < 2.0
    assert run.get_status() == "Canceled"
    assert [c.get_status() for c in run.get_children()] == ["Canceled", "Canceled"]
    time.sleep(0.1)
    assert not any(_alive(p) for p in grandchildren), "the children's own subprocesses must die with them"
    assert all(c.get_metrics()["accuracy"] == 0.5 for c in children)
    assert pids


def test_canceling_one_child_leaves_the_sweep_running(experiment: Experiment, write_script) -> None:
    src = write_script(GRANDCHILD.replace("time.sleep(60)\n", "time.sleep(60 if os.environ['HDNOTEBOOK_RUN_ID'].endswith('_0') else 0)\n"))
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=GridParameterSampling({"--a": choice(1, 2)}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=2)
    run = experiment.submit(config)
    first = _wait_for_child(run, 0)
    _wait_for_metric(first, "accuracy")
    first.cancel()
    assert first.get_status() == "Canceled"
    assert run.wait_for_completion()["status"] == "Completed"
    assert [c.get_status() for c in run.get_children()] == ["Canceled", "Completed"]


def test_max_duration_minutes_cancels_running_children(experiment: Experiment, write_script) -> None:
    src = write_script(GRANDCHILD)
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=GridParameterSampling({"--a": choice(1, 2, 3)}),
                              primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=3,
                              max_concurrent_runs=1, max_duration_minutes=0.05)
    started = time.time()
    run = experiment.submit(config)
    details = run.wait_for_completion()
    assert 2.5 < time.time() - started < 8
    assert details["status"] == "Canceled"
    assert [c.get_status() for c in run.get_children()] == ["Canceled"]


def test_single_script_run(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", arguments=["--lr", 0.5, "--batch", 10]))
    assert type(run) is Run
    details = run.wait_for_completion()
    assert details["status"] == "Completed"
    assert details["runDefinition"]["arguments"] == ["--lr", "0.5", "--batch", "10"]
    assert run.get_metrics()["accuracy"] == pytest.approx([0.05, 0.06, 0.07])


def test_max_run_duration_seconds_cancels_a_slow_script(experiment: Experiment, write_script) -> None:
    src = write_script("import time\ntime.sleep(30)\n")
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", max_run_duration_seconds=1))
    details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Canceled"
    assert details["error"]["error"]["code"] == "MaxRunDurationExceeded"


def test_missing_script_is_reported_at_submit(experiment: Experiment, tmp_path: Path) -> None:
    from hdnotebook import UserErrorException

    with pytest.raises(UserErrorException, match="nope.py"):
        experiment.submit(ScriptRunConfig(str(tmp_path), "nope.py"))


def test_sigkilled_child_keeps_every_value_whose_log_returned(experiment: Experiment, write_script) -> None:
    src = write_script(
        "import os, signal\nfrom hdnotebook import Run\nrun = Run.get_context()\n"
        "for i in range(500):\n    run.log('step', i)\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = experiment.submit(ScriptRunConfig(str(src), "train.py"))
    details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    assert "SIGKILL" in details["error"]["error"]["message"]
    assert run.get_metrics()["step"] == list(range(500))


LIGHT = """
import os, sys
from hdnotebook import Run
run = Run.get_context()
run.log("x", 1)
run.log_row("row", a=1)
run.tag("stage", "logged")
heavy = ("numpy", "sqlite3", "asyncio", "logging", "typing", "hdnotebook._engine.store", "hdnotebook.experiment", "hdnotebook._engine.sweep")
run.log("heavy_while_logging", ",".join(m for m in heavy if m in sys.modules) or "none")
run.log("status", run.get_status())  # a read: the workspace's store is opened now
run.log("parent", run.parent.id)
run.log("experiment", run.experiment.name)
run.log("store_open_after_read", "sqlite3" in sys.modules)
"""


@pytest.mark.timeout(120)
def test_a_script_child_that_logs_imports_nothing_heavy_and_reads_still_work(experiment: Experiment, write_script) -> None:
    src = write_script(LIGHT)
    config = sweep_config(src, {"--i": choice(0)}, primary_metric_name="x", max_total_runs=1, max_concurrent_runs=1)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    child = run.get_children()[0]
    metrics = child.get_metrics()
    assert metrics["heavy_while_logging"] == "none"
    assert (metrics["status"], metrics["parent"], metrics["experiment"]) == ("Running", run.id, experiment.name)
    assert metrics["store_open_after_read"] is True
    assert (metrics["x"], metrics["row"], child.get_tags()["stage"]) == (1, {"a": 1}, "logged")
