"""The worker side of the Dask executor: slots that run children as processes on Dask workers.

A slot is one long-running Dask task (``serve_slot``) that holds one of a worker's threads for a
sweep. The notebook hands trials to it directly (``client.run(hand_over, ...)``, about 1 ms) instead
of submitting a Dask task per trial, whose round trip through the scheduler's batched streams costs
more than a short child itself. The slot runs its trials one at a time with ``run_trial``, which
drives the child with the local executor's own machinery (one LocalExecutor per worker process): a
script runs below a guard process, a function in a reused function-worker process below one, and every
child's whole process tree is killed when its worker dies (see ``process.spawn``). The child runs in a fresh temporary folder
below the worker's local directory, with ``HDNOTEBOOK_RUN_DIR`` pointing there; a script's source
arrives as a zip, once per slot.

Messages to the notebook are ``get_worker().log_event(topic, message)`` (fire and forget, in order;
the worker adds its address as ``worker``). A slot sends ``{"key", "nonce", "kind": "ready"}`` when
it can take trials; Dask silently reruns a slot task whose worker died, and each attempt has its own
``nonce``, so the notebook hands trials only to the attempt it knows. A resumed trial's checkpoint
folder arrives first, in parts (``receive_part``), and is unpacked into the trial's folder. A trial sends
``{"key", "kind", ...}`` with its own key: ``events`` (the child's events as JSON text, at most 100
a message), ``log`` (a chunk of the main log at a byte offset, every 0.25 s while it grows, at most
64 KB a tick) and ``end`` last: the outcome, the rest of the log and a zip of the child's files. The
scheduler keeps the last 1000 messages of a topic, so messages stay small: an end whose log and
files exceed 64 KB says ``in_result`` and stays on the worker until ``collect_end`` fetches it.

A slot ends when its Dask task is released (the sweep ended, or the notebook's client went away):
it checks every 0.5 s and stops a child still running then. ``kill_trial`` stops a child by its key.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hdnotebook._engine import channel
from hdnotebook._engine.executors.base import Outcome, OutcomeStatus, TrialHandle, TrialKind, TrialSpec
from hdnotebook._engine.executors.dask_files import RETURNED_FOLDERS, pack, result_files, unpack
from hdnotebook._engine.executors.local import LocalExecutor
from hdnotebook._engine.executors.versions import differences, local_versions, mismatch_message
from hdnotebook._engine.layout import RESUME_FOLDER, STD_LOG

LOG_TICK_SECONDS = 0.25
SLOT_CHECK_SECONDS = 0.5
LOG_CHUNK_BYTES = 32 * 1024
LOG_BYTES_PER_TICK = 64 * 1024
INLINE_END_BYTES = 64 * 1024
EVENTS_PER_MESSAGE = 100
EVENTS_DELAY_SECONDS = 0.002
_STOPPED_KEPT = 1000
_ENDS_KEPT = 16
_INCOMING_KEPT = 64  # checkpoint folders being received at once on one worker

_slots: dict[str, tuple[str, asyncio.Queue[dict[str, Any]]]] = {}
_running: dict[str, TrialHandle] = {}
_stopped: OrderedDict[str, None] = OrderedDict()
_ends: OrderedDict[str, dict[str, Any]] = OrderedDict()
_incoming: OrderedDict[str, bytearray] = OrderedDict()
_local: LocalExecutor | None = None


def _executor() -> LocalExecutor:
    global _local
    if _local is None:
        _local = LocalExecutor(slots=0, cwd=tempfile.gettempdir())
    return _local


def _remember(registry: OrderedDict[str, Any], key: str, value: Any, kept: int) -> None:
    registry[key] = value
    while len(registry) > kept:
        registry.popitem(last=False)


class Emitter:
    """Sends one trial's messages to the notebook and remembers what the child uploaded.

    Events go out ``EVENTS_DELAY_SECONDS`` after they arrive (the worker batches its messages to
    the scheduler every 2 ms anyway), so the last events of a short child travel inside its end.
    """

    def __init__(self, worker: Any, topic: str, key: str) -> None:
        self._worker = worker
        self._topic = topic
        self._key = key
        self._pending: list[dict[str, Any]] = []
        self._flush: asyncio.TimerHandle | None = None
        self.log_offset = 0
        self.uploaded: set[str] = set()

    def send(self, kind: str, **fields: Any) -> None:
        """One message; the worker adds its own address as ``worker``."""
        self._worker.log_event(self._topic, {"key": self._key, "kind": kind, **fields})

    def events(self, events: list[dict[str, Any]]) -> None:
        """The executor's event callback: forward a batch of child events (soon, see the class docstring)."""
        for event in events:
            if event.get("op") == "files":
                self.uploaded.update(str(name) for name, _ in event.get("files", []))
        self._pending.extend(events)
        if len(self._pending) >= EVENTS_PER_MESSAGE:
            self.flush()
        elif self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(EVENTS_DELAY_SECONDS, self.flush)

    def flush(self) -> None:
        """Send the events not sent yet, at most 100 a message."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        pending, self._pending = self._pending, []
        for start in range(0, len(pending), EVENTS_PER_MESSAGE):
            self.send("events", events=_json(pending[start:start + EVENTS_PER_MESSAGE]))

    def send_log(self, path: Path, limit: int) -> None:
        """Send what the log gained since the last call, up to ``limit`` bytes."""
        data = _read_from(path, self.log_offset, limit)
        for start in range(0, len(data), LOG_CHUNK_BYTES):
            chunk = data[start:start + LOG_CHUNK_BYTES]
            self.send("log", offset=self.log_offset, data=chunk)
            self.log_offset += len(chunk)

    def end(self, outcome: Outcome, log: bytes = b"", files: bytes = b"") -> None:
        """Send the ``end`` message (with the last events when they fit); a large end is kept here for ``collect_end``."""
        end = {"status": outcome.status.value, "exit_code": outcome.exit_code, "error": outcome.error,
               "error_code": outcome.error_code, "log_offset": self.log_offset, "log": log, "files": files}
        if len(self._pending) > EVENTS_PER_MESSAGE // 10:
            self.flush()
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        events, self._pending = self._pending, []
        if events:
            end["events"] = _json(events)
        if len(log) + len(files) <= INLINE_END_BYTES:
            self.send("end", **end)
        else:
            _remember(_ends, self._key, end, _ENDS_KEPT)
            self.send("end", **{**end, "log": b"", "files": b"", "in_result": True})


def _json(events: list[dict[str, Any]]) -> str:
    return json.dumps(events, separators=(",", ":"), default=repr)


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


def _place_resume(task: dict[str, Any], folder: Path, data: bytes) -> None:
    """Unpack the checkpoint folder that arrived for ``task`` (``data``) into ``folder/resume_from`` and point
    the child's arguments, keyword arguments and environment there instead of the notebook's path."""
    resume = task["resume"]
    if len(data) != resume["size"]:
        raise RuntimeError(f"the checkpoint folder to resume from arrived incomplete ({len(data)} of {resume['size']} bytes)")
    local = folder / RESUME_FOLDER
    local.mkdir(exist_ok=True)
    unpack(bytes(data), local)
    old, new = resume["path"], str(local)
    if task["argv"]:
        task["argv"] = [new if arg == old else arg for arg in task["argv"]]
    task["kwargs"] = {name: new if value == old else value for name, value in task["kwargs"].items()}
    task["env"] = {name: new if value == old else value for name, value in task["env"].items()}


def _slot_wanted(worker: Any, key: str) -> bool:
    """False once the scheduler released the slot's task (canceled by the notebook, or its client is gone)."""
    state = worker.state.tasks.get(key)
    return state is not None and state.state not in ("cancelled", "released", "forgotten")


