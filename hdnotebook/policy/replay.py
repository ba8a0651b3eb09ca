"""replay: what a policy would have saved and kept, re-played on a finished sweep or a table of curves.

``replay(policy, run_or_curves, concurrency=4)`` simulates a sweep over known learning curves:
``concurrency`` workers take the runs in order, each run logs one value per time step, and after
every step the policy gets every started run's curve (values so far, ``running``, arrival = the step
of each value) through ``policy.evaluate_history`` on a ``CurveHistory`` kept up to date step by
step, exactly as the tuning loop calls it when a batch of values arrives. A run
named in a decision stops at once and frees its worker; a run that logged its last value has
finished (it is not running when the policy sees that value). A run without values takes no step.

The figures compare with the same replay without a policy: the epochs (intervals) run, the best
*final* value (a run's final value is the last one it logged, so a stopped run counts with the
value it was stopped at) and whether the configuration with the best final value without a policy
(any of them, on a tie) still ran to its end.

Only logged values can be replayed: a run that a policy stopped in the original sweep replays as a
run that ended there. To compare policies, replay a sweep run without one (or a lenient one).
"""

from __future__ import annotations

import numbers
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.exceptions import UserErrorException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy.base import EarlyTerminationPolicy, validate_int
from hdnotebook.policy.curves import CurveHistory
from hdnotebook.policy.history import Termination
from hdnotebook.policy.no_termination import NoTerminationPolicy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())


@dataclass(frozen=True)
class OrderReplay:
    """One arrival order replayed: ``stops`` maps each stopped run to the number of intervals it ran."""

    order: tuple[str, ...]
    epochs: int
    best_final: float | None
    best_survived: bool
    stops: dict[str, int]
    terminations: tuple[Termination, ...]


@dataclass(frozen=True)
class ReplayResult:
    """The replay of one policy over one or more arrival orders (figures are means over the orders)."""

    policy: str
    goal: PrimaryMetricGoal
    concurrency: int
    epochs_without: int
    best_final_without: float | None
    best_runs: tuple[str, ...]
    orders: tuple[OrderReplay, ...] = field(repr=False)

    @property
    def epochs(self) -> float:
        """Intervals run under the policy (mean over the orders)."""
        return float(np.mean([o.epochs for o in self.orders]))

    @property
    def saved(self) -> float:
        """The share of the intervals run without a policy that the policy saved (0..1)."""
        return 1.0 - self.epochs / self.epochs_without if self.epochs_without else 0.0

    @property
    def best_final(self) -> float | None:
        """The best final value kept under the policy (mean over the orders)."""
        kept = [o.best_final for o in self.orders if o.best_final is not None]
        return float(np.mean(kept)) if kept else None

    @property
    def best_survived(self) -> float:
        """The share of the orders in which the best configuration ran to its end (1.0 or 0.0 for one order)."""
        return float(np.mean([o.best_survived for o in self.orders]))

    @property
    def stop_intervals(self) -> dict[str, tuple[int | None, ...]]:
        """Per run, per order: the number of intervals it ran before it was stopped, or None if it was not."""
        runs = self.orders[0].order
        return {run: tuple(o.stops.get(run) for o in self.orders) for run in runs}

    def summary(self) -> dict[str, Any]:
        """One table row: policy, epochs, epochs_without, saved, best_final, best_final_without, best_survived, stopped."""
        return {"policy": self.policy, "epochs": self.epochs, "epochs_without": self.epochs_without,
                "saved": self.saved, "best_final": self.best_final, "best_final_without": self.best_final_without,
                "best_survived": self.best_survived, "stopped": float(np.mean([len(o.stops) for o in self.orders]))}

    def to_frame(self) -> pd.DataFrame:
        """One row per arrival order: epochs, saved, best_final, best_final_without, best_survived, stopped."""
        import pandas as pd  # imported on use (start-up time)

        return pd.DataFrame([{
            "epochs": o.epochs, "saved": 1.0 - o.epochs / self.epochs_without if self.epochs_without else 0.0,
            "best_final": o.best_final, "best_final_without": self.best_final_without,
            "best_survived": o.best_survived, "stopped": len(o.stops),
        } for o in self.orders]).rename_axis("order")

    def __str__(self) -> str:
        best = "n/a" if self.best_final is None else f"{self.best_final:.4g}"
        without = "n/a" if self.best_final_without is None else f"{self.best_final_without:.4g}"
        return (f"{self.policy}: saved {self.saved:.0%} of {self.epochs_without} intervals; best final {best} "
                f"(without policy {without}); best configuration survived in {self.best_survived:.0%} of "
                f"{len(self.orders)} order(s)")


