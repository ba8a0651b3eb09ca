"""Front-end cost of RunDetails for a synthetic sweep of 1000 runs x 100 values, in JupyterLab with
headless Chromium; prints figures (not a timed test).

Printed: time from running the cell to the dashboard being drawn, the front end's own first render
(table, header; charts follow, throttled), and how long the page takes to re-sort the table and to
switch the hyperparameter chart, as a measure of responsiveness.
Usage: python benchmarks/widget_render.py [--runs 1000] [--values 100] (needs what scripts/test.sh installs)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat

from benchmarks.widget import synthetic_sweep
from hdnotebook import Workspace
from tests.browser.conftest import launch_chromium, open_notebook, run_all, start_lab, stop_lab

TIMED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--values", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root, state = Path(folder) / "root", Path(folder) / "state"
        root.mkdir()
        state.mkdir()
        run = synthetic_sweep(Workspace(root), args.runs, args.values)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(
            f"from hdnotebook import *\nrun = HyperDriveRun(Experiment(Workspace.from_config(), 'bench'), {run.id!r})\nRunDetails(run).show()")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, root / "bench.ipynb")
        lab = start_lab(root, state)
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1500, "height": 1400})
                open_notebook(page, lab, "bench.ipynb")
                started = time.perf_counter()
                run_all(page)
                widget = page.locator("[data-testid='hdnotebook-run-details']")
                widget.wait_for(timeout=120_000)
                shown = time.perf_counter() - started
                page.locator("[data-testid='params-chart'] [data-testid='parcoords-axis']").first.wait_for(timeout=120_000)
                charts = time.perf_counter() - started
                render_ms = widget.get_attribute("data-render-ms")
                sorts = []
                for _ in range(5):
                    t0 = page.evaluate("() => performance.now()")
                    page.locator("[data-testid='run-table'] th[data-column='count']").click()
                    sorts.append(page.evaluate(TIMED) - t0)
                t0 = page.evaluate("() => performance.now()")
                page.locator("[data-testid='chart-kind']").select_option("2d")
                page.locator("[data-testid='params-chart'] .scatterlayer .trace").first.wait_for()
                switch = page.evaluate(TIMED) - t0
                browser.close()
        finally:
            stop_lab(lab)
    print(f"{args.runs} runs x {args.values} values: dashboard visible {shown:.1f} s after Run All "
          f"(kernel snapshot, plotly.js evaluated once per page, first render), charts drawn at {charts:.1f} s")
    print(f"front end's first render (header and table): {render_ms} ms")
    print(f"re-sorting the table: median {sorted(sorts)[2]:.0f} ms; switching to the 2-D scatter: {switch:.0f} ms")


if __name__ == "__main__":
    main()
