"""The workspace store: one SQLite file (WAL) holding every run, argument, metric, status and file.

Writes commit before the call returns, so anything a call wrote survives the writing process being
killed; the WAL journal with ``synchronous=NORMAL`` can lose the last commits only if the operating
system itself crashes. Each thread uses its own connection; readers never block the writer.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.store.compute_queries import ComputeQueries
from hdnotebook._engine.store.damage import refuse_damaged
from hdnotebook._engine.store.dataset_queries import DatasetQueries
from hdnotebook._engine.store.faults import ensure_reserve, write_failure
from hdnotebook._engine.store.metric_queries import MetricQueries
from hdnotebook._engine.store.model_queries import ModelQueries
from hdnotebook._engine.store.pending import PendingEnds
from hdnotebook._engine.store.result_queries import ResultQueries
from hdnotebook._engine.store.rows import (
    RUN_COLUMNS as _RUN_COLUMNS,
    RunRecord,
    dumps as _dumps,
    run_record as _run_record,
    tag_text as _tag_text,
    where_equal as _where_equal,
)
from hdnotebook._engine.store.schema import SCHEMA, SCHEMA_VERSION
from hdnotebook._engine.store.sweep_state_queries import SweepStateQueries
from hdnotebook.exceptions import UserErrorException
from hdnotebook.names import RUN_ID_PUNCTUATION, check_name

STORE_FILE = "store.sqlite"
RUN_FILE_FOLDERS = ("outputs", "logs", "user_logs")


class _ThreadConnection:
    """One thread's connection, closed when the thread ends or the Store is dropped (whichever lets go of it first):
    a connection left to the garbage collector is a ResourceWarning from Python 3.13 on. ``open_connections`` is
    the Store's set of them, which its finaliser closes (see ``Store.__init__``)."""

    __slots__ = ("conn", "open_connections")

    def __init__(self, conn: sqlite3.Connection, open_connections: set[sqlite3.Connection]) -> None:
        self.conn = conn
        self.open_connections = open_connections
        open_connections.add(conn)

    def __del__(self) -> None:
        self.open_connections.discard(self.conn)
        with contextlib.suppress(Exception):
            self.conn.close()


def _close_all(connections: set[sqlite3.Connection]) -> None:
    for conn in list(connections):
        with contextlib.suppress(Exception):
            conn.close()
    connections.clear()


@contextlib.contextmanager
def _removed_unless_committed(folder: Path) -> Iterator[None]:
    """A run folder that the block creates is removed again (when still empty) if the block raises."""
    existed = folder.exists()
    try:
        yield
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


