"""Warm start (``resume_from``) and resuming child runs (``resume_child_runs``): the rules (reference
section 5) and what a sweep inherits from its parents.

A warm-start parent is a finished sweep of the same workspace, Completed or Canceled, that optimised
the same primary metric in the same direction. The parents of the child runs to resume are warm-start
parents too, and may also have Failed (a sweep whose every child failed is Failed here, and resuming
those children is what ``resume_child_runs`` is for). A sweep's budget plus its parents' budgets is at most 1000 runs.
"""

from __future__ import annotations

from typing import Any

from hdnotebook import status as st
from hdnotebook.exceptions import HyperDriveConfigException, invalid_setting, invalid_type
from hdnotebook.goal import PrimaryMetricGoal

MAX_PARENT_RUNS = 5
MAX_RUNS_WITH_PARENTS = 1000
PARENT_STATUSES = (st.COMPLETED, st.CANCELED)


def _mismatch(what: str, details: str) -> HyperDriveConfigException:
    return HyperDriveConfigException(f"{what} should be the same for all runs. {details}", error_code="WarmStartRunsDontMatch")


def warm_start_parents(resume_from: list[Any], resume_child_runs: list[Any]) -> list[Any]:
    """The sweeps a new sweep inherits from: ``resume_from`` and the parents of ``resume_child_runs``, each once."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    parents = list(resume_from)
    seen = {p.id for p in parents}
    for child in resume_child_runs:
        parent = child.parent
        if parent is None:
            raise invalid_setting("resume_child_runs", f"child runs of a sweep, but {child.id} has no parent run.")
        if parent.id not in seen:
            if not isinstance(parent, HyperDriveRun):
                raise invalid_setting("resume_child_runs", f"child runs of a sweep, but the parent of {child.id} is a {parent.type} run.")
            parents.append(parent)
            seen.add(parent.id)
    return parents


def check_warm_start(resume_from: list[Any], resume_child_runs: list[Any], metric_name: str,
                     goal: PrimaryMetricGoal, max_total_runs: int) -> list[Any]:
    """Apply the rules; returns the warm-start parents (HyperDriveRuns). Errors are HyperDriveConfigException."""
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun

    for run in resume_from:
        if not isinstance(run, HyperDriveRun):
            raise invalid_type("HyperDriveRun", "resume_from", run)
    for child in resume_child_runs:
        status = child.get_status()
        if not st.is_terminal(status):
            raise HyperDriveConfigException(
                f"All resume_child_runs should be in a terminal state. Found a run with state '{status}'.",
                error_code="InvalidConfigSetting")
    child_parents = {c.parent.id for c in resume_child_runs if c.parent is not None}
    if len(child_parents) > MAX_PARENT_RUNS:
        raise invalid_setting("resume_child_runs", f"runs of at most {MAX_PARENT_RUNS} parent runs, got {len(child_parents)}.")
    parents = warm_start_parents(resume_from, resume_child_runs)
    chosen = {p.id for p in resume_from}
    total = max_total_runs
    for parent in parents:
        status = parent.get_status()
        if parent.id in chosen and status not in PARENT_STATUSES or not st.is_terminal(status):
            raise invalid_setting("resume_from", f"parent runs that are Completed or Canceled, but {parent.id} is {status}.")
        name, parent_goal = parent._primary()
        if name != metric_name:
            raise _mismatch("Primary metric name", f"This sweep optimises '{metric_name}', {parent.id} optimised '{name}'.")
        if parent_goal is not goal:
            raise _mismatch("Primary metric goal", f"This sweep uses {goal.name.lower()}, {parent.id} used {parent_goal.name.lower()}.")
        total += int((parent._record().config or {}).get("max_total_runs") or 0)  # type: ignore[union-attr]
    if total > MAX_RUNS_WITH_PARENTS:
        raise invalid_setting("HyperDriveConfig", f"max_total_runs plus the parent runs' max_total_runs to be at most "
                                                  f"{MAX_RUNS_WITH_PARENTS}, got {total}.")
    return parents
