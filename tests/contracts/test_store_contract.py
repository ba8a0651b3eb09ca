"""The Store contract (hdnotebook/_engine/store), run over every backend in ``store_backends.BACKENDS``: a store opened
here, and the same SQLite store opened in another process (each call runs there). The last test reopens what
was written from a new process and compares everything it reads.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hdnotebook import status as st
from hdnotebook.exceptions import UserErrorException
from tests.contracts.store_backends import BACKENDS, StoreInAnotherProcess

Opener = Callable[[Path], Any]


@pytest.fixture(params=list(BACKENDS))
def open_store(request: pytest.FixtureRequest) -> Iterator[Opener]:
    """Opens a store of the backend under test over a folder; every store opened is closed after the test."""
    opened: list[Any] = []

    def open_(folder: Path) -> Any:
        store = BACKENDS[request.param](folder)
        opened.append(store)
        return store

    try:
        yield open_
    finally:
        for store in opened:
            store.close()


@pytest.fixture
def store(open_store: Opener, tmp_path: Path) -> Any:
    """A fresh store of the backend under test."""
    return open_store(tmp_path / "workspace")


def metric(run_id: str, name: str, value: Any, t: float = 1.0, step: int | None = None) -> dict[str, Any]:
    return {"op": "metric", "run": run_id, "name": name, "kind": "scalar", "value": value, "step": step, "t": t, "desc": None}


@pytest.mark.timeout(60)
def test_create_run_and_get_run_give_back_what_was_stored(store: Any) -> None:
    record = store.create_run("r1", "exp", "azureml.scriptrun", status=st.QUEUED, display_name="first",
                              definition={"script": "train.py"}, hyperparameters={"lr": 0.1}, config={"a": [1, 2]},
                              tags={"team": "x", "n": 3}, properties={"p": "1"})
    assert record == store.get_run("r1")
    assert (record.experiment, record.run_type, record.status, record.display_name) == ("exp", "azureml.scriptrun",
                                                                                        st.QUEUED, "first")
    assert (record.definition, record.hyperparameters, record.config) == ({"script": "train.py"}, {"lr": 0.1}, {"a": [1, 2]})
    assert record.start_time is None and record.end_time is None and record.parent_id is None
    assert Path(record.run_dir).is_dir(), "the run's folder is created with it"
    assert store.get_tags("r1") == {"team": "x", "n": "3"} and store.get_properties("r1") == {"p": "1"}
    assert store.create_run("r2", "exp", "t").number == record.number + 1, "numbers count up within an experiment"
    assert store.create_run("r3", "other", "t").number == 1
    assert store.create_run("r4", "exp", "t", status=st.RUNNING).start_time is not None, "created Running starts now"
    assert store.get_run("absent") is None
    assert store.status_of("r1") == st.QUEUED and store.status_of("absent") is None


@pytest.mark.timeout(60)
def test_a_run_id_used_twice_or_not_a_folder_name_is_refused_and_nothing_changes(store: Any) -> None:
    first = store.create_run("r1", "exp", "t", tags={"k": "v"})
    with pytest.raises(UserErrorException, match="run_id 'r1' is already the id of a run of experiment 'exp'"):
        store.create_run("r1", "other-exp", "other", tags={"k": "changed"})
    assert store.get_run("r1") == first and store.get_tags("r1") == {"k": "v"}
    with pytest.raises(UserErrorException, match="run_id must be"):
        store.create_run("../escape", "exp", "t")
    assert [r.run_id for r in store.list_runs()] == ["r1"]


@pytest.mark.timeout(60)
def test_list_runs_filters_by_experiment_and_parent_and_orders_children_by_index(store: Any) -> None:
    store.create_run("p", "exp", "hyperdrive")
    for index in (2, 0, 1):
        store.create_run(f"p_{index}", "exp", "child", parent_id="p", child_index=index)
    store.create_run("q", "other", "t")
    assert [r.run_id for r in store.list_runs(parent_id="p")] == ["p_0", "p_1", "p_2"]
    assert [r.run_id for r in store.list_runs(experiment="exp", top_level=True)] == ["p"]
    assert [r.run_id for r in store.list_runs(experiment="other")] == ["q"]
    assert [r.run_id for r in store.list_runs()] == ["p", "p_2", "p_0", "p_1", "q"], "creation order"
    assert sorted(store.experiments()) == ["exp", "other"]


@pytest.mark.timeout(60)
def test_status_transitions_set_times_once_and_a_final_status_holds_with_only_if_active(store: Any) -> None:
    store.create_run("r", "exp", "t", status=st.QUEUED)
    assert store.set_status("r", st.RUNNING) is True
    started = store.get_run("r").start_time
    assert started is not None and store.get_run("r").end_time is None
    assert store.set_status("r", st.RUNNING) is False, "the same status is no change"
    assert store.set_status("r", st.CANCEL_REQUESTED) is True
    assert store.get_run("r").start_time == started, "start_time is set by the first Running only"
    error = {"error": {"code": "UserError", "message": "boom"}}
    assert store.set_status("r", st.FAILED, error=error, details="why") is True
    ended = store.get_run("r")
    assert ended.status == st.FAILED and ended.error == error and ended.end_time >= started
    assert store.set_status("r", st.COMPLETED, only_if_active=True) is False
    assert store.status_of("r") == st.FAILED
    assert [(s, d) for s, _, d in store.status_events("r")] == [(st.QUEUED, None), (st.RUNNING, None),
                                                                (st.CANCEL_REQUESTED, None), (st.FAILED, "why")]
    times = [t for _, t, _ in store.status_events("r")]
    assert times == sorted(times)
    store.create_run("never", "exp", "t")
    assert store.set_status("never", st.CANCELED) is True
    assert store.get_run("never").start_time is not None, "a run ended before it ran gets a start time too"
    with pytest.raises(KeyError):
        store.set_status("absent", st.RUNNING)


@pytest.mark.timeout(60)
def test_child_states_since_returns_what_changed_after_the_cursor(store: Any) -> None:
    store.create_run("p", "exp", "hyperdrive", status=st.RUNNING)
    store.create_run("other", "exp", "t")
    for index in range(3):
        store.create_run(f"c{index}", "exp", "child", parent_id="p", child_index=index, status=st.QUEUED)
    rows, cursor = store.child_states_since("p", 0)
    assert [(r[0], r[1], r[2]) for r in rows] == [("c0", 0, st.QUEUED), ("c1", 1, st.QUEUED), ("c2", 2, st.QUEUED)]
    assert cursor == store.last_status_event_id()
    assert store.child_states_since("p", cursor) == ([], cursor), "nothing changed"
    store.set_status("c1", st.RUNNING)
    store.set_status("other", st.RUNNING)
    rows, newer = store.child_states_since("p", cursor)
    assert [(r[0], r[2]) for r in rows] == [("c1", st.RUNNING)] and rows[0][3] is not None and newer > cursor
    rows, _ = store.child_states_since("p", newer, also=["c2"])
    assert [r[0] for r in rows] == ["c2"], "``also`` adds runs that did not change"
    store.create_run("c3", "exp", "child", parent_id="p", child_index=3)
    assert [r[0] for r in store.child_states_since("p", newer)[0]] == ["c3"], "a new child counts as changed"
    assert store.children_with_status("p", st.RUNNING) == ["c1"]


@pytest.mark.timeout(60)
def test_tags_are_set_overwritten_and_removed_directly_and_through_events(store: Any) -> None:
    store.create_run("r", "exp", "t", tags={"a": "1"})
    store.set_tags("r", {"a": "2", "b": None, "c": 3.5})
    assert store.get_tags("r") == {"a": "2", "b": None, "c": "3.5"}
    store.remove_tags("r", ["b", "absent"])
    store.apply_events([{"op": "tags", "run": "r", "tags": {"d": True}}, {"op": "remove_tags", "run": "r", "keys": ["a"]}])
    assert store.get_tags("r") == {"c": "3.5", "d": "True"}


@pytest.mark.timeout(60)
def test_properties_keep_their_first_value(store: Any) -> None:
    store.create_run("p", "exp", "hyperdrive")
    store.create_run("r", "exp", "t", parent_id="p", child_index=0, properties={"fixed": "first"})
    store.add_properties("r", {"fixed": "second", "new": 1})
    store.apply_events([{"op": "properties", "run": "r", "properties": {"fixed": "third", "new": 2, "late": None}}])
    assert store.get_properties("r") == {"fixed": "first", "new": "1", "late": None}
    assert store.children_property("p", "fixed") == {"r": "first"}


@pytest.mark.timeout(60)
def test_metrics_keep_the_order_they_were_logged_in_and_their_values(store: Any) -> None:
    store.create_run("a", "exp", "t")
    store.create_run("b", "exp", "t")
    before = store.last_metric_id()
    logged = [("a", "loss", 3), ("b", "loss", 9), ("a", "acc", 0.5), ("a", "loss", 2), ("b", "loss", 8)]
    store.apply_events([metric(r, n, v, t=i) for i, (r, n, v) in enumerate(logged[:2])])
    store.apply_events([metric(r, n, v, t=i, step=i) for i, (r, n, v) in enumerate(logged[2:], 2)])
    assert [(m.name, m.value) for m in store.metric_rows("a")] == [("loss", 3), ("acc", 0.5), ("loss", 2)]
    assert [m.value for m in store.metric_rows("b", "loss")] == [9, 8]
    after = store.metrics_after(before)
    assert [(m.run_id, m.name, m.value) for m in after] == logged
    assert [m.id for m in after] == sorted(m.id for m in after) and after[-1].id == store.last_metric_id()
    assert [m.value for m in store.metrics_after(after[2].id)] == [2, 8]
    odd = [float("nan"), float("inf"), "text", None, [i / 3 for i in range(5000)], True]
    store.apply_events([metric("a", "odd", v) for v in odd])
    back = [m.value for m in store.metric_rows("a", "odd")]
    assert math.isnan(back[0]) and back[1:] == odd[1:]


@pytest.mark.timeout(60)
def test_child_calls_after_reads_only_the_children_calls_after_the_cursor_and_moves_it(store: Any) -> None:
    store.create_run("p", "exp", "hyperdrive")
    store.create_run("other", "exp", "t")
    for i in range(2):
        store.create_run(f"p_{i}", "exp", "t", parent_id="p", child_index=i)
    store.apply_events([metric("p_0", "loss", 3), metric("other", "loss", 1), metric("p_1", "acc", 0.5)])
    start = store.last_metric_id()
    store.apply_events([metric("p_1", "loss", [2, "x", True, None]) | {"kind": "list"}, metric("other", "loss", 7), metric("p_0", "loss", 1.5),
                        metric("p_0", "img", {"t": 1}) | {"kind": "image"}])
    rows, cursor = store.child_calls_after("p", start, ["loss"])
    assert [(r.run_id, r.items()) for r in rows] == [("p_1", [2, "x", True, None]), ("p_0", [1.5])]
    assert cursor == rows[-1].id and all(r.id > start for r in rows)
    every, last = store.child_calls_after("p", 0)
    assert [(r.run_id, r.name) for r in every] == [("p_0", "loss"), ("p_1", "acc"), ("p_1", "loss"), ("p_0", "loss"), ("p_0", "img")]
    assert last == store.last_metric_id() and every[-1].items() == []
    assert store.child_calls_after("p", last) == ([], last)


@pytest.mark.timeout(60)
def test_a_batch_of_events_is_written_whole_or_not_at_all(store: Any) -> None:
    store.create_run("r", "exp", "t")
    store.apply_events([metric("r", "kept", 1)])
    bad = [metric("r", "lost", 1), {"op": "tags", "run": "r", "tags": {"lost": "1"}},
           {"op": "files", "run": "r", "files": [["outputs/x", {"not": "a size"}]]}, metric("r", "lost", 2)]
    with pytest.raises(sqlite3.Error):  # the file size cannot be bound: raised inside the transaction
        store.apply_events(bad)
    assert [m.name for m in store.metric_rows("r")] == ["kept"]
    assert store.get_tags("r") == {} and store.file_names("r") == []
    store.apply_events([{"op": "files", "run": "r", "files": [["outputs/x", 3]]}, {"op": "final", "run": "r"}])
    assert store.file_names("r") == ["outputs/x"], "ops the store does not keep (final) are ignored"


def snapshot(store: Any) -> dict[str, Any]:
    """Everything the contract reads back, for every run of the store."""
    runs = store.list_runs()
    return {
        "runs": runs,
        **{f"{r.run_id}/{part}": read(r.run_id) for r in runs for part, read in (
            ("metrics", store.metric_rows), ("tags", store.get_tags), ("properties", store.get_properties),
            ("status_events", store.status_events), ("files", store.file_names))},
        "cursors": (store.last_metric_id(), store.last_status_event_id()),
    }


@pytest.mark.timeout(120)
def test_a_store_reopened_in_a_new_process_reads_the_same(store: Any, tmp_path: Path) -> None:
    store.create_run("p", "exp", "hyperdrive", status=st.RUNNING, config={"seed": 1})
    store.create_run("c", "exp", "child", parent_id="p", child_index=0, tags={"t": "1"}, properties={"p": "1"})
    store.apply_events([metric("c", "loss", v, t=i) for i, v in enumerate([3.0, 2.0, 1.0])]
                       + [{"op": "files", "run": "c", "files": [["outputs/model.pkl", 10]]}])
    store.set_status("c", st.COMPLETED)
    other = StoreInAnotherProcess(store.folder)
    try:
        assert other.pid() != os.getpid() and other.pid() != getattr(store, "pid", os.getpid)()
        assert snapshot(other) == snapshot(store)
        other.set_tags("c", {"from": "the other process"})
        assert store.get_tags("c") == {"t": "1", "from": "the other process"}, "a write there is read here at once"
    finally:
        other.close()
