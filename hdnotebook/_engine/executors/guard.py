"""The guard: a small process between the driver and each local child that kills the child's whole tree when
the driver dies, and the tree's process helpers shared with the driver.

``process.spawn`` runs it (``main(["guard", LIFELINE_FD, "--", *ARGV])``) with ``python -S`` in a session of its own. Every local child
pays for the guard's start, so it is kept to a bare interpreter: no site (site-packages are added only when psutil
is needed: to kill a tree, or on the portable path), no hdnotebook, no typing, and the C ``_signal`` module. The guard starts ARGV as its only
child, in a process group of its own, and waits. It SIGKILLs the whole tree (the child, the child's
descendants, the child's process group and every other process of the guard's session) when

- the driver died: EOF on LIFELINE_FD (the read end of a pipe whose write end only the driver holds), or the
  guard's parent pid changed (checked every ``TICK_SECONDS``, for a driver whose forks hold the write end too),
  or SIGUSR1, which the Linux fast path asks for with PR_SET_PDEATHSIG when it starts the guard;
- SIGUSR1 from the driver: the end of a stop's grace period;
- the child ended: whatever it left behind.

SIGTERM, SIGINT and SIGHUP are forwarded to the tree as SIGTERM, so a stop's grace period applies to every
process of it. The guard exits as the child did (the same code, or killed by the same signal).

Finding the tree: on Linux (unless ``HDNOTEBOOK_PORTABLE_PROCESS=1``) the driver makes the guard a child
subreaper (PR_SET_CHILD_SUBREAPER), so every descendant, even one that double-forked or started a session of
its own and lost its parent, stays below the guard, where psutil's ``children(recursive=True)`` finds it.
The portable path (macOS, or forced) has no subreaper: the guard also snapshots the descendants every
``TICK_SECONDS`` and kills the ones it saw (psutil checks their create time, so a reused pid is spared). A
process that leaves the session and loses its parent within one tick of being started escapes it.
"""

from __future__ import annotations

import os
import select
import sys
import time

try:
    import _signal as signal  # the C module: ``signal`` would import enum, a few ms of every guard's start
except ImportError:  # pragma: no cover (other interpreters)
    import signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

PORTABLE_ENV = "HDNOTEBOOK_PORTABLE_PROCESS"
TICK_SECONDS = 0.25
KILL_ROUNDS = 100
KILL_ROUND_PAUSE = 0.02
_FORWARDED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))  # importable on Windows


_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36  # linux/prctl.h


def portable() -> bool:
    """True when the portable process path is used: not Linux, no /proc, or ``HDNOTEBOOK_PORTABLE_PROCESS`` set (not 0)."""
    forced = os.environ.get(PORTABLE_ENV, "") not in ("", "0")
    return forced or not sys.platform.startswith("linux") or not os.path.isdir("/proc/self")


def _psutil() -> Any:
    """psutil, adding site-packages first when the interpreter was started without them (``-S``)."""
    if sys.flags.no_site and "site" not in sys.modules:
        import site

        site.main()
    import psutil

    return psutil


def _live(processes: Iterable[Any]) -> list[Any]:
    """The processes of ``processes`` (psutil.Process) that still run code: not gone, not a zombie, pid not reused."""
    psutil = _psutil()

    live = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                live.append(process)
        except psutil.Error:
            pass
    return live


def tree(root: int, session: int | None = None, remembered: Iterable[Any] = ()) -> list[Any]:
    """The live processes of ``root``'s tree (psutil.Process, ``root`` excluded): its descendants, the
    ``remembered`` ones, and when ``session`` is given every other process of that session."""
    psutil = _psutil()

    found: dict[int, Any] = {}
    try:
        for process in psutil.Process(root).children(recursive=True):
            found[process.pid] = process
    except psutil.Error:
        pass
    for process in remembered:
        found.setdefault(process.pid, process)
    if session is not None:
        for pid in psutil.pids():
            if pid in found or pid == root:
                continue
            try:
                if os.getsid(pid) == session:
                    found[pid] = psutil.Process(pid)
            except (OSError, psutil.Error):
                pass
    found.pop(os.getpid(), None)
    return _live(found.values())


def signal_all(processes: Iterable[Any], sig: int) -> None:
    """Send ``sig`` to each process (psutil.Process) that is still the same process."""
    psutil = _psutil()

    for process in processes:
        try:
            process.send_signal(sig)
        except psutil.Error:
            pass


