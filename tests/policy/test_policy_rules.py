"""The decision rules of the HyperDrive policies, from hand-built histories (reference section 4, 11.4-11.8)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import (
    BanditPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    RunCurve,
    Termination,
    TruncationSelectionPolicy,
)

MAX, MIN = PrimaryMetricGoal.MAXIMIZE, PrimaryMetricGoal.MINIMIZE
NAN = math.nan


def run(run_id: str, *values: float, running: bool = True) -> RunCurve:
    return RunCurve(run_id, tuple(values), running)


def stopped(policy, curves, goal=MAX) -> list[str]:
    return [t.run_id for t in policy.evaluate(curves, goal)]


def flat(run_id: str, value: float, n: int, running: bool = True) -> RunCurve:
    return run(run_id, *([value] * n), running=running)


# --- schedule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("interval", "delay", "expected"), [
    (1, 5, {4: 0, 5: 5, 6: 6, 9: 9}),
    (2, 5, {5: 0, 6: 6, 7: 6, 9: 8}),
    (3, 0, {0: 0, 2: 0, 3: 3, 5: 3, 6: 6}),
])
def test_latest_due_interval(interval: int, delay: int, expected: dict[int, int]) -> None:
    policy = MedianStoppingPolicy(interval, delay)
    for count, due in expected.items():
        assert policy.latest_due(count) == due
        assert due == max([n for n in range(1, count + 1) if policy.is_due(n)], default=0)


def test_nothing_is_judged_before_the_delay() -> None:
    policy = BanditPolicy(1, slack_factor=0.1, delay_evaluation=5)
    curves = [flat("lead", 0.9, 4), flat("bad", 0.1, 4)]
    assert stopped(policy, curves) == []
    assert stopped(policy, [flat("lead", 0.9, 5), flat("bad", 0.1, 5)]) == ["bad"]


def test_a_run_is_judged_at_its_latest_due_interval_on_its_values_up_to_there() -> None:
    policy = BanditPolicy(2, slack_factor=0.1, delay_evaluation=5)
    lead = run("lead", *[0.9] * 7, running=False)
    late_bloomer = run("late", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.95)
    [decision] = policy.evaluate([lead, late_bloomer], MAX)
    assert (decision.run_id, decision.interval, decision.value) == ("late", 6, 0.1)


def test_a_batch_that_passes_several_due_intervals_is_judged_at_the_last() -> None:
    policy = MedianStoppingPolicy(1, 2)
    curves = [run("a", .9, .9, .9, .9), run("b", .8, .8, .8, .8), run("c", .1, .1, .2, .5)]
    [decision] = policy.evaluate(curves, MAX)
    assert (decision.run_id, decision.interval) == ("c", 4)


def test_only_running_runs_are_canceled_and_every_run_that_reached_n_is_compared() -> None:
    policy = BanditPolicy(slack_amount=0.1)
    curves = [run("done", 0.9, running=False), run("low_done", 0.1, running=False), run("low", 0.2), run("ok", 0.85)]
    assert stopped(policy, curves) == ["low"]


def test_a_run_is_compared_only_with_runs_that_reached_its_interval() -> None:
    policy = BanditPolicy(slack_amount=0.1)
    assert stopped(policy, [run("young", 0.65), run("old", 0.7, 0.9)]) == []
    assert stopped(policy, [run("young", 0.55), run("old", 0.7, 0.9)]) == ["young"]
    assert stopped(policy, [run("young", 0.5), run("ahead", 0.9, 0.95), run("behind")]) == ["young"]
    assert stopped(policy, [run("young", 0.5, 0.5), run("old", 0.4, 0.9, running=False)]) == ["young"]
    assert stopped(policy, [run("young", 0.5, 0.85), run("old", 0.4, 0.9, running=False)]) == []


def test_evaluate_is_pure_and_repeatable() -> None:
    curves = [run("a", .5, .6, .7), run("b", .4, .5, .55), run("c", .2, .3, .35), run("d", .3, .45, .5)]
    before = list(curves)
    policy = MedianStoppingPolicy(1, 3)
    first = policy.evaluate(curves, MAX)
    assert policy.evaluate(curves, MAX) == first and curves == before
    assert policy.evaluate(curves, "maximize") == first


# --- Bandit -----------------------------------------------------------------------------------------


def test_bandit_reference_example_slack_factor() -> None:
    policy = BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=5)
    curves = [run("leader", .5, .6, .7, .8, .9), run("r080", .4, .5, .6, .7, .8), run("r083", .4, .5, .6, .7, .83)]
    [decision] = policy.evaluate(curves, MAX)
    assert decision == Termination("r080", "Bandit", 5, 0.8, pytest.approx(0.9 / 1.1), decision.reason)
    assert decision.threshold == pytest.approx(0.818, abs=5e-4)
    assert decision.reason == "best 0.8 at interval 5 is below the Bandit cutoff 0.8182 (leader 0.9, slack_factor 0.1)"


def test_bandit_reference_example_slack_amount() -> None:
    policy = BanditPolicy(slack_amount=0.2)
    curves = [run("leader", 0.8), run("below", 0.59), run("on", 0.6), run("above", 0.61)]
    [decision] = policy.evaluate(curves, MAX)
    assert decision.run_id == "below"
    assert decision.threshold == pytest.approx(0.6)
    assert decision.reason == "best 0.59 at interval 1 is below the Bandit cutoff 0.6 (leader 0.8, slack_amount 0.2)"


def test_bandit_minimize_mirrors() -> None:
    factor = BanditPolicy(slack_factor=0.1)
    [decision] = factor.evaluate([run("leader", 0.5), run("out", 0.56), run("in", 0.54)], MIN)
    assert decision.run_id == "out" and decision.threshold == pytest.approx(0.55)
    assert decision.reason == "best 0.56 at interval 1 is above the Bandit cutoff 0.55 (leader 0.5, slack_factor 0.1)"
    amount = BanditPolicy(slack_amount=0.2)
    assert stopped(amount, [run("leader", 1.0), run("out", 1.25), run("on", 1.2)], MIN) == ["out"]


def test_bandit_uses_each_runs_best_within_the_interval() -> None:
    policy = BanditPolicy(slack_factor=0.1, delay_evaluation=3)
    curves = [run("leader", 0.9, 0.5, 0.5), run("dipped", 0.85, 0.2, 0.2), run("low", 0.3, 0.7, 0.7)]
    assert stopped(policy, curves) == ["low"]
    assert stopped(policy, [run("leader", 0.1, 0.5, 0.5), run("dipped", 0.5, 0.9, 0.55)], MIN) == ["dipped"]


@pytest.mark.parametrize(("goal", "leader", "kept", "canceled", "cutoff"), [
    (MAX, -1.0, -1.05, -1.2, -1.0 - 0.1 / 1.1),
    (MIN, -2.0, -1.9, -1.7, -1.8),
])
def test_bandit_slack_factor_with_negative_values(goal, leader, kept, canceled, cutoff) -> None:
    policy = BanditPolicy(slack_factor=0.1)
    [decision] = policy.evaluate([run("leader", leader), run("kept", kept), run("canceled", canceled)], goal)
    assert decision.run_id == "canceled"
    assert decision.threshold == pytest.approx(cutoff)


def test_bandit_ties_with_the_leader_and_a_single_run() -> None:
    policy = BanditPolicy(slack_factor=0.1)
    assert stopped(policy, [run("a", 0.7), run("b", 0.7)]) == []
    assert stopped(policy, [run("alone", 0.1)]) == []
    assert stopped(policy, []) == []


def test_bandit_nan_is_worst_for_the_run_and_ignored_in_the_reference() -> None:
    policy = BanditPolicy(slack_factor=0.1)
    curves = [run("leader", 0.9), run("nan", NAN), run("inf", math.inf, running=False), run("ok", 0.85)]
    [decision] = policy.evaluate(curves, MAX)
    assert decision.run_id == "nan" and decision.value is None
    assert decision.reason == "no finite value in its first 1 intervals; the Bandit cutoff 0.8182 (leader 0.9, slack_factor 0.1)"
    assert stopped(policy, [run("a", NAN, 0.5), run("b", 0.55, NAN)]) == []
    assert stopped(policy, [run("a", NAN), run("b", NAN)]) == []


def test_runs_that_never_log_the_metric_are_never_judged_nor_counted() -> None:
    for policy in (BanditPolicy(slack_factor=0.1), MedianStoppingPolicy(), TruncationSelectionPolicy(50)):
        curves = [run("silent"), run("silent_done", running=False), run("a", 0.5)]
        assert policy.evaluate(curves, MAX) == []


# --- MedianStopping ---------------------------------------------------------------------------------


def test_median_reference_example() -> None:
    policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=3)
    curves = [run("A", .5, .6, .7), run("B", .4, .5, .55), run("C", .2, .3, .35), run("D", .3, .45, .5)]
    [decision] = policy.evaluate(curves, MAX)
    assert (decision.run_id, decision.interval, decision.value) == ("C", 3, 0.35)
    assert decision.threshold == pytest.approx(0.45)
    assert decision.reason == "best 0.35 at interval 3 is below the median 0.45 of the running averages of 4 runs"


def test_median_minimize_mirrors() -> None:
    policy = MedianStoppingPolicy(1, 3)
    curves = [run("A", .5, .4, .3), run("B", .6, .5, .45), run("C", .8, .7, .65), run("D", .7, .55, .5)]
    [decision] = policy.evaluate(curves, MIN)
    assert decision.run_id == "C" and decision.threshold == pytest.approx(0.55)
    assert "above the median 0.55" in decision.reason


def test_median_needs_two_other_runs_and_spares_ties() -> None:
    policy = MedianStoppingPolicy()
    assert stopped(policy, [run("a", 1.0), run("b", 3.0)]) == []
    assert stopped(policy, [run("a", 1.0), run("b", 3.0), run("c", 2.0)]) == ["a"]
    assert stopped(policy, [run("a", 2.0), run("b", 2.0), run("c", 2.0)]) == []


def test_median_uses_values_up_to_n_of_finished_runs() -> None:
    policy = MedianStoppingPolicy(1, 2)
    finished = [run("f1", 0.5, 0.5, 0.99, running=False), run("f2", 0.6, 0.6, 0.99, running=False)]
    assert stopped(policy, [*finished, run("new", 0.55, 0.58)]) == []
    assert stopped(policy, [*finished, run("new", 0.4, 0.49)]) == ["new"]


def test_median_skips_nan_in_averages_and_leaves_all_nan_runs_out() -> None:
    policy = MedianStoppingPolicy()
    assert stopped(policy, [run("a", 0.5), run("nan", NAN), run("b", 0.6)]) == []
    assert stopped(policy, [run("a", 0.5), run("nan", NAN), run("b", 0.6), run("c", 0.7)]) == ["a", "nan"]
    assert stopped(policy, [run("a", NAN, 0.2, 0.4), run("b", 0.25, 0.25, 0.25), run("c", 0.35, 0.35, 0.35)]) == ["b"]


# --- TruncationSelection ----------------------------------------------------------------------------


def eight_runs(running: bool = True) -> list[RunCurve]:
    return [flat(f"r{i}", 0.1 * (i + 1), 4, running) for i in range(8)]


def test_truncation_reference_example() -> None:
    policy = TruncationSelectionPolicy(25, evaluation_interval=1, delay_evaluation=4)
    decisions = policy.evaluate(eight_runs(), MAX)
    assert [t.run_id for t in decisions] == ["r0", "r1"]
    assert decisions[1].threshold == pytest.approx(0.3)
    assert decisions[1].reason == "best 0.2 at interval 4 ranks 7 of 8 runs, in the worst 25% (2 runs): below the cutoff 0.3"
    assert stopped(policy, eight_runs(), MIN) == ["r6", "r7"]


def test_truncation_never_cancels_finished_runs_nor_hands_their_slots_over() -> None:
    policy = TruncationSelectionPolicy(25, 1, 4)
    curves = eight_runs()
    curves[0] = flat("r0", 0.1, 4, running=False)
    assert stopped(policy, curves) == ["r1"]


def test_truncation_exclude_finished_jobs() -> None:
    curves = [flat(f"done{i}", 0.1 * i, 4, running=False) for i in range(4)] + [flat(f"run{i}", 0.5 + 0.1 * i, 4) for i in range(4)]
    assert stopped(TruncationSelectionPolicy(25, 1, 4), curves) == []
    assert stopped(TruncationSelectionPolicy(25, 1, 4, exclude_finished_jobs=True), curves) == ["run0"]


def test_truncation_ties_small_populations_and_nan() -> None:
    tied = [flat(f"t{i}", v, 1) for i, v in enumerate([1, 1, 1, 1, 2, 3, 4, 5])]
    assert stopped(TruncationSelectionPolicy(25), tied) == []
    assert stopped(TruncationSelectionPolicy(20), [flat(f"r{i}", i, 1) for i in range(4)]) == []
    assert stopped(TruncationSelectionPolicy(20), [flat(f"r{i}", i, 1) for i in range(5)]) == ["r0"]
    curves = [run(f"r{i}", float(i)) for i in range(4)] + [run("nan", NAN)]
    [decision] = TruncationSelectionPolicy(20).evaluate(curves, MAX)
    assert decision.run_id == "nan" and decision.reason.startswith("no finite value at interval 1 ranks 5 of 5 runs")


def test_truncation_compares_long_runs_on_their_values_up_to_n() -> None:
    policy = TruncationSelectionPolicy(50)
    curves = [run("old", 0.2, 0.9, 0.9, running=False), run("young", 0.3), run("other", 0.1, 0.1, running=False)]
    assert stopped(policy, curves) == []
    assert stopped(policy, [*curves, run("worst", 0.15)]) == ["worst"]


# --- all policies -----------------------------------------------------------------------------------


POLICIES = [BanditPolicy(slack_factor=0.1), MedianStoppingPolicy(), TruncationSelectionPolicy(20), NoTerminationPolicy()]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_strange_values_never_raise(policy) -> None:
    curves = [run("a", NAN, math.inf, -math.inf), run("b"), run("c", 1e308, -1e308), run("d", 0.0, running=False),
              run("e", NAN, NAN, NAN), run("f", 5, 6, 7)]
    for goal in (MAX, MIN):
        assert all(isinstance(t, Termination) for t in policy.evaluate(curves, goal))


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_evaluate_is_fast_for_a_thousand_runs_of_a_hundred_values(policy) -> None:
    rng = np.random.default_rng(0)
    curves = [RunCurve(f"r{i}", tuple(rng.random(100 - i % 7)), i % 10 == 0) for i in range(1000)]
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        policy.evaluate(curves, MAX)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1


def test_running_averages_of_huge_values_do_not_overflow() -> None:
    curves = [flat("a", 1e308, 3), flat("b", 1e308, 3), flat("c", 0.1, 3)]
    [decision] = MedianStoppingPolicy().evaluate(curves, MAX)
    assert decision.run_id == "c" and decision.threshold == 1e308
