"""Process plumbing shared by the local trial kinds: guarded children, death signals, event pipes.

Every local child (a script, a function worker) runs below a guard process (``guard.py``) that kills the
child's whole tree when the driver (this process) dies, however the tree was forked. The driver holds the
write end of one lifeline pipe; each guard gets its read end and sees EOF when the driver is gone.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hdnotebook._engine.channel import LineDecoder
from hdnotebook._engine.executors.base import EventCallback
from hdnotebook._engine.executors.guard import kill_tree
from hdnotebook.exceptions import UserErrorException

_PR_SET_PDEATHSIG = 1
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding hdnotebook/
GUARD_PATH = str(Path(__file__).with_name("guard.py"))
# sys.path[0] is the guard's folder, never the child's (a source folder may hold a select.py); imported rather
# than run as a script, so its compiled form is cached
_GUARD_MAIN = "import sys; sys.path[0] = sys.argv.pop(1); import guard; guard.main(sys.argv)"
GUARD_ANSWER_SECONDS = 5.0
"""How long a guard told to kill its tree (SIGUSR1) may take before the driver kills the guard and the tree itself."""

_lifeline_lock = threading.Lock()
_lifeline: tuple[int, int, int] | None = None  # read end, write end, the pid that made them
_libc: Any = None


def check_platform(platform: str | None = None) -> None:
    """Raise UserErrorException when children cannot run on ``platform`` (default ``sys.platform``): Windows.

    Linux is the tested platform; macOS and other POSIX systems use the portable process path.
    """
    platform = sys.platform if platform is None else platform
    if platform.startswith("win") or platform == "cygwin":
        raise UserErrorException(
            f"hdnotebook cannot run child processes on Windows (sys.platform is {platform!r}): it needs POSIX "
            "process groups, sessions and signals to stop a child's whole process tree. Run the notebook in "
            "WSL (Windows Subsystem for Linux), where it is supported.")


def _linux_libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def die_with_parent() -> None:
    """This process gets SIGKILL when the thread that started it ends (Linux only; a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        _linux_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def lifeline_fd() -> int:
    """The read end of this process's lifeline pipe; its write end stays open (and uninherited) until the process ends."""
    global _lifeline
    with _lifeline_lock:
        if _lifeline is None or _lifeline[2] != os.getpid():  # a forked process makes its own
            read_fd, write_fd = os.pipe()
            _lifeline = (read_fd, write_fd, os.getpid())
        return _lifeline[0]


async def spawn(argv: Sequence[str], env: dict[str, str], cwd: str, pass_fds: tuple[int, ...],
                **extra: Any) -> asyncio.subprocess.Process:
    """Start ``argv`` below a guard (``guard.py``), in a session of its own; the process returned is the guard's,
    which exits as the child does. ``extra`` goes to ``create_subprocess_exec`` (stdin, stdout, stderr)."""
    check_platform()
    lifeline = lifeline_fd()
    # no preexec_fn: the guard sets its Linux parent-death signal and subreaper itself (guard._linux_watch)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-S", "-c", _GUARD_MAIN, str(Path(GUARD_PATH).parent), str(lifeline), "--", *argv,
        cwd=cwd, env=env, pass_fds=(*pass_fds, lifeline), start_new_session=True, **extra)


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


async def sweep_session(process: asyncio.subprocess.Process) -> None:
    """After a guard ended by SIGKILL: SIGKILL what is left of its session (the child and the descendants that
    stayed in the session), in case the guard itself was killed and could not. A guard that passes on its child's
    SIGKILL ends that way too; its session is empty then, and the sweep costs a scan of the pids."""
    if process.returncode == -signal.SIGKILL:
        kill = functools.partial(kill_tree, process.pid, include_root=False, session=process.pid)
        await asyncio.get_running_loop().run_in_executor(None, kill)


def _signal(process: asyncio.subprocess.Process, sig: int) -> None:
    if process.returncode is None:
        try:
            os.kill(process.pid, sig)
        except ProcessLookupError:
            pass


async def _exited(process: asyncio.subprocess.Process, timeout: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), timeout=timeout)
        return True
    except asyncio.TimeoutError:
        return False


async def stop_tree(process: asyncio.subprocess.Process, grace: float) -> None:
    """Stop a guarded child's whole tree: SIGTERM to the guard (it passes SIGTERM to every process of the tree),
    after ``grace`` seconds SIGUSR1 (it SIGKILLs the tree and exits); a guard that has not exited
    ``GUARD_ANSWER_SECONDS`` later is SIGKILLed from here with its tree. Returns when the guard has exited."""
    if process.returncode is None:
        _signal(process, signal.SIGTERM)
        await _exited(process, grace)
    if process.returncode is None:
        _signal(process, signal.SIGUSR1)
        await _exited(process, GUARD_ANSWER_SECONDS)
    if process.returncode is None:
        kill = functools.partial(kill_tree, process.pid, include_root=True, session=process.pid)
        await asyncio.get_running_loop().run_in_executor(None, kill)
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
        closed: asyncio.Future[None] = loop.create_future()
        decoder = LineDecoder(on_events, report)
        self.closed, self.decoder = closed, decoder
        reader = os.fdopen(self.read_fd, "rb", buffering=0)
        self._transport, _ = await loop.connect_read_pipe(lambda: _PipeProtocol(decoder, closed), reader)

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
    return "\n".join([f"The process {exit_description(exit_code)}", *lines[-10:]])


def exit_description(exit_code: int | None) -> str:
    """How a process ended, from its exit code: ``killed by signal SIGKILL`` (negative codes), ``exited with code 3``."""
    if exit_code is not None and exit_code < 0:
        name = signal.Signals(-exit_code).name if -exit_code in signal.Signals._value2member_map_ else str(-exit_code)
        return f"was killed by signal {name}"
    return f"exited with code {exit_code}"

