"""A blocking call into an asyncio loop that runs in another thread (hdnotebook's tuning loop)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


def wait_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on ``loop`` and wait up to ``timeout`` seconds for its result. From ``loop``'s own thread,
    where waiting would never end, ``coro`` is closed unrun and RuntimeError is raised."""
    import asyncio  # here: the Dask target imports this module, and ``from hdnotebook import *`` must not pay for asyncio

    try:
        on_that_loop = asyncio.get_running_loop() is loop
    except RuntimeError:  # no loop runs in this thread
        on_that_loop = False
    if on_that_loop:
        coro.close()
        raise RuntimeError("hdnotebook: a blocking call was made from the tuning loop's own thread")
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)
