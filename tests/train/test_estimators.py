"""Estimators (azureml.train.estimator / .sklearn / .dnn) are ScriptRunConfigs made from Azure's arguments:
submitted and tuned as real script children."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from hdnotebook import (
    Environment,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    ScriptRunConfig,
    UserErrorException,
    choice,
)
from hdnotebook.runconfig import HyperDriveRunConfig
from hdnotebook.train.dnn import PyTorch, TensorFlow
from hdnotebook.train.estimator import Estimator
from hdnotebook.train.sklearn import SKLearn

TRAIN = """
import argparse, sys
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--data-folder")
p.add_argument("--batch-size", type=int)
p.add_argument("--learning-rate", type=float, default=0.5)
p.add_argument("--remote", action="store_true")
a = p.parse_args()
run = Run.get_context()
print("argv", sys.argv[1:], flush=True)
run.log("accuracy", a.batch_size * a.learning_rate)
run.log("remote", int(a.remote))
"""


def test_submitting_an_estimator_runs_its_script_with_script_params_in_dict_order(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    est = Estimator(source_directory=str(src), entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--data-folder": "/data/mnist", "--batch-size": 50, "--remote": None},
                    arguments=["--learning-rate", 0.1], vm_size="STANDARD_NC6", node_count=1, use_gpu=True)
    assert isinstance(est, ScriptRunConfig) and est.script == "train.py"
    run = experiment.submit(est)
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.get_details()["runDefinition"]["arguments"] == [
        "--data-folder", "/data/mnist", "--batch-size", "50", "--remote", "--learning-rate", "0.1"]
    assert run.get_metrics() == {"accuracy": 5.0, "remote": 1}
    assert est.settings["vm_size"] == "STANDARD_NC6" and est.settings["use_gpu"] is True


def test_hyperdrive_tunes_an_estimator_like_a_script_run_config(experiment: Experiment, write_script) -> None:
    src = write_script(TRAIN)
    est = TensorFlow(source_directory=str(src), entry_script="train.py", framework_version="2.0", use_gpu=True,
                     script_params={"--data-folder": "/data", "--batch-size": 50, "--learning-rate": 0.5})
    sampling = GridParameterSampling({"--batch-size": choice(25, 100)})
    with pytest.warns(UserWarning, match=r"\['--batch-size'\] is the list of duplicate parameters"):
        config = HyperDriveConfig(estimator=est, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                                  primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=2, max_concurrent_runs=2)
    assert config.estimator is est and config.run_config is est and config.source_directory == str(src)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tensorflow may be missing here: the environment asks for it
        run = experiment.submit(config)
    run.wait_for_completion()
    children = run.get_children()
    assert [c.get_details()["runDefinition"]["arguments"] for c in children] == [
        ["--data-folder", "/data", "--learning-rate", "0.5", "--batch-size", "25"],
        ["--data-folder", "/data", "--learning-rate", "0.5", "--batch-size", "100"],
    ]
    assert run.get_best_run_by_primary_metric().get_metrics()["accuracy"] == 50.0


def test_hyperdrive_run_config_still_warns_and_now_runs_its_estimator(write_script) -> None:
    src = write_script(TRAIN)
    est = SKLearn(str(src), entry_script="train.py", script_params={"--batch-size": 2})
    with pytest.warns(DeprecationWarning, match="HyperDriveRunConfig is deprecated"):
        config = HyperDriveRunConfig(est, GridParameterSampling({"--learning-rate": choice(0.1, 0.2)}), "accuracy",
                                     PrimaryMetricGoal.MAXIMIZE, 2)
    assert isinstance(config, HyperDriveConfig) and config.estimator is est and config.max_total_runs == 2


def test_estimator_environments_name_their_packages(tmp_path: Path, write_script) -> None:
    src = write_script(TRAIN)
    (src / "conda.yml").write_text("dependencies:\n- numpy\n- pip:\n  - pandas\n")
    (src / "requirements.txt").write_text("scipy\n")
    est = PyTorch(str(src), entry_script="train.py", conda_packages=["scikit-learn"], pip_packages=["keras"],
                  conda_dependencies_file="conda.yml", pip_requirements_file="requirements.txt",
                  environment_variables={"A": "1"}, custom_docker_image="my/image", shm_size="4g")
    assert est.environment.python.conda_dependencies.package_names() == [
        "numpy", "scikit-learn", "scipy", "pandas", "keras", "torch"]
    assert (est.environment.environment_variables, est.environment.docker.base_image, est.environment.docker.shm_size) == (
        {"A": "1"}, "my/image", "4g")
    assert SKLearn(str(src), entry_script="train.py").environment.python.conda_dependencies.package_names() == ["scikit-learn"]
    assert Estimator(str(src), entry_script="train.py").environment.python.conda_dependencies.package_names() == []
    chosen = Environment("mine")
    assert TensorFlow(str(src), entry_script="train.py", environment_definition=chosen).environment is chosen


@pytest.mark.parametrize("kwargs, message", [
    ({}, "Estimator expects entry_script to be set"),
    ({"entry_script": "train.py", "script_params": ["--a", 1]}, "Estimator expects script_params to be a dict"),
    ({"entry_script": "train.py", "arguments": "--a 1"}, "Estimator expects arguments to be a list of command-line words"),
    ({"entry_script": "train.py", "pip_packages": "keras"}, "Estimator expects pip_packages to be a list of strings"),
    ({"entry_script": "train.py", "environment_definition": "env"}, "Estimator expects environment_definition to be an Environment"),
    ({"entry_script": "train.py", "environment_definition": Environment("e"), "pip_packages": ["x"]},
     "Estimator expects either environment_definition or pip_packages, not both"),
])
def test_bad_estimator_arguments_are_named(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(UserErrorException, match=message):
        Estimator(str(tmp_path), **kwargs)
    with pytest.raises(TypeError):
        SKLearn(str(tmp_path), entry_script="train.py", no_such_argument=1)  # type: ignore[call-arg]
