"""The workspace store: one SQLite file (WAL) holding every run, argument, metric, status and file.

Writes commit before the call returns, so anything a call wrote survives the writing process being
killed; the WAL journal with ``synchronous=NORMAL`` can lose the last commits only if the operating
system itself crashes. Each thread uses its own connection; readers never block the writer.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from hdnotebook import status as st
from hdnotebook.store.schema import SCHEMA, SCHEMA_VERSION

STORE_FILE = "store.sqlite"
RUN_FILE_FOLDERS = ("outputs", "logs", "user_logs")


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


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Store:
    """Access to ``<folder>/store.sqlite``; safe to share between threads of one process."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STORE_FILE
        self._local = threading.local()
        self._init_lock = threading.Lock()
        with self._init_lock:
            conn = self._conn()
            with conn:
                conn.executescript(SCHEMA)
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise RuntimeError(
                        f"The store {self.path} was written by a newer hdnotebook (schema {row[0]}); upgrade hdnotebook"
                    )

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _write(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        with self._transaction() as conn:
            for sql, args in statements:
                conn.execute(sql, args)

    def run_folder(self, run_id: str) -> Path:
        """The folder that holds a run's files (outputs/, logs/, ...)."""
        return self.folder / "runs" / run_id

    # experiments and runs -------------------------------------------------------------------

    def ensure_experiment(self, name: str) -> None:
        """Create the experiment if it does not exist yet."""
        self._write([("INSERT OR IGNORE INTO experiments VALUES (?, ?)", (name, time.time()))])

    def experiments(self) -> list[str]:
        """Experiment names, oldest first."""
        rows = self._conn().execute("SELECT name FROM experiments ORDER BY created_time").fetchall()
        return [r[0] for r in rows]

    def create_run(
        self,
        run_id: str,
        experiment: str,
        run_type: str,
        *,
        parent_id: str | None = None,
        child_index: int | None = None,
        status: str = st.NOT_STARTED,
        display_name: str | None = None,
        description: str | None = None,
        definition: dict[str, Any] | None = None,
        hyperparameters: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        driver: dict[str, Any] | None = None,
        tags: dict[str, Any] | None = None,
        properties: dict[str, Any] | None = None,
    ) -> RunRecord:
        """Insert a run (its folder is created too) and return it."""
        now = time.time()
        folder = self.run_folder(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO experiments VALUES (?, ?)", (experiment, now))
            (number,) = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE experiment=?", (experiment,)
            ).fetchone()
            conn.execute(
                "INSERT INTO runs (run_id, experiment, parent_id, child_index, number, run_type, status,"
                " created_time, display_name, description, definition, hyperparameters, config, driver, run_dir)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id, experiment, parent_id, child_index, number, run_type, status, now,
                    display_name, description, _dumps(definition) if definition is not None else None,
                    _dumps(hyperparameters) if hyperparameters is not None else None,
                    _dumps(config) if config is not None else None,
                    _dumps(driver) if driver is not None else None, str(folder),
                ),
            )
            conn.execute("INSERT INTO status_events (run_id, status, time) VALUES (?,?,?)", (run_id, status, now))
            for key, value in (tags or {}).items():
                conn.execute("INSERT OR REPLACE INTO tags VALUES (?,?,?)", (run_id, key, _tag_text(value)))
            for key, value in (properties or {}).items():
                conn.execute("INSERT OR IGNORE INTO properties VALUES (?,?,?)", (run_id, key, _tag_text(value)))
        record = self.get_run(run_id)
        assert record is not None
        return record

    def get_run(self, run_id: str) -> RunRecord | None:
        """The run with this id, or None."""
        row = self._conn().execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return _run_record(row) if row else None

    def list_runs(
        self,
        *,
        experiment: str | None = None,
        parent_id: str | None = None,
        top_level: bool = False,
    ) -> list[RunRecord]:
        """Runs filtered by experiment and/or parent, in creation order (children by index)."""
        where, args = [], []
        if experiment is not None:
            where.append("experiment=?")
            args.append(experiment)
        if parent_id is not None:
            where.append("parent_id=?")
            args.append(parent_id)
        if top_level:
            where.append("parent_id IS NULL")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        order = "child_index" if parent_id is not None else "created_time"
        rows = self._conn().execute(f"SELECT {_RUN_COLUMNS} FROM runs {clause} ORDER BY {order}", args).fetchall()
        return [_run_record(r) for r in rows]

    def set_status(
        self,
        run_id: str,
        status: str,
        *,
        error: dict[str, Any] | None = None,
        details: str | None = None,
        only_if_active: bool = False,
    ) -> bool:
        """Move a run to ``status``; the first Running sets start_time, a final status sets end_time.

        With ``only_if_active`` a run already in a final status is left alone. Returns whether
        the status changed.
        """
        now = time.time()
        with self._transaction() as conn:
            row = conn.execute("SELECT status, start_time FROM runs WHERE run_id=?", (run_id,)).fetchone()
            if row is None:
                raise KeyError(run_id)
            current, started = row
            if (only_if_active and st.is_terminal(current)) or current == status:
                return False
            sets, args = ["status=?"], [status]
            if status == st.RUNNING and started is None:
                sets.append("start_time=?")
                args.append(now)
            if st.is_terminal(status):
                sets.append("end_time=?")
                args.append(now)
                if started is None:
                    sets.append("start_time=?")
                    args.append(now)
            if error is not None:
                sets.append("error=?")
                args.append(_dumps(error))
            conn.execute(f"UPDATE runs SET {', '.join(sets)} WHERE run_id=?", (*args, run_id))
            conn.execute(
                "INSERT INTO status_events (run_id, status, time, details) VALUES (?,?,?,?)",
                (run_id, status, now, details),
            )
        return True

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set plain columns (display_name, description) or JSON columns (definition, config, driver, error)."""
        allowed = {"display_name", "description", "definition", "config", "driver", "error", "hyperparameters"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"update_run cannot set {sorted(unknown)}")
        json_cols = {"definition", "config", "driver", "error", "hyperparameters"}
        sets = ", ".join(f"{k}=?" for k in fields)
        values = [_dumps(v) if k in json_cols and v is not None else v for k, v in fields.items()]
        self._write([(f"UPDATE runs SET {sets} WHERE run_id=?", (*values, run_id))])

    def child_states(self, parent_id: str) -> list[tuple[str, int | None, str, float | None, float | None]]:
        """(run_id, child_index, status, start_time, end_time) of every child, by index: a cheap poll."""
        rows = self._conn().execute(
            "SELECT run_id, child_index, status, start_time, end_time FROM runs WHERE parent_id=? ORDER BY child_index",
            (parent_id,),
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def child_metrics_after(self, parent_id: str, cursor: int, names: Sequence[str] | None = None) -> list[MetricRow]:
        """Metric calls of the parent's children with id > cursor (optionally only some names), in logging order."""
        sql = (f"SELECT {', '.join('m.' + c for c in _METRIC_COLUMNS.split(', '))} FROM metrics m"
               " JOIN runs r ON r.run_id = m.run_id WHERE m.id > ? AND r.parent_id = ?")
        args: list[Any] = [cursor, parent_id]
        if names is not None:
            sql += f" AND m.name IN ({','.join('?' * len(names))})"
            args += list(names)
        return [_metric_row(r) for r in self._conn().execute(sql + " ORDER BY m.id", args)]

    def metric_names_of_children(self, parent_id: str) -> list[str]:
        """Distinct metric names the parent's children logged, sorted."""
        rows = self._conn().execute(
            "SELECT DISTINCT m.name FROM metrics m JOIN runs r ON r.run_id = m.run_id WHERE r.parent_id = ? ORDER BY m.name",
            (parent_id,),
        )
        return [r[0] for r in rows]

    def last_metric_id(self) -> int:
        """The id of the newest metric call (0 when there is none): a cursor for metrics_after."""
        (value,) = self._conn().execute("SELECT COALESCE(MAX(id), 0) FROM metrics").fetchone()
        return int(value)

    def children_with_status(self, parent_id: str, status: str) -> list[str]:
        """Ids of the parent's children that are in ``status``."""
        rows = self._conn().execute("SELECT run_id FROM runs WHERE parent_id=? AND status=?", (parent_id, status))
        return [r[0] for r in rows]

    def status_of(self, run_id: str) -> str | None:
        """Just the status of one run (None if there is no such run)."""
        row = self._conn().execute("SELECT status FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return row[0] if row else None

    def status_events(self, run_id: str) -> list[tuple[str, float, str | None]]:
        """(status, time, details) of every status change of a run, oldest first."""
        rows = self._conn().execute(
            "SELECT status, time, details FROM status_events WHERE run_id=? ORDER BY id", (run_id,)
        ).fetchall()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    # tags, properties, files ---------------------------------------------------------------

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        """Add or overwrite tags (values stored as strings; None stays None)."""
        self._write(("INSERT OR REPLACE INTO tags VALUES (?,?,?)", (run_id, k, _tag_text(v))) for k, v in tags.items())

    def remove_tags(self, run_id: str, keys: Iterable[str]) -> None:
        """Delete the given tag keys (absent keys are ignored)."""
        self._write(("DELETE FROM tags WHERE run_id=? AND key=?", (run_id, k)) for k in keys)

    def get_tags(self, run_id: str) -> dict[str, str | None]:
        """All tags of a run."""
        rows = self._conn().execute("SELECT key, value FROM tags WHERE run_id=? ORDER BY rowid", (run_id,))
        return {k: v for k, v in rows}

    def add_properties(self, run_id: str, properties: dict[str, Any]) -> None:
        """Add properties; a key that exists keeps its first value (properties are immutable)."""
        self._write(
            ("INSERT OR IGNORE INTO properties VALUES (?,?,?)", (run_id, k, _tag_text(v))) for k, v in properties.items()
        )

    def get_properties(self, run_id: str) -> dict[str, str | None]:
        """All properties of a run."""
        rows = self._conn().execute("SELECT key, value FROM properties WHERE run_id=? ORDER BY rowid", (run_id,))
        return {k: v for k, v in rows}

    def record_files(self, run_id: str, names_and_sizes: Iterable[tuple[str, int]]) -> None:
        """Register files (paths relative to the run folder, '/'-separated) that the run produced."""
        self._write(("INSERT OR REPLACE INTO files VALUES (?,?,?)", (run_id, n, s)) for n, s in names_and_sizes)

    def register_run_files(self, run_id: str) -> None:
        """Register every file under the run folder's ``outputs/``, ``logs/`` and ``user_logs/``."""
        folder = self.run_folder(run_id)
        found = []
        for top in RUN_FILE_FOLDERS:
            for dirpath, _, names in os.walk(folder / top):
                for name in names:
                    path = Path(dirpath) / name
                    try:
                        found.append((path.relative_to(folder).as_posix(), path.stat().st_size))
                    except OSError:
                        continue
        if found:
            self.record_files(run_id, found)

    def file_names(self, run_id: str) -> list[str]:
        """Names of the files registered for a run, sorted."""
        rows = self._conn().execute("SELECT name FROM files WHERE run_id=? ORDER BY name", (run_id,))
        return [r[0] for r in rows]

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

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def numeric_values(rows: Iterable[MetricRow]) -> list[float]:
    """The numbers that scalar and list calls logged, in order (interval k = item k-1).

    Booleans, strings and None are skipped; NaN is kept (policies decide what it means).
    """
    out: list[float] = []
    for row in rows:
        items = row.value if row.kind == "list" else [row.value] if row.kind == "scalar" else []
        for v in items:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(float(v))
    return out


def finite(values: Iterable[float]) -> list[float]:
    """The finite members of ``values``."""
    return [v for v in values if math.isfinite(v)]


def _tag_text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


_RUN_COLUMNS = (
    "run_id, experiment, parent_id, child_index, number, run_type, status, created_time, start_time, end_time,"
    " display_name, description, definition, hyperparameters, config, error, driver, run_dir"
)
_METRIC_COLUMNS = "id, run_id, name, kind, value, step, time, description"


def _run_record(row: Sequence[Any]) -> RunRecord:
    values = list(row)
    for i in (12, 13, 14, 15, 16):
        values[i] = _loads(values[i])
    return RunRecord(*values)


def _metric_row(row: Sequence[Any]) -> MetricRow:
    return MetricRow(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7])
