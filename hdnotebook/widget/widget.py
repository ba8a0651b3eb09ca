"""The anywidget behind RunDetails: a snapshot trait plus throttled deltas pushed from the tuning loop.

Kernel -> browser: the ``snapshot`` trait (any view rebuilds from it) and ``delta`` messages sent
from the background loop every TICK_SECONDS while something changed, so updates keep flowing while
a cell blocks. Browser -> kernel (handled in a kernel subshell, so also while a cell blocks: see
subshell.py): ``hello``/``bye`` from each view, ``resync`` after a gap in delta numbers, ``metric``
to stream another metric, ``details`` of one run, ``cancel`` of a run or of the sweep (the same code
path as ``run.cancel()``).
The updater stops when the run has ended (after a final delta) or when its last view said bye.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import threading
import uuid
import weakref
from pathlib import Path
from typing import Any

import anywidget
import orjson
import traitlets

from hdnotebook._engine import background
from hdnotebook._engine.layout import STD_LOG
from hdnotebook.runs.run_handle import Run
from hdnotebook.widget.displays import Shown, finish_displays, remember
from hdnotebook.widget.library import plotly_library, plotly_source
from hdnotebook.widget.subshell import route_to_subshell
from hdnotebook.widget.tracker import tracker_for

STATIC = Path(__file__).parent / "static"
TICK_SECONDS = 0.25
FIRST_DELTA_SECONDS = 0.5
_live: weakref.WeakSet[RunDetailsWidget] = weakref.WeakSet()


@functools.lru_cache(maxsize=1)
def esm_source() -> str:
    """Our front-end bundle (plotly.js is not in it: it comes from the shared PlotlyLibrary model)."""
    return (STATIC / "run_details.js").read_text()


def _compact_json(value: dict[str, Any], _widget: Any) -> str:
    # one JSON string instead of nested lists: a saved notebook (nbformat indents each list item on its own
    # line) spends about half as many bytes on a 100-run sweep's curves. orjson writes it 10-20x faster than
    # json; what it refuses (a key that is not a string, an int beyond 64 bits) goes to json
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


def _parse_json(value: Any, _widget: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities as None (the front end parses strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def jsonable_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """``jsonable(snapshot)``, except that its curves (hundreds of thousands of values) are taken as they are: the
    tracker's curves hold only finite numbers and None. The rest goes through orjson and back (it writes NaN and
    infinities as null, tuples as lists) when it can, through ``jsonable`` when orjson refuses a part."""
    rest = {key: value for key, value in snapshot.items() if key != "curves"}
    try:
        out = orjson.loads(orjson.dumps(rest))
    except TypeError:  # a key that is not a string, an int beyond 64 bits, an object orjson does not write
        out = jsonable(rest)
    if "curves" in snapshot:
        out["curves"] = snapshot["curves"]
    return out


def live_widgets() -> int:
    """How many RunDetails widgets are still pushing updates (their updater is running)."""
    return sum(1 for w in list(_live) if w._updating)


def revive(run_id: str) -> int:
    """Make the widgets of run ``run_id`` live again (its sweep was resumed after they saw it end): each sends
    the state of now and pushes updates until the run ends again, when its static outputs show the new final
    state. Returns how many were revived."""
    widgets = [w for w in list(_live) if w._run.id == run_id]
    for widget in widgets:
        widget._resync()
        for shown in widget.displays:  # their static view gets the final state of this run again
            remember(shown)
        widget.start_updates()
    return len(widgets)


class RunDetailsWidget(anywidget.AnyWidget):
    """One live view of a run or a sweep."""

    _esm = traitlets.Unicode().tag(sync=True)
    _css = STATIC / "run_details.css"
    snapshot = traitlets.Dict().tag(sync=True, to_json=_compact_json, from_json=_parse_json)
    run_id = traitlets.Unicode().tag(sync=True)
    # marks this widget's static text/html output, which the front end hides while a live view is shown
    static_key = traitlets.Unicode().tag(sync=True)
    library = anywidget.WidgetTrait().tag(sync=True)
    plotly_version = traitlets.Unicode().tag(sync=True)

    def __init__(self, run: Run, **kwargs: Any) -> None:
        library = plotly_library()
        super().__init__(_esm=esm_source(), run_id=run.id, static_key=uuid.uuid4().hex, library=library,
                         plotly_version=library.version, **kwargs)
        self._run = run
        self._tracker = tracker_for(run)
        self._lock = threading.Lock()
        self._views: set[str] = set()
        self._updating = False
        self._stop = False
        self.displays: list[Shown] = []  # the outputs RunDetails displayed it in (revive() finishes them again)
        with self._lock:
            self.snapshot = jsonable_snapshot(self._tracker.snapshot())
        self.on_msg(self._on_message)
        route_to_subshell(self)
        _live.add(self)

    def start_updates(self) -> None:
        """Begin pushing deltas from the background loop (only in a kernel with a front end)."""
        if self._updating or self._tracker.finished:
            return
        self._updating = True
        self._stop = False
        background.submit(self._update_loop())

    def stop_updates(self) -> None:
        """Stop pushing deltas (idempotent)."""
        self._stop = True

    async def _update_loop(self) -> None:
        try:
            await asyncio.sleep(FIRST_DELTA_SECONDS)
            while not self._stop:
                with self._lock:
                    delta = self._tracker.delta()
                    finished = self._tracker.finished
                if delta is not None:
                    self.send({"type": "delta", "delta": jsonable(delta)})
                if finished:
                    with self._lock:
                        self.snapshot = jsonable_snapshot(self._tracker.snapshot())
                    finish_displays(self._run.id, self.snapshot)
                    break
                await asyncio.sleep(TICK_SECONDS)
        finally:
            self._updating = False

    def _reply(self, content: dict[str, Any]) -> None:
        self.send(jsonable(content))

    def _on_message(self, _widget: Any, content: dict[str, Any], buffers: Any) -> None:
        kind = content.get("type")
        view = content.get("view")
        if kind == "hello":
            self._views.add(view)
            if content.get("seq", 0) != self._tracker.seq:
                self._resync()
            # hosts that render the widget without our repr (marimo's mo.ui.anywidget) start it here
            self.start_updates()
        elif kind == "bye":
            self._views.discard(view)
            if not self._views:
                self.stop_updates()
        elif kind == "resync":
            self._resync()
        elif kind == "library":
            # a host without a widget manager (or whose library model was closed) asks for plotly.js
            source, version = plotly_source()
            self.send({"type": "library", "view": view, "version": version, "source": source})
        elif kind == "metric" and hasattr(self._tracker, "stream_metric"):
            with self._lock:
                curves = self._tracker.stream_metric(str(content.get("name")))
            self._reply({"type": "metric_curves", "name": content.get("name"), "curves": curves, "view": view})
        elif kind == "details":
            self._reply({"type": "details", "view": view, "details": self._details(str(content.get("run_id")))})
        elif kind == "cancel":
            threading.Thread(target=self._cancel, args=(str(content.get("run_id")), view), daemon=True).start()
        elif kind == "importances":
            threading.Thread(target=self._importances, args=(view,), daemon=True).start()

    def _resync(self) -> None:
        with self._lock:
            self.snapshot = jsonable_snapshot(self._tracker.snapshot())

    def _details(self, run_id: str) -> dict[str, Any]:
        try:
            run = self._run.experiment.workspace.get_run(run_id)
        except Exception as exc:
            return {"id": run_id, "error": str(exc)}
        details = run.get_details()
        log_path = details.get("logFiles", {}).get(STD_LOG)
        log = Path(log_path).read_text(errors="replace")[-8000:] if log_path and Path(log_path).exists() else ""
        return {
            "id": run_id, "status": details["status"], "start": details.get("startTimeUtc"), "end": details.get("endTimeUtc"),
            "arguments": (details.get("runDefinition") or {}).get("arguments", []),
            "metrics": json.loads(json.dumps(jsonable(run.get_metrics()), default=str)),
            "error": (details.get("error") or {}).get("error", {}).get("message"),
            "termination": details.get("terminationReason"), "files": run.get_file_names(), "log": log,
        }

    def _importances(self, view: str | None) -> None:
        """Reply with the sweep's hyperparameter importances (seconds for a big sweep: off the message thread)."""
        from hdnotebook.analysis import param_importances

        try:
            result: dict[str, Any] = {"shares": param_importances(self._run)}
        except Exception as exc:
            result = {"error": str(exc)}
        self._reply({"type": "importances", "view": view, **result})

    def _cancel(self, run_id: str, view: str | None) -> None:
        try:
            run = self._run.experiment.workspace.get_run(run_id)
            run.cancel()
            result = {"ok": True, "status": run.get_status()}
        except Exception as exc:
            result = {"ok": False, "message": str(exc)}
        self._reply({"type": "cancel_result", "run_id": run_id, "view": view, **result})
