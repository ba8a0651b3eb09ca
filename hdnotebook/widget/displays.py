"""The RunDetails outputs of a kernel, and their one update to the run's final state.

``RunDetails`` displays two outputs: the live one (the widget view, with the RunDetails repr as its
text/plain: it states nothing that could go stale) and the static one (the summary as text/plain and
the static view as text/html, hidden by the front end next to a live view), with a display id. When
the run reaches a terminal status the static output is replaced by the final state, once, by
whichever comes first: the widget's updater seeing the end, or ``Run.wait_for_completion()``
returning. The live output is never replaced: updating it would make the front end rebuild the
dashboard (losing the selected run, the brush, the scroll position).

Updates sent from another thread must carry the parent header of the cell running at that moment:
nbclient applies only messages of the cell it runs (JupyterLab routes updates by display id whatever
their parent). ipykernel 7 keeps the parent in a context variable, and the background loop's tasks
inherit the context of the cell that started them (an older cell); in an empty context ipykernel
falls back to its latest parent, the running cell's, so updates from other threads are sent from one.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from typing import Any

from hdnotebook import status as st
from hdnotebook.runs.run_handle import Run
from hdnotebook.widget.html import snapshot_html, summary
from hdnotebook.widget.tracker import tracker_for

_lock = threading.Lock()
_pending: dict[str, list[Shown]] = {}


@dataclass
class Shown:
    """One displayed RunDetails: its static output's display id and the static view's key."""

    run: Run
    static_id: str
    static_key: str


def live_bundle(widget_view: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The live output: the widget view, and as text/plain the RunDetails repr (no state, so never stale)."""
    return {"application/vnd.jupyter.widget-view+json": widget_view, "text/plain": f"RunDetails(run_id={run_id!r})"}


def static_bundle(snapshot: dict[str, Any], static_key: str) -> dict[str, Any]:
    """The static output: the one-line summary and the static HTML view, marked with ``static_key``."""
    return {"text/plain": summary(snapshot), "text/html": snapshot_html(snapshot, static_key)}


def remember(shown: Shown) -> None:
    """Keep ``shown`` until its run ends (then ``finish_displays`` updates it once); kept once however often."""
    with _lock:
        waiting = _pending.setdefault(shown.run.id, [])
        if shown not in waiting:
            waiting.append(shown)


def pending(run_id: str) -> int:
    """How many displays of ``run_id`` still wait for their final update."""
    with _lock:
        return len(_pending.get(run_id, []))


def finish_displays(run_id: str, snapshot: dict[str, Any] | None = None) -> int:
    """If the run ``run_id`` has ended, update the static output of each of its displays not yet final.

    ``snapshot``: the run's final snapshot when the caller has one (else it is read from the store).
    Idempotent: a display is updated once; returns how many displays were updated now."""
    from IPython.display import display

    with _lock:
        shown = _pending.get(run_id)
        if not shown or not st.is_terminal(shown[0].run.get_status()):  # cheap check before a whole snapshot
            return 0
        snapshot = snapshot or tracker_for(shown[0].run).snapshot()
        if not st.is_terminal(snapshot["run"]["status"]):
            return 0
        del _pending[run_id]

        def send() -> None:
            for item in shown:
                display(static_bundle(snapshot, item.static_key), raw=True, display_id=item.static_id, update=True)

        if threading.current_thread() is threading.main_thread():
            send()
        else:
            contextvars.Context().run(send)
        return len(shown)
