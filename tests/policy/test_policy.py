"""Early-termination policies: construction, validation messages, JSON forms, schedule, equality."""

from __future__ import annotations

import pytest

import hdnotebook.policy as policy_module
from hdnotebook.exceptions import HyperDriveConfigException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import (
    BanditPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    RunCurve,
    TruncationSelectionPolicy,
)


def test_all_exports_are_complete_and_sorted() -> None:
    assert policy_module.__all__ == sorted(policy_module.__all__)
    assert set(policy_module.__all__) == {
        "ASHAPolicy",
        "BanditPolicy",
        "EarlyTerminationPolicy",
        "MedianStoppingPolicy",
        "NoTerminationPolicy",
        "RunCurve",
        "Termination",
        "TruncationSelectionPolicy",
    }
    for name in policy_module.__all__:
        assert getattr(policy_module, name) is not None


# --- JSON forms -----------------------------------------------------------------------------------


def test_bandit_json_with_slack_factor() -> None:
    policy = BanditPolicy(evaluation_interval=2, slack_factor=0.1, delay_evaluation=5)
    assert policy.to_json() == {
        "name": "Bandit",
        "properties": {"evaluation_interval": 2, "delay_evaluation": 5, "slack_factor": 0.1},
    }
    assert list(policy.to_json()["properties"]) == ["evaluation_interval", "delay_evaluation", "slack_factor"]


def test_bandit_json_with_slack_amount() -> None:
    policy = BanditPolicy(slack_amount=0.2)
    assert policy.to_json() == {
        "name": "Bandit",
        "properties": {"evaluation_interval": 1, "delay_evaluation": 0, "slack_amount": 0.2},
    }


def test_bandit_properties() -> None:
    policy = BanditPolicy(evaluation_interval=3, slack_amount=2, delay_evaluation=4)
    assert policy.slack_factor is None
    assert policy.slack_amount == 2
    assert policy.evaluation_interval == 3
    assert policy.delay_evaluation == 4
    assert policy.name == "Bandit"
    factor = BanditPolicy(slack_factor=0.5)
    assert factor.slack_factor == 0.5 and factor.slack_amount is None


def test_median_stopping_json_and_defaults() -> None:
    assert MedianStoppingPolicy().to_json() == {
        "name": "MedianStopping",
        "properties": {"evaluation_interval": 1, "delay_evaluation": 0},
    }
    policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5)
    assert policy.to_json()["properties"] == {"evaluation_interval": 1, "delay_evaluation": 5}
    assert (policy.evaluation_interval, policy.delay_evaluation) == (1, 5)


def test_truncation_selection_json() -> None:
    policy = TruncationSelectionPolicy(truncation_percentage=20, evaluation_interval=1, delay_evaluation=5)
    assert policy.to_json() == {
        "name": "TruncationSelection",
        "properties": {
            "evaluation_interval": 1,
            "delay_evaluation": 5,
            "truncation_percentage": 20,
            "exclude_finished_jobs": False,
        },
    }
    assert policy.truncation_percentage == 20
    assert policy.exclude_finished_jobs is False


def test_truncation_selection_exclude_finished_jobs_is_keyword_only() -> None:
    policy = TruncationSelectionPolicy(10, exclude_finished_jobs=True)
    assert policy.exclude_finished_jobs is True
    assert policy.to_json()["properties"]["exclude_finished_jobs"] is True
    with pytest.raises(TypeError):
        TruncationSelectionPolicy(10, 1, 0, True)  # type: ignore[misc]


def test_no_termination_json_has_no_properties() -> None:
    policy = NoTerminationPolicy()
    assert policy.to_json() == {"name": "Default"}
    assert policy.name == "Default"
    assert policy.evaluation_interval is None


def test_base_policy_json() -> None:
    assert EarlyTerminationPolicy("Custom", {"a": 1}).to_json() == {"name": "Custom", "properties": {"a": 1}}
    assert EarlyTerminationPolicy("Custom").to_json() == {"name": "Custom"}


def test_to_json_returns_a_copy() -> None:
    policy = BanditPolicy(slack_factor=0.1)
    policy.to_json()["properties"]["slack_factor"] = 99
    assert policy.to_json()["properties"]["slack_factor"] == 0.1


