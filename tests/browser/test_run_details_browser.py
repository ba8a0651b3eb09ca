"""RunDetails in JupyterLab with headless Chromium: a real sweep, live table and curves, parallel
coordinates with a brush that filters the table, the cancel button, updates while a cell blocks."""

from __future__ import annotations

import os
import shutil
import textwrap

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, add_and_run_cell, brush_first_axis, open_notebook, run_all

SETUP = """
import math, time
from hdnotebook import *
ws = Workspace.from_config()

def train(lr, depth, kind):
    run = Run.get_context()
    for k in range(1, 31):
        time.sleep(0.6 if kind == "slow" else 0.15)
        run.log("accuracy", 1 - math.exp(-k * lr * depth / 10) * (0.5 if kind == "a" else 0.7))
        run.log("loss", math.exp(-k * lr))

space = {"--lr": loguniform(-4, 0), "--depth": choice(2, 4, 8), "--kind": choice("a", "b", "slow")}
config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling(space, seed=5),
                          primary_metric_name="accuracy", primary_metric_goal="maximize",
                          max_total_runs=10, max_concurrent_runs=2)
run = Experiment(ws, "browser").submit(config)
"""


def _write_notebook(path, cells) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _seq(widget) -> int:
    return int(widget.get_attribute("data-seq") or 0)


@pytest.fixture(params=["lab", "notebook7"], ids=["jupyterlab", "notebook7"])
def front(request):
    """The same scenario in each front end: a JupyterLab or a Notebook 7 server."""
    return request.getfixturevalue(request.param)


def test_live_sweep_dashboard(front, page) -> None:
    lab = front
    _write_notebook(lab.root / "sweep.ipynb", [SETUP, "RunDetails(run).show()"])
    open_notebook(page, lab, "sweep.ipynb")
    run_all(page)

    widget = page.locator("[data-testid='hdnotebook-run-details']")
    expect(widget).to_be_visible(timeout=60_000)
    rows = widget.locator("[data-testid='run-row']")
    expect(rows.first).to_be_visible()

    # live while the kernel is idle: deltas arrive and rows/curves grow
    seq = _seq(widget)
    page.wait_for_function("s => Number(document.querySelector(\"[data-testid='hdnotebook-run-details']\").dataset.seq) > s + 2", arg=seq)
    curves = widget.locator("[data-testid='curves'] .scatterlayer .trace")
    expect(curves.first).to_be_attached()
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='run-row']\").length >= 3", timeout=60_000)

    # parallel coordinates with one axis per hyperparameter plus the metric
    axes = widget.locator("[data-testid='params-chart'] [data-testid='parcoords-axis']")
    expect(axes.nth(3)).to_be_attached(timeout=60_000)
    assert widget.locator("[data-testid='chart-kind']").input_value() == "parcoords"

    # a brush on the first axis filters the table
    x, box = brush_first_axis(page, widget, 0.1, 0.05)
    note = widget.locator("[data-testid='brush-note']")
    expect(note).to_be_visible()
    inside = int(note.inner_text().split()[0])
    expect(widget.locator("[data-testid='row-count']")).to_contain_text(f"{inside} of ")
    assert rows.count() == min(inside, 10)

    # the cancel button cancels a running child (after a confirmation)
    page.on("dialog", lambda dialog: dialog.accept())
    widget.locator("[data-testid='status-filter']").select_option("Running")
    running = widget.locator("[data-testid='run-row']").first
    if note.is_visible():
        page.mouse.click(x, box["y"] + box["height"] * 0.9)
    expect(running).to_be_visible()
    run_id = running.get_attribute("data-run-id")
    widget.locator(f"[data-run-id='{run_id}']").click()  # by id: the first running row may be another one by now
    details = widget.locator("[data-testid='run-details']")
    expect(details).to_contain_text(run_id)
    details.locator("[data-testid='cancel-run']").click()
    widget.locator("[data-testid='status-filter']").select_option("all")
    expect(widget.locator(f"[data-run-id='{run_id}'] .hdnb-status")).to_have_text("Canceled", timeout=15_000)

    # live while a cell blocks in wait_for_completion()
    add_and_run_cell(page, "details = run.wait_for_completion()\nprint('done', details['status'])")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='busy']")
    seq = _seq(widget)
    page.wait_for_function("s => Number(document.querySelector(\"[data-testid='hdnotebook-run-details']\").dataset.seq) > s + 1", arg=seq)
    assert page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']").count() == 1, "the cell was still blocking"
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=90_000)
    expect(page.locator(".jp-OutputArea-output:has-text('done Completed')")).to_be_visible(timeout=30_000)

    ARTIFACTS.mkdir(exist_ok=True)
    if lab.app == "notebook":
        page.screenshot(path=str(ARTIFACTS / "run-details-notebook7.png"), full_page=True)
        widget.screenshot(path=str(ARTIFACTS / "run-details-notebook7-widget.png"))
    else:
        widget.screenshot(path=str(ARTIFACTS / "run-details.png"))
    target = os.environ.get("HDNOTEBOOK_SCREENSHOT")
    if target and lab.app == "lab":
        shutil.copyfile(ARTIFACTS / "run-details.png", target)

    # when the sweep has ended, no updater is left running
    add_and_run_cell(page, "from hdnotebook.widget.widget import live_widgets\nprint('live', live_widgets())")
    expect(page.locator(".jp-OutputArea-output:has-text('live 0')")).to_be_visible()


