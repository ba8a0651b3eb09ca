"""The parameter space as data: validation, drawing values, and finite spaces as mixed-radix numbers.

A parameter space is a dict mapping a script argument name (e.g. ``"--lr"``) to an expression list
as built by :mod:`hdnotebook.parameter_expressions` (``["uniform", [0, 1]]``). Every value this
module hands out is a plain Python value (int, float, str, bool or None), never a numpy scalar.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from hdnotebook import parameter_expressions as expressions
from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import HyperDriveConfigException, invalid_setting, invalid_type

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

ARGUMENTS: dict[str, tuple[str, ...]] = {
    "choice": ("options",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"),
    "loguniform": ("min_value", "max_value"),
    "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"),
    "lognormal": ("mu", "sigma"),
    "qlognormal": ("mu", "sigma", "q"),
}
"""Each expression name with the names of its arguments, in serialized order."""

FINITE_DISTRIBUTIONS = frozenset({"choice", "randint"})
"""Expressions with finitely many values; a space made only of these is finite."""

_STANDARD_NORMAL = NormalDist()
_UNIT_EPSILON = 1e-12


def _expected_form(key: str) -> str:
    return (
        f"parameter_space[{key!r}] expects a parameter expression such as choice(16, 32) or uniform(0, 1), "
        f"i.e. [name, [arguments...]] with name one of {', '.join(ARGUMENTS)}"
    )


def validate_expression(key: str, expression: object) -> list[Any]:
    """Check one entry of a parameter space and return its normalized expression (a new list).

    The arguments are re-validated by the expression function of the same name, so a hand-written
    list obeys exactly the rules of :mod:`hdnotebook.parameter_expressions`. Errors name the key.
    """
    if not isinstance(expression, list) or len(expression) != 2 or not isinstance(expression[1], list):
        raise HyperDriveConfigException(
            f"{_expected_form(key)} (got {expression!r})", error_code="InvalidConfigSetting"
        )
    name, arguments = expression
    if not isinstance(name, str) or name not in ARGUMENTS:
        raise HyperDriveConfigException(
            f"{_expected_form(key)} (got unknown distribution {name!r})", error_code="InvalidConfigSetting"
        )
    expected = ARGUMENTS[name]
    if len(arguments) != len(expected) or (name == "choice" and not isinstance(arguments[0], list)):
        shape = "[[option, ...]]" if name == "choice" else f"[{', '.join(expected)}]"
        raise HyperDriveConfigException(
            f"parameter_space[{key!r}] expects {name} arguments of the form {shape} (got {arguments!r})",
            error_code="InvalidConfigSetting",
        )
    function: Callable[..., list[Any]] = getattr(expressions, name)
    try:
        return function(*arguments)
    except HyperDriveConfigException as error:
        raise HyperDriveConfigException(
            f"parameter_space[{key!r}]: {error.message}", error_code=error.error_code
        ) from error


def validate_parameter_space(parameter_space: object) -> dict[str, list[Any]]:
    """Check a whole parameter space and return a normalized copy (same key order).

    It must be a non-empty dict whose keys are non-empty strings and whose values are expressions.
    """
    if not isinstance(parameter_space, dict):
        raise invalid_type("dict", "parameter_space", parameter_space)
    if not parameter_space:
        raise invalid_setting("parameter_space", "at least one parameter expression (got an empty dict)")
    for key in parameter_space:
        if not isinstance(key, str) or not key:
            raise invalid_setting("parameter_space", f"keys to be non-empty strings (got key {key!r})")
    return {key: validate_expression(key, expression) for key, expression in parameter_space.items()}


def _quantize(value: float, q: int | float) -> int | float:
    if not math.isfinite(value):
        return value
    steps = round(value / q)
    return steps * q if isinstance(q, int) else float(steps * q)


def _exp(value: float) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _draw_choice(args: list[Any], rng: np.random.Generator) -> Any:
    options = args[0]
    return options[int(rng.integers(len(options)))]


_DRAWERS: dict[str, Callable[[list[Any], np.random.Generator], Any]] = {
    "choice": _draw_choice,
    "randint": lambda a, rng: int(rng.integers(a[0])),
    "uniform": lambda a, rng: float(rng.uniform(a[0], a[1])),
    "quniform": lambda a, rng: _quantize(float(rng.uniform(a[0], a[1])), a[2]),
    "loguniform": lambda a, rng: _exp(float(rng.uniform(a[0], a[1]))),
    "qloguniform": lambda a, rng: _quantize(_exp(float(rng.uniform(a[0], a[1]))), a[2]),
    "normal": lambda a, rng: float(rng.normal(a[0], a[1])),
    "qnormal": lambda a, rng: _quantize(float(rng.normal(a[0], a[1])), a[2]),
    "lognormal": lambda a, rng: _exp(float(rng.normal(a[0], a[1]))),
    "qlognormal": lambda a, rng: _quantize(_exp(float(rng.normal(a[0], a[1]))), a[2]),
}


def draw(expression: list[Any], rng: np.random.Generator) -> Any:
    """One random value of a validated expression.

    choice: one of the options (its own Python type); randint(upper): an int in [0, upper);
    uniform(lo, hi): a float; loguniform: exp(uniform(lo, hi)); normal(mu, sigma): a float;
    lognormal: exp(normal(mu, sigma)); each q-variant rounds the base value: round(base / q) * q,
    an int when q is an int, else a float.
    """
    name, args = expression
    return _DRAWERS[name](args, rng)


def _normal_quantile(u: float) -> float:
    return _STANDARD_NORMAL.inv_cdf(min(max(u, _UNIT_EPSILON), 1.0 - _UNIT_EPSILON))


def _index_quantile(size: int, u: float) -> int:
    return min(int(u * size), size - 1)


_QUANTILES: dict[str, Callable[[list[Any], float], Any]] = {
    "choice": lambda a, u: a[0][_index_quantile(len(a[0]), u)],
    "randint": lambda a, u: _index_quantile(a[0], u),
    "uniform": lambda a, u: float(a[0] + u * (a[1] - a[0])),
    "quniform": lambda a, u: _quantize(a[0] + u * (a[1] - a[0]), a[2]),
    "loguniform": lambda a, u: _exp(a[0] + u * (a[1] - a[0])),
    "qloguniform": lambda a, u: _quantize(_exp(a[0] + u * (a[1] - a[0])), a[2]),
    "normal": lambda a, u: float(a[0] + a[1] * _normal_quantile(u)),
    "qnormal": lambda a, u: _quantize(a[0] + a[1] * _normal_quantile(u), a[2]),
    "lognormal": lambda a, u: _exp(a[0] + a[1] * _normal_quantile(u)),
    "qlognormal": lambda a, u: _quantize(_exp(a[0] + a[1] * _normal_quantile(u)), a[2]),
}


def quantile(expression: list[Any], u: float) -> Any:
    """The value of a validated expression at probability ``u`` in [0, 1) (its inverse CDF).

    choice/randint map ``u`` to index ``floor(u * size)``; the continuous expressions use the inverse
    CDF of the base distribution (normal quantiles clip ``u`` to [1e-12, 1 - 1e-12]) and then the
    same transform and q-rounding as :func:`draw`. A uniform ``u`` gives the distribution of :func:`draw`.
    """
    name, args = expression
    return _QUANTILES[name](args, float(u))


def is_finite(parameter_space: dict[str, list[Any]]) -> bool:
    """True when every expression of the (validated) space is choice or randint."""
    return all(expression[0] in FINITE_DISTRIBUTIONS for expression in parameter_space.values())


def _value_key(value: Any) -> tuple[type, Any]:
    return type(value), value


def configuration_key(keys: list[str], params: dict[str, Any]) -> tuple[Any, ...] | None:
    """A hashable identity of the values of ``params`` at ``keys`` (type-aware: 1, 1.0 and True differ).

    None when a key is missing or a value is not hashable.
    """
    try:
        key = tuple(_value_key(params[k]) for k in keys)
        hash(key)
    except (KeyError, TypeError):
        return None
    return key


class FiniteSpace:
    """A finite parameter space (only choice/randint) numbered as a mixed-radix integer.

    Configuration ``index`` in ``[0, size)`` has one digit per key in declaration order, the last key
    varying fastest, so the numbering is the order of ``itertools.product`` over the value lists.
    With ``distinct=True`` repeated choice options (same type and value) count once, so that every
    index is a different configuration and :meth:`index` is the exact inverse of :meth:`configuration`.
    """

    def __init__(self, parameter_space: dict[str, list[Any]], *, distinct: bool = False) -> None:
        if not is_finite(parameter_space):
            raise ValueError("FiniteSpace needs a space made only of choice and randint expressions")
        self._keys = list(parameter_space)
        self._options: list[list[Any] | None] = []
        self._positions: list[dict[tuple[type, Any], int] | None] = []
        self._radices: list[int] = []
        for expression in parameter_space.values():
            name, args = expression
            if name == "randint":
                self._options.append(None)
                self._positions.append(None)
                self._radices.append(args[0])
                continue
            options = args[0]
            if distinct:
                unique: dict[tuple[type, Any], Any] = {}
                for option in options:
                    unique.setdefault(_value_key(option), option)
                options = list(unique.values())
            positions: dict[tuple[type, Any], int] = {}
            for position, option in enumerate(options):
                positions.setdefault(_value_key(option), position)
            self._options.append(options)
            self._positions.append(positions)
            self._radices.append(len(options))
        self._size = math.prod(self._radices)

    @property
    def keys(self) -> list[str]:
        """The parameter names in declaration order."""
        return list(self._keys)

    @property
    def size(self) -> int:
        """The number of configurations (the product of the value counts)."""
        return self._size

    def configuration(self, index: int) -> dict[str, Any]:
        """Configuration number ``index`` (0 <= index < size), keys in declaration order."""
        if not 0 <= index < self._size:
            raise IndexError(f"configuration index {index} out of range [0, {self._size})")
        digits = [0] * len(self._radices)
        for position in range(len(self._radices) - 1, -1, -1):
            index, digits[position] = divmod(index, self._radices[position])
        return {
            key: (digit if options is None else options[digit])
            for key, options, digit in zip(self._keys, self._options, digits)
        }

    def index(self, params: dict[str, Any]) -> int | None:
        """The index of the configuration ``params`` holds, or None if it is not one of this space."""
        index = 0
        for key, positions, radix in zip(self._keys, self._positions, self._radices):
            if key not in params:
                return None
            value = params[key]
            if positions is None:
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < radix:
                    return None
                digit = value
            else:
                try:
                    digit = positions.get(_value_key(value))
                except TypeError:
                    return None
                if digit is None:
                    return None
            index = index * radix + digit
        return index


def uniform_below(rng: np.random.Generator, n: int) -> int:
    """A uniform Python int in ``[0, n)`` for any n >= 1, however large (exact, by rejection)."""
    if n < 1:
        raise ValueError(f"uniform_below needs n >= 1 (got {n})")
    if n <= np.iinfo(np.int64).max:
        return int(rng.integers(n))
    bits = n.bit_length()
    width = (bits + 7) // 8
    while True:
        candidate = int.from_bytes(rng.bytes(width), "little") >> (8 * width - bits)
        if candidate < n:
            return candidate


def unused_index(rank: int, used_sorted: list[int]) -> int:
    """The ``rank``-th (0-based) non-negative integer that is not in ``used_sorted`` (ascending, distinct)."""
    low = 0
    high = len(used_sorted)
    while low < high:
        middle = (low + high) // 2
        if used_sorted[middle] - middle <= rank:
            low = middle + 1
        else:
            high = middle
    return rank + low


def insert_sorted(used_sorted: list[int], index: int) -> None:
    """Insert ``index`` into the ascending list ``used_sorted`` in place."""
    bisect.insort(used_sorted, index)


def fits_space(parameter_space: dict[str, list[Any]], params: dict[str, Any]) -> bool:
    """True when ``params`` is a configuration the space could produce: the same keys, each value one of
    a choice's options (same type), or a number within a distribution's bounds (q-rounding allowed)."""
    if not isinstance(params, dict) or set(params) != set(parameter_space):
        return False
    for key, (name, args) in parameter_space.items():
        value = params[key]
        if name == "choice":
            if not any(type(value) is type(option) and value == option for option in args[0]):
                return False
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        slack = args[2] / 2 if name.startswith("q") else 0.0
        if name == "randint" and not (isinstance(value, int) and 0 <= value < args[0]):
            return False
        if name in ("uniform", "quniform") and not args[0] - slack <= value <= args[1] + slack:
            return False
        if name in ("loguniform", "qloguniform") and not math.exp(args[0]) - slack <= value <= math.exp(args[1]) + slack:
            return False
        if name in ("lognormal", "qlognormal") and value < -slack:
            return False
    return True

