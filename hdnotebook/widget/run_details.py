"""RunDetails: ``RunDetails(run).show()`` in a notebook.

This first version shows a snapshot (status, counts, child-run table with hyperparameters and best
metric) that is refreshed on each ``show()``; the live anywidget dashboard replaces it.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from hdnotebook.runs.run import Run
from hdnotebook.widget.data import widget_data


class RunDetails:
    """A view of a run or a sweep; ``show()`` displays it, ``get_widget_data()`` returns its data."""

    def __init__(self, run_instance: Run) -> None:
        if not isinstance(run_instance, Run):
            raise TypeError(f"RunDetails expects a Run or HyperDriveRun, got {type(run_instance).__name__}")
        self.run_instance = run_instance

    def get_widget_data(self, widget_settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data the view shows, as a dict."""
        data = widget_data(self.run_instance)
        data["widget_settings"] = dict(widget_settings or {})
        return data

    def show(self, render_lib: Any = None, widget_settings: dict[str, Any] | None = None) -> None:
        """Display the view in the notebook (or print its summary outside one)."""
        try:
            from IPython.display import display
        except ImportError:
            print(self._summary(self.get_widget_data()))
            return
        display(self)

    def _summary(self, data: dict[str, Any]) -> str:
        counts = Counter(c["status"] for c in data["child_runs"])
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        best = [c for c in data["child_runs"] if c["best_metric"] is not None]
        line = f"RunDetails({data['run_id']}: {data['status']}"
        if data["child_runs"]:
            line += f"; {len(data['child_runs'])} child runs: {parts}"
        if best:
            props = data["run_properties"].get("primary_metric", {})
            pick = max if props.get("goal") == "maximize" else min
            top = pick(best, key=lambda c: c["best_metric"])
            line += f"; best {props.get('name')} {top['best_metric']:.6g} ({top['run_id']})"
        return line + ")"

    def __repr__(self) -> str:
        return f"RunDetails(run_id={self.run_instance.id!r})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        data = self.get_widget_data()
        return {"text/plain": self._summary(data), "text/html": _html(data, self._summary(data))}


def _html(data: dict[str, Any], summary: str) -> str:
    rows = data["child_runs"]
    if not rows:
        table = "<p>No runs scheduled yet</p>" if data["run_properties"].get("primary_metric") else ""
    else:
        params = sorted({k for r in rows for k in r if k.startswith("param_")})
        head = "".join(f"<th>{html.escape(h)}</th>" for h in ["Run", "Best Metric", "Status", "Duration", "Run Id", *[p[6:] for p in params]])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape('' if v is None else (f'{v:.6g}' if isinstance(v, float) else str(v)))}</td>" for v in
                             [r["run_number"], r["best_metric"], r["status"], r["duration"], r["run_id"], *[r.get(p) for p in params]]) + "</tr>"
            for r in rows
        )
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='hdnotebook-run-details'><p><b>{html.escape(summary)}</b></p>{table}</div>"
