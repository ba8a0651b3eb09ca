"""The parts of azureml.core a HyperDrive notebook uses besides the sweep: Environment, CondaDependencies,
ComputeTarget/AmlCompute. They are recorded; children run on this machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hdnotebook
from hdnotebook import (
    AmlCompute,
    ComputeTarget,
    ComputeTargetException,
    CondaDependencies,
    Environment,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    ScriptRunConfig,
    UserErrorException,
    Workspace,
    choice,
)

CONDA = """
name: sklearn-env
channels:
  - conda-forge
dependencies:
  - python=3.8
  - scikit-learn>=0.24   # comment
  - numpy
  - pip:
    - azureml-defaults
    - no-such-package-hdnotebook==1.0
"""


def test_a_migrated_azure_notebook_runs_unchanged_but_for_its_imports(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conda.yml").write_text(textwrap.dedent(CONDA))
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text("import argparse\nfrom hdnotebook import Run\np = argparse.ArgumentParser()\n"
                                  "p.add_argument('--C', type=float)\nRun.get_context().log('accuracy', p.parse_args().C)\n")
    # the notebook's own lines, as they were written for Azure ML:
    ws = Workspace.from_config()
    compute_config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4)
    cluster = ComputeTarget.create(ws, "cpu-cluster", compute_config)
    cluster.wait_for_completion(show_output=True)
    env = Environment.from_conda_specification(name="sklearn-env", file_path="conda.yml")
    src_config = ScriptRunConfig(source_directory=str(src), script="train.py", compute_target=cluster, environment=env)
    config = HyperDriveConfig(run_config=src_config, hyperparameter_sampling=GridParameterSampling({"--C": choice(0.5, 1.0)}),
                              primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                              max_total_runs=2, max_concurrent_runs=2)
    with pytest.warns(UserWarning, match=r"no-such-package-hdnotebook"):
        run = Experiment(ws, "azure-notebook").submit(config)
    run.wait_for_completion()
    best = run.get_best_run_by_primary_metric()
    assert best.get_metrics() == {"accuracy": 1.0}
    # run details name the compute target the notebook gave (an object or a name), not "local"
    assert best.get_details()["target"] == "cpu-cluster"
    assert json.loads(run.get_tags()["platform_config"])["target"] == "cpu-cluster"
    single = Experiment(ws, "azure-notebook").submit(
        ScriptRunConfig(source_directory=str(src), script="train.py", arguments=["--C", 2], compute_target="gpu-cluster"))
    single.wait_for_completion()
    assert (single.get_status(), single.get_details()["target"]) == ("Completed", "gpu-cluster")


def test_environment_sources_and_missing_packages(tmp_path: Path) -> None:
    (tmp_path / "conda.yml").write_text(textwrap.dedent(CONDA))
    env = Environment.from_conda_specification("e", tmp_path / "conda.yml")
    assert env.python.conda_dependencies.package_names() == ["scikit-learn", "numpy", "no-such-package-hdnotebook"]
    assert env.missing_packages() == ["no-such-package-hdnotebook"]
    (tmp_path / "requirements.txt").write_text("pandas>=1\n# comment\nScikit_Learn\n")
    assert Environment.from_pip_requirements("r", tmp_path / "requirements.txt").missing_packages() == []
    deps = CondaDependencies.create(pip_packages=["numpy"], conda_packages=["scipy"])
    env = Environment("made")
    env.python.conda_dependencies = deps
    assert env.python.conda_dependencies.package_names() == ["scipy", "numpy"]
    assert Environment.get(None, "AzureML-sklearn-1.0").register(None).name == "AzureML-sklearn-1.0"
    with pytest.raises(UserErrorException, match="file_path"):
        Environment.from_conda_specification("e", tmp_path / "missing.yml")
    with pytest.raises(UserErrorException, match="name"):
        Environment("")


def test_compute_targets_say_where_children_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = ComputeTarget.create(Workspace(tmp_path), "gpu-cluster")
    target.wait_for_completion(show_output=True)
    assert "local processes" in capsys.readouterr().out
    assert target.get_status().provisioning_state == "Succeeded"
    assert repr(target) == "ComputeTarget(name='gpu-cluster', type=local)"
    with pytest.raises(UserErrorException, match="ComputeTarget expects workspace to be a Workspace, got NoneType"):
        ComputeTarget(workspace=None, name="gpu-cluster")


def test_workspace_keeps_the_azure_identity_it_was_given_else_says_local(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ws = Workspace.from_config()
    # the first cell of every sample:
    print("Workspace name: " + ws.name, "Azure region: " + ws.location, "Subscription id: " + ws.subscription_id,
          "Resource group: " + ws.resource_group, sep="\n")
    assert (ws.name, ws.resource_group, ws.location, ws.subscription_id) == (tmp_path.name, "local", "local", "local")
    given = Workspace(subscription_id="0000-1111", resource_group="rg-ml", workspace_name="ignored", _location="westeurope")
    assert (given.subscription_id, given.resource_group, given.location) == ("0000-1111", "rg-ml", "westeurope")
    assert given == ws and Workspace(str(tmp_path), location="eastus").location == "eastus"
    with pytest.raises(UserErrorException, match="Workspace expects subscription_id to be a string, got int"):
        Workspace(subscription_id=1234)


def test_compute_targets_are_recorded_per_workspace_with_azure_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws, other = Workspace(tmp_path / "a"), Workspace(tmp_path / "b")
    assert ws.compute_targets == {}
    # the compute cell of every sample: an unknown name raises, so the create branch runs
    for name, config in (("cpu-cluster", None), ("gpu-cluster", AmlCompute.provisioning_configuration(vm_size="STANDARD_NC6", max_nodes=4))):
        try:
            ComputeTarget(workspace=ws, name=name)
            pytest.fail("ComputeTarget(workspace, unknown name) did not raise")
        except ComputeTargetException as e:
            assert e.error_code == "ComputeTargetNotFound" and f"Compute Target with name {name} not found" in e.message
            target = ComputeTarget.create(ws, name, config)
            target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    assert "Succeeded\nAmlCompute wait for completion finished" in capsys.readouterr().out
    cluster, created = ComputeTarget(workspace=ws, name="cpu-cluster"), ComputeTarget(ws, "gpu-cluster")
    assert type(created) is AmlCompute and created.type == "AmlCompute" and created.provisioning_state == "Succeeded"
    assert cluster.type == "local" and created.provisioning_configuration["vm_size"] == "STANDARD_NC6"
    assert ws.compute_targets == {"cpu-cluster": cluster, "gpu-cluster": created} and other.compute_targets == {}
    assert ComputeTarget.create(ws, "gpu-cluster") == created  # an existing name keeps its first record
    with pytest.raises(ComputeTargetException):
        ComputeTarget(other, "gpu-cluster")
    status = created.get_status().serialize()
    assert set(status) == {"currentNodeCount", "targetNodeCount", "nodeStateCounts", "allocationState",
                           "allocationStateTransitionTime", "errors", "creationTime", "modifiedTime", "provisioningState",
                           "provisioningStateTransitionTime", "scaleSettings", "vmPriority", "vmSize"}
    assert (status["provisioningState"], status["currentNodeCount"], status["vmSize"]) == ("Succeeded", 1, "local")
    assert [(n, c.type, c.provisioning_state) for n, c in ws.compute_targets.items()] == [
        ("cpu-cluster", "local", "Succeeded"), ("gpu-cluster", "AmlCompute", "Succeeded")]
    created.delete()
    assert list(ws.compute_targets) == ["cpu-cluster"]
    with pytest.raises(ComputeTargetException):
        AmlCompute(ws, "gpu-cluster")
    with pytest.raises(UserErrorException, match="ComputeTarget expects name to be a non-empty string"):
        ComputeTarget.create(ws, "", None)


@pytest.mark.timeout(120)
def test_compute_targets_are_kept_in_the_store_for_other_processes(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ComputeTarget.create(ws, "cpu-cluster", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4))
    code = textwrap.dedent(f"""
        from hdnotebook import AmlCompute, ComputeTarget, ComputeTargetException, Workspace
        ws = Workspace({str(tmp_path)!r})
        found = ComputeTarget(workspace=ws, name="cpu-cluster")
        print(type(found).__name__, found.provisioning_configuration["vm_size"], sorted(ws.compute_targets))
        try:
            ComputeTarget(workspace=ws, name="gpu-cluster")
        except ComputeTargetException:
            ComputeTarget.create(ws, "gpu-cluster", None)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(hdnotebook.__file__).parent.parent)}  # this checkout's hdnotebook
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=100, check=True,
                         env=env).stdout
    assert out.split() == ["AmlCompute", "STANDARD_D2_V2", "['cpu-cluster']"]
    assert ComputeTarget(ws, "gpu-cluster").type == "local"  # created by the other process


