"""Many logged floats at once: decoding series of them (``plain_floats``) and rounding them to 6 significant digits
exactly as ``float(f"{v:.6g}")`` rounds each (``round_significant``).

The value is scaled by an exact power of ten (|exponent| <= 22), rounded half to even and scaled back by one
correctly rounded division or multiplication: the nearest double to the 6-digit decimal, the same double Python's
formatting gives. Scaling itself may be off by an ulp, which changes the result only when the scaled value lies
within that ulp of a tie; those values (within 1e-6 of a tie) and those needing a larger power of ten are
rounded one by one by Python instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson

from hdnotebook._lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

_DIGITS = 6
_TIE_WINDOW = 1e-6  # far wider than the scaling error (an ulp of a number below 1e7, about 2e-9)
_EXACT_POWERS = 22  # 10**22 is the largest power of ten a double holds exactly


def round_significant(values: np.ndarray) -> np.ndarray:
    """``values`` (finite float64) each rounded to 6 significant digits, as ``float(f"{v:.6g}")``; a new array."""
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    nonzero = values != 0.0
    x = values[nonzero]
    if x.size == 0:
        return out
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shift = (_DIGITS - 1) - np.floor(np.log10(np.abs(x)))  # digits to move left of the point
        exact = np.abs(shift) <= _EXACT_POWERS
        powers = 10.0 ** np.abs(np.where(exact, shift, 0.0))
        up = shift >= 0
        scaled = np.where(up, x * powers, x / powers)
        integral = np.round(scaled)  # half to even, as the formatting rounds an exact tie
        rounded = np.where(up, integral / powers, integral * powers)
        fraction = scaled - np.floor(scaled)
    slow = ~exact | (np.abs(fraction - 0.5) < _TIE_WINDOW)
    for i in np.flatnonzero(slow):
        rounded[i] = float(f"{x[i]:.{_DIGITS}g}")
    out[nonzero] = rounded
    return out


def plain_floats(texts: Sequence[str]) -> tuple[list[bool], np.ndarray]:
    """Which of ``texts`` (stored JSON values joined by commas) hold only finite floats (no int, bool, string,
    null, list, NaN or infinity), and the floats of those, in order, as one array. One orjson call when all do
    (orjson refuses NaN and infinities, which json would read); else each text is read on its own."""
    try:
        values = orjson.loads("[" + ",".join(texts) + "]")
        if set(map(type, values)) <= {float}:
            return [True] * len(texts), np.array(values, dtype=np.float64)
    except orjson.JSONDecodeError:
        pass
    keep, kept = [], []
    for text in texts:
        try:
            items = orjson.loads("[" + text + "]")
        except orjson.JSONDecodeError:
            items = None
        ok = items is not None and all(type(item) is float for item in items)
        keep.append(ok)
        if ok:
            kept.extend(items)
    return keep, np.array(kept, dtype=np.float64)
