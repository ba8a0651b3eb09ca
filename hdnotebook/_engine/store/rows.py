"""Rows of the store as Python values: decoded runs and metric calls, and the JSON codec of the columns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunRecord:
    """One row of the ``runs`` table, with its JSON columns decoded. Times are epoch seconds."""

    run_id: str
    experiment: str
    parent_id: str | None
    child_index: int | None
    number: int
    run_type: str
    status: str
    created_time: float
    start_time: float | None
    end_time: float | None
    display_name: str | None
    description: str | None
    definition: dict[str, Any] | None
    hyperparameters: dict[str, Any] | None
    config: dict[str, Any] | None
    error: dict[str, Any] | None
    driver: dict[str, Any] | None
    run_dir: str


@dataclass(frozen=True)
class MetricRow:
    """One logged metric call. ``value`` is the decoded JSON value; ``kind`` is one of
    ``scalar``, ``list``, ``row``, ``table``, ``image``."""

    id: int
    run_id: str
    name: str
    kind: str
    value: Any
    step: int | None
    time: float
    description: str | None

    def items(self) -> list[Any]:
        """The values the call logged, in order: ``[value]`` for a scalar, the items of a list, none for
        a row, table or image."""
        if self.kind == "scalar":
            return [self.value]
        if self.kind == "list":
            return list(self.value)
        return []


@dataclass(frozen=True)
class ModelRecord:
    """One registered model version. ``path`` is relative to the store folder; ``created_time`` epoch seconds."""

    name: str
    version: int
    path: str
    run_id: str | None
    experiment: str | None
    description: str | None
    framework: str | None
    framework_version: str | None
    tags: dict[str, Any]
    properties: dict[str, Any]
    created_time: float


@dataclass(frozen=True)
class DatasetRecord:
    """One registered dataset version. ``definition`` is the dataset's JSON definition (its sources and
    reading options), ``tags`` a dict of strings, ``created_time`` epoch seconds."""

    id: str
    name: str
    version: int
    kind: str
    definition: dict[str, Any]
    description: str | None
    tags: dict[str, str]
    created_time: float


def dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def numbers_of(values: Iterable[Any]) -> list[float]:
    """The logged metric values that are numbers, as floats, in order: what every reader of metrics counts as a
    value (a policy, the best child, the widget, the results). Booleans, strings, None and other JSON are
    skipped; NaN and infinities are kept (each reader decides what they mean)."""
    return [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def numeric_values(rows: Iterable[MetricRow]) -> list[float]:
    """The numbers that scalar and list calls logged, in order (interval k = item k-1); see ``numbers_of``."""
    out: list[float] = []
    for row in rows:
        out += numbers_of(row.items())
    return out


def stored_values(calls: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], list[Any]]:
    """The values of metric calls given as (run_id, name, kind, stored JSON), per (name, run_id) in logging order;
    all decoded by one ``json.loads``."""
    decoded = json.loads("[" + ",".join(call[3] for call in calls) + "]") if calls else []
    logged: dict[tuple[str, str], list[Any]] = {}
    for (run_id, name, kind, _), value in zip(calls, decoded):
        items = value if kind == "list" else [value] if kind == "scalar" else []
        if items:
            logged.setdefault((name, run_id), []).extend(items)
    return logged


def where_equal(**filters: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions ``column=?`` for the filters that are not None, and their values (to join with AND)."""
    given = [(column, value) for column, value in filters.items() if value is not None]
    return [f"{column}=?" for column, _ in given], [value for _, value in given]


def tag_text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


RUN_COLUMNS = (
    "run_id, experiment, parent_id, child_index, number, run_type, status, created_time, start_time, end_time,"
    " display_name, description, definition, hyperparameters, config, error, driver, run_dir"
)
METRIC_COLUMNS = "id, run_id, name, kind, value, step, time, description"


def run_record(row: Sequence[Any]) -> RunRecord:
    values = list(row)
    for i in (12, 13, 14, 15, 16):
        values[i] = loads(values[i])
    return RunRecord(*values)


def metric_row(row: Sequence[Any]) -> MetricRow:
    return MetricRow(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7])

MODEL_COLUMNS = ("name, version, path, run_id, experiment, description, framework, framework_version, tags, properties,"
                 " created_time")


def model_record(row: Sequence[Any]) -> ModelRecord:
    values = list(row)
    values[8], values[9] = json.loads(values[8]), json.loads(values[9])
    return ModelRecord(*values)

DATASET_COLUMNS = "id, name, version, kind, definition, description, tags, created_time"


def dataset_record(row: Sequence[Any]) -> DatasetRecord:
    id_, name, version, kind, definition, description, tags, created = row
    return DatasetRecord(id_, name, int(version), kind, json.loads(definition), description,
                         json.loads(tags) if tags else {}, float(created))


def version_query(table: str, columns: str, name: str, version: int | None) -> tuple[str, tuple[Any, ...]]:
    """The query and its arguments for version ``version`` of ``name`` in a registry table (the latest when None)."""
    if version is None:
        return f"SELECT {columns} FROM {table} WHERE name=? ORDER BY version DESC LIMIT 1", (name,)
    return f"SELECT {columns} FROM {table} WHERE name=? AND version=?", (name, version)


def next_version_sql(table: str) -> str:
    """The query for the next version number of a name in a registry table (``models``, ``datasets``): 1 for a new name."""
    return f"SELECT COALESCE(MAX(version), 0) + 1 FROM {table} WHERE name=?"
