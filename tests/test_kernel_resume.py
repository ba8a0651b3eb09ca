"""A real Jupyter kernel restarted mid-sweep (jupyter_client's restart_kernel); the new kernel resumes the sweep."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from hdnotebook import status as st
from hdnotebook._engine.store import Store
from tests.conftest import python_env
from tests.test_kernel import execute, execute_messages

SUBMIT = """
from hdnotebook import *

def train(x, resume_from=None):
    import time
    run = Run.get_context()
    for i in range(6):
        run.log("acc", x + i / 10)
        time.sleep(0.3)

config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling({"x": choice(*range(1, 9))}, seed=3),
                          primary_metric_name="acc", primary_metric_goal="maximize", max_total_runs=6, max_concurrent_runs=2,
                          custom_run_id="HD_kernel")
run = Experiment(Workspace("."), "kernel").submit(config)
"""

RESUME = """
import json, os
from hdnotebook import Experiment, HyperDriveRun, Workspace
from hdnotebook.widgets import RunDetails
run = HyperDriveRun(Experiment(Workspace("."), "kernel"), "HD_kernel")
before = run.get_status()
RunDetails(run).show()  # shown on the dead sweep: it goes live again, and its static view ends final
run.resume()
during = run.get_status()
run.wait_for_completion()
print(json.dumps({"before": before, "during": during, "after": run.get_status(), "pid": os.getpid()}))
"""


@pytest.mark.timeout(300)
def test_a_sweep_continues_in_the_kernel_that_a_restart_started(tmp_path: Path) -> None:
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=python_env())
    try:
        out, errors = execute(client, SUBMIT + "\nimport os; print(os.getpid())")
        assert not errors, errors
        first_pid = int(out.split()[-1])
        store = Store(tmp_path / ".hdnotebook")
        deadline = time.monotonic() + 90
        while True:
            assert time.monotonic() < deadline, "the sweep did not get under way in the kernel"
            children = store.list_runs(parent_id="HD_kernel")
            if sum(c.status == st.COMPLETED for c in children) >= 2 and any(c.status == st.RUNNING for c in children):
                break
            time.sleep(0.05)
        manager.restart_kernel(now=True)
        client.wait_for_ready(timeout=60)
        messages = execute_messages(client, RESUME, timeout=180)
        assert not [c for _, kind, c in messages if kind == "error"]
        out = "".join(c["text"] for _, kind, c in messages if kind == "stream")
        result = json.loads(out.strip().splitlines()[-1])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    static = [c for _, kind, c in messages if kind == "display_data" and "text/html" in c["data"]]
    assert len(static) == 1 and "HD_kernel: Failed" in static[0]["data"]["text/plain"]
    static_id = static[0]["transient"]["display_id"]
    updates = [c["data"]["text/plain"] for _, kind, c in messages
               if kind == "update_display_data" and c["transient"]["display_id"] == static_id]
    assert updates and "HD_kernel: Completed" in updates[-1], "the static view of the revived RunDetails ends final"
    assert result["pid"] != first_pid, "the sweep was resumed by the new kernel"
    assert (result["before"], result["during"], result["after"]) == (st.FAILED, st.RUNNING, st.COMPLETED)
    children = store.list_runs(parent_id="HD_kernel")
    lost = [c for c in children if ((c.error or {}).get("error") or {}).get("code") == "DriverLost"]
    assert lost, "the restart interrupted children"
    reruns = store.children_property("HD_kernel", "resumed_from")
    assert sorted(reruns.values()) == sorted(c.run_id for c in lost)
    assert len(children) - len(lost) == 6 and all(c.status == st.COMPLETED for c in children if c not in lost)
    sampled = [c.hyperparameters["x"] for c in children if c.run_id not in reruns]
    assert len(set(sampled)) == len(sampled) == 6
