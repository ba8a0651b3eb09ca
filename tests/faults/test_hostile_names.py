"""Hostile names: run ids, uploaded file names and image names never lead a write outside the workspace."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest

from hdnotebook import (
    Experiment,
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    Run,
    ScriptRunConfig,
    UserErrorException,
    Workspace,
    choice,
)
from hdnotebook.exceptions import HyperDriveConfigException

pytestmark = pytest.mark.timeout(180)  # the fault suite: every test bounded

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
ABSOLUTE = f"/tmp/hdnotebook-escape-{uuid.uuid4().hex}"
HOSTILE_RUN_IDS = ["../../../x", ABSOLUTE, "a/../../../../b", "..", ".", "a\\..\\..\\b", "sub/run", ""]
HOSTILE_FILE_NAMES = ["../../../../escaped.txt", ABSOLUTE + "/f.txt", "outputs/../../../escaped.txt", "..", "./x",
                      "outputs//x.txt", "..\\..\\escaped.txt", "C:/escaped.txt", "outputs/"]


class Figure:
    """What log_image calls on a matplotlib figure: ``savefig(path, format=...)``."""

    def savefig(self, path: Path, format: str) -> None:
        Path(path).write_bytes(PNG)


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.fixture
def deep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Workspace]:
    """A workspace four folders below ``tmp_path``, so that escapes of up to four '..' stay observable."""
    root = tmp_path / "a" / "b" / "c" / "ws"
    root.mkdir(parents=True)
    monkeypatch.chdir(root)
    return tmp_path, Workspace(root)


def _config(**overrides) -> HyperDriveConfig:
    return HyperDriveConfig(run_config=ScriptRunConfig(source_directory=".", script="train.py"),
                            hyperparameter_sampling=RandomParameterSampling({"x": choice(1, 2)}),
                            primary_metric_name="m", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=2,
                            **overrides)


@pytest.mark.parametrize("value", HOSTILE_RUN_IDS[:-1])
def test_custom_run_id_must_be_one_folder_name(value: str) -> None:
    with pytest.raises(HyperDriveConfigException, match=re.escape(f"custom_run_id must be 1-240 letters, digits, '-', "
                                                                   f"'_' or '.', starting with a letter or digit; got {value!r}")):
        _config(custom_run_id=value)


def test_good_custom_run_ids_are_kept() -> None:
    assert _config(custom_run_id="HD_my-sweep.2").custom_run_id == "HD_my-sweep.2"
    with pytest.raises(HyperDriveConfigException, match="custom_run_id must be 1-240"):
        _config(custom_run_id="x" * 241)


@pytest.mark.parametrize("value", HOSTILE_RUN_IDS)
def test_the_store_creates_no_run_folder_outside_the_workspace(deep: tuple[Path, Workspace], value: str) -> None:
    top, workspace = deep
    before = _files_under(top)
    with pytest.raises(UserErrorException, match=re.escape("run_id must be 1-255 letters")):
        workspace._store.create_run(value, "tests", "azureml.scriptrun")
    assert _files_under(top) == before
    assert not Path(ABSOLUTE).exists()
    assert workspace._store.get_run(value) is None


@pytest.mark.parametrize("name", HOSTILE_FILE_NAMES)
def test_upload_file_refuses_names_that_leave_the_run_folder(deep: tuple[Path, Workspace], name: str) -> None:
    top, workspace = deep
    run = Experiment(workspace, "tests").start_logging()
    source = top / "payload.txt"
    source.write_text("secret")
    before = _files_under(top)
    with pytest.raises(UserErrorException, match=re.escape("upload_file name must be a relative file name")) as info:
        run.upload_file(name, str(source))
    assert repr(name) in str(info.value)
    with pytest.raises(UserErrorException, match="upload_file name"):
        run.upload_file(name, io.BytesIO(b"secret"))
    assert _files_under(top) == before
    assert not Path(ABSOLUTE).exists()
    assert run.get_file_names() == []


def test_upload_folder_and_log_image_refuse_hostile_names(deep: tuple[Path, Workspace]) -> None:
    top, workspace = deep
    run = Experiment(workspace, "tests").start_logging()
    (top / "folder").mkdir()
    (top / "folder" / "f.txt").write_text("x")
    (top / "plot.png").write_bytes(PNG)
    before = _files_under(top)
    with pytest.raises(UserErrorException, match="upload_folder name must be a relative file name"):
        run.upload_folder("../../../../escaped", str(top / "folder"))

    for name in ("../../../../escaped", ABSOLUTE, "a/../../../../../b"):
        with pytest.raises(UserErrorException, match=re.escape("log_image name must be a relative file name")):
            run.log_image(name, plot=Figure())
        with pytest.raises(UserErrorException, match="log_image name"):
            run.log_image(name, path=str(top / "plot.png"))
    assert _files_under(top) == before
    assert run.get_file_names() == [] and run.get_metrics() == {}


def test_a_symbolic_link_in_the_run_folder_does_not_lead_uploads_out(deep: tuple[Path, Workspace]) -> None:
    top, workspace = deep
    run = Experiment(workspace, "tests").start_logging()
    folder = Path(workspace._store.get_run(run.id).run_dir)
    outside = top / "outside"
    outside.mkdir()
    (folder / "outputs").mkdir(parents=True, exist_ok=True)
    (folder / "outputs" / "link").symlink_to(outside)
    with pytest.raises(UserErrorException, match="leads outside the run's folder"):
        run.upload_file("outputs/link/escaped.txt", io.BytesIO(b"secret"))
    assert list(outside.iterdir()) == []
    assert run.get_file_names() == []


def test_good_names_with_subfolders_still_work(deep: tuple[Path, Workspace]) -> None:
    top, workspace = deep
    run: Run = Experiment(workspace, "tests").start_logging()
    (top / "model.pkl").write_bytes(b"model")
    (top / "folder" / "deeper").mkdir(parents=True)
    (top / "folder" / "deeper" / "f.txt").write_text("x")
    (top / "plot.png").write_bytes(PNG)
    run.upload_file("outputs/models/model.pkl", str(top / "model.pkl"))
    run.upload_file("notes.txt", io.BytesIO(b"hello"))
    run.upload_folder("outputs/copied/", str(top / "folder"))
    run.log_image("curves/loss", path=str(top / "plot.png"))
    run.log_image("curves/accuracy", plot=Figure())
    folder = Path(workspace._store.get_run(run.id).run_dir)
    assert folder.is_relative_to(Path(workspace._store.folder))
    names = run.get_file_names()
    image = next(n for n in names if n.startswith("curves/accuracy_"))
    assert sorted(names) == sorted([image, "notes.txt", "outputs/copied/deeper/f.txt", "outputs/models/model.pkl",
                                    "plot.png"])
    assert (folder / image).read_bytes() == PNG
    assert (folder / "outputs" / "models" / "model.pkl").read_bytes() == b"model"
    run.download_file("outputs/models/model.pkl", str(top / "back.pkl"))
    assert (top / "back.pkl").read_bytes() == b"model"


def test_child_run_ids_stay_one_folder_name(deep: tuple[Path, Workspace]) -> None:
    top, workspace = deep
    run = Experiment(workspace, "tests").start_logging()
    before = _files_under(top)
    with pytest.raises(UserErrorException, match=re.escape("child_run run_id must be 1-255 letters")):
        run.child_run(run_id="../../../../x")
    assert _files_under(top) == before
    hostile = run.child_run("../../../../fold 1")  # a display name: kept as such, not used in the id
    assert hostile.display_name == "../../../../fold 1" and hostile.id.startswith(f"{run.id}.")
    assert Path(workspace._store.get_run(hostile.id).run_dir).parent == Path(workspace._store.folder) / "runs"
    assert run.child_run("fold-1").id == f"{run.id}.fold-1"


UPLOADER = """
from hdnotebook import Run

run = Run.get_context()
try:
    run.upload_file("../../../../escaped.txt", __file__)
except Exception as error:
    print("refused:", error, flush=True)
run.upload_file("outputs/sub/ok.txt", __file__)
"""


def test_a_script_child_cannot_upload_outside_its_run_folder(deep: tuple[Path, Workspace]) -> None:
    top, workspace = deep
    (top / "src").mkdir()
    (top / "src" / "upload.py").write_text(UPLOADER)
    run = Experiment(workspace, "tests").submit(ScriptRunConfig(source_directory=str(top / "src"), script="upload.py"))
    run.wait_for_completion()
    assert run.get_status() == "Completed"
    assert "outputs/sub/ok.txt" in run.get_file_names()
    assert not [name for name in run.get_file_names() if ".." in name]
    assert not [p for p in top.rglob("escaped.txt")]
    log = Path(workspace._store.get_run(run.id).run_dir, "user_logs", "std_log.txt").read_text()
    assert "refused: upload_file name must be a relative file name" in log and "'../../../../escaped.txt'" in log
