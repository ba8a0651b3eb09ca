"""Function children: a callable run in a separate (reused) worker process, values as keyword arguments."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hdnotebook import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    RandomParameterSampling,
    UserErrorException,
    choice,
    uniform,
)
from tests import children


def config_for(fn, space, sampling=GridParameterSampling, **kwargs) -> HyperDriveConfig:
    options = dict(primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=4, max_concurrent_runs=2)
    options.update(kwargs)
    return HyperDriveConfig(run_config=fn, hyperparameter_sampling=sampling(space), **options)


def test_function_from_a_module_gets_values_as_keywords(experiment: Experiment, tmp_path: Path) -> None:
    run = experiment.submit(config_for(children.quadratic, {"--x": choice(0, 1, 2), "y": choice(0.5)}, max_total_runs=3))
    assert run.wait_for_completion()["status"] == "Completed"
    metrics = run.get_metrics()
    assert [metrics[c.id]["score"] for c in run.get_children()] == [[-1.25] * 3, [-0.25] * 3, [-1.25] * 3]
    assert all(m["cwd"] == str(tmp_path) for m in metrics.values()), "children run in the parent's working folder"
    assert all(m["pid"] != os.getpid() for m in metrics.values()), "children run in other processes"
    assert run.get_best_run_by_primary_metric().id == f"{run.id}_1"
    assert run.get_children()[0].get_details()["runDefinition"]["kwargs"] == {"x": 0, "y": 0.5}
    assert run.get_children()[0].get_details()["target"] == "local"


def test_worker_processes_are_reused(experiment: Experiment) -> None:
    run = experiment.submit(config_for(children.quadratic, {"x": choice(*range(8))}, max_total_runs=8, max_concurrent_runs=2))
    run.wait_for_completion()
    pids = {m["pid"] for m in run.get_metrics().values()}
    assert len(pids) <= 2


def test_function_defined_in_main_is_sent_by_value(experiment: Experiment, tmp_path: Path) -> None:
    namespace: dict = {"__name__": "__main__"}
    exec(textwrap.dedent("""
        import math
        from hdnotebook import Run
        OFFSET = 10
        def train(lr, depth):
            run = Run.get_context()
            run.log("score", OFFSET + math.log10(lr) * depth)
    """), namespace)
    run = experiment.submit(config_for(namespace["train"], {"--lr": choice(0.1, 0.01), "--depth": choice(2)}, max_total_runs=2))
    run.wait_for_completion()
    assert [m["score"] for m in run.get_metrics().values()] == pytest.approx([8.0, 6.0])


def test_function_from_a_module_in_the_working_folder(experiment: Experiment, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "mymodel.py").write_text("from hdnotebook import Run\ndef fit(c):\n    Run.get_context().log('score', c * 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import mymodel

    try:
        run = experiment.submit(config_for(mymodel.fit, {"c": choice(1, 2)}, max_total_runs=2))
        run.wait_for_completion()
        assert sorted(m["score"] for m in run.get_metrics().values()) == [2, 4]
    finally:
        sys.modules.pop("mymodel", None)


def test_raising_function_fails_its_run_with_the_traceback(experiment: Experiment) -> None:
    run = experiment.submit(config_for(children.failing, {"x": choice(1, 2, 3)}, primary_metric_name="x", max_total_runs=3))
    assert run.wait_for_completion()["status"] == "Completed"
    kids = run.get_children()
    assert [c.get_status() for c in kids] == ["Failed", "Completed", "Failed"]
    message = kids[0].get_details()["error"]["error"]["message"]
    assert message.startswith("Traceback") and message.endswith("ValueError: odd value 1")
    assert "worker.py" not in message
    assert kids[0].get_metrics() == {"x": 1}
    log = Path(kids[0].get_details()["logFiles"]["user_logs/std_log.txt"]).read_text()
    assert "ValueError: odd value 1" in log


def test_sweep_where_every_child_fails_is_failed(experiment: Experiment) -> None:
    run = experiment.submit(config_for(children.failing, {"x": choice(1, 3)}, primary_metric_name="x", max_total_runs=2))
    details = run.wait_for_completion(raise_on_error=False)
    assert details["status"] == "Failed"
    assert "All 2 child runs failed" in details["error"]["error"]["message"]


def test_cancel_stops_a_running_function_within_two_seconds(experiment: Experiment) -> None:
    run = experiment.submit(config_for(children.sleeper, {"seconds": choice(60, 61)}, primary_metric_name="started", max_total_runs=2))
    deadline = time.time() + 30
    while len([c for c in run.get_children() if c.get_metrics()]) < 2 and time.time() < deadline:
        time.sleep(0.05)
    started = time.time()
    run.cancel()
    assert time.time() - started < 2.0
    assert [c.get_status() for c in run.get_children()] == ["Canceled", "Canceled"]
    assert all("finished" not in c.get_metrics() for c in run.get_children())


def test_single_function_run(experiment: Experiment) -> None:
    import functools

    run = experiment.submit(functools.partial(children.quadratic, x=3, epochs=2))
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.get_metrics()["score"] == [-4, -4]
    assert run.type == "hdnotebook.function"


def test_unpicklable_function_is_rejected_at_submit(experiment: Experiment) -> None:
    import threading

    lock = threading.Lock()

    def train(x):
        with lock:
            pass

    with pytest.raises(UserErrorException, match="cannot be sent to a child process"):
        experiment.submit(config_for(train, {"x": choice(1)}, max_total_runs=1))


def test_random_sweep_of_functions_is_reproducible_with_a_seed(experiment: Experiment) -> None:
    def sampled(seed):
        cfg = config_for(children.quadratic, {"x": uniform(-2, 2)}, sampling=lambda s: RandomParameterSampling(s, seed=seed),
                         max_total_runs=3, max_concurrent_runs=3)
        run = experiment.submit(cfg)
        run.wait_for_completion()
        return [c.get_details()["runDefinition"]["kwargs"]["x"] for c in run.get_children()]

    assert sampled(7) == sampled(7)
    assert sampled(7) != sampled(8)


def test_a_notebook_function_and_its_captured_data_reach_each_worker_once(experiment: Experiment) -> None:
    namespace: dict = {"__name__": "__main__"}
    exec(textwrap.dedent("""
        import os
        from hdnotebook import Run
        DATA = bytearray(20_000_000)
        def train(i):
            run = Run.get_context()
            run.log("pid", os.getpid())
            run.log("data", id(DATA))
            run.log("score", len(DATA) + i)
    """), namespace)
    run = experiment.submit(config_for(namespace["train"], {"i": choice(*range(6))}, max_total_runs=6, max_concurrent_runs=2))
    assert run.wait_for_completion()["status"] == "Completed"
    seen: dict[int, set[int]] = {}
    for metrics in run.get_metrics().values():
        seen.setdefault(metrics["pid"], set()).add(metrics["data"])
    assert len(seen) <= 2 and all(len(ids) == 1 for ids in seen.values()), seen
