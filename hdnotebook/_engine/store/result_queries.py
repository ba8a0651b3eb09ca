"""Set-based reads of whole sweeps for tables of results: a few queries per sweep, never one per run.

The aggregates are computed by SQLite over the ``metrics_by_run`` index; values come back as the stored JSON
text of an actual logged call, so the caller decodes them exactly (SQLite's own text-to-real conversion can be
one ulp off, so it only orders the values here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from hdnotebook import status as st

# the plan line of a GROUP BY done through a sorter: a group's calls are then not aggregated in logging order
_GROUP_SORTER = "TEMP B-TREE FOR GROUP BY"
# from 3.44 an aggregate can be given its order; before, the order is that of the rows the plan walks
_ORDERED_AGGREGATES = sqlite3.sqlite_version_info >= (3, 44, 0)

# a stored JSON value that starts with '-' or a digit (text from '-' up to ':') is a number (or '-Infinity'); anything else (a list call,
# a string, a bool, null, NaN, Infinity) makes its run and metric "irregular": the caller decodes those calls itself
_REGULAR = "(m.kind = 'scalar' AND m.value >= '-' AND m.value < ':')"


def _children_of(parent_ids: Sequence[str]) -> tuple[str, list[Any]]:
    return f"m.run_id IN (SELECT run_id FROM runs WHERE parent_id IN ({','.join('?' * len(parent_ids))}))", list(parent_ids)


def _names_filter(names: Sequence[str] | None) -> tuple[str, list[Any]]:
    if names is None:
        return "", []
    return f" AND m.name IN ({','.join('?' * len(names))})", list(names)


class ResultQueries:
    """Mixin of Store: needs ``self._conn()``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def sweep_children(self, parent_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The children of the given sweeps, ordered by sweep (as given) then child index: tuples of
        (run_id, parent_id, child_index, number, status, start_time, end_time, hyperparameters as JSON text,
        the ``terminationReason`` property as JSON text or None, the details of the run's first
        CancelRequested status event or None). Times are epoch seconds."""
        if not parent_ids:
            return []
        order = " ".join(f"WHEN ? THEN {i}" for i in range(len(parent_ids)))
        sql = ("SELECT r.run_id, r.parent_id, r.child_index, r.number, r.status, r.start_time, r.end_time,"
               " r.hyperparameters, p.value,"
               " (SELECT e.details FROM status_events e WHERE e.run_id = r.run_id AND e.status = ? ORDER BY e.id LIMIT 1)"
               " FROM runs r LEFT JOIN properties p ON p.run_id = r.run_id AND p.key = 'terminationReason'"
               f" WHERE r.parent_id IN ({','.join('?' * len(parent_ids))})"
               f" ORDER BY CASE r.parent_id {order} END, r.child_index, r.number")
        return self._conn().execute(sql, [st.CANCEL_REQUESTED, *parent_ids, *parent_ids]).fetchall()

    def child_metric_extremes(self, parent_ids: Sequence[str], names: Sequence[str] | None,
                              largest: bool) -> list[tuple[str, str, str | None, int, int]]:
        """Per child of the sweeps and metric name (only ``names`` unless None): (run_id, name, the stored JSON
        text of the largest (``largest``) or smallest scalar value, the number of calls, the number of
        irregular calls). A group with irregular calls (lists, non-numbers, NaN, Infinity) must be decoded
        by the caller from its calls; in the others every call is one finite number (or -Infinity, which
        the caller also recognises in the returned text)."""
        if not parent_ids:
            return []
        where, args = _children_of(parent_ids)
        names_sql, names_args = _names_filter(names)
        aggregate = "MAX" if largest else "MIN"
        # a bare column next to a single MAX/MIN comes from the row holding that extreme (SQLite guarantees it)
        sql = (f"SELECT m.run_id, m.name, {aggregate}(CAST(m.value AS REAL)), m.value, COUNT(*), SUM(NOT {_REGULAR})"
               f" FROM metrics m WHERE {where}{names_sql} GROUP BY m.run_id, m.name")
        return [(run_id, name, text, count, irregular)
                for run_id, name, _, text, count, irregular in self._conn().execute(sql, args + names_args)]

    def child_last_metric_calls(self, parent_ids: Sequence[str], names: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """Per child of the sweeps and metric name of ``names``, its last call (if it made one):
        (run_id, name, kind, value as stored JSON)."""
        if not parent_ids or not names:
            return []
        # one index seek per run and name (MAX of the index's last column), not a walk over every call
        sql = (f"WITH n(name) AS (VALUES {','.join(['(?)'] * len(names))})"
               " SELECT m.run_id, m.name, m.kind, m.value FROM runs r CROSS JOIN n CROSS JOIN metrics m"
               " ON m.id = (SELECT MAX(x.id) FROM metrics x WHERE x.run_id = r.run_id AND x.name = n.name)"
               f" WHERE r.parent_id IN ({','.join('?' * len(parent_ids))})")
        return self._conn().execute(sql, [*names, *parent_ids]).fetchall()

    def child_metric_series(self, parent_id: str, names: Sequence[str] | None,
                            up_to: int | None = None) -> list[tuple[str, str, int, int, int, int, str | None]]:
        """Per child of the sweep and metric name (only ``names`` unless None; only calls with id <= ``up_to``
        unless None): (run_id, name, id of its first call, number of calls, number of list calls, number of calls
        of other kinds than scalar and list (rows, tables, images, JSON), and the values of its calls as stored
        JSON joined by commas, in logging order). The text is None when SQLite would group through a sorter
        (before 3.44 the order is then not guaranteed): the caller reads those calls itself. One query, walking
        the ``metrics_by_run`` index; whether the values are numbers is for the caller's decoder to tell (an
        SQL test of each value cost more than the rest of the query)."""
        concat = "group_concat(m.value, ',' ORDER BY m.id)" if _ORDERED_AGGREGATES else "group_concat(m.value, ',')"
        names_sql, names_args = _names_filter(names)
        up_to_sql = "" if up_to is None else " AND m.id <= ?"
        sql = (f"SELECT m.run_id, m.name, MIN(m.id), COUNT(*), SUM(m.kind = 'list'), SUM(m.kind NOT IN ('scalar', 'list')),"
               f" {concat} FROM metrics m WHERE m.run_id IN (SELECT run_id FROM runs WHERE parent_id = ?){names_sql}{up_to_sql}"
               " GROUP BY m.run_id, m.name")
        args = [parent_id, *names_args, *([] if up_to is None else [up_to])]
        conn = self._conn()
        if _ORDERED_AGGREGATES or not any(_GROUP_SORTER in row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)):
            return conn.execute(sql, args).fetchall()
        return [(*row[:6], None) for row in conn.execute(sql, args)]

    def metric_texts_of_runs(self, run_ids: Sequence[str], names: Sequence[str] | None,
                             up_to: int | None = None) -> list[tuple[str, str, str, str]]:
        """(run_id, name, kind, value as stored JSON) of every call of the runs (only ``names`` unless None; only
        calls with id <= ``up_to`` unless None), in logging order; read in chunks of 500 runs."""
        out: list[tuple[str, str, str, str]] = []
        names_sql, names_args = _names_filter(names)
        up_to_sql, up_to_args = ("", []) if up_to is None else (" AND m.id <= ?", [up_to])
        for start in range(0, len(run_ids), 500):
            chunk = list(run_ids[start:start + 500])
            sql = (f"SELECT m.run_id, m.name, m.kind, m.value FROM metrics m"
                   f" WHERE m.run_id IN ({','.join('?' * len(chunk))}){names_sql}{up_to_sql} ORDER BY m.id")
            out += self._conn().execute(sql, chunk + names_args + up_to_args).fetchall()
        return out
