"""The tuning loop: the policy hook, exhaustion of the space, and cancel requests from another process."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from hdnotebook import (
    EarlyTerminationPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveRun,
    PrimaryMetricGoal,
    Workspace,
    choice,
)
from hdnotebook.policy import RunCurve, Termination
from tests import children
from tests.conftest import PYTHON, python_env, seconds_of
from tests.runs.test_persistence import DRIVER


class StopAboveAfterThree(EarlyTerminationPolicy):
    """A test policy: stops any running run whose third loss value is above 5; records what it saw."""

    def __init__(self) -> None:
        super().__init__("StopAboveAfterThree", {})
        self.seen: list[tuple[RunCurve, ...]] = []

    def evaluate(self, curves, goal):
        self.seen.append(tuple(curves))
        return [Termination(c.run_id, "StopAboveAfterThree", 3, c.values[2], 5.0, "loss above 5 at interval 3")
                for c in curves if c.running and len(c.values) >= 3 and c.values[2] > 5]


def test_policy_is_asked_as_metrics_arrive_and_its_decision_is_carried_out(experiment: Experiment) -> None:
    policy = StopAboveAfterThree()
    space = {"values": choice("1,1,1,1,1", "9,9,9," + ",".join(["9"] * 40), "2,2,2,2,2")}
    config = HyperDriveConfig(run_config=children.curve, hyperparameter_sampling=GridParameterSampling(space),
                              primary_metric_name="loss", primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
                              max_total_runs=3, max_concurrent_runs=3, policy=policy)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    good, bad, other = run.get_children()
    assert (good.get_status(), bad.get_status(), other.get_status()) == ("Completed", "Canceled", "Completed")
    assert len(bad.get_metrics()["loss"]) < 20, "stopped soon after interval 3, not at the end of its 43 values"
    assert bad.get_details()["terminationReason"] == {
        "run_id": bad.id, "policy": "StopAboveAfterThree", "interval": 3, "value": 9.0, "threshold": 5.0,
        "reason": "loss above 5 at interval 3",
    }
    assert len(policy.seen) >= 3, "the policy is evaluated as values arrive"
    assert all(isinstance(c, RunCurve) for seen in policy.seen for c in seen)
    log = Path(run.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()
    assert f"Early termination of {bad.id} by StopAboveAfterThree at interval 3" in log
    assert run.get_best_run_by_primary_metric().id == good.id


def test_grid_space_smaller_than_the_budget_ends_when_exhausted(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1, 2, 3)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=10, max_concurrent_runs=4)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    assert len(run.get_children()) == 3
    assert "All jobs generated" in Path(run.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()


def test_cancel_from_another_process_reaches_the_driving_process(tmp_path: Path) -> None:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    proc = subprocess.Popen([PYTHON, str(script), str(tmp_path / "ws"), "kill"], stdout=subprocess.PIPE, text=True,
                            env=python_env(), cwd=str(Path(__file__).resolve().parents[2]))
    try:
        run_id = proc.stdout.readline().strip()
        assert proc.stdout.readline().strip() == "started"
        run = HyperDriveRun(Experiment(Workspace(tmp_path / "ws"), "persist"), run_id)
        assert run.cancel() is True
        deadline = time.time() + 10
        while run.get_status() != "Canceled" and time.time() < deadline:
            time.sleep(0.05)
        assert run.get_status() == "Canceled"
        assert [c.get_status() for c in run.get_children()] == ["Canceled"]
        assert proc.poll() is None, "the driver was not killed: its own loop stopped the sweep"
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its pipes


def test_a_tie_for_the_best_value_goes_to_the_earlier_child_whatever_finished_first(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.ties, hyperparameter_sampling=GridParameterSampling({"order": choice(0, 1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2, max_concurrent_runs=2)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    first, second = run.get_children()
    assert seconds_of(second.get_details()["endTimeUtc"]) < seconds_of(first.get_details()["endTimeUtc"])
    assert run.get_best_run_by_primary_metric().id == first.id
    assert run.get_properties()["best_child_run_id"] == first.id


def test_one_unseeded_sampling_reused_for_two_sweeps_samples_afresh_and_a_seeded_one_repeats(experiment: Experiment) -> None:
    from hdnotebook import RandomParameterSampling, uniform

    def two_sweeps(sampling: RandomParameterSampling) -> list[tuple[str, list[float]]]:
        out = []
        for _ in range(2):
            config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=sampling, primary_metric_name="score",
                                      primary_metric_goal="maximize", max_total_runs=3, max_concurrent_runs=3)
            run = experiment.submit(config)
            run.wait_for_completion()
            out.append((run.get_properties()["sampling_seed"], [c.get_details()["runDefinition"]["kwargs"]["x"] for c in run.get_children()]))
        return out

    space = {"x": uniform(-5, 5)}
    unseeded = RandomParameterSampling(space)
    (seed_a, xs_a), (seed_b, xs_b) = two_sweeps(unseeded)
    assert seed_a != seed_b and xs_a != xs_b
    replay = two_sweeps(RandomParameterSampling(space, seed=int(seed_a)))
    assert replay == [(seed_a, xs_a)] * 2, "a recorded seed reproduces its sweep, every time"
