"""The ten HyperDrive parameter expressions (reference section 2).

Each function validates its arguments and returns HyperDrive's serialized form, a plain JSON-ready
list ``[name, [args...]]`` whose argument values keep their Python type::

    choice(16, 32)          == ["choice", [[16, 32]]]     # also choice([16, 32]), choice(range(16, 33, 16))
    randint(10)             == ["randint", [10]]          # integers in [0, 10)
    uniform(0, 1)           == ["uniform", [0, 1]]        # ints stay ints
    quniform(0, 10, 2)      == ["quniform", [0, 10, 2]]   # round(uniform(0, 10) / 2) * 2
    loguniform(-6, -1)      == ["loguniform", [-6, -1]]   # exp(uniform(-6, -1)): bounds are natural logs
    qloguniform(0, 5, 2)    == ["qloguniform", [0, 5, 2]]
    normal(0, 1)            == ["normal", [0, 1]]
    qnormal(10, 3, 1)       == ["qnormal", [10, 3, 1]]
    lognormal(0, 1)         == ["lognormal", [0, 1]]      # exp(normal(0, 1))
    qlognormal(0, 1, 1)     == ["qlognormal", [0, 1, 1]]

Errors are HyperDriveConfigException with HyperDrive's texts ("{function} expects {condition}",
"Please specify an input for choice."), each naming the argument, the rule and the bad value.
Beyond HyperDrive's own checks, these also reject what the SDK lets through: bools where a number
is expected, NaN and infinities, q <= 0, sigma <= 0 (HyperDrive accepts sigma == 0, a degenerate
distribution), min_value >= max_value for the log-uniform pair, and log-space bounds whose exp()
overflows. numpy scalars are converted to the equivalent Python values.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from hdnotebook.exceptions import HyperDriveConfigException, invalid_setting

__all__ = [
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
]

LOG_MAX = math.log(sys.float_info.max)
"""The largest log-space bound whose exp() is still a finite float (about 709.78)."""

_CHOICE_RULE = (
    "non-empty single list, non-empty single range() or a positive number of arbitrary comma separated inputs."
)
_SEQUENCES = (list, tuple, range)


def _numpy_instance(value: object, kind: str) -> bool:
    """True when ``value`` is a ``numpy.<kind>`` (``ndarray``, ``generic``). numpy is not imported for it: a
    value can be a numpy object only once numpy is loaded, so these expressions cost no numpy import."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, getattr(numpy, kind))


def _is_sequence(value: object) -> bool:
    return isinstance(value, _SEQUENCES) or _numpy_instance(value, "ndarray")


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _plain(value: object) -> object:
    return value.item() if _numpy_instance(value, "generic") else value  # type: ignore[attr-defined]


def _number(function: str, argument: str, value: object) -> int | float:
    """``value`` as a finite Python int or float; bools, strings, NaN and infinities are rejected."""
    value = _plain(value)
    if isinstance(value, bool):
        raise invalid_setting(function, f"{argument} to be a float, not a bool (got {value!r})")
    if not isinstance(value, (int, float)):
        raise invalid_setting(function, f"{argument} to be a float (got {_describe(value)})")
    if isinstance(value, float):
        value = float(value)
        if not math.isfinite(value):
            raise invalid_setting(function, f"{argument} to be a finite number (got {value!r})")
    else:
        value = int(value)
    return value


def _q(function: str, q: object) -> int | float:
    """``q`` as a positive int or integral float (HyperDrive's "q to be an int", plus q > 0)."""
    q = _plain(q)
    integral = (isinstance(q, int) and not isinstance(q, bool)) or (isinstance(q, float) and q.is_integer())
    if not integral:
        raise invalid_setting(function, f"q to be an int (got {_describe(q)})")
    if q <= 0:
        raise invalid_setting(function, f"q to be a positive int, q > 0 (got {q!r})")
    return int(q) if isinstance(q, int) else float(q)


def _bounds(function: str, min_value: object, max_value: object) -> tuple[int | float, int | float]:
    low = _number(function, "min_value", min_value)
    high = _number(function, "max_value", max_value)
    return low, high


def _check_range(function: str, low: int | float, high: int | float, log_space: bool) -> None:
    if not low < high:
        raise invalid_setting(function, f"min_value < max_value (got min_value={low!r}, max_value={high!r})")
    if not math.isfinite(float(high) - float(low)):
        raise invalid_setting(
            function, f"max_value - min_value to be a finite float (got min_value={low!r}, max_value={high!r})"
        )
    if log_space and high > LOG_MAX:
        raise invalid_setting(
            function,
            f"max_value <= {LOG_MAX:.2f}, the bounds being natural logarithms: values are "
            f"exp(uniform(min_value, max_value)) and exp(max_value) must be a finite float (got max_value={high!r})",
        )


def _mu_sigma(function: str, mu: object, sigma: object) -> tuple[int | float, int | float]:
    return _number(function, "mu", mu), _number(function, "sigma", sigma)


def _check_sigma(function: str, sigma: int | float) -> None:
    if sigma <= 0:
        raise invalid_setting(
            function, f"sigma to be positive, sigma > 0 (got {sigma!r}; a zero sigma is a degenerate distribution)"
        )


