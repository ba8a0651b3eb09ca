"""Where child runs execute: this machine, or a Dask cluster (``DaskComputeTarget``).

A compute target is "Dask" when it is a scheduler address (``"tcp://host:8786"`` or ``"host:8786"``),
a ``distributed.Client``, a Dask cluster object (anything with a ``scheduler_address``, e.g. a
``LocalCluster``, a dask-jobqueue or dask-kubernetes cluster) or a :class:`DaskComputeTarget`.
``None`` and ``"local"`` mean this machine. Anything else (an Azure compute name or object) is
recorded and runs on this machine, as before Dask support existed.

This module does not import ``distributed`` until a Dask target is used.
"""

from __future__ import annotations

import atexit
import re
from typing import TYPE_CHECKING, Any

from hdnotebook._engine.executors import exit_hooks
from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    import asyncio

DASK_EXTRA_HINT = "pip install hdnotebook[dask]"
DEFAULT_CONNECT_TIMEOUT = 10.0
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$|^[\w.-]+:\d+$|^\[[0-9a-fA-F:.]+\]:\d+$")


def require_distributed() -> None:
    """Raise ImportError naming the extra to install when ``distributed`` cannot be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"Running child runs on a Dask cluster needs the 'distributed' package, which is not installed: {DASK_EXTRA_HINT}"
        ) from exc


def is_scheduler_address(value: object) -> bool:
    """True for ``"scheme://host:port"`` or ``"host:port"`` (Azure compute names never hold a colon)."""
    return isinstance(value, str) and bool(_ADDRESS.match(value.strip()))


def _is_client(value: object) -> bool:
    return any(c.__name__ == "Client" and c.__module__.startswith("distributed") for c in type(value).__mro__)


def is_dask_target(value: object) -> bool:
    """True when ``value`` asks for the Dask executor (see the module docstring)."""
    if isinstance(value, DaskComputeTarget) or _is_client(value) or is_scheduler_address(value):
        return True
    return isinstance(getattr(value, "scheduler_address", None), str)


def is_local_target(value: object) -> bool:
    """True for ``None`` and ``"local"``."""
    return value is None or (isinstance(value, str) and value.strip().lower() == "local")


def as_dask_target(value: Any) -> DaskComputeTarget:
    """A DaskComputeTarget for any Dask target; a Client or cluster gives its scheduler address and security."""
    if isinstance(value, DaskComputeTarget):
        return value
    if isinstance(value, str):
        return DaskComputeTarget(value.strip())
    if _is_client(value):
        cluster = getattr(value, "cluster", None)
        address = getattr(cluster, "scheduler_address", None) or value.scheduler.address
        return DaskComputeTarget(address, security=getattr(value, "security", None))
    return DaskComputeTarget(value.scheduler_address, security=getattr(value, "security", None))


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserErrorException(f"DaskComputeTarget expects {name} to be a positive int, got {value!r}")
    return value


class DaskComputeTarget:
    """Run child runs on a Dask cluster: an existing one (``address``) or a local one started on demand.

    ``DaskComputeTarget("tcp://host:8786")`` connects to a running scheduler (``dask scheduler`` /
    ``dask worker``, dask-jobqueue, dask-kubernetes...). ``DaskComputeTarget()`` with no address
    starts a ``LocalCluster(n_workers, threads_per_worker, processes=True, dashboard_address=":0",
    **cluster_kwargs)`` when the first sweep that uses it is submitted. That cluster is shared by
    every later sweep given the same object, and stays up until ``close()`` (or the end of a
    ``with`` block, or the end of the Python process, where running sweeps are canceled first).
    Each sweep opens its own asynchronous client on hdnotebook's tuning loop and closes it when the
    sweep ends; a cluster given by address is never shut down by hdnotebook.

    Each worker thread runs one child at a time: give the workers as many threads in total as
    ``max_concurrent_runs``; children beyond the free threads stay Queued until one is free.
    ``connect_timeout`` (seconds) bounds the wait for the scheduler at submit time.
    """

    def __init__(self, address: str | None = None, n_workers: int = 2, threads_per_worker: int = 1, *,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT, security: Any = None, **cluster_kwargs: Any) -> None:
        require_distributed()
        if address is not None and not is_scheduler_address(address):
            raise UserErrorException(f"DaskComputeTarget expects address to be a scheduler address such as 'tcp://host:8786', got {address!r}")
        if address is not None and cluster_kwargs:
            raise UserErrorException(f"DaskComputeTarget expects cluster keyword arguments only without an address, got {sorted(cluster_kwargs)}")
        if isinstance(connect_timeout, bool) or not isinstance(connect_timeout, (int, float)) or not connect_timeout > 0:
            raise UserErrorException(f"DaskComputeTarget expects connect_timeout to be a positive number of seconds, got {connect_timeout!r}")
        self._address = address.strip() if address is not None else None
        self.n_workers = _positive_int("n_workers", n_workers)
        self.threads_per_worker = _positive_int("threads_per_worker", threads_per_worker)
        self.connect_timeout = float(connect_timeout)
        self.security = security
        self._cluster_kwargs = cluster_kwargs
        self._cluster: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop that started the cluster (it runs on it)
        self._starting: asyncio.Task[Any] | None = None
        self.users: set[Any] = set()

    @property
    def address(self) -> str | None:
        """The scheduler address: the one given, or the local cluster's once started (None before)."""
        if self._address is not None:
            return self._address
        return self._cluster.scheduler_address if self._cluster is not None else None

    @property
    def cluster(self) -> Any:
        """The LocalCluster this target started, or None."""
        return self._cluster

    @property
    def dashboard_link(self) -> str | None:
        """The local cluster's dashboard URL, or None."""
        return getattr(self._cluster, "dashboard_link", None)

    async def scheduler_address(self) -> str:
        """The address to connect to, starting the local cluster first when this target owns one.

        Called on hdnotebook's tuning loop; concurrent calls share one cluster start.
        """
        if self._address is not None:
            return self._address
        import asyncio  # here: ``from hdnotebook import *`` binds this class without paying for asyncio

        if self._cluster is None:
            if self._starting is None or self._starting.get_loop() is not asyncio.get_running_loop():
                self._starting = asyncio.get_running_loop().create_task(self._start_cluster())
            await asyncio.shield(self._starting)
        address: str = self._cluster.scheduler_address
        return address

    async def _start_cluster(self) -> None:
        import asyncio

        from distributed import LocalCluster

        options = {"processes": True, "dashboard_address": ":0", **self._cluster_kwargs}
        cluster = await LocalCluster(  # type: ignore[no-untyped-call]  # distributed is not typed
            n_workers=self.n_workers, threads_per_worker=self.threads_per_worker, asynchronous=True, **options)
        self._cluster, self._loop = cluster, asyncio.get_running_loop()
        atexit.register(self._close_at_exit)

    async def aclose(self) -> None:
        """Shut down the local cluster this target started (no-op for an address).

        Sweeps that are still closing their clients on it get up to 5 s to finish first.
        """
        import asyncio

        deadline = asyncio.get_running_loop().time() + 5.0
        while self.users and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        cluster, self._cluster, self._loop, self._starting = self._cluster, None, None, None
        if cluster is not None:
            atexit.unregister(self._close_at_exit)
            await cluster.close()

    def close(self) -> None:
        """Shut down the local cluster this target started; running children on it die with their workers.

        Blocks (up to 60 s) while the loop that started the cluster (hdnotebook's tuning loop) closes it; from a
        coroutine on that loop, ``await aclose()`` instead (RuntimeError).
        """
        from hdnotebook._engine.blocking import wait_on

        if self._cluster is not None and self._loop is not None:
            wait_on(self._loop, self.aclose(), timeout=60)

    def _close_at_exit(self) -> None:
        exit_hooks.cancel_running_work()  # the sweeps on this cluster end Canceled, not failed by its shutdown
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> DaskComputeTarget:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._address is not None:
            return f"DaskComputeTarget(address={self._address!r})"
        state = f"running at {self.address}" if self._cluster is not None else "not started"
        return f"DaskComputeTarget(local cluster of {self.n_workers}x{self.threads_per_worker} threads, {state})"


def check_compute_target(value: object, argument: str = "compute_target") -> None:
    """Raise HyperDriveConfigException unless ``value`` is None, "local" or a Dask target (strict: no Azure names)."""
    from hdnotebook._engine.executors.inline import is_inline_target  # the in-process test double's target

    if is_local_target(value) or is_dask_target(value) or is_inline_target(value):
        return
    from hdnotebook.exceptions import invalid_setting

    raise invalid_setting(argument, "None, 'local', a Dask scheduler address such as 'tcp://host:8786', a distributed.Client, "
                                    f"a Dask cluster or a DaskComputeTarget, but got {value!r}.")