# --- Bandit validation ----------------------------------------------------------------------------

EXACTLY_ONE = "Bandit termination policy expects exactly one of slack factor or slack amount to be set."


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"slack_factor": None, "slack_amount": None}, {"slack_factor": 0.1, "slack_amount": 0.2}],
)
def test_bandit_requires_exactly_one_slack(kwargs: dict) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        BanditPolicy(**kwargs)
    assert str(info.value) == EXACTLY_ONE
    assert info.value.error_code == "InvalidConfigSetting"


def test_bandit_both_slacks_set_even_if_one_is_zero() -> None:
    with pytest.raises(HyperDriveConfigException, match="exactly one of slack factor or slack amount"):
        BanditPolicy(slack_factor=0, slack_amount=0.2)


@pytest.mark.parametrize("name", ["slack_factor", "slack_amount"])
@pytest.mark.parametrize("value", [0, 0.0, -0.1, float("nan"), float("inf")])
def test_bandit_slack_must_be_positive(name: str, value: float) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        BanditPolicy(**{name: value})
    assert str(info.value) == f"{name} expects value to be a finite number greater than 0."


@pytest.mark.parametrize("name", ["slack_factor", "slack_amount"])
@pytest.mark.parametrize("value", ["0.1", True, [0.1]])
def test_bandit_slack_must_be_a_number(name: str, value: object) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        BanditPolicy(**{name: value})
    assert str(info.value) == f"Expected type float for {name} but got {type(value).__name__}"
    assert info.value.error_code == "InvalidType"


def test_bandit_slack_is_checked_before_the_schedule() -> None:
    with pytest.raises(HyperDriveConfigException, match="exactly one"):
        BanditPolicy(evaluation_interval=0)
    with pytest.raises(HyperDriveConfigException, match="slack_factor"):
        BanditPolicy(evaluation_interval=0, slack_factor=-1)


# --- schedule validation (all scheduled policies) -------------------------------------------------

SCHEDULED = [
    lambda **kw: BanditPolicy(slack_factor=0.1, **kw),
    lambda **kw: MedianStoppingPolicy(**kw),
    lambda **kw: TruncationSelectionPolicy(10, **kw),
]


@pytest.mark.parametrize("make", SCHEDULED)
@pytest.mark.parametrize("value", [1.0, "1", True, None])
def test_evaluation_interval_must_be_int(make, value: object) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        make(evaluation_interval=value)
    assert str(info.value) == f"Expected type int for evaluation_interval but got {type(value).__name__}"


@pytest.mark.parametrize("make", SCHEDULED)
@pytest.mark.parametrize("value", [0, -1])
def test_evaluation_interval_must_be_at_least_one(make, value: int) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        make(evaluation_interval=value)
    assert str(info.value) == "evaluation_interval expects value to be at least 1."


@pytest.mark.parametrize("make", SCHEDULED)
@pytest.mark.parametrize("value", [5.0, "5", False, None])
def test_delay_evaluation_must_be_int(make, value: object) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        make(delay_evaluation=value)
    assert str(info.value) == f"Expected type int for delay_evaluation but got {type(value).__name__}"


@pytest.mark.parametrize("make", SCHEDULED)
def test_delay_evaluation_must_not_be_negative(make) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        make(delay_evaluation=-1)
    assert str(info.value) == "delay_evaluation expects value to be at least 0."


@pytest.mark.parametrize("make", SCHEDULED)
def test_evaluation_interval_is_checked_before_delay(make) -> None:
    with pytest.raises(HyperDriveConfigException, match="evaluation_interval"):
        make(evaluation_interval=0, delay_evaluation=-1)


# --- truncation validation ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 100, -5, 1000])
def test_truncation_percentage_range(value: int) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        TruncationSelectionPolicy(value)
    assert str(info.value) == "truncation_percentage expects value to be between 1 and 99."


@pytest.mark.parametrize("value", [1, 50, 99])
def test_truncation_percentage_bounds_accepted(value: int) -> None:
    assert TruncationSelectionPolicy(value).truncation_percentage == value