def kill_tree(root: int, *, include_root: bool, session: int | None = None, remembered: Iterable[Any] = (),
              reap: Any = None) -> None:
    """SIGKILL ``root``'s tree (see ``tree``), then ``root`` itself when ``include_root``.

    The tree is frozen first (SIGSTOP, round after round until no new process appears), so nothing forks or loses
    its parent while it is being found: without a subreaper an orphan is found only while its parent lives. Then it
    is SIGKILLed in rounds until nothing of it runs (at most ``KILL_ROUNDS`` rounds ``KILL_ROUND_PAUSE`` seconds
    apart). ``reap``, when given, is called before each round (the guard reaps its zombies there)."""
    psutil = _psutil()

    frozen: dict[int, Any] = {p.pid: p for p in remembered}
    for _ in range(KILL_ROUNDS):
        new = [p for p in tree(root, session, frozen.values()) if p.pid not in frozen]
        if not new:
            break
        signal_all(new, signal.SIGSTOP)
        frozen.update((p.pid, p) for p in new)
    signal_all(frozen.values(), signal.SIGKILL)
    for _ in range(KILL_ROUNDS):
        if reap is not None:
            reap()
        targets = tree(root, session, frozen.values())
        if not targets:
            break
        signal_all(targets, signal.SIGKILL)
        time.sleep(KILL_ROUND_PAUSE)
    if include_root:
        try:
            psutil.Process(root).kill()
        except psutil.Error:
            pass


class _Guard:
    def __init__(self, lifeline: int, argv: list[str]) -> None:
        self.lifeline = lifeline
        self.argv = argv
        self.driver = os.getppid()
        self.session = os.getsid(0)
        self.fast = not portable()
        self.signals: list[int] = []
        self.status: int | None = None
        self.seen: dict[int, Any] = {}
        self.child = -1

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)

    def _spawn(self) -> int:
        pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                for name in ("SIGPIPE", "SIGXFSZ"):  # ignored by Python; restored as subprocess does
                    if hasattr(signal, name):
                        signal.signal(getattr(signal, name), signal.SIG_DFL)
                os.execvp(self.argv[0], self.argv)
            except BaseException as exc:
                os.write(2, f"hdnotebook guard: cannot start {self.argv[0]!r}: {exc}\n".encode())
            os._exit(127)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child did it first, or has already exec'd
        return pid

    def reap(self) -> None:
        """Collect every ended child (the script and, as subreaper, adopted orphans); keep the script's status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child:
                self.status = status

    def _remember(self) -> None:
        for process in tree(os.getpid()):
            self.seen.setdefault(process.pid, process)
        self.seen = {p.pid: p for p in _live(self.seen.values())}

    def _kill_all(self) -> None:
        if self.fast:
            self.reap()
            try:  # WNOWAIT: only look; ChildProcessError: no descendant left (a subreaper has them all below it)
                os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
        kill_tree(os.getpid(), include_root=False, session=self.session, remembered=self.seen.values(), reap=self.reap)
        try:
            os.killpg(self.child, signal.SIGKILL)
        except OSError:
            pass

    def _forward(self) -> None:
        try:
            os.killpg(self.child, signal.SIGTERM)
        except OSError:
            pass
        signal_all(tree(os.getpid(), self.session, self.seen.values()), signal.SIGTERM)

    def _driver_gone(self, readable: list[int]) -> bool:
        if self.lifeline in readable:
            try:
                if os.read(self.lifeline, 1) == b"":
                    return True
            except BlockingIOError:
                pass
        return os.getppid() != self.driver

    def run(self) -> int:
        """Start the child, watch, end the tree; returns the child's wait status."""
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        for sig in (*_FORWARDED, signal.SIGUSR1, signal.SIGCHLD):
            signal.signal(sig, self._on_signal)
        if self.fast:
            _linux_watch()
        self.child = self._spawn()
        while True:
            readable, _, _ = select.select([self.lifeline, wake_r], [], [], TICK_SECONDS)
            if wake_r in readable:
                while len(os.read(wake_r, 512)) == 512:
                    pass
            gone = self._driver_gone(readable)
            self.reap()
            signals, self.signals = self.signals, []
            if gone or signal.SIGUSR1 in signals:
                self._kill_all()
                break
            if self.status is not None:
                self._kill_all()
                break
            if any(s in _FORWARDED for s in signals):
                self._forward()
            if not self.fast:
                self._remember()
        while self.status is None:
            self.reap()
            if self.status is None:
                time.sleep(0.005)
        return self.status


def _linux_watch() -> None:
    """SIGUSR1 (kill the tree) when the driver's thread that started this guard ends, and child subreaper, so that
    the tree's orphans are re-parented to this guard rather than to init. Set here, after exec, rather than in a
    preexec_fn: Python code between fork and exec in the multi-threaded kernel can deadlock. A driver that died
    before this call is seen by the parent-pid check of the first tick."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGUSR1, 0, 0, 0)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _exit_like(status: int) -> None:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.set_wakeup_fd(-1)
        try:
            signal.signal(-code, signal.SIG_DFL)  # handled here (SIGTERM...) or ignored by Python (SIGPIPE)
        except (OSError, ValueError):
            pass  # SIGKILL, SIGSTOP: always the default
        os.kill(os.getpid(), -code)
        code = 128 - code
    os._exit(code)


def main(argv: list[str]) -> None:
    """``argv`` is ``[program, LIFELINE_FD, "--", *ARGV]``: see the module docstring."""
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: guard.py LIFELINE_FD -- ARGV...\n")
        os._exit(2)
    lifeline = int(argv[1])
    os.set_inheritable(lifeline, False)
    os.set_blocking(lifeline, False)
    _exit_like(_Guard(lifeline, argv[3:]).run())


if __name__ == "__main__":
    main(sys.argv)
