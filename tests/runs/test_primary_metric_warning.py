"""A primary metric that no child logs (children log "acc", the sweep waits for "accuracy") is not silent:
one line in the sweep log, a sweep property, the widget header's warning, and a UserWarning in the notebook."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, Run, choice
from hdnotebook.widget.tracker import SweepTracker


def logs_acc(lr: float) -> None:
    """Logs ``acc`` and ``loss``, never ``accuracy``."""
    run = Run.get_context()
    for k in range(3):
        run.log("acc", lr * k)
        run.log("loss", 1 / (k + 1))


def logs_accuracy_if_large(lr: float) -> None:
    """Logs ``acc``; only the children with lr >= 0.2 also log ``accuracy`` (the first child does not)."""
    run = Run.get_context()
    run.log("acc", lr)
    if lr >= 0.2:
        run.log("accuracy", lr)


def _sweep(experiment: Experiment, fn, metric: str = "accuracy", runs: int = 3):
    config = HyperDriveConfig(run_config=fn, hyperparameter_sampling=GridParameterSampling({"lr": choice(0.1, 0.2, 0.3)}),
                              primary_metric_name=metric, primary_metric_goal="maximize", max_total_runs=runs,
                              max_concurrent_runs=1)
    return experiment.submit(config)


def _log(run) -> str:
    return Path(run.get_details()["logFiles"]["azureml-logs/hyperdrive.txt"]).read_text()


def test_a_primary_metric_no_child_logs_is_warned_about_everywhere(experiment: Experiment) -> None:
    run = _sweep(experiment, logs_acc)
    with pytest.warns(UserWarning, match="primary metric 'accuracy'.*'acc', 'loss'") as caught:
        assert run.wait_for_completion()["status"] == "Completed"
    assert len([w for w in caught if issubclass(w.category, UserWarning)]) == 1
    assert caught[0].filename == __file__, "the warning points at the caller's line"

    lines = [line for line in _log(run).splitlines() if "[WARNING]" in line]
    assert len(lines) == 1, "one warning line however many children complete without it"
    assert ("A child run completed without logging the primary metric 'accuracy' and no child has logged it so far; "
            "the children logged 'acc', 'loss'.") in lines[0]

    message = run.get_properties()["primary_metric_warning"]
    assert message in lines[0]
    assert SweepTracker(run).snapshot()["run"]["warning"] == message

    with pytest.warns(UserWarning, match="primary metric 'accuracy'"):
        assert run.get_best_run_by_primary_metric() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.wait_for_completion()  # once per sweep
        assert run.get_best_run_by_primary_metric() is None


def test_no_notebook_warning_once_a_later_child_logs_the_primary_metric(experiment: Experiment) -> None:
    run = _sweep(experiment, logs_accuracy_if_large)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run.wait_for_completion()["status"] == "Completed"
        assert run.get_best_run_by_primary_metric().id == f"{run.id}_2"
    # the log says what was true when the first child completed (the header hides it once a run has a best value)
    assert len([line for line in _log(run).splitlines() if "[WARNING]" in line]) == 1
    assert "the children logged 'acc'." in run.get_properties()["primary_metric_warning"]


def test_no_warning_when_the_children_log_the_primary_metric(experiment: Experiment) -> None:
    run = _sweep(experiment, logs_acc, metric="acc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.wait_for_completion()
        assert run.get_best_run_by_primary_metric() is not None
    assert "[WARNING]" not in _log(run)
