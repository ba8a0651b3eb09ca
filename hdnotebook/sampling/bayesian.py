"""BayesianParameterSampling: Gaussian-process Bayesian optimisation over any parameter space."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import invalid_setting
from hdnotebook.sampling.base import HyperParameterSampling, validate_count
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.observations import (
    MAX_FIT_POINTS,
    Observations,
    read_history,
    subsample,
    training_data,
)
from hdnotebook.sampling.space import (
    FiniteSpace,
    configuration_key,
    draw,
    is_finite,
    uniform_below,
    unused_index,
)
from hdnotebook.sampling.threads import single_threaded_blas

if TYPE_CHECKING:
    import numpy as np

    from hdnotebook.sampling.encoding import SpaceEncoding
    from hdnotebook.sampling.gp import GaussianProcess
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

QUNIFORM_MAX_POINTS = 100000
MAX_PARAMETERS = 64
"""A Gaussian process over more hyperparameters than this cannot be fitted from a sweep's few runs."""
FINITE_ENUMERATION = 4096
"""A finite space of at most this many configurations is searched exhaustively."""
DUPLICATE_ATTEMPTS = 10
NEAR_PENDING = 0.1
"""A suggestion keeps this distance from pending points, in length scales (each clipped to [0.1, 1] box widths)."""


def initial_design_size(dimension: int) -> int:
    """How many observations the quasi-random start collects before the GP takes over: d + 1, within [5, 10]."""
    return min(max(dimension + 1, 5), 10)


def choice_validator(expression: list[Any]) -> tuple[bool, str | None]:
    """HyperDrive's Bayesian choice rule: values exactly int, str or float (not bool), all or none str, at least one."""
    values = expression[1][0]
    if not values:
        return False, "At least one 'choice' value is required."
    if any(type(value) not in (int, str, float) for value in values):
        return False, "'choice' values should be 'int', 'string' or 'float'."
    strings = sum(type(value) is str for value in values)
    if strings not in (0, len(values)):
        return False, "Either all or none of the 'choice' values should be 'str' type."
    return True, None


def quniform_validator(expression: list[Any]) -> tuple[bool, str | None]:
    """HyperDrive's Bayesian quniform rule: all arguments exact ints and (high - low) / q <= 100000."""
    arguments = expression[1]
    if any(type(argument) is not int for argument in arguments):
        return False, "Expected quniform arguments to be int."
    low, high, q = arguments
    if (high - low) / q > QUNIFORM_MAX_POINTS:
        return False, "Too many discrete points for quniform distribution. Use larger q or uniform instead."
    return True, None


class _Model:
    """The GP fitted to the observations of one history, shared by the suggestions of one call."""

    def __init__(self, observations: Observations, encoding: SpaceEncoding, rng: np.random.Generator) -> None:
        points, values, measured = training_data(observations, rng)
        fit = subsample(values, MAX_FIT_POINTS, rng)
        from hdnotebook.sampling.gp import GaussianProcess, fit_hyperparameters  # scipy: imported on use (start-up)

        hyper = fit_hyperparameters(points[fit], values[fit], encoding.categorical)
        self.gp = GaussianProcess(points, values, encoding.categorical, hyper)
        self.best = float(np.max(values[:measured]))
        self.anchors = points[np.argsort(-values[:measured], kind="stable")]
        self.categorical = encoding.categorical

    def posterior(self, pending: np.ndarray) -> tuple[GaussianProcess, float]:
        """The GP also conditioned on the pending points and the incumbent, believing each pending point gives
        the GP's mean there (a kriging believer): the mean is unchanged, the variance there vanishes."""
        if not len(pending):
            return self.gp, self.best
        believed = self.gp.predict(pending)[0]
        return self.gp.condition(pending, believed), max(self.best, float(np.max(believed)))

    def near_pending(self, points: np.ndarray, pending: np.ndarray) -> np.ndarray:
        """Which points lie within NEAR_PENDING length scales of a pending point."""
        if not len(pending):
            return np.zeros(len(points), dtype=bool)
        unit = np.clip(self.gp.hyper.lengthscales, 0.1, 1.0)
        diff = np.abs(points[:, None, :] - pending[None, :, :])
        diff[..., self.categorical] = diff[..., self.categorical] > 0
        return np.min(np.sum((diff / unit) ** 2, axis=2), axis=1) < NEAR_PENDING**2


