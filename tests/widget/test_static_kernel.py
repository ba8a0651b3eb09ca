"""In a real kernel: RunDetails displays a live and a static output, and both are updated to the final state
before the cell that waits for the run returns (from wait_for_completion, or from the widget's background
updater while another cell runs: then the update carries that cell's parent header, as nbclient needs)."""

from __future__ import annotations

import textwrap
import time

from tests.test_kernel import kernel  # noqa: F401  (fixture)

WIDGET = "application/vnd.jupyter.widget-view+json"

SETUP = """
    from hdnotebook import *
    from tests.children import sleeper
    ws = Workspace.from_config()
    config = HyperDriveConfig(run_config=sleeper, hyperparameter_sampling=GridParameterSampling({"seconds": choice(1.0, 1.5)}),
                              primary_metric_name="started", primary_metric_goal="maximize", max_total_runs=2, max_concurrent_runs=2)
    run = Experiment(ws, "kernel").submit(config)
    RunDetails(run).show()
"""


def messages(client, code: str, timeout: float = 120) -> tuple[str, list[dict]]:
    """Run a cell; returns its msg_id and every iopub message until it is idle (any parent)."""
    msg_id = client.execute(textwrap.dedent(code))
    seen = []
    deadline = time.time() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        seen.append(msg)
        if msg["msg_type"] == "error" and msg["parent_header"].get("msg_id") == msg_id:
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return msg_id, seen


def shown(msgs: list[dict], msg_id: str) -> tuple[dict, dict]:
    """The live and the static display_data of the cell ``msg_id``."""
    displays = [m for m in msgs if m["msg_type"] == "display_data" and m["parent_header"]["msg_id"] == msg_id]
    assert len(displays) == 2, [m["content"]["data"].keys() for m in displays]
    live, static = displays
    assert set(live["content"]["data"]) == {WIDGET, "text/plain"}
    assert set(static["content"]["data"]) == {"text/plain", "text/html"}
    assert live["content"]["data"]["text/plain"].startswith("RunDetails(run_id='HD_"), "the repr: no state to go stale"
    assert 'data-hdnb-static="' in static["content"]["data"]["text/html"]
    return live, static


def final_updates(msgs: list[dict], live: dict, static: dict) -> list[dict]:
    """The update_display_data messages of the displays; asserts the static output alone is updated, once, to the
    final state (updating the live output would make the front end rebuild the dashboard)."""
    assert "display_id" not in live["content"].get("transient", {}), "the live output is never replaced"
    updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
    assert len(updates) == 1, "the static output is updated once, to its final state"
    assert updates[0]["content"]["transient"]["display_id"] == static["content"]["transient"]["display_id"]
    final = updates[0]["content"]["data"]
    assert ": Completed; 2 child runs: Completed 2; best started 1" in final["text/plain"]
    assert "<b>Status:</b> Completed" in final["text/html"] and 'data-testid="static-parcoords"' in final["text/html"]
    return updates


def test_wait_for_completion_updates_both_outputs_before_its_cell_returns(kernel) -> None:  # noqa: F811
    show_id, first = messages(kernel, SETUP)
    live, static = shown(first, show_id)
    assert "Completed" not in static["content"]["data"]["text/plain"]
    wait_id, second = messages(kernel, "run.wait_for_completion()\nprint(run.get_status())")
    updates = final_updates(first + second, live, static)
    assert all(m["parent_header"]["msg_id"] == wait_id for m in updates), "sent within the waiting cell"
    _, third = messages(kernel, "from hdnotebook.widget.displays import pending\nprint(pending(run.id))")
    assert [m["content"]["text"] for m in third if m["msg_type"] == "stream"] == ["0\n"]
    assert not [m for m in third if m["msg_type"] == "update_display_data"], "no second update"


def test_the_background_updater_sends_the_final_state_within_the_running_cell(kernel) -> None:  # noqa: F811
    show_id, first = messages(kernel, SETUP)
    live, static = shown(first, show_id)
    # a cell that waits without wait_for_completion: only the widget's updater (another thread) can update
    sleep_id, second = messages(kernel, """
        import time
        while run.get_status() != "Completed":
            time.sleep(0.1)
        time.sleep(3)
    """)
    updates = final_updates(first + second, live, static)
    assert all(m["parent_header"]["msg_id"] == sleep_id for m in updates), "the running cell's parent header"
    # shown again once finished (as a cell's last expression): the final state at once, and no later update
    again_id, third = messages(kernel, "RunDetails(run)")
    live_again, static_again = shown(third, again_id)
    assert not [m for m in third if m["msg_type"] in ("execute_result", "update_display_data")]
    assert ": Completed;" in static_again["content"]["data"]["text/plain"]
    assert "<b>Status:</b> Completed" in static_again["content"]["data"]["text/html"]
