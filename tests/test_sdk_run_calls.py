"""SDK v1 run calls of Azure's sample notebooks (train-on-local, manage-runs, train-with-datasets,
tensorflow resume-training), each with real runs: RunConfiguration, create_children, restore_snapshot,
DataPath arguments, unregistered datasets."""

from __future__ import annotations

import json

import pytest

from hdnotebook import Environment, Experiment, ScriptRunConfig, UserErrorException


@pytest.mark.timeout(120)
def test_run_configuration_environment_and_target_are_the_runs(experiment: Experiment, write_script) -> None:
    from hdnotebook.core import RunConfiguration as FromCore
    from hdnotebook.runconfig import DockerConfiguration, RunConfiguration

    assert FromCore is RunConfiguration
    src = write_script("""
import json, os
from hdnotebook import Run
Run.get_context().log("seen", json.dumps(os.environ.get("FROM_RUN_CONFIG")))
""")
    # train-on-local: a user-managed environment on a RunConfiguration, then the environment replaced on the config
    run_config = RunConfiguration()
    run_config.environment.python.user_managed_dependencies = True
    config = ScriptRunConfig(source_directory=str(src), script="train.py", run_config=run_config)
    assert config.run_config is run_config and config.environment is run_config.environment and config.compute_target is None
    env = Environment("from-run-config")
    env.environment_variables = {"FROM_RUN_CONFIG": "yes"}
    config.run_config.environment = env
    config.run_config.target = "cpu-cluster"
    config.run_config.docker = DockerConfiguration(use_docker=False)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    assert json.loads(run.get_metrics()["seen"]) == "yes"
    details = run.get_details()
    assert details["target"] == "cpu-cluster" and details["runDefinition"]["environment"]["name"] == "from-run-config"
    # explicit arguments of ScriptRunConfig are set on the given run_config; a new config has Azure's defaults
    other = ScriptRunConfig(str(src), "train.py", run_config=RunConfiguration(), compute_target="gpu", environment=env)
    assert (other.run_config.target, other.run_config.environment) == ("gpu", env)
    fresh = RunConfiguration()
    assert (fresh.target, fresh.node_count, fresh.framework) == ("local", 1, "Python")
    assert fresh.environment.python.conda_dependencies.pip_packages == ["azureml-defaults"]
    with pytest.raises(UserErrorException, match="ScriptRunConfig expects run_config to be a RunConfiguration, got dict"):
        ScriptRunConfig(str(src), "train.py", run_config={"target": "local"})