def test_azure_core_module_paths_version_and_telemetry() -> None:
    import hdnotebook
    from hdnotebook import compute, compute_target, telemetry

    assert hdnotebook.VERSION == hdnotebook.__version__ and "VERSION" not in hdnotebook.__all__
    assert compute_target.ComputeTargetException is compute.ComputeTargetException is hdnotebook.ComputeTargetException
    assert compute_target.ComputeTarget is ComputeTarget
    assert telemetry.set_diagnostics_collection(send_diagnostics=True) is None


# the keras/pytorch samples' conda file: list items at column 0 under dependencies: and - pip:
CONDA_COLUMN_0 = """
channels:
- conda-forge
dependencies:
- python=3.6.2
- pip=21.3.1
- pip:
  - azureml-defaults
  - torch==1.6.0
  - pillow
"""


def test_conda_specification_is_read_as_yaml_whatever_its_indentation(tmp_path: Path) -> None:
    column_0 = tmp_path / "conda_dependencies.yml"
    column_0.write_text(CONDA_COLUMN_0)
    indented = tmp_path / "indented.yml"
    indented.write_text("\n".join(("  " + line if line.startswith(("-", " ")) else line) for line in CONDA_COLUMN_0.splitlines()))
    for path in (column_0, indented):
        deps = Environment.from_conda_specification(name="pytorch-1.6-gpu", file_path=str(path)).python.conda_dependencies
        assert deps.conda_packages == ["python=3.6.2", "pip=21.3.1"]
        assert deps.pip_packages == ["azureml-defaults", "torch==1.6.0", "pillow"]
        assert deps.package_names() == ["torch", "pillow"]
    (tmp_path / "bad.yml").write_text("dependencies: [numpy\n")
    with pytest.raises(UserErrorException, match="file_path expects a conda specification.*not valid YAML"):
        Environment.from_conda_specification("e", tmp_path / "bad.yml")
    (tmp_path / "list.yml").write_text("- numpy\n")
    with pytest.raises(UserErrorException, match="file_path expects a conda specification"):
        Environment.from_conda_specification("e", tmp_path / "list.yml")
    (tmp_path / "no-deps.yml").write_text("name: empty\n")
    assert Environment.from_conda_specification("e", tmp_path / "no-deps.yml").python.conda_dependencies.package_names() == []


