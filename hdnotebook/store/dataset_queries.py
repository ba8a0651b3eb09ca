"""The dataset part of the store: registered Dataset versions (``name``, ``version`` 1, 2, ...)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

_COLUMNS = "id, name, version, kind, definition, description, tags, created_time"


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


def _record(row: tuple[Any, ...]) -> DatasetRecord:
    id_, name, version, kind, definition, description, tags, created = row
    return DatasetRecord(id_, name, int(version), kind, json.loads(definition), description,
                         json.loads(tags) if tags else {}, float(created))


class DatasetQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_dataset_version(self, dataset_id: str, name: str, kind: str, definition: dict[str, Any],
                            description: str | None, tags: dict[str, str]) -> DatasetRecord:
        """Register the next version of ``name`` (1 for a new name) in one transaction and return it."""
        with self._transaction() as conn:
            (version,) = conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM datasets WHERE name=?", (name,)).fetchone()
            conn.execute(
                f"INSERT INTO datasets ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (dataset_id, name, version, kind, json.dumps(definition, sort_keys=True), description,
                 json.dumps(tags), time.time()),
            )
        record = self.get_dataset_by_id(dataset_id)
        assert record is not None
        return record

    def get_dataset(self, name: str, version: int | None = None) -> DatasetRecord | None:
        """The version ``version`` of ``name`` (the latest when None), or None."""
        if version is None:
            row = self._conn().execute(f"SELECT {_COLUMNS} FROM datasets WHERE name=? ORDER BY version DESC LIMIT 1",
                                       (name,)).fetchone()
        else:
            row = self._conn().execute(f"SELECT {_COLUMNS} FROM datasets WHERE name=? AND version=?",
                                       (name, version)).fetchone()
        return _record(row) if row else None

    def get_dataset_by_id(self, dataset_id: str) -> DatasetRecord | None:
        """The registered dataset version with this id, or None."""
        row = self._conn().execute(f"SELECT {_COLUMNS} FROM datasets WHERE id=?", (dataset_id,)).fetchone()
        return _record(row) if row else None

    def latest_datasets(self) -> list[DatasetRecord]:
        """The latest version of every registered name, by name."""
        rows = self._conn().execute(
            f"SELECT {_COLUMNS} FROM datasets d WHERE version = (SELECT MAX(version) FROM datasets WHERE name=d.name)"
            " ORDER BY name"
        ).fetchall()
        return [_record(r) for r in rows]
