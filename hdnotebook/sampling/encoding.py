"""The unit-cube encoding of a parameter space that the Gaussian process works on: one column per parameter.

* uniform, loguniform (and their q-variants): the position within the bounds, in log space for the
  log variants, so [0, 1] is the whole range.
* normal, lognormal (and q-variants): the prior's CDF of the value (of its log for lognormal), so a
  uniform column is the prior; the search covers the central ``1 - 2 * NORMAL_TAIL`` of it.
* randint and choice of numbers: ordinal, level ``i`` of ``n`` (choice options sorted by value) at
  ``(i + 0.5) / n``.
* choice of strings: categorical, the column holds the option's index; the kernel only asks whether
  two indices are equal.

q-variants are discrete: :meth:`SpaceEncoding.snap` moves a point to the encoding of the value it
decodes to, so the model and the acquisition see exactly the values a run would receive.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from hdnotebook.sampling.space import configuration_key, quantile

NORMAL_TAIL = 1e-3
"""normal/lognormal columns are searched within the prior quantiles [NORMAL_TAIL, 1 - NORMAL_TAIL]."""

ORDINAL_EXHAUSTIVE = 16
"""An ordinal column with at most this many levels is searched exhaustively by the discrete local search."""

CONTINUOUS_NAMES = frozenset(
    {"uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"}
)
_LOG_NAMES = frozenset({"loguniform", "qloguniform", "lognormal", "qlognormal"})
_NORMAL_NAMES = frozenset({"normal", "qnormal", "lognormal", "qlognormal"})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Column:
    """One parameter: ``kind`` is "continuous", "ordinal" or "categorical"."""

    def __init__(self, expression: list[Any]) -> None:
        self.expression = expression
        name, args = expression
        self.name = name
        self.q: int | float | None = None
        self.options: list[Any] = []
        if name in CONTINUOUS_NAMES:
            self.kind = "continuous"
            self.q = args[2] if len(args) == 3 else None
            self.low, self.high = (NORMAL_TAIL, 1.0 - NORMAL_TAIL) if name in _NORMAL_NAMES else (0.0, 1.0)
            self.levels = 0
        elif name == "randint":
            self.kind = "ordinal"
            self.options = list(range(args[0]))
        else:
            unique: dict[tuple[type, Any], Any] = {}
            for option in args[0]:
                unique.setdefault((type(option), option), option)
            options = list(unique.values())
            numeric = all(_is_number(option) for option in options)
            self.kind = "ordinal" if numeric else "categorical"
            self.options = sorted(options, key=float) if numeric else options
        if self.kind != "continuous":
            self.levels = len(self.options)
            self.low, self.high = (0.0, 1.0) if self.kind == "ordinal" else (0.0, float(self.levels - 1))
            self._positions = {(type(option), option): i for i, option in enumerate(self.options)}

    # continuous columns -------------------------------------------------------------------------

    def _base_to_unit(self, base: np.ndarray) -> np.ndarray:
        args = self.expression[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.name in _LOG_NAMES:
                base = np.log(np.where(base > 0, base, np.nan))
                base = np.where(np.isnan(base), -np.inf, base)
            if self.name in _NORMAL_NAMES:
                return ndtr((base - args[0]) / args[1])
            return (base - args[0]) / (args[1] - args[0])

    def _unit_to_value(self, u: np.ndarray) -> np.ndarray:
        args = self.expression[1]
        if self.name in _NORMAL_NAMES:
            base = args[0] + args[1] * ndtri(np.clip(u, self.low, self.high))
        else:
            base = args[0] + np.clip(u, 0.0, 1.0) * (args[1] - args[0])
        if self.name in _LOG_NAMES:
            with np.errstate(over="ignore"):
                base = np.exp(base)
        if self.q is not None:
            with np.errstate(invalid="ignore"):
                base = np.round(base / self.q) * self.q
        return base

    # all columns --------------------------------------------------------------------------------

    def encode(self, values: list[Any]) -> np.ndarray:
        """The column values of parameter values; NaN where a value is not one of this expression's."""
        if self.kind == "continuous":
            numbers = np.array([float(v) if _is_number(v) else np.nan for v in values], dtype=float)
            with np.errstate(invalid="ignore"):
                return np.where(np.isnan(numbers), np.nan, np.clip(self._base_to_unit(numbers), 0.0, 1.0))
        encoded = np.full(len(values), np.nan)
        for i, value in enumerate(values):
            position = self._position(value)
            if position is not None:
                encoded[i] = float(position) if self.kind == "categorical" else (position + 0.5) / self.levels
        return encoded

    def _position(self, value: Any) -> int | None:
        try:
            position = self._positions.get((type(value), value))
        except TypeError:
            return None
        if position is None and self.kind == "ordinal" and _is_number(value):
            position = next((i for i, option in enumerate(self.options) if option == value), None)
        return position

    def index(self, u: np.ndarray) -> np.ndarray:
        """The option index of column values (ordinal and categorical columns)."""
        if self.kind == "categorical":
            return np.clip(np.rint(u), 0, self.levels - 1).astype(int)
        return np.clip(np.floor(u * self.levels), 0, self.levels - 1).astype(int)

    def decode(self, u: float) -> Any:
        """The parameter value (a plain Python value) at column value ``u``."""
        if self.kind == "continuous":
            return quantile(self.expression, float(np.clip(u, self.low, self.high)))
        return self.options[int(self.index(np.array([u]))[0])]

    def snap(self, u: np.ndarray) -> np.ndarray:
        """Column values moved onto the values they decode to (a copy)."""
        if self.kind == "categorical":
            return self.index(u).astype(float)
        if self.kind == "ordinal":
            return (self.index(u) + 0.5) / self.levels
        u = np.clip(u, self.low, self.high)
        if self.q is None:
            return u
        return np.clip(self._base_to_unit(self._unit_to_value(u)), 0.0, 1.0)

    def neighbours(self, u: float) -> np.ndarray:
        """Other column values a discrete local search tries from ``u`` (empty for a plain continuous column)."""
        if self.kind == "categorical" or (self.kind == "ordinal" and self.levels <= ORDINAL_EXHAUSTIVE):
            values = self.snap(np.arange(self.levels, dtype=float) if self.kind == "categorical"
                               else (np.arange(self.levels) + 0.5) / self.levels)
        elif self.kind == "ordinal":
            level = int(self.index(np.array([u]))[0]) + np.array([-2, -1, 1, 2])
            values = (level[(level >= 0) & (level < self.levels)] + 0.5) / self.levels
        elif self.q is not None:
            value = self._unit_to_value(np.array([u]))[0]
            steps = value + self.q * np.array([-2.0, -1.0, 1.0, 2.0])
            values = np.clip(self._base_to_unit(steps), 0.0, 1.0)
        else:
            return np.empty(0)
        return np.unique(values[np.abs(values - u) > 1e-12])


