"""ASHAPolicy: construction, rungs, and asynchronous promotion from hand-built histories."""

from __future__ import annotations

import math

import pytest

from hdnotebook import ASHAPolicy, HyperDriveConfig, RandomParameterSampling, uniform
from hdnotebook.exceptions import HyperDriveConfigException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import RunCurve
from tests import children

MAX, MIN = PrimaryMetricGoal.MAXIMIZE, PrimaryMetricGoal.MINIMIZE


def run(run_id: str, values: tuple[float, ...], arrival: tuple[float, ...] | None = None, running: bool = True) -> RunCurve:
    """A curve whose k-th value arrived at ``arrival[k-1]`` (default: time step k)."""
    return RunCurve(run_id, values, running, tuple(range(1, len(values) + 1)) if arrival is None else arrival)


def stopped(policy: ASHAPolicy, curves: list[RunCurve], goal=MAX) -> list[str]:
    return [t.run_id for t in policy.evaluate(curves, goal)]


# --- construction -----------------------------------------------------------------------------------


def test_defaults_json_and_rungs() -> None:
    policy = ASHAPolicy()
    assert (policy.min_interval, policy.reduction_factor, policy.max_interval) == (1, 3, None)
    assert policy.to_json() == {"name": "ASHA", "properties": {"min_interval": 1, "reduction_factor": 3, "max_interval": None}}
    assert list(policy.rungs(100)) == [1, 3, 9, 27, 81]
    assert [n for n in range(30) if policy.is_due(n)] == [1, 3, 9, 27]
    assert [policy.latest_due(n) for n in (0, 1, 2, 3, 8, 9, 30)] == [0, 1, 1, 3, 3, 9, 27]
    assert list(ASHAPolicy(2, 2, max_interval=16).rungs(100)) == [2, 4, 8]
    assert list(ASHAPolicy(5, 4, max_interval=21).rungs(100)) == [5, 20]
    assert repr(ASHAPolicy(2, 4)) == "ASHAPolicy(min_interval=2, reduction_factor=4, max_interval=None)"
    assert ASHAPolicy(2, 4) == ASHAPolicy(min_interval=2, reduction_factor=4) != ASHAPolicy(2, 4, 100)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_interval": 0}, "min_interval expects value to be at least 1."),
    ({"min_interval": 1.0}, "Expected type int for min_interval but got float"),
    ({"reduction_factor": 1}, "reduction_factor expects value to be at least 2."),
    ({"reduction_factor": True}, "Expected type int for reduction_factor but got bool"),
    ({"max_interval": 1}, "max_interval expects value to be None or greater than min_interval."),
    ({"min_interval": 4, "max_interval": 3}, "max_interval expects value to be None or greater than min_interval."),
    ({"max_interval": "9"}, "Expected type int for max_interval but got str"),
    ({"min_interval": 0, "reduction_factor": 1}, "min_interval expects value to be at least 1."),
])
def test_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        ASHAPolicy(**kwargs)
    assert str(info.value) == message


def test_a_sweep_accepts_it() -> None:
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2,
                              policy=ASHAPolicy(1, 2))
    assert config._policy_config == {"name": "ASHA", "properties": {"min_interval": 1, "reduction_factor": 2, "max_interval": None}}


# --- promotion --------------------------------------------------------------------------------------


def test_first_runs_must_be_the_best_so_far_then_the_top_third() -> None:
    policy = ASHAPolicy()
    curves = [run("first", (0.5,), (1,)), run("worse", (0.4,), (2,)), run("better", (0.6,), (3,))]
    [decision] = policy.evaluate(curves, MAX)
    assert (decision.run_id, decision.interval, decision.value, decision.threshold) == ("worse", 1, 0.4, 0.5)
    assert decision.reason == ("value 0.4 at rung 1 ranks 2 of 2 runs that reached it; only the top 1 (1/3) continue: "
                               "below the cutoff 0.5")
    later = [run(f"r{i}", (0.1 * i,), (10 + i,)) for i in range(1, 4)]
    assert stopped(policy, curves + later) == ["worse", "r1", "r2", "r3"]
    sixth = run("sixth", (0.55,), (20,))
    assert stopped(policy, curves + later + [sixth]) == ["worse", "r1", "r2", "r3"]
    assert stopped(policy, curves + later + [run("sixth", (0.49,), (20,))])[-1] == "sixth"


