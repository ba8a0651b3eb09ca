"""The dataset part of the store: registered Dataset versions (``name``, ``version`` 1, 2, ...)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import AbstractContextManager
from typing import Any

from hdnotebook._engine.store.rows import (
    DATASET_COLUMNS,
    DatasetRecord,
    dataset_record,
    dumps,
    next_version_sql,
    version_query,
)

SAVED_PREFIX = "__saved__"  # the name of a dataset saved (not registered) because a run consumed it

class DatasetQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_dataset_version(self, dataset_id: str, name: str, kind: str, definition: dict[str, Any],
                            description: str | None, tags: dict[str, str], create_new_version: bool) -> DatasetRecord | None:
        """Register ``definition`` as ``name``, deciding in one transaction (two processes never get the same version).

        Returns the latest version of ``name`` when it has this kind and definition (nothing is added), else
        the next version (1 for a new name), else None: ``name`` exists and ``create_new_version`` is False.
        """
        with self._transaction() as conn:
            row = conn.execute(*version_query("datasets", DATASET_COLUMNS, name, None)).fetchone()
            latest = dataset_record(row) if row else None
            if latest is not None and latest.kind == kind and latest.definition == definition:
                return latest
            if latest is not None and not create_new_version:
                return None
            (version,) = conn.execute(next_version_sql("datasets"), (name,)).fetchone()
            conn.execute(f"INSERT INTO datasets ({DATASET_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                         (dataset_id, name, version, kind, json.dumps(definition, sort_keys=True), description,
                          dumps(tags), time.time()))
        return self.get_dataset_by_id(dataset_id)

    def get_dataset(self, name: str, version: int | None = None) -> DatasetRecord | None:
        """The version ``version`` of ``name`` (the latest when None), or None."""
        row = self._conn().execute(*version_query("datasets", DATASET_COLUMNS, name, version)).fetchone()
        return dataset_record(row) if row else None

    def get_dataset_by_id(self, dataset_id: str) -> DatasetRecord | None:
        """The registered dataset version with this id, or None."""
        row = self._conn().execute(f"SELECT {DATASET_COLUMNS} FROM datasets WHERE id=?", (dataset_id,)).fetchone()
        return dataset_record(row) if row else None

    def latest_datasets(self) -> list[DatasetRecord]:
        """The latest version of every registered name, by name (datasets saved for a run, named ``__saved__...``,
        are left out)."""
        rows = self._conn().execute(
            f"SELECT {DATASET_COLUMNS} FROM datasets d WHERE version = (SELECT MAX(version) FROM datasets WHERE name=d.name)"
            " AND substr(name, 1, ?) != ? ORDER BY name", (len(SAVED_PREFIX), SAVED_PREFIX)
        ).fetchall()
        return [dataset_record(r) for r in rows]
