"""Samplers and the parameter space: validation, JSON, purity, exhaustion and the distributions drawn."""

from __future__ import annotations

import itertools
import math
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats

import hdnotebook.sampling as sampling_module
from hdnotebook.exceptions import HyperDriveConfigException
from hdnotebook.goal import PrimaryMetricGoal
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
from hdnotebook.sampling import (
    BayesianParameterSampling,
    GridParameterSampling,
    HyperParameterSampling,
    RandomParameterSampling,
    SamplingHistory,
    TrialRecord,
)
from hdnotebook.sampling.space import (
    FiniteSpace,
    draw,
    is_finite,
    quantile,
    uniform_below,
    unused_index,
    validate_parameter_space,
)

N = 20_000
P_MIN = 1e-3
EMPTY = SamplingHistory()


def history_of(configurations: list[dict[str, Any]]) -> SamplingHistory:
    return SamplingHistory(trials=tuple(TrialRecord(params=dict(c), status="Completed") for c in configurations))


def draws(expression: list, n: int = N, seed: int = 20240501) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [draw(expression, rng) for _ in range(n)]


def bayesian_suggest(sampler: BayesianParameterSampling, history: SamplingHistory, count: int) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return sampler.suggest(history, count)


def test_all_exports_are_complete_and_sorted() -> None:
    assert sampling_module.__all__ == sorted(sampling_module.__all__)
    assert set(sampling_module.__all__) == {
        "BayesianParameterSampling",
        "GridParameterSampling",
        "HyperParameterSampling",
        "RandomParameterSampling",
        "SamplingHistory",
        "TrialRecord",
    }


# --- parameter space validation --------------------------------------------------------------------


def test_validate_parameter_space_returns_a_normalized_copy() -> None:
    space = {"--lr": ["uniform", [np.float64(0.1), 1]], "--batch": choice(16, 32)}
    validated = validate_parameter_space(space)
    assert validated == {"--lr": ["uniform", [0.1, 1]], "--batch": ["choice", [[16, 32]]]}
    assert type(validated["--lr"][1][0]) is float
    assert list(validated) == ["--lr", "--batch"]
    validated["--batch"][1][0].append(64)
    assert space["--batch"] == ["choice", [[16, 32]]]


@pytest.mark.parametrize(
    ("space", "fragments"),
    [
        (None, ["Expected type dict for parameter_space but got NoneType"]),
        ([("--lr", uniform(0, 1))], ["Expected type dict for parameter_space but got list"]),
        ({}, ["parameter_space expects at least one parameter expression"]),
        ({1: uniform(0, 1)}, ["parameter_space expects keys to be non-empty strings", "1"]),
        ({"": uniform(0, 1)}, ["parameter_space expects keys to be non-empty strings"]),
        ({"--lr": 0.1}, ["parameter_space['--lr'] expects a parameter expression", "got 0.1"]),
        ({"--lr": ("uniform", [0, 1])}, ["parameter_space['--lr'] expects a parameter expression"]),
        ({"--lr": ["uniform", 0, 1]}, ["parameter_space['--lr'] expects a parameter expression"]),
        ({"--lr": ["gauss", [0, 1]]}, ["parameter_space['--lr']", "unknown distribution 'gauss'"]),
        ({"--lr": [["uniform"], [0, 1]]}, ["parameter_space['--lr']", "unknown distribution ['uniform']"]),
        ({"--lr": ["uniform", [0]]}, ["parameter_space['--lr'] expects uniform arguments", "[min_value, max_value]"]),
        ({"--x": ["choice", [1, 2]]}, ["parameter_space['--x'] expects choice arguments", "[[option, ...]]"]),
        ({"--x": ["choice", [[]]]}, ["parameter_space['--x']: choice expects non-empty single list"]),
        ({"--lr": ["uniform", [1, 0]]}, ["parameter_space['--lr']: uniform expects min_value < max_value"]),
        ({"--s": ["normal", [0, 0]]}, ["parameter_space['--s']: normal expects sigma to be positive"]),
        ({"--q": ["quniform", [0, 1, 0]]}, ["parameter_space['--q']: quniform expects q to be a positive int"]),
    ],
)
def test_invalid_parameter_spaces(space: object, fragments: list[str]) -> None:
    with pytest.raises(HyperDriveConfigException) as caught:
        RandomParameterSampling(space)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(caught.value), (fragment, str(caught.value))


