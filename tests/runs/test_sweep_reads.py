"""A sweep's set-based reads (get_metrics, get_best_run_by_primary_metric, get_children_sorted_by_primary_metric) give
what each child's own handle gives: same order, ties, shapes and statuses, on a real store file."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from hdnotebook import Experiment, HyperDriveRun, Run, Workspace
from hdnotebook._engine.store import numeric_values
from tests.conftest import PYTHON, python_env

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def sweep(experiment: Experiment, sweep_id: str, *, goal: str = "maximize", resume_from: list[str] | None = None,
          driver: dict | None = None) -> HyperDriveRun:
    config = {"primary_metric_config": {"name": "acc", "goal": goal}, **({"resume_from": resume_from} if resume_from else {})}
    experiment.workspace._store.create_run(sweep_id, experiment.name, "hyperdrive", status="Running", config=config,
                                           driver=driver)
    return HyperDriveRun(experiment, sweep_id)


def child(run: HyperDriveRun, index: int, *, driver: dict | None = None) -> Run:
    """A Running child of the sweep whose handle logs into the store."""
    run_id = f"{run.id}_{index}"
    run._need_store().create_run(run_id, run.experiment.name, "hdnotebook.function", parent_id=run.id,
                                 child_index=index, status="Running", hyperparameters={"x": index}, driver=driver)
    run._need_store().set_tags(run.id, {run_id: json.dumps({"x": index})})
    return Run(run.experiment, run_id)


def per_child_metrics(run: HyperDriveRun, name: str | None = None) -> dict:
    """What a user gets by asking each child."""
    return {c.id: c.get_metrics(name=name) for c in run.get_children() if c.get_metrics(name=name)}


def as_text(value: object) -> str:
    """Key order and NaN included (NaN != NaN in ==)."""
    return json.dumps(value, allow_nan=True)


def test_get_metrics_shapes_names_and_order_match_each_childs_own(experiment: Experiment, tmp_path: Path) -> None:
    run = sweep(experiment, "HD_shapes")
    kids = [child(run, i) for i in range(6)]
    kids[0].log("loss", 0.5)
    kids[0].log("acc", 1)
    kids[0].log("loss", 0.25)  # loss first logged: it comes first
    kids[1].log_list("acc", [1, 2, 3])
    kids[1].log_list("single", [7])
    kids[1].log_list("empty", [])
    kids[1].log("mixed", 0)
    kids[1].log_list("mixed", [1, "a, b", None])
    kids[1].log("mixed", float("nan"))
    kids[2].log_row("row", a=1, b="x")
    kids[2].log_row("rows", epoch=1, loss=0.5)
    kids[2].log_row("rows", epoch=2, loss=0.25)
    kids[2].log_table("table", {"x": [1, 2], "y": [3, 4]})
    kids[2].log("acc", True)
    kids[2].log("acc", "text")
    kids[2].log("acc", float("inf"))
    kids[2].log("acc", float("-inf"))
    (tmp_path / "p.png").write_bytes(PNG)
    kids[3].log("acc", 0.1)
    kids[3].log_image("img", path=str(tmp_path / "p.png"))
    kids[3].log_confusion_matrix("cm", {"schema_type": "confusion_matrix", "data": {"matrix": [[1]]}})
    kids[3].log("acc", 0.2)
    for step in range(3):  # two children logging in turns: each series stays in logging order
        kids[4].log("acc", step)
        kids[5].log("acc", 10 - step)
    metrics = run.get_metrics()
    assert as_text(metrics) == as_text(per_child_metrics(run))
    assert list(metrics) == [k.id for k in kids[:6]]
    assert metrics[kids[0].id] == {"loss": [0.5, 0.25], "acc": 1}
    assert as_text(metrics[kids[1].id]) == as_text({"acc": [1, 2, 3], "single": 7, "empty": [],
                                                    "mixed": [0, 1, "a, b", None, float("nan")]})
    assert metrics[kids[4].id] == {"acc": [0, 1, 2]} and metrics[kids[5].id] == {"acc": [10, 9, 8]}
    assert metrics[kids[3].id]["img"].endswith("p.png") and metrics[kids[3].id]["acc"] == [0.1, 0.2]
    for name in ("acc", "rows", "absent"):
        assert as_text(run.get_metrics(name=name)) == as_text(per_child_metrics(run, name))


def test_a_child_that_logged_nothing_is_left_out(experiment: Experiment) -> None:
    run = sweep(experiment, "HD_quiet")
    assert run.get_metrics() == {}
    quiet, talking = child(run, 0), child(run, 1)
    talking.log("acc", 0.5)
    assert run.get_metrics() == {talking.id: {"acc": 0.5}}
    assert quiet.id not in run.get_metrics()


def reference_best(run: HyperDriveRun, include_failed: bool = True, include_canceled: bool = True) -> str | None:
    """The best child as the per-child handles tell it: each child's best finite number, strictly better wins."""
    maximize = run._primary()[1].name == "MAXIMIZE"
    best: tuple[str, float] | None = None
    for c in run.get_children():
        numbers = [v for v in numeric_values(run._need_store().metric_rows(c.id, "acc")) if math.isfinite(v)]
        status = c.get_status()
        if not numbers or (status == "Failed" and not include_failed) or (status == "Canceled" and not include_canceled):
            continue
        value = max(numbers) if maximize else min(numbers)
        if best is None or (value > best[1] if maximize else value < best[1]):
            best = (c.id, value)
    return best[0] if best else None


