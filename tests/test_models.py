"""The model registry: Run.register_model, Model(...), Model.register/list/download, ws.models, with real sweeps."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, Model, UserErrorException, Workspace, choice
from hdnotebook.exceptions import ModelPathNotFoundException, WebserviceException
from tests import children
from tests.conftest import PYTHON, python_env


@pytest.fixture
def best_run(experiment: Experiment):
    config = HyperDriveConfig(run_config=children.saves_model, hyperparameter_sampling=GridParameterSampling({"size": choice(10, 30)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    return run.get_best_run_by_primary_metric()


def test_the_best_run_registers_a_file_and_a_folder_as_numbered_versions(workspace: Workspace, best_run, tmp_path: Path) -> None:
    model = best_run.register_model(model_name="digits", model_path="outputs/model.pkl", tags={"area": "digits"},
                                    properties={"accuracy": 0.9}, model_framework="ScikitLearn", description="the best")
    assert (model.name, model.version, model.id) == ("digits", 1, "digits:1")
    assert model.tags == {"area": "digits"} and model.properties == {"accuracy": "0.9"}
    assert model.run_id == best_run.id and model.run.id == best_run.id and model.experiment_name == "tests"
    assert model.model_framework == "ScikitLearn" and model.description == "the best"
    folder = best_run.register_model("digits", "outputs/bundle")
    assert folder.version == 2
    assert Model(workspace, "digits").version == 2, "the latest version by default"
    assert Model(workspace, "digits", version=1).properties == {"accuracy": "0.9"}
    assert Model(workspace, id="digits:1") == model
    assert Model(workspace, "digits", tags=[["area", "digits"]]).version == 1

    path = Path(model.download(tmp_path / "here"))
    assert path == tmp_path / "here" / "model.pkl" and path.read_bytes() == bytes([30]) * 30
    with pytest.raises(WebserviceException, match="already exists. To overwrite, set exist_ok to True"):
        model.download(tmp_path / "here")
    bundle = Path(folder.download(tmp_path / "here"))
    assert sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()) == ["sub/config.json", "weights.bin"]
    assert json.loads((bundle / "sub" / "config.json").read_text()) == {"size": 30}
    assert Path(Model.get_model_path("digits", version=1, _workspace=workspace)).read_bytes() == bytes([30]) * 30


def test_a_child_registers_a_file_it_has_just_written(workspace: Workspace, best_run) -> None:
    mine = [m for m in Model.list(workspace, name="from-child")]
    assert [m.version for m in mine] == [2, 1] and {m.tags["size"] for m in mine} == {"10", "30"}
    assert {m.run_id for m in mine} == {c.id for c in best_run.parent.get_children()}
    assert Model(workspace, "from-child", run_id=best_run.id).tags == {"size": "30"}


def test_registered_models_survive_the_run_folder_and_reopen_in_another_process(workspace: Workspace, best_run) -> None:
    best_run.register_model("kept", "outputs/model.pkl")
    Model.register(workspace, model_path=str(Path(best_run.get_details()["logFiles"]["user_logs/std_log.txt"])),
                   model_name="a-log", tags={"kind": "text"})
    import shutil

    shutil.rmtree(workspace._store.run_folder(best_run.id))
    script = ("import sys; from pathlib import Path; from hdnotebook import Workspace, Model;"
              "ws = Workspace(sys.argv[1]); print(sorted(ws.models));"
              "print(Path(Model(ws, 'kept').download(sys.argv[1] + '/copy')).stat().st_size)")
    out = subprocess.run([PYTHON, "-c", script, str(workspace.path)], capture_output=True, text=True, env=python_env(), check=True)
    assert out.stdout.split("\n")[:2] == ["['a-log', 'from-child', 'kept']", "30"]


def test_register_model_errors_name_the_argument_and_the_rule(workspace: Workspace, best_run, tmp_path: Path) -> None:
    with pytest.raises(ModelPathNotFoundException) as info:
        best_run.register_model("m", "outputs/nothing.pkl")
    assert "Could not locate the provided model_path outputs/nothing.pkl in the set of files uploaded to the run: [" in str(info.value)
    assert "'outputs/model.pkl'" in str(info.value)
    with pytest.raises(ModelPathNotFoundException):
        best_run.register_model("m", "../../store.sqlite")
    with pytest.raises(ModelPathNotFoundException):
        best_run.register_model("model.pkl")
    with pytest.raises(UserErrorException, match=re.escape("model_name must be 1-255 letters, digits, '-', '_' or '.', starting with a letter or digit")):
        best_run.register_model("bad name/1", "outputs/model.pkl")
    with pytest.raises(WebserviceException, match="ModelNotFound: Model with name nope not found in provided workspace") as missing:
        Model(workspace, "nope")
    assert missing.value.error_code == "ModelNotFound"
    with pytest.raises(UserErrorException, match="model_path to be an existing file or folder"):
        Model.register(workspace, tmp_path / "absent", "m")
    with pytest.raises(UserErrorException, match="child_paths to be relative paths inside model_path"):
        Model.register(workspace, tmp_path, "m", child_paths=["../outside.txt"])
    with pytest.raises(UserErrorException, match="id to be 'name' or 'name:version'"):
        Model(workspace, id="digits:latest")
    assert Model.list(workspace, name="m") == []


def test_tags_properties_list_and_delete(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    (folder / "keep").mkdir(parents=True)
    (folder / "keep" / "a.txt").write_text("a")
    (folder / "drop.txt").write_text("b")
    first = Model.register(workspace, folder, "m", tags={"stage": "dev"}, properties={"auc": 0.7}, child_paths=["keep/a.txt"])
    second = Model.register(workspace, folder, "m")
    assert [p.relative_to(Path(Model.get_model_path("m", 1, workspace))).as_posix()
            for p in Path(Model.get_model_path("m", 1, workspace)).rglob("*") if p.is_file()] == ["keep/a.txt"]
    first.add_tags({"stage": "prod", "team": "x"})
    first.remove_tags(["team"])
    first.add_properties({"auc": 0.9, "f1": 0.5})
    again = Model(workspace, "m", version=1)
    assert again.tags == {"stage": "prod"} and again.properties == {"auc": "0.7", "f1": "0.5"}, "properties cannot change"
    assert [m.id for m in Model.list(workspace)] == ["m:2", "m:1"]
    assert [m.id for m in Model.list(workspace, latest=True)] == ["m:2"] and workspace.models == {"m": second}
    assert [m.id for m in Model.list(workspace, tags={"stage": "prod"})] == ["m:1"]
    assert Model.list(workspace, model_framework="PyTorch") == [] and len(Model.list(workspace, model_framework=None)) == 2
    assert not any(p.name.startswith(".staging-") for p in (workspace._store.folder / "models" / "m").iterdir())
    second.delete()
    assert workspace.models["m"].version == 1 and not Path(second._path).exists()
    assert Model.register(workspace, folder, "m").version == 2, "the next version after the highest kept one"
