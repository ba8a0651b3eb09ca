"""Turning SQLite's bare "file is not a database" / "database disk image is malformed" into an error that names
the store file and says what to do. hdnotebook never overwrites or repairs a damaged store by itself."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from hdnotebook.exceptions import DamagedStoreException

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def is_damage(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the database file itself is damaged (not locked, read-only or full)."""
    code = getattr(error, "sqlite_errorcode", None)  # Python >= 3.11
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return type(error) is sqlite3.DatabaseError


def damage_message(path: Path, error: sqlite3.Error) -> str:
    """What went wrong with the store at ``path`` and how to go on."""
    return (f"The workspace store {path} is damaged ({error}); hdnotebook does not overwrite it. "
            f"Move it aside, together with {path.name}-wal and {path.name}-shm if they exist "
            f"(e.g. mv {path} {path}.damaged), to start this workspace with an empty store, or restore it from a "
            f"backup; the runs' files under {path.parent / 'runs'} are not touched.")


@contextlib.contextmanager
def refuse_damaged(path: Path, close: Callable[[], None]) -> Iterator[None]:
    """Re-raise a damaged-file SQLite error inside the block as DamagedStoreException naming ``path``, after
    ``close()`` (which closes the connection, so that no handle on the damaged file stays open)."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            close()
            raise DamagedStoreException(damage_message(path, error), error_code="DamagedStore") from error
        raise
