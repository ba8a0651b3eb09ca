"""The widget's snapshot built from arrays (hdnotebook.widget.rounding) equals the one folded call by call: same
rounded values, best, last, count, cutoff, whatever the series hold (floats, ints, NaN, infinities, lists,
strings, rows), on a real store file."""

from __future__ import annotations

import json
import math
import random
import struct
from pathlib import Path

import numpy as np
import pytest

from benchmarks.widget import synthetic_sweep
from hdnotebook import BanditPolicy, Run, Workspace
from hdnotebook._engine.store.rows import stored_values
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.results.charts import policy_cutoff
from hdnotebook.widget.rounding import plain_floats, round_significant
from hdnotebook.widget.tracker import SweepTracker, number
from hdnotebook.widget.widget import jsonable, jsonable_snapshot


def test_rounding_many_floats_at_once_equals_rounding_each() -> None:
    rng = random.Random(7)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-320, 308) for _ in range(20000)]
    values += [1 - math.exp(-rng.random()) for _ in range(20000)]
    values += [rng.randint(1, 10 ** 7) / 10 ** rng.randint(0, 12) for _ in range(20000)]  # decimals: many near ties
    values += [(rng.randint(1, 10 ** 6) + 0.5) * 10.0 ** rng.randint(-8, 8) for _ in range(20000)]  # exact ties
    values += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(20000)]  # any bits
    values = [v for v in values if math.isfinite(v)]
    values += [0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, 999999.5, 9999995.0, 1e-5, 1e22, 1e23, 123456.5]
    rounded = round_significant(np.array(values)).tolist()
    expected = [number(v) for v in values]
    assert [struct.pack("d", v) for v in rounded] == [struct.pack("d", v) for v in expected], "same doubles, sign of 0 too"


def test_plain_floats_tells_which_series_hold_only_finite_floats() -> None:
    keep, values = plain_floats(["0.5,1.5", "2.5"])
    assert keep == [True, True] and values.tolist() == [0.5, 1.5, 2.5]
    texts = ["0.5,1.5", "1,2.0", "NaN", "0.25,-Infinity", "true", '"x"', "null", "[1.5]", "3.5e-07"]
    keep, values = plain_floats(texts)
    assert keep == [True, False, False, False, False, False, False, False, True]
    assert values.tolist() == [0.5, 1.5, 3.5e-07]


def reference(run_id: str, store, metrics: list[str], goal: PrimaryMetricGoal) -> tuple[dict, dict, dict]:
    """Curves, aggregates and exact values folded call by call (what the tracker did before arrays)."""
    calls = store.child_metric_texts(run_id, metrics, store.last_metric_id())
    curves: dict = {}
    aggregates: dict = {}
    exact: dict = {}
    for (name, child), items in stored_values(calls).items():
        shown = [number(v) for v in items]
        curves.setdefault(name, {})[child] = shown
        if name == metrics[0]:
            numeric = [v for v in shown if v is not None]
            aggregates[child] = {"best": goal.best(numeric) if numeric else None, "last": numeric[-1] if numeric else None,
                                 "count": len(shown)}
            exact[child] = [float(v) for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return curves, aggregates, exact


@pytest.mark.parametrize("goal", ["maximize", "minimize"])
def test_snapshot_from_arrays_equals_the_calls_folded_one_by_one(tmp_path: Path, goal: str) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=12, values=30, running=12)  # running: they can log
    store = run._need_store()
    config = store.get_run(run.id).config
    store.update_run(run.id, config={**config, "policy_config": BanditPolicy(1, slack_amount=0.1, delay_evaluation=5).to_json(),
                                     "primary_metric_config": {"name": "accuracy", "goal": goal}})
    kids = [Run(run.experiment, f"{run.id}_{i}") for i in range(12)]
    kids[1].log("accuracy", 3)  # an int: kept as it is, not rounded
    kids[1].log("accuracy", 12345678)
    kids[2].log("accuracy", float("nan"))
    kids[3].log("accuracy", float("-inf"))
    kids[4].log_list("accuracy", [0.1234567, 0.7654321])
    kids[5].log("accuracy", "text")
    kids[5].log("accuracy", True)
    kids[6].log_row("accuracy", a=1)
    kids[7].log("loss", 0.123456789)  # another streamed metric
    kids[8].log("loss", 2)
    tracker = SweepTracker(run)
    tracker.streamed.append("loss")
    snapshot = tracker.snapshot()
    curves, aggregates, exact = reference(run.id, store, ["accuracy", "loss"], PrimaryMetricGoal.from_str(goal))
    assert json.dumps(snapshot["curves"]) == json.dumps(curves), "same values, same types, same order"
    assert snapshot["curves"]["accuracy"][kids[1].id][-2:] == [3, 12345678]
    rows = {row["id"]: row for row in snapshot["runs"]}
    for child, agg in aggregates.items():
        assert {k: rows[child][k] for k in ("best", "last", "count")} == agg
    running = [child for child, row in rows.items() if row["status"] != "Completed"]
    expected = policy_cutoff(tracker._policy, exact, PrimaryMetricGoal.from_str(goal), running)
    assert snapshot["run"]["threshold"] == (None if expected is None else {**expected, "value": number(expected["value"])})
    assert snapshot["run"]["threshold"] is not None
    other = SweepTracker(run)  # streaming a metric later: its curves, the primary metric's aggregates untouched
    other.snapshot()
    before = json.dumps(other._aggregates)
    assert json.dumps(other.stream_metric("loss")) == json.dumps(curves["loss"])
    assert json.dumps(other._aggregates) == before and other.streamed == ["accuracy", "loss"]


