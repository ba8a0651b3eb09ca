"""The text/plain summary and the static text/html view of RunDetails, for places without a live front end
(saved notebooks in nbconvert, GitHub and nbviewer, nbval, a terminal).

The static view needs no kernel, JavaScript or network: a header, the child-run table and inline SVG
charts (see ``svg.py``). Styling is inline and colours of text follow the page (``currentColor``).
"""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from datetime import datetime
from typing import Any

from hdnotebook.results import charts
from hdnotebook.widget import svg
from hdnotebook.widget.data import duration_text

MAX_ROWS = 50
MAX_CURVES = 10
MAX_LINES = 300
MAX_SERIES_CHARTS = 6
LOG_TAIL_LINES = 40
WRAP = ' style="max-width:24em;overflow-wrap:anywhere"'


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def best_row(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The child row with the best primary metric, or None."""
    return charts.best_row(snapshot.get("runs", []), snapshot["run"]["primary"]["goal"])  # type: ignore[return-value]


def ranked_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The child rows best first (by primary metric); rows without a value last, by run number."""
    return charts.ranked_rows(snapshot.get("runs", []), snapshot["run"]["primary"]["goal"])  # type: ignore[return-value]


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


def _epoch(value: Any) -> float | None:
    """Epoch seconds of a time given as epoch seconds or ISO text (a single run's details use ISO)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return value


def _elapsed(run: dict[str, Any]) -> str:
    start, end = _epoch(run.get("start")), _epoch(run.get("end"))
    return duration_text(start, end, run.get("now") or time.time()) or "not started"


def _cell(value: Any) -> str:
    text = html.escape(_fmt(value))
    return f"<td{WRAP}>{text}</td>" if len(text) > 40 else f"<td>{text}</td>"


def _table(titles: list[str], rows: list[list[Any]], testid: str) -> str:
    """A plain table; presentation attributes (rules, cellpadding) rather than CSS, which sanitizers may drop."""
    head = "".join(f'<th align="left">{html.escape(t)}</th>' for t in titles)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return (f'<div style="overflow-x:auto"><table data-testid="{testid}" rules="rows" frame="hsides" cellpadding="3" '
            f'style="border-collapse:collapse;font-size:12px"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def _sweep_charts(snapshot: dict[str, Any], ranked: list[dict[str, Any]]) -> str:
    primary = snapshot["run"]["primary"]
    metric = primary["name"]
    curves = snapshot.get("curves", {}).get(metric, {})
    top = [r for r in ranked if r.get("best") is not None and curves.get(r["id"])][:MAX_CURVES]
    charts = svg.line_chart({f"Run {r['n']}": curves[r["id"]] for r in top},
                            f"{metric}: best {len(top)} runs")
    measured = [r for r in ranked if r.get("best") is not None]
    shown = f"best {MAX_LINES} of {len(measured)}" if len(measured) > MAX_LINES else str(len(measured))
    measured = measured[:MAX_LINES]
    axes = [svg.Axis(p["key"].lstrip("-"), [r["params"].get(p["key"]) for r in measured], log=p.get("log", False),
                     choices=p.get("choices")) for p in snapshot.get("params", [])]
    axes.append(svg.Axis(metric, [r["best"] for r in measured]))
    rows = [[r["params"].get(p["key"]) for p in snapshot.get("params", [])] + [r["best"]] for r in measured]
    charts += svg.parallel_coordinates(axes, rows, [r["best"] for r in measured], reverse=primary["goal"] == "minimize",
                                       title=f"Hyperparameters and best {metric} ({shown} runs)")
    return f'<div style="display:flex;flex-wrap:wrap;gap:12px">{charts}</div>' if charts else ""


def _sweep_html(snapshot: dict[str, Any]) -> str:
    run = snapshot["run"]
    own = [r for r in snapshot["runs"] if not r.get("inherited")]
    counts = Counter(r["status"] for r in own)
    best = best_row(snapshot)
    facts = [f"<b>Status:</b> {html.escape(run['status'])}",
             f"<b>Child runs:</b> {len(own)}" + (" (" + ", ".join(f"{html.escape(k)} {v}" for k, v in sorted(counts.items())) + ")" if counts else ""),
             f"<b>Elapsed:</b> {_elapsed(run)}"]
    if best is not None:
        facts.insert(2, f"<b>Best {html.escape(run['primary']['name'])}:</b> {best['best']:.6g} (run {best['n']}, {html.escape(best['id'])})")
    parts = ['<div data-testid="static-header">' + " &middot; ".join(facts) + "</div>"]
    if run.get("error"):
        parts.append(f"<div><b>Error:</b> {html.escape(str(run['error']))}</div>")
    if not snapshot["runs"]:
        return "".join(parts) + "<p>No runs scheduled yet</p>"
    ranked = ranked_rows(snapshot)
    parts.append(_sweep_charts(snapshot, ranked))
    now = run.get("now") or time.time()
    keys = [p["key"] for p in snapshot["params"]]
    titles = ["Run", f"Best {run['primary']['name']}", "Status", "Duration", "Run Id", *keys, "Stopped because"]
    rows = [[r["n"], r["best"], r["status"], duration_text(r["start"], r["end"], now), r["id"],
             *[r["params"].get(k) for k in keys], r.get("reason")] for r in ranked[:MAX_ROWS]]
    parts.append(_table(titles, rows, "static-table"))
    if len(ranked) > MAX_ROWS:
        parts.append(f"<p>and {len(ranked) - MAX_ROWS} more runs</p>")
    return "".join(parts)


def _run_html(snapshot: dict[str, Any]) -> str:
    run = snapshot["run"]
    parts = [f'<div data-testid="static-header"><b>Status:</b> {html.escape(run["status"])} &middot; '
             f"<b>Elapsed:</b> {_elapsed(run)}</div>"]
    if run.get("error"):
        parts.append(f"<div><b>Error:</b> {html.escape(str(run['error']))}</div>")
    series = {k: v for k, v in snapshot["series"].items() if v}
    charts = "".join(svg.line_chart({name: values}, name, width=320, height=200, testid="static-series")
                     for name, values in list(series.items())[:MAX_SERIES_CHARTS] if len(values) > 1)
    if charts:
        parts.append(f'<div style="display:flex;flex-wrap:wrap;gap:12px">{charts}</div>')
    items = {**snapshot["others"], **{k: (v[-1] if v else None) for k, v in snapshot["series"].items()}}
    if items:
        parts.append(_table(["Metric", "Value"], [[k, v] for k, v in items.items()], "static-metrics"))
    log = "\n".join(snapshot.get("log", "").splitlines()[-LOG_TAIL_LINES:])
    if log:
        parts.append('<details open><summary>Log (last lines)</summary><pre style="max-height:20em;overflow:auto;'
                     f'font-size:11px">{html.escape(log)}</pre></details>')
    return "".join(parts)


def snapshot_html(snapshot: dict[str, Any], static_key: str | None = None) -> str:
    """The static HTML view of ``snapshot``. With ``static_key`` (hex) its root carries ``data-hdnb-static`` so the
    live widget of the same key can hide it (the front end adds a style rule while a live view is shown)."""
    if static_key is not None and not re.fullmatch(r"[\w-]+", static_key):
        raise ValueError(f"static_key must be letters, digits, '_' or '-', got {static_key!r}")
    # the class repeats the key for JupyterLab's sanitizer (untrusted notebooks), which drops data- attributes
    marker = f' hdnb-static-{static_key}" data-hdnb-static="{static_key}' if static_key else ""
    body = _sweep_html(snapshot) if snapshot["kind"] == "sweep" else _run_html(snapshot)
    return (f'<div class="hdnotebook-snapshot{marker}" style="font-family:sans-serif;font-size:13px">'
            f"<p><b>{html.escape(summary(snapshot))}</b></p>{body}</div>")
