"""Whole sweeps on the in-process test executor (compute_target=InlineTarget()): the tuning loop's budgets,
concurrency limit, policy cancellations, cancel and time limit, in a fraction of a second per sweep.

These complement tests/test_scheduler.py, whose sweeps run real processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hdnotebook import (
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    RandomParameterSampling,
    choice,
    uniform,
)
from hdnotebook._engine.executors.inline import InlineTarget
from tests import children, inline_children
from tests.dask_cluster import wait_for


def sweep(run_config, space: dict, *, sampling=GridParameterSampling, total: int, concurrent: int,
          metric: str = "score", goal: str = "maximize", **kwargs) -> HyperDriveConfig:
    """A HyperDriveConfig whose children run on the in-process double."""
    return HyperDriveConfig(run_config=run_config, hyperparameter_sampling=sampling(space), primary_metric_name=metric,
                            primary_metric_goal=goal, max_total_runs=total, max_concurrent_runs=concurrent,
                            compute_target=InlineTarget(), **kwargs)


def sweep_log(run) -> str:
    return Path(run.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()


@pytest.mark.timeout(120)
def test_a_sweep_runs_its_whole_budget_and_finds_the_best_child(experiment: Experiment) -> None:
    run = experiment.submit(sweep(inline_children.scored, {"x": uniform(-2, 4)}, sampling=RandomParameterSampling,
                                  total=40, concurrent=8))
    assert run.wait_for_completion()["status"] == "Completed"
    kids = run.get_children()
    assert sorted(int(c.id.rsplit("_", 1)[1]) for c in kids) == list(range(40))
    assert {c.get_status() for c in kids} == {"Completed"}
    assert {c.get_details()["runDefinition"]["target"] for c in kids} == {"inline"}
    scores = {c.id: c.get_metrics()["score"] for c in kids}
    best = run.get_best_run_by_primary_metric()
    assert scores[best.id] == max(scores.values())
    assert run.get_properties()["best_child_run_id"] == best.id
    assert "Max number of jobs '40' reached" in sweep_log(run)


@pytest.mark.timeout(120)
def test_no_more_children_run_at_once_than_max_concurrent_runs(experiment: Experiment) -> None:
    inline_children.GAUGE.reset()
    run = experiment.submit(sweep(inline_children.occupying, {"x": choice(*range(12))}, total=12, concurrent=3))
    assert run.wait_for_completion()["status"] == "Completed"
    assert inline_children.GAUGE.peak == 3, "three at a time, never more"
    spans = [(c._record().start_time, c._record().end_time) for c in run.get_children()]
    assert len(spans) == 12
    for start, _ in spans:  # the store's times agree: at no child's start were more than 3 running
        assert sum(1 for s, e in spans if s <= start < e) <= 3


@pytest.mark.timeout(120)
def test_a_policy_cancels_the_children_it_terminates_and_lets_the_others_finish(experiment: Experiment) -> None:
    good, bad = ",".join(["1"] * 30), ",".join(["9"] * 30)
    policy = BanditPolicy(evaluation_interval=1, slack_amount=1.0, delay_evaluation=2)
    run = experiment.submit(sweep(children.curve, {"values": choice(good, bad, good)}, total=3, concurrent=3,
                                  metric="loss", goal="minimize", policy=policy))
    assert run.wait_for_completion()["status"] == "Completed"
    first, second, third = run.get_children()
    assert (first.get_status(), second.get_status(), third.get_status()) == ("Completed", "Canceled", "Completed")
    assert len(first.get_metrics()["loss"]) == 30
    assert len(second.get_metrics()["loss"]) < 30, "stopped at its next log, not at its end"
    reason = second.get_details()["terminationReason"]
    assert reason["policy"] == "Bandit" and reason["run_id"] == second.id
    assert f"Early termination of {second.id} by Bandit" in sweep_log(run)


@pytest.mark.timeout(120)
def test_cancel_stops_the_running_children_and_launches_no_more(experiment: Experiment) -> None:
    run = experiment.submit(sweep(inline_children.ticking, {"seconds": choice(30), "x": choice(*range(10))},
                                  total=10, concurrent=3))
    wait_for(lambda: [c.get_status() for c in run.get_children()] == ["Running"] * 3, 30)
    run.cancel()
    assert run.wait_for_completion()["status"] == "Canceled"
    kids = run.get_children()
    assert len(kids) == 3 and {c.get_status() for c in kids} == {"Canceled"}


@pytest.mark.timeout(120)
def test_max_duration_ends_the_sweep_and_cancels_its_children(experiment: Experiment) -> None:
    run = experiment.submit(sweep(inline_children.ticking, {"seconds": choice(60), "x": choice(1, 2)}, total=2,
                                  concurrent=2, max_duration_minutes=0.02))
    assert run.wait_for_completion()["status"] == "Canceled"
    assert {c.get_status() for c in run.get_children()} == {"Canceled"}
    assert "max_duration_minutes (0.02) reached" in sweep_log(run)


@pytest.mark.timeout(120)
def test_failed_children_keep_their_error_and_a_sweep_of_failures_fails(experiment: Experiment) -> None:
    mixed = experiment.submit(sweep(children.failing, {"x": choice(1, 2)}, total=2, concurrent=2, metric="x"))
    assert mixed.wait_for_completion()["status"] == "Completed"
    odd, even = mixed.get_children()
    assert (odd.get_status(), even.get_status()) == ("Failed", "Completed")
    assert "ValueError: odd value 1" in odd.get_details()["error"]["error"]["message"]
    assert odd.get_metrics()["x"] == 1, "what it logged before failing is kept"
    failed = experiment.submit(sweep(children.failing, {"x": choice(1, 3, 5)}, total=3, concurrent=3, metric="x"))
    details = failed.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    assert details["error"]["error"]["code"] == "AllChildRunsFailed"
    assert "ValueError: odd value" in json.dumps(details["error"])