def replay(policy: EarlyTerminationPolicy | None, run_or_curves: Any, concurrency: int = 4, *,
           goal: PrimaryMetricGoal | str | None = None, seed: int | None = None, orders: int = 1) -> ReplayResult:
    """Replay ``run_or_curves`` under ``policy`` (None: no termination) and measure it (module docstring).

    ``run_or_curves`` is a dict ``{run_id: [values]}`` or a pandas
    DataFrame with one column per run and one row per interval (trailing NaN are not logged values).
    As in the store, only numbers are values: strings, booleans and None in a dict are skipped.
    Tables need ``goal``. With ``orders=1`` and no ``seed`` the runs start in their own order; else
    ``orders`` permutations drawn with ``numpy.random.default_rng(seed)`` are replayed.
    ``hdnotebook.replay`` (``hdnotebook.analysis.replay``) takes a finished HyperDriveRun too.
    """
    policy = NoTerminationPolicy() if policy is None else policy
    if not isinstance(policy, EarlyTerminationPolicy):
        raise UserErrorException(f"replay expects policy to be an EarlyTerminationPolicy or None, got {type(policy).__name__}")
    validate_int("concurrency", concurrency, 1)
    validate_int("orders", orders, 1)
    curves, goal = _load(run_or_curves, goal)
    ids = list(curves)
    finals = {run: values[-1] for run, values in curves.items() if values}
    best_without = goal.best(list(finals.values()))
    best_runs = tuple(run for run, value in finals.items() if value == best_without)
    if orders == 1 and seed is None:
        permutations = [ids]
    else:
        rng = np.random.default_rng(seed)
        permutations = [[ids[i] for i in rng.permutation(len(ids))] for _ in range(orders)]
    replays = tuple(_simulate(policy, curves, order, concurrency, goal, best_runs) for order in permutations)
    return ReplayResult(repr(policy), goal, concurrency, sum(len(v) for v in curves.values()), best_without,
                        best_runs, replays)


def _simulate(policy: EarlyTerminationPolicy, curves: Mapping[str, tuple[float, ...]], order: Sequence[str],
              concurrency: int, goal: PrimaryMetricGoal, best_runs: tuple[str, ...]) -> OrderReplay:
    queue = deque(run for run in order if curves[run])
    active: dict[str, int] = {}
    history = CurveHistory(goal)
    stops: dict[str, int] = {}
    terminations: list[Termination] = []
    step = 0
    while queue or active:
        while queue and len(active) < concurrency:
            active[queue.popleft()] = 0
        step += 1
        for run in list(active):
            logged = active[run] + 1
            values = curves[run]
            history.add(run, (values[logged - 1],), (step,))
            history.set_running(run, logged < len(values))
            if logged < len(values):
                active[run] = logged
            else:
                del active[run]
        for decision in policy.evaluate_history(history):
            if decision.run_id in active:
                stops[decision.run_id] = active.pop(decision.run_id)
                history.set_running(decision.run_id, False)
                terminations.append(decision)
    epochs = sum(len(values) for values in history.values)
    best = goal.best([values[-1] for values in history.values])
    return OrderReplay(tuple(order), epochs, best, any(run not in stops for run in best_runs), stops, tuple(terminations))


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _load(run_or_curves: Any, goal: PrimaryMetricGoal | str | None) -> tuple[dict[str, tuple[float, ...]], PrimaryMetricGoal]:
    pandas = sys.modules.get("pandas")  # not imported: the argument cannot be a DataFrame
    if pandas is not None and isinstance(run_or_curves, pandas.DataFrame):
        pd = pandas
        curves = {}
        for column in run_or_curves.columns:
            series = pd.to_numeric(run_or_curves[column], errors="coerce").reset_index(drop=True)
            last = series.last_valid_index()
            curves[str(column)] = tuple(float(v) for v in series.iloc[: 0 if last is None else last + 1])
    elif isinstance(run_or_curves, Mapping):
        curves = {str(run): tuple(float(v) for v in values if _is_number(v)) for run, values in run_or_curves.items()}
    else:
        raise UserErrorException("replay expects run_or_curves to be a HyperDriveRun, a dict {run_id: [values]} "
                                 f"or a pandas DataFrame with one column per run, got {type(run_or_curves).__name__}")
    if goal is None:
        raise UserErrorException("replay expects goal ('maximize' or 'minimize') when run_or_curves is a table of curves")
    return curves, PrimaryMetricGoal.from_str(goal)
