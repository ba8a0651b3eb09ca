"""The worker side of the Dask executor: ``supervise`` runs one child as a process on a Dask worker.

``supervise`` is an async Dask task, so it runs on the worker's event loop and drives the child with
the local executor's own machinery (one LocalExecutor per worker process): a script is its own
process group, a function runs in a reused function-worker process, and every child gets SIGKILL
when its worker dies (PDEATHSIG). The child runs in a fresh temporary folder below the worker's
local directory, with ``HDNOTEBOOK_RUN_DIR`` pointing there; a script's source arrives as a zip.

Messages to the notebook are ``get_worker().log_event(topic, message)`` (fire and forget, in order),
each ``{"key", "nonce", "kind", ...}``: kind ``start`` first, then ``events`` (the child's events as
JSON text, at most 100 a message) and ``log`` (a chunk of the main log at a byte offset, every
0.25 s while it grows, at most 64 KB a tick), and ``end`` last: the outcome, the rest of the log and
a zip of the child's files. The scheduler keeps the last 1000 messages of a topic, so messages stay
small: an end whose log and files exceed 64 KB says ``in_result`` and leaves them to the task's
result (which always holds the whole end). ``nonce`` is made when this attempt starts: Dask silently
reruns a task whose worker died, and the notebook must never mix the rerun's curve into the first
one. ``kill_trial`` (sent with ``client.run``) stops a child by its task key.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

from hdnotebook.executors.base import Outcome, OutcomeStatus, TrialHandle, TrialKind, TrialSpec
from hdnotebook.executors.dask_files import RETURNED_FOLDERS, pack, result_files, unpack
from hdnotebook.executors.local import LocalExecutor
from hdnotebook.executors.versions import differences, local_versions, mismatch_message
from hdnotebook.runs import channel

STD_LOG = "user_logs/std_log.txt"
LOG_TICK_SECONDS = 0.25
LOG_CHUNK_BYTES = 32 * 1024
LOG_BYTES_PER_TICK = 64 * 1024
INLINE_END_BYTES = 64 * 1024
EVENTS_PER_MESSAGE = 100
_STOPPED_KEPT = 1000

_running: dict[str, TrialHandle] = {}
_stopped: "OrderedDict[str, None]" = OrderedDict()
_local: LocalExecutor | None = None


def _executor() -> LocalExecutor:
    global _local
    if _local is None:
        _local = LocalExecutor(slots=0, cwd=tempfile.gettempdir())
    return _local


class Emitter:
    """Sends one attempt's messages to the notebook and remembers what the child uploaded."""

    def __init__(self, worker: Any, topic: str, key: str) -> None:
        self._worker = worker
        self._topic = topic
        self._key = key
        self.nonce = uuid.uuid4().hex
        self.log_offset = 0
        self.uploaded: set[str] = set()

    def send(self, kind: str, **fields: Any) -> None:
        """One message; the worker adds its own address as ``worker``."""
        self._worker.log_event(self._topic, {"key": self._key, "nonce": self.nonce, "kind": kind, **fields})

    def events(self, events: list[dict[str, Any]]) -> None:
        """The executor's event callback: forward a batch of child events."""
        for event in events:
            if event.get("op") == "files":
                self.uploaded.update(str(name) for name, _ in event.get("files", []))
        for start in range(0, len(events), EVENTS_PER_MESSAGE):
            text = json.dumps(events[start:start + EVENTS_PER_MESSAGE], separators=(",", ":"), default=repr)
            self.send("events", events=text)

    def send_log(self, path: Path, limit: int) -> None:
        """Send what the log gained since the last call, up to ``limit`` bytes."""
        data = _read_from(path, self.log_offset, limit)
        for start in range(0, len(data), LOG_CHUNK_BYTES):
            chunk = data[start:start + LOG_CHUNK_BYTES]
            self.send("log", offset=self.log_offset, data=chunk)
            self.log_offset += len(chunk)

    def end(self, outcome: Outcome, log: bytes = b"", files: bytes = b"") -> dict[str, Any]:
        """Send the ``end`` message and return the task's result ``{"nonce", "end"}``."""
        end = {"status": outcome.status.value, "exit_code": outcome.exit_code, "error": outcome.error,
               "error_code": outcome.error_code, "log_offset": self.log_offset, "log": log, "files": files}
        if len(log) + len(files) <= INLINE_END_BYTES:
            self.send("end", **end)
        else:
            self.send("end", **{**end, "log": b"", "files": b"", "in_result": True})
        return {"nonce": self.nonce, "end": end}


