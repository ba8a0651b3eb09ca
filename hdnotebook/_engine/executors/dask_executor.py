"""DaskExecutor: child runs as processes on the workers of a Dask cluster, with the local executor's interface.

It runs on hdnotebook's tuning loop with an asynchronous client of its own (connected by address,
never through the user's synchronous client or cluster object). Children run in slots: long-running
tasks that each hold a worker thread for the sweep and take trials handed over directly (see
supervise.py and dask_slots.py), so a trial costs no Dask task of its own. The function's pickle
and the script's zipped source are scattered once per sweep (a worker fetches them once). Worker
messages arrive on one topic per sweep (``subscribe_topic``) and are routed to the slots and
trials. The executor also subscribes to the topic of each worker that runs a slot, where the
scheduler logs ``remove-worker``: the trial of a dead worker fails at once. (Not to the topic
``all``: Dask logs events there that cannot be serialized, which breaks a subscribed client's
connection.) The notebook stays the only writer of the store. If the client loses the scheduler,
every trial fails (SchedulerLost) and ``failure`` is set, which ends the sweep with that error.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
import uuid
from typing import Any

from hdnotebook._engine import channel
from hdnotebook._engine.executors.base import EventCallback, TrialKind, TrialSpec
from hdnotebook._engine.executors.dask_files import pack_folder, pack_source
from hdnotebook._engine.executors.dask_slots import SlotPool
from hdnotebook._engine.executors.dask_target import DaskComputeTarget
from hdnotebook._engine.executors.dask_trial import DaskTrial
from hdnotebook._engine.executors.versions import check_workers, local_versions
from hdnotebook.exceptions import ComputeTargetLost, TrainingException

WATCH_SECONDS = 0.2
CLOSE_SECONDS = 5.0
KILL_GRACE_SECONDS = 1.0
PART_BYTES = 4 * 1024 * 1024


class DaskCallFailed(Exception):
    """A call on one worker (``client.run``) failed or went unanswered."""


class DaskExecutor:
    """Runs trials on a Dask cluster; ``start()`` connects and checks versions (idempotent).

    ``source_directory`` is the script's folder (None for function children). ``failure`` becomes a
    ComputeTargetLost when the scheduler connection is lost; later submits raise it.
    """

    def __init__(self, target: DaskComputeTarget, slots: int, source_directory: str | None = None) -> None:
        self.failure: BaseException | None = None
        self.target = target
        self.client: Any = None
        self.topic = f"hdnotebook-{uuid.uuid4().hex}"
        self._source = source_directory
        self._archive: bytes | None = None
        self._payload: bytes | None = None
        self._shared: dict[str, Any] = {}
        self._pool = SlotPool(self, slots)
        self._trials: dict[str, DaskTrial] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._address: str | None = None
        self._watched: set[str] = set()
        self.closing = False
        self._versions = local_versions()

    @property
    def target_name(self) -> str:
        """Where the children run, as run details show it: ``dask <scheduler address>``."""
        return f"dask {self._address or 'cluster'}"

    async def start(self) -> None:
        """Connect to the scheduler (starting the target's local cluster if it owns one), check the workers' versions."""
        if self.client is not None:
            return
        from distributed import Client

        address = await self.target.scheduler_address()
        timeout = self.target.connect_timeout
        try:
            client = await Client(  # type: ignore[no-untyped-call]  # distributed is not typed
                address, asynchronous=True, set_as_default=False, timeout=timeout, security=self.target.security)
        except Exception as exc:
            raise TrainingException(f"compute_target: could not connect to the Dask scheduler at {address} "
                                    f"within {timeout:g} s: {exc}", error_code="ComputeTargetUnreachable") from exc
        try:
            await check_workers(client)
        except BaseException:
            await client.close()
            raise
        client.subscribe_topic(self.topic, self._on_message)
        self.client, self._address = client, address
        self.target.users.add(self)
        self.spawn(self._watch_connection())

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` as a task of this executor (awaited, then canceled, when it closes)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _share(self, name: str, data: bytes) -> Any:
        future = self._shared.get(name)
        if future is None or future.status != "finished":
            future = self._shared[name] = await self.client.scatter(data, hash=True)
        return future

    async def _source_archive(self) -> Any:
        if self._archive is None:
            assert self._source is not None, "a script trial needs the source directory"
            self._archive = await asyncio.get_running_loop().run_in_executor(None, pack_source, self._source)
        return await self._share("source", self._archive)

    async def _slot_inputs(self) -> tuple[Any, Any]:
        if self._payload is not None:
            return await self._share("payload:" + hashlib.sha256(self._payload).hexdigest(), self._payload), None
        return None, await self._source_archive()

    async def submit_slot(self, function: Any, key: str) -> Any:
        """Submit a slot task ``function(slot, payload, archive)`` under ``key``; returns its future."""
        payload, archive = await self._slot_inputs()
        slot = {"key": key, "topic": self.topic, "versions": self._versions}
        return self.client.submit(function, slot, payload, archive, key=key, pure=False)

    async def submit(self, spec: TrialSpec, on_events: EventCallback) -> DaskTrial:
        """Queue the trial for the next free slot and return its handle at once.

        Every trial of one executor runs the same function (the same ``payload``) or the same
        source folder.
        """
        if self.failure is not None:
            raise self.failure
        await self.start()
        if spec.kind is TrialKind.FUNCTION:
            assert spec.payload is not None, "a function trial needs a payload"
            if self._payload is None:
                self._payload = spec.payload
            elif spec.payload != self._payload:
                raise ValueError("a DaskExecutor runs one function: every function trial must carry the same payload")
        key = f"hdnotebook-{spec.run_id}-{uuid.uuid4().hex[:8]}"
        task = {"key": key, "run_id": spec.run_id, "kind": spec.kind.value, "env": spec.env, "argv": spec.argv,
                "python": sys.executable, "kwargs": spec.kwargs, "sys_path": spec.sys_path, "grace": KILL_GRACE_SECONDS}
        trial = DaskTrial(self, spec, key, task, on_events)
        resume_folder = spec.env.get(channel.ENV_RESUME_FROM)
        if resume_folder is not None:
            trial.resume_archive = await asyncio.get_running_loop().run_in_executor(None, pack_folder, resume_folder)
            task["resume"] = {"path": resume_folder, "size": len(trial.resume_archive)}
        self._trials[key] = trial
        self._pool.enqueue(trial)
        return trial

    def _on_message(self, event: tuple[float, Any]) -> None:
        message = event[1]
        if not isinstance(message, dict):
            return
        worker = message.get("worker")
        if isinstance(worker, str) and worker not in self._watched:
            self._watched.add(worker)
            self.client.subscribe_topic(worker, self._on_worker_event)
        if message.get("kind") == "ready":
            self._pool.ready(message)
            return
        trial = self._trials.get(str(message.get("key")))
        if trial is not None:
            trial.deliver(message)

    def _on_worker_event(self, event: tuple[float, Any]) -> None:
        message = event[1]
        if not isinstance(message, dict) or message.get("action") != "remove-worker":
            return
        address = message.get("worker", "")
        self._pool.worker_removed(address)

    def connection_lost(self) -> bool:
        """True once the client has lost the scheduler; the first call that finds out sets ``failure``
        and fails every running trial (SchedulerLost)."""
        if self.failure is not None:
            return True
        status = self.client.status if self.client is not None else "running"
        if status == "running" or self.closing:
            return False
        self.failure = ComputeTargetLost(
            f"Lost the connection to the Dask scheduler at {self._address} (client status {status!r}); "
            "the sweep stops. Runs that had finished are kept in the store.", error_code="SchedulerLost")
        for trial in list(self._trials.values()):
            trial.connection_lost(str(self.failure))
        return True

    async def _watch_connection(self) -> None:
        while not self.closing and not self.connection_lost():
            await asyncio.sleep(WATCH_SECONDS)

    def settled(self, trial: DaskTrial) -> None:
        """A trial's outcome is settled: drop it (its late messages are ignored from now on) and free its slot."""
        self._trials.pop(trial.key, None)
        self._pool.release(trial)

    async def run_on(self, worker: str, function: Any, *args: Any) -> Any:
        """``function(*args)`` on ``worker`` with ``client.run``; raises DaskCallFailed (the reason in its message)."""
        if self.failure is not None or self.client is None:
            raise DaskCallFailed("no connection to the Dask scheduler")
        try:
            results = await self.client.run(function, *args, workers=[worker], on_error="return")
        except Exception as exc:
            raise DaskCallFailed(f"{type(exc).__name__}: {exc}") from exc
        if worker not in results:
            raise DaskCallFailed(f"the worker {worker} did not answer")
        result = results[worker]
        if isinstance(result, BaseException):
            raise DaskCallFailed(f"{type(result).__name__}: {result}")
        return result

    async def has_worker(self, address: str) -> bool:
        """True while the scheduler lists the worker at ``address`` (asked, not cached)."""
        try:
            identity = await self.client.scheduler.identity()
        except Exception:
            return False
        return address in identity.get("workers", {})

    async def send_parts(self, worker: str, key: str, data: bytes) -> None:
        """Send ``data`` (a resumed trial's checkpoint folder) to ``worker`` in parts of at most 4 MB (DaskCallFailed if not)."""
        from hdnotebook._engine.executors.supervise import receive_part

        for offset in range(0, max(len(data), 1), PART_BYTES):
            received = await self.run_on(worker, receive_part, key, offset, data[offset:offset + PART_BYTES])
            if received != min(len(data), offset + PART_BYTES):
                raise DaskCallFailed(f"the checkpoint folder arrived incomplete on {worker} ({received} bytes)")

    async def collect_end(self, key: str, worker: str | None) -> dict[str, Any] | None:
        """The end of trial ``key`` kept on ``worker`` because it was too large for a message (None if lost)."""
        from hdnotebook._engine.executors.supervise import collect_end

        if worker is None:
            return None
        try:
            end: dict[str, Any] | None = await self.run_on(worker, collect_end, key)
            return end
        except DaskCallFailed:
            return None

    async def kill(self, key: str, worker: str | None, grace: float) -> None:
        """Stop task ``key``'s child on ``worker`` (on every worker when None); no-op without a connection."""
        from hdnotebook._engine.executors.supervise import kill_trial

        if self.failure is not None or self.client is None:
            return
        try:
            await self.client.run(kill_trial, key, grace, workers=[worker] if worker else None, on_error="ignore")
        except Exception:
            pass

    def abandon(self, key: str) -> None:
        """In the background: make sure trial ``key`` runs on no worker (after its worker was reported lost)."""
        self.spawn(self.kill(key, None, KILL_GRACE_SECONDS))

    async def aclose(self, grace: float = 1.0) -> None:
        """Stop running trials and close this executor's client (a target's local cluster stays up)."""
        if self.client is None or self.closing:
            return
        if self.failure is None:
            await asyncio.gather(*(t.stop(grace) for t in list(self._trials.values())), return_exceptions=True)
        self.closing = True
        futures = self._pool.futures()
        if futures and self.failure is None:
            try:
                await self.client.cancel(futures, reason="the sweep ended")
            except Exception:
                pass
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=CLOSE_SECONDS)
        for task in pending:
            task.cancel()
        try:
            for topic in [self.topic, *self._watched]:
                self.client.unsubscribe_topic(topic)
        except Exception:
            pass
        self._shared.clear()
        quiet = logging.getLogger("distributed.client")
        quiet.addFilter(_drop_cancellation)
        try:
            await asyncio.wait_for(self.client._close(fast=self.failure is not None), CLOSE_SECONDS)
        except Exception:
            pass
        finally:
            quiet.removeFilter(_drop_cancellation)
            self.target.users.discard(self)


def _drop_cancellation(record: logging.LogRecord) -> bool:
    """Closing a client that is still trying to reconnect cancels that attempt; Dask would log it as an error."""
    return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))
