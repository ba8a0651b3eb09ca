"""What a sweep continued after the death of its driver inherits from its first life, read from the store.

- ``reruns``: the children the death interrupted (Failed with error code ``DriverLost``, not run again yet), in
  child order, then the ``resume_child_runs`` the sweep had not started yet. They run first, with the same
  hyperparameters and a copy of their ``outputs/``.
- ``uncounted``: how many children do not count in ``max_total_runs`` (every interrupted one; a child counts once
  it finished: completed, failed or canceled, or while it runs).
- ``ran_seconds``: how long the sweep's tuning loop ran before (the sum of its running spans), which
  ``max_duration_minutes`` counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hdnotebook._engine.driver import fail_if_driver_lost
from hdnotebook._engine.layout import DRIVER_LOST
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook._engine.store.sweep_state_queries import error_code
from hdnotebook._engine.sweep_history import RERUN_PROPERTY


@dataclass(frozen=True)
class Continuation:
    """The inheritance of a continued sweep (see the module docstring)."""

    reruns: tuple[RunRecord, ...]
    uncounted: int
    ran_seconds: float


def interrupted(record: RunRecord) -> bool:
    """True for a run its driver's death ended (Failed, error code DriverLost)."""
    return error_code(record.error) == DRIVER_LOST


def continuation_of(store: Store, run_id: str, resume_child_runs: Iterable[str] = ()) -> Continuation:
    """The inheritance of sweep ``run_id`` (its children still marked active are marked DriverLost first: their
    driver is the dead one). ``resume_child_runs`` are the ids the sweep was configured to resume."""
    children = [r for c in store.list_runs(parent_id=run_id) if (r := fail_if_driver_lost(store, c)) is not None]
    rerun_origins = {origin for origin in store.children_property(run_id, RERUN_PROPERTY).values() if origin}
    lost = [c for c in children if interrupted(c)]
    pending = [store.get_run(r) for r in resume_child_runs if r not in rerun_origins]
    reruns = [c for c in lost if c.run_id not in rerun_origins] + [r for r in pending if r is not None]
    return Continuation(reruns=tuple(reruns), uncounted=len(lost), ran_seconds=store.running_seconds(run_id))
