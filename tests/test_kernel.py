"""In a real Jupyter kernel: submit returns at once, other cells run meanwhile, a blocking wait prints progress."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from tests.conftest import python_env


@pytest.fixture
def kernel(tmp_path: Path):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=python_env())
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client, code: str, timeout: float = 120) -> tuple[str, list[str]]:
    """Run a cell; returns (stdout text, error tracebacks)."""
    msg_id = client.execute(textwrap.dedent(code))
    out, errors = [], []
    deadline = time.time() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            errors.append("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), errors


def test_sweep_runs_in_the_background_of_a_kernel(kernel) -> None:
    out, errors = execute(kernel, """
        import time
        from hdnotebook import *
        from tests.children import sleeper
        ws = Workspace.from_config()
        config = HyperDriveConfig(run_config=sleeper, hyperparameter_sampling=GridParameterSampling({"seconds": choice(1.5, 1.6, 1.7)}),
                                  primary_metric_name="started", primary_metric_goal="maximize", max_total_runs=3, max_concurrent_runs=2)
        t0 = time.time()
        run = Experiment(ws, "kernel").submit(config)
        print(f"submitted in {time.time() - t0:.3f} s")
    """)
    assert not errors, errors
    assert float(out.split()[2]) < 1.0
    out, errors = execute(kernel, "print(run.get_status(), 6 * 7)")
    assert not errors and out.strip() in {"Running 42", "NotStarted 42"}, "another cell ran while the sweep was running"
    out, errors = execute(kernel, "details = run.wait_for_completion(show_output='log')\nprint(details['status'])")
    assert not errors, errors
    assert out.startswith("RunId: HD_")
    assert "Streaming azureml-logs/hyperdrive.txt" in out
    assert "[SCHEDULER][INFO]Scheduling job" in out and "<START>" not in out
    assert "[CONTROLLER][INFO]Job HD_" in out
    assert "Execution Summary" in out
    assert out.strip().endswith("Completed")


def test_run_details_shows_a_summary_in_the_kernel(kernel) -> None:
    out, errors = execute(kernel, """
        from hdnotebook import *
        from tests.children import quadratic
        ws = Workspace.from_config()
        config = HyperDriveConfig(run_config=quadratic, hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1)}),
                                  primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2)
        run = Experiment(ws, "kernel").submit(config)
        run.wait_for_completion()
        print(RunDetails(run)._repr_mimebundle_()["text/plain"])
    """)
    assert not errors, errors
    assert "Completed 2" in out and "best score 0" in out


def execute_messages(client, code: str, timeout: float = 120) -> list[tuple[float, str, dict]]:
    """Run a cell; returns its iopub messages as (arrival time, type, content), up to the idle status."""
    msg_id = client.execute(textwrap.dedent(code))
    messages = []
    deadline = time.time() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append((time.time(), msg["msg_type"], msg["content"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


@pytest.mark.timeout(180)
def test_wait_shows_one_progress_line_updated_while_the_cell_blocks(kernel) -> None:
    out, errors = execute(kernel, """
        from hdnotebook import *
        from tests.children import quadratic
        config = HyperDriveConfig(run_config=quadratic,
                                  hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 2, 3, 4, 5), "sleep": choice(0.3)}),
                                  primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=6, max_concurrent_runs=2)
        run = Experiment(Workspace.from_config(), "kernel").submit(config)
        print(run.id)
    """)
    assert not errors, errors
    run_id = out.strip()
    messages = execute_messages(kernel, "details = run.wait_for_completion(show_output=True)\nprint(details['status'])")
    kinds = [kind for _, kind, _ in messages]
    assert "error" not in kinds, messages
    shown = [(t, c) for t, kind, c in messages if kind == "display_data"]
    updates = [(t, c) for t, kind, c in messages if kind == "update_display_data"]
    assert len(shown) == 1, "one display, then updates of it"
    display_id = shown[0][1]["transient"]["display_id"]
    assert len(updates) >= 3 and all(c["transient"]["display_id"] == display_id for _, c in updates)
    ended = next(t for t, kind, _ in messages if kind == "stream")
    assert updates[0][0] < ended - 1.0, "updates arrived while the cell was blocked, not at its end"
    lines = [shown[0][1]["data"]["text/plain"]] + [c["data"]["text/plain"] for _, c in updates]
    assert all(line.startswith(f"{run_id}: ") for line in lines)
    assert any("Running | " in line and " running | " in line for line in lines)
    assert lines[-1].startswith(f"{run_id}: Completed | 6/6 done, 0 running | best score 0 (run 1) | 0:00:")
    assert '<progress value="6" max="6"' in updates[-1][1]["data"]["text/html"]
    streamed = "".join(c["text"] for _, kind, c in messages if kind == "stream")
    assert streamed == "Completed\n", "no log lines: the sweep log stays in its file"
