"""Warm start (resume_from) and resuming child runs (resume_child_runs), with real sweeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from hdnotebook import (
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveConfigException,
    PrimaryMetricGoal,
    Run,
    ScriptRunConfig,
    choice,
)
from tests import children


def sweep(experiment: Experiment, fn, space: dict, *, metric: str = "score", goal: str = "maximize", total: int = 10,
          wait: bool = True, **kwargs):
    config = HyperDriveConfig(run_config=fn, hyperparameter_sampling=GridParameterSampling(space), primary_metric_name=metric,
                              primary_metric_goal=goal, max_total_runs=total, **kwargs)
    run = experiment.submit(config)
    if wait:
        run.wait_for_completion(raise_on_error=False)
    return run


def config_error(**kwargs) -> str:
    options = dict(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                   primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=1)
    options.update(kwargs)
    with pytest.raises(HyperDriveConfigException) as info:
        HyperDriveConfig(**options)
    return str(info.value)


def test_warm_start_rules(experiment: Experiment) -> None:
    done = sweep(experiment, children.quadratic, {"x": choice(0, 1)})
    assert "Primary metric name should be the same for all runs. This sweep optimises 'loss'" in config_error(
        resume_from=done, primary_metric_name="loss")
    assert "Primary metric goal should be the same for all runs" in config_error(resume_from=done, primary_metric_goal="minimize")
    assert "at most 1000, got 1001" in config_error(resume_from=done, max_total_runs=991)
    assert config_error(resume_from=done.get_children()[0]).startswith("Expected type HyperDriveRun for resume_from")
    running = sweep(experiment, children.sleeper, {"seconds": choice(30)}, metric="started", total=1, wait=False)
    try:
        assert "Completed or Canceled" in config_error(resume_from=running)
    finally:
        running.cancel()
    interactive = experiment.start_logging()
    interactive.complete()
    assert "has no parent run" in config_error(resume_child_runs=interactive)
    live = experiment.start_logging()
    assert config_error(resume_child_runs=live) == ("All resume_child_runs should be in a terminal state. "
                                                    "Found a run with state 'Running'.")
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2,
                              resume_child_runs=done.get_children()[1])
    assert [p.id for p in config.warm_start_parents] == [done.id]


def test_grid_skips_what_a_parent_completed_and_best_run_spans_parents(experiment: Experiment) -> None:
    space = {"x": choice(0, 1, 2, 3)}
    first = sweep(experiment, children.quadratic, space, total=2)
    second = sweep(experiment, children.quadratic, space, resume_from=first)
    assert [c.get_details()["runDefinition"]["kwargs"]["x"] for c in second.get_children()] == [2, 3]
    assert second.get_best_run_by_primary_metric().id == f"{first.id}_1", "x=1 (score 0) was found by the parent"
    assert second.get_best_run_by_primary_metric(include_resume_from_runs=False).id == f"{second.id}_0"
    assert second.warm_start_parents() == [first]
    assert second.get_properties()["resume_from"] == f'["{first.id}"]'


def test_policies_compare_with_the_parents_runs(experiment: Experiment) -> None:
    good = sweep(experiment, children.curve, {"values": choice("1,1,1,1,1,1")}, metric="loss", goal="minimize", total=1)
    slow = "5," * 40 + "5"
    policy = BanditPolicy(1, slack_amount=1.0, delay_evaluation=2)
    alone = sweep(experiment, children.curve, {"values": choice(slow)}, metric="loss", goal="minimize", total=1, policy=policy)
    assert alone.get_children()[0].get_status() == "Completed", "alone, a run is its own leader"
    warm = sweep(experiment, children.curve, {"values": choice(slow)}, metric="loss", goal="minimize", total=1, policy=policy,
                 resume_from=good)
    stopped = warm.get_children()[0]
    assert stopped.get_status() == "Canceled"
    assert "leader 1" in stopped.get_details()["terminationReason"]["reason"]


def test_a_failed_function_child_resumes_from_its_checkpoint(experiment: Experiment) -> None:
    first = sweep(experiment, children.checkpointed, {"epochs": choice(6), "fail_at": choice(3)}, metric="loss",
                  goal="minimize", total=1)
    old = first.get_children()[0]
    assert old.get_status() == "Failed" and old.get_metrics()["loss"] == pytest.approx([1, 1 / 2, 1 / 3])
    second = sweep(experiment, children.checkpointed, {"epochs": choice(6), "fail_at": choice(3)}, metric="loss",
                   goal="minimize", total=1, resume_child_runs=old)
    resumed = second.get_children()[0]
    assert resumed.get_properties()["resumed_from"] == old.id
    assert resumed.get_details()["runDefinition"]["kwargs"] == {"epochs": 6, "fail_at": 3}
    metrics = resumed.get_metrics()
    assert metrics["started_at"] == [0, 3], "the old run's metrics come first, then the resumed run's"
    assert metrics["loss"] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6]), "the interval count carries on"
    assert resumed.get_status() == "Completed"
    assert Path(resumed.resume_from, "ckpt.txt").read_text() == "3"
    assert resumed.get_file_names() == ["outputs/ckpt.txt", "user_logs/std_log.txt"]


def test_a_grid_with_a_resumed_child_of_another_sweep_still_runs_every_point_from_the_first(experiment: Experiment) -> None:
    """The resumed child was not sampled by this sweep: it does not move the grid's position (before, the grid
    started one point in and ran the resumed child's configuration twice)."""
    space = {"epochs": choice(5), "fail_at": choice(2)}
    old = sweep(experiment, children.checkpointed, space, metric="loss", goal="minimize", total=1).get_children()[0]
    assert old.get_status() == "Failed"
    second = sweep(experiment, children.checkpointed, {"epochs": choice(3, 4, 5), "fail_at": choice(2)}, metric="loss",
                   goal="minimize", total=3, max_concurrent_runs=1, resume_child_runs=old)
    kwargs = [c.get_details()["runDefinition"]["kwargs"] for c in second.get_children()]
    assert [k["epochs"] for k in kwargs] == [5, 3, 4], "the resumed run first, then the grid from its first point"
    assert second.get_children()[0].get_status() == "Completed"


