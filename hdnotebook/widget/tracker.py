"""What the RunDetails front end is sent: a full snapshot once, then small deltas read from the store.

A delta holds only what changed since the previous one: child rows whose status, times or metric
aggregates changed, the new values of the streamed metrics, and the sweep's own status. Values are
rounded to 6 significant digits (the charts' precision; the store keeps them exact) and NaN or
infinity become None, because the front end parses JSON.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from typing import TYPE_CHECKING, Any

from hdnotebook import status as st
from hdnotebook._engine.metric_check import PRIMARY_METRIC_WARNING
from hdnotebook._engine.store import MetricRow, Store
from hdnotebook._engine.store.rows import numbers_of, stored_values as _stored_values
from hdnotebook._engine.sweep_history import rerun_count
from hdnotebook._lazy import lazy_module
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.base import EarlyTerminationPolicy
from hdnotebook.policy.from_json import policy_from_json
from hdnotebook.results.charts import param_info, policy_cutoff
from hdnotebook.runs.run_handle import Run
from hdnotebook.widget.rounding import plain_floats, round_significant

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

LOG_TAIL_CHARS = 20_000
_READ = object()  # SweepTracker._row: read the property from the store
THRESHOLD_EVERY_SECONDS = 1.0


def number(value: Any) -> float | int | None:
    """A metric value for the charts: finite numbers rounded to 6 significant digits, anything else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        return None
    return float(f"{value:.6g}")




def consistent_snapshot(tracker: Any, read: Any) -> dict[str, Any]:
    """``read()`` (a tracker's whole state), read again when the run ended while it was read: a snapshot whose status
    is final must hold everything the run logged, and what was logged after its metric cursor was taken (just before
    the run ended) would be missing from a final static view."""
    ended_before = st.is_terminal(tracker.store.status_of(tracker.run.id) or "")
    snapshot: dict[str, Any] = read()
    if tracker.finished and not ended_before:
        snapshot = read()
    return snapshot


