"""What every chart of a sweep decides the same way: colours, the kind of each hyperparameter's axis, the
ranking of runs, the best value so far and the policy's cutoff.

Used by the static SVG view (``widget/svg.py``, ``widget/html.py``), the snapshot the live widget draws
(``widget/tracker.py``) and the plotly figures of ``hdnotebook.plot``; the live widget's JavaScript
(``js/src/charts.js``) follows the same rules. Pure functions of plain data: no store, no plotting library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.base import EarlyTerminationPolicy
from hdnotebook.policy.history import RunCurve

# plotly.js's default colorway (D3 "category10"): the colours the widget's curves get, trace by trace.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# Viridis (plotly's "Viridis" colour scale) at 0, 0.25, 0.5, 0.75, 1; the best runs are yellow whatever the goal.
VIRIDIS = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
# The policy's cutoff line on the curves.
CUTOFF_COLOUR = "#c0392b"
LOG_EXPRESSIONS = frozenset({"loguniform", "qloguniform", "lognormal", "qlognormal"})


def param_info(key: str, expression: Sequence[Any]) -> dict[str, Any]:
    """A hyperparameter of the search space (``[name, args]`` as in the sampler's JSON) as the charts see it:
    ``{"key", "kind", "log", "choices"}`` (``log``: drawn on a log10 axis; ``choices``: the options of a choice)."""
    name, args = expression[0], expression[1]
    return {"key": key, "kind": name, "log": name in LOG_EXPRESSIONS, "choices": list(args[0]) if name == "choice" else None}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def axis_kind(param: Mapping[str, Any], values: Iterable[object]) -> str:
    """``"category"`` for a choice or a hyperparameter with any value that is not a number (None is ignored),
    else ``"log"`` for a log-scale expression, else ``"linear"``."""
    if param.get("choices") is not None or any(v is not None and not _is_number(v) for v in values):
        return "category"
    return "log" if param.get("log") else "linear"


def category_labels(choices: Sequence[object] | None, values: Iterable[object]) -> list[str]:
    """The ticks of a categorical axis, as text: the choices in their order, then any other value (e.g. a
    warm-start parent's) in order of appearance."""
    labels = dict.fromkeys(str(c) for c in (choices or []))
    labels.update(dict.fromkeys(str(v) for v in values if v is not None))
    return list(labels)


def _goal(goal: str | PrimaryMetricGoal) -> PrimaryMetricGoal:
    return goal if isinstance(goal, PrimaryMetricGoal) else PrimaryMetricGoal.from_str(goal)


def ranked_rows(rows: Iterable[Mapping[str, Any]], goal: str | PrimaryMetricGoal) -> list[Mapping[str, Any]]:
    """Snapshot rows (``best``, ``n``) best first under ``goal``, ties by run number; rows without a value last."""
    return sorted(rows, key=_rank_key(goal))


def _rank_key(goal: str | PrimaryMetricGoal) -> Any:
    sign = 1 if _goal(goal) is PrimaryMetricGoal.MAXIMIZE else -1
    return lambda r: (r.get("best") is None, -sign * (r.get("best") or 0), r.get("n") or 0)


def best_row(rows: Iterable[Mapping[str, Any]], goal: str | PrimaryMetricGoal) -> Mapping[str, Any] | None:
    """The row with the best ``best`` value under ``goal`` (the earliest run of equal ones), or None: the first of
    ``ranked_rows``, found in one pass."""
    best = min(rows, key=_rank_key(goal), default=None)
    return best if best is not None and best.get("best") is not None else None


def best_so_far(values: Sequence[float | None], goal: str | PrimaryMetricGoal) -> list[float | None]:
    """The best of ``values[:k + 1]`` under ``goal`` for each k (None until the first finite value; None and
    non-finite values never count)."""
    which = _goal(goal)
    best: float | None = None
    out: list[float | None] = []
    for value in values:
        if value is not None and math.isfinite(value) and (best is None or which.is_better(value, best)):
            best = value
        out.append(best)
    return out


def policy_cutoff(policy: EarlyTerminationPolicy | None, curves: Mapping[str, Sequence[float]],
                  goal: str | PrimaryMetricGoal, running: Iterable[str] | None = None) -> dict[str, Any] | None:
    """``{"interval", "value", "policy"}``: the cutoff ``policy`` applies to the runs of ``running`` (run ids;
    None: every run, as for a sweep that has ended) given each run's primary-metric ``curves``; None when the
    policy has no single cutoff or none applies yet."""
    if policy is None:
        return None
    live = None if running is None else set(running)
    found = policy.threshold([RunCurve(run_id, tuple(values), running=live is None or run_id in live)
                              for run_id, values in curves.items()], _goal(goal))
    return None if found is None else {"interval": found[0], "value": found[1], "policy": policy.name}
