"""The one channel from a child run to the tuning loop: JSON records on an inherited pipe.

A child finds the pipe's file descriptor in ``HDNOTEBOOK_EVENTS_FD`` (and the pipe's identity in
``HDNOTEBOOK_EVENTS_PIPE``). Every process of the child may write to it at once: its threads,
processes it forks (``os.fork``, ``multiprocessing``'s fork method) and subprocesses given the
descriptor (``pass_fds``). A process that did not inherit the pipe (``multiprocessing``'s spawn and
forkserver methods) gets a clear error from ``log()`` rather than writing into whatever file has
that number there. A pipe write of at most PIPE_BUF bytes (4096 on Linux, 512 on
macOS) is atomic: no other writer's bytes land inside it. So every record goes out in writes of at
most PIPE_BUF bytes:

- an event whose JSON line fits (nearly all: a scalar metric is about 150 bytes) is that line, in one
  unbuffered ``os.write``;
- a longer one is cut into frames ``#<pid> <index> <count> <piece>\\n``, each one write. A process
  writes the frames of one record in order under a lock; frames of other processes may come in
  between, and the reader joins the pieces of each pid.

Once ``Run.log()`` returns, the whole record sits in the operating system's pipe buffer: it reaches
the store even if the child is SIGKILLed right after, as long as the tuning loop is alive to read
it. JSON text here is ASCII without raw newlines, so a piece may end anywhere. The reader never drops
a record silently: a line it cannot decode and a framed record left unfinished (its writer died in
the middle, before its ``log()`` returned) are counted and reported.
This module is imported by every child: it must stay free of heavy imports.
"""

from __future__ import annotations

import json
import os
import sys
import threading

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a child's start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

try:
    from select import PIPE_BUF as _SYSTEM_PIPE_BUF

    PIPE_BUF: int = _SYSTEM_PIPE_BUF
except ImportError:  # no POSIX pipes (Windows): POSIX's smallest PIPE_BUF
    PIPE_BUF = 512

ENV_RUN_ID = "HDNOTEBOOK_RUN_ID"
ENV_EXPERIMENT = "HDNOTEBOOK_EXPERIMENT"
ENV_WORKSPACE = "HDNOTEBOOK_WORKSPACE"
ENV_RUN_DIR = "HDNOTEBOOK_RUN_DIR"
ENV_EVENTS_FD = "HDNOTEBOOK_EVENTS_FD"
ENV_EVENTS_PIPE = "HDNOTEBOOK_EVENTS_PIPE"
ENV_PARENT_ID = "HDNOTEBOOK_PARENT_ID"
ENV_RESUME_FROM = "HDNOTEBOOK_RESUME_FROM"

FRAME_MARK = b"#"
_FRAME_HEAD_MAX = 40  # b"#<pid> <index> <count> ": three numbers of at most 10 digits and 4 separators
PIECE_BYTES = PIPE_BUF - _FRAME_HEAD_MAX - 1  # the payload of one frame, so a frame (with its newline) fits in PIPE_BUF


def pipe_identity(fd: int) -> str:
    """``<device>:<inode>`` of the file open at ``fd``: tells the events pipe from another file with that number."""
    info = os.fstat(fd)
    return f"{info.st_dev}:{info.st_ino}"


def channel_environment(fd: int) -> dict[str, str]:
    """The variables that hand the events pipe open at ``fd`` to a child."""
    return {ENV_EVENTS_FD: str(fd), ENV_EVENTS_PIPE: pipe_identity(fd)}


def encode(event: dict[str, Any]) -> bytes:
    """One event as a JSON line (NaN and infinity allowed); ASCII, no newline but the last byte."""
    return json.dumps(event, separators=(",", ":"), default=repr).encode() + b"\n"


