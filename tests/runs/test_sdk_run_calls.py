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


@pytest.mark.timeout(120)
def test_a_script_makes_child_runs_and_its_snapshot_is_restored(experiment: Experiment, write_script, tmp_path) -> None:
    import zipfile

    src = write_script("""
from hdnotebook import Run
run = Run.get_context()
for child, fold in zip(run.create_children(tag_key="fold", tag_values=["a", "b", "c"]), "abc"):
    child.log("score", ord(fold))
    child.complete()
open("outputs/written.txt", "w").write("not source")
open("beside.txt", "w").write("not source either")
""")
    (src / "helpers").mkdir()
    (src / "helpers" / "util.py").write_text("X = 1\n")
    run = experiment.submit(ScriptRunConfig(str(src), "train.py"))
    assert run.wait_for_completion()["status"] == "Completed"
    children = run.get_children()
    assert [c.id for c in children] == [f"{run.id}_child_{i}" for i in range(3)]
    assert [(c.get_tags(), c.get_status(), c.get_metrics()) for c in children] == [
        ({"fold": f}, "Completed", {"score": ord(f)}) for f in "abc"]
    assert [c.id for c in run.get_children(tags={"fold": "b"})] == [f"{run.id}_child_1"]
    # the snapshot is the source as copied at start, not what the script wrote
    archive = run.restore_snapshot(path=str(tmp_path / "restored"))
    assert archive == str(tmp_path / "restored" / f"{run.id}.zip")
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["helpers/util.py", "train.py"]
        assert z.read("helpers/util.py") == b"X = 1\n"
    assert run.restore_snapshot("snap", path=str(tmp_path / "named.zip")) == str(tmp_path / "named.zip")


def test_create_children_in_a_notebook_and_bad_input(experiment: Experiment) -> None:
    parent = experiment.start_logging()
    first = parent.create_children(count=2)
    more = parent.create_children(tag_key="lr", tag_values=[0.1])
    assert [c.id for c in first + more] == [f"{parent.id}_child_{i}" for i in range(3)]
    assert more[0].get_tags() == {"lr": "0.1"} and all(c.get_status() == "Running" for c in first)
    for bad, message in (({"count": 0}, "count to be a positive int"), ({}, "count to be a positive int"),
                         ({"tag_key": "k"}, "tag_key .* and tag_values .* together"),
                         ({"count": 3, "tag_key": "k", "tag_values": [1]}, r"count to equal len\(tag_values\) \(1\)")):
        with pytest.raises(UserErrorException, match=message):
            parent.create_children(**bad)
    with pytest.raises(UserErrorException, match="has no source snapshot"):
        parent.restore_snapshot()
    parent.complete()


@pytest.mark.timeout(120)
def test_datapaths_in_script_arguments_are_the_datastore_folders(experiment: Experiment, write_script, tmp_path) -> None:
    from hdnotebook.data.datapath import DataPath, DataPathComputeBinding

    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    (checkpoint / "model.ckpt").write_text("epoch 3")
    datastore = experiment.workspace.get_default_datastore()
    datastore.upload(src_dir=str(checkpoint), target_path="runs/prev", overwrite=True)
    src = write_script("""
import argparse, json, os
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--resume-from")
p.add_argument("--data")
args = p.parse_args()
Run.get_context().log("seen", json.dumps([args.resume_from, open(os.path.join(args.data, "model.ckpt")).read()]))
""")
    # train-tensorflow-resume-training: the previous run's checkpoint folder as a DataPath argument
    model_location = DataPath(datastore=datastore, path_on_datastore="runs/prev", name="model_location")
    binding = (DataPath(datastore, "runs/prev"), DataPathComputeBinding(mode="mount"))
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", arguments=["--resume-from", model_location, "--data", binding]))
    assert run.wait_for_completion()["status"] == "Completed"
    folder = str(datastore.root / "runs" / "prev")
    assert json.loads(run.get_metrics()["seen"]) == [folder, "epoch 3"]
    assert run.get_details()["runDefinition"]["arguments"] == ["--resume-from", folder, "--data", folder]
    assert (model_location.datastore_name, str(model_location.create_data_reference("ref"))) == ("workspaceblobstore", folder)
    with pytest.raises(UserErrorException, match="DataPath expects datastore to be a Datastore, got str"):
        DataPath("workspaceblobstore", "x")
    with pytest.raises(UserErrorException, match="path_on_datastore must stay inside the datastore"):
        DataPath(datastore, "../outside")
    with pytest.raises(UserErrorException, match="DataPathComputeBinding expects mode to be one of"):
        DataPathComputeBinding(mode="stream")


@pytest.mark.timeout(180)
def test_an_unregistered_tabular_dataset_is_accepted_as_a_named_input(experiment: Experiment, write_script, tmp_path) -> None:
    from hdnotebook import Dataset

    (tmp_path / "titanic.csv").write_text("age,survived\n30,1\n40,0\n")
    src = write_script("""
import json, sys
from hdnotebook import Dataset, Run
run = Run.get_context()
frame = run.input_datasets["titanic"].to_pandas_dataframe()
by_id = Dataset.get_by_id(run.experiment.workspace, sys.argv[2])
run.log("seen", json.dumps([int(frame["age"].sum()), by_id.name, len(by_id.to_pandas_dataframe())]))
""")
    # train-with-datasets: a TabularDataset that was never registered, passed with as_named_input
    titanic = Dataset.Tabular.from_delimited_files(path=str(tmp_path / "titanic.csv"))
    runs = [experiment.submit(ScriptRunConfig(str(src), "train.py", arguments=["--input-data", titanic.as_named_input("titanic")]))
            for _ in range(2)]
    for run in runs:
        assert run.wait_for_completion()["status"] == "Completed"
        assert json.loads(run.get_metrics()["seen"]) == [70, None, 2]
    words = [run.get_details()["runDefinition"]["arguments"][1] for run in runs]
    assert words[0] == words[1], "the same definition is saved once"
    saved = Dataset.get_by_id(experiment.workspace, words[0])
    assert (saved.name, saved.version, saved.id) == (None, None, words[0]) and titanic.id is None
    assert experiment.workspace.datasets == {}, "a saved dataset is not a registered one"


@pytest.mark.timeout(180)
def test_a_sweeps_children_get_the_run_configurations_environment_and_target(experiment: Experiment, write_script) -> None:
    from hdnotebook import GridParameterSampling, HyperDriveConfig, PrimaryMetricGoal, choice
    from hdnotebook.runconfig import RunConfiguration

    src = write_script("""
import argparse, os
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
run = Run.get_context()
run.log("score", p.parse_args().x * float(os.environ["SCALE"]))
""")
    config = ScriptRunConfig(str(src), "train.py", run_config=RunConfiguration())
    env = Environment("scaled")
    env.environment_variables = {"SCALE": "10"}
    config.run_config.environment = env
    config.run_config.target = "cpu-cluster"
    sweep = experiment.submit(HyperDriveConfig(run_config=config, hyperparameter_sampling=GridParameterSampling({"--x": choice(1, 2)}),
                                               primary_metric_name="score", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                                               max_total_runs=2, max_concurrent_runs=2))
    assert sweep.wait_for_completion()["status"] == "Completed"
    children = sweep.get_children()
    assert sorted(c.get_metrics()["score"] for c in children) == [10.0, 20.0]
    assert {c.get_details()["target"] for c in children} == {"cpu-cluster"}
