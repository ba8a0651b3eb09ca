"""GridParameterSampling: every combination of choice options, in itertools.product order."""

from __future__ import annotations

import itertools
from typing import Any

from hdnotebook.sampling.base import HyperParameterSampling, validate_count
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.space import FiniteSpace, configuration_key
from hdnotebook.status import COMPLETED


class GridParameterSampling(HyperParameterSampling):
    """Grid sampling (HyperDrive name ``"GRID"``); only ``choice`` expressions are allowed.

    Configuration number k is the k-th element of the Cartesian product of the option lists in
    declaration order, the last key varying fastest (``itertools.product`` order, options as declared,
    repeats included). The sweep is exhausted after the product size, :attr:`max_configurations`.
    Configurations that a warm-start parent completed (``history.prior``) are skipped.
    ``seed`` is accepted for a uniform signature and validated, but has no effect: the grid is fixed.
    """

    SAMPLING_NAME = "GRID"

    def __init__(
        self,
        parameter_space: dict[str, list[Any]],
        properties: dict[str, Any] | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(
            GridParameterSampling.SAMPLING_NAME,
            parameter_space,
            properties,
            supported_distributions={"choice"},
            seed=seed,
        )

    @property
    def max_configurations(self) -> int:
        """The size of the Cartesian product."""
        return FiniteSpace(self._parameter_space).size

    def suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        """Product elements ``history.generated`` to ``history.generated + count - 1`` (fewer at the end),
        counting only the configurations no warm-start parent completed."""
        validate_count(count)
        space = FiniteSpace(self._parameter_space)
        done = {configuration_key(space.keys, t.params) for t in history.prior if t.status == COMPLETED} - {None}
        if not done:  # configuration k is product element k: no need to walk the ones generated before
            return [space.configuration(k) for k in range(history.generated, min(space.size, history.generated + count))]
        configurations = (space.configuration(k) for k in range(space.size))
        fresh = (c for c in configurations if configuration_key(space.keys, c) not in done)
        return list(itertools.islice(fresh, history.generated, history.generated + count))
