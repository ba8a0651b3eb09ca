"""The small HTML tables a notebook shows for a run or an experiment evaluated in a cell (as Azure's do)."""

from __future__ import annotations

import html
from pathlib import Path


def link(folder: str | Path, text: str) -> str:
    """An ``<a>`` to a local folder as a ``file://`` URL (opens the folder from the notebook page)."""
    return f'<a href="{html.escape(Path(folder).resolve().as_uri())}" target="_blank" rel="noopener">{html.escape(text)}</a>'


def html_table(cells: dict[str, str], raw: frozenset[str] = frozenset()) -> str:
    """A one-row table: the keys are the header, the values the row (escaped, except the keys in ``raw``,
    which are already HTML)."""
    head = "".join(f"<th>{html.escape(k)}</th>" for k in cells)
    row = "".join(f"<td>{v if k in raw else html.escape(str(v))}</td>" for k, v in cells.items())
    return f"<table style='width:100%'><tr>{head}</tr><tr>{row}</tr></table>"


def run_table(experiment: str, run_id: str, run_type: str, status: str, run_dir: str | None) -> str:
    """A run's table: Experiment, Id, Type, Status and a Details Page link to its folder (none offline)."""
    details = link(run_dir, "Link to run folder") if run_dir is not None else "(offline run)"
    return html_table({"Experiment": experiment, "Id": run_id, "Type": run_type, "Status": status, "Details Page": details},
                      raw=frozenset({"Details Page"}))
