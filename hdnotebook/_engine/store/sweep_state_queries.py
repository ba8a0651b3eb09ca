"""What a sweep keeps so that another process can continue it: its recipe (the pickled settings of its
submission, and the pickled function of a function sweep) and the spans of time its tuning loop ran.

A span is ``(start, end)`` in epoch seconds; the loop driving the sweep moves ``end`` forward while it runs, so a
driver that dies leaves a span ending at its last beat (at most a few seconds before its death).
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.layout import DRIVER_LOST
from hdnotebook._engine.store.rows import dumps, loads


@dataclass(frozen=True)
class SweepRecipe:
    """The stored recipe of a sweep: ``recipe`` and ``payload`` are pickles (None when not kept); ``problem`` says
    why the recipe could not be kept at submit (None when it was)."""

    run_id: str
    recipe: bytes | None
    payload: bytes | None
    problem: str | None


class SweepStateQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def keep_sweep_recipe(self, run_id: str, recipe: bytes | None, payload: bytes | None, problem: str | None) -> None:
        """Record (or replace) the recipe of sweep ``run_id``."""
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO sweep_recipes VALUES (?,?,?,?)", (run_id, recipe, payload, problem))

    def sweep_recipe(self, run_id: str) -> SweepRecipe | None:
        """The recipe kept for sweep ``run_id``, or None (a sweep submitted before schema 5)."""
        row = self._conn().execute("SELECT run_id, recipe, payload, problem FROM sweep_recipes WHERE run_id=?",
                                   (run_id,)).fetchone()
        if row is None:
            return None
        return SweepRecipe(row[0], bytes(row[1]) if row[1] is not None else None,
                           bytes(row[2]) if row[2] is not None else None, row[3])

    def open_span(self, run_id: str, start: float) -> int:
        """Start a running span of ``run_id`` at ``start`` (epoch seconds); returns its id for ``extend_span``."""
        with self._transaction() as conn:
            cursor = conn.execute("INSERT INTO run_spans (run_id, start, end) VALUES (?,?,?)", (run_id, start, start))
            return int(cursor.lastrowid or 0)

    def extend_span(self, span_id: int, end: float) -> None:
        """Move the end of span ``span_id`` to ``end`` (never backwards)."""
        with self._transaction() as conn:
            conn.execute("UPDATE run_spans SET end=max(end, ?) WHERE id=?", (end, span_id))

    def running_seconds(self, run_id: str) -> float:
        """The seconds ``run_id`` ran in all: the sum of its spans' lengths."""
        row = self._conn().execute("SELECT coalesce(sum(end - start), 0) FROM run_spans WHERE run_id=?",
                                   (run_id,)).fetchone()
        return float(row[0])

    def running_spans(self, run_id: str) -> list[tuple[float, float]]:
        """The spans of ``run_id``, oldest first, as ``(start, end)`` epoch seconds."""
        rows = self._conn().execute("SELECT start, end FROM run_spans WHERE run_id=? ORDER BY id", (run_id,)).fetchall()
        return [(float(a), float(b)) for a, b in rows]

    def reopen_lost_run(self, run_id: str, driver: dict[str, Any], now: float, details: str) -> bool:
        """Move ``run_id`` from Failed with error code ``DriverLost`` back to Running, driven by ``driver``: its
        end time and error are cleared, a status event with ``details`` is added. Checked and written in one
        transaction, so of two processes resuming the same run only one succeeds. Returns whether it did."""
        with self._transaction() as conn:
            row = conn.execute("SELECT status, error FROM runs WHERE run_id=?", (run_id,)).fetchone()
            if row is None or row[0] != st.FAILED or error_code(loads(row[1])) != DRIVER_LOST:
                return False
            conn.execute("UPDATE runs SET status=?, end_time=NULL, error=NULL, driver=? WHERE run_id=?",
                         (st.RUNNING, dumps(driver), run_id))
            conn.execute("INSERT INTO status_events (run_id, status, time, details) VALUES (?,?,?,?)",
                         (run_id, st.RUNNING, now, details))
            return True


def error_code(error: dict[str, Any] | None) -> str | None:
    """The code of a stored run error ``{"error": {"code": ...}}``, or None."""
    return ((error or {}).get("error") or {}).get("code")
