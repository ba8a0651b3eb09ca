"""The model registry part of the store: registered model versions and their tags and properties."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from hdnotebook._engine.store.rows import (
    MODEL_COLUMNS,
    ModelRecord,
    dumps,
    model_record,
    next_version_sql,
    version_query,
    where_equal,
)


class ModelQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_model(self, name: str, place: Callable[[int], str], *, run_id: str | None = None, experiment: str | None = None,
                  description: str | None = None, framework: str | None = None, framework_version: str | None = None,
                  tags: dict[str, Any] | None = None, properties: dict[str, Any] | None = None) -> ModelRecord:
        """Register the next version of model ``name`` (1 for a new name) and return it.

        ``place(version)`` moves the model's files (already copied) into place and returns their path
        relative to the store folder; it runs inside the write transaction, so two processes never get
        the same version, and must be quick (a rename).
        """
        with self._transaction() as conn:
            (version,) = conn.execute(next_version_sql("models"), (name,)).fetchone()
            path = place(version)
            conn.execute(f"INSERT INTO models ({MODEL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (name, version, path, run_id, experiment, description, framework, framework_version,
                          dumps(tags or {}), dumps(properties or {}), time.time()))
        record = self.get_model(name, version)
        assert record is not None
        return record

    def get_model(self, name: str, version: int | None = None) -> ModelRecord | None:
        """Version ``version`` of model ``name`` (the latest when None), or None."""
        row = self._conn().execute(*version_query("models", MODEL_COLUMNS, name, version)).fetchone()
        return model_record(row) if row else None

    def list_models(self, name: str | None = None, run_id: str | None = None) -> list[ModelRecord]:
        """Registered model versions, newest registration first, optionally of one name or from one run."""
        clauses, args = where_equal(name=name, run_id=run_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._conn().execute(f"SELECT {MODEL_COLUMNS} FROM models{where} ORDER BY created_time DESC, name, version DESC",
                                    args).fetchall()
        return [model_record(r) for r in rows]

    def update_model(self, name: str, version: int, *, tags: dict[str, Any] | None = None,
                     properties: dict[str, Any] | None = None, description: str | None = None) -> None:
        """Replace a model version's tags, properties or description (the ones given)."""
        with self._transaction() as conn:
            if tags is not None:
                conn.execute("UPDATE models SET tags=? WHERE name=? AND version=?", (dumps(tags), name, version))
            if properties is not None:
                conn.execute("UPDATE models SET properties=? WHERE name=? AND version=?", (dumps(properties), name, version))
            if description is not None:
                conn.execute("UPDATE models SET description=? WHERE name=? AND version=?", (description, name, version))

    def delete_model(self, name: str, version: int) -> None:
        """Forget a model version (its files are the caller's to remove)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM models WHERE name=? AND version=?", (name, version))
