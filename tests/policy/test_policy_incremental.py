"""evaluate_history (the tuning loop's and replay's incremental path) decides exactly as evaluate on the same curves.

Random sweeps are played step by step (runs start as slots free, log 1-3 values per batch, end, or are
stopped by the policy's decisions); at every step both paths must give the same Termination records.
The curves carry ties (values rounded to 2 decimals), NaN and infinities, and arrival keys that are
sometimes equal across batches or smaller than keys already seen (ASHA then settles a rung anew).
``RECORDED`` holds digests of every decision of these scenarios as main's code (before the incremental
path) made them: ``python tests/policy/test_policy_incremental.py --record`` prints them, to be run with the
old code first on ``PYTHONPATH``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.policy import (
    ASHAPolicy,
    BanditPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    RunCurve,
    Termination,
    TruncationSelectionPolicy,
)

POLICIES: dict[str, Callable[[], EarlyTerminationPolicy]] = {
    "bandit-factor": lambda: BanditPolicy(1, slack_factor=0.1),
    "bandit-factor-2-3": lambda: BanditPolicy(2, slack_factor=0.25, delay_evaluation=3),
    "bandit-amount-3-4": lambda: BanditPolicy(3, slack_amount=0.05, delay_evaluation=4),
    "median": lambda: MedianStoppingPolicy(),
    "median-1-5": lambda: MedianStoppingPolicy(1, 5),
    "median-2-3": lambda: MedianStoppingPolicy(2, 3),
    "truncation-25": lambda: TruncationSelectionPolicy(25),
    "truncation-50-2-3": lambda: TruncationSelectionPolicy(50, 2, 3),
    "truncation-34-1-4-excl": lambda: TruncationSelectionPolicy(34, 1, 4, exclude_finished_jobs=True),
    "truncation-40-excl": lambda: TruncationSelectionPolicy(40, exclude_finished_jobs=True),
    "asha": lambda: ASHAPolicy(),
    "asha-1-2": lambda: ASHAPolicy(1, 2),
    "asha-2-3-max-15": lambda: ASHAPolicy(2, 3, 15),
}
SEEDS = range(8)

RECORDED = {
    'bandit-factor': ['6a17350edcd1104f', '7bbbfc8cac828582', '90522c797d66327b', 'e0546f8c441958ae', 'bac24afc620ecb39', 'e6767ae2a2683fc5', 'ca9bcb1ae7682e6f', '4314d524c65e7264'],
    'bandit-factor-2-3': ['1f70aee8d77622b6', '4040479a19cbf48d', 'ca5906d45f663b62', '880057bafd474f33', '911dd35f7eb79d11', '9702cb0b0ebb806a', '3e53f2d776ca8e6e', '433e841c92bbb3e3'],
    'bandit-amount-3-4': ['05625d34e65fa5a2', 'f0e19a651d7d8348', 'b8007057d92db814', '538567efaab55de8', '4e3024a5c153037c', '23ca617dff016954', '71d6e1623af76a61', '12d362d21ee52dd0'],
    'median': ['36138b0e24d48105', '7344ad85a8f9eb2a', '9aa14d6af8b67063', 'ab657098652d9f0b', '1b0f26ce2092e9d1', '47b7865ef7d79691', '4ba24933d5208438', '1a314f2d7c2c8227'],
    'median-1-5': ['6dbdfb1f591300d6', '2a0b6b9f9adc1837', '96a0f4f3e1daccf1', '7effc85275a618a6', '3bc850cfff16ea91', '67b738cf2b60ff7d', '69c4ca0e5b5ad060', '6e8b716cae1625fb'],
    'median-2-3': ['5489ac94bc3bdd93', 'c3ee498dff8a4f96', '2f6022c63fc271d8', '0ca1e7b9a485c683', 'cdda959817681e58', '67b738cf2b60ff7d', '2e0eef29f9391601', '08b9d23415870d42'],
    'truncation-25': ['d3874413acd2dfcd', 'cafe9e2ac8efd157', '31ac7d83cba9a175', '94e7f574cc4be24c', 'ee94629604dfee12', '22890e326531aa04', '9275731013384fdc', '9a1ff3d280276a02'],
    'truncation-50-2-3': ['e8f80569888f7b8f', '9abfdfc91a510607', '2f1fe9e62f4d5c5c', 'd6d1c82fb97120f6', 'a7b897a23479d667', 'acd2197dc43731d5', '0994e14dd7253c56', '3cea0205e8d61a5e'],
    'truncation-34-1-4-excl': ['1614fd80b4261ab6', '52085daae5305ba0', '20f71af081812930', '3ddc65d31f6a4bb3', '4cd31c35006a50f8', '67b738cf2b60ff7d', 'd95685c11804204d', 'c0943ca56a89ab50'],
    'truncation-40-excl': ['d6855c6f13aabbb1', '02cdb548a179629d', '20f71af081812930', 'fbf4ae081ebf36f7', '4cd31c35006a50f8', '67b738cf2b60ff7d', '381a6b76449f9eb4', 'f188f1e854334045'],
    'asha': ['3e6c7db0529374f4', '4c11bfba51442a7a', '38aaa34f38cd6322', 'd2db35fea32fb784', '226d7575ecc3d685', '1b6729912227fa9e', '3e3c082d8e2b8369', '8af6ad9015b910fc'],
    'asha-1-2': ['a372ab7b8fa6a2e2', 'da06e9f77c8e820a', 'f0a90485990fa50c', '9203ce7bcf0f00b2', '86da18989c15d6a4', '5a031e8618f0b11a', 'f5ce51b11e14b698', '44cd9122c73bb221'],
    'asha-2-3-max-15': ['5410d83592235599', 'f456f2c2ded67c0e', '52230a33f6217f32', 'e2a0b4a8328fb4ae', '2f6dc41fe6e20905', '57b9d2ddadb92c6d', '5fdc74fb1c828897', 'eb2d913581f26cdf'],
}


def make_run(rng: np.random.Generator, length: int) -> list[float]:
    """A noisy learning curve rounded to 2 decimals (so ties happen), with a few NaN and infinities."""
    top, rate = rng.uniform(0.3, 0.9), rng.uniform(0.05, 0.8)
    steps = np.arange(1, length + 1)
    values = np.round(top * (1 - np.exp(-rate * steps)) + rng.normal(0, 0.03, length), 2)
    odd = rng.random(length)
    values[odd < 0.03] = np.nan
    values[(odd >= 0.03) & (odd < 0.04)] = np.inf * rng.choice([-1, 1])
    return [float(v) for v in values]


def play(seed: int, decide: Callable[[list[RunCurve], PrimaryMetricGoal, list[tuple[str, list[float], list[int] | None, bool]]],
                                      list[Termination]], with_arrival: bool = True) -> list[list[Termination]]:
    """One random sweep; ``decide(curves, goal, changes)`` gets every curve and this batch's
    (run, new values, their keys, running) and returns the decisions, which stop runs. Returns every call's decisions."""
    rng = np.random.default_rng(seed)
    goal = PrimaryMetricGoal.MAXIMIZE if seed % 2 == 0 else PrimaryMetricGoal.MINIMIZE
    planned = {f"run{i}": make_run(rng, int(rng.integers(1, 28))) for i in range(int(rng.integers(10, 45)))}
    queue, concurrency = list(planned), int(rng.integers(2, 9))
    values: dict[str, list[float]] = {}
    arrival: dict[str, list[int]] = {}
    active: set[str] = set()
    key, calls = 0, []
    while queue or active:
        while queue and len(active) < concurrency:
            active.add(queue.pop(0))
        draw = rng.random()
        key = key if draw < 0.15 else max(0, key - 2) if draw < 0.25 else key + 1
        changes = []
        for run in sorted(active, key=lambda r: int(r[3:])):
            plan = values.setdefault(run, [])
            new = planned[run][len(plan): len(plan) + int(rng.integers(1, 4))]
            keys = [max(key, arrival.get(run, [0])[-1] if arrival.get(run) else 0)] * len(new)
            plan.extend(new)
            arrival.setdefault(run, []).extend(keys)
            if len(plan) == len(planned[run]):
                active.discard(run)
            changes.append((run, new, keys if with_arrival else None, run in active))
        curves = [RunCurve(run, tuple(v), run in active, tuple(arrival[run]) if with_arrival else None)
                  for run, v in values.items()]
        decisions = decide(curves, goal, changes)
        calls.append(decisions)
        for decision in decisions:
            assert decision.run_id in active, "a policy stopped a run that is not running"
            active.discard(decision.run_id)
    return calls