def test_new_environments_and_dependencies_print_azures_defaults() -> None:
    from hdnotebook.environment import DEFAULT_CPU_IMAGE

    assert Environment("e").docker.base_image == DEFAULT_CPU_IMAGE
    assert DEFAULT_CPU_IMAGE.startswith("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:")
    deps = CondaDependencies.create(pip_packages=["numpy"], conda_packages=["scipy"])
    assert (deps.python_version, deps.conda_packages, deps.pip_packages) == ("3.8.13", ["scipy"], ["azureml-defaults", "numpy"])
    printed = deps.serialize_to_string()
    assert printed.startswith("name: project_environment\ndependencies:\n- python=3.8.13\n- scipy\n- pip:\n  - azureml-defaults\n")
    assert printed.endswith("channels:\n- anaconda\n- conda-forge\n")
    assert Environment("e").python.conda_dependencies.pip_packages == ["azureml-defaults"]
    assert CondaDependencies.create(python_version="3.10").python_version == "3.10"


def test_environment_docker_settings_are_recorded(tmp_path: Path) -> None:
    env = Environment("keras-env")
    assert env.docker is not None and env.docker.enabled is False and env.docker.arguments == []
    env.docker.enabled = True
    env.docker.base_image = "mcr.microsoft.com/azureml/openmpi3.1.2-cuda10.0-cudnn7-ubuntu18.04"
    env.docker.base_dockerfile = "FROM ubuntu"
    env.docker.shm_size = "2g"
    env.docker.arguments = ["--ipc=host"]
    assert (env.docker.enabled, env.docker.shm_size, env.docker.arguments) == (True, "2g", ["--ipc=host"])
    assert Environment("other").docker.enabled is False