# --- draws: types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "value_type"),
    [
        (choice(1, 2), int),
        (choice("a", "b"), str),
        (choice(0.5, 1.5), float),
        (choice(True, False), bool),
        (randint(5), int),
        (uniform(0, 1), float),
        (quniform(0, 100, 8), int),
        (quniform(0, 100, 8.0), float),
        (loguniform(-3, 0), float),
        (qloguniform(0, 5, 4), int),
        (qloguniform(0, 5, 4.0), float),
        (normal(0, 1), float),
        (qnormal(0, 10, 2), int),
        (qnormal(0, 10, 2.0), float),
        (lognormal(0, 1), float),
        (qlognormal(2, 1, 3), int),
        (qlognormal(2, 1, 3.0), float),
    ],
)
def test_drawn_values_are_plain_python_types(expression: list, value_type: type) -> None:
    values = draws(expression, n=200)
    assert all(type(v) is value_type for v in values)
    assert all(type(quantile(expression, u)) is value_type for u in np.linspace(0, 0.999, 50))


def test_choice_draws_keep_each_option_type() -> None:
    values = draws(choice(1, "1", 1.0, None), n=400)
    assert {(type(v), v) for v in values} == {(int, 1), (str, "1"), (float, 1.0), (type(None), None)}


# --- draws: distributions --------------------------------------------------------------------------


def assert_frequencies(values: list[Any], probabilities: dict[Any, float]) -> None:
    """Chi-square of observed counts against expected probabilities; small bins are lumped together."""
    counts = Counter(values)
    assert set(counts) <= set(probabilities), set(counts) - set(probabilities)
    n = len(values)
    observed, expected = [], []
    rest_observed, rest_expected = 0, 0.0
    for value, probability in probabilities.items():
        if probability * n >= 5:
            observed.append(counts.get(value, 0))
            expected.append(probability * n)
        else:
            rest_observed += counts.get(value, 0)
            rest_expected += probability * n
    if rest_expected > 0:
        observed.append(rest_observed)
        expected.append(rest_expected)
    expected = [e * sum(observed) / sum(expected) for e in expected]
    assert stats.chisquare(observed, expected).pvalue > P_MIN


def rounded_probabilities(cdf: Callable[[float], float], q: float, low: int, high: int) -> dict[Any, float]:
    """P(round(X / q) * q == n * q) for n in [low, high], from the CDF of the base value X."""
    return {n * q: float(cdf((n + 0.5) * q) - cdf((n - 0.5) * q)) for n in range(low, high + 1)}


def assert_multiples(values: list[Any], q: float) -> None:
    assert all(v == round(v / q) * q for v in values)


def test_uniform_distribution() -> None:
    values = draws(uniform(-2, 3))
    assert min(values) >= -2 and max(values) <= 3
    assert stats.kstest(values, stats.uniform(loc=-2, scale=5).cdf).pvalue > P_MIN


def test_normal_distribution() -> None:
    assert stats.kstest(draws(normal(10, 3)), stats.norm(10, 3).cdf).pvalue > P_MIN


def test_loguniform_is_uniform_in_log_space() -> None:
    values = draws(loguniform(-6, -1))
    assert min(values) >= math.exp(-6) and max(values) <= math.exp(-1)
    assert stats.kstest(np.log(values), stats.uniform(loc=-6, scale=5).cdf).pvalue > P_MIN


def test_lognormal_is_normal_in_log_space() -> None:
    values = draws(lognormal(0.5, 1.5))
    assert min(values) > 0
    assert stats.kstest(np.log(values), stats.norm(0.5, 1.5).cdf).pvalue > P_MIN


def test_choice_frequencies_are_uniform() -> None:
    options = [16, 32, 64, "auto", 0.5]
    values = draws(choice(*options))
    assert_frequencies(values, {option: 1 / len(options) for option in options})


