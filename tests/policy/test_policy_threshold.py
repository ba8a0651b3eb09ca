"""Each policy's current threshold (drawn on the widget's curves) matches the cutoff its decisions use."""

from __future__ import annotations

import pytest

from hdnotebook import ASHAPolicy, BanditPolicy, MedianStoppingPolicy, NoTerminationPolicy, TruncationSelectionPolicy
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import RunCurve

MAX, MIN = PrimaryMetricGoal.MAXIMIZE, PrimaryMetricGoal.MINIMIZE

MEDIAN_EXAMPLE = [  # reference section 4: median of the running averages at N = 3 is 0.45
    RunCurve("A", (0.5, 0.6, 0.7), running=False), RunCurve("B", (0.4, 0.5, 0.55), running=False),
    RunCurve("C", (0.2, 0.3, 0.35), running=True), RunCurve("D", (0.3, 0.45, 0.5), running=True),
]


def test_median_threshold_is_the_reference_median() -> None:
    interval, value = MedianStoppingPolicy(1, 3).threshold(MEDIAN_EXAMPLE, MAX)
    assert interval == 3 and value == pytest.approx(0.45, abs=1e-3)
    assert [t.run_id for t in MedianStoppingPolicy(1, 3).evaluate(MEDIAN_EXAMPLE, MAX)] == ["C"]


def test_bandit_threshold_both_goals() -> None:
    curves = [RunCurve("lead", (0.5, 0.9), running=False), RunCurve("r", (0.4, 0.8), running=True)]
    assert BanditPolicy(1, slack_factor=0.1).threshold(curves, MAX) == (2, pytest.approx(0.9 / 1.1))
    low = [RunCurve("lead", (2.0, 1.0), running=False), RunCurve("r", (3.0, 2.0), running=True)]
    assert BanditPolicy(1, slack_amount=0.5).threshold(low, MIN) == (2, pytest.approx(1.5))


def test_truncation_threshold_is_the_boundary_of_the_cut() -> None:
    curves = [RunCurve(f"r{i}", (0.1 * i,) * 4, running=True) for i in range(8)]
    interval, value = TruncationSelectionPolicy(25, 1, 4).threshold(curves, MAX)
    assert interval == 4 and value == pytest.approx(0.2)
    assert sorted(t.run_id for t in TruncationSelectionPolicy(25, 1, 4).evaluate(curves, MAX)) == ["r0", "r1"]


def test_no_threshold_before_a_due_interval_or_without_a_single_cutoff() -> None:
    assert MedianStoppingPolicy(1, 5).threshold(MEDIAN_EXAMPLE, MAX) is None
    assert NoTerminationPolicy().threshold(MEDIAN_EXAMPLE, MAX) is None
    assert ASHAPolicy().threshold(MEDIAN_EXAMPLE, MAX) is None
    finished = [RunCurve(c.run_id, c.values, running=False) for c in MEDIAN_EXAMPLE]
    assert MedianStoppingPolicy(1, 3).threshold(finished, MAX) is None, "no running run, nothing to judge"
