"""RunDetails answers the front end while a cell blocks: in a real kernel, comm messages sent to the widget
while `run.wait_for_completion()` (or any blocking code) runs are answered at once, and a sweep canceled
from the widget ends the blocking call with status Canceled."""

from __future__ import annotations

import json
import queue
import time

from tests.test_kernel import execute, kernel  # noqa: F401  (the kernel fixture)

SWEEP = """
    import json, time
    from hdnotebook import *
    from tests.children import curve
    ws = Workspace.from_config()
    space = {"values": choice(*[",".join(str(v / 10 + k) for v in range(60)) for k in range(6)]), "delay": choice(0.1)}
    config = HyperDriveConfig(run_config=curve, hyperparameter_sampling=GridParameterSampling(space),
                              primary_metric_name="loss", primary_metric_goal="minimize", max_total_runs=6,
                              max_concurrent_runs=2)
    run = Experiment(ws, "blocking").submit(config)
    widget = RunDetails(run).widget
    widget.start_updates()  # as displaying it does
    print(json.dumps({"model": widget.model_id, "run": run.id}))
"""


def _send(client, model_id: str, content: dict) -> float:
    """Send a custom widget message as the front end does; returns when it was sent."""
    msg = client.session.msg("comm_msg", {"comm_id": model_id, "data": {"method": "custom", "content": content}})
    client.shell_channel.send(msg)
    return time.time()


def _reply(client, model_id: str, kind: str, cell_id: str, timeout: float = 10.0) -> tuple[dict, float, bool]:
    """The widget's next reply of ``kind``, when it arrived, and whether the blocking cell was still busy."""
    deadline = time.time() + timeout
    cell_done = False
    while time.time() < deadline:
        try:
            msg = client.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
        except queue.Empty:
            break
        if msg["parent_header"].get("msg_id") == cell_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            cell_done = True
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == model_id:
            data = msg["content"]["data"]
            if data.get("method") == "custom" and data["content"].get("type") == kind:
                return data["content"], time.time(), not cell_done
    raise AssertionError(f"no {kind!r} reply within {timeout} s")


def _cell_output(client, cell_id: str, timeout: float) -> tuple[str, float]:
    out = []
    deadline = time.time() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != cell_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out), time.time()


def test_widget_requests_are_answered_while_wait_for_completion_blocks(kernel) -> None:  # noqa: F811
    out, errors = execute(kernel, SWEEP)
    assert not errors, errors
    ids = json.loads(out.strip().splitlines()[-1])
    model, sweep = ids["model"], ids["run"]

    cell = kernel.execute("details = run.wait_for_completion(show_output=True)\nprint('returned', details['status'])")
    time.sleep(2.0)  # the cell is now blocked in the wait

    sent = _send(kernel, model, {"type": "metric", "name": "loss", "view": "v1"})
    reply, arrived, busy = _reply(kernel, model, "metric_curves", cell)
    assert busy, "the reply came only after the cell had ended"
    assert arrived - sent < 1.0, f"metric reply took {arrived - sent:.2f} s"
    assert reply["name"] == "loss" and reply["curves"], "the curves logged so far are sent"
    child = next(iter(reply["curves"]))

    sent = _send(kernel, model, {"type": "details", "run_id": child, "view": "v1"})
    reply, arrived, busy = _reply(kernel, model, "details", cell)
    assert busy and arrived - sent < 1.0, f"details reply took {arrived - sent:.2f} s"
    assert reply["details"]["id"] == child and reply["details"]["status"] in {"Running", "Completed", "Canceled"}

    sent = _send(kernel, model, {"type": "cancel", "run_id": sweep, "view": "v1"})
    reply, arrived, busy = _reply(kernel, model, "cancel_result", cell)
    assert busy and arrived - sent < 1.0 and reply["ok"], reply
    out, returned = _cell_output(kernel, cell, timeout=30)
    assert out.strip().endswith("returned Canceled"), out[-500:]
    assert returned - sent < 5.0, f"the blocking call returned {returned - sent:.1f} s after the cancel"

    out, errors = execute(kernel, "print(len(run.get_children()), run.get_status())")
    assert not errors and out.split()[1] == "Canceled"
    assert int(out.split()[0]) < 6, "the sweep stopped scheduling children"


def test_widget_requests_are_answered_while_any_cell_blocks(kernel) -> None:  # noqa: F811
    out, errors = execute(kernel, SWEEP)
    assert not errors, errors
    model = json.loads(out.strip().splitlines()[-1])["model"]
    cell = kernel.execute("time.sleep(6)\nprint('slept')")
    time.sleep(1.0)
    sent = _send(kernel, model, {"type": "metric", "name": "loss", "view": "v1"})
    _, arrived, busy = _reply(kernel, model, "metric_curves", cell)
    assert busy and arrived - sent < 1.0
    _cell_output(kernel, cell, timeout=30)
    execute(kernel, "run.cancel(); run.wait_for_completion()")
