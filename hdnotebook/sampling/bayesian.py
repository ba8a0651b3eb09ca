"""BayesianParameterSampling: HyperDrive's checks; a quasi-random (Sobol) design until the GP optimiser exists."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from hdnotebook.exceptions import invalid_setting
from hdnotebook.sampling.base import HyperParameterSampling, validate_count
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.space import quantile

NOT_IMPLEMENTED_WARNING = (
    "BayesianParameterSampling: the Gaussian-process optimiser is not implemented yet; "
    "suggestions are quasi-random (Sobol) for now."
)
QUNIFORM_MAX_POINTS = 100000


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


class BayesianParameterSampling(HyperParameterSampling):
    """Bayesian optimisation (HyperDrive name ``"BayesianOptimization"``): choice, uniform and quniform only.

    Checks, as HyperDrive: the space must not be None (nor, here, empty); choice values exactly int,
    str or float, all or none str; quniform arguments exact ints with at most 100000 steps.

    For now ``suggest`` returns points of a scrambled Sobol sequence seeded from ``effective_seed``:
    configuration k is point k mapped through each expression's inverse CDF (choice: option index),
    a function of (seed, k) only. It never runs out, and may repeat configurations of a discrete space.
    The first ``suggest`` of each instance warns (``UserWarning``) that the optimiser is not implemented.
    """

    SAMPLING_NAME = "BayesianOptimization"
    _RUNTIME_ATTRIBUTES: ClassVar[frozenset[str]] = HyperParameterSampling._RUNTIME_ATTRIBUTES | {"_warned"}

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
            supported_distributions={"choice", "quniform", "uniform"},
            distributions_validators={"choice": choice_validator, "quniform": quniform_validator},
            seed=seed,
        )
        self._warned = False

    def suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        """Sobol points ``history.generated`` to ``history.generated + count - 1``, mapped into the space."""
        validate_count(count)
        if not self._warned:
            self._warned = True
            warnings.warn(NOT_IMPLEMENTED_WARNING, UserWarning, stacklevel=2)
        if count == 0:
            return []
        keys = list(self._parameter_space)
        points = self._sobol_points(len(keys), history.generated, count)
        return [
            {key: quantile(self._parameter_space[key], u) for key, u in zip(keys, point)} for point in points
        ]

    def _sobol_points(self, dimension: int, start: int, count: int) -> np.ndarray:
        from scipy.stats import qmc

        rng = np.random.default_rng(self._effective_seed)
        try:
            sobol = qmc.Sobol(dimension, scramble=True, rng=rng)
        except TypeError:
            sobol = qmc.Sobol(dimension, scramble=True, seed=rng)
        if start:
            sobol.fast_forward(start)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The balance properties of Sobol")
            return sobol.random(count)
