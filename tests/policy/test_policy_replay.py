"""replay(): the arrival simulation, its figures and its inputs (a finished sweep is replayed in test_early_termination)."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest

from hdnotebook import (
    ASHAPolicy,
    BanditPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    replay,
)
from hdnotebook.exceptions import HyperDriveConfigException, UserErrorException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.replay import ReplayResult

CURVES = {"a": [0.9] * 6, "b": [0.1] * 6, "c": [0.85] * 6}


class Recorder(EarlyTerminationPolicy):
    """Stops nothing; keeps every call's curves."""

    def __init__(self) -> None:
        super().__init__("Recorder")
        self.calls: list[list] = []

    def evaluate(self, curves, goal):
        self.calls.append(list(curves))
        return []


def test_no_policy_runs_everything() -> None:
    for policy in (None, NoTerminationPolicy()):
        result = replay(policy, CURVES, goal="maximize")
        assert (result.epochs, result.epochs_without, result.saved) == (18, 18, 0.0)
        assert (result.best_final, result.best_final_without, result.best_survived) == (0.9, 0.9, 1.0)
        assert result.best_runs == ("a",)
        assert result.stop_intervals == {"a": (None,), "b": (None,), "c": (None,)}


def test_bandit_stops_the_run_that_falls_behind_at_the_first_due_interval() -> None:
    result = replay(BanditPolicy(slack_factor=0.1, delay_evaluation=2), CURVES, concurrency=3, goal="maximize")
    assert result.stop_intervals == {"a": (None,), "b": (2,), "c": (None,)}
    assert result.epochs == 14 and result.saved == pytest.approx(4 / 18)
    [order] = result.orders
    assert order.order == ("a", "b", "c") and order.stops == {"b": 2}
    [termination] = order.terminations
    assert (termination.run_id, termination.interval, termination.policy) == ("b", 2, "Bandit")
    assert result.best_final == 0.9 and result.best_survived == 1.0


def test_concurrency_decides_what_a_run_is_compared_with() -> None:
    curves = {"first": [0.2, 0.2, 0.2], "second": [0.9, 0.9, 0.9]}
    policy = BanditPolicy(slack_factor=0.1)
    assert replay(policy, curves, concurrency=1, goal="maximize").stop_intervals == {"first": (None,), "second": (None,)}
    assert replay(policy, curves, concurrency=2, goal="maximize").stop_intervals == {"first": (1,), "second": (None,)}
    assert replay(policy, {"second": curves["second"], "first": curves["first"]}, concurrency=1,
                  goal="maximize").stop_intervals == {"second": (None,), "first": (1,)}


def test_a_late_bloomer_lost_shows_in_the_figures() -> None:
    curves = {"steady": [0.9, 0.9, 0.9], "late": [0.1, 0.1, 1.0]}
    result = replay(BanditPolicy(slack_factor=0.1, delay_evaluation=2), curves, concurrency=2, goal="maximize")
    assert result.best_final_without == 1.0 and result.best_runs == ("late",)
    assert result.best_final == 0.9 and result.best_survived == 0.0
    assert result.to_frame().to_dict("records") == [{"epochs": 5, "saved": pytest.approx(1 / 6), "best_final": 0.9,
                                                    "best_final_without": 1.0, "best_survived": False, "stopped": 1}]


def test_the_policy_sees_what_the_tuning_loop_would_show_it() -> None:
    recorder = Recorder()
    replay(recorder, {"a": [1, 2, 3], "b": [4], "c": [5, 6]}, concurrency=2, goal="minimize")
    shapes = [[(c.run_id, c.values, c.running, c.arrival) for c in call] for call in recorder.calls]
    assert shapes == [
        [("a", (1.0,), True, (1,)), ("b", (4.0,), False, (1,))],
        [("a", (1.0, 2.0), True, (1, 2)), ("b", (4.0,), False, (1,)), ("c", (5.0,), True, (2,))],
        [("a", (1.0, 2.0, 3.0), False, (1, 2, 3)), ("b", (4.0,), False, (1,)), ("c", (5.0, 6.0), False, (2, 3))],
    ]


def test_orders_are_seeded_permutations() -> None:
    curves = {f"r{i}": [0.1 * i] * 6 for i in range(8)}
    policy = TruncationSelectionPolicy(25, 1, 2)
    result = replay(policy, curves, goal="maximize", seed=3, orders=5)
    again = replay(policy, curves, goal="maximize", seed=3, orders=5)
    assert [o.order for o in result.orders] == [o.order for o in again.orders]
    assert len({o.order for o in result.orders}) > 1
    assert all(sorted(o.order) == sorted(curves) for o in result.orders)
    assert len(result.to_frame()) == 5 and all(len(v) == 5 for v in result.stop_intervals.values())
    assert result.epochs == pytest.approx(statistics.mean(o.epochs for o in result.orders))
    summary = result.summary()
    assert set(summary) == {"policy", "epochs", "epochs_without", "saved", "best_final", "best_final_without",
                            "best_survived", "stopped"}
    assert summary["policy"].startswith("TruncationSelectionPolicy(")
    assert "saved" in str(result) and "5 order(s)" in str(result)


def test_a_dataframe_with_one_column_per_run() -> None:
    frame = pd.DataFrame({"a": [0.5, 0.4, 0.3], "b": [0.9, math.nan, math.nan], "c": [math.nan, 0.2, 0.1]})
    result = replay(ASHAPolicy(1, 2), frame, goal=PrimaryMetricGoal.MINIMIZE)
    assert result.epochs_without == 3 + 1 + 3
    assert result.best_final_without == 0.1 and result.best_runs == ("c",)
    assert result.goal is PrimaryMetricGoal.MINIMIZE


def test_strings_and_empty_curves_in_a_dict() -> None:
    result = replay(MedianStoppingPolicy(), {"a": [1, "x", 2, True, None], "silent": [], "b": [3.0]}, goal="maximize")
    assert result.epochs_without == 3 and result.stop_intervals["silent"] == (None,)
    assert result.best_final_without == 3.0


def test_input_errors() -> None:
    with pytest.raises(UserErrorException, match="goal"):
        replay(None, CURVES)
    with pytest.raises(UserErrorException, match="run_or_curves"):
        replay(None, [[0.1, 0.2]], goal="maximize")
    with pytest.raises(UserErrorException, match="policy"):
        replay("Bandit", CURVES, goal="maximize")  # type: ignore[arg-type]
    with pytest.raises(HyperDriveConfigException, match="concurrency expects value to be at least 1"):
        replay(None, CURVES, concurrency=0, goal="maximize")
    with pytest.raises(HyperDriveConfigException, match="orders"):
        replay(None, CURVES, goal="maximize", orders=0)
    with pytest.raises(HyperDriveConfigException, match="maximize"):
        replay(None, CURVES, goal="up")


def test_result_type() -> None:
    assert isinstance(replay(None, {}, goal="maximize"), ReplayResult)
    empty = replay(None, {}, goal="maximize")
    assert (empty.epochs, empty.saved, empty.best_final, empty.best_final_without) == (0.0, 0.0, None, None)
