"""RunDetails in marimo (``mo.ui.anywidget``), served by marimo's own runner (``marimo run --headless``) and
driven in headless Chromium: the dashboard draws and keeps updating (rows and curves grow) while the sweep
runs, though marimo displays the widget without RunDetails' repr (updates start when the view says hello)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import marimo
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _free_port
from tests.conftest import REPO

APP = f'''
import marimo

__generated_with = "{marimo.__version__}"
app = marimo.App()


@app.cell
def _():
    import math
    import time

    import marimo as mo

    from hdnotebook import (Experiment, HyperDriveConfig, RandomParameterSampling, Run, RunDetails, Workspace, choice,
                            loguniform)

    def train(lr, depth, kind):
        run = Run.get_context()
        for k in range(1, 31):
            time.sleep(0.3)
            run.log("accuracy", 1 - math.exp(-k * lr * depth / 10) * (0.5 if kind == "a" else 0.7))

    space = {{"--lr": loguniform(-4, 0), "--depth": choice(2, 4, 8), "--kind": choice("a", "b")}}
    config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling(space, seed=5),
                              primary_metric_name="accuracy", primary_metric_goal="maximize",
                              max_total_runs=8, max_concurrent_runs=2)
    run = Experiment(Workspace.from_config(), "marimo").submit(config)
    dashboard = mo.ui.anywidget(RunDetails(run).widget)
    dashboard
    return


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture
def marimo_app(tmp_path: Path):
    """``marimo run app.py --headless`` on a free port, in ``tmp_path`` (the workspace's folder); yields its URL."""
    (tmp_path / "app.py").write_text(textwrap.dedent(APP).lstrip())
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    log = open(tmp_path / "marimo.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "marimo", "run", "app.py", "--headless", "--host", "127.0.0.1",
                                "--port", str(port), "--no-token", "--no-sandbox", "--no-skew-protection"],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"marimo exited: {(tmp_path / 'marimo.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait(check, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_marimo_dashboard_updates_live(marimo_app: str, page) -> None:
    page.goto(marimo_app)
    widget = page.locator("[data-testid='hdnotebook-run-details']")  # Playwright's CSS pierces marimo's shadow root
    expect(widget).to_be_visible(timeout=120_000)
    # marimo's widget_manager finds the shared model (the table draws first; plotly.js follows)
    expect(widget).to_have_attribute("data-plotly-from", "library-model")
    rows = widget.locator("[data-testid='run-row']")
    seq = lambda: int(widget.get_attribute("data-seq") or 0)  # noqa: E731
    first_seq, first_rows = seq(), rows.count()
    assert first_rows < 8, "the sweep is still running when the dashboard first draws"
    _wait(lambda: seq() > first_seq + 2, 60, "deltas (data-seq growing)")
    _wait(lambda: rows.count() >= max(3, first_rows + 1), 90, "more rows")
    curves = widget.locator("[data-testid='curves'] .scatterlayer .trace")
    _wait(lambda: curves.count() >= 2, 60, "curves drawn")
    points = lambda: page.evaluate(  # noqa: E731
        "el => [...el.querySelectorAll(\"[data-testid='curves'] .scatterlayer .trace path.js-line\")]"
        ".reduce((n, p) => n + (p.getAttribute('d') || '').split(/[LM]/).length, 0)", widget.element_handle())
    drawn = points()
    _wait(lambda: points() > drawn, 60, "curves growing")
    status = widget.locator("[data-testid='run-status']").first
    _wait(lambda: status.inner_text() == "Completed", 120, "the sweep's final status")
    assert rows.count() == 8