def test_randint_frequencies_are_uniform() -> None:
    values = draws(randint(7))
    assert set(values) == set(range(7))
    assert_frequencies(values, {v: 1 / 7 for v in range(7)})


def test_quniform_rounding_and_frequencies() -> None:
    values = draws(quniform(0, 10, 3))
    assert_multiples(values, 3)
    assert Counter(values).keys() == {0, 3, 6, 9}
    assert_frequencies(values, {0: 0.15, 3: 0.3, 6: 0.3, 9: 0.25})


def test_quniform_with_offset_bounds() -> None:
    values = draws(quniform(1.5, 20.5, 4))
    assert_multiples(values, 4)
    cdf = stats.uniform(loc=1.5, scale=19).cdf
    assert_frequencies(values, rounded_probabilities(cdf, 4, 0, 5))


def test_qloguniform_rounding_and_frequencies() -> None:
    values = draws(qloguniform(0, 4, 5))
    assert_multiples(values, 5)

    def cdf(x: float) -> float:
        return float(stats.uniform(loc=0, scale=4).cdf(math.log(x))) if x > 0 else 0.0

    assert_frequencies(values, rounded_probabilities(cdf, 5, 0, 11))


def test_qnormal_rounding_and_frequencies() -> None:
    values = draws(qnormal(10, 7, 2))
    assert_multiples(values, 2)
    assert_frequencies(values, rounded_probabilities(stats.norm(10, 7).cdf, 2, -30, 50))


def test_qlognormal_rounding_and_frequencies() -> None:
    values = draws(qlognormal(2, 0.6, 3))
    assert_multiples(values, 3)
    assert_frequencies(values, rounded_probabilities(stats.lognorm(s=0.6, scale=math.exp(2)).cdf, 3, 0, 400))


def test_float_q_gives_float_multiples() -> None:
    values = draws(qnormal(0, 5, 2.0), n=2000)
    assert all(type(v) is float for v in values)
    assert_multiples(values, 2.0)


