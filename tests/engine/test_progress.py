"""A sweep's progress line: the figures read from the store, the time left (the same as the widget's), and how
``wait_for_completion(show_output=True)`` shows the line in a terminal (rewritten with \\r) and in a pipe."""

from __future__ import annotations

import functools
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, choice
from hdnotebook._engine.progress import ChildState, ProgressReader, progress_line, time_left
from hdnotebook.exceptions import UserErrorException
from tests import children
from tests.conftest import PYTHON, REPO, python_env
from tests.widget.test_js_units import _eta, _row

CASES = [
    ({"status": "Running", "max_total": 4, "max_concurrent": 2},
     [_row("Completed", 0, 30, 30), _row("Canceled", 30, 35, 5), _row("Canceled", 35, 40, 5), _row("Running", 88, None, 12)]),
    ({"status": "Running", "max_total": 7, "max_concurrent": 2},
     [_row("Completed", 0, 30, 30), _row("Completed", 30, 60, 30), _row("Running", 88, None, 12), _row("Queued", None, None, 0)]),
    ({"status": "Running", "max_total": 2, "max_concurrent": 1}, [_row("Completed", 0, 30, 0), _row("Running", 90, None, 0)]),
    ({"status": "Running", "max_total": 9, "max_concurrent": 3},
     [_row("Completed", 0, 20, 10), _row("Completed", 5, 45, 10), _row("Failed", 10, 12, 1), _row("Running", 70, None, 3),
      _row("Running", 95, None, 0), _row("Queued", None, None, 0)]),
    ({"status": "Running", "max_total": 3, "max_concurrent": 1}, [_row("Running", 10, None, 4)]),
    ({"status": "Canceled", "max_total": 3, "max_concurrent": 1}, [_row("Completed", 0, 30, 3)]),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("run, rows", CASES)
def test_time_left_is_the_widgets_estimate(run: dict, rows: list[dict]) -> None:
    mine = time_left(run["status"], [ChildState(r["status"], r["start"], r["end"], r["count"]) for r in rows],
                     run["max_total"], run["max_concurrent"], now=100.0)
    widget = _eta(run, rows)
    assert mine == (None if widget is None else pytest.approx(widget))


@pytest.mark.timeout(120)
def test_the_reader_follows_a_sweep_and_ends_with_the_best_run(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.quadratic,
                              hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 3, 4), "sleep": choice(0.2)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=4, max_concurrent_runs=2)
    run = experiment.submit(config)
    reader = ProgressReader(run._need_store(), run.id)
    seen = [reader.read()]
    while run.get_status() != "Completed":
        seen.append(reader.read())
        time.sleep(0.1)
    last = reader.read()
    assert any(0 < p.done < 4 for p in seen), "read while the sweep ran"
    assert max(p.running for p in seen) <= 2
    assert (last.status, last.done, last.total, last.running, last.failed, last.time_left) == ("Completed", 4, 4, 0, 0, 0.0)
    best = run.get_best_run_by_primary_metric()
    assert (last.best_run_id, last.best_value, last.best_run_number) == (best.id, 0.0, 1)
    assert last.elapsed == pytest.approx(run._record().end_time - run._record().start_time)
    fresh = ProgressReader(run._need_store(), run.id).read(now=0)
    assert (fresh.counts, fresh.best_run_id, fresh.best_value) == (last.counts, last.best_run_id, last.best_value)
    recorded = ProgressReader(run._need_store(), run.id, per_child=False)
    assert recorded.read() == last and recorded.best_by_child == {best.id: 0.0}, "the properties the sweep recorded"
    line = progress_line(last)
    assert line.startswith(f"{run.id}: Completed | 4/4 done, 0 running | best score 0 (run 1) | 0:00:0")
    assert line.endswith(" elapsed")


def test_show_output_accepts_true_false_and_log_only(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(1)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=1)
    run = experiment.submit(config)
    with pytest.raises(UserErrorException, match="show_output to be True, False or 'log', got 'yes'"):
        run.wait_for_completion(show_output="yes")
    run.wait_for_completion()


SWEEP = """
import sys
from hdnotebook import *
from tests.children import quadratic
config = HyperDriveConfig(run_config=quadratic,
                          hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 2, 3, 4, 5), "sleep": choice(0.3)}),
                          primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=6, max_concurrent_runs=2)
run = Experiment(Workspace(sys.argv[1]), "progress").submit(config)
run.wait_for_completion(show_output=True)
print("done")
"""


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "sweep.py"
    script.write_text(SWEEP)
    return script


@pytest.mark.timeout(180)
def test_in_a_terminal_the_line_is_rewritten_in_place(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen([PYTHON, str(_script(tmp_path)), str(tmp_path / "ws")], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env=dict(python_env(), COLUMNS="300"), cwd=REPO)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, "no output for 120 s"
            try:
                data = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        os.close(master)
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its stderr pipe
    out = b"".join(chunks).decode()
    progress, _, rest = out.partition("\r\n")  # the terminal turns the final "\n" into "\r\n"
    assert rest == "done\r\n"
    frames = progress.split("\r")[1:]
    assert len(frames) >= 4, frames  # the line was redrawn as runs finished
    assert frames[-1].startswith("HD_") and "Completed | 6/6 done, 0 running | best score 0 (run 1)" in frames[-1]
    assert any("Running |" in f for f in frames)
    assert all(f.startswith("HD_") for f in frames)


@pytest.mark.timeout(180)
def test_in_a_pipe_a_line_is_printed_per_change_not_per_poll(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run([PYTHON, str(_script(tmp_path)), str(tmp_path / "ws")], capture_output=True, text=True,
                          env=python_env(), cwd=REPO, timeout=150)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "\r" not in done.stdout
    assert lines[-1] == "done"
    assert "| 6/6 done, 0 running | best score 0 (run 1) |" in lines[-2] and ": Completed |" in lines[-2]
    # polled every 0.5 s or less, but a line at most every 5 s (PLAIN_MIN_SECONDS), plus the last
    assert 2 <= len(lines) - 1 <= 2 + int(seconds / 5), (seconds, lines)


@pytest.mark.timeout(120)
def test_a_single_runs_show_output_still_prints_its_log(experiment: Experiment, capsys: pytest.CaptureFixture) -> None:
    run = experiment.submit(functools.partial(children.quadratic, x=1))
    run.wait_for_completion(show_output=True)
    out = capsys.readouterr().out
    assert out.startswith(f"RunId: {run.id}\n") and "Streaming user_logs/std_log.txt" in out
    assert out.rstrip().endswith(f"RunId: {run.id}\nWeb View: {Path(run._record().run_dir).as_uri()}")
