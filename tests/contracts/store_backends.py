"""The store backends the store contract suite runs over, each a factory ``open(folder) -> store``.

``sqlite``: a Store opened in this process. ``sqlite-in-another-process``: a Store opened in a child Python process
(multiprocessing's spawn method: a fresh interpreter), every call sent to it over a pipe, so the suite exercises
the file as a second process sees it. Another backend is one more entry in BACKENDS.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hdnotebook._engine.store import Store

CALL_TIMEOUT_SECONDS = 60.0


def _serve(folder: str, connection: Any) -> None:
    """The child process: open the store, answer ``(method, args, kwargs)`` with ``("ok", value)`` or ``("error", exc)``."""
    store = Store(folder)
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            store.close()
            connection.send(("ok", None))
            return
        method, args, kwargs = request
        try:
            value = os.getpid() if method == "pid" else getattr(store, method)(*args, **kwargs)
            connection.send(("ok", value))
        except Exception as exc:  # sent back to be raised in the caller
            connection.send(("error", exc))


class StoreInAnotherProcess:
    """A Store living in a child process: any Store method called here runs there and returns its (pickled) value
    or raises its exception."""

    def __init__(self, folder: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(str(folder), child_end), daemon=True)
        self._process.start()
        child_end.close()
        self.folder = Path(folder).resolve()

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        self._connection.send((method, args, kwargs))
        if not self._connection.poll(CALL_TIMEOUT_SECONDS):
            raise TimeoutError(f"the store process did not answer {method} within {CALL_TIMEOUT_SECONDS:g} s")
        status, value = self._connection.recv()
        if status == "error":
            raise value
        return value

    def pid(self) -> int:
        """The child process's pid."""
        return self._call("pid")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._call(name, *args, **kwargs)

    def close(self) -> None:
        """Close the store and end the child process (killed if it does not end within 10 s)."""
        if self._process.is_alive():
            try:
                self._call_close()
            except (OSError, EOFError, TimeoutError):
                pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._connection.close()

    def _call_close(self) -> None:
        self._connection.send(None)
        if self._connection.poll(10):
            self._connection.recv()


BACKENDS: dict[str, Callable[[Path], Any]] = {
    "sqlite": Store,
    "sqlite-in-another-process": StoreInAnotherProcess,
}