def _option(position: int, value: object) -> Any:
    value = _plain(value)
    if value is not None and not isinstance(value, (str, bool, int, float)):
        raise invalid_setting(
            "choice",
            f"options to be JSON scalars (str, int, float, bool or None); option {position} is {_describe(value)}",
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid_setting("choice", f"options to be finite numbers; option {position} is {value!r}")
        value = float(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        value = int(value)
    elif isinstance(value, str):
        value = str(value)
    return value


def choice(*options: Any) -> list[Any]:
    """A discrete set of options: ``choice(16, 32) == ["choice", [[16, 32]]]``.

    A single list, tuple, range or 1-D numpy array is unpacked (``choice([16, 32])`` and
    ``choice(range(16, 33, 16))`` give the same form); such a sequence next to other arguments,
    or an empty one, is rejected. Options must be JSON scalars (str, int, float, bool or None;
    floats finite) and keep their Python type; numpy scalars become Python values.
    """
    if not options:
        raise HyperDriveConfigException("Please specify an input for choice.", error_code="MissingChoiceValues")
    if any(_is_sequence(option) for option in options):
        single = options[0]
        if len(options) > 1 or not _is_sequence(single):
            raise invalid_setting(
                "choice", f"{_CHOICE_RULE} (got {len(options)} arguments, one of them a list/tuple/range/array)"
            )
        if _numpy_instance(single, "ndarray") and single.ndim != 1:  # type: ignore[attr-defined]
            raise invalid_setting("choice", f"{_CHOICE_RULE} (got a {single.ndim}-D array)")
        values = list(single)
        if not values:
            raise invalid_setting("choice", f"{_CHOICE_RULE} (got an empty {type(single).__name__})")
    else:
        values = list(options)
    return ["choice", [[_option(position, value) for position, value in enumerate(values)]]]


def randint(upper: int) -> list[Any]:
    """Integers in ``[0, upper)``: ``randint(10) == ["randint", [10]]``; ``upper`` must be an int > 0."""
    upper = _plain(upper)
    if isinstance(upper, bool) or not isinstance(upper, int):
        raise invalid_setting("randint", f"a positive number as input: upper must be an int (got {_describe(upper)})")
    if upper <= 0:
        raise invalid_setting("randint", f"a positive number as input: upper must be an int > 0 (got {upper!r})")
    return ["randint", [int(upper)]]


def uniform(min_value: float, max_value: float) -> list[Any]:
    """Uniform on ``[min_value, max_value]``: ``uniform(0, 1) == ["uniform", [0, 1]]``; min_value < max_value."""
    low, high = _bounds("uniform", min_value, max_value)
    _check_range("uniform", low, high, log_space=False)
    return ["uniform", [low, high]]


def quniform(min_value: float, max_value: float, q: int) -> list[Any]:
    """``round(uniform(min_value, max_value) / q) * q``: ``["quniform", [min_value, max_value, q]]``.

    q must be a positive int or integral float; min_value < max_value.
    """
    low, high = _bounds("quniform", min_value, max_value)
    step = _q("quniform", q)
    _check_range("quniform", low, high, log_space=False)
    return ["quniform", [low, high, step]]


def loguniform(min_value: float, max_value: float) -> list[Any]:
    """``exp(uniform(min_value, max_value))``: the bounds are natural logarithms of the value's bounds.

    ``loguniform(-6, -1) == ["loguniform", [-6, -1]]`` gives values in [exp(-6), exp(-1)].
    min_value < max_value (HyperDrive allows equality) and max_value <= ~709.78 so exp() stays finite.
    """
    low, high = _bounds("loguniform", min_value, max_value)
    _check_range("loguniform", low, high, log_space=True)
    return ["loguniform", [low, high]]


def qloguniform(min_value: float, max_value: float, q: int) -> list[Any]:
    """``round(exp(uniform(min_value, max_value)) / q) * q``: ``["qloguniform", [min_value, max_value, q]]``.

    Rules of loguniform plus a positive integral q.
    """
    low, high = _bounds("qloguniform", min_value, max_value)
    step = _q("qloguniform", q)
    _check_range("qloguniform", low, high, log_space=True)
    return ["qloguniform", [low, high, step]]


def normal(mu: float, sigma: float) -> list[Any]:
    """Normal with mean mu and standard deviation sigma > 0: ``normal(0, 1) == ["normal", [0, 1]]``."""
    mu_, sigma_ = _mu_sigma("normal", mu, sigma)
    _check_sigma("normal", sigma_)
    return ["normal", [mu_, sigma_]]


def qnormal(mu: float, sigma: float, q: int) -> list[Any]:
    """``round(normal(mu, sigma) / q) * q``: ``["qnormal", [mu, sigma, q]]``; sigma > 0, q a positive int."""
    mu_, sigma_ = _mu_sigma("qnormal", mu, sigma)
    step = _q("qnormal", q)
    _check_sigma("qnormal", sigma_)
    return ["qnormal", [mu_, sigma_, step]]


def lognormal(mu: float, sigma: float) -> list[Any]:
    """``exp(normal(mu, sigma))``: ``lognormal(0, 1) == ["lognormal", [0, 1]]``; sigma > 0."""
    mu_, sigma_ = _mu_sigma("lognormal", mu, sigma)
    _check_sigma("lognormal", sigma_)
    return ["lognormal", [mu_, sigma_]]


def qlognormal(mu: float, sigma: float, q: int) -> list[Any]:
    """``round(exp(normal(mu, sigma)) / q) * q``: ``["qlognormal", [mu, sigma, q]]``; sigma > 0, q a positive int."""
    mu_, sigma_ = _mu_sigma("qlognormal", mu, sigma)
    step = _q("qlognormal", q)
    _check_sigma("qlognormal", sigma_)
    return ["qlognormal", [mu_, sigma_, step]]
