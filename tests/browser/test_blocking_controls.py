"""The dashboard's controls while the notebook's last cell blocks in wait_for_completion(): Run All, then a row
click shows the run's details, another metric draws its curves, and a confirmed "Cancel sweep" cancels the sweep
and makes the blocking cell return with Canceled."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.conftest import open_notebook, run_all
from tests.browser.test_run_details_browser import SETUP, _write_notebook

BUSY = ".jp-Notebook-ExecutionIndicator[data-status='busy']"


def test_controls_answer_while_the_last_cell_blocks(lab, page) -> None:
    _write_notebook(lab.root / "blocking.ipynb", [
        SETUP, "RunDetails(run).show()", "details = run.wait_for_completion()\nprint('returned', details['status'])"])
    open_notebook(page, lab, "blocking.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details']")
    rows = widget.locator("[data-testid='run-row']")
    expect(rows.first).to_be_visible(timeout=60_000)
    page.wait_for_selector(BUSY)
    last_prompt = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").last
    expect(last_prompt).to_contain_text("[*]")  # the last cell is the one running

    # a row click shows that run's details
    clicked = time.time()
    run_id = rows.first.get_attribute("data-run-id")
    rows.first.click()
    expect(widget.locator("[data-testid='run-details']")).to_contain_text(run_id, timeout=5_000)
    assert time.time() - clicked < 5
    assert page.locator(BUSY).count() == 1, "the cell was still blocking"

    # another metric draws its curves
    widget.locator("[data-testid='metric-picker']").select_option("loss")
    expect(widget.locator("[data-testid='curves'] .ytitle")).to_have_text("loss")
    page.wait_for_function(
        "() => { const p = document.querySelector(\"[data-testid='curves']\");"
        " return p && p.data && p.data.length > 0 && p.data.every(t => t.y.length > 0); }")
    assert page.locator(BUSY).count() == 1, "the cell was still blocking"

    # a confirmed Cancel sweep cancels it, and the blocking cell returns with Canceled
    page.on("dialog", lambda dialog: dialog.accept())
    widget.locator("[data-testid='cancel-sweep']").click()
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Canceled", timeout=15_000)
    expect(page.locator(".jp-OutputArea-output:has-text('returned Canceled')")).to_be_visible(timeout=15_000)
    expect(last_prompt).not_to_contain_text("[*]")
