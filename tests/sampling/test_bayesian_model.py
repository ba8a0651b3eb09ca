"""The parts of the Bayesian optimiser: the unit-cube encoding, the Gaussian process and log expected improvement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import norm

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
from hdnotebook.sampling.acquisition import log_expected_improvement, log_h, maximise
from hdnotebook.sampling.encoding import NORMAL_TAIL, SpaceEncoding
from hdnotebook.sampling.gp import (
    GaussianProcess,
    Hyperparameters,
    _negative_log_posterior,
    fit_hyperparameters,
    robust_cholesky,
    squared_differences,
)

EVERY = {
    "choice_str": choice("adam", "sgd", "rms"),
    "choice_num": choice(64, 16, 32),
    "randint": randint(5),
    "uniform": uniform(-1, 3),
    "quniform": quniform(16, 512, 16),
    "loguniform": loguniform(-6, -1),
    "qloguniform": qloguniform(0, 5, 2),
    "normal": normal(10, 2),
    "qnormal": qnormal(10, 3, 1),
    "lognormal": lognormal(0, 1),
    "qlognormal": qlognormal(0, 1, 1),
}


def test_every_expression_round_trips_through_the_encoding() -> None:
    encoding = SpaceEncoding(EVERY)
    assert encoding.dimension == len(EVERY)
    assert encoding.categorical.tolist() == [True] + [False] * 10
    assert encoding.discrete.tolist() == [True, True, True, False, True, False, True, False, True, False, True]
    rng = np.random.default_rng(3)
    points = encoding.random(rng, 300)
    assert np.all(points[:, 1:] >= 0.0) and np.all(points[:, 1:] <= 1.0)
    assert set(points[:, 0]) == {0.0, 1.0, 2.0}
    assert np.allclose(encoding.snap(points), points)
    for point in points:
        configuration = encoding.decode(point)
        assert list(configuration) == list(EVERY)
        assert configuration["choice_str"] in ("adam", "sgd", "rms") and configuration["choice_num"] in (16, 32, 64)
        assert type(configuration["randint"]) is int and 0 <= configuration["randint"] < 5
        assert type(configuration["quniform"]) is int and configuration["quniform"] % 16 == 0
        assert math.exp(-6) <= configuration["loguniform"] <= math.exp(-1)
        assert type(configuration["qlognormal"]) is int and type(configuration["qnormal"]) is int
        assert np.allclose(encoding.encode(configuration), point)
        again = encoding.decode(encoding.encode(configuration))
        for key, discrete in zip(encoding.keys, encoding.discrete):
            assert again[key] == configuration[key] if discrete else again[key] == pytest.approx(configuration[key])


def test_scales_follow_the_priors() -> None:
    encoding = SpaceEncoding(EVERY)
    column = {key: c for key, c in zip(encoding.keys, encoding.columns)}
    assert column["loguniform"].encode([math.exp(-3.5)])[0] == pytest.approx(0.5)
    assert column["uniform"].encode([0.0])[0] == pytest.approx(0.25)
    assert column["normal"].encode([12.0])[0] == pytest.approx(norm.cdf(1.0))
    assert column["lognormal"].encode([math.e])[0] == pytest.approx(norm.cdf(1.0))
    assert column["choice_num"].encode([16, 32, 64]).tolist() == pytest.approx([1 / 6, 3 / 6, 5 / 6])
    assert column["choice_str"].encode(["sgd"]).tolist() == [1.0]
    assert column["normal"].decode(0.0) == pytest.approx(10 + 2 * norm.ppf(NORMAL_TAIL))


def test_foreign_values_are_not_encoded() -> None:
    encoding = SpaceEncoding({"a": choice("x", "y"), "b": uniform(0, 1), "c": choice(1, 2)})
    assert encoding.encode({"a": "x", "b": 0.5, "c": 2}).tolist() == [0.0, 0.5, 0.75]
    assert encoding.encode({"a": "x", "b": 0.5, "c": 2.0}).tolist() == [0.0, 0.5, 0.75]
    for foreign in ({"a": "z", "b": 0.5, "c": 1}, {"a": "x", "c": 1}, {"a": "x", "b": "0.5", "c": 1},
                    {"a": "x", "b": float("nan"), "c": 1}, {"a": "x", "b": 0.5, "c": 3}, {"a": ["x"], "b": 0.5, "c": 1}):
        assert encoding.encode(foreign) is None
    assert encoding.encode({"a": "x", "b": 7.0, "c": 1})[1] == 1.0, "out-of-range values are clipped to the box"


def test_neighbours_move_one_discrete_column() -> None:
    encoding = SpaceEncoding({"opt": choice("a", "b", "c"), "units": quniform(16, 512, 16), "lr": uniform(0, 1)})
    point = encoding.encode({"opt": "b", "units": 64, "lr": 0.3})
    moves = encoding.neighbours(point)
    decoded = [encoding.decode(m) for m in moves]
    assert {d["opt"] for d in decoded if d["units"] == 64} == {"a", "c"}
    assert sorted(d["units"] for d in decoded if d["opt"] == "b") == [32, 48, 80, 96]
    assert all(d["lr"] == pytest.approx(0.3) for d in decoded)


def test_squared_differences_treat_categories_as_equal_or_not() -> None:
    a = np.array([[0.0, 0.2], [1.0, 0.5]])
    b = np.array([[2.0, 0.1]])
    squared = squared_differences(a, b, np.array([True, False]))
    assert squared[:, 0, 0].tolist() == [1.0, 1.0]
    assert squared[:, 0, 1].tolist() == pytest.approx([0.01, 0.16])
    assert squared_differences(a[:1], a[:1], np.array([True, False])).sum() == 0.0


def test_marginal_likelihood_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((25, 3))
    x[:, 2] = rng.integers(0, 3, 25)
    y = np.sin(5 * x[:, 0]) + x[:, 1] + 0.3 * x[:, 2]
    y = (y - y.mean()) / y.std()
    squared = squared_differences(x, x, np.array([False, False, True])).reshape(-1, 3)
    for theta in (rng.normal(size=5) * 0.5, np.array([1.0, -2.0, 0.5, 0.2, -8.0])):
        _, gradient = _negative_log_posterior(theta, squared, y)
        numeric = approx_fprime(theta, lambda t: _negative_log_posterior(t, squared, y)[0], 1e-6)
        assert np.allclose(gradient, numeric, rtol=1e-4, atol=1e-4)


def test_posterior_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((20, 2))
    y = np.cos(4 * x[:, 0]) * x[:, 1]
    gp = GaussianProcess(x, (y - y.mean()) / y.std(), np.zeros(2, dtype=bool),
                         Hyperparameters(rho=np.array([4.0, 1.5]), scale=1.3, noise=1e-6))
    points = rng.random((5, 2))
    mean, variance, d_mean, d_variance = gp.predict_with_gradient(points)
    for j in range(2):
        moved = points.copy()
        moved[:, j] += 1e-6
        mean2, variance2 = gp.predict(moved)
        assert np.allclose((mean2 - mean) / 1e-6, d_mean[:, j], rtol=1e-3, atol=1e-5)
        assert np.allclose((variance2 - variance) / 1e-6, d_variance[:, j], rtol=1e-3, atol=1e-5)


def test_fit_interpolates_and_finds_the_irrelevant_dimension() -> None:
    rng = np.random.default_rng(2)
    x = rng.random((40, 2))
    raw = np.sin(6 * x[:, 0])
    y = (raw - raw.mean()) / raw.std()
    hyper = fit_hyperparameters(x, y, np.zeros(2, dtype=bool))
    assert hyper.lengthscales[1] > 5 * hyper.lengthscales[0]
    assert hyper.noise < 1e-3
    gp = GaussianProcess(x, y, np.zeros(2, dtype=bool), hyper)
    mean, variance = gp.predict(x)
    assert np.allclose(mean, y, atol=1e-2) and np.all(variance < 1e-3)
    between, _ = gp.predict(np.array([[0.5, 0.5]]))
    assert between[0] == pytest.approx((math.sin(3.0) - raw.mean()) / raw.std(), abs=0.05)


def test_degenerate_data_never_raises() -> None:
    x = np.repeat(np.array([[0.5, 0.5]]), 10, axis=0)
    y = np.linspace(-1, 1, 10)
    hyper = fit_hyperparameters(x, y, np.zeros(2, dtype=bool))
    assert hyper.noise > 0.1, "one point with ten different values is noise"
    GaussianProcess(x, y, np.zeros(2, dtype=bool), Hyperparameters(np.ones(2), 1.0, 0.0)).predict(x[:2])
    fit_hyperparameters(np.random.default_rng(0).random((8, 3)), np.zeros(8), np.zeros(3, dtype=bool))
    singular = np.ones((5, 5))
    factor = robust_cholesky(singular)
    assert np.all(np.isfinite(factor)) and np.allclose(factor @ factor.T, singular, atol=1e-6)
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert np.all(np.isfinite(robust_cholesky(indefinite)))


def test_log_h_is_accurate_and_finite_far_below_the_incumbent() -> None:
    z = np.linspace(-5, 5, 101)
    exact = np.log(norm.pdf(z) + z * norm.cdf(z))
    assert np.allclose(log_h(z), exact, rtol=1e-9)
    tail = log_h(np.array([-10.0, -40.0, -1e3, -1e5, -1e8]))
    assert np.all(np.isfinite(tail)) and np.all(np.diff(tail) < 0)
    assert tail[0] == pytest.approx(math.log(norm.pdf(10.0) - 10 * norm.cdf(-10.0)), rel=1e-6)
    assert tail[1] == pytest.approx(-0.5 * 1600 - 0.5 * math.log(2 * math.pi) - 2 * math.log(40.0), rel=1e-3)


def test_log_expected_improvement_derivatives() -> None:
    mean, variance, best = np.array([0.3, -2.0, -30.0]), np.array([0.5, 0.04, 0.2]), 0.1
    value, d_mean, d_variance = log_expected_improvement(mean, variance, best)
    assert value[0] == pytest.approx(math.log(math.sqrt(0.5) * (norm.pdf(0.2 / math.sqrt(0.5)) + 0.2 / math.sqrt(0.5) * norm.cdf(0.2 / math.sqrt(0.5)))))
    assert np.all(np.isfinite(value))
    shifted = log_expected_improvement(mean + 1e-7, variance, best)[0]
    assert np.allclose((shifted - value) / 1e-7, d_mean, rtol=1e-4)
    widened = log_expected_improvement(mean, variance + 1e-9, best)[0]
    assert np.allclose((widened - value) / 1e-9, d_variance, rtol=1e-3)


def test_maximise_finds_the_acquisition_maximum_of_a_one_dimensional_model() -> None:
    encoding = SpaceEncoding({"x": uniform(0, 1)})
    x = np.array([[0.0], [0.25], [0.5], [0.75], [1.0]])
    y = -((x[:, 0] - 0.6) ** 2) * 10
    y = (y - y.mean()) / y.std()
    gp = GaussianProcess(x, y, encoding.categorical, fit_hyperparameters(x, y, encoding.categorical))
    ranked = maximise(encoding, gp, float(y.max()), x[np.argsort(-y)], np.random.default_rng(0))
    grid = np.linspace(0, 1, 2001)[:, None]
    mean, variance = gp.predict(grid)
    best_on_grid = grid[np.argmax(log_expected_improvement(mean, variance, float(y.max()))[0]), 0]
    assert ranked[0, 0] == pytest.approx(best_on_grid, abs=2e-3)
    assert 0.5 < ranked[0, 0] < 0.75
    assert len(np.unique(ranked, axis=0)) == len(ranked)


def test_maximise_over_a_mixed_space_reaches_the_brute_force_maximum() -> None:
    """The continuous optimum moves with the discrete values: the continuous columns are re-optimised with the
    discrete ones held at the values they snap to, so the result matches a brute force over every discrete pair."""
    encoding = SpaceEncoding({"x": uniform(0, 1), "w": quniform(0, 10, 1), "k": choice("a", "b")})
    rng = np.random.default_rng(3)
    x = encoding.random(rng, 24)
    width = x[:, 1] * 10
    y = -((x[:, 0] - 0.1 - 0.07 * width) ** 2) * 20 - ((width - 6.4) / 4) ** 2 + 0.5 * (x[:, 2] == 1)
    y = (y - y.mean()) / y.std()
    gp = GaussianProcess(x, y, encoding.categorical, fit_hyperparameters(x, y, encoding.categorical))
    best = float(y.max())
    ranked = maximise(encoding, gp, best, x[np.argsort(-y)], np.random.default_rng(0))
    grid = np.linspace(0, 1, 4001)
    brute = max(
        float(np.max(log_expected_improvement(*gp.predict(np.column_stack([grid, np.full_like(grid, w / 10), np.full_like(grid, k)])), best)[0]))
        for w in range(11) for k in (0, 1)
    )
    found = float(log_expected_improvement(*gp.predict(ranked[:1]), best)[0][0])
    assert found >= brute - 1e-6
    assert encoding.decode(ranked[0])["w"] in range(11) and encoding.decode(ranked[0])["k"] in ("a", "b")