async def _follow(handle: TrialHandle, emitter: Emitter, log_path: Path, wanted: Callable[[], bool], grace: float) -> Outcome:
    ended = asyncio.ensure_future(handle.outcome())
    while True:
        done, _ = await asyncio.wait({ended}, timeout=LOG_TICK_SECONDS)
        if done:
            return ended.result()
        emitter.send_log(log_path, LOG_BYTES_PER_TICK)
        if not wanted():
            await handle.stop(grace)


async def run_trial(worker: Any, topic: str, task: dict[str, Any], payload: bytes | None,
                    folder: asyncio.Future[str], wanted: Callable[[], bool] = lambda: True) -> None:
    """Run one child on this worker in ``folder`` (being prepared by ``_prepare``) and send its messages, ending with ``end``.

    ``task`` holds ``key``, ``run_id``, ``kind``, ``env``, ``argv``, ``python`` (the notebook's
    interpreter, replaced by this worker's in ``argv``), ``kwargs``, ``sys_path`` (entries that exist
    here are kept) and ``grace`` (seconds between SIGTERM and SIGKILL). ``payload`` is the pickled
    function. The child is stopped once ``wanted()`` is False. A failure to start the child ends the
    trial Failed (``DaskTaskFailed``) instead of raising. The folder is removed at the end.
    """
    key = task["key"]
    emitter = Emitter(worker, topic, key)
    loop = asyncio.get_running_loop()
    path: Path | None = None
    handle: TrialHandle | None = None
    try:
        path = Path(await folder)
        if key in _stopped:
            emitter.end(Outcome(OutcomeStatus.STOPPED))
            return
        if task.get("resume"):
            await loop.run_in_executor(None, _place_resume, task, path, bytes(_incoming.pop(key, b"")))
        spec = _local_spec(task, path, payload)
        handle = await _executor().submit(spec, emitter.events)
        _running[key] = handle
        if key in _stopped:
            await handle.stop(task["grace"])
        outcome = await _follow(handle, emitter, Path(spec.log_path), wanted, task["grace"])
        names = result_files(path, emitter.uploaded, {STD_LOG})
        files = await loop.run_in_executor(None, pack, path, names) if names else b""
        emitter.end(outcome, log=_read_from(Path(spec.log_path), emitter.log_offset), files=files)
    except asyncio.CancelledError:
        if handle is not None:
            await asyncio.shield(handle.stop(task["grace"]))
        raise
    except Exception as exc:
        if handle is not None:
            await handle.stop(task["grace"])
        message = f"The Dask worker {worker.address} could not run this child: {type(exc).__name__}: {exc}"
        emitter.end(Outcome(OutcomeStatus.FAILED, None, message, "DaskTaskFailed"))
    finally:
        _running.pop(key, None)
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)