@pytest.mark.parametrize("goal", ["maximize", "minimize"])
def test_best_run_ties_failed_canceled_and_lists(experiment: Experiment, goal: str) -> None:
    run = sweep(experiment, f"HD_best_{goal}", goal=goal)
    kids = [child(run, i) for i in range(7)]
    assert run.get_best_run_by_primary_metric() is None, "no child logged the primary metric"
    kids[0].log("acc", 0.5)
    kids[1].log_list("acc", [0.2, 0.9])  # a list: its items count
    kids[2].log("acc", 0.9)  # ties with child 1's best: the earlier child wins
    kids[2].log("acc", 0.2)
    kids[3].log("acc", 0.99)
    kids[3].log("acc", 0.01)
    kids[4].log("acc", float("nan"))  # no finite number: never best
    kids[4].log("acc", True)
    kids[5].log("other", 5.0)
    kids[6].log("acc", -0.5)
    kids[6].log("acc", 2.0)
    run._need_store().set_status(kids[3].id, "Failed")
    run._need_store().set_status(kids[6].id, "Canceled")
    for failed in (True, False):
        for canceled in (True, False):
            best = run.get_best_run_by_primary_metric(include_failed=failed, include_canceled=canceled)
            assert best.id == reference_best(run, failed, canceled)
            assert type(best) is Run and best.get_status() in ("Running", "Failed", "Canceled")
    assert run.get_best_run_by_primary_metric().id == kids[6].id
    assert run.get_best_run_by_primary_metric(include_canceled=False).id == kids[3].id
    assert run.get_best_run_by_primary_metric(include_failed=False, include_canceled=False).id == kids[1].id, \
        "children 1 and 2 tie (0.9 at best, 0.2 at least): the earlier one wins"


def test_warm_start_parents_children_compete_and_lose_ties(experiment: Experiment) -> None:
    parent = sweep(experiment, "HD_parent")
    old = [child(parent, i) for i in range(2)]
    old[0].log("acc", 0.7)
    old[1].log("acc", 0.9)
    run = sweep(experiment, "HD_warm", resume_from=[parent.id])
    new = child(run, 0)
    new.log("acc", 0.8)
    assert run.get_best_run_by_primary_metric().id == old[1].id
    assert run.get_best_run_by_primary_metric(include_resume_from_runs=False).id == new.id
    new.log("acc", 0.9)
    assert run.get_best_run_by_primary_metric().id == new.id, "a tie goes to this sweep's child"


def test_sorted_children_top_reverse_ties_and_no_metric(experiment: Experiment) -> None:
    run = sweep(experiment, "HD_sorted", goal="minimize")
    kids = [child(run, i) for i in range(6)]
    for kid, value in zip(kids, [0.3, None, 0.1, 0.3, None, 0.2]):
        if value is not None:
            kid.log_list("acc", [value + 1, value])
    kids[4].log("acc", "n/a")
    run._need_store().set_status(kids[0].id, "Completed")
    run._need_store().set_status(kids[2].id, "Failed")
    ranked = run.get_children_sorted_by_primary_metric()
    assert [r["run_id"] for r in ranked] == [kids[i].id for i in (2, 5, 0, 3, 1, 4)]
    assert ranked[0] == {"run_id": kids[2].id, "hyperparameters": '{"x": 2}', "best_primary_metric": 0.1, "status": "Failed"}
    assert [r["status"] for r in ranked] == ["Failed", "Running", "Completed", "Running", "Running", "Running"]
    assert [r["best_primary_metric"] for r in ranked][-2:] == [None, None]
    assert [r["run_id"] for r in run.get_children_sorted_by_primary_metric(reverse=True)] == [
        kids[i].id for i in (0, 3, 5, 2, 1, 4)], "reversed; ties and the runs without a value keep child order"
    assert [r["run_id"] for r in run.get_children_sorted_by_primary_metric(top=3, discard_no_metric=True)] == [
        kids[i].id for i in (2, 5, 0)]
    assert len(run.get_children_sorted_by_primary_metric(discard_no_metric=True)) == 4


@pytest.mark.timeout(60)
def test_an_active_child_whose_driver_ended_reads_failed(workspace: Workspace) -> None:
    script = "from hdnotebook._engine.driver import current_driver; import json; print(json.dumps(current_driver()))"
    ended = json.loads(subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, env=python_env(),
                                      check=True, timeout=50).stdout)
    experiment = Experiment(workspace, "tests")
    run = sweep(experiment, "HD_lost", driver=ended)
    kids = [child(run, i, driver=ended) for i in range(3)]
    kids[0].log("acc", 1.0)
    kids[1].log("acc", 0.5)
    run._need_store().set_status(kids[1].id, "Completed")
    assert run.get_best_run_by_primary_metric(include_failed=False).id == kids[1].id
    assert [r["status"] for r in run.get_children_sorted_by_primary_metric()] == ["Failed", "Completed", "Failed"]
    error = kids[2].get_details()["error"]["error"]
    assert error["code"] == "DriverLost" and str(ended["pid"]) in error["message"]
