"""``RunDetails.get_widget_data()``: the snapshot in the shape of HyperDrive's widget data (reference section 10)."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from hdnotebook._engine.layout import SCRIPT_TYPE
from hdnotebook._engine.progress import hms


def duration_text(start: float | None, end: float | None, now: float) -> str | None:
    """Elapsed time as ``H:MM:SS`` (None before the run started)."""
    if start is None:
        return None
    return hms((end if end is not None else now) - start)


def widget_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """HyperDrive's keys (status, run_id, run_properties, child_runs, children_metrics, run_metrics, run_logs...)
    filled from a tracker snapshot, plus ``snapshot`` itself."""
    run = snapshot["run"]
    now = run.get("now") or _dt.datetime.now().timestamp()
    data: dict[str, Any] = {
        "status": run["status"], "workbench_run_details_uri": None, "run_id": run["id"],
        "run_properties": {k: v for k, v in run.items() if k != "now"}, "child_runs": [], "children_metrics": {},
        "run_metrics": {}, "run_logs": "", "graph": {}, "widget_settings": {}, "snapshot": snapshot,
    }
    if snapshot["kind"] == "sweep":
        data["run_properties"]["max_concurrent_runs"] = run.get("max_concurrent") or "N/A"
        data["run_properties"]["max_total_runs"] = run.get("max_total") or "N/A"
        metric = run["primary"]["name"]
        curves = snapshot["curves"].get(metric, {})
        for row in snapshot["runs"]:
            item = {
                "run_id": row["id"], "run_number": row["n"], "status": row["status"], "run_type": SCRIPT_TYPE,
                "start_time": row["start"], "end_time": row["end"], "duration": duration_text(row["start"], row["end"], now),
                "hyperdrive_id": run["id"], "arguments": json.dumps(row["params"]), "metric": row["last"],
                "best_metric": row["best"], "termination_reason": row.get("reason"),
            }
            item.update({f"param_{k}": v for k, v in row["params"].items()})
            data["child_runs"].append(item)
            data["children_metrics"][row["id"]] = {metric: curves.get(row["id"], [])}
    else:
        data["run_metrics"] = {**snapshot["others"], **snapshot["series"]}
        data["run_logs"] = snapshot["log"]
    return data