class Store(MetricQueries, ModelQueries, DatasetQueries, ResultQueries, ComputeQueries, SweepStateQueries, PendingEnds):
    """Access to ``<folder>/store.sqlite``; safe to share between threads of one process.

    A write the disk refuses (full, read-only, failing) raises ``StoreWriteError`` naming the file and the cause,
    after rolling the whole transaction back.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STORE_FILE
        self._local = threading.local()
        # A Store caught in a reference cycle is collected with its thread-locals, and the collector may finalise a
        # connection before the _ThreadConnection that would close it; weakref callbacks run before any finaliser.
        self._open_connections: set[sqlite3.Connection] = set()
        # not at exit: the cancel-at-exit of running sweeps still writes through this store then
        weakref.finalize(self, _close_all, self._open_connections).atexit = False
        self._init_lock = threading.Lock()
        self._init_pending()
        with self._init_lock, refuse_damaged(self.path, self.close):
            conn = self._conn()
            with conn:
                conn.executescript(SCHEMA)
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    # OR IGNORE: another process creating the same new store may have written it meanwhile
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise RuntimeError(
                        f"The store {self.path} was written by a newer hdnotebook (schema {row[0]}); upgrade hdnotebook"
                    )
                elif int(row[0]) < SCHEMA_VERSION:  # every migration so far only adds tables, which SCHEMA created
                    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        ensure_reserve(self.path)  # best effort: a full disk or a read-only folder just has none

    def _conn(self) -> sqlite3.Connection:
        held = getattr(self._local, "conn", None)
        if held is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            held = self._local.conn = _ThreadConnection(conn, self._open_connections)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
        return held.conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back whole if it or the commit raises.

        A full, read-only or failing disk raises StoreWriteError (see ``faults.write_failure``)."""
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # a failed COMMIT (full disk) may leave the transaction open
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except (sqlite3.OperationalError, OSError) as error:
            failure = write_failure(error, self.path)
            if failure is None:
                raise
            raise failure from error

    def _write(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        with self._transaction() as conn:
            for sql, args in statements:
                conn.execute(sql, args)

    def run_folder(self, run_id: str) -> Path:
        """The folder that holds a run's files (outputs/, logs/, ...); a run id that is not one folder name is refused."""
        return self.folder / "runs" / check_name(run_id, "run_id", punctuation=RUN_ID_PUNCTUATION)

    # experiments and runs -------------------------------------------------------------------

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
        """Insert a run (its folder is created too) and return it; a run created Running starts now.

        A ``run_id`` that a run of the workspace already has raises UserErrorException (error code RunIdInUse)
        and changes nothing."""
        now = time.time()
        folder = self.run_folder(run_id)
        with _removed_unless_committed(folder), self._transaction() as conn:
            taken = conn.execute("SELECT experiment FROM runs WHERE run_id=?", (run_id,)).fetchone()
            if taken is not None:
                raise UserErrorException(
                    f"run_id {run_id!r} is already the id of a run of experiment {taken[0]!r}: a run id must be "
                    "unique in its workspace", error_code="RunIdInUse")
            folder.mkdir(parents=True, exist_ok=True)  # inside, so that a full disk raises StoreWriteError
            conn.execute("INSERT OR IGNORE INTO experiments VALUES (?, ?)", (experiment, now))
            (number,) = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE experiment=?", (experiment,)
            ).fetchone()
            conn.execute(
                "INSERT INTO runs (run_id, experiment, parent_id, child_index, number, run_type, status,"
                " created_time, start_time, display_name, description, definition, hyperparameters, config, driver,"
                " run_dir) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id, experiment, parent_id, child_index, number, run_type, status, now,
                    now if status == st.RUNNING else None,
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
        return self._overlaid(_run_record(row)) if row else None

    def list_runs(
        self,
        *,
        experiment: str | None = None,
        parent_id: str | None = None,
        top_level: bool = False,
    ) -> list[RunRecord]:
        """Runs filtered by experiment and/or parent, in creation order (children by index)."""
        where, args = _where_equal(experiment=experiment, parent_id=parent_id)
        if top_level:
            where.append("parent_id IS NULL")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        order = "child_index" if parent_id is not None else "created_time"
        rows = self._conn().execute(f"SELECT {_RUN_COLUMNS} FROM runs {clause} ORDER BY {order}", args).fetchall()
        return [self._overlaid(_run_record(r)) for r in rows]

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
        with self._transaction() as conn:
            return self._apply_status(conn, run_id, status, error=error, details=details,
                                      only_if_active=only_if_active, now=time.time())

    def _apply_status(self, conn: sqlite3.Connection, run_id: str, status: str, *, error: dict[str, Any] | None,
                      details: str | None, only_if_active: bool, now: float) -> bool:
        """set_status inside the open transaction ``conn``."""
        row = conn.execute("SELECT status, start_time FROM runs WHERE run_id=?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        current, started = row
        if (only_if_active and st.is_terminal(current)) or current == status:
            return False
        sets: list[str] = ["status=?"]
        args: list[Any] = [status]
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

    def last_status_event_id(self) -> int:
        """The id of the newest status event (0 when there is none): a cursor for child_states_since."""
        (value,) = self._conn().execute("SELECT COALESCE(MAX(id), 0) FROM status_events").fetchone()
        return int(value)

    def child_states_since(self, parent_id: str, event_cursor: int, also: Sequence[str] = ()
                           ) -> tuple[list[tuple[str, int | None, str, float | None, float | None]], int]:
        """(run_id, child_index, status, start_time, end_time), by index, of the parent's children created or whose
        status changed after the status event ``event_cursor`` (status, start and end time change only with a
        status event), plus those in ``also``; and the newest status event id, the cursor for the next call.
        Costs what changed, not the sweep's size."""
        newest = self.last_status_event_id()
        also = [*also, *self.unwritten()]  # a kept final status has no status event yet
        # "+parent_id" keeps SQLite from choosing runs_by_parent, a scan of every child on each call; the runs are
        # then found by id from the new status events
        sql = ("SELECT run_id, child_index, status, start_time, end_time FROM runs WHERE +parent_id=? AND"
               " (run_id IN (SELECT run_id FROM status_events WHERE id > ?)"
               + (f" OR run_id IN ({','.join('?' * len(also))})" if also else "") + ") ORDER BY child_index")
        rows = self._conn().execute(sql, (parent_id, event_cursor, *also)).fetchall()
        if self._pending:  # kept final statuses (the store could not be written) show as they will be committed
            rows = [(r[0], r[1], self._overlaid_status(r[0], r[2]), r[3], r[4]) for r in rows]
        return rows, newest

    def children_with_status(self, parent_id: str, status: str) -> list[str]:
        """Ids of the parent's children that are in ``status``."""
        rows = self._conn().execute("SELECT run_id FROM runs WHERE parent_id=? AND status=?", (parent_id, status))
        return [r[0] for r in rows]

    def child_statuses(self, parent_id: str) -> list[tuple[str, str, str | None]]:
        """(run_id, status, driver as stored JSON text or None) of the parent's children, in ``list_runs(parent_id=...)``
        order (by child index); statuses kept in memory (``unwritten``) show as they will be committed. One query."""
        rows = self._conn().execute("SELECT run_id, status, driver FROM runs WHERE parent_id=? ORDER BY child_index",
                                    (parent_id,)).fetchall()
        return [(run_id, self._overlaid_status(run_id, status), driver) for run_id, status, driver in rows]

    def status_of(self, run_id: str) -> str | None:
        """Just the status of one run (None if there is no such run)."""
        row = self._conn().execute("SELECT status FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return self._overlaid_status(run_id, row[0]) if row else None

    def children_property(self, parent_id: str, key: str) -> dict[str, str | None]:
        """``{child run id: value}`` of one property, for the parent's children that have it."""
        rows = self._conn().execute(
            "SELECT p.run_id, p.value FROM properties p JOIN runs r ON r.run_id = p.run_id WHERE r.parent_id=? AND p.key=?",
            (parent_id, key),
        )
        return {run_id: value for run_id, value in rows}

    def status_events(self, run_id: str) -> list[tuple[str, float, str | None]]:
        """(status, time, details) of every status change of a run, oldest first."""
        rows = self._conn().execute(
            "SELECT status, time, details FROM status_events WHERE run_id=? ORDER BY id", (run_id,)
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

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

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends or the store is dropped)."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            self._open_connections.discard(held.conn)
            held.conn.close()
            self._local.conn = None
