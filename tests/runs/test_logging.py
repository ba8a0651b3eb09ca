"""The library's own messages: the "hdnotebook" logger (a NullHandler, so the application decides), the sweep log's
lines mirrored to it, and the notice that a sweep still running at exit is canceled, as a warning."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, choice
from tests import children
from tests.conftest import PYTHON, REPO, python_env


def test_the_package_logger_has_a_null_handler() -> None:
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("hdnotebook").handlers)


@pytest.mark.timeout(120)
def test_sweep_log_lines_reach_the_hdnotebook_logger(experiment: Experiment, caplog: pytest.LogCaptureFixture) -> None:
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2)
    with caplog.at_level(logging.INFO, logger="hdnotebook"):
        run = experiment.submit(config)
        run.wait_for_completion()
    mine = [r for r in caplog.records if r.name == "hdnotebook.scheduler.sweep_log"]
    assert any(r.getMessage().startswith(f"{run.id} [SCHEDULER] Scheduling job, id='{run.id}_0'") for r in mine)
    assert all(r.levelno == logging.INFO for r in mine)


EXITS_EARLY = """
import sys
from hdnotebook import *
from tests.children import sleeper
config = HyperDriveConfig(run_config=sleeper, hyperparameter_sampling=GridParameterSampling({"seconds": choice(60)}),
                          primary_metric_name="started", primary_metric_goal="maximize", max_total_runs=1)
run = Experiment(Workspace(sys.argv[1]), "exit").submit(config)
print(run.id, flush=True)
"""


@pytest.mark.timeout(120)
def test_a_sweep_still_running_at_exit_is_canceled_with_a_warning(tmp_path: Path) -> None:
    script = tmp_path / "exits.py"
    script.write_text(EXITS_EARLY)
    done = subprocess.run([PYTHON, str(script), str(tmp_path / "ws")], capture_output=True, text=True, env=python_env(),
                          cwd=REPO, timeout=100)
    run_id = done.stdout.strip()
    assert f"RuntimeWarning: hdnotebook: {run_id} was still running when Python exited; canceling it." in done.stderr
    from hdnotebook import Workspace

    assert Workspace(tmp_path / "ws").get_run(run_id).get_status() == "Canceled"