def test_a_new_child_after_a_resumed_one_in_the_same_worker_resumes_nothing(experiment: Experiment) -> None:
    first = sweep(experiment, children.reports_resume, {"epochs": choice(3), "fail_at": choice(2)}, metric="loss",
                  goal="minimize", total=1)
    old = first.get_children()[0]
    second = sweep(experiment, children.reports_resume, {"epochs": choice(3, 4), "fail_at": choice(2)}, metric="loss",
                   goal="minimize", total=2, max_concurrent_runs=1, resume_child_runs=old)
    resumed, new = second.get_children()
    assert resumed.get_metrics()["context_resume"] == ["None", resumed.resume_from], "the old run's value, then its own"
    assert new.resume_from is None and new.get_metrics()["context_resume"] == "None"


def test_a_script_child_resumes_with_resume_from_argument(experiment: Experiment, write_script) -> None:
    src = write_script(children.RESUMABLE_SCRIPT)
    config = dict(hyperparameter_sampling=GridParameterSampling({"--epochs": choice(4)}), primary_metric_name="loss",
                  primary_metric_goal=PrimaryMetricGoal.MINIMIZE, max_total_runs=1)
    first = experiment.submit(HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"), **config))
    first.wait_for_completion(raise_on_error=False)
    old = first.get_children()[0]
    assert old.get_status() == "Failed"
    second = experiment.submit(HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"), resume_child_runs=[old], **config))
    second.wait_for_completion()
    resumed: Run = second.get_children()[0]
    arguments = resumed.get_details()["runDefinition"]["arguments"]
    assert arguments[:2] == ["--epochs", "4"] and arguments[2] == "--resume-from"
    assert resumed.get_status() == "Completed"
    assert resumed.get_metrics()["loss"] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])


def test_the_widget_shows_the_parents_runs_and_what_a_run_resumes(experiment: Experiment) -> None:
    from hdnotebook.widget.tracker import SweepTracker

    first = sweep(experiment, children.checkpointed, {"epochs": choice(4), "fail_at": choice(2)}, metric="loss",
                  goal="minimize", total=1)
    old = first.get_children()[0]
    second = sweep(experiment, children.checkpointed, {"epochs": choice(4), "fail_at": choice(2)}, metric="loss",
                   goal="minimize", total=1, resume_child_runs=old)
    snapshot = SweepTracker(second).snapshot()
    rows = {r["id"]: r for r in snapshot["runs"]}
    assert rows[old.id]["inherited"] == first.id and rows[old.id]["count"] == 2
    new = second.get_children()[0].id
    assert rows[new]["resumes"] == old.id and not rows[new].get("inherited")
    assert snapshot["curves"]["loss"][old.id] == [1, 0.5]
    assert snapshot["curves"]["loss"][new] == pytest.approx([1, 0.5, 1 / 3, 0.25])


def test_bayesian_sampling_learns_from_the_parents_runs(experiment: Experiment) -> None:
    from hdnotebook import BayesianParameterSampling, uniform
    from hdnotebook.sampling import SamplingHistory, TrialRecord
    from hdnotebook.sampling.space import fits_space

    space = {"x": uniform(-5, 5), "y": uniform(-5, 5)}
    parents = tuple(TrialRecord({"x": x, "y": y}, "Completed", -((x - 1) ** 2) - (y + 2) ** 2)
                    for x in (-4, -1.5, 1, 3.5) for y in (-4, -2, 0, 3))
    outside = TrialRecord({"x": 9.0, "y": 0.0}, "Completed", -500.0)
    assert not fits_space(space, outside.params) and fits_space(space, parents[0].params)
    sampler = BayesianParameterSampling(space, seed=3)
    cold = sampler.suggest(SamplingHistory(trials=()), 1)[0]
    warm = sampler.suggest(SamplingHistory(trials=(), prior=(*parents, outside)), 1)[0]
    distance = lambda c: ((c["x"] - 1) ** 2 + (c["y"] + 2) ** 2) ** 0.5  # noqa: E731
    assert distance(warm) < 1.5, f"with 16 prior observations the first suggestion is near the optimum: {warm}"
    assert warm != cold, "without a prior the first suggestion is a quasi-random start"


def test_the_sweep_log_counts_parent_runs_outside_the_new_space(experiment: Experiment) -> None:
    first = sweep(experiment, children.quadratic, {"x": choice(0, 1, 5)})
    second = sweep(experiment, children.quadratic, {"x": choice(0, 1, 2)}, total=1, resume_from=first)
    log = Path(second.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()
    assert "1 of 3 parent runs fall outside the new space" in log
