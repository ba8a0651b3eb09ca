"""Many sweep dashboards in one page: every one keeps its parallel coordinates. The chart draws on a 2-D canvas;
plotly's WebGL parcoords held three WebGL contexts per chart, of which Chromium keeps 16 a page, so the sixth
dashboard made the browser drop the first one's chart ("Too many active WebGL contexts")."""

from __future__ import annotations

from playwright.sync_api import expect

from benchmarks.widget import synthetic_sweep
from hdnotebook import Workspace
from tests.browser.conftest import open_notebook, run_all
from tests.browser.test_run_details_browser import _write_notebook

DASHBOARDS = 8
RUNS = 30
FIRST_SEED = 100  # sweeps of their own: other tests of the session write HD_synthetic_0 into the same workspace

SHOW = """
from hdnotebook import *
runs = [HyperDriveRun(Experiment(Workspace.from_config(), "bench"), f"HD_synthetic_{{seed}}") for seed in range({first}, {first} + {count})]
for run in runs:
    RunDetails(run).show()
"""

# How many pixels of a dashboard's lines canvas are drawn (not transparent).
DRAWN_PIXELS = """(box) => {
  const canvas = box.querySelector("canvas");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
  return drawn;
}"""


def test_eight_sweep_dashboards_in_one_page_all_keep_their_parallel_coordinates(lab, page) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    for seed in range(FIRST_SEED, FIRST_SEED + DASHBOARDS):
        synthetic_sweep(Workspace(lab.root), RUNS, 5, seed=seed)
    _write_notebook(lab.root / "many.ipynb", [SHOW.format(first=FIRST_SEED, count=DASHBOARDS)])
    open_notebook(page, lab, "many.ipynb")
    run_all(page)

    charts = page.locator("[data-testid='parcoords']")
    expect(charts).to_have_count(DASHBOARDS, timeout=120_000)
    for i in range(DASHBOARDS):
        expect(charts.nth(i)).to_have_attribute("data-lines", str(RUNS), timeout=60_000)
    page.wait_for_timeout(1000)
    drawn = [charts.nth(i).evaluate(DRAWN_PIXELS) for i in range(DASHBOARDS)]
    assert all(count > 1000 for count in drawn), drawn
    assert not [m for m in messages if "WebGL" in m], messages