def digest(calls: list[list[Termination]]) -> str:
    """A short digest of every decision of a scenario (floats by repr)."""
    text = json.dumps([[dataclasses.asdict(t) for t in call] for call in calls])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def by_list(policy: EarlyTerminationPolicy) -> Callable[..., list[Termination]]:
    return lambda curves, goal, changes: policy.evaluate(curves, goal)


def by_history_checked(policy: EarlyTerminationPolicy) -> Callable[..., list[Termination]]:
    """Keeps a CurveHistory in step with the batches, as the tuning loop does, and asserts both paths agree."""
    from hdnotebook.policy.curves import CurveHistory

    history: list[Any] = []

    def decide(curves: list[RunCurve], goal: PrimaryMetricGoal, changes: list) -> list[Termination]:
        if not history:
            history.append(CurveHistory(goal))
        for run, new, keys, running in changes:
            history[0].add(run, new, keys)
            history[0].set_running(run, running)
        incremental = policy.evaluate_history(history[0])
        assert incremental == policy.evaluate(curves, goal)
        for decision in incremental:
            history[0].set_running(decision.run_id, False)
        return incremental

    return decide


@pytest.mark.parametrize("name", list(POLICIES))
def test_the_incremental_path_decides_as_evaluate(name: str) -> None:
    stopped = 0
    for seed in SEEDS:
        calls = play(seed, by_history_checked(POLICIES[name]()))
        stopped += sum(map(len, calls))
    assert stopped > 0, "the scenarios never exercise a decision"


