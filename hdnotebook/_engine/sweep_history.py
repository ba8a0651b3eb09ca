"""What the tuning loop knows of its sweep's children, kept in step with the store at the cost of what changed.

The store stays the source of truth: every refresh reads only the primary-metric rows after a row-id
cursor and the children whose status changed after a status-event cursor (``Store.child_states_since``),
so a slot freeing costs the same at child 1000 as at child 10. The policy reads ``curves`` (a
``CurveHistory``); the sampler gets a ``SamplingHistory`` snapshot built from the kept trial records.
"""

from __future__ import annotations

from collections.abc import Iterable

from hdnotebook import status as st
from hdnotebook._engine.store import MetricRow, RunRecord, Store
from hdnotebook._engine.store.rows import numbers_of
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.sampling.history import SamplingHistory, TrialRecord

RERUN_PROPERTY = "resumed_from"  # the property of a child that continues another run (resume_child_runs, resume())


class SweepHistory:
    """The children of sweep ``run_id``: their primary-metric curves (``curves``, plus those of warm-start
    parents' children added with ``add_rows``) and one trial record per child, by child index."""

    def __init__(self, store: Store, run_id: str, goal: PrimaryMetricGoal, metric: str) -> None:
        self.store = store
        self.run_id = run_id
        self.goal = goal
        self.metric = metric
        self.curves = CurveHistory(goal)
        self._prefix = run_id + "_"
        self._own_values = False
        self._event_cursor = store.last_status_event_id()
        self._metric_cursor = store.last_metric_id()
        children = store.list_runs(parent_id=run_id)
        if children:  # a sweep driven again: its children's rows so far are read by the first refresh
            self._metric_cursor = 0
        self._trials: list[TrialRecord] = [TrialRecord(c.hyperparameters or {}, c.status) for c in children]
        self._rerun_of: dict[int, int] = {}  # child index -> index of the interrupted sibling it runs again
        self._resumed: set[int] = set()  # indices of the children that continue a run of another sweep
        for child_id, origin in store.children_property(run_id, RERUN_PROPERTY).items():
            self._note_origin(_index(child_id), origin)
        self._changed: set[str] = set()
        self._cancel_requested = {c.run_id for c in children if c.status == st.CANCEL_REQUESTED}

    @property
    def generated(self) -> int:
        """How many children the sweep has (the next child index)."""
        return len(self._trials)

    @property
    def own_values_logged(self) -> bool:
        """True once a child of this sweep (not of a warm-start parent) logged a number for the primary metric."""
        return self._own_values

    def add_rows(self, rows: Iterable[MetricRow]) -> None:
        """Append the numbers of primary-metric calls to their runs' curves; a value's arrival key is its row id."""
        for row in rows:
            values = numbers_of(row.items())
            self.curves.add(row.run_id, values, [row.id] * len(values))
            if values and row.run_id.startswith(self._prefix):
                self._own_values = True
                self._changed.add(row.run_id)

    def refresh_curves(self) -> None:
        """Read the primary-metric rows logged since the last refresh."""
        rows, self._metric_cursor = self.store.child_calls_after(self.run_id, self._metric_cursor, [self.metric])
        self.add_rows(rows)

    def launched(self, record: RunRecord, resumes: str | None = None) -> None:
        """A child the loop just created (the next index); ``resumes`` is the id of the run it continues, if any."""
        self._note_origin(len(self._trials), resumes)
        self._trials.append(TrialRecord(record.hyperparameters or {}, record.status))

    def _note_origin(self, index: int, origin: str | None) -> None:
        """Child ``index`` continues run ``origin``: an interrupted sibling (a continued sweep) or a run of another
        sweep (``resume_child_runs``)."""
        if origin and origin.startswith(self._prefix):
            self._rerun_of[index] = _index(origin)
        elif origin:
            self._resumed.add(index)

    def refresh_statuses(self) -> None:
        """Read the children whose status changed since the last refresh."""
        changes, self._event_cursor = self.store.child_states_since(self.run_id, self._event_cursor)
        trials = self._trials
        for run_id, index, status, _, _ in changes:
            (self._cancel_requested.add if status == st.CANCEL_REQUESTED else self._cancel_requested.discard)(run_id)
            if index is not None and index < len(trials) and trials[index].status != status:
                trials[index] = TrialRecord(trials[index].params, status, trials[index].metric)

    def cancel_requested(self) -> list[str]:
        """The children in CancelRequested now (statuses refreshed first), by id."""
        self.refresh_statuses()
        return sorted(self._cancel_requested)

    def best(self, run_id: str) -> float | None:
        """The run's best primary-metric value so far under the goal, or None."""
        return self.goal.best(self.curves.curve(run_id))

    def sampling(self, prior: tuple[TrialRecord, ...]) -> SamplingHistory:
        """The sampler's snapshot: every child in index order with its status and best value, as in the store now."""
        self.refresh_curves()
        self.refresh_statuses()
        trials = self._trials
        for run_id in self._changed:
            index = _index(run_id)
            if index < len(trials):
                trials[index] = TrialRecord(trials[index].params, trials[index].status, self.best(run_id))
        self._changed.clear()
        sampled, resumed = self._configurations()
        return SamplingHistory(trials=sampled, goal=self.goal, prior=prior + resumed)

    def _configurations(self) -> tuple[tuple[TrialRecord, ...], tuple[TrialRecord, ...]]:
        """The sampled configurations, one trial each in sampling order, and the children that continue runs of
        other sweeps (``resume_child_runs``: the sampler did not choose them, so they are prior knowledge and do not
        move a grid's or a seeded sequence's position). A child that runs an interrupted sibling again (a continued
        sweep) is not a new configuration: its status and value stand in for the sibling's."""
        trials = self._trials
        if not self._rerun_of and not self._resumed:
            return tuple(trials), ()
        shown = list(trials)
        for new in sorted(self._rerun_of):
            root = self._rerun_of[new]
            while root in self._rerun_of:
                root = self._rerun_of[root]
            if new < len(trials):
                shown[root] = TrialRecord(trials[root].params, trials[new].status, trials[new].metric)
        kept = [(i, t) for i, t in enumerate(shown) if i not in self._rerun_of]
        return (tuple(t for i, t in kept if i not in self._resumed), tuple(t for i, t in kept if i in self._resumed))


def rerun_count(store: Store, run_id: str) -> int:
    """How many children of sweep ``run_id`` run an interrupted sibling again (a continued sweep: they come on
    top of ``max_total_runs`` in child runs). A sweep that ran once (one running span) has none: one indexed read."""
    if len(store.running_spans(run_id)) < 2:
        return 0
    origins = store.children_property(run_id, RERUN_PROPERTY).values()
    return sum(bool(origin and origin.startswith(run_id + "_")) for origin in origins)


def _index(run_id: str) -> int:
    """The index n of a child run ``<sweep id>_<n>``."""
    return int(run_id.rsplit("_", 1)[1])
