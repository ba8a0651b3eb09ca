"""The dashboard's importance chart: computed in the kernel on a click, drawn as horizontal bars, largest on top."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, open_notebook, run_all
from tests.browser.test_run_details_browser import _write_notebook

LINEAR = """
from hdnotebook import *

def train(x1, x2, x3):
    Run.get_context().log("score", 10 * x1 + x2)

space = {"x1": uniform(0, 1), "x2": uniform(0, 1), "x3": uniform(0, 1)}
config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling(space, seed=2),
                          primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=30,
                          max_concurrent_runs=4)
run = Experiment(Workspace.from_config(), "importance").submit(config)
run.wait_for_completion()
RunDetails(run).show()
"""


@pytest.mark.timeout(300)
def test_importance_chart_on_request(lab, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _write_notebook(lab.root / "importance.ipynb", [LINEAR])
    open_notebook(page, lab, "importance.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details']")
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=120_000)
    chart = widget.locator("[data-testid='importance']")
    expect(chart).to_be_hidden()
    widget.locator("[data-testid='importance-compute']").click()
    expect(widget.locator("[data-testid='importance-note']")).to_contain_text("fANOVA", timeout=60_000)
    expect(chart.locator("g.point")).to_have_count(3)
    bars = chart.evaluate("el => ({y: el.data[0].y, x: el.data[0].x, orientation: el.data[0].orientation})")
    assert bars["y"][0] == "x1" and sorted(bars["y"]) == ["x1", "x2", "x3"] and bars["orientation"] == "h"
    assert abs(sum(bars["x"]) - 1) < 1e-9 and bars["x"][0] > 0.8 and bars["x"] == sorted(bars["x"], reverse=True)
    ticks = chart.evaluate("el => Array.from(el.querySelectorAll('.ytick text'))"
                           ".map((t) => [t.getBoundingClientRect().top, t.textContent]).sort((a, b) => a[0] - b[0]).map((t) => t[1])")
    assert ticks == bars["y"], "top to bottom on the screen: the largest first"
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / "importance.png"))
    assert errors == []