def test_a_promotion_is_never_revoked_by_later_arrivals() -> None:
    policy = ASHAPolicy()
    early = run("early", (0.5, 0.5), (1, 2))
    better = [run(f"b{i}", (0.9,), (5,)) for i in range(5)]
    assert "early" not in stopped(policy, [early, *better])
    no_arrival = [RunCurve(c.run_id, c.values, c.running) for c in (early, *better)]
    assert "early" in stopped(policy, no_arrival), "without arrival keys every run that reached the rung competes"


def test_simultaneous_arrivals_compete_together() -> None:
    curves = [run(f"r{i}", (v,), (1,)) for i, v in enumerate([0.1, 0.4, 0.3, 0.2, 0.35, 0.6])]
    assert stopped(ASHAPolicy(), curves) == ["r0", "r2", "r3", "r4"]


def test_each_rung_passed_in_one_batch_is_judged_and_the_first_failure_is_reported() -> None:
    policy = ASHAPolicy()
    finished = [run(f"f{i}", (0.5,) * 9, running=False) for i in range(3)]
    late = run("late", (0.9, 0.9, 0.1, 0.1), (10, 10, 10, 10))
    [decision] = policy.evaluate([*finished, late], MAX)
    assert (decision.run_id, decision.interval, decision.value) == ("late", 3, 0.1)
    judged_at_one = run("weak", (0.1, 0.9, 0.9, 0.9), (10, 10, 10, 10))
    assert policy.evaluate([*finished, judged_at_one], MAX)[0].interval == 1


def test_finished_runs_compete_but_are_never_stopped() -> None:
    curves = [run("done_low", (0.1,), (1,), running=False), run("top", (0.9,), (1,), running=False),
              run("mid", (0.5,), (1,), running=False)]
    assert stopped(ASHAPolicy(), curves) == []
    assert stopped(ASHAPolicy(), [*curves, run("new", (0.6,), (2,))]) == ["new"]


def test_minimize_ties_and_max_interval() -> None:
    policy = ASHAPolicy(1, 2)
    assert stopped(policy, [run("a", (1.0,), (1,)), run("b", (2.0,), (2,))], MIN) == ["b"]
    assert stopped(policy, [run("a", (1.0,), (1,)), run("b", (1.0,), (2,))], MIN) == []
    capped = ASHAPolicy(1, 2, max_interval=4)
    curves = [run("a", (1.0, 1.0, 1.0, 1.0), running=False), run("b", (1.0, 1.0, 1.0, 0.0), (5, 6, 7, 8))]
    assert stopped(capped, curves) == []
    assert stopped(ASHAPolicy(1, 2), curves) == ["b"]


def test_nan_at_a_rung_ranks_worst_but_a_lone_run_continues() -> None:
    policy = ASHAPolicy()
    assert stopped(policy, [run("nan", (math.nan,))]) == []
    [decision] = policy.evaluate([run("ok", (0.1,), (1,)), run("nan", (math.nan,), (2,))], MAX)
    assert decision.run_id == "nan" and decision.value is None
    assert decision.reason.startswith("value NaN at rung 1 ranks 2 of 2")
    assert stopped(policy, [run("ok", (0.1,), (1,)), run("inf", (math.inf,), (2,))]) == ["inf"]


def test_runs_without_values_and_before_the_first_rung_are_left_alone() -> None:
    policy = ASHAPolicy(min_interval=3)
    assert stopped(policy, [run("empty", ()), run("a", (0.9, 0.9)), run("b", (0.1, 0.1))]) == []
    assert stopped(policy, []) == []
