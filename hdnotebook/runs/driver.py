"""Which process drives a run, and whether that process is still alive.

A run whose driver (the process running its tuning loop) has ended while the run was still active
can never finish; readers mark it Failed with error code ``DriverLost`` when they notice.
"""

from __future__ import annotations

import os
import socket
from typing import Any


def _process_start(pid: int) -> str | None:
    """The start time (clock ticks after boot) of process ``pid``; None when there is no such process or it has
    ended: a zombie (state Z, exited but not yet reaped by its parent) or a dying one (X) runs no code any more."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(b")", 1)[-1].split()  # after the command name, which may hold spaces and ')'
    if not fields or fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode() if len(fields) > 19 else None


def current_driver() -> dict[str, Any]:
    """The identity of this process: host name, pid and start time (so pid reuse is detected)."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start": _process_start(pid)}


def driver_alive(driver: dict[str, Any] | None) -> bool | None:
    """True/False when it can be told from this host; None when the driver ran on another host."""
    if not driver:
        return None
    if driver.get("host") != socket.gethostname():
        return None
    pid = int(driver.get("pid", -1))
    if pid == os.getpid():
        return True
    start = _process_start(pid)
    if start is None:
        return False
    return driver.get("start") in (None, start)
