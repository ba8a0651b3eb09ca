"""RunDetails on the Python side: snapshot, deltas (and their sizes), messages from views, the updater."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from benchmarks.widget import log_values, synthetic_sweep
from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, RunDetails, Workspace, choice
from hdnotebook.widget.tracker import RunTracker, SweepTracker
from hdnotebook.widget.widget import RunDetailsWidget, live_widgets
from tests import children


@pytest.fixture
def synthetic(tmp_path: Path):
    return synthetic_sweep(Workspace(tmp_path / "ws"), runs=1000, values=100)


def test_snapshot_of_a_large_sweep_fits_in_two_megabytes(synthetic) -> None:
    snapshot = SweepTracker(synthetic).snapshot()
    assert len(json.dumps(snapshot)) < 2_000_000
    assert len(snapshot["runs"]) == 1000
    assert len(snapshot["curves"]["accuracy"][f"{synthetic.id}_7"]) == 100
    assert [p["key"] for p in snapshot["params"]] == ["--lr", "--depth", "--dropout"]
    assert snapshot["params"][0]["log"] is True and snapshot["params"][1]["choices"] == [2, 4, 8, 16]
    row = snapshot["runs"][0]
    assert row["count"] == 100 and row["best"] == max(snapshot["curves"]["accuracy"][row["id"]])


def test_a_tick_with_four_new_values_sends_kilobytes(synthetic) -> None:
    tracker = SweepTracker(synthetic)
    tracker.snapshot()
    assert tracker.delta() is None, "nothing changed, nothing sent"
    log_values(synthetic, 4)
    delta = tracker.delta()
    assert len(json.dumps(delta)) < 10_000
    assert delta["seq"] == 1
    assert sum(len(v) for v in delta["curves"]["accuracy"].values()) == 4
    assert {r["id"] for r in delta["runs"]} == {f"{synthetic.id}_{i}" for i in range(4)}
    assert all(r["count"] == 101 for r in delta["runs"])
    assert tracker.delta() is None


def test_deltas_carry_status_changes_new_runs_and_the_sweep_status(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=2)
    store = run._need_store()
    tracker = SweepTracker(run)
    tracker.snapshot()
    store.create_run(f"{run.id}_3", "bench", "hdnotebook.function", parent_id=run.id, child_index=3, status="Queued",
                     hyperparameters={"--lr": 0.1, "--depth": 2, "--dropout": 0.1})
    store.set_status(run.id, "Completed")
    delta = tracker.delta()
    assert [r["id"] for r in delta["runs"]] == [f"{run.id}_3"]
    assert delta["runs"][0]["params"]["--depth"] == 2 and delta["runs"][0]["status"] == "Queued"
    assert delta["run"]["status"] == "Completed"
    assert tracker.finished


def test_another_metric_can_be_streamed(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=2, values=1)
    store = run._need_store()
    store.apply_events([{"op": "metric", "run": f"{run.id}_0", "name": "loss", "kind": "scalar", "value": float("nan"), "t": 0}])
    tracker = SweepTracker(run)
    snapshot = tracker.snapshot()
    assert "loss" in snapshot["metrics"] and "loss" not in snapshot["curves"]
    assert tracker.stream_metric("loss") == {f"{run.id}_0": [None]}, "NaN is sent as null"
    store.apply_events([{"op": "metric", "run": f"{run.id}_1", "name": "loss", "kind": "scalar", "value": 0.25, "t": 0}])
    assert tracker.delta()["curves"] == {"loss": {f"{run.id}_1": [0.25]}}


def test_single_run_view_has_properties_metrics_and_a_live_log(experiment: Experiment) -> None:
    run = experiment.start_logging()
    run.log("accuracy", 0.5)
    run.log("accuracy", 0.6)
    run.log("note", "hello")
    tracker = RunTracker(run)
    snapshot = tracker.snapshot()
    assert snapshot["series"] == {"accuracy": [0.5, 0.6]} and snapshot["others"] == {"note": "hello"}
    assert snapshot["run"]["status"] == "Running"
    run.log("accuracy", 0.7)
    run.complete()
    delta = tracker.delta()
    assert delta["series"] == {"accuracy": [0.7]} and delta["run"]["status"] == "Completed"


def test_display_bundle_without_a_front_end(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2)
    run = experiment.submit(config)
    run.wait_for_completion()
    bundle = RunDetails(run)._repr_mimebundle_()
    assert bundle["text/plain"] == f"RunDetails({run.id}: Completed; 2 child runs: Completed 2; best score 0 ({run.id}_1))"
    assert "<table" in bundle["text/html"] and f"{run.id}_1" in bundle["text/html"]
    assert repr(RunDetails(run)) == f"RunDetails(run_id='{run.id}')"
    data = RunDetails(run).get_widget_data()
    assert data["status"] == "Completed" and len(data["child_runs"]) == 2
    assert data["child_runs"][1]["param_x"] == 1 and data["child_runs"][1]["best_metric"] == 0
    assert data["children_metrics"][f"{run.id}_1"] == {"score": [0, 0, 0]}


class Recorder(RunDetailsWidget):
    """The widget with its outgoing messages recorded instead of sent to a front end."""

    def __init__(self, run) -> None:
        self.sent: list[dict] = []
        super().__init__(run)

    def send(self, content, buffers=None) -> None:
        self.sent.append(content)


def test_widget_updater_pushes_deltas_and_stops_when_the_last_view_leaves(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=1)
    first, second = Recorder(run), Recorder(run)
    first.start_updates()
    second.start_updates()
    first._on_message(None, {"type": "hello", "view": "a", "seq": 0}, [])
    second._on_message(None, {"type": "hello", "view": "b", "seq": 0}, [])
    assert live_widgets() == 2
    log_values(run, 2)
    deadline = time.time() + 5
    while not (first.sent and second.sent) and time.time() < deadline:
        time.sleep(0.05)
    assert first.sent[0]["type"] == "delta" and first.sent[0]["delta"]["seq"] == 1
    assert second.sent[0]["delta"]["seq"] == 1, "two RunDetails of the same run both update"
    first._on_message(None, {"type": "bye", "view": "a"}, [])
    deadline = time.time() + 5
    while live_widgets() > 1 and time.time() < deadline:
        time.sleep(0.05)
    assert live_widgets() == 1, "a widget whose view is gone (cell re-run or cleared) stops polling"
    run._need_store().set_status(run.id, "Completed")
    deadline = time.time() + 5
    while live_widgets() > 0 and time.time() < deadline:
        time.sleep(0.05)
    assert live_widgets() == 0, "updates stop when the run has finished"
    assert second.snapshot["run"]["status"] == "Completed", "the final state is in the snapshot trait"


def test_widget_answers_details_resync_and_cancel_requests(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.sleeper, hyperparameter_sampling=GridParameterSampling({"seconds": choice(30)}),
                              primary_metric_name="started", primary_metric_goal="maximize", max_total_runs=1)
    run = experiment.submit(config)
    deadline = time.time() + 30
    while not (run.get_children() and run.get_children()[0].get_metrics()) and time.time() < deadline:
        time.sleep(0.05)
    widget = Recorder(run)
    child = run.get_children()[0].id
    widget._on_message(None, {"type": "details", "view": "a", "run_id": child}, [])
    details = widget.sent[-1]["details"]
    assert details["id"] == child and details["metrics"] == {"started": 1} and details["arguments"] == ["--seconds", "30"]
    widget._on_message(None, {"type": "cancel", "view": "a", "run_id": child}, [])
    deadline = time.time() + 10
    while not any(m["type"] == "cancel_result" for m in widget.sent) and time.time() < deadline:
        time.sleep(0.05)
    result = [m for m in widget.sent if m["type"] == "cancel_result"][0]
    assert result == {"type": "cancel_result", "run_id": child, "view": "a", "ok": True, "status": "Canceled"}
    before = widget.snapshot
    widget._on_message(None, {"type": "resync", "view": "a"}, [])
    assert widget.snapshot["runs"][0]["status"] == "Canceled" and before["runs"][0]["status"] != "Canceled"
    run.cancel()


def test_the_policy_threshold_is_sent_for_the_curves(tmp_path: Path) -> None:
    from hdnotebook import BanditPolicy

    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=6)
    store = run._need_store()
    config = store.get_run(run.id).config
    store.update_run(run.id, config={**config, "policy_config": BanditPolicy(1, slack_amount=0.1, delay_evaluation=5).to_json()})
    store.set_status(f"{run.id}_2", "Running")
    snapshot = SweepTracker(run).snapshot()
    leader = max(max(v[:6]) for v in snapshot["curves"]["accuracy"].values())
    threshold = snapshot["run"]["threshold"]
    assert threshold["policy"] == "Bandit" and threshold["interval"] == 6
    assert threshold["value"] == pytest.approx(leader - 0.1, abs=1e-5)
