"""The one channel from a child run to the tuning loop: JSON lines on an inherited pipe.

A child finds the pipe's file descriptor in ``HDNOTEBOOK_EVENTS_FD``. Each event is one line
written with a single unbuffered ``os.write``, so once ``Run.log()`` returns the value sits in the
operating system's pipe buffer: it reaches the store even if the child is SIGKILLed right after,
as long as the tuning loop is alive to read it. Lines are small (a few hundred bytes) and writes of
up to PIPE_BUF (4096) bytes are atomic, so children sharing one pipe never interleave events.
This module is imported by every child: it must stay free of heavy imports.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Callable

ENV_RUN_ID = "HDNOTEBOOK_RUN_ID"
ENV_EXPERIMENT = "HDNOTEBOOK_EXPERIMENT"
ENV_WORKSPACE = "HDNOTEBOOK_WORKSPACE"
ENV_RUN_DIR = "HDNOTEBOOK_RUN_DIR"
ENV_EVENTS_FD = "HDNOTEBOOK_EVENTS_FD"
ENV_PARENT_ID = "HDNOTEBOOK_PARENT_ID"
ENV_RESUME_FROM = "HDNOTEBOOK_RESUME_FROM"


def encode(event: dict[str, Any]) -> bytes:
    """One event as a JSON line (NaN and infinity allowed)."""
    return json.dumps(event, separators=(",", ":"), default=repr).encode() + b"\n"


class PipeWriter:
    """Writes events to a pipe file descriptor; thread-safe, blocking when the pipe is full."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lock = threading.Lock()

    def send(self, event: dict[str, Any]) -> None:
        """Write one event; returns once the whole line is in the pipe."""
        data = encode(event)
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]


class LineDecoder:
    """Splits a byte stream into events; feed it chunks, it calls ``sink`` with each batch."""

    def __init__(self, sink: Callable[[list[dict[str, Any]]], None]) -> None:
        self._sink = sink
        self._buffer = b""

    def feed(self, chunk: bytes) -> None:
        """Decode every complete line in ``buffer + chunk`` and pass them to the sink as one batch."""
        data = self._buffer + chunk
        *lines, self._buffer = data.split(b"\n")
        events = []
        for line in lines:
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        if events:
            self._sink(events)