class SweepTracker:
    """Snapshot and deltas of a sweep (a HyperDriveRun) for the front end."""

    kind = "sweep"

    def __init__(self, run: Run) -> None:
        self.run = run
        self.store: Store = run._need_store()
        record = self.store.get_run(run.id)
        assert record is not None
        config = record.config or {}
        primary = config.get("primary_metric_config", {})
        self.metric: str = primary.get("name", "")
        self.goal = PrimaryMetricGoal.from_str(primary.get("goal", "maximize"))
        self._config = config
        self.streamed: list[str] = [self.metric]
        self.seq = 0
        self._cursor = 0
        self._event_cursor = 0
        self._rows: dict[str, dict[str, Any]] = {}
        self._aggregates: dict[str, dict[str, Any]] = {}
        self._run_state: dict[str, Any] = {}
        self._metric_names: set[str] = set()
        self._values: dict[str, list[float]] = {}
        policy = policy_from_json(config.get("policy_config"))
        # a policy that never draws a cutoff (the Default one: the base class's threshold) needs no values kept
        self._policy = None if policy is None or type(policy).threshold is EarlyTerminationPolicy.threshold else policy
        self._threshold: dict[str, Any] | None = None
        self._threshold_time = 0.0
        self._reruns = (-1, 0)  # (rows when counted, children that run an interrupted sibling again)
        self.finished = False

    # building blocks ----------------------------------------------------------------------

    def _run_info(self) -> dict[str, Any]:
        record = self.run._record()
        assert record is not None
        properties = self.store.get_properties(record.run_id)
        generator = self._config.get("generator_config", {})
        policy = self._config.get("policy_config", {"name": "Default"})
        return {
            "id": record.run_id, "status": record.status, "created": record.created_time, "start": record.start_time,
            "end": record.end_time, "now": time.time(), "experiment": record.experiment,
            "primary": {"name": self.metric, "goal": self.goal.name.lower()},
            "max_total": self._max_total(), "max_concurrent": self._config.get("max_concurrent_runs"),
            "sampling": generator.get("name"), "policy": policy, "threshold": self._threshold,
            "best_run": properties.get("best_child_run_id"),
            "error": (record.error or {}).get("error", {}).get("message"),
            "warning": properties.get(PRIMARY_METRIC_WARNING),
        }

    def _max_total(self) -> int | None:
        """``max_total_runs`` in child runs: a continued sweep's reruns of interrupted children come on top
        (counted again only when the rows changed in number)."""
        budget = self._config.get("max_total_runs")
        if budget is not None and self._reruns[0] != len(self._rows):
            self._reruns = (len(self._rows), rerun_count(self.store, self.run.id))
        return None if budget is None else budget + self._reruns[1]

    def _row(self, run_id: str, index: int | None, status: str, start: float | None, end: float | None,
             params: dict[str, Any] | None = None, termination: Any = _READ) -> dict[str, Any]:
        """The table row of a child; ``termination``: its ``terminationReason`` property (JSON text or None) when the
        caller has read it already."""
        agg = self._aggregates.get(run_id, {})
        row = {"id": run_id, "n": index, "status": status, "start": start, "end": end,
               "best": agg.get("best"), "last": agg.get("last"), "count": agg.get("count", 0)}
        previous = self._rows.get(run_id)
        if params is not None:
            row["params"] = params
        elif previous is None:
            record = self.store.get_run(run_id)
            row["params"] = (record.hyperparameters or {}) if record else {}
        else:
            row["params"] = previous["params"]
            row["reason"] = previous.get("reason")
        if previous is None and params is None:
            row["resumes"] = self.store.get_properties(run_id).get("resumed_from")
        elif previous is not None:
            row["resumes"] = previous.get("resumes")
        if status == st.CANCELED and not row.get("reason"):
            reason = self.store.get_properties(run_id).get("terminationReason") if termination is _READ else termination
            row["reason"] = json.loads(reason).get("reason") if reason else None
        return row

    def _absorb(self, rows: list[MetricRow]) -> dict[str, dict[str, list[Any]]]:
        """Fold new metric calls into the aggregates; returns the new values per streamed metric and run."""
        curves: dict[str, dict[str, list[Any]]] = {}
        for row in rows:
            self._metric_names.add(row.name)
            if row.name not in self.streamed:
                continue
            values = [number(v) for v in row.items()]
            if not values:
                continue
            curves.setdefault(row.name, {}).setdefault(row.run_id, []).extend(values)
            if row.name == self.metric:
                self._fold_primary(row.run_id, row.items(), values)
        return curves

    def _absorb_series(self, up_to: int | None, names: list[str] | None = None, fold: bool = True,
                       parent_id: str | None = None) -> dict[str, dict[str, list[Any]]]:
        """A snapshot's ``_absorb`` of the calls with id <= ``up_to`` (all when None) of ``names`` (the streamed
        metrics when None) of the children of ``parent_id`` (this sweep when None): the series of plain floats
        (nearly all) decoded, rounded and aggregated as arrays; the others folded from their calls. Curves by
        first call, as the calls came. Without ``fold`` only the curves are read (the primary metric's aggregates
        are left alone)."""
        names = self.streamed if names is None else names
        fold = fold and self.metric in names
        series = self.store.child_metric_series(parent_id or self.run.id, names, up_to)
        scalar = [(row, row[6]) for row in series if not row[4] and not row[5] and row[6] is not None]
        keep, exact = plain_floats([text for _, text in scalar])
        fast = [row for (row, _), kept in zip(scalar, keep) if kept]
        slow = {(row[0], row[1]) for row in series} - {(row[0], row[1]) for row in fast}
        found: dict[tuple[str, str], list[Any]] = {}
        if fast:
            shown = round_significant(exact)
            starts = [0, *itertools.accumulate(row[3] for row in fast[:-1])]
            best = (np.maximum if self.goal is PrimaryMetricGoal.MAXIMIZE else np.minimum).reduceat(shown, starts).tolist()
            values = shown.tolist()
            logged = exact.tolist() if fold and self._policy is not None else []
            for (run_id, name, _, count, *_), start, top in zip(fast, starts, best):
                found[(run_id, name)] = values[start:start + count]
                if fold and name == self.metric:
                    self._aggregates[run_id] = {"best": top, "last": values[start + count - 1], "count": count}
                    if self._policy is not None:
                        self._values[run_id] = logged[start:start + count]
        if slow:
            calls = self.store.metric_texts_of_runs(sorted({run_id for run_id, _ in slow}), names, up_to)
            calls = [c for c in calls if (c[0], c[1]) in slow]
            if fold:
                for name, runs in self._absorb_stored(calls).items():
                    found.update({(run_id, name): values for run_id, values in runs.items()})
            else:
                found.update({(run_id, name): [number(v) for v in items] for (name, run_id), items in _stored_values(calls).items()})
        curves: dict[str, dict[str, list[Any]]] = {}
        for run_id, name, *_ in sorted(series, key=lambda row: row[2]):
            if (run_id, name) in found:
                curves.setdefault(name, {})[run_id] = found[(run_id, name)]
        return curves

    def _absorb_stored(self, calls: list[tuple[str, str, str, str]]) -> dict[str, dict[str, list[Any]]]:
        """A snapshot's ``_absorb``: the calls (see ``_stored_values``) folded once per run and metric rather than
        once per call (a 5000-run sweep holds hundreds of thousands)."""
        curves: dict[str, dict[str, list[Any]]] = {}
        for (name, run_id), items in _stored_values(calls).items():
            shown = [number(v) for v in items]
            curves.setdefault(name, {})[run_id] = shown
            if name == self.metric:
                self._fold_primary(run_id, items, shown)
        return curves

    def _fold_primary(self, run_id: str, logged: list[Any], shown: list[Any]) -> None:
        """Update a run's exact values (for the threshold) and its best/last/count with newly logged values
        (``logged`` as logged, ``shown`` rounded for the charts)."""
        if self._policy is not None:  # the exact values serve only the policy's cutoff
            self._values.setdefault(run_id, []).extend(numbers_of(logged))
        agg = self._aggregates.setdefault(run_id, {"best": None, "last": None, "count": 0})
        numeric = [v for v in shown if v is not None]
        agg["count"] += len(shown)
        if numeric:
            agg["last"] = numeric[-1]
            candidate = self.goal.best(numeric)
            if agg["best"] is None or self.goal.is_better(candidate, agg["best"]):
                agg["best"] = candidate

    def _update_threshold(self, force: bool = False) -> None:
        """The policy's current cutoff (drawn on the curves), recomputed at most once a second."""
        if self._policy is None or (not force and time.time() - self._threshold_time < THRESHOLD_EVERY_SECONDS):
            return
        self._threshold_time = time.time()
        running = [run_id for run_id, row in self._rows.items() if not st.is_terminal(row["status"])]
        found = policy_cutoff(self._policy, self._values, self.goal, running)
        self._threshold = None if found is None else {**found, "value": number(found["value"])}

    # snapshot and deltas ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state; resets the delta baseline."""
        return consistent_snapshot(self, self._read_snapshot)

    def _read_snapshot(self) -> dict[str, Any]:
        self._cursor = self.store.last_metric_id()
        self._event_cursor = self.store.last_status_event_id()
        self._aggregates.clear()
        self._rows.clear()
        self._values.clear()
        curves = self._absorb_series(self._cursor)
        self._metric_names.update(self.store.metric_names_of_children(self.run.id))
        resumed = self.store.children_property(self.run.id, "resumed_from")
        children = self.store.sweep_children([self.run.id])
        hyperparameters = json.loads("[" + ",".join(child[7] or "null" for child in children) + "]")
        kept = self.store.unwritten()  # final statuses not committed yet: shown as get_run shows them
        for (run_id, _, index, _, status, start, end, _, reason, _), params in zip(children, hyperparameters):
            if run_id in kept and (record := self.store.get_run(run_id)) is not None:
                status, start, end = record.status, record.start_time, record.end_time
            self._rows[run_id] = self._row(run_id, index, status, start, end, params or {}, termination=reason)
            self._rows[run_id]["resumes"] = resumed.get(run_id)
        inherited_rows, inherited_curves = self._inherited()
        for name, values in inherited_curves.items():
            curves.setdefault(name, {}).update(values)
        self._update_threshold(force=True)
        self._run_state = self._run_info()
        self.finished = st.is_terminal(self._run_state["status"])
        space = (self._config.get("generator_config") or {}).get("parameter_space", {})
        return {
            "kind": self.kind, "seq": self.seq, "run": self._run_state,
            "params": [param_info(k, v) for k, v in space.items()],
            "metrics": sorted(self._metric_names), "streamed": list(self.streamed),
            "runs": list(self._rows.values()) + inherited_rows, "curves": curves,
        }

    def _inherited(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[Any]]]]:
        """Rows and primary-metric curves of the warm-start parents' children (finished: sent once)."""
        rows: list[dict[str, Any]] = []
        curves: dict[str, list[Any]] = {}
        for parent_id in self._config.get("resume_from") or []:
            children = self.store.list_runs(parent_id=parent_id)
            found = self._absorb_series(None, [self.metric], parent_id=parent_id).get(self.metric, {})
            for child in children:
                values = found.get(child.run_id)
                agg = self._aggregates.get(child.run_id, {})
                rows.append({"id": child.run_id, "n": child.child_index, "status": child.status, "start": child.start_time,
                             "end": child.end_time, "best": agg.get("best"), "last": agg.get("last"),
                             "count": agg.get("count", 0), "params": child.hyperparameters or {}, "inherited": parent_id})
                if values:
                    curves[child.run_id] = values
        return rows, ({self.metric: curves} if curves else {})

    def delta(self) -> dict[str, Any] | None:
        """What changed since the last snapshot or delta, or None when nothing did."""
        rows, self._cursor = self.store.child_calls_after(self.run.id, self._cursor)
        known = set(self._metric_names)
        curves = self._absorb(rows)
        touched = {r.run_id for r in rows if r.name == self.metric}
        changed = []
        states, self._event_cursor = self.store.child_states_since(self.run.id, self._event_cursor, sorted(touched))
        for state in states:
            previous = self._rows.get(state[0])
            if previous is None or state[0] in touched or (previous["status"], previous["start"], previous["end"]) != state[2:]:
                self._rows[state[0]] = self._row(*state)
                changed.append(self._rows[state[0]])
        if touched:
            self._update_threshold()
        run_state = self._run_info()
        run_changed = {k: v for k, v in run_state.items() if k != "now" and self._run_state.get(k) != v}
        self._run_state = run_state
        new_metrics = sorted(self._metric_names - known)
        if not (curves or changed or run_changed or new_metrics):
            return None
        self.finished = st.is_terminal(run_state["status"])
        self.seq += 1
        delta: dict[str, Any] = {"seq": self.seq, "runs": changed, "curves": curves}
        if run_changed:
            delta["run"] = {**run_changed, "now": run_state["now"]}
        if new_metrics:
            delta["metrics"] = new_metrics
        return delta

    def stream_metric(self, name: str) -> dict[str, list[Any]]:
        """Start streaming another metric; returns its values so far per run."""
        if name not in self.streamed:
            self.streamed.append(name)
        return self._absorb_series(self._cursor, [name], fold=False).get(name, {})


