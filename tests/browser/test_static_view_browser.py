"""The saved notebook tells the truth: run a sweep in JupyterLab, save from the browser with widget state
(the "Save Widget State Automatically" setting of the widget manager: off by default in jupyterlab_widgets
3.0.17, on in Notebook 7 and for many users; with it nbconvert shows the widget view, which is blank offline),
convert with ``jupyter nbconvert --to html`` and open the page in Chromium offline:
the final status, the table and both SVG charts show. In the live page the static output is hidden."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, open_notebook, run_all
from tests.browser.test_run_details_browser import _write_notebook

SWEEP = """
from hdnotebook import *
from tests.children import quadratic
ws = Workspace.from_config()
config = HyperDriveConfig(run_config=quadratic, primary_metric_name="score", primary_metric_goal="maximize",
                          hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 2), "y": choice(0.5, 1.0)}),
                          max_total_runs=6, max_concurrent_runs=2)
run = Experiment(ws, "static").submit(config)
"""
SHOW = "RunDetails(run).show()"
WAIT = "details = run.wait_for_completion()\nprint('done', details['status'])"


WIDGET_SETTINGS = "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin"


def _save_widget_state(lab, on: bool) -> None:
    """Set the widget manager's saveState setting through the server's settings API."""
    body = json.dumps({"raw": json.dumps({"saveState": on})}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{lab.port}{WIDGET_SETTINGS}", data=body, method="PUT",
                                     headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()
    assert lab.api(WIDGET_SETTINGS)["settings"]["saveState"] is on


def test_saved_and_converted_notebook_shows_the_final_view_offline(lab, page, browser, tmp_path) -> None:
    _save_widget_state(lab, True)
    try:
        _run_save_convert_and_check(lab, page, browser, tmp_path)
    finally:
        _save_widget_state(lab, False)


def _run_save_convert_and_check(lab, page, browser, tmp_path) -> None:
    notebook = lab.root / "saved.ipynb"
    _write_notebook(notebook, [SWEEP, SHOW, WAIT])
    open_notebook(page, lab, "saved.ipynb")
    run_all(page)
    expect(page.locator(".jp-OutputArea-output:has-text('done Completed')")).to_be_visible(timeout=120_000)

    # live page: the widget is shown and its static twin (in the same cell) is hidden
    widget = page.locator("[data-testid='hdnotebook-run-details']")
    expect(widget.first).to_be_visible()
    expect(widget.first.locator("[data-testid='run-status']")).to_have_text("Completed")
    static = page.locator("[data-hdnb-static]")
    expect(static).to_have_count(1)
    expect(static).to_contain_text("Status: Completed", use_inner_text=False)
    expect(static).to_be_hidden()
    child = page.locator(".jp-OutputArea-child:has([data-hdnb-static])")
    expect(child).to_be_hidden()
    assert child.bounding_box() is None, "the output area child takes no room"

    # save from the browser and wait for the file to hold the final outputs and the widget state
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    page.keyboard.press("Control+s")
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            saved = json.loads(notebook.read_text())
        except json.JSONDecodeError:  # read while the server writes it
            time.sleep(0.2)
            continue
        outputs = saved["cells"][1]["outputs"]
        if saved["metadata"].get("widgets") and any("Status:</b> Completed" in "".join(o.get("data", {}).get("text/html", ""))
                                                     for o in outputs):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"the saved notebook lacks widget state or final outputs: {json.dumps(outputs)[:2000]}")
    texts = ["".join(o["data"]["text/plain"]) for o in outputs if "text/plain" in o.get("data", {})]
    assert len(texts) == 2 and texts[0].startswith("RunDetails(run_id="), texts  # the live output: no state
    assert ": Completed; 6 child runs: Completed 6" in texts[1], texts

    # convert: nbconvert renders the widget view (offline, an empty box) for a model in the saved state
    converted = tmp_path / "saved.html"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(notebook), "--output", str(converted)],
                   check=True, capture_output=True, timeout=180)

    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    requests: list[str] = []

    def only_the_file(route) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_the_file)
    context.set_offline(True)
    try:
        offline = context.new_page()
        offline.goto(converted.as_uri())
        view = offline.locator("[data-hdnb-static]")
        expect(view).to_be_visible()
        expect(view.locator("[data-testid='static-header']")).to_contain_text("Status: Completed")
        expect(view.locator("[data-testid='static-header']")).to_contain_text("Child runs: 6 (Completed 6)")
        expect(view.locator("[data-testid='static-table'] tbody tr")).to_have_count(6)
        expect(view.locator("[data-testid='static-table']")).to_be_visible()
        expect(view.locator("svg[data-testid='static-curves']")).to_be_visible()
        expect(view.locator("svg[data-testid='static-parcoords']")).to_be_visible()
        assert view.locator("svg[data-testid='static-parcoords'] path[stroke^='#']").count() == 6
        assert [u for u in requests if not u.startswith("file:")], "the page asked for the network (and was refused)"
        ARTIFACTS.mkdir(exist_ok=True)
        offline.screenshot(path=str(ARTIFACTS / "static-view-offline.png"), full_page=True)
    finally:
        context.close()
