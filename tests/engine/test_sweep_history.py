"""SweepHistory: the tuning loop's incremental view of its children agrees with a full read of the store.

A real SQLite store is written as a sweep writes it (children created, statuses changed, metric calls
of every kind, another sweep logging the same metric name); at random points the sampler's snapshot
the policy's curves and the children in CancelRequested must equal what reading every child row and metric row gives.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from hdnotebook import status as st
from hdnotebook._engine.store import Store, numeric_values
from hdnotebook._engine.sweep_history import SweepHistory
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.sampling.history import SamplingHistory, TrialRecord

STATUSES = (st.RUNNING, st.COMPLETED, st.FAILED, st.CANCEL_REQUESTED, st.CANCELED)


def read_everything(store: Store, run_id: str, goal: PrimaryMetricGoal, prior: tuple[TrialRecord, ...]) -> SamplingHistory:
    """The snapshot as the loop built it before SweepHistory: every child row and its metric rows, decoded."""
    trials = tuple(TrialRecord(c.hyperparameters or {}, c.status, goal.best(numeric_values(store.metric_rows(c.run_id, "loss"))))
                   for c in store.list_runs(parent_id=run_id))
    return SamplingHistory(trials=trials, goal=goal, prior=prior)


def log(store: Store, run_id: str, name: str, kind: str, value: object) -> None:
    store.apply_events([{"op": "metric", "run": run_id, "name": name, "kind": kind, "value": value, "step": None,
                         "t": time.time()}])


def test_snapshots_and_curves_equal_a_full_read(tmp_path: Path) -> None:
    store = Store(tmp_path / ".hdnotebook")
    rng = np.random.default_rng(3)
    goal = PrimaryMetricGoal.MINIMIZE
    for sweep in ("HD_a", "HD_other"):
        store.create_run(sweep, "exp", "hyperdrive")
    store.create_run("HD_other_0", "exp", "function", parent_id="HD_other", child_index=0)
    known = SweepHistory(store, "HD_a", goal, "loss")
    prior = (TrialRecord({"x": 1}, st.COMPLETED, 0.5),)
    children: list[str] = []
    checked = 0
    for step in range(400):
        action = rng.random()
        if action < 0.12 or not children:
            child = f"HD_a_{len(children)}"
            record = store.create_run(child, "exp", "function", parent_id="HD_a", child_index=len(children),
                                      status=st.QUEUED, hyperparameters={"x": float(rng.random()), "k": [1, 2]})
            known.launched(record)
            children.append(child)
        elif action < 0.3:
            store.set_status(str(rng.choice(children)), str(rng.choice(STATUSES)))
        elif action < 0.8:
            child = str(rng.choice(children))
            kind = str(rng.choice(["scalar", "list", "string"]))
            value = {"scalar": float(rng.choice([rng.random(), math.nan, math.inf])), "list": [rng.random(), True, 0.5],
                     "string": "text"}[kind]
            log(store, child, str(rng.choice(["loss", "loss", "acc"])), kind, value)
        else:
            log(store, "HD_other_0", "loss", "scalar", float(rng.random()))
        if step % 7 == 0:
            assert known.sampling(prior) == read_everything(store, "HD_a", goal, prior)
            assert known.cancel_requested() == sorted(store.children_with_status("HD_a", st.CANCEL_REQUESTED))
            checked += 1
    known.refresh_curves()
    for child in children:
        rows = [r for r in store.metric_rows(child, "loss") if numeric_values([r])]
        assert known.curves.curve(child) == numeric_values(rows)
        if rows:
            assert list(known.curves.arrival[known.curves.rows[child]]) == [r.id for r in rows for _ in numeric_values([r])]
    assert "HD_other_0" not in known.curves
    assert known.own_values_logged
    assert checked > 50 and len(children) > 30


def test_a_sweep_driven_again_reads_its_children_once(tmp_path: Path) -> None:
    store = Store(tmp_path / ".hdnotebook")
    store.create_run("HD_b", "exp", "hyperdrive")
    store.create_run("HD_b_0", "exp", "function", parent_id="HD_b", child_index=0, status=st.COMPLETED,
                     hyperparameters={"x": 2})
    log(store, "HD_b_0", "loss", "list", [0.4, 0.3])
    known = SweepHistory(store, "HD_b", PrimaryMetricGoal.MINIMIZE, "loss")
    assert known.generated == 1
    assert known.sampling(()).trials == (TrialRecord({"x": 2}, st.COMPLETED, 0.3),)
    assert known.curves.curve("HD_b_0") == [0.4, 0.3]