async def serve_slot(slot: dict[str, Any], payload: bytes | None, archive: bytes | None) -> dict[str, Any]:
    """The slot task: announce ``ready``, then run the trials handed over until the task is released.

    ``slot`` holds ``key`` (this task's key), ``topic`` and ``versions`` (the notebook's). A version
    mismatch returns ``{"error_code": "VersionMismatch", "error": ...}`` before announcing; otherwise
    the result is ``{}``.
    """
    from distributed import get_worker

    worker = get_worker()
    key = slot["key"]
    diff = differences(slot["versions"], local_versions())
    if diff:
        return {"error_code": "VersionMismatch", "error": mismatch_message([f"{worker.address}: " + "; ".join(diff)])}
    nonce = uuid.uuid4().hex
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    _slots[key] = (nonce, queue)

    def wanted() -> bool:
        return _slot_wanted(worker, key)

    loop = asyncio.get_running_loop()
    spare: asyncio.Future[str] | None = loop.run_in_executor(None, _prepare, worker.local_directory, archive)
    worker.log_event(slot["topic"], {"key": key, "nonce": nonce, "kind": "ready"})
    try:
        while wanted():
            try:
                task = await asyncio.wait_for(queue.get(), SLOT_CHECK_SECONDS)
            except asyncio.TimeoutError:
                continue
            folder, spare = spare, None
            assert folder is not None  # spare is made again after each trial
            await run_trial(worker, slot["topic"], task, payload, folder, wanted)
            spare = loop.run_in_executor(None, _prepare, worker.local_directory, archive)
    finally:
        if _slots.get(key, ("",))[0] == nonce:
            del _slots[key]
        if spare is not None:
            spare.add_done_callback(_remove_folder)
    return {}


def _remove_folder(prepared: asyncio.Future[str]) -> None:
    if not prepared.cancelled() and prepared.exception() is None:
        shutil.rmtree(prepared.result(), ignore_errors=True)


def hand_over(slot_key: str, nonce: str, task: dict[str, Any]) -> bool:
    """Queue ``task`` on this worker's slot ``slot_key`` (run with ``client.run``); False when that attempt is not here."""
    entry = _slots.get(slot_key)
    if entry is None or entry[0] != nonce:
        return False
    entry[1].put_nowait(task)
    return True


def receive_part(key: str, offset: int, data: bytes) -> int:
    """Add a part of trial ``key``'s checkpoint folder, which starts at byte ``offset`` (run with ``client.run``);
    returns the bytes received so far."""
    if offset == 0:
        _remember(_incoming, key, bytearray(), _INCOMING_KEPT)
    buffer = _incoming.get(key)
    if buffer is None or len(buffer) != offset:
        raise RuntimeError(f"part at byte {offset} of trial {key}'s checkpoint folder arrived out of order")
    buffer += data
    return len(buffer)


def collect_end(key: str) -> dict[str, Any] | None:
    """Take the end of trial ``key`` kept here because it was too large for a message (run with ``client.run``)."""
    return _ends.pop(key, None)


async def kill_trial(key: str, grace: float) -> bool:
    """Stop the child of trial ``key`` on this worker (SIGTERM, SIGKILL after ``grace`` s); True if it was running.

    The key is remembered, so a trial handed over here later ends Stopped at once.
    """
    _remember(_stopped, key, None, _STOPPED_KEPT)
    handle = _running.get(key)
    if handle is None:
        return False
    await handle.stop(grace)
    return True