SINGLE = """
import functools, time
from hdnotebook import *

def fit(epochs):
    run = Run.get_context()
    run.tag("model", "toy")
    for i in range(epochs):
        time.sleep(0.25)
        run.log("loss", 1 / (i + 1))
        print("epoch", i, flush=True)

run = Experiment(Workspace.from_config(), "single").submit(functools.partial(fit, 16))
RunDetails(run).show()
"""


def test_live_single_run_view(lab, page) -> None:
    _write_notebook(lab.root / "single.ipynb", [SINGLE])
    open_notebook(page, lab, "single.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details'][data-kind='run']")
    expect(widget).to_be_visible(timeout=60_000)
    expect(widget.locator("[data-testid='run-log']")).to_contain_text("epoch 3")
    expect(widget.locator("[data-testid='run-metrics']")).to_contain_text("loss")
    expect(widget.locator("[data-testid='run-properties']")).to_contain_text("tag model")
    expect(widget.locator("[data-testid='series-charts'] .scatterlayer .trace").first).to_be_attached()
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=60_000)
    expect(widget.locator("[data-testid='run-log']")).to_contain_text("epoch 15")


WARM = """
from hdnotebook import *
from tests.children import curve
exp = Experiment(Workspace.from_config(), "warm")

def config(space, **kwargs):
    return HyperDriveConfig(run_config=curve, hyperparameter_sampling=GridParameterSampling(space), primary_metric_name="loss",
                            primary_metric_goal="minimize", max_total_runs=4, max_concurrent_runs=4,
                            policy=BanditPolicy(1, slack_amount=0.5, delay_evaluation=2), **kwargs)

first = exp.submit(config({"values": choice("1,0.9,0.8,0.7,0.6", "2,1.9,1.8,1.7,1.6")}))
first.wait_for_completion()
second = exp.submit(config({"values": choice("1.2," * 30 + "1", "0.9," * 30 + "0.5")}, resume_from=first))
second.wait_for_completion()
RunDetails(second).show()
"""


def test_warm_started_sweep_lists_its_parents_runs(lab, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _write_notebook(lab.root / "warm.ipynb", [WARM])
    open_notebook(page, lab, "warm.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details']")
    expect(widget.locator("[data-testid='run-row']")).to_have_count(4, timeout=60_000)
    expect(widget.locator("tr.hdnb-inherited")).to_have_count(2)
    expect(widget.locator("tr.hdnb-inherited").first).to_contain_text("↩")
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed")
    expect(widget.locator("[data-testid='status-bar']")).to_contain_text("Canceled (1)")  # stopped against a parent's run
    widget.locator("[data-testid='hide-inherited']").check()
    expect(widget.locator("[data-testid='run-row']")).to_have_count(2)
    assert errors == []