@pytest.mark.parametrize("name", ["asha", "asha-1-2", "bandit-factor", "median"])
def test_without_arrival_keys_too(name: str) -> None:
    for seed in SEEDS[:4]:
        play(seed, by_history_checked(POLICIES[name]()), with_arrival=False)


@pytest.mark.parametrize("name", list(POLICIES))
def test_decisions_are_those_main_made_before_the_incremental_path(name: str) -> None:
    assert [digest(play(seed, by_history_checked(POLICIES[name]()))) for seed in SEEDS] == RECORDED[name]


@pytest.mark.parametrize("name", list(POLICIES))
def test_a_first_evaluation_on_a_big_history_decides_as_evaluate(name: str) -> None:
    """Views catch up on a long backlog in bulk (append, then sort once), runs stopping inside it."""
    from hdnotebook.policy.curves import CurveHistory

    rng = np.random.default_rng(11)
    policy = POLICIES[name]()
    for goal in PrimaryMetricGoal:
        runs = {f"r{i}": make_run(rng, int(rng.integers(1, 30))) for i in range(300)}
        history = CurveHistory(goal)
        for i, (run, values) in enumerate(runs.items()):
            history.add(run, values, list(range(i, i + len(values))))
            history.set_running(run, True)
        for run in runs:
            if rng.random() < 0.7:
                history.set_running(run, False)
        assert len(history.log) > 600
        decisions = policy.evaluate_history(history)
        assert decisions == policy.evaluate(history.curves(), goal)
        for decision in decisions:
            history.set_running(decision.run_id, False)
        assert policy.evaluate_history(history) == policy.evaluate(history.curves(), goal)


def test_running_averages_and_bests_match_the_table() -> None:
    from hdnotebook.policy.curves import CurveHistory
    from hdnotebook.policy.table import CurveTable

    rng = np.random.default_rng(5)
    curves = [RunCurve(f"r{i}", tuple(make_run(rng, 40)), True) for i in range(30)]
    for goal in PrimaryMetricGoal:
        table, history = CurveTable(curves, goal, 40), CurveHistory.from_curves(curves, goal)
        for name in ("best", "mean"):
            expected = getattr(table, name)
            got = np.array(getattr(history, name))
            assert np.array_equal(np.isnan(expected), np.isnan(got)) and (expected[~np.isnan(expected)] == got[~np.isnan(got)]).all()


def test_a_custom_policy_gets_the_curves_and_a_subclass_rule_is_kept() -> None:
    from hdnotebook.policy.curves import CurveHistory

    class Lowest(EarlyTerminationPolicy):
        def evaluate(self, curves, goal):
            running = [c for c in curves if c.running]
            low = min(running, key=lambda c: c.values[-1], default=None)
            return [] if low is None else [Termination(low.run_id, "Lowest", len(low.values), low.values[-1], None, "lowest")]

    class Stricter(BanditPolicy):
        def _judge(self, table, interval, rows):
            return [table.stop(self.name, int(row), interval, table.best[row, interval - 1], None, "strict") for row in rows]

    history = CurveHistory("maximize")
    for run, values in {"a": [0.5, 0.6], "b": [0.4, 0.7], "c": [0.1, 0.2]}.items():
        history.add(run, values, [1, 2])
        history.set_running(run, run != "b")
    assert [t.run_id for t in Lowest("Lowest").evaluate_history(history)] == ["c"]
    assert [t.reason for t in Stricter(1, slack_factor=0.1).evaluate_history(history)] == ["strict", "strict"]


def record() -> None:
    """Print RECORDED for the code on sys.path (run it with main's code before the incremental path)."""
    print("RECORDED = {")
    for name, make in POLICIES.items():
        print(f"    {name!r}: {[digest(play(seed, by_list(make()))) for seed in SEEDS]!r},")
    print("}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        raise SystemExit("usage: python tests/policy/test_policy_incremental.py --record")
