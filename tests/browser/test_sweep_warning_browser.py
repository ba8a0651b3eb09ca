"""The widget header warns, in Notebook 7, when the sweep's children never log its primary metric."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, open_notebook, run_all
from tests.browser.test_run_details_browser import _write_notebook

MISNAMED = """
from hdnotebook import *

def train(lr):
    run = Run.get_context()
    for k in range(3):
        run.log("acc", lr * k)

config = HyperDriveConfig(run_config=train, hyperparameter_sampling=GridParameterSampling({"lr": choice(0.1, 0.2)}),
                          primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=2,
                          max_concurrent_runs=1)
run = Experiment(Workspace.from_config(), "misnamed").submit(config)
RunDetails(run).show()
"""


def test_header_warns_that_no_child_logs_the_primary_metric(notebook7, page) -> None:
    _write_notebook(notebook7.root / "misnamed.ipynb", [MISNAMED])
    open_notebook(page, notebook7, "misnamed.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details']")
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=60_000)
    warning = widget.locator("[data-testid='sweep-warning']")
    expect(warning).to_contain_text("without logging the primary metric 'accuracy'")
    expect(warning).to_contain_text("the children logged 'acc'")
    expect(widget.locator("[data-testid='best-metric']")).to_have_text("—")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "sweep-warning-notebook7.png"))
