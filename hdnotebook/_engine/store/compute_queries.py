"""The compute target registry part of the store: the targets a workspace created or attached, by name."""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from hdnotebook._engine.store.rows import dumps, loads


@dataclass(frozen=True)
class ComputeTargetRecord:
    """One registered compute target: ``configuration`` is what it was created with (a dict or None);
    ``created_time`` is epoch seconds."""

    name: str
    type: str
    configuration: dict[str, Any] | None
    created_time: float


class ComputeQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_compute_target(self, name: str, type: str, configuration: dict[str, Any] | None = None) -> ComputeTargetRecord:
        """Register target ``name`` and return it; a name already registered keeps its first record (Azure's
        ``create`` of an existing name returns the existing target)."""
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO compute_targets VALUES (?,?,?,?)",
                         (name, type, dumps(configuration) if configuration is not None else None, time.time()))
        record = self.get_compute_target(name)
        assert record is not None
        return record

    def get_compute_target(self, name: str) -> ComputeTargetRecord | None:
        """The target registered under ``name``, or None."""
        row = self._conn().execute("SELECT name, type, configuration, created_time FROM compute_targets WHERE name=?",
                                   (name,)).fetchone()
        return ComputeTargetRecord(row[0], row[1], loads(row[2]), row[3]) if row else None

    def list_compute_targets(self) -> list[ComputeTargetRecord]:
        """Every registered target, oldest first."""
        rows = self._conn().execute(
            "SELECT name, type, configuration, created_time FROM compute_targets ORDER BY created_time, name").fetchall()
        return [ComputeTargetRecord(r[0], r[1], loads(r[2]), r[3]) for r in rows]

    def delete_compute_target(self, name: str) -> None:
        """Forget target ``name`` (an unknown name is ignored)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM compute_targets WHERE name=?", (name,))