def test_quantile_of_uniform_u_follows_the_distribution() -> None:
    u = np.random.default_rng(7).random(N)
    assert stats.kstest([quantile(normal(1, 2), x) for x in u], stats.norm(1, 2).cdf).pvalue > P_MIN
    values = [quantile(loguniform(-4, 2), x) for x in u]
    assert stats.kstest(np.log(values), stats.uniform(loc=-4, scale=6).cdf).pvalue > P_MIN
    assert_frequencies([quantile(choice("a", "b", "c"), x) for x in u], {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert quantile(uniform(2, 4), 0.0) == 2.0
    assert quantile(randint(3), 0.999999) == 2
    assert math.isfinite(quantile(normal(0, 1), 0.0))


# --- finite spaces ---------------------------------------------------------------------------------


def test_finite_space_follows_itertools_product_order() -> None:
    space = validate_parameter_space({"a": choice(1, 2), "b": randint(3), "c": choice("x", "y")})
    assert is_finite(space)
    finite = FiniteSpace(space)
    assert finite.size == 12
    expected = [dict(zip("abc", combo)) for combo in itertools.product([1, 2], range(3), ["x", "y"])]
    assert [finite.configuration(i) for i in range(12)] == expected
    assert [finite.index(c) for c in expected] == list(range(12))
    assert finite.index({"a": 3, "b": 0, "c": "x"}) is None
    assert finite.index({"a": 1, "b": True, "c": "x"}) is None
    assert finite.index({"a": 1, "c": "x"}) is None
    with pytest.raises(IndexError):
        finite.configuration(12)


def test_finite_space_distinct_merges_repeated_options_by_type_and_value() -> None:
    space = validate_parameter_space({"a": choice(1, 1, 1.0, True, "1")})
    assert FiniteSpace(space).size == 5
    distinct = FiniteSpace(space, distinct=True)
    assert distinct.size == 4
    assert [distinct.configuration(i)["a"] for i in range(4)] == [1, 1.0, True, "1"]
    assert [type(distinct.configuration(i)["a"]) for i in range(4)] == [int, float, bool, str]
    assert [distinct.index({"a": v}) for v in (1, 1.0, True, "1")] == [0, 1, 2, 3]


def test_spaces_with_continuous_expressions_are_not_finite() -> None:
    space = validate_parameter_space({"a": choice(1, 2), "b": quniform(0, 4, 1)})
    assert not is_finite(space)
    with pytest.raises(ValueError):
        FiniteSpace(space)


def test_unused_index_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        used = sorted(set(rng.integers(0, 40, size=int(rng.integers(0, 30))).tolist()))
        unused = [i for i in range(40) if i not in used]
        for rank in range(len(unused)):
            assert unused_index(rank, used) == unused[rank]


def test_uniform_below_handles_huge_bounds_uniformly() -> None:
    n = 3 * 2**70 + 1
    rng = np.random.default_rng(11)
    values = [uniform_below(rng, n) for _ in range(6000)]
    assert all(0 <= v < n for v in values)
    assert_frequencies([v * 6 // n for v in values], {b: 1 / 6 for b in range(6)})
    assert uniform_below(rng, 1) == 0


# --- HyperParameterSampling ------------------------------------------------------------------------


def test_to_json_forms() -> None:
    space = {"--lr": uniform(0.001, 0.1), "--batch": choice(16, 32)}
    assert RandomParameterSampling(space).to_json() == {"name": "RANDOM", "parameter_space": space}
    assert GridParameterSampling({"--batch": choice(16, 32)}).to_json() == {
        "name": "GRID",
        "parameter_space": {"--batch": ["choice", [[16, 32]]]},
    }
    assert BayesianParameterSampling(space).to_json() == {"name": "BayesianOptimization", "parameter_space": space}
    with_properties = RandomParameterSampling(space, properties={"rule": "random"}).to_json()
    assert with_properties == {"name": "RANDOM", "parameter_space": space, "properties": {"rule": "random"}}
    assert "properties" not in RandomParameterSampling(space, properties={}).to_json()


def test_to_json_is_a_copy() -> None:
    sampler = RandomParameterSampling({"--batch": choice(16, 32)})
    sampler.to_json()["parameter_space"]["--batch"][1][0].append(64)
    assert sampler.to_json()["parameter_space"] == {"--batch": ["choice", [[16, 32]]]}


def test_base_attributes_and_read_only_space() -> None:
    space = {"--lr": uniform(0, 1)}
    sampler = HyperParameterSampling("CUSTOM", space, {"a": 1})
    assert sampler._sampling_method_name == "CUSTOM"
    assert sampler._parameter_space == space
    assert sampler._properties == {"a": 1}
    assert sampler.parameter_space == space
    sampler.parameter_space["--lr"][1][0] = 0.5
    assert sampler.parameter_space == space
    with pytest.raises(AttributeError):
        sampler.parameter_space = {}  # type: ignore[misc]
    with pytest.raises(NotImplementedError):
        sampler.suggest(EMPTY, 1)
    assert sampler.max_configurations is None


def test_space_is_copied_at_construction() -> None:
    space = {"--batch": choice(16, 32)}
    sampler = RandomParameterSampling(space)
    space["--batch"][1][0].append(64)
    space["--other"] = uniform(0, 1)
    assert sampler.parameter_space == {"--batch": ["choice", [[16, 32]]]}


def test_supported_distributions_and_validators_of_the_base() -> None:
    expected = r"expects only the following distributions: \[choice, uniform\] \(parameter 'a' uses normal\)"
    with pytest.raises(HyperDriveConfigException, match=expected):
        HyperParameterSampling("X", {"a": normal(0, 1)}, supported_distributions={"uniform", "choice"})

    def refuse(expression: list) -> tuple[bool, str | None]:
        return False, "no uniform today."

    with pytest.raises(HyperDriveConfigException) as caught:
        HyperParameterSampling("X", {"a": uniform(0, 1)}, distributions_validators={"uniform": refuse})
    assert str(caught.value) == "Failed to validate a parameter distribution due to no uniform today. (parameter 'a')"
    assert caught.value.error_code == "DistributionValidationFailure"


def test_equality_compares_dict() -> None:
    space = {"--lr": uniform(0, 1), "--batch": choice(16, 32)}
    assert RandomParameterSampling(space) == RandomParameterSampling(dict(space))
    assert RandomParameterSampling(space, seed=1) == RandomParameterSampling(space, seed=1)
    assert RandomParameterSampling(space, seed=1) != RandomParameterSampling(space, seed=2)
    assert RandomParameterSampling(space) != RandomParameterSampling(space, seed=1)
    assert RandomParameterSampling(space) != RandomParameterSampling(space, properties={"a": 1})
    assert RandomParameterSampling(space) != RandomParameterSampling({"--lr": uniform(0, 2)})
    assert RandomParameterSampling(space) != BayesianParameterSampling(space)
    assert GridParameterSampling({"a": choice(1)}) != RandomParameterSampling({"a": choice(1)})
    assert RandomParameterSampling(space) != "RANDOM"
    used = BayesianParameterSampling(space, seed=4)
    bayesian_suggest(used, EMPTY, 1)
    assert used == BayesianParameterSampling(space, seed=4)


@pytest.mark.parametrize(
    ("seed", "fragment"),
    [
        (True, "Expected type int for seed but got bool"),
        (1.0, "Expected type int for seed but got float"),
        ("1", "Expected type int for seed but got str"),
        (-1, "seed expects a non-negative int (got -1)"),
    ],
)
def test_seed_validation(seed: object, fragment: str) -> None:
    for sampler in (RandomParameterSampling, GridParameterSampling, BayesianParameterSampling):
        with pytest.raises(HyperDriveConfigException) as caught:
            sampler({"a": choice(1, 2)}, seed=seed)  # type: ignore[arg-type]
        assert fragment in str(caught.value)


def test_seed_and_effective_seed() -> None:
    space = {"a": uniform(0, 1)}
    seeded = RandomParameterSampling(space, seed=2**80)
    assert seeded.seed == seeded.effective_seed == 2**80
    unseeded = RandomParameterSampling(space)
    assert unseeded.seed is None
    assert isinstance(unseeded.effective_seed, int) and unseeded.effective_seed >= 0
    replay = RandomParameterSampling(space, seed=unseeded.effective_seed)
    assert replay.suggest(EMPTY, 5) == unseeded.suggest(EMPTY, 5)


def test_properties_must_be_a_dict() -> None:
    with pytest.raises(HyperDriveConfigException, match="Expected type dict for properties but got list"):
        RandomParameterSampling({"a": uniform(0, 1)}, properties=[1])  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [-1, 1.5, True, None])
def test_suggest_rejects_a_bad_count(count: object) -> None:
    with pytest.raises(ValueError, match="count to be an int >= 0"):
        RandomParameterSampling({"a": uniform(0, 1)}, seed=1).suggest(EMPTY, count)  # type: ignore[arg-type]


# --- RandomParameterSampling -----------------------------------------------------------------------

MIXED = {
    "--lr": loguniform(-6, -1),
    "--momentum": uniform(0.5, 0.99),
    "--batch": choice(16, 32, 64),
    "--layers": quniform(1, 8, 1),
    "--dropout": normal(0.2, 0.05),
}


def test_random_name_and_any_expression_allowed() -> None:
    space = {
        "a": choice(1),
        "b": randint(3),
        "c": uniform(0, 1),
        "d": quniform(0, 1, 1),
        "e": loguniform(0, 1),
        "f": qloguniform(0, 1, 1),
        "g": normal(0, 1),
        "h": qnormal(0, 1, 1),
        "i": lognormal(0, 1),
        "j": qlognormal(0, 1, 1),
    }
    sampler = RandomParameterSampling(space, seed=0)
    assert sampler.to_json()["name"] == "RANDOM"
    [configuration] = sampler.suggest(EMPTY, 1)
    assert list(configuration) == list(space)


def test_random_same_seed_same_configurations_different_seeds_differ() -> None:
    first = RandomParameterSampling(MIXED, seed=42).suggest(EMPTY, 20)
    assert first == RandomParameterSampling(MIXED, seed=42).suggest(EMPTY, 20)
    assert first != RandomParameterSampling(MIXED, seed=43).suggest(EMPTY, 20)
    assert all(list(c) == list(MIXED) for c in first)


def test_random_is_pure_in_the_history() -> None:
    for space in (MIXED, {"a": choice(1, 2, 3), "b": randint(4)}):
        sampler = RandomParameterSampling(space, seed=7)
        run = sampler.suggest(EMPTY, 10)
        for k in range(10):
            assert sampler.suggest(history_of(run[:k]), 1) == [run[k]]
            assert sampler.suggest(history_of(run[:k]), 10 - k) == run[k:]
        assert sampler.suggest(EMPTY, 10) == run


def test_random_values_respect_their_expressions() -> None:
    for c in RandomParameterSampling(MIXED, seed=1).suggest(EMPTY, 200):
        assert math.exp(-6) <= c["--lr"] <= math.exp(-1)
        assert 0.5 <= c["--momentum"] <= 0.99
        assert c["--batch"] in (16, 32, 64)
        assert type(c["--layers"]) is int and 1 <= c["--layers"] <= 8


def test_random_marginals_and_independence_across_configurations() -> None:
    space = {"u": uniform(2, 5), "n": normal(1, 2), "c": choice("a", "b", "c", "d")}
    run = RandomParameterSampling(space, seed=2024).suggest(EMPTY, 5000)
    u = [c["u"] for c in run]
    n = [c["n"] for c in run]
    assert stats.kstest(u, stats.uniform(loc=2, scale=3).cdf).pvalue > P_MIN
    assert stats.kstest(n, stats.norm(1, 2).cdf).pvalue > P_MIN
    assert_frequencies([c["c"] for c in run], {v: 0.25 for v in "abcd"})
    assert stats.spearmanr(u, n).pvalue > P_MIN
    assert stats.spearmanr(u[:-1], u[1:]).pvalue > P_MIN


def test_random_without_replacement_exhausts_a_finite_space() -> None:
    sampler = RandomParameterSampling({"a": choice(1, 2), "b": choice("x", "y", "z")}, seed=5)
    assert sampler.max_configurations == 6
    run = sampler.suggest(EMPTY, 10)
    assert len(run) == 6
    assert sorted((c["a"], c["b"]) for c in run) == sorted(itertools.product([1, 2], "xyz"))
    assert sampler.suggest(history_of(run), 3) == []
    assert sampler.suggest(history_of(run[:4]), 3) == run[4:]


def test_random_finite_space_counts_repeated_options_once() -> None:
    sampler = RandomParameterSampling({"a": choice(1, 1, 2), "b": randint(2)}, seed=0)
    assert sampler.max_configurations == 4
    run = sampler.suggest(EMPTY, 10)
    assert len(run) == 4 and len({(c["a"], c["b"]) for c in run}) == 4


def test_random_finite_space_ignores_foreign_history_entries() -> None:
    sampler = RandomParameterSampling({"a": choice(1, 2, 3)}, seed=9)
    foreign = history_of([{"a": 4}, {"b": 1}, {"a": [1]}])
    suggestions = sampler.suggest(foreign, 5)
    assert sorted(c["a"] for c in suggestions) == [1, 2, 3]


def test_random_finite_space_never_repeats_a_value_from_the_history() -> None:
    sampler = RandomParameterSampling({"a": randint(10)}, seed=3)
    history = history_of([{"a": v} for v in (0, 2, 4, 6, 8)])
    assert sorted(c["a"] for c in sampler.suggest(history, 10)) == [1, 3, 5, 7, 9]


def test_random_without_replacement_first_draw_is_uniform() -> None:
    space = {"a": choice(1, 2), "b": choice("x", "y", "z")}
    firsts = [tuple(RandomParameterSampling(space, seed=s).suggest(EMPTY, 1)[0].values()) for s in range(6000)]
    assert_frequencies(firsts, {combo: 1 / 6 for combo in itertools.product([1, 2], "xyz")})


def test_random_without_replacement_orders_are_uniform_permutations() -> None:
    space = {"a": choice("p", "q", "r")}
    orders = [
        tuple(c["a"] for c in RandomParameterSampling(space, seed=s).suggest(EMPTY, 3)) for s in range(6000)
    ]
    assert_frequencies(orders, {perm: 1 / 6 for perm in itertools.permutations("pqr")})


def test_random_without_replacement_works_on_huge_spaces() -> None:
    space = {f"--p{i}": choice(*range(10)) for i in range(40)}
    sampler = RandomParameterSampling(space, seed=1)
    assert sampler.max_configurations == 10**40
    run = sampler.suggest(EMPTY, 50)
    assert len({tuple(c.values()) for c in run}) == 50
    assert sampler.suggest(history_of(run[:20]), 30) == run[20:]
    digits = [v for c in run for v in c.values()]
    assert_frequencies(digits, {d: 0.1 for d in range(10)})


def test_random_infinite_space_avoids_duplicates_when_it_can() -> None:
    sampler = RandomParameterSampling({"a": quniform(0, 2, 1), "b": uniform(0, 1)}, seed=0)
    assert sampler.max_configurations is None
    narrow = RandomParameterSampling({"a": quniform(0, 2, 1)}, seed=0)
    run = narrow.suggest(EMPTY, 3)
    assert sorted(c["a"] for c in run) == [0, 1, 2]
    assert len(narrow.suggest(EMPTY, 10)) == 10
    assert len(sampler.suggest(EMPTY, 5)) == 5


def test_random_suggest_zero() -> None:
    assert RandomParameterSampling(MIXED, seed=0).suggest(EMPTY, 0) == []


def test_random_uses_only_the_history_not_its_goal_or_metrics() -> None:
    sampler = RandomParameterSampling(MIXED, seed=8)
    run = sampler.suggest(EMPTY, 3)
    other = SamplingHistory(
        trials=tuple(TrialRecord(params=c, status="Failed", metric=1.0) for c in run[:2]),
        goal=PrimaryMetricGoal.MINIMIZE,
    )
    assert sampler.suggest(other, 1) == [run[2]]


# --- GridParameterSampling -------------------------------------------------------------------------


def test_grid_order_and_exhaustion() -> None:
    space = {"--lr": choice(0.1, 0.01), "--batch": choice(16, 32, 64), "--opt": choice("adam", "sgd")}
    sampler = GridParameterSampling(space)
    assert sampler.max_configurations == 12
    run = sampler.suggest(EMPTY, 100)
    expected = [
        dict(zip(space, combo)) for combo in itertools.product([0.1, 0.01], [16, 32, 64], ["adam", "sgd"])
    ]
    assert run == expected
    assert all(list(c) == list(space) for c in run)
    assert sampler.suggest(history_of(run), 5) == []
    assert sampler.suggest(history_of(run[:5]), 3) == expected[5:8]
    assert sampler.suggest(history_of(run[:10]), 5) == expected[10:]


def test_grid_keeps_repeated_options() -> None:
    run = GridParameterSampling({"a": choice(1, 1, 2)}).suggest(EMPTY, 5)
    assert [c["a"] for c in run] == [1, 1, 2]


@pytest.mark.parametrize("expression", [uniform(0, 1), randint(3), quniform(0, 4, 1), normal(0, 1)])
def test_grid_accepts_only_choice(expression: list) -> None:
    with pytest.raises(HyperDriveConfigException) as caught:
        GridParameterSampling({"--a": choice(1, 2), "--b": expression})
    message = str(caught.value)
    assert message.startswith("This sampling method expects only the following distributions: [choice]")
    assert "'--b'" in message and expression[0] in message


def test_grid_seed_has_no_effect() -> None:
    space = {"a": choice(1, 2, 3), "b": choice("x", "y")}
    assert GridParameterSampling(space, seed=1).suggest(EMPTY, 6) == GridParameterSampling(space).suggest(EMPTY, 6)
    assert GridParameterSampling(space, properties={"p": 1}).to_json()["properties"] == {"p": 1}


# --- BayesianParameterSampling ---------------------------------------------------------------------

BAYES_SPACE = {"--lr": uniform(0.001, 0.1), "--units": quniform(16, 512, 16), "--opt": choice("adam", "sgd", "rms")}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (None, "BayesianParameterSampling expects parameter_space to not be None or empty."),
        ({}, "BayesianParameterSampling expects parameter_space to not be None or empty."),
        (
            {"a": choice(True, False)},
            "Failed to validate a parameter distribution due to 'choice' values should be 'int', 'string' or 'float'.",
        ),
        ({"a": choice(1, None)}, "Failed to validate a parameter distribution due to 'choice' values should be"),
        (
            {"a": choice("x", 1)},
            "Failed to validate a parameter distribution due to "
            "Either all or none of the 'choice' values should be 'str' type.",
        ),
        (
            {"a": quniform(0, 10, 2.0)},
            "Failed to validate a parameter distribution due to Expected quniform arguments to be int.",
        ),
        ({"a": quniform(0.5, 10, 1)}, "Expected quniform arguments to be int."),
        (
            {"a": quniform(0, 100001, 1)},
            "Failed to validate a parameter distribution due to Too many discrete points for quniform distribution. "
            "Use larger q or uniform instead.",
        ),
    ],
)
def test_bayesian_validation(space: object, message: str) -> None:
    with pytest.raises(HyperDriveConfigException) as caught:
        BayesianParameterSampling(space)  # type: ignore[arg-type]
    assert message in str(caught.value)
    if space:
        assert "parameter 'a'" in str(caught.value)


def test_bayesian_accepts_every_expression_beyond_hyperdrive() -> None:
    BayesianParameterSampling({"a": quniform(0, 100000, 1), "b": choice(1, 2.5), "c": choice("x", "y")})
    BayesianParameterSampling({"a": uniform(0, 1)}, properties={"p": 1}, seed=3)
    every = BayesianParameterSampling(
        {
            "randint": randint(4),
            "loguniform": loguniform(-6, -1),
            "qloguniform": qloguniform(0, 5, 2),
            "normal": normal(0, 1),
            "qnormal": qnormal(10, 3, 1),
            "lognormal": lognormal(0, 1),
            "qlognormal": qlognormal(0, 1, 1),
        },
        seed=1,
    )
    assert len(bayesian_suggest(every, EMPTY, 3)) == 3


def test_bayesian_rejects_more_parameters_than_a_gp_can_model() -> None:
    with pytest.raises(HyperDriveConfigException) as caught:
        BayesianParameterSampling({f"x{i}": uniform(0, 1) for i in range(65)})
    assert "BayesianParameterSampling expects at most 64 hyperparameters" in str(caught.value)
    assert "(got 65)" in str(caught.value) and "RandomParameterSampling" in str(caught.value)
    BayesianParameterSampling({f"x{i}": uniform(0, 1) for i in range(64)})


def test_bayesian_suggest_does_not_warn() -> None:
    sampler = BayesianParameterSampling(BAYES_SPACE, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sampler.suggest(EMPTY, 0) == []
        sampler.suggest(history_of(sampler.suggest(EMPTY, 1)), 1)


def test_bayesian_values_within_bounds_and_types() -> None:
    run = bayesian_suggest(BayesianParameterSampling(BAYES_SPACE, seed=5), EMPTY, 256)
    assert len(run) == 256
    for c in run:
        assert list(c) == list(BAYES_SPACE)
        assert type(c["--lr"]) is float and 0.001 <= c["--lr"] <= 0.1
        assert type(c["--units"]) is int and 16 <= c["--units"] <= 512 and c["--units"] % 16 == 0
        assert c["--opt"] in ("adam", "sgd", "rms")
    assert stats.kstest([c["--lr"] for c in run], stats.uniform(loc=0.001, scale=0.099).cdf).pvalue > P_MIN
    assert_frequencies([c["--opt"] for c in run], {v: 1 / 3 for v in ("adam", "sgd", "rms")})


def test_bayesian_is_pure_and_seeded() -> None:
    sampler = BayesianParameterSampling(BAYES_SPACE, seed=11)
    run = bayesian_suggest(sampler, EMPTY, 12)
    for k in range(12):
        assert bayesian_suggest(sampler, history_of(run[:k]), 1) == [run[k]]
    assert bayesian_suggest(BayesianParameterSampling(BAYES_SPACE, seed=11), EMPTY, 12) == run
    assert bayesian_suggest(BayesianParameterSampling(BAYES_SPACE, seed=12), EMPTY, 12) != run
    assert sampler.max_configurations is None
