"""A sweep's progress read from the store: runs by status, the best value so far, elapsed time and time left.

The figures are the ones the RunDetails header shows (``js/src/header.js``); ``time_left`` is the same
estimate as the front end's ``eta`` (``js/src/state.js``, checked against it in the tests). The reader
costs what changed since its previous read (cursors over metric calls and status events), so a
waiting loop can call it a few times a second on a sweep of thousands of runs.
"""

from __future__ import annotations

import heapq
import math
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from hdnotebook import status as st
from hdnotebook._engine.store import Store
from hdnotebook._engine.store.rows import stored_values
from hdnotebook._engine.sweep_history import rerun_count
from hdnotebook.goal import PrimaryMetricGoal


@dataclass(frozen=True)
class ChildState:
    """What the estimate needs of one child: its status, start and end (epoch seconds) and how many values of
    the primary metric it logged (its intervals)."""

    status: str
    start: float | None
    end: float | None
    count: int = 0


@dataclass(frozen=True)
class SweepProgress:
    """A sweep at one moment. Times are seconds; ``time_left`` is None until a child has gone its full length
    (and 0 once the sweep ended); ``best_*`` are None until a child logged a finite primary metric."""

    sweep_id: str
    status: str
    metric: str
    goal: str
    max_total: int | None
    max_concurrent: int | None
    counts: dict[str, int] = field(default_factory=dict)
    best_value: float | None = None
    best_run_id: str | None = None
    best_run_number: int | None = None
    elapsed: float = 0.0
    time_left: float | None = None

    @property
    def children(self) -> int:
        """Child runs created so far."""
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Children that ended (Completed, Failed or Canceled)."""
        return sum(n for s, n in self.counts.items() if st.is_terminal(s))

    @property
    def failed(self) -> int:
        return self.counts.get(st.FAILED, 0)

    @property
    def canceled(self) -> int:
        return self.counts.get(st.CANCELED, 0)

    @property
    def running(self) -> int:
        """Children started and not ended (Running, CancelRequested)."""
        return sum(n for s, n in self.counts.items() if s in (st.RUNNING, st.CANCEL_REQUESTED))

    @property
    def total(self) -> int:
        """The budget (``max_total_runs``), or the children created when there is none."""
        return self.max_total if self.max_total else self.children


def hms(seconds: float) -> str:
    """Seconds as ``H:MM:SS`` (whole seconds, rounded down; negative counts as 0)."""
    whole = int(max(0.0, seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def time_left(sweep_status: str, children: list[ChildState], max_total: int | None, max_concurrent: int | None,
              now: float) -> float | None:
    """Seconds until the sweep ends, as the RunDetails header estimates it.

    A child that goes its full length takes the median duration of the Completed children (children
    stopped early by a policy are no measure of that); a running child has left what its intervals so
    far say about the rest of its full length (or that median less its elapsed time); children not started
    yet (queued, or still in the budget of ``max_total``) take the slots as they free up. None until a child
    completed; 0 when the sweep ended.
    """
    if st.is_terminal(sweep_status):
        return 0.0
    typical, full_count = full_length(children)
    if typical is None:
        return None
    active = [c for c in children if not st.is_terminal(c.status)]
    return _left(typical, full_count, active, len(children), max_total, max_concurrent, now)


def full_length(children: Iterable[ChildState]) -> tuple[float | None, int]:
    """The median duration (seconds) of the Completed children (None when there is none) and the most intervals
    one of them logged."""
    full = [c for c in children if c.status == st.COMPLETED and c.start is not None and c.end is not None]
    if not full:
        return None, 0
    return statistics.median(c.end - c.start for c in full), max(c.count for c in full)  # type: ignore[operator]


def _left(typical: float, full_count: int, active: list[ChildState], created: int, max_total: int | None,
          max_concurrent: int | None, now: float) -> float:
    """``time_left`` from the full length and the children not ended (``created``: all children so far)."""
    started = [c for c in active if c.start is not None]
    waiting = len(active) - len(started)
    budget = max(0, (max_total if max_total is not None else created) - created)
    running_left = []
    for child in started:
        elapsed = max(0.0, now - child.start)  # type: ignore[operator]
        if full_count and child.count > 0:
            running_left.append(max(0.0, elapsed / child.count * (full_count - child.count)))
        else:
            running_left.append(max(0.0, typical - elapsed))
    # list scheduling: each slot frees when its run ends; each waiting run takes the first free slot
    slots = max(1, max_concurrent or 1, len(started))
    free = sorted(running_left + [0.0] * max(0, slots - len(running_left)))
    for _ in range(waiting + budget):
        heapq.heapreplace(free, free[0] + typical)  # a sorted list is a heap
    return max([0.0, *free])


class ProgressReader:
    """Reads a sweep's progress from the store; each ``read()`` costs what changed since the previous one (the
    status counts, the best child and the children not ended are kept up to date, not recounted).

    With ``per_child=False`` an ended sweep's best child is taken from the properties the sweep recorded when it
    ended (``best_child_run_id``, ``score``) rather than from every logged value: ``best_by_child`` then holds that
    child only. A sweep still running, or one without those properties (its driver died), is read in full.
    """

    def __init__(self, store: Store, sweep_id: str, per_child: bool = True) -> None:
        record = store.get_run(sweep_id)
        if record is None:
            raise KeyError(sweep_id)
        config = record.config or {}
        primary = config.get("primary_metric_config", {})
        self.store = store
        self.sweep_id = sweep_id
        self.metric: str = primary.get("name", "")
        self.goal = PrimaryMetricGoal.from_str(primary.get("goal", "maximize"))
        self.max_total: int | None = config.get("max_total_runs")
        self.max_concurrent: int | None = config.get("max_concurrent_runs")
        self._children: dict[str, tuple[int | None, str, float | None, float | None]] = {}
        self._status_counts: dict[str, int] = {}
        self._active: set[str] = set()  # children not ended
        self._counts: dict[str, int] = {}
        self._best: dict[str, float] = {}
        self._best_id: str | None = None
        self._full: tuple[float | None, int] | None = None  # full_length() of the children; None: to recompute
        self._metric_cursor: int | None = None
        self._event_cursor = 0
        self._reruns = (-1, 0)  # (children when counted, children that run an interrupted sibling again)
        properties = store.get_properties(sweep_id) if not per_child and st.is_terminal(record.status) else {}
        best_id, score = properties.get("best_child_run_id"), properties.get("score")
        if best_id is not None and score is not None:
            self._metric_cursor = store.last_metric_id()  # an ended sweep's children log nothing more
            self._best, self._best_id = {best_id: float(score)}, best_id

    def _index(self, run_id: str) -> float:
        index = self._children.get(run_id, (None,))[0]
        return math.inf if index is None else index

    def _fold(self, run_id: str, values: list[object]) -> None:
        self._counts[run_id] = self._counts.get(run_id, 0) + len(values)
        if self._children.get(run_id, (None, ""))[1] == st.COMPLETED:
            self._full = None
        best = self.goal.best(values)  # type: ignore[arg-type]
        if best is None or (run_id in self._best and not self.goal.is_better(best, self._best[run_id])):
            return
        self._best[run_id] = best
        top = self._best_id
        if top is None or self.goal.better_child(best, self._index(run_id), self._best[top], self._index(top)):
            self._best_id = run_id

    def _read_states(self) -> None:
        states, self._event_cursor = self.store.child_states_since(self.sweep_id, self._event_cursor)
        for run_id, index, status, start, end in states:
            previous = self._children.get(run_id)
            if previous is not None:
                self._status_counts[previous[1]] -= 1
            self._status_counts[status] = self._status_counts.get(status, 0) + 1
            self._children[run_id] = (index, status, start, end)
            (self._active.discard if st.is_terminal(status) else self._active.add)(run_id)
        if states:
            self._full = None

    def _read_metrics(self) -> None:
        if self._metric_cursor is None:  # first read: every call so far, decoded at once
            self._metric_cursor = self.store.last_metric_id()
            calls = self.store.child_metric_texts(self.sweep_id, [self.metric], self._metric_cursor)
            for (_, run_id), values in stored_values(calls).items():
                self._fold(run_id, values)
            return
        rows, self._metric_cursor = self.store.child_calls_after(self.sweep_id, self._metric_cursor, [self.metric])
        for row in rows:
            self._fold(row.run_id, row.items())

    @property
    def best_by_child(self) -> dict[str, float]:
        """``{child run id: its best finite primary-metric value}`` as of the last ``read()``."""
        return dict(self._best)

    def _time_left(self, status: str, now: float) -> float | None:
        if st.is_terminal(status):
            return 0.0
        if self._full is None:
            self._full = full_length(ChildState(s, a, b, self._counts.get(i, 0)) for i, (_, s, a, b) in self._children.items())
        typical, full_count = self._full
        if typical is None:
            return None
        active = [ChildState(*self._children[i][1:], self._counts.get(i, 0)) for i in self._active]
        return _left(typical, full_count, active, len(self._children), self._budget(), self.max_concurrent, now)

    def _budget(self) -> int | None:
        """``max_total_runs`` in children: in a continued sweep the interrupted children, run again, come on top
        (counted again only when children were added)."""
        if self.max_total is None:
            return None
        if self._reruns[0] != len(self._children):
            self._reruns = (len(self._children), rerun_count(self.store, self.sweep_id))
        return self.max_total + self._reruns[1]

    def read(self, now: float | None = None) -> SweepProgress:
        """The sweep's progress now (``now`` in epoch seconds, default the clock)."""
        now = time.time() if now is None else now
        record = self.store.get_run(self.sweep_id)
        assert record is not None
        self._read_states()
        self._read_metrics()
        best_id = self._best_id
        start = record.start_time if record.start_time is not None else record.created_time
        elapsed = (record.end_time if record.end_time is not None else now) - start
        return SweepProgress(
            sweep_id=self.sweep_id, status=record.status, metric=self.metric, goal=self.goal.name.lower(),
            max_total=self._budget(), max_concurrent=self.max_concurrent,
            counts={k: v for k, v in self._status_counts.items() if v},
            best_value=self._best[best_id] if best_id else None, best_run_id=best_id,
            best_run_number=self._children[best_id][0] if best_id in self._children else None,
            elapsed=max(0.0, elapsed), time_left=self._time_left(record.status, now))


def progress_line(progress: SweepProgress) -> str:
    """One line: ``<id>: <status> | 7/20 done, 2 running, 1 failed | best accuracy 0.9731 (run 5) | 0:01:23
    elapsed, ~0:02:10 left``."""
    p = progress
    counts = f"{p.done}/{p.total} done, {p.running} running"
    if p.failed:
        counts += f", {p.failed} failed"
    if p.canceled:
        counts += f", {p.canceled} canceled"
    if p.best_value is not None:
        best = f"best {p.metric} {p.best_value:.6g} (run {p.best_run_number})"
    else:
        best = f"no {p.metric} yet" if p.metric else "no primary metric"
    if st.is_terminal(p.status):
        times = f"{hms(p.elapsed)} elapsed"
    else:
        times = f"{hms(p.elapsed)} elapsed, " + ("time left estimating" if p.time_left is None else f"~{hms(p.time_left)} left")
    return f"{p.sweep_id}: {p.status} | {counts} | {best} | {times}"