def frames(line: bytes, pid: int) -> list[bytes]:
    """``line`` (an encoded event) as frames of at most PIPE_BUF bytes each, tagged with the writer's ``pid``."""
    body = memoryview(line)[:-1] if line.endswith(b"\n") else memoryview(line)
    count = -(-len(body) // PIECE_BYTES)
    return [b"#%d %d %d %b\n" % (pid, index, count, body[index * PIECE_BYTES:(index + 1) * PIECE_BYTES])  # type: ignore[str-format]  # %b takes any buffer: no copy
            for index in range(count)]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # a pipe write of at most PIPE_BUF bytes is whole; the loop is for anything else
        view = view[os.write(fd, view):]


class PipeWriter:
    """Writes events to a pipe file descriptor; thread- and fork-safe, blocking when the pipe is full.

    Get one with ``writer_for(fd)``, so that every sender in a process shares its lock. With
    ``identity`` (see pipe_identity), a writer whose ``fd`` is not that pipe in this process refuses
    every event with a UserErrorException that says why.
    """

    def __init__(self, fd: int, identity: str | None = None) -> None:
        self.fd = fd
        self._lock = threading.Lock()
        if identity is not None and not _is_pipe(fd, identity):
            self.send = self._refuse  # type: ignore[method-assign]

    def send(self, event: dict[str, Any]) -> None:
        """Write one event; returns once all of it is in the pipe."""
        data = encode(event)
        if len(data) <= PIPE_BUF:
            with self._lock:
                _write_all(self.fd, data)
            return
        parts = frames(data, os.getpid())
        with self._lock:  # one record's frames in order; other processes' frames may come between them
            for part in parts:
                _write_all(self.fd, part)

    def _refuse(self, event: dict[str, Any]) -> None:
        from hdnotebook.exceptions import UserErrorException

        raise UserErrorException(
            f"This process (pid {os.getpid()}) cannot log to the run: file descriptor {self.fd} named by {ENV_EVENTS_FD} "
            "is not the run's events pipe here. Processes started with multiprocessing's 'spawn' or 'forkserver' method, "
            "and subprocesses started without pass_fds, do not inherit it. Log from the run's own process, its threads, "
            "or processes it forks (os.fork, multiprocessing.get_context('fork'), subprocess with pass_fds=(fd,)).",
            error_code="ChannelNotInherited")

    def _after_fork(self) -> None:
        self._lock = threading.Lock()  # another thread of the parent may have held it at the fork


def _is_pipe(fd: int, identity: str) -> bool:
    try:
        return pipe_identity(fd) == identity
    except OSError:
        return False


_writers: dict[int, PipeWriter] = {}


def writer_for(fd: int, identity: str | None = None) -> PipeWriter:
    """The one PipeWriter of this process for ``fd`` (checked against ``identity`` when it is made)."""
    writer = _writers.get(fd)
    if writer is None:
        writer = _writers.setdefault(fd, PipeWriter(fd, identity))
    return writer


def _reset_after_fork() -> None:
    for writer in list(_writers.values()):
        writer._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _print_report(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class LineDecoder:
    """Turns the byte stream of a channel into events; feed it chunks, it calls ``sink`` with each batch.

    What cannot be decoded is counted in ``dropped`` and described to ``report`` (one sentence per
    record; standard error when no ``report`` is given). Call ``close()`` at the end of the stream.
    """

    def __init__(self, sink: Callable[[list[dict[str, Any]]], None], report: Callable[[str], None] | None = None) -> None:
        self._sink = sink
        self._report = report or _print_report
        self._buffer = b""
        self._partial: dict[bytes, tuple[int, list[bytes]]] = {}  # pid -> (frame count, pieces so far)
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        """Decode every complete line in ``buffer + chunk`` and pass the events to the sink as one batch."""
        data = self._buffer + chunk
        *lines, self._buffer = data.split(b"\n")
        events = []
        for line in lines:
            if not line:
                continue
            if line[:1] == FRAME_MARK:
                joined = self._join(line)
                if joined is None:
                    continue
                line = joined
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict):
                events.append(event)
            else:
                self._drop(f"a record that is not a JSON object ({len(line)} bytes, starting {line[:60]!r})")
        if events:
            self._sink(events)

    def _join(self, frame: bytes) -> bytes | None:
        """Add one frame to its writer's record; the record once complete, else None."""
        try:
            pid, index_text, count_text, piece = frame[1:].split(b" ", 3)
            index, count = int(index_text), int(count_text)
        except ValueError:
            self._drop(f"a malformed frame ({len(frame)} bytes, starting {frame[:60]!r})")
            return None
        pending = self._partial.pop(pid, None)
        if pending is not None and (index != len(pending[1]) or count != pending[0]):  # not the next part: a new writer
            self._drop_unfinished(pid, *pending)
            pending = None
        if pending is None:
            if index != 0:
                writer = pid.decode(errors="replace")
                self._drop(f"part {index + 1} of {count} of a record of process {writer} without its first part")
                return None
            pending = (count, [])
        pending[1].append(piece)
        if len(pending[1]) == pending[0]:
            return b"".join(pending[1])
        self._partial[pid] = pending
        return None

    def _drop(self, what: str) -> None:
        self.dropped += 1
        self._report(f"hdnotebook: dropped {what} from the child's events pipe ({self.dropped} dropped so far)")

    def _drop_unfinished(self, pid: bytes, count: int, pieces: list[bytes]) -> None:
        self._drop(f"an unfinished record of process {pid.decode(errors='replace')} ({len(pieces)} of {count} parts arrived: "
                   "the process stopped while writing it, before its log() returned)")

    def abandon_unfinished(self) -> None:
        """Count and report the framed records still waiting for parts (their writers are taken as gone)."""
        partial, self._partial = self._partial, {}
        for pid, (count, pieces) in partial.items():
            self._drop_unfinished(pid, count, pieces)

    def close(self) -> None:
        """The stream ended: report unfinished records and an unterminated last line."""
        self.abandon_unfinished()
        rest, self._buffer = self._buffer, b""
        if rest:
            self._drop(f"an unterminated last line ({len(rest)} bytes, starting {rest[:60]!r})")
