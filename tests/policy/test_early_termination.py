"""Early termination in real sweeps: real child processes log scripted curves, the policy stops the right ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from hdnotebook import (
    ASHAPolicy,
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveRun,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    choice,
    replay,
)
from tests import curves as scripted_curves
from tests.conftest import seconds_of


def sweep(experiment: Experiment, policy, values: list[str], goal: str = "maximize", concurrent: int = 1,
          metric: str = "accuracy") -> tuple[HyperDriveRun, list]:
    """Run one child per curve (grid order = the order of ``values``); returns the sweep and its children."""
    space = {"values": choice(*values), "metric": choice(metric)}
    config = HyperDriveConfig(run_config=scripted_curves.scripted, hyperparameter_sampling=GridParameterSampling(space),
                              primary_metric_name=metric, primary_metric_goal=goal, max_total_runs=len(values),
                              max_concurrent_runs=concurrent, policy=policy)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    return run, run.get_children()


def statuses(children: list) -> list[str]:
    return [c.get_status() for c in children]


def sweep_log(run: HyperDriveRun) -> str:
    return Path(run.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()


def test_bandit_cancels_the_run_that_falls_behind_within_a_second(experiment: Experiment, capsys) -> None:
    values = ["0.5,0.6,0.7,0.8,0.9,0.9", "0.85*40", "0.5,0.6,0.7,0.75,0.8*196", "0.5,0.6,0.7,0.8,0.83*8"]
    policy = BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=5)
    run, (leader, steady, bad, good) = sweep(experiment, policy, values, concurrent=2)
    assert statuses([leader, steady, bad, good]) == ["Completed", "Completed", "Canceled", "Completed"]
    reason = bad.get_details()["terminationReason"]
    assert reason == {"run_id": bad.id, "policy": "Bandit", "interval": 5, "value": 0.8,
                      "threshold": pytest.approx(0.9 / 1.1),
                      "reason": "best 0.8 at interval 5 is below the Bandit cutoff 0.8182 (leader 0.9, slack_factor 0.1)"}
    logged = bad.get_metrics()["accuracy"]
    assert logged[:5] == [0.5, 0.6, 0.7, 0.75, 0.8], "what it logged before it was stopped stays"
    fell_behind = bad._need_store().metric_rows_for([bad.id], "accuracy")[bad.id][4].time
    assert seconds_of(bad.get_details()["endTimeUtc"]) - fell_behind < 1.0, "stopped within 1 s of falling behind"
    assert len(logged) < 25
    assert all("terminationReason" not in c.get_details() for c in (leader, steady, good))
    line = f"Early termination of {bad.id} by Bandit at interval 5: best 0.8 at interval 5 is below the Bandit cutoff 0.8182"
    assert line in sweep_log(run)
    run.wait_for_completion(show_output="log")
    assert f"Early termination of {bad.id} by Bandit at interval 5" in capsys.readouterr().out

    again = replay(policy, run, concurrency=2)
    assert again.goal.name == "MAXIMIZE" and again.epochs_without == 6 + 40 + len(logged) + 12
    assert again.stop_intervals[bad.id] == (None,), "a run stopped in the sweep replays as ending where it stopped"
    assert replay(NoTerminationPolicy(), run).saved == 0.0
    stricter = replay(BanditPolicy(slack_amount=0.01, delay_evaluation=5), run, concurrency=2)
    assert stricter.stop_intervals == {leader.id: (None,), steady.id: (5,), bad.id: (None,), good.id: (5,)}


def test_median_stopping_reference_example_in_a_real_sweep(experiment: Experiment) -> None:
    values = [".5,.6,.7", ".4,.5,.55", ".3,.45,.5", ".2,.3,.35,.4*100"]
    run, children = sweep(experiment, MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=3), values)
    assert statuses(children) == ["Completed", "Completed", "Completed", "Canceled"]
    reason = children[3].get_details()["terminationReason"]
    assert (reason["policy"], reason["interval"], reason["value"]) == ("MedianStopping", 3, 0.35)
    assert reason["threshold"] == pytest.approx(0.45)
    assert len(children[3].get_metrics()["accuracy"]) < 25


def test_truncation_selection_minimize(experiment: Experiment) -> None:
    values = ["1.0*4", "0.8*4", "0.6*4", "0.4*4", "2.0*100"]
    policy = TruncationSelectionPolicy(20, evaluation_interval=1, delay_evaluation=2)
    run, children = sweep(experiment, policy, values, goal="minimize", metric="loss")
    assert statuses(children) == ["Completed"] * 4 + ["Canceled"]
    reason = children[4].get_details()["terminationReason"]
    assert (reason["interval"], reason["value"], reason["threshold"]) == (2, 2.0, 1.0)
    assert reason["reason"] == "best 2 at interval 2 ranks 5 of 5 runs, in the worst 20% (1 run): above the cutoff 1"


def test_asha_promotes_as_results_arrive(experiment: Experiment) -> None:
    values = ["0.5,0.6,0.7,0.8,0.8*6", "0.5,0.55,0.9*50", "0.6,0.7,0.8,0.9*7"]
    run, children = sweep(experiment, ASHAPolicy(min_interval=2, reduction_factor=2), values)
    assert statuses(children) == ["Completed", "Canceled", "Completed"]
    reason = children[1].get_details()["terminationReason"]
    assert (reason["policy"], reason["interval"], reason["value"], reason["threshold"]) == ("ASHA", 2, 0.55, 0.6)
    assert f"Early termination of {children[1].id} by ASHA at interval 2" in sweep_log(run)


def test_nan_and_string_values_follow_the_rule_and_never_break_the_loop(experiment: Experiment) -> None:
    values = ["0.9*3", "nan,diverged,nan*60", "0.88,oops,0.89,0.9"]
    run, (steady, nan_run, with_text) = sweep(experiment, BanditPolicy(slack_factor=0.1), values)
    assert statuses([steady, nan_run, with_text]) == ["Completed", "Canceled", "Completed"]
    reason = nan_run.get_details()["terminationReason"]
    assert reason["value"] is None and reason["interval"] == 1, "the record stays standard JSON"
    assert reason["reason"].startswith("no finite value in its first 1 intervals; the Bandit cutoff 0.8182")
    assert with_text.get_metrics()["accuracy"] == [0.88, "oops", 0.89, 0.9]
