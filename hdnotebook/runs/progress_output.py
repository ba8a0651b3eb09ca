"""Where ``HyperDriveRun.wait_for_completion(show_output=True)`` shows a sweep's progress line.

In a Jupyter kernel: one display (text/plain and text/html, no widget) replaced in place with
``update_display_data`` messages; these come from the waiting thread itself, so they reach the front
end while the cell blocks. In a terminal: the line rewritten in place with ``\\r``. Elsewhere (stdout
piped to a file or a CI log): a new line when the counts, the best run or the status change, at most
every ``PLAIN_MIN_SECONDS``, and every ``PLAIN_HEARTBEAT_SECONDS`` otherwise. The line is the output the
user asked for, so it is written to stdout rather than through ``logging``.
"""

from __future__ import annotations

import html
import shutil
import sys
import time
from typing import Any, Protocol, TextIO

from hdnotebook._engine.progress import SweepProgress, progress_line

PLAIN_MIN_SECONDS = 5.0
PLAIN_HEARTBEAT_SECONDS = 60.0


class ProgressOutput(Protocol):
    """Shows successive states of a sweep; ``close`` shows the last one for good."""

    def show(self, progress: SweepProgress) -> None: ...

    def close(self) -> None: ...


def progress_html(progress: SweepProgress) -> str:
    """The line as HTML: a bar of the runs done out of the total, then the text."""
    return (f'<div class="hdnotebook-progress" style="font-family:monospace;font-size:12px">'
            f'<progress value="{progress.done}" max="{max(progress.total, 1)}" style="vertical-align:middle"></progress> '
            f"{html.escape(progress_line(progress))}</div>")


class NotebookProgress:
    """One display in a Jupyter front end, updated in place when the line changes."""

    def __init__(self) -> None:
        self._handle: Any = None
        self._text = ""

    def show(self, progress: SweepProgress) -> None:
        from IPython.display import display

        text = progress_line(progress)
        if text == self._text:
            return
        self._text = text
        bundle = {"text/plain": text, "text/html": progress_html(progress)}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def close(self) -> None:
        """Nothing to do: the display keeps the last line."""


class TerminalProgress:
    """The line rewritten in place (``\\r``), cut to the terminal's width so that it never wraps."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = 0
        self._text = ""

    def show(self, progress: SweepProgress) -> None:
        width = shutil.get_terminal_size().columns - 1
        text = progress_line(progress)[:max(width, 20)]
        if text == self._text:
            return
        self._text = text
        self._stream.write("\r" + text.ljust(self._shown))
        self._stream.flush()
        self._shown = len(text)

    def close(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


class PlainProgress:
    """A line per change (at most every PLAIN_MIN_SECONDS) or per PLAIN_HEARTBEAT_SECONDS; the last one on close."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._key: tuple[Any, ...] | None = None
        self._printed_at = 0.0
        self._pending: SweepProgress | None = None

    def show(self, progress: SweepProgress) -> None:
        key = (progress.status, tuple(sorted(progress.counts.items())), progress.best_run_id, progress.best_value)
        since = time.monotonic() - self._printed_at
        if (key != self._key and since >= PLAIN_MIN_SECONDS) or since >= PLAIN_HEARTBEAT_SECONDS:
            self._write(progress)
            self._key = key
        else:
            self._pending = progress

    def _write(self, progress: SweepProgress) -> None:
        self._stream.write(progress_line(progress) + "\n")
        self._stream.flush()
        self._printed_at = time.monotonic()
        self._pending = None

    def close(self) -> None:
        if self._pending is not None:
            self._write(self._pending)


def _in_kernel() -> bool:
    """True when this code runs in a Jupyter kernel (an IPython shell with a kernel attached)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    shell = ipython_module.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress_output(stream: TextIO | None = None) -> ProgressOutput:
    """The output that suits where this process shows things: a kernel, a terminal, or a file/pipe."""
    if stream is None and _in_kernel():
        return NotebookProgress()
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return TerminalProgress(stream) if isatty is not None and isatty() else PlainProgress(stream)