class SpaceEncoding:
    """A validated parameter space as a box: one column per parameter, in declaration order."""

    def __init__(self, parameter_space: dict[str, list[Any]]) -> None:
        self.keys = list(parameter_space)
        self.parameter_space = dict(parameter_space)
        self.columns = [_Column(expression) for expression in parameter_space.values()]
        self.categorical = np.array([c.kind == "categorical" for c in self.columns], dtype=bool)
        self.discrete = np.array([c.kind != "continuous" or c.q is not None for c in self.columns], dtype=bool)
        self.lower = np.array([c.low for c in self.columns], dtype=float)
        self.upper = np.array([c.high for c in self.columns], dtype=float)

    @property
    def dimension(self) -> int:
        """The number of columns (= parameters)."""
        return len(self.columns)

    def encode(self, params: dict[str, Any]) -> np.ndarray | None:
        """The point of a configuration, or None when a key is missing or a value is not one of the space's."""
        points = self.encode_many([params])
        return points[0] if not np.isnan(points[0]).any() else None

    def encode_many(self, configurations: list[dict[str, Any]]) -> np.ndarray:
        """The points (n, dimension) of configurations; a row with NaN where one is not of the space."""
        missing = object()
        columns = [
            column.encode([c.get(key, missing) if isinstance(c, dict) else missing for c in configurations])
            for key, column in zip(self.keys, self.columns)
        ]
        return np.column_stack(columns).reshape(len(configurations), self.dimension)

    def decode(self, row: np.ndarray) -> dict[str, Any]:
        """The configuration (key -> plain Python value) at a point."""
        return {key: column.decode(u) for key, column, u in zip(self.keys, self.columns, row)}

    def key(self, row: np.ndarray) -> tuple[Any, ...] | None:
        """The identity (:func:`configuration_key`) of the configuration at a point."""
        return configuration_key(self.keys, self.decode(row))

    def snap(self, points: np.ndarray) -> np.ndarray:
        """Points (n, dimension) moved onto the values they decode to."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        return np.column_stack([column.snap(points[:, j]) for j, column in enumerate(self.columns)])

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """Points of [0, 1)^dimension (e.g. Sobol) mapped column-wise into the box, snapped."""
        unit = np.atleast_2d(unit)
        points = np.empty_like(unit, dtype=float)
        for j, column in enumerate(self.columns):
            if column.kind == "categorical":
                points[:, j] = np.minimum(np.floor(unit[:, j] * column.levels), column.levels - 1)
            else:
                points[:, j] = column.low + unit[:, j] * (column.high - column.low)
        return self.snap(points)

    def random(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """``count`` uniform points of the box (the prior, for normal columns), snapped."""
        return self.from_unit(rng.random((count, self.dimension)))

    def neighbours(self, row: np.ndarray) -> np.ndarray:
        """Points that differ from ``row`` in one discrete column (the discrete local search's moves)."""
        moves = []
        for j, column in enumerate(self.columns):
            for value in column.neighbours(row[j]) if self.discrete[j] else ():
                moved = row.copy()
                moved[j] = value
                moves.append(moved)
        return np.array(moves).reshape(-1, self.dimension)
