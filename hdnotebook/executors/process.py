"""Process plumbing shared by the local trial kinds: process groups, death signals, event pipes."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable

from hdnotebook.executors.base import EventCallback
from hdnotebook.runs.channel import LineDecoder

_PR_SET_PDEATHSIG = 1
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGKILL when the thread that started it ends (Linux only)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment plus ``extra``, with hdnotebook importable in the child."""
    env = dict(os.environ)
    env.update(extra)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if _PACKAGE_ROOT not in paths:
        paths.append(_PACKAGE_ROOT)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def signal_group(pid: int, sig: int) -> bool:
    """Send ``sig`` to the process group led by ``pid``; False when the group is gone."""
    try:
        os.killpg(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


async def stop_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM the process group, then SIGKILL it if the leader has not exited after ``grace`` seconds."""
    if process.returncode is None:
        signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=grace)
        except asyncio.TimeoutError:
            pass
    signal_group(process.pid, signal.SIGKILL)
    await process.wait()


class _PipeProtocol(asyncio.Protocol):
    def __init__(self, decoder: LineDecoder, closed: asyncio.Future[None]) -> None:
        self._decoder = decoder
        self._closed = closed

    def data_received(self, data: bytes) -> None:
        self._decoder.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._decoder.close()
        if not self._closed.done():
            self._closed.set_result(None)


class EventPipe:
    """A pipe whose write end a child inherits; events read from it go to a callback on the loop."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self._transport: asyncio.ReadTransport | None = None
        self.closed: asyncio.Future[None] | None = None
        self.decoder: LineDecoder | None = None

    async def listen(self, on_events: EventCallback, report: Callable[[str], None] | None = None) -> None:
        """Start reading; call after the child is started and ``close_write_end`` was called.

        ``report`` gets a sentence for each record that could not be decoded (see LineDecoder).
        """
        loop = asyncio.get_running_loop()
        self.closed = loop.create_future()
        self.decoder = LineDecoder(on_events, report)
        reader = os.fdopen(self.read_fd, "rb", buffering=0)
        self._transport, _ = await loop.connect_read_pipe(lambda: _PipeProtocol(self.decoder, self.closed), reader)

    def close_write_end(self) -> None:
        """Close this process's copy of the write end, so EOF arrives when every child closed theirs."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for EOF, then stop reading."""
        if self.closed is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.closed), timeout)
            except asyncio.TimeoutError:
                pass
        self.close()

    def close(self) -> None:
        """Stop reading and release both ends."""
        self.close_write_end()
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def append_to_log(log_path: str | os.PathLike[str], message: str) -> None:
    """Append ``message`` as a line to a child's log (to standard error when the log cannot be written)."""
    try:
        with open(log_path, "a") as log:
            log.write(message + "\n")
    except OSError:
        print(message, file=sys.stderr, flush=True)


def tail_error(log_path: str | os.PathLike[str], exit_code: int | None, max_lines: int = 30) -> str:
    """The end of the last Python traceback in a log, or its last lines with the exit code."""
    try:
        with open(log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            text = f.read().decode(errors="replace")
    except OSError:
        text = ""
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    start = max((i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")), default=None)
    if start is not None:
        body = lines[start:][-max_lines:]
        return "\n".join(body)
    if exit_code is not None and exit_code < 0:
        name = signal.Signals(-exit_code).name if -exit_code in signal.Signals._value2member_map_ else str(-exit_code)
        head = f"The process was killed by signal {name}"
    else:
        head = f"The process exited with code {exit_code}"
    return "\n".join([head, *lines[-10:]])


def spawn_kwargs(env: dict[str, str], cwd: str, pass_fds: tuple[int, ...], **extra: Any) -> dict[str, Any]:
    """Keyword arguments for create_subprocess_exec: own session (process group), dies with its parent."""
    return {"cwd": cwd, "env": env, "pass_fds": pass_fds, "start_new_session": True, "preexec_fn": die_with_parent, **extra}
