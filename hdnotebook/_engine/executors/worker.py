"""A reusable process that runs function children one at a time (``python -m hdnotebook._engine.executors.worker``).

Tasks arrive on stdin as a 4-byte big-endian length and a pickled dict: ``run_id``, ``env``,
``cwd``, ``sys_path``, ``log_path``, ``kwargs``, ``digest`` and ``payload`` (``cloudpickle.dumps(fn)``,
None when this worker already received the function with that digest: the function is unpickled
once per worker, however large the data it captured). While a
task runs, file descriptors 1 and 2 point at its log file, so C-level output is captured too. Each
task ends with an ``{"op": "end"}`` event on the events pipe (fd in HDNOTEBOOK_WORKER_EVENTS_FD).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import traceback
from typing import Any

from hdnotebook._engine import channel

ENV_WORKER_EVENTS_FD = "HDNOTEBOOK_WORKER_EVENTS_FD"
_HEADER = struct.Struct(">I")
_FUNCTIONS_KEPT = 4
_functions: dict[str, Any] = {}


def frame(task: dict[str, Any]) -> bytes:
    """A task as the bytes the worker reads from stdin."""
    body = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def _read_exactly(stream: Any, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _run_task(task: dict[str, Any], writer: channel.PipeWriter) -> None:
    import cloudpickle

    for name in [n for n in os.environ if n.startswith("HDNOTEBOOK_") and n not in task["env"] and n != ENV_WORKER_EVENTS_FD]:
        del os.environ[name]  # an earlier task's run variables (e.g. its resume folder) must not leak into this one
    os.environ.update(task["env"])
    os.environ.update(channel.channel_environment(writer.fd))
    sys.path[:] = task["sys_path"]
    os.chdir(task["cwd"])
    saved = os.dup(1), os.dup(2)
    log_fd = os.open(task["log_path"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    status, error = "Completed", None
    try:
        fn = _functions.get(task["digest"])
        if fn is None:
            fn = _functions[task["digest"]] = cloudpickle.loads(task["payload"])
            while len(_functions) > _FUNCTIONS_KEPT:
                del _functions[next(iter(_functions))]
        fn(**task["kwargs"])
    except SystemExit as exc:
        if exc.code not in (None, 0):
            status, error = "Failed", f"SystemExit: {exc.code}"
    except BaseException as exc:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None))
        sys.stderr.write(text)
        status = "Failed"
        lines = text.rstrip("\n").split("\n")
        error = "\n".join(lines[:1] + lines[1:][-29:])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
    writer.send({"op": "end", "run": task["run_id"], "status": status, "error": error})


def main() -> None:
    """Serve tasks until stdin closes."""
    from hdnotebook._engine.executors.process import die_with_parent

    die_with_parent()
    writer = channel.writer_for(int(os.environ[ENV_WORKER_EVENTS_FD]))
    import cloudpickle  # noqa: F401  (imported before the first task, not during it)

    stdin = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    writer.send({"op": "ready", "pid": os.getpid()})
    while True:
        header = _read_exactly(stdin, _HEADER.size)
        if header is None:
            return
        body = _read_exactly(stdin, _HEADER.unpack(header)[0])
        if body is None:
            return
        _run_task(pickle.loads(body), writer)


if __name__ == "__main__":
    main()
