"""Final statuses that must not be lost when the store cannot be written (a full disk, a read-only file).

``record_end`` commits a run's final status; when the store refuses the write, the status is kept in memory: this
process's reads of the store (``get_run``, ``status_of``, ``list_runs``, ``child_states_since``) show it at once,
so ``wait_for_completion()`` and the widget see the run ended, and ``flush_unwritten`` commits it later, all
pending statuses in one transaction. When the disk is full, ``use_reserve`` gives the reserve file's space back
first (see ``faults``).
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.store.faults import release_reserve
from hdnotebook._engine.store.rows import RunRecord
from hdnotebook.exceptions import STORE_FULL, StoreWriteError


@dataclasses.dataclass(frozen=True)
class _End:
    status: str
    error: dict[str, Any] | None
    details: str | None
    only_if_active: bool
    time: float


class PendingEnds:
    """Mixin of Store: needs ``self.path``, ``self._transaction()`` and ``self._apply_status(...)``."""

    path: Path

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _apply_status(self, conn: sqlite3.Connection, run_id: str, status: str, *, error: dict[str, Any] | None,
                      details: str | None, only_if_active: bool, now: float) -> bool:
        raise NotImplementedError

    def _init_pending(self) -> None:
        self._pending: dict[str, _End] = {}
        self._pending_lock = threading.Lock()
        self.write_error: StoreWriteError | None = None  # why the last flush_unwritten left statuses uncommitted

    def record_end(self, run_id: str, status: str, *, error: dict[str, Any] | None = None, details: str | None = None,
                   only_if_active: bool = True, use_reserve: bool = False) -> bool:
        """Move a run to the final ``status`` now, or as soon as the store can be written again; True when it (and
        every status kept before) is committed. ``only_if_active`` leaves a run already in a final status alone."""
        with self._pending_lock:
            self._pending[run_id] = _End(status, error, details, only_if_active, time.time())
        return self.flush_unwritten(use_reserve=use_reserve)

    def unwritten(self) -> dict[str, str]:
        """``{run id: final status}`` of the statuses kept in memory, not yet committed."""
        with self._pending_lock:
            return {run_id: end.status for run_id, end in self._pending.items()}

    def flush_unwritten(self, *, use_reserve: bool = False) -> bool:
        """Commit every kept status in one transaction; True when none is left. With ``use_reserve``, a full disk
        gets the reserve file's space back and the write is tried once more."""
        with self._pending_lock:
            ends = dict(self._pending)
        if not ends:
            return True
        try:
            self._write_ends(ends)
        except StoreWriteError as error:
            self.write_error = error
            if not (use_reserve and error.kind == STORE_FULL and release_reserve(self.path)):
                return False
            try:
                self._write_ends(ends)
            except StoreWriteError as again:
                self.write_error = again
                return False
        with self._pending_lock:
            for run_id, end in ends.items():
                if self._pending.get(run_id) is end:
                    del self._pending[run_id]
            return not self._pending

    def _write_ends(self, ends: dict[str, _End]) -> None:
        with self._transaction() as conn:
            for run_id, end in ends.items():
                try:
                    self._apply_status(conn, run_id, end.status, error=end.error, details=end.details,
                                       only_if_active=end.only_if_active, now=end.time)
                except KeyError:  # the run is not in the store (its creation was not committed): nothing to end
                    continue

    # reads see the kept statuses ----------------------------------------------------------------

    def _overlaid(self, record: RunRecord) -> RunRecord:
        end = self._pending.get(record.run_id) if self._pending else None
        if end is None or (end.only_if_active and st.is_terminal(record.status)):
            return record
        return dataclasses.replace(record, status=end.status, error=end.error if end.error is not None else record.error,
                                   end_time=end.time, start_time=record.start_time or end.time)

    def _overlaid_status(self, run_id: str, status: str) -> str:
        end = self._pending.get(run_id) if self._pending else None
        if end is None or (end.only_if_active and st.is_terminal(status)):
            return status
        return end.status
