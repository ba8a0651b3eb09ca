"""The text/plain summary and text/html snapshot of RunDetails, for places without a live front end
(saved notebooks, nbviewer, nbval, a terminal)."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from hdnotebook.widget.data import duration_text


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def best_row(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The child row with the best primary metric, or None."""
    rows = [r for r in snapshot.get("runs", []) if r.get("best") is not None]
    if not rows:
        return None
    pick = max if snapshot["run"]["primary"]["goal"] == "maximize" else min
    return pick(rows, key=lambda r: r["best"])


def summary(snapshot: dict[str, Any]) -> str:
    """One line: status, child runs by status, the best metric and its run."""
    run = snapshot["run"]
    line = f"RunDetails({run['id']}: {run['status']}"
    if snapshot["kind"] == "sweep":
        own = [r for r in snapshot["runs"] if not r.get("inherited")]
        counts = Counter(r["status"] for r in own)
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        line += f"; {len(own)} child runs" + (f": {parts}" if parts else "")
        best = best_row(snapshot)
        if best is not None:
            line += f"; best {run['primary']['name']} {best['best']:.6g} ({best['id']})"
    else:
        metrics = len(snapshot["series"]) + len(snapshot["others"])
        line += f"; {metrics} metrics"
    return line + ")"


def snapshot_html(snapshot: dict[str, Any]) -> str:
    """A static HTML view: the summary and the child-run table (or the run's metrics)."""
    head = f"<p><b>{html.escape(summary(snapshot))}</b></p>"
    if snapshot["kind"] == "sweep":
        rows = snapshot["runs"]
        if not rows:
            return f"<div class='hdnotebook-snapshot'>{head}<p>No runs scheduled yet</p></div>"
        now = snapshot["run"].get("now") or 0
        keys = [p["key"] for p in snapshot["params"]]
        titles = ["Run", f"Best {snapshot['run']['primary']['name']}", "Status", "Duration", "Run Id", *keys, "Stopped because"]
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in [
                r["n"], r["best"], r["status"], duration_text(r["start"], r["end"], now), r["id"],
                *[r["params"].get(k) for k in keys], r.get("reason")]) + "</tr>"
            for r in rows
        )
        table = "<table><thead><tr>" + "".join(f"<th>{html.escape(t)}</th>" for t in titles) + f"</tr></thead><tbody>{body}</tbody></table>"
    else:
        items = {**snapshot["others"], **{k: (v[-1] if v else None) for k, v in snapshot["series"].items()}}
        table = "<table><tbody>" + "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(_fmt(v))}</td></tr>" for k, v in items.items()) + "</tbody></table>"
    return f"<div class='hdnotebook-snapshot'>{head}{table}</div>"
