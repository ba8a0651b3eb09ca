"""Choosing where children run: compute_target values, their validation, the clear errors, and the child-side
Run on a machine that has no workspace store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest

from hdnotebook import (
    DaskComputeTarget,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveConfigException,
    ScriptRunConfig,
    TrainingException,
    UserErrorException,
    choice,
)
from hdnotebook._engine import background, channel
from hdnotebook._engine.executors.dask_target import is_dask_target
from hdnotebook._engine.executors.local import LocalExecutor
from hdnotebook._engine.executors.selection import compute_target_of, executor_for
from hdnotebook._engine.executors.versions import differences
from tests import children
from tests.conftest import PYTHON, REPO, python_env


def config(**kwargs) -> HyperDriveConfig:
    return HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                            primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=1, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_which_values_mean_dask() -> None:
    for value in ("tcp://10.0.0.5:8786", "tls://scheduler:8786", "scheduler.example.org:8786", "127.0.0.1:8786",
                  DaskComputeTarget("tcp://host:8786")):
        assert is_dask_target(value), value
    for value in (None, "local", "cpu-cluster", "my_compute", 3):
        assert not is_dask_target(value), value


def test_hyperdrive_config_validates_compute_target_naming_the_argument() -> None:
    assert config().compute_target is None
    assert config(compute_target="tcp://127.0.0.1:8786").compute_target == "tcp://127.0.0.1:8786"
    assert config(compute_target="local").compute_target == "local"
    with pytest.raises(HyperDriveConfigException, match="compute_target expects None, 'local', a Dask scheduler address") as info:
        config(compute_target="cpu-cluster")
    assert info.value.error_code == "InvalidConfigSetting" and "'cpu-cluster'" in str(info.value)


def test_dask_compute_target_checks_its_arguments() -> None:
    with pytest.raises(UserErrorException, match="DaskComputeTarget expects n_workers to be a positive int, got 0"):
        DaskComputeTarget(n_workers=0)
    with pytest.raises(UserErrorException, match="expects address to be a scheduler address"):
        DaskComputeTarget("cpu-cluster")
    with pytest.raises(UserErrorException, match=r"cluster keyword arguments only without an address, got \['memory_limit'\]"):
        DaskComputeTarget("tcp://host:8786", memory_limit="1GB")
    with pytest.raises(UserErrorException, match="connect_timeout to be a positive number"):
        DaskComputeTarget(connect_timeout=0)
    target = DaskComputeTarget()
    assert target.address is None and repr(target) == "DaskComputeTarget(local cluster of 2x1 threads, not started)"


def test_local_targets_get_the_local_executor() -> None:
    script = ScriptRunConfig(".", "train.py", compute_target="cpu-cluster")
    for run_config, target in ((children.quadratic, None), (children.quadratic, "local"), (script, None)):
        assert isinstance(executor_for(run_config, target, 2, run_on_loop=background.call), LocalExecutor)
    assert compute_target_of(script, "tcp://h:1") == "tcp://h:1", "HyperDriveConfig's target wins"
    assert compute_target_of(script, None) == "cpu-cluster"


def test_unreachable_scheduler_fails_submit_and_records_nothing(experiment: Experiment) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(TrainingException, match=f"could not connect to the Dask scheduler at {address} within 1 s") as info:
        experiment.submit(config(compute_target=DaskComputeTarget(address, connect_timeout=1)))
    assert info.value.error_code == "ComputeTargetUnreachable"
    assert experiment.get_runs() == []


def test_missing_distributed_names_the_extra(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        sys.modules["distributed"] = None  # what a Python without the package sees on import
        from hdnotebook import *
        from tests import children
        config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                                  primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=1,
                                  compute_target="tcp://127.0.0.1:8786")
        for attempt in (lambda: Experiment(Workspace("."), "e").submit(config), DaskComputeTarget):
            try:
                attempt()
            except ImportError as exc:
                print(exc)
    """)
    out = subprocess.run([PYTHON, "-c", code], cwd=tmp_path, env=python_env(), capture_output=True, text=True, check=True).stdout
    message = "Running child runs on a Dask cluster needs the 'distributed' package, which is not installed: pip install hdnotebook[dask]"
    assert out.splitlines() == [message, message]


