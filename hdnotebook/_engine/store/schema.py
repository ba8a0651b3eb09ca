"""The SQLite schema of a workspace store. Bump SCHEMA_VERSION and add a migration on change.

Versions: 1 runs, metrics, files; 2 adds ``models``; 3 adds ``datasets``; 4 adds ``compute_targets``; 5 adds
``sweep_recipes`` and ``run_spans`` (what ``HyperDriveRun.resume()`` needs). Every migration so far adds tables only,
created by the schema script itself when an older store is opened; a sweep of an older store has no recipe and
cannot be resumed.
"""

from __future__ import annotations

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS experiments (
    name         TEXT PRIMARY KEY,
    created_time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id          TEXT PRIMARY KEY,
    experiment      TEXT NOT NULL REFERENCES experiments(name),
    parent_id       TEXT,
    child_index     INTEGER,
    number          INTEGER NOT NULL,
    run_type        TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_time    REAL NOT NULL,
    start_time      REAL,
    end_time        REAL,
    display_name    TEXT,
    description     TEXT,
    definition      TEXT,
    hyperparameters TEXT,
    config          TEXT,
    error           TEXT,
    driver          TEXT,
    run_dir         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_parent ON runs(parent_id, child_index);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs(experiment, number);
CREATE TABLE IF NOT EXISTS tags (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS properties (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS metrics (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    step        INTEGER,
    time        REAL NOT NULL,
    description TEXT
);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics(run_id, name, id);
CREATE TABLE IF NOT EXISTS status_events (
    id      INTEGER PRIMARY KEY,
    run_id  TEXT NOT NULL,
    status  TEXT NOT NULL,
    time    REAL NOT NULL,
    details TEXT
);
CREATE INDEX IF NOT EXISTS status_events_by_run ON status_events(run_id, id);
CREATE TABLE IF NOT EXISTS files (
    run_id TEXT NOT NULL,
    name   TEXT NOT NULL,
    size   INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS models (
    name              TEXT NOT NULL,
    version           INTEGER NOT NULL,
    path              TEXT NOT NULL,
    run_id            TEXT,
    experiment        TEXT,
    description       TEXT,
    framework         TEXT,
    framework_version TEXT,
    tags              TEXT NOT NULL,
    properties        TEXT NOT NULL,
    created_time      REAL NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS datasets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    description  TEXT,
    tags         TEXT,
    created_time REAL NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE IF NOT EXISTS compute_targets (
    name          TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    configuration TEXT,
    created_time  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sweep_recipes (
    run_id  TEXT PRIMARY KEY,
    recipe  BLOB,
    payload BLOB,
    problem TEXT
);
CREATE TABLE IF NOT EXISTS run_spans (
    id     INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    start  REAL NOT NULL,
    end    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS run_spans_by_run ON run_spans(run_id, id);
"""
