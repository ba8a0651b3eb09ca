"""Store writes that fail because the disk is full, the file is read-only or the disk fails.

``write_failure`` turns such an error (SQLite's or the operating system's) into one ``StoreWriteError`` that
names the file and the cause. The reserve is a small file next to the store (``store.sqlite-reserve``) whose
space is given back when the disk is full, so that the failure itself (a few status rows) can still be
committed; it is made again when the store is next opened.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from hdnotebook.exceptions import STORE_FULL as FULL, STORE_IO as IO, STORE_READ_ONLY as READ_ONLY, StoreWriteError

RESERVE_SUFFIX = "-reserve"
RESERVE_BYTES = 256 * 1024  # room for about 60 WAL frames of 4 KB: the final statuses of a sweep and its children

# SQLite's primary result codes (the low byte of sqlite_errorcode) and the texts Python < 3.11 only gives
_SQLITE_KINDS = {13: FULL, 8: READ_ONLY, 14: IO, 10: IO}
_SQLITE_TEXTS = {"database or disk is full": FULL, "readonly database": READ_ONLY, "disk i/o error": IO,
                 "unable to open database file": IO}
_OS_KINDS = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EFBIG: FULL, errno.EROFS: READ_ONLY,
             errno.EACCES: READ_ONLY, errno.EPERM: READ_ONLY, errno.EIO: IO}


def write_failure(error: BaseException, path: Path) -> StoreWriteError | None:
    """``error`` as a StoreWriteError naming ``path`` (or the file the OSError or shutil.Error names) when it says the
    disk is full, read-only or failing; None for any other error (a locked database, bad SQL, a damaged file, ...)."""
    if isinstance(error, StoreWriteError):
        return error
    if isinstance(error, sqlite3.OperationalError):
        code = getattr(error, "sqlite_errorcode", None)  # Python >= 3.11
        if code is not None:
            kind = _SQLITE_KINDS.get(code & 0xFF)
        else:
            text = str(error).lower()
            kind = next((k for t, k in _SQLITE_TEXTS.items() if t in text), None)
        return StoreWriteError(path, str(error), kind) if kind else None
    if isinstance(error, shutil.Error):  # copytree gathers its files' errors as (source, target, text) triples
        for entry in error.args[0] if error.args and isinstance(error.args[0], list) else []:
            text = str(entry[-1]) if isinstance(entry, tuple) else ""
            code = next((c for c in _OS_KINDS if f"[Errno {c}]" in text), None)
            if code is not None:
                return StoreWriteError(Path(entry[1]), os.strerror(code), _OS_KINDS[code])
        return None
    if isinstance(error, OSError) and error.errno in _OS_KINDS:
        where = Path(error.filename) if error.filename else path
        return StoreWriteError(where, error.strerror or str(error), _OS_KINDS[error.errno])
    return None


def reserve_path(store_path: Path) -> Path:
    """The reserve file of the store at ``store_path``."""
    return store_path.with_name(store_path.name + RESERVE_SUFFIX)


def ensure_reserve(store_path: Path, size: int = RESERVE_BYTES) -> bool:
    """Make the reserve file (``size`` bytes really allocated, not a sparse file) unless it exists; False when
    there is no room or no right to write it (then nothing is left behind)."""
    path = reserve_path(store_path)
    if path.exists():
        return True
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as f:
            try:
                os.posix_fallocate(f.fileno(), 0, size)
            except (AttributeError, OSError) as error:  # no fallocate here (macOS, some filesystems): write it
                if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise
                f.write(b"\xff" * size)
        os.replace(partial, path)
        return True
    except OSError:
        try:
            partial.unlink()
        except OSError:
            pass
        return False


def release_reserve(store_path: Path) -> bool:
    """Delete the reserve file, giving its space back; True if there was one."""
    try:
        reserve_path(store_path).unlink()
        return True
    except OSError:
        return False
