"""``wait_for_completion(show_output=...)``'s log output: a run's main log printed as it grows, in Azure's frame
("RunId", "Web View", "Streaming <log>", the log, "Execution Summary"). This is output the caller asked
for, so it is printed to stdout as Azure does, not sent through ``logging``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


class LogStream:
    """Prints the new complete lines of ``log_path`` at each ``show()``; ``close()`` prints the rest and the summary.
    ``shown`` turns a stored line into the printed one (HyperDrive's log drops its START/END markers)."""

    def __init__(self, run_id: str, run_dir: Path, log_name: str, shown: Callable[[str], str] = lambda line: line) -> None:
        self._run_id = run_id
        self._run_dir = run_dir
        self._path = run_dir / log_name
        self._shown = shown
        self._offset = 0
        self._partial = ""
        print(f"RunId: {run_id}\nWeb View: {run_dir.as_uri()}\n")
        print(f"Streaming {log_name}\n{'=' * (10 + len(log_name))}\n")

    def show(self, _progress: object = None) -> None:
        if not self._path.exists():
            return
        with open(self._path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        self._offset += len(chunk)
        *lines, self._partial = (self._partial + chunk.decode(errors="replace")).split("\n")
        for line in lines:
            print(self._shown(line + "\n"), end="")
        sys.stdout.flush()

    def close(self) -> None:
        self.show()
        if self._partial:
            print(self._shown(self._partial + "\n"), end="")
        print(f"\nExecution Summary\n=================\nRunId: {self._run_id}\nWeb View: {self._run_dir.as_uri()}\n")
