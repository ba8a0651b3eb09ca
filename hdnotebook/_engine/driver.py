"""Which process drives a run, and whether that process is still alive.

A run whose driver (the process running its tuning loop) has ended while the run was still active
can never finish; readers mark it Failed with error code ``DriverLost`` when they notice.

A driver is recorded as its host, pid, ``created`` (its create time, seconds since the epoch, from psutil: the
portable identity) and, on Linux, ``start`` (its start time in clock ticks after boot, from /proc). Liveness is
read from /proc on the Linux fast path and with psutil elsewhere (macOS, or ``HDNOTEBOOK_PORTABLE_PROCESS=1``).
A zombie (exited, not yet reaped by its parent) or a dying process counts as ended either way.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

from hdnotebook import status as st
from hdnotebook._engine.executors.guard import portable
from hdnotebook._engine.layout import DRIVER_LOST, error_dict

if TYPE_CHECKING:
    from hdnotebook._engine.store import RunRecord, Store

# Seconds. On Linux psutil's create time is the process's start in clock ticks after boot plus the boot time, which
# moves when the system clock is adjusted (and psutil 5.9 caches it per process): two processes can disagree by a
# second about the same process. A reused pid is another process started at another moment, almost always minutes
# or more apart.
_CREATED_TOLERANCE = 2.0


def _process_start(pid: int) -> str | None:
    """The start time (clock ticks after boot) of process ``pid`` read from /proc; None when there is no such
    process or it has ended: a zombie (state Z) or a dying one (X) runs no code any more."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(b")", 1)[-1].split()  # after the command name, which may hold spaces and ')'
    if not fields or fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode() if len(fields) > 19 else None


def _process_created(pid: int) -> float | None:
    """The create time (seconds since the epoch) of process ``pid`` from psutil; None when there is no such
    process or it is a zombie or dead; NaN when it runs but belongs to another user (no more can be told)."""
    if pid <= 0:
        return None
    import psutil  # here: a child imports this module and never asks

    try:
        process = psutil.Process(pid)
        if process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return None
        created: float = process.create_time()
        return created
    except psutil.NoSuchProcess:  # ZombieProcess is one too
        return None
    except psutil.AccessDenied:
        return float("nan")


def current_driver() -> dict[str, Any]:
    """The identity of this process: host name, pid, create time and (Linux fast path) start time, so a reused
    pid is told apart from the driver."""
    pid = os.getpid()
    driver: dict[str, Any] = {"host": socket.gethostname(), "pid": pid, "created": _process_created(pid)}
    if not portable():
        driver["start"] = _process_start(pid)
    return driver


def driver_alive(driver: dict[str, Any] | None) -> bool | None:
    """True/False when it can be told from this host; None when the driver ran on another host."""
    if not driver:
        return None
    if driver.get("host") != socket.gethostname():
        return None
    pid = int(driver.get("pid", -1))
    if pid == os.getpid():
        return True
    if not portable() and driver.get("start") is not None:
        start = _process_start(pid)
        return start is not None and driver["start"] == start
    created = _process_created(pid)
    if created is None:
        return False
    recorded = driver.get("created")
    if recorded is None or created != created:  # an older record without it, or another user's process (NaN)
        return True
    return abs(float(recorded) - created) < _CREATED_TOLERANCE


def fail_lost_run(store: Store, run_id: str, driver: dict[str, Any]) -> None:
    """Mark an active run whose driver has ended Failed, error code ``DriverLost``, after registering its files:
    everything it logged until then is kept. A run already in a final status is left alone."""
    message = (f"The process that ran this run (pid {driver.get('pid')}) ended before the run finished; "
               "everything the run logged until then is kept.")
    store.register_run_files(run_id)
    store.set_status(run_id, st.FAILED, only_if_active=True, error=error_dict(DRIVER_LOST, message))


def fail_if_driver_lost(store: Store, record: RunRecord | None) -> RunRecord | None:
    """``record`` (a RunRecord of ``store``, or None) as it is after this check: an active run whose driver has
    ended is marked DriverLost first (``fail_lost_run``) and read again."""
    if record is None or st.is_terminal(record.status) or driver_alive(record.driver) is not False:
        return record
    fail_lost_run(store, record.run_id, record.driver or {})
    return store.get_run(record.run_id)
