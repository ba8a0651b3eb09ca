"""The SQLite store on its own: schema, event batches, statuses, concurrent writers."""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from hdnotebook._engine.store import Store, numeric_values
from hdnotebook._engine.store.schema import SCHEMA_VERSION
from tests.conftest import PYTHON, python_env


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / ".hdnotebook")


def test_runs_statuses_and_times(store: Store) -> None:
    store.create_run("r1", "exp", "t", status="Queued", hyperparameters={"--lr": 0.1}, tags={"a": 1})
    store.create_run("r2", "exp", "t")
    assert [r.number for r in store.list_runs(experiment="exp")] == [1, 2]
    assert store.get_run("r1").hyperparameters == {"--lr": 0.1}
    assert store.get_tags("r1") == {"a": "1"}
    assert store.set_status("r1", "Running")
    assert not store.set_status("r1", "Running"), "no change, no event"
    started = store.get_run("r1").start_time
    assert started is not None and store.get_run("r1").end_time is None
    store.set_status("r1", "Completed")
    assert not store.set_status("r1", "Failed", only_if_active=True)
    rec = store.get_run("r1")
    assert rec.status == "Completed" and rec.end_time >= started
    assert [s for s, _, _ in store.status_events("r1")] == ["Queued", "Running", "Completed"]
    assert store.get_run("missing") is None


def test_event_batches(store: Store) -> None:
    store.create_run("r", "exp", "t")
    store.apply_events([
        {"op": "metric", "run": "r", "name": "acc", "kind": "scalar", "value": 0.5, "t": 1.0},
        {"op": "metric", "run": "r", "name": "acc", "kind": "list", "value": [0.6, "x", True, float("nan")], "t": 2.0},
        {"op": "tags", "run": "r", "tags": {"k": "v", "n": None}},
        {"op": "remove_tags", "run": "r", "keys": ["n"]},
        {"op": "properties", "run": "r", "properties": {"p": 1}},
        {"op": "files", "run": "r", "files": [["outputs/m.pkl", 10]]},
        {"op": "unknown", "run": "r"},
    ])
    values = numeric_values(store.metric_rows("r", "acc"))
    assert values[:2] == [0.5, 0.6] and len(values) == 3 and values[2] != values[2]
    assert store.get_tags("r") == {"k": "v"}
    assert store.get_properties("r") == {"p": "1"}
    assert store.file_names("r") == ["outputs/m.pkl"]
    assert [m.value[:3] for m in store.metrics_after(1)] == [[0.6, "x", True]]
    assert len(store.metrics_after(0, name="acc")) == 2 and store.metrics_after(0, name="other") == []


def test_two_processes_write_at_once(tmp_path: Path, store: Store) -> None:
    store.create_run("r", "exp", "t")
    code = (
        "import sys, time\nfrom hdnotebook._engine.store import Store\ns = Store(sys.argv[1])\n"
        "for i in range(300):\n    s.apply_events([{'op': 'metric', 'run': 'r', 'name': sys.argv[2], 'kind': 'scalar', 'value': i, 't': time.time()}])\n"
    )
    procs = [subprocess.Popen([PYTHON, "-c", code, str(store.folder), name], env=python_env()) for name in ("a", "b")]
    for i in range(300):
        store.apply_events([{"op": "metric", "run": "r", "name": "c", "kind": "scalar", "value": i, "t": time.time()}])
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    for name in "abc":
        assert numeric_values(store.metric_rows("r", name)) == list(range(300))


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    import sqlite3

    Store(tmp_path / "s")
    with contextlib.closing(sqlite3.connect(tmp_path / "s" / "store.sqlite")) as conn, conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(RuntimeError, match="newer hdnotebook"):
        Store(tmp_path / "s")


def test_a_store_from_schema_1_gains_the_models_table_and_keeps_its_runs(tmp_path: Path) -> None:
    import sqlite3

    Store(tmp_path / "s").create_run("r1", "e", "azureml.scriptrun")
    with contextlib.closing(sqlite3.connect(tmp_path / "s" / "store.sqlite")) as conn, conn:
        conn.execute("DROP TABLE models")
        conn.execute("DROP TABLE datasets")
        conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    store = Store(tmp_path / "s")
    assert store.get_run("r1") is not None and store.list_models() == []
    with contextlib.closing(sqlite3.connect(tmp_path / "s" / "store.sqlite")) as conn, conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_a_store_caught_in_a_reference_cycle_closes_its_connection_when_collected(tmp_path: Path) -> None:
    """From Python 3.13 a connection collected unclosed is a ResourceWarning (the core tests run there too); in a
    cycle the collector may finalise the connection before what would close it."""
    store = Store(tmp_path / "s")
    store.create_run("r", "e", "t")
    store.cycle = store  # e.g. a user's object graph that holds the store and is held by it
    unraisable: list[object] = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            del store
            gc.collect()
    finally:
        sys.unraisablehook = hook
    assert unraisable == []