def test_conda_dependencies_round_trip_through_a_file(tmp_path: Path) -> None:
    from hdnotebook.conda_dependencies import CondaDependencies as FromAzurePath

    assert FromAzurePath is CondaDependencies
    # the deploy cells of the keras/tensorflow samples:
    deps = CondaDependencies.create(python_version="3.7")
    deps.add_tensorflow_conda_package()
    deps.add_tensorflow_conda_package(core_type="gpu", version="2.2.0")
    deps.add_conda_package("numpy")
    deps.add_pip_package("keras==2.3.1")
    path = deps.save_to_file(base_directory=str(tmp_path), conda_file_path="env/myenv.yml")
    assert Path(path) == tmp_path / "env" / "myenv.yml" and Path(path).read_text() == deps.serialize_to_string()
    again = Environment.from_conda_specification("myenv", path).python.conda_dependencies
    assert again.conda_packages == ["python=3.7", "tensorflow", "tensorflow-gpu=2.2.0", "numpy"]
    assert again.pip_packages == ["azureml-defaults", "keras==2.3.1"]
    with pytest.raises(UserErrorException, match="core_type to be 'cpu' or 'gpu', got 'tpu'"):
        deps.add_tensorflow_conda_package(core_type="tpu")


def test_a_script_child_sees_its_environment_variables_but_keeps_its_run_identity(experiment, write_script) -> None:
    src = write_script("""
import json, os
from hdnotebook import Run
Run.get_context().log("seen", json.dumps([os.environ.get("MY_SETTING"), os.environ.get("HDNOTEBOOK_RUN_ID")]))
""")
    env = Environment("with-variables")
    env.environment_variables = {"MY_SETTING": "on", "HDNOTEBOOK_RUN_ID": "not-this"}
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", environment=env))
    assert run.wait_for_completion()["status"] == "Completed"
    assert json.loads(run.get_metrics()["seen"]) == ["on", run.id]


def test_azure_positional_workspace_form_opens_the_nearest_workspace(workspace: Workspace, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    ws = Workspace("00000000-sub", "my-rg", "my-ws")
    assert ws == workspace and (ws.subscription_id, ws.resource_group) == ("00000000-sub", "my-rg")
    assert not (tmp_path / "sub" / "00000000-sub").exists()
    by_keyword = Workspace(subscription_id="00000000-sub", resource_group="my-rg", workspace_name="my-ws")
    assert by_keyword == workspace and not (tmp_path / "sub" / ".hdnotebook").exists(), "the same workspace, either form"
    assert Workspace() == Workspace(tmp_path / "sub"), "without an Azure identity: the current folder"