def _read_from(path: Path, offset: int, limit: int | None = None) -> bytes:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(-1 if limit is None else limit)
    except OSError:
        return b""


def _prepare(local_directory: str, archive: bytes | None) -> str:
    folder = tempfile.mkdtemp(prefix="hdnotebook-run-", dir=local_directory)
    if archive:
        unpack(archive, Path(folder))
    for name in RETURNED_FOLDERS:
        (Path(folder) / name).mkdir(exist_ok=True)
    return folder


def _local_spec(task: dict[str, Any], folder: Path, payload: bytes | None) -> TrialSpec:
    env = {**task["env"], channel.ENV_RUN_DIR: str(folder)}
    kind = TrialKind(task["kind"])
    argv = None
    sys_path: list[str] = []
    if kind is TrialKind.SCRIPT:
        argv = list(task["argv"])
        if argv and argv[0] == task["python"]:
            argv[0] = sys.executable
    else:
        candidates = [str(folder), *(p for p in task["sys_path"] if p and os.path.isdir(p)), *(p for p in sys.path if p)]
        sys_path = list(dict.fromkeys(candidates))
    return TrialSpec(run_id=task["run_id"], kind=kind, cwd=str(folder), env=env, log_path=str(folder / STD_LOG),
                     argv=argv, payload=payload, kwargs=task["kwargs"], sys_path=sys_path)


async def _follow(handle: TrialHandle, emitter: Emitter, log_path: Path) -> Outcome:
    ended = asyncio.ensure_future(handle.outcome())
    while True:
        done, _ = await asyncio.wait({ended}, timeout=LOG_TICK_SECONDS)
        if done:
            return ended.result()
        emitter.send_log(log_path, LOG_BYTES_PER_TICK)


async def supervise(task: dict[str, Any], payload: bytes | None, archive: bytes | None) -> dict[str, Any]:
    """Run one child on this worker and return its outcome, the rest of its log and its files.

    ``task`` holds ``key``, ``topic``, ``run_id``, ``kind``, ``env``, ``argv``, ``python`` (the
    notebook's interpreter, replaced by this worker's in ``argv``), ``kwargs``, ``sys_path``
    (entries that exist here are kept), ``grace`` and ``versions`` (the notebook's; a mismatch
    fails the run before the child starts). ``payload`` is the pickled function, ``archive`` the
    zipped source folder.
    """
    from distributed import get_worker

    worker = get_worker()
    key = task["key"]
    emitter = Emitter(worker, task["topic"], key)
    emitter.send("start", pid=os.getpid())
    diff = differences(task["versions"], local_versions())
    if diff:
        message = mismatch_message([f"{worker.address}: " + "; ".join(diff)])
        return emitter.end(Outcome(OutcomeStatus.FAILED, None, message, "VersionMismatch"))
    if key in _stopped:
        return emitter.end(Outcome(OutcomeStatus.STOPPED))
    loop = asyncio.get_running_loop()
    if archive:
        folder = Path(await loop.run_in_executor(None, _prepare, worker.local_directory, archive))
    else:
        folder = Path(_prepare(worker.local_directory, None))
    handle: TrialHandle | None = None
    try:
        spec = _local_spec(task, folder, payload)
        handle = await _executor().submit(spec, emitter.events)
        _running[key] = handle
        if key in _stopped:
            await handle.stop(task["grace"])
        outcome = await _follow(handle, emitter, Path(spec.log_path))
        names = result_files(folder, emitter.uploaded, {STD_LOG})
        files = await loop.run_in_executor(None, pack, folder, names) if names else b""
        return emitter.end(outcome, log=_read_from(Path(spec.log_path), emitter.log_offset), files=files)
    except asyncio.CancelledError:
        if handle is not None:
            await asyncio.shield(handle.stop(task["grace"]))
        raise
    finally:
        _running.pop(key, None)
        shutil.rmtree(folder, ignore_errors=True)


async def kill_trial(key: str, grace: float) -> bool:
    """Stop the child of task ``key`` on this worker (SIGTERM, SIGKILL after ``grace`` s); True if it was running.

    The key is remembered, so a child whose task starts here later is stopped at once.
    """
    _stopped[key] = None
    while len(_stopped) > _STOPPED_KEPT:
        _stopped.popitem(last=False)
    handle = _running.get(key)
    if handle is None:
        return False
    await handle.stop(grace)
    return True
