"""Turning logged metric calls into the shapes ``Run.get_metrics()`` returns (reference section 8).

- ``log`` once -> the value; k > 1 calls -> a list in logging order; ``log_list`` -> its list
  (a one-element list collapses to the value); ``log`` and ``log_list`` under one name concatenate.
- ``log_row`` once -> ``{column: value}``; more rows, or ``log_table`` -> ``{column: [values]}``
  (a single-row table collapses to scalars).
- ``log_image`` -> ``"aml://artifactId/ExperimentRun/dcid.<run_id>/<file>"``.
- ``log_confusion_matrix`` and the other JSON artifacts -> the logged dict.
"""

from __future__ import annotations

import numbers

from hdnotebook.exceptions import UserErrorException

TYPE_CHECKING = False  # imported by every child: no typing, no store at import
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from hdnotebook._engine.store import MetricRow

SCALAR_TYPES = (int, float, str, bool, type(None))


def to_scalar(value: Any, what: str = "value") -> Any:
    """Python scalar for ``value`` (numpy scalars unwrapped); other objects become their repr."""
    if isinstance(value, SCALAR_TYPES):
        return value
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) in (0, None) and getattr(value, "size", 1) == 1:
        try:
            unwrapped = item()
        except (TypeError, ValueError):
            unwrapped = None
        if isinstance(unwrapped, SCALAR_TYPES):
            return unwrapped
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    import warnings

    warnings.warn(f"{what} of type {type(value).__name__} is not a scalar; its repr() is stored", stacklevel=4)
    return repr(value)


def check_not_list(name: str, value: Any) -> None:
    """``run.log`` refuses sequences, as HyperDrive does."""
    if isinstance(value, (list, tuple, range, set, frozenset)) or hasattr(value, "__next__") or (
        getattr(value, "ndim", 0) not in (0, None)
    ):
        raise UserErrorException("run.log does not support list type. Use run.log_list instead", error_code="InvalidType")


def image_uri(run_id: str, file_name: str) -> str:
    """The artifact URI HyperDrive's get_metrics returns for an image."""
    return f"aml://artifactId/ExperimentRun/dcid.{run_id}/{file_name}"


def shape_metrics(run_id: str, rows: Iterable[MetricRow]) -> dict[str, Any]:
    """``{name: shaped value}`` for one run's metric calls, names in first-logged order."""
    grouped: dict[str, list[MetricRow]] = {}
    for row in rows:
        grouped.setdefault(row.name, []).append(row)
    return {name: _shape(run_id, group) for name, group in grouped.items()}


def _shape(run_id: str, rows: list[MetricRow]) -> Any:
    kinds = {r.kind for r in rows}
    if kinds & {"row", "table"}:
        columns: dict[str, list[Any]] = {}
        count = 0
        for r in rows:
            if r.kind == "row":
                for k, v in r.value.items():
                    columns.setdefault(k, []).append(v)
                count += 1
            elif r.kind == "table":
                for k, v in r.value.items():
                    columns.setdefault(k, []).extend(v)
                count += max((len(v) for v in r.value.values()), default=0)
        if count == 1:
            return {k: v[0] if v else None for k, v in columns.items()}
        return columns
    if kinds == {"image"}:
        uris = [image_uri(run_id, r.value) for r in rows]
        return uris[0] if len(uris) == 1 else uris
    if kinds == {"json"}:
        return rows[-1].value
    values: list[Any] = []
    for r in rows:
        if r.kind == "list":
            values.extend(r.value)
        elif r.kind == "image":
            values.append(image_uri(run_id, r.value))
        else:
            values.append(r.value)
    return values[0] if len(values) == 1 else values
