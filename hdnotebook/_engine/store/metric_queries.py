"""The metric part of the store: writing batches of child events and reading metric calls back."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from hdnotebook._engine.store.rows import (
    METRIC_COLUMNS as _METRIC_COLUMNS,
    MetricRow,
    dumps as _dumps,
    metric_row as _metric_row,
    numeric_values,
    tag_text as _tag_text,
)


class MetricQueries:
    """Mixin of Store: needs ``self._conn()`` and ``self._transaction()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    # metrics ---------------------------------------------------------------------------------

    def apply_events(self, events: Sequence[dict[str, Any]]) -> None:
        """Write a batch of child events in one transaction.

        Event forms (``run`` is the run id, ``t`` epoch seconds):
        ``{"op": "metric", "run", "name", "kind", "value", "step", "t", "desc"}``,
        ``{"op": "tags", "run", "tags": {...}}``, ``{"op": "remove_tags", "run", "keys": [...]}``,
        ``{"op": "properties", "run", "properties": {...}}``, ``{"op": "files", "run", "files": [[name, size], ...]}``.
        Other ops are ignored here (the tuning loop handles them).
        """
        metric_rows = []
        statements: list[tuple[str, Sequence[Any]]] = []
        for ev in events:
            op = ev.get("op")
            if op == "metric":
                metric_rows.append(
                    (ev["run"], ev["name"], ev["kind"], _dumps(ev["value"]), ev.get("step"), ev["t"], ev.get("desc") or None)
                )
            elif op == "tags":
                statements += [("INSERT OR REPLACE INTO tags VALUES (?,?,?)", (ev["run"], k, _tag_text(v))) for k, v in ev["tags"].items()]
            elif op == "remove_tags":
                statements += [("DELETE FROM tags WHERE run_id=? AND key=?", (ev["run"], k)) for k in ev["keys"]]
            elif op == "properties":
                statements += [
                    ("INSERT OR IGNORE INTO properties VALUES (?,?,?)", (ev["run"], k, _tag_text(v)))
                    for k, v in ev["properties"].items()
                ]
            elif op == "files":
                statements += [("INSERT OR REPLACE INTO files VALUES (?,?,?)", (ev["run"], n, s)) for n, s in ev["files"]]
        if not metric_rows and not statements:
            return
        with self._transaction() as conn:
            if metric_rows:
                conn.executemany(
                    "INSERT INTO metrics (run_id, name, kind, value, step, time, description) VALUES (?,?,?,?,?,?,?)",
                    metric_rows,
                )
            for sql, args in statements:
                conn.execute(sql, args)

    def copy_metrics(self, source_run_id: str, target_run_id: str) -> int:
        """Copy every metric call of one run to another (same order, times and steps); returns how many."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO metrics (run_id, name, kind, value, step, time, description)"
                " SELECT ?, name, kind, value, step, time, description FROM metrics WHERE run_id=? ORDER BY id",
                (target_run_id, source_run_id),
            )
            return cursor.rowcount

    def metric_rows(self, run_id: str, name: str | None = None) -> list[MetricRow]:
        """Every metric call of a run (optionally of one name), in logging order."""
        sql = f"SELECT {_METRIC_COLUMNS} FROM metrics WHERE run_id=?"
        args: list[Any] = [run_id]
        if name is not None:
            sql += " AND name=?"
            args.append(name)
        rows = self._conn().execute(sql + " ORDER BY id", args).fetchall()
        return [_metric_row(r) for r in rows]

    def metric_rows_for(self, run_ids: Sequence[str], name: str | None = None) -> dict[str, list[MetricRow]]:
        """Metric calls of several runs at once: ``{run_id: [rows in logging order]}``."""
        out: dict[str, list[MetricRow]] = {r: [] for r in run_ids}
        for start in range(0, len(run_ids), 500):
            chunk = list(run_ids[start:start + 500])
            sql = f"SELECT {_METRIC_COLUMNS} FROM metrics WHERE run_id IN ({','.join('?' * len(chunk))})"
            args: list[Any] = chunk
            if name is not None:
                sql += " AND name=?"
                args = [*chunk, name]
            for r in self._conn().execute(sql + " ORDER BY id", args):
                row = _metric_row(r)
                out[row.run_id].append(row)
        return out

    def metric_curves(self, run_ids: Sequence[str], name: str) -> dict[str, list[float]]:
        """The numbers each run logged for metric ``name``, in logging order (``numeric_values``): ``{run_id: values}``.
        With a sweep's children and its primary metric: the primary-metric curves of the sweep."""
        return {run_id: numeric_values(rows) for run_id, rows in self.metric_rows_for(run_ids, name).items()}

    def metrics_after(self, cursor: int, run_ids: Sequence[str] | None = None, name: str | None = None) -> list[MetricRow]:
        """Metric calls with id > cursor (optionally only of some runs, or of one name), in logging order."""
        sql = f"SELECT {_METRIC_COLUMNS} FROM metrics WHERE id>?"
        args: list[Any] = [cursor]
        if name is not None:
            sql += " AND name=?"
            args.append(name)
        if run_ids is not None:
            sql += f" AND run_id IN ({','.join('?' * len(run_ids))})"
            args += list(run_ids)
        return [_metric_row(r) for r in self._conn().execute(sql + " ORDER BY id", args)]

    def child_calls_after(self, parent_id: str, cursor: int, names: Sequence[str] | None = None) -> tuple[list[MetricRow], int]:
        """What the parent's children logged since row id ``cursor`` (optionally only some names), in logging order,
        and the cursor for the next read (the last row's id; ``cursor`` when there is none). Reads only the rows
        after ``cursor`` (of every run), so it suits a recent cursor: the one incremental read of a sweep's curves
        (the tuning loop, the widget, progress); for all of a sweep's calls use ``child_metric_texts``. A call's
        values are ``row.items()``, its numbers ``numbers_of(row.items())``."""
        # CROSS JOIN makes SQLite read the new metric rows (a range of ids) first, then their runs; with a plain
        # join it chose every child's rows through metrics_by_run, a full read of the sweep on every poll
        sql = (f"SELECT {', '.join('m.' + c for c in _METRIC_COLUMNS.split(', '))} FROM metrics m"
               " CROSS JOIN runs r ON r.run_id = m.run_id WHERE m.id > ? AND r.parent_id = ?")
        args: list[Any] = [cursor, parent_id]
        if names is not None:
            sql += f" AND m.name IN ({','.join('?' * len(names))})"
            args += list(names)
        rows = [_metric_row(r) for r in self._conn().execute(sql + " ORDER BY m.id", args)]
        return rows, (rows[-1].id if rows else cursor)

    def child_metric_texts(self, parent_id: str, names: Sequence[str], up_to: int) -> list[tuple[str, str, str, str]]:
        """(run_id, name, kind, value as stored JSON) of the parent's children's calls of ``names`` with id <= ``up_to``,
        in logging order: one query, the values left for the caller to decode in bulk."""
        sql = ("SELECT m.run_id, m.name, m.kind, m.value FROM metrics m JOIN runs r ON r.run_id = m.run_id"
               f" WHERE r.parent_id = ? AND m.id <= ? AND m.name IN ({','.join('?' * len(names))}) ORDER BY m.id")
        return self._conn().execute(sql, [parent_id, up_to, *names]).fetchall()

    def metric_names_of_children(self, parent_id: str) -> list[str]:
        """Distinct metric names the parent's children logged, sorted."""
        # a hop through metrics_by_run from each name of a child to its next one: a few index seeks per child,
        # not a read of every call (4x faster at 5000 children x 100 calls)
        rows = self._conn().execute(
            "WITH RECURSIVE n(run_id, name) AS ("
            " SELECT r.run_id, (SELECT MIN(m.name) FROM metrics m WHERE m.run_id = r.run_id) FROM runs r WHERE r.parent_id = ?"
            " UNION ALL SELECT n.run_id, (SELECT MIN(m.name) FROM metrics m WHERE m.run_id = n.run_id AND m.name > n.name)"
            " FROM n WHERE n.name IS NOT NULL)"
            " SELECT DISTINCT name FROM n WHERE name IS NOT NULL ORDER BY name",
            (parent_id,),
        )
        return [r[0] for r in rows]

    def last_metric_id(self) -> int:
        """The id of the newest metric call (0 when there is none): a cursor for metrics_after."""
        (value,) = self._conn().execute("SELECT COALESCE(MAX(id), 0) FROM metrics").fetchone()
        return int(value)
