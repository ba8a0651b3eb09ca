"""Committing the final statuses a store could not take (full disk, read-only file) once it can again."""

from __future__ import annotations

import asyncio
from typing import Any

from hdnotebook._engine.store import Store

RETRY_SECONDS = 1.0

_retries: dict[int, asyncio.Task[Any]] = {}  # by id(store): one retry task per store


async def _retry(store: Store, every: float) -> None:
    try:
        while store.unwritten():
            await asyncio.sleep(every)
            try:
                store.flush_unwritten(use_reserve=True)
            except Exception:  # e.g. "database is locked" for longer than the busy timeout: try again later
                continue
    finally:
        _retries.pop(id(store), None)


def flush_now_or_later(store: Store, every: float = RETRY_SECONDS) -> bool:
    """Commit the store's kept final statuses now (giving back the reserve's space on a full disk); when that
    fails, try again every ``every`` seconds on the running loop until it works. True when committed now."""
    try:
        if store.flush_unwritten(use_reserve=True):
            return True
    except Exception:
        pass
    if id(store) not in _retries:
        _retries[id(store)] = asyncio.get_running_loop().create_task(_retry(store, every))
    return False
