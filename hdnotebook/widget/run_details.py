"""RunDetails: ``RunDetails(run).show()`` displays a live dashboard of a sweep or a run in the notebook.

In a Jupyter kernel it displays two outputs (see ``displays.py``): the anywidget (``RunDetailsWidget``)
that updates itself while the run goes on, and a static view (text/plain summary; text/html header,
table and SVG charts) that the front end hides next to a live view, so saved notebooks, nbconvert,
nbviewer and GitHub show it. The static view is updated to the final state when the run ends.
Elsewhere (terminals, other front ends) the bundle is the summary and the static view.
"""

from __future__ import annotations

import uuid
from typing import Any

from hdnotebook.runs.run_handle import Run
from hdnotebook.widget.data import widget_data
from hdnotebook.widget.html import snapshot_html, summary
from hdnotebook.widget.tracker import tracker_for


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class RunDetails:
    """A view of a run or a sweep. ``show()`` displays it; ``get_widget_data()`` returns its data as a dict."""

    def __init__(self, run_instance: Run) -> None:
        if not isinstance(run_instance, Run) or run_instance._store is None:
            raise TypeError(f"RunDetails expects a Run or HyperDriveRun of a workspace, got {run_instance!r}")
        self.run_instance = run_instance
        self._widget: Any = None

    def get_widget_data(self, widget_settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data the view shows, in the keys of HyperDrive's widget data (plus ``snapshot``)."""
        data = widget_data(tracker_for(self.run_instance).snapshot())
        data["widget_settings"] = dict(widget_settings or {})
        return data

    @property
    def widget(self) -> Any:
        """The live RunDetailsWidget (created on first use)."""
        if self._widget is None:
            from hdnotebook.widget.widget import RunDetailsWidget

            self._widget = RunDetailsWidget(self.run_instance)
        return self._widget

    def show(self, render_lib: Any = None, widget_settings: dict[str, Any] | None = None) -> None:
        """Display the view (in a terminal: print its summary)."""
        try:
            from IPython.display import display
        except ImportError:
            print(summary(tracker_for(self.run_instance).snapshot()))
            return
        display(self)

    def __repr__(self) -> str:
        return f"RunDetails(run_id={self.run_instance.id!r})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """text/plain summary and the static text/html view (for consumers other than a kernel's display)."""
        snapshot = tracker_for(self.run_instance).snapshot()
        return {"text/plain": summary(snapshot), "text/html": snapshot_html(snapshot)}

    def _ipython_display_(self) -> None:
        """In a kernel: the live output and the static output (whose display id gets the final state when the run ends)."""
        from IPython.display import display

        if not _in_kernel():
            display(self._repr_mimebundle_(), raw=True)
            return
        from hdnotebook.widget.displays import Shown, finish_displays, live_bundle, remember, static_bundle

        shown_before = self._widget is not None
        widget = self.widget  # a new widget holds a fresh snapshot already
        if shown_before and not widget._tracker.finished:
            widget._resync()  # a RunDetails shown again shows the state of now
        view = widget._repr_mimebundle_()
        view = dict(view[0] if isinstance(view, tuple) else view)
        shown = Shown(self.run_instance, f"hdnb-static-{uuid.uuid4().hex}", widget.static_key)
        widget.displays.append(shown)
        snapshot = widget.snapshot
        display(live_bundle(view["application/vnd.jupyter.widget-view+json"], self.run_instance.id), raw=True)
        display(static_bundle(snapshot, shown.static_key), raw=True, display_id=shown.static_id)
        widget.start_updates()
        if not widget._tracker.finished:
            remember(shown)
            finish_displays(self.run_instance.id)  # the run may have ended since the snapshot