class RunTracker:
    """Snapshot and deltas of a single run: properties, scalar metrics, series and the log's tail."""

    kind = "run"

    def __init__(self, run: Run) -> None:
        self.run = run
        self.store: Store = run._need_store()
        self.seq = 0
        self._cursor = 0
        self._log_offset = 0
        self._state: dict[str, Any] = {}
        self.finished = False

    def _log_path(self):
        from pathlib import Path

        record = self.run._cached or self.run._record()
        return Path(record.run_dir) / self.run._main_log() if record else None

    def _read_log(self, from_offset: int) -> str:
        path = self._log_path()
        if path is None or not path.exists():
            return ""
        with open(path, "rb") as f:
            f.seek(from_offset)
            data = f.read()
        self._log_offset = from_offset + len(data)
        return data.decode(errors="replace")

    def _info(self) -> dict[str, Any]:
        details = self.run.get_details()
        return {"id": self.run.id, "status": details["status"], "type": self.run.type,
                "start": details.get("startTimeUtc"), "end": details.get("endTimeUtc"), "now": time.time(),
                "properties": details.get("properties", {}), "tags": self.run.get_tags(),
                "arguments": (details.get("runDefinition") or {}).get("arguments", []),
                "error": (details.get("error") or {}).get("error", {}).get("message")}

    def _metrics(self, rows: list[MetricRow]) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        series: dict[str, list[Any]] = {}
        others: dict[str, Any] = {}
        for row in rows:
            values = row.items()
            if values and all(number(v) is not None or v is None for v in values):
                series.setdefault(row.name, []).extend(number(v) for v in values)
            else:
                others[row.name] = row.value if isinstance(row.value, (str, int, float, bool)) or row.value is None else json.dumps(row.value)
        return series, others

    def snapshot(self) -> dict[str, Any]:
        """The whole state; resets the delta baseline."""
        return consistent_snapshot(self, self._read_snapshot)

    def _read_snapshot(self) -> dict[str, Any]:
        self._cursor = self.store.last_metric_id()
        rows = [r for r in self.store.metric_rows(self.run.id) if r.id <= self._cursor]
        series, others = self._metrics(rows)
        self._state = self._info()
        self.finished = st.is_terminal(self._state["status"])
        size = self._log_path().stat().st_size if self._log_path() and self._log_path().exists() else 0
        log = self._read_log(max(0, size - LOG_TAIL_CHARS))
        return {"kind": self.kind, "seq": self.seq, "run": self._state, "series": series, "others": others, "log": log}

    def delta(self) -> dict[str, Any] | None:
        """What changed since the last snapshot or delta, or None."""
        rows = self.store.metrics_after(self._cursor, run_ids=[self.run.id])
        if rows:
            self._cursor = rows[-1].id
        series, others = self._metrics(rows)
        log = self._read_log(self._log_offset)
        state = self._info()
        changed = {k: v for k, v in state.items() if k != "now" and self._state.get(k) != v}
        self._state = state
        if not (series or others or log or changed):
            return None
        self.finished = st.is_terminal(state["status"])
        self.seq += 1
        delta: dict[str, Any] = {"seq": self.seq, "series": series, "others": others, "log": log}
        if changed:
            delta["run"] = {**changed, "now": state["now"]}
        return delta


def tracker_for(run: Run) -> SweepTracker | RunTracker:
    """The tracker that fits the run: a sweep's or a single run's."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    return SweepTracker(run) if isinstance(run, HyperDriveRun) else RunTracker(run)
