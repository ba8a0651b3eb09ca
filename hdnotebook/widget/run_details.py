"""RunDetails: ``RunDetails(run).show()`` displays a live dashboard of a sweep or a run in the notebook.

In a Jupyter kernel it is an anywidget (``RunDetailsWidget``) that updates itself while the run goes
on; its display bundle also carries a text/plain summary and a text/html snapshot, which saved
notebooks, nbviewer and terminals show.
"""

from __future__ import annotations

from typing import Any

from hdnotebook.runs.run import Run
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
        if _in_kernel():
            widget = self.widget
            shown = widget._repr_mimebundle_()
            bundle = dict(shown[0] if isinstance(shown, tuple) else shown)
            snapshot = widget.snapshot
            widget.start_updates()
        else:
            bundle = {}
            snapshot = tracker_for(self.run_instance).snapshot()
        bundle["text/plain"] = summary(snapshot)
        bundle["text/html"] = snapshot_html(snapshot)
        return bundle
