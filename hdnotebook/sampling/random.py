"""RandomParameterSampling: random search over any expressions, without replacement on finite spaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.sampling.base import HyperParameterSampling, validate_count
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.space import (
    FiniteSpace,
    configuration_key,
    draw,
    insert_sorted,
    is_finite,
    uniform_below,
    unused_index,
)

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

DUPLICATE_ATTEMPTS = 10
"""On an infinite space, how many draws a configuration gets to differ from every earlier one."""


class RandomParameterSampling(HyperParameterSampling):
    """Random sampling (HyperDrive name ``"RANDOM"``); every expression is allowed.

    Configuration number k is drawn with ``numpy.random.default_rng([effective_seed, k])``.

    * Finite space (only choice/randint): sampling without replacement. Configuration k is uniform
      among the configurations (distinct values; repeated choice options count once) that the history
      and the earlier ones of the same call do not hold yet; ``suggest`` returns fewer than asked once
      the space is exhausted ("All jobs generated"). Exact for spaces of any size.
    * Otherwise: each value is drawn independently from its expression, redrawn up to
      ``DUPLICATE_ATTEMPTS`` times while the whole configuration equals an earlier one.
    """

    SAMPLING_NAME = "RANDOM"

    def __init__(
        self,
        parameter_space: dict[str, list[Any]],
        properties: dict[str, Any] | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(RandomParameterSampling.SAMPLING_NAME, parameter_space, properties, seed=seed)

    @property
    def max_configurations(self) -> int | None:
        """The number of distinct configurations of a finite space, None for an infinite one."""
        if not is_finite(self._parameter_space):
            return None
        return FiniteSpace(self._parameter_space, distinct=True).size

    def suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        """Up to ``count`` new configurations, configuration number ``history.generated + i`` at position i."""
        validate_count(count)
        if is_finite(self._parameter_space):
            return self._suggest_finite(history, count)
        return self._suggest_independent(history, count)

    def _suggest_finite(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        space = FiniteSpace(self._parameter_space, distinct=True)
        used = sorted({index for trial in history.trials if (index := space.index(trial.params)) is not None})
        suggestions = []
        for i in range(count):
            remaining = space.size - len(used)
            if remaining <= 0:
                break
            rng = np.random.default_rng([self._effective_seed, history.generated + i])
            index = unused_index(uniform_below(rng, remaining), used)
            insert_sorted(used, index)
            suggestions.append(space.configuration(index))
        return suggestions

    def _suggest_independent(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        keys = list(self._parameter_space)
        seen = {configuration_key(keys, trial.params) for trial in history.trials}
        suggestions = []
        for i in range(count):
            rng = np.random.default_rng([self._effective_seed, history.generated + i])
            for _ in range(DUPLICATE_ATTEMPTS):
                configuration = {key: draw(expression, rng) for key, expression in self._parameter_space.items()}
                identity = configuration_key(keys, configuration)
                if identity not in seen:
                    break
            seen.add(identity)
            suggestions.append(configuration)
        return suggestions
