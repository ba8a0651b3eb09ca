"""The data behind RunDetails, read from the store (reference section 10's ``get_widget_data``)."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from hdnotebook.runs.run import Run
from hdnotebook.store import numeric_values


def _duration(start: float | None, end: float | None, created: float) -> str | None:
    begin = start if start is not None else created
    if begin is None:
        return None
    stop = end if end is not None else _dt.datetime.now().timestamp()
    seconds = int(max(0.0, stop - begin))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def widget_data(run: Run) -> dict[str, Any]:
    """``{"status", "run_id", "run_properties", "child_runs", "children_metrics", "run_metrics", "run_logs", ...}``."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    details = run.get_details()
    data: dict[str, Any] = {
        "status": details["status"],
        "workbench_run_details_uri": None,
        "run_id": run.id,
        "run_properties": {"run_id": run.id, "status": details["status"], "start_time": details.get("startTimeUtc"),
                           "end_time": details.get("endTimeUtc"), "properties": details.get("properties", {})},
        "child_runs": [],
        "children_metrics": {},
        "run_metrics": run.get_metrics() if not isinstance(run, HyperDriveRun) else {},
        "run_logs": "",
        "graph": {},
        "widget_settings": {},
    }
    if isinstance(run, HyperDriveRun):
        name, goal = run._primary()
        store = run._need_store()
        children = store.list_runs(parent_id=run.id)
        rows = store.metric_rows_for([c.run_id for c in children], name)
        tags = store.get_tags(run.id)
        data["run_properties"]["max_concurrent_runs"] = tags.get("max_concurrent_jobs", "N/A")
        data["run_properties"]["max_total_runs"] = tags.get("max_total_jobs", "N/A")
        data["run_properties"]["primary_metric"] = {"name": name, "goal": goal.name.lower()}
        for c in children:
            values = numeric_values(rows[c.run_id])
            item = {
                "run_id": c.run_id, "run_number": c.child_index, "status": c.status, "run_type": c.run_type,
                "start_time": c.start_time, "end_time": c.end_time, "created_time": c.created_time,
                "duration": _duration(c.start_time, c.end_time, c.created_time), "hyperdrive_id": run.id,
                "arguments": json.dumps((c.definition or {}).get("arguments", [])),
                "metric": values[-1] if values else None, "best_metric": goal.best(values),
            }
            for key, value in (c.hyperparameters or {}).items():
                item[f"param_{key}"] = value
            data["child_runs"].append(item)
            data["children_metrics"][c.run_id] = {name: values}
    log_name = run._main_log()
    path = (run._cached and run._cached.run_dir) or None
    if path:
        from pathlib import Path

        log_file = Path(path) / log_name
        if log_file.exists():
            text = log_file.read_text(errors="replace")
            data["run_logs"] = text[-20000:]
    return data