@pytest.mark.parametrize("value", [20.0, "20", True, None])
def test_truncation_percentage_must_be_int(value: object) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        TruncationSelectionPolicy(value)  # type: ignore[arg-type]
    assert str(info.value) == f"Expected type int for truncation_percentage but got {type(value).__name__}"


def test_truncation_percentage_is_checked_before_the_schedule() -> None:
    with pytest.raises(HyperDriveConfigException, match="truncation_percentage"):
        TruncationSelectionPolicy(0, evaluation_interval=0)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_exclude_finished_jobs_must_be_bool(value: object) -> None:
    with pytest.raises(HyperDriveConfigException) as info:
        TruncationSelectionPolicy(10, exclude_finished_jobs=value)  # type: ignore[arg-type]
    assert str(info.value) == f"Expected type bool for exclude_finished_jobs but got {type(value).__name__}"


# --- schedule -------------------------------------------------------------------------------------


def _due(policy: EarlyTerminationPolicy, upto: int = 12) -> list[int]:
    return [n for n in range(0, upto + 1) if policy.is_due(n)]


@pytest.mark.parametrize(
    ("interval", "delay", "expected"),
    [
        (1, 5, [5, 6, 7, 8, 9, 10, 11, 12]),
        (2, 5, [6, 8, 10, 12]),
        (3, 0, [3, 6, 9, 12]),
        (1, 0, list(range(1, 13))),
        (4, 4, [4, 8, 12]),
    ],
)
def test_is_due_schedule(interval: int, delay: int, expected: list[int]) -> None:
    assert _due(MedianStoppingPolicy(evaluation_interval=interval, delay_evaluation=delay)) == expected
    assert _due(BanditPolicy(evaluation_interval=interval, slack_factor=0.1, delay_evaluation=delay)) == expected
    assert _due(TruncationSelectionPolicy(10, evaluation_interval=interval, delay_evaluation=delay)) == expected


def test_no_termination_is_never_due() -> None:
    assert _due(NoTerminationPolicy(), 50) == []


# --- evaluate hook --------------------------------------------------------------------------------


def test_no_termination_and_the_base_decide_nothing() -> None:
    curves = [
        RunCurve("HD_x_0", (0.9, 0.91), True),
        RunCurve("HD_x_1", (0.1, 0.11), True),
        RunCurve("HD_x_2", (0.5,), False),
    ]
    for policy in (NoTerminationPolicy(), EarlyTerminationPolicy("Custom")):
        assert policy.evaluate(curves, PrimaryMetricGoal.MAXIMIZE) == []
        assert policy.latest_due(10) == 0


# --- equality -------------------------------------------------------------------------------------


def test_equality_compares_configuration() -> None:
    assert BanditPolicy(slack_factor=0.1) == BanditPolicy(slack_factor=0.1)
    assert BanditPolicy(slack_factor=0.1) != BanditPolicy(slack_factor=0.2)
    assert BanditPolicy(slack_factor=0.1) != BanditPolicy(slack_amount=0.1)
    assert BanditPolicy(slack_factor=0.1, delay_evaluation=1) != BanditPolicy(slack_factor=0.1)
    assert MedianStoppingPolicy(2, 3) == MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=3)
    assert MedianStoppingPolicy() != MedianStoppingPolicy(delay_evaluation=1)
    assert TruncationSelectionPolicy(10) == TruncationSelectionPolicy(10)
    assert TruncationSelectionPolicy(10) != TruncationSelectionPolicy(11)
    assert TruncationSelectionPolicy(10) != TruncationSelectionPolicy(10, exclude_finished_jobs=True)
    assert NoTerminationPolicy() == NoTerminationPolicy()


def test_equality_across_types() -> None:
    assert NoTerminationPolicy() != MedianStoppingPolicy()
    assert MedianStoppingPolicy() != "MedianStopping"
    assert NoTerminationPolicy() != EarlyTerminationPolicy("Default")


def test_repr_names_the_configuration() -> None:
    assert repr(NoTerminationPolicy()) == "NoTerminationPolicy()"
    assert repr(BanditPolicy(slack_factor=0.1)) == (
        "BanditPolicy(evaluation_interval=1, delay_evaluation=0, slack_factor=0.1)"
    )
