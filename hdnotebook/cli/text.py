"""Plain-text formatting for the command line: aligned tables, ages and metric values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(titles: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned left, separated by two spaces; None shows as ``-``."""
    cells = [[str(t) for t in titles]] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(titles))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def age(seconds: float) -> str:
    """A time span in its largest whole unit: ``45s``, ``12m``, ``3h``, ``2d``."""
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def number(value: float | None) -> str | None:
    """A metric value with 6 significant digits (None stays None)."""
    return None if value is None else f"{value:.6g}"
