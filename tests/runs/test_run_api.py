"""The Run API: logging shapes (reference section 8), tags, properties, files, the offline run."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from hdnotebook import Experiment, Run, RunEnvironmentException, UserErrorException
from tests.conftest import PYTHON, python_env

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def run(experiment: Experiment) -> Run:
    return experiment.start_logging()


def test_metric_shapes_follow_hyperdrive(run: Run) -> None:
    run.log("once", 0.5)
    run.log("twice", 1)
    run.log("twice", 2)
    run.log_list("series", [1, 2, 3])
    run.log_list("single", [7])
    run.log_row("row", a=1, b="x")
    run.log_row("rows", epoch=1, loss=0.5)
    run.log_row("rows", epoch=2, loss=0.25)
    run.log_table("table", {"x": [1, 2], "y": [3, 4]})
    run.log_table("table1", {"x": [1], "y": [2]})
    run.log("flag", True)
    run.log("text", "hello")
    run.log("none", None)
    metrics = run.get_metrics()
    assert metrics == {
        "once": 0.5, "twice": [1, 2], "series": [1, 2, 3], "single": 7, "row": {"a": 1, "b": "x"},
        "rows": {"epoch": [1, 2], "loss": [0.5, 0.25]}, "table": {"x": [1, 2], "y": [3, 4]}, "table1": {"x": 1, "y": 2},
        "flag": True, "text": "hello", "none": None,
    }
    assert run.get_metrics(name="twice") == {"twice": [1, 2]}
    assert run.get_metrics(name="absent") == {}


def test_numpy_scalars_are_stored_as_python_numbers(run: Run) -> None:
    import numpy as np

    run.log("f", np.float32(0.5))
    run.log("i", np.int64(3))
    run.log_list("l", np.array([1.5, 2.5]))
    metrics = run.get_metrics()
    assert metrics == {"f": 0.5, "i": 3, "l": [1.5, 2.5]}
    assert type(metrics["i"]) is int


def test_bad_logging_input_names_the_rule(run: Run) -> None:
    with pytest.raises(UserErrorException, match="run.log does not support list type. Use run.log_list instead"):
        run.log("x", [1, 2])
    with pytest.raises(UserErrorException, match="equal length"):
        run.log_table("t", {"a": [1, 2], "b": [1]})
    with pytest.raises(UserErrorException, match="column 'a' is a list"):
        run.log_row("r", a=[1])
    with pytest.raises(UserErrorException, match="exactly one of path or plot"):
        run.log_image("img")
    with pytest.raises(UserErrorException, match="existing file"):
        run.log_image("img", path="missing.png")
    with pytest.warns(UserWarning, match="repr"):
        run.log("obj", object())
    assert run.get_metrics()["obj"].startswith("<object object")


def test_log_image_keeps_the_file(run: Run, tmp_path: Path) -> None:
    image = tmp_path / "plot.png"
    image.write_bytes(PNG)
    run.log_image("confusion", path=str(image))
    assert run.get_metrics()["confusion"] == f"aml://artifactId/ExperimentRun/dcid.{run.id}/plot.png"
    assert "plot.png" in run.get_file_names()
    run.download_file("plot.png", tmp_path / "copy.png")
    assert (tmp_path / "copy.png").read_bytes() == PNG


def test_a_run_and_an_experiment_show_azures_html_table_in_a_notebook(run: Run, experiment: Experiment) -> None:
    from IPython.core.formatters import DisplayFormatter

    from hdnotebook.runs.html_repr import html_table

    data, _ = DisplayFormatter().format(run)  # what a cell that ends with `run` shows
    page = data["text/html"]
    assert [re.sub("<.*?>", "", c) for c in re.findall(r"<th>(.*?)</th>", page)] == [
        "Experiment", "Id", "Type", "Status", "Details Page"]
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert cells[:4] == [experiment.name, run.id, "experimentrun", "Running"]
    assert f'href="{(experiment.workspace.path / ".hdnotebook" / "runs" / run.id).as_uri()}"' in cells[4]
    assert data["text/plain"].startswith("Run(Experiment: ")
    run.complete()
    assert "<td>Completed</td>" in run._repr_html_()
    page = DisplayFormatter().format(experiment)[0]["text/html"]
    assert re.findall(r"<td>(.*?)</td>", page)[:2] == [experiment.name, experiment.workspace.name]
    assert f'href="{(experiment.workspace.path / ".hdnotebook" / "runs").as_uri()}"' in page
    assert html_table({"Status": "<b>"}) == "<table style='width:100%'><tr><th>Status</th></tr><tr><td>&lt;b&gt;</td></tr></table>"


def test_interactive_runs_start_when_created_and_end_when_completed(run: Run) -> None:
    child = run.child_run("part")
    for r in (run, child):
        details = r.get_details()
        assert details["status"] == "Running" and details["startTimeUtc"] is not None and "endTimeUtc" not in details
    time.sleep(0.05)
    child.complete()
    run.complete()
    for r in (run, child):
        details = r.get_details()
        assert details["endTimeUtc"] > details["startTimeUtc"], "start is creation time, end is complete() time"


def test_tags_properties_and_lifecycle(run: Run, experiment: Experiment) -> None:
    run.tag("stage", "dev")
    run.set_tags({"n": 3})
    run.remove_tags(["stage"])
    assert run.get_tags() == {"n": "3"}
    run.add_properties({"p": "1"})
    with pytest.raises(UserErrorException, match=r"already has the properties \['p'\]; properties are immutable"):
        run.add_properties({"q": "new", "p": "2"})
    assert run.get_properties() == {"p": "1"}, "nothing of a refused call is added"
    assert run.get_status() == "Running"
    run.upload_file("outputs/notes.txt", __file__)
    assert run.get_file_names() == ["outputs/notes.txt"]
    run.complete()
    details = run.get_details()
    assert details["status"] == "Completed"
    assert details["startTimeUtc"].endswith("Z") and details["endTimeUtc"] >= details["startTimeUtc"]
    assert experiment.get_runs()[0] == run
    assert repr(run) == f"Run(Experiment: tests,\nId: {run.id},\nType: experimentrun,\nStatus: Completed)"


def test_failed_interactive_run_keeps_its_error(experiment: Experiment) -> None:
    with pytest.raises(ZeroDivisionError):
        with experiment.start_logging() as run:
            run.log("before", 1)
            _ = 1 / 0
    assert run.get_status() == "Failed"
    assert "division by zero" in run.get_details()["error"]["error"]["message"]
    assert run.get_metrics() == {"before": 1}


def test_offline_run_prints_what_it_would_log(capsys: pytest.CaptureFixture[str]) -> None:
    run = Run.get_context()
    assert run.id.startswith("OfflineRun_")
    run.log("accuracy", 0.9)
    run.tag("k", "v")
    assert capsys.readouterr().out == "Attempted to log scalar metric accuracy:\n0.9\nAttempted to set tags {'k': 'v'}\n"
    assert run.get_metrics() == {}
    with pytest.raises(RunEnvironmentException):
        Run.get_context(allow_offline=False)


def test_offline_run_in_a_plain_script() -> None:
    code = "from hdnotebook import Run\nr = Run.get_context()\nr.log('loss', 1.5)\nwith r:\n    pass\n"
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.startswith("Attempted to log scalar metric loss:\n1.5\nSTART OfflineRun_")


def test_child_runs_of_an_interactive_run(run: Run) -> None:
    child = run.child_run("fold-1")
    child.log("auc", 0.7)
    child.complete()
    assert [c.id for c in run.get_children()] == [f"{run.id}.fold-1"]
    assert run.get_metrics(recursive=True) == {run.id: {}, child.id: {"auc": 0.7}}
    assert child.parent == run


def test_a_child_run_id_already_taken_is_refused_and_the_first_child_keeps_its_files_and_metrics(run: Run) -> None:
    first = run.child_run("fold-1")
    first.log("auc", 0.7)
    first.upload_file("outputs/note.txt", __file__)
    with pytest.raises(UserErrorException, match=re.escape(f"run_id '{run.id}.fold-1' is already the id of a run of "
                                                           f"experiment '{run.experiment.name}'")) as refused:
        run.child_run("fold-1")
    assert refused.value.error_code == "RunIdInUse"
    with pytest.raises(UserErrorException, match=re.escape(f"run_id {first.id!r} is already the id of a run")):
        run.child_run("other", run_id=first.id)
    assert [c.id for c in run.get_children()] == [first.id]
    assert first.get_metrics() == {"auc": 0.7} and "outputs/note.txt" in first.get_file_names()


def test_cancel_ends_an_interactive_run_at_once_and_later_log_calls_are_refused(experiment: Experiment) -> None:
    run = experiment.start_logging()
    child = run.child_run("part")
    run.log("a", 1)
    run.cancel()
    assert run.get_status() == "Canceled" and child.get_status() == "Canceled"
    assert experiment.workspace.get_run(run.id).get_status() == "Canceled"
    for handle in (run, experiment.workspace.get_run(run.id)):
        with pytest.raises(UserErrorException, match=re.escape(f"Run {run.id} has ended (Canceled): log calls are "
                                                               "accepted only while a run is active")):
            handle.log("a", 2)
    with pytest.raises(UserErrorException, match=r"has ended \(Canceled\)"):
        child.log_list("b", [1, 2])
    assert run.get_metrics() == {"a": 1} and child.get_metrics() == {}
    run.tag("note", "tags are still accepted, as in Azure")
    assert run.get_tags()["note"] == "tags are still accepted, as in Azure"
    assert run.cancel() is None and run.get_status() == "Canceled"


def test_log_after_complete_or_fail_is_refused(experiment: Experiment) -> None:
    done, failed = experiment.start_logging(), experiment.start_logging()
    done.complete()
    failed.fail("broken")
    with pytest.raises(UserErrorException, match=r"has ended \(Completed\)"):
        done.log("x", 1)
    with pytest.raises(UserErrorException, match=r"has ended \(Failed\)"):
        failed.log_row("x", a=1)
    image = Path("plot.png")
    image.write_bytes(PNG)
    with pytest.raises(UserErrorException, match=r"has ended \(Completed\)"):
        done.log_image("plot", path=str(image))
    assert done.get_metrics() == {} and failed.get_metrics() == {}
    folder = Path(done.experiment.workspace._store.get_run(done.id).run_dir)
    assert done.get_file_names() == [] and not list(folder.rglob("*.png"))