EXITS_WITH_A_CLUSTER = """
import sys, time
from hdnotebook import *
from tests.children import quadratic, sleeper


def grid(**values):
    return GridParameterSampling({k: choice(v) for k, v in values.items()})


if __name__ == "__main__":  # the cluster's worker processes import this script again
    experiment = Experiment(Workspace(sys.argv[1]), "exit")
    # a first sweep installs the loop's exit handler before the cluster's: at exit the cluster's handler runs first
    experiment.submit(HyperDriveConfig(run_config=quadratic, hyperparameter_sampling=grid(x=1), primary_metric_name="score",
                                       primary_metric_goal="maximize", max_total_runs=1)).wait_for_completion()
    target = DaskComputeTarget(n_workers=1, threads_per_worker=1)
    run = experiment.submit(HyperDriveConfig(run_config=sleeper, hyperparameter_sampling=grid(seconds=60), max_total_runs=1,
                                             primary_metric_name="started", primary_metric_goal="maximize",
                                             compute_target=target))
    deadline = time.time() + 60
    while not any(c.get_metrics().get("started") for c in run.get_children()) and time.time() < deadline:
        time.sleep(0.1)
    print(run.id, target.address, flush=True)
"""


@pytest.mark.timeout(240)
def test_a_sweep_on_a_local_cluster_at_exit_is_canceled_before_the_cluster_shuts_down(tmp_path: Path) -> None:
    """The cluster's exit handler cancels the running sweep first (the executors reach the loop's cancel only through
    ``exit_hooks``): the sweep and its child end Canceled with the warning, not failed by a lost cluster."""
    script = tmp_path / "exits.py"
    script.write_text(EXITS_WITH_A_CLUSTER)
    done = subprocess.run([PYTHON, str(script), str(tmp_path / "ws")], capture_output=True, text=True, env=python_env(),
                          cwd=REPO, timeout=200)
    run_id, address = done.stdout.split()
    assert address.startswith("tcp://127.0.0.1:"), done.stderr
    assert f"RuntimeWarning: hdnotebook: {run_id} was still running when Python exited; canceling it." in done.stderr
    from hdnotebook import Workspace

    run = Workspace(tmp_path / "ws").get_run(run_id)
    assert run.get_status() == "Canceled"
    assert [(c.get_status(), "finished" in c.get_metrics()) for c in run.get_children()] == [("Canceled", False)]


def test_version_differences_compare_python_minor_and_exact_packages() -> None:
    notebook = {"python": "3.11.7", "hdnotebook": "0.1.0", "cloudpickle": "3.1.3"}
    assert differences(notebook, {**notebook, "python": "3.11.2"}) == []
    assert differences(notebook, {"python": "3.10.4", "hdnotebook": None, "cloudpickle": "3.0.0"}) == [
        "Python 3.10.4 (notebook: 3.11.7)", "hdnotebook not installed (notebook: 0.1.0)",
        "cloudpickle 3.0.0 (notebook: 3.1.3)"]


CHILD = """
import json, os
from hdnotebook import Run
run = Run.get_context()
run.log("loss", 0.5)
run.set_tags({"t": 1})
run.upload_file("outputs/note.txt", __file__)
print(json.dumps([run.id, run.get_metrics(), run.get_tags(), run.get_status(), os.path.isfile("outputs/note.txt")]))
"""


@pytest.mark.parametrize("workspace_value", ["absent", "missing-folder", "store-without-the-run"])
def test_child_run_logs_without_a_workspace_store(tmp_path: Path, workspace_value: str) -> None:
    """On a worker machine the workspace may not exist (or be another one): logging still goes to the pipe."""
    read_fd, write_fd = os.pipe()
    env = {**python_env(), channel.ENV_RUN_ID: "HD_x_0", channel.ENV_EXPERIMENT: "e", channel.ENV_EVENTS_FD: str(write_fd),
           channel.ENV_RUN_DIR: str(tmp_path)}
    if workspace_value == "missing-folder":
        env[channel.ENV_WORKSPACE] = str(tmp_path / "nowhere" / ".hdnotebook")
    elif workspace_value == "store-without-the-run":
        from hdnotebook import Workspace

        env[channel.ENV_WORKSPACE] = str(Workspace(tmp_path / "other")._store.folder)
    (tmp_path / "child.py").write_text(CHILD)
    out = subprocess.run([PYTHON, "child.py"], cwd=tmp_path, env=env, pass_fds=(write_fd,), capture_output=True, text=True)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        events = [json.loads(line) for line in pipe.read().splitlines()]
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["HD_x_0", {}, {}, "Running", True]
    assert [(e["op"], e["run"]) for e in events] == [("metric", "HD_x_0"), ("tags", "HD_x_0"), ("files", "HD_x_0")]
    assert events[0]["value"] == 0.5 and events[2]["files"][0][0] == "outputs/note.txt"
    assert not (tmp_path / "nowhere").exists(), "no store is created on the worker"
