"""Parameter expressions: HyperDrive's serialized forms, its validation texts, and the checks it forgot."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import hdnotebook.parameter_expressions as expressions_module
from hdnotebook.exceptions import HyperDriveConfigException
from hdnotebook.parameter_expressions import (
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)


def test_all_exports_are_complete_and_sorted() -> None:
    assert expressions_module.__all__ == sorted(expressions_module.__all__)
    assert set(expressions_module.__all__) == {
        "choice",
        "lognormal",
        "loguniform",
        "normal",
        "qlognormal",
        "qloguniform",
        "qnormal",
        "quniform",
        "randint",
        "uniform",
    }


# --- serialized forms ------------------------------------------------------------------------------


def test_reference_examples() -> None:
    assert choice(16, 32) == ["choice", [[16, 32]]]
    assert choice([16, 32]) == ["choice", [[16, 32]]]
    assert choice(range(16, 33, 16)) == ["choice", [[16, 32]]]
    assert uniform(0, 1) == ["uniform", [0, 1]]
    assert quniform(0, 10, 2) == ["quniform", [0, 10, 2]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (randint(10), ["randint", [10]]),
        (uniform(0.0005, 0.005), ["uniform", [0.0005, 0.005]]),
        (quniform(0.5, 10.5, 2.0), ["quniform", [0.5, 10.5, 2.0]]),
        (loguniform(-6, -1), ["loguniform", [-6, -1]]),
        (qloguniform(0, 5, 2), ["qloguniform", [0, 5, 2]]),
        (normal(10, 3), ["normal", [10, 3]]),
        (qnormal(10, 3, 1), ["qnormal", [10, 3, 1]]),
        (lognormal(0, 1), ["lognormal", [0, 1]]),
        (qlognormal(0.5, 1.5, 4), ["qlognormal", [0.5, 1.5, 4]]),
        (choice("adam", "sgd"), ["choice", [["adam", "sgd"]]]),
        (choice(0.1), ["choice", [[0.1]]]),
        (choice(True, False), ["choice", [[True, False]]]),
        (choice(None, 3, 5), ["choice", [[None, 3, 5]]]),
    ],
)
def test_serialized_forms(expression: list, expected: list) -> None:
    assert expression == expected
    assert json.loads(json.dumps(expression)) == expected


def test_argument_types_are_kept() -> None:
    assert [type(v) for v in uniform(0, 1.5)[1]] == [int, float]
    assert [type(v) for v in quniform(0, 10, 2.0)[1]] == [int, int, float]
    assert [type(v) for v in choice(1, 1.0, "1", True)[1][0]] == [int, float, str, bool]


def test_choice_unpacks_tuples_and_arrays_and_converts_numpy_scalars() -> None:
    assert choice((16, 32)) == ["choice", [[16, 32]]]
    from_array = choice(np.array([0.1, 0.2]))
    assert from_array == ["choice", [[0.1, 0.2]]]
    assert all(type(v) is float for v in from_array[1][0])
    converted = choice(np.int64(3), np.float32(0.5), np.str_("a"), np.bool_(True))[1][0]
    assert [type(v) for v in converted] == [int, float, str, bool]


def test_numpy_scalars_become_python_numbers() -> None:
    expression = uniform(np.float64(0.25), np.int64(2))
    assert expression == ["uniform", [0.25, 2]]
    assert [type(v) for v in expression[1]] == [float, int]
    assert type(randint(np.int32(5))[1][0]) is int
    assert type(quniform(0, 10, np.int64(2))[1][2]) is int


def test_choice_returns_a_new_list() -> None:
    options = [1, 2]
    expression = choice(options)
    options.append(3)
    assert expression == ["choice", [[1, 2]]]


# --- validation ------------------------------------------------------------------------------------

CHOICE_RULE = "choice expects non-empty single list, non-empty single range() or a positive number"


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: choice(), ["Please specify an input for choice."]),
        (lambda: choice([]), [CHOICE_RULE, "empty list"]),
        (lambda: choice(range(0)), [CHOICE_RULE, "empty range"]),
        (lambda: choice([1, 2], 3), [CHOICE_RULE, "2 arguments"]),
        (lambda: choice(1, [2, 3]), [CHOICE_RULE, "2 arguments"]),
        (lambda: choice(range(3), range(2)), [CHOICE_RULE]),
        (lambda: choice(np.zeros((2, 2))), [CHOICE_RULE, "2-D array"]),
        (lambda: choice(1, {"a": 1}), ["choice expects options to be JSON scalars", "option 1 is dict"]),
        (lambda: choice([1, float("nan")]), ["choice expects options to be finite numbers", "option 1 is nan"]),
        (lambda: choice(float("inf")), ["choice expects options to be finite numbers", "option 0 is inf"]),
        (lambda: randint(0), ["randint expects a positive number as input", "upper", "> 0", "got 0"]),
        (lambda: randint(-3), ["randint expects a positive number as input", "upper", "got -3"]),
        (lambda: randint(2.0), ["randint expects a positive number as input", "upper must be an int", "float"]),
        (lambda: randint(True), ["randint expects", "upper must be an int", "bool"]),
        (lambda: randint("5"), ["randint expects", "upper must be an int", "str"]),
        (lambda: uniform("0", 1), ["uniform expects min_value to be a float", "str '0'"]),
        (lambda: uniform(0, None), ["uniform expects max_value to be a float", "NoneType"]),
        (lambda: uniform(1, 0), ["uniform expects min_value < max_value", "min_value=1, max_value=0"]),
        (lambda: uniform(1, 1), ["uniform expects min_value < max_value"]),
        (lambda: uniform(True, 2), ["uniform expects min_value to be a float, not a bool"]),
        (lambda: uniform(0, False), ["uniform expects max_value to be a float, not a bool"]),
        (lambda: uniform(float("nan"), 1), ["uniform expects min_value to be a finite number", "nan"]),
        (lambda: uniform(0, float("inf")), ["uniform expects max_value to be a finite number", "inf"]),
        (lambda: uniform(-1e308, 1e308), ["uniform expects max_value - min_value to be a finite float"]),
        (lambda: quniform(0, 10, 0.5), ["quniform expects q to be an int", "0.5"]),
        (lambda: quniform(0, 10, "2"), ["quniform expects q to be an int", "str"]),
        (lambda: quniform(0, 10, True), ["quniform expects q to be an int", "bool"]),
        (lambda: quniform(0, 10, float("inf")), ["quniform expects q to be an int"]),
        (lambda: quniform(0, 10, 0), ["quniform expects q to be a positive int, q > 0", "got 0"]),
        (lambda: quniform(0, 10, -2), ["quniform expects q to be a positive int, q > 0", "got -2"]),
        (lambda: quniform(5, 5, 1), ["quniform expects min_value < max_value"]),
        (lambda: quniform("a", 5, 1), ["quniform expects min_value to be a float"]),
        (lambda: loguniform(0, 0), ["loguniform expects min_value < max_value"]),
        (lambda: loguniform(2, 1), ["loguniform expects min_value < max_value", "min_value=2, max_value=1"]),
        (lambda: loguniform(0, 710), ["loguniform expects max_value <= 709.78", "natural logarithms", "710"]),
        (lambda: loguniform(None, 1), ["loguniform expects min_value to be a float"]),
        (lambda: qloguniform(0, 5, 1.5), ["qloguniform expects q to be an int"]),
        (lambda: qloguniform(0, 5, 0), ["qloguniform expects q to be a positive int"]),
        (lambda: qloguniform(5, 0, 1), ["qloguniform expects min_value < max_value"]),
        (lambda: qloguniform(0, 800, 1), ["qloguniform expects max_value <= 709.78"]),
        (lambda: normal("0", 1), ["normal expects mu to be a float"]),
        (lambda: normal(0, "1"), ["normal expects sigma to be a float"]),
        (lambda: normal(0, 0), ["normal expects sigma to be positive, sigma > 0", "got 0"]),
        (lambda: normal(0, -1), ["normal expects sigma to be positive", "got -1"]),
        (lambda: normal(0, float("nan")), ["normal expects sigma to be a finite number"]),
        (lambda: normal(True, 1), ["normal expects mu to be a float, not a bool"]),
        (lambda: qnormal(0, 1, 0), ["qnormal expects q to be a positive int"]),
        (lambda: qnormal(0, 1, 0.5), ["qnormal expects q to be an int"]),
        (lambda: qnormal(0, 0.0, 1), ["qnormal expects sigma to be positive"]),
        (lambda: qnormal(float("-inf"), 1, 1), ["qnormal expects mu to be a finite number"]),
        (lambda: lognormal(0, 0), ["lognormal expects sigma to be positive"]),
        (lambda: lognormal([0], 1), ["lognormal expects mu to be a float"]),
        (lambda: qlognormal(0, -1, 1), ["qlognormal expects sigma to be positive"]),
        (lambda: qlognormal(0, 1, -1), ["qlognormal expects q to be a positive int"]),
        (lambda: qlognormal(0, 1, None), ["qlognormal expects q to be an int"]),
    ],
)
def test_validation_errors(call, fragments: list[str]) -> None:
    with pytest.raises(HyperDriveConfigException) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert caught.value.message == message


def test_error_codes() -> None:
    with pytest.raises(HyperDriveConfigException) as missing:
        choice()
    assert missing.value.error_code == "MissingChoiceValues"
    with pytest.raises(HyperDriveConfigException) as invalid:
        uniform(1, 0)
    assert invalid.value.error_code == "InvalidConfigSetting"


def test_hyperdrive_accepted_edge_values_still_pass() -> None:
    assert quniform(0, 10, 2.0)[1][2] == 2.0
    assert loguniform(-700, 709)[0] == "loguniform"
    assert qloguniform(-5, math.log(1000), 10)[0] == "qloguniform"
    assert normal(-1e6, 1e-9) == ["normal", [-1e6, 1e-9]]
    assert randint(1) == ["randint", [1]]
    assert choice("only") == ["choice", [["only"]]]