def test_a_series_with_ints_only_among_floats_keeps_them(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=5, running=3)
    Run(run.experiment, f"{run.id}_1").log("accuracy", 12345678)  # the only value that is not a float
    snapshot = SweepTracker(run).snapshot()
    curves, aggregates, _ = reference(run.id, run._need_store(), ["accuracy"], PrimaryMetricGoal.MAXIMIZE)
    assert json.dumps(snapshot["curves"]) == json.dumps(curves)
    assert snapshot["curves"]["accuracy"][f"{run.id}_1"][-1] == 12345678 and snapshot["runs"][1]["best"] == 12345678


def test_a_warm_start_parents_runs_come_with_their_values(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    parent = synthetic_sweep(workspace, runs=4, values=6, running=4)
    Run(parent.experiment, f"{parent.id}_1").log("accuracy", 7)
    Run(parent.experiment, f"{parent.id}_2").log("accuracy", float("nan"))
    Run(parent.experiment, f"{parent.id}_3").log_row("accuracy", a=1)
    run = synthetic_sweep(workspace, runs=2, values=3, seed=1)
    store = run._need_store()
    store.update_run(run.id, config={**store.get_run(run.id).config, "resume_from": [parent.id]})
    snapshot = SweepTracker(run).snapshot()
    curves, aggregates, _ = reference(parent.id, store, ["accuracy"], PrimaryMetricGoal.MAXIMIZE)
    inherited = {row["id"]: row for row in snapshot["runs"] if row.get("inherited") == parent.id}
    assert list(inherited) == [f"{parent.id}_{i}" for i in range(4)]
    for child, agg in aggregates.items():
        assert {k: inherited[child][k] for k in ("best", "last", "count")} == agg
        assert json.dumps(snapshot["curves"]["accuracy"][child]) == json.dumps(curves["accuracy"][child])


def test_the_widget_snapshot_is_jsonable_as_before(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=4)
    run._need_store().update_run(f"{run.id}_0", hyperparameters={"--lr": float("nan"), "--depth": 2})
    snapshot = SweepTracker(run).snapshot()
    assert any(isinstance(v, float) and math.isnan(v) for row in snapshot["runs"] for v in row["params"].values())
    assert jsonable_snapshot(snapshot) == jsonable(snapshot)
    assert jsonable_snapshot({"runs": [], "odd": {1: (float("inf"),)}}) == {"runs": [], "odd": {"1": [None]}}