class BayesianParameterSampling(HyperParameterSampling):
    """Bayesian optimisation (HyperDrive name ``"BayesianOptimization"``) over any parameter expressions.

    Beyond HyperDrive (choice, uniform, quniform) every expression is accepted: loguniform and
    lognormal are modelled in log space, normal and lognormal through their prior's CDF, q-variants
    on the values they round to (see :mod:`hdnotebook.sampling.encoding`). HyperDrive's checks that
    still apply are kept: the space must not be None or empty; choice values exactly int, str or
    float, all or none str; quniform arguments exact ints with at most 100000 steps; and at most
    ``MAX_PARAMETERS`` hyperparameters.

    Configuration number k: while fewer than :func:`initial_design_size` runs have given an
    observation, point k of a scrambled Sobol sequence seeded with ``effective_seed``. Then the point
    that maximises log expected improvement under a Gaussian process (Matern 5/2, one length scale
    per parameter, maximum a posteriori hyperparameters, standardised values; see
    :mod:`hdnotebook.sampling.gp`) fitted to the history, searched with random candidates and
    multi-start L-BFGS-B seeded with ``numpy.random.default_rng([effective_seed, k])``; in a mixed space a
    local search over the discrete columns (choice, randint, q-variants) alternates with L-BFGS-B over the
    continuous ones (see :mod:`hdnotebook.sampling.acquisition`), so suggestions stay valid members.

    The history (:mod:`hdnotebook.sampling.observations`): completed runs count with their best
    metric; runs canceled by an early-termination policy (or by the user) count with the best value
    they logged before they were stopped, which is allowed here although HyperDrive forbids policies
    with Bayesian sampling; failed runs count as bad, with the worst value observed; finished runs
    without a metric are ignored. Runs still Queued or Running are believed to give the model's mean
    there (a kriging believer): the model stops expecting to learn anything next to them, and a
    suggestion also keeps ``NEAR_PENDING`` length scales away from each, so a batch of concurrent
    suggestions never holds near-duplicates. Suggestion i of one call treats suggestions 0..i-1 as
    pending, so ``suggest(h, 4)`` equals four calls of ``suggest(., 1)`` that each add the previous
    one as Queued.

    No configuration of the history (or of the same call) is proposed again when another is found;
    on a finite space (only choice and randint) that is a guarantee, and ``suggest`` returns fewer
    than asked once every configuration has been proposed, like random sampling. The hyperparameters
    are fitted to at most 150 observations and the model conditioned on at most 300 (the best third,
    then a random sample of the others), so a suggestion stays well under a second however long the
    sweep. Pure: the answer depends only on the seed and the history.
    """

    SAMPLING_NAME = "BayesianOptimization"

    def __init__(
        self,
        parameter_space: dict[str, list[Any]],
        properties: dict[str, Any] | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        if parameter_space is None or (isinstance(parameter_space, dict) and not parameter_space):
            raise invalid_setting("BayesianParameterSampling", "parameter_space to not be None or empty.")
        super().__init__(
            BayesianParameterSampling.SAMPLING_NAME,
            parameter_space,
            properties,
            distributions_validators={"choice": choice_validator, "quniform": quniform_validator},
            seed=seed,
        )
        if len(self._parameter_space) > MAX_PARAMETERS:
            raise invalid_setting(
                "BayesianParameterSampling",
                f"at most {MAX_PARAMETERS} hyperparameters in parameter_space, as a Gaussian process cannot be "
                f"fitted over more from a sweep's runs (got {len(self._parameter_space)}); "
                "use RandomParameterSampling for such a space",
            )

    @property
    def max_configurations(self) -> int | None:
        """The number of distinct configurations of a finite space, None for an infinite one."""
        if not is_finite(self._parameter_space):
            return None
        return FiniteSpace(self._parameter_space, distinct=True).size

    def suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        """Up to ``count`` new configurations; configuration ``history.generated + i`` at position i."""
        validate_count(count)
        with single_threaded_blas():
            return self._suggest(history, count)

    def _suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        from hdnotebook.sampling.encoding import SpaceEncoding  # scipy: imported on use (start-up)

        encoding = SpaceEncoding(self._parameter_space)
        observations = read_history(history, encoding)
        finite = FiniteSpace(self._parameter_space, distinct=True) if is_finite(self._parameter_space) else None
        used = sorted({i for t in history.trials if (i := finite.index(t.params)) is not None}) if finite else []
        model: _Model | None = None
        suggestions: list[dict[str, Any]] = []
        for i in range(count):
            if finite is not None and len(used) >= finite.size:
                break
            number = history.generated + i
            rng = np.random.default_rng([self._effective_seed, number])
            if observations.count < initial_design_size(encoding.dimension):
                configuration = self._initial(encoding, number, observations, finite, used, rng)
            else:
                if model is None:
                    model = _Model(observations, encoding, np.random.default_rng([self._effective_seed, observations.count, 1]))
                configuration = self._optimise(encoding, model, observations, finite, used, rng)
            suggestions.append(configuration)
            point = encoding.encode(configuration)
            if point is not None:
                observations.add_pending(point, configuration_key(encoding.keys, configuration))
            if finite is not None:
                index = finite.index(configuration)
                used.insert(int(np.searchsorted(used, index)), index)
        return suggestions

    def _initial(
        self, encoding: SpaceEncoding, number: int, observations: Observations,
        finite: FiniteSpace | None, used: list[int], rng: np.random.Generator,
    ) -> dict[str, Any]:
        configuration = encoding.decode(encoding.from_unit(self._sobol_point(encoding.dimension, number))[0])
        if configuration_key(encoding.keys, configuration) in observations.seen:
            return self._unseen_random(observations, finite, used, rng, configuration)
        return configuration

    def _optimise(
        self, encoding: SpaceEncoding, model: _Model, observations: Observations,
        finite: FiniteSpace | None, used: list[int], rng: np.random.Generator,
    ) -> dict[str, Any]:
        from hdnotebook.sampling.acquisition import maximise, score  # scipy: imported on use (start-up)

        gp, best = model.posterior(observations.pending)
        if finite is not None and finite.size <= FINITE_ENUMERATION:
            free = np.setdiff1d(np.arange(finite.size), used)
            values = score(gp, _finite_points(self._parameter_space, encoding, finite.size)[free], best)
            return finite.configuration(int(free[int(np.argmax(values))]))
        ranked = maximise(encoding, gp, best, model.anchors, rng)
        near = model.near_pending(ranked, observations.pending)
        for point in np.vstack([ranked[~near], ranked[near]]):
            configuration = encoding.decode(point)
            if configuration_key(encoding.keys, configuration) not in observations.seen:
                return configuration
        return self._unseen_random(observations, finite, used, rng, encoding.decode(model.anchors[0]))

    def _unseen_random(
        self, observations: Observations, finite: FiniteSpace | None, used: list[int],
        rng: np.random.Generator, fallback: dict[str, Any],
    ) -> dict[str, Any]:
        if finite is not None:
            return finite.configuration(unused_index(uniform_below(rng, finite.size - len(used)), used))
        keys = list(self._parameter_space)
        for _ in range(DUPLICATE_ATTEMPTS):
            configuration = {key: draw(expression, rng) for key, expression in self._parameter_space.items()}
            if configuration_key(keys, configuration) not in observations.seen:
                return configuration
        return fallback

    def _sobol_point(self, dimension: int, number: int) -> np.ndarray:
        from scipy.stats import qmc

        rng = np.random.default_rng(self._effective_seed)
        try:
            sobol = qmc.Sobol(dimension, scramble=True, rng=rng)
        except TypeError:
            sobol = qmc.Sobol(dimension, scramble=True, seed=rng)
        if number:
            sobol.fast_forward(number)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The balance properties of Sobol")
            return sobol.random(1)


def _finite_points(space: dict[str, list[Any]], encoding: SpaceEncoding, size: int) -> np.ndarray:
    """The encoded points of every configuration of a finite space, in :class:`FiniteSpace` (distinct) order."""
    levels = []
    for (name, args), column in zip(space.values(), encoding.columns):
        options = range(args[0]) if name == "randint" else list({(type(o), o): o for o in args[0]}.values())
        levels.append(column.encode(list(options)))
    points = np.empty((size, len(levels)))
    index = np.arange(size)
    for j in range(len(levels) - 1, -1, -1):
        index, digit = np.divmod(index, len(levels[j]))
        points[:, j] = levels[j][digit]
    return points
