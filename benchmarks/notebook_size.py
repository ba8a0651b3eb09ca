"""Bytes a saved notebook spends on RunDetails: 0, 1 and 2 dashboards of 100-run sweeps (100 values per run),
saved WITH widget state; prints figures (not a timed test).

Two ways to save: JupyterLab in headless Chromium (Run All, wait for the dashboards, Ctrl+S, with the
setting "Save Jupyter widget state in notebooks" on: it is off by default) and nbclient with ``store_widget_state=True``. Printed: each notebook's size, how many copies of
plotly.js it holds, the first RunDetails' cost and the second's increment.
Usage: python benchmarks/notebook_size.py [--runs 100] [--values 100] [--only lab|nbclient]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import nbformat

from benchmarks.widget import synthetic_sweep
from hdnotebook import Workspace

PLOTLY_SIGNATURE = "* plotly.js v"  # the first line of plotly.js's licence header, once per copy


def sweep_notebook(root: Path, dashboards: int, runs: int, values: int) -> Path:
    """Write ``root/sweeps{dashboards}.ipynb``: one cell opening the workspace, then one RunDetails cell per
    finished synthetic sweep (made here, in ``root``'s workspace)."""
    workspace = Workspace(root)
    cells = ["from hdnotebook import *\nws = Workspace.from_config()"]
    for k in range(dashboards):
        run = synthetic_sweep(workspace, runs, values, seed=10 * dashboards + k)
        workspace._store.set_status(run.id, "Completed")
        cells.append(f"RunDetails(HyperDriveRun(Experiment(ws, 'bench'), {run.id!r})).show()")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = root / f"sweeps{dashboards}.ipynb"
    nbformat.write(nb, path)
    return path


def plotly_copies(path: Path) -> int:
    """How many copies of plotly.js a saved notebook holds."""
    return path.read_text().count(PLOTLY_SIGNATURE)


def save_with_nbclient(path: Path) -> Path:
    """Execute ``path`` with nbclient, storing widget state, and write it back; returns the path."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return path


def wait_for_dashboards(page, count: int) -> None:
    """Wait until ``count`` RunDetails are on the page with their curves and parallel coordinates drawn."""
    page.wait_for_function(
        """n => { const ws = document.querySelectorAll("[data-testid='hdnotebook-run-details']");
                  return ws.length === n && [...ws].every(w =>
                    w.querySelector("[data-testid='curves'] .scatterlayer .trace") &&
                    w.querySelector("[data-testid='params-chart'] [data-testid='parcoords-axis']")); }""",
        arg=count, timeout=180_000)


def save_widget_state_setting(state: Path) -> None:
    """Turn on JupyterLab's "Save Jupyter widget state in notebooks" (jupyterlab-manager's ``saveState``, off by
    default) in the settings folder ``start_lab(root, state)`` uses."""
    settings = state / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"saveState": True}))


def save_in_lab(page, lab, path: Path) -> None:
    """Run All on ``path`` in JupyterLab, wait for its dashboards, save with Ctrl+S (with widget state if
    ``save_widget_state_setting`` was applied) and wait until the file on disk holds the widget state (a notebook without widgets has none)."""
    from tests.browser.conftest import open_notebook, run_all

    dashboards = nbformat.read(path, as_version=4).cells[1:]
    before = path.stat().st_mtime_ns
    open_notebook(page, lab, path.name)
    run_all(page)
    if dashboards:
        wait_for_dashboards(page, len(dashboards))
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
                 .every(p => /\\[\\d+\\]/.test(p.textContent))""", timeout=180_000)
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click()
    page.keyboard.press("Control+s")
    deadline = time.time() + 60
    while time.time() < deadline:
        if path.stat().st_mtime_ns != before:
            try:
                text = path.read_text()
                json.loads(text)  # the whole file is written
            except ValueError:
                text = ""
            if text and (not dashboards or "application/vnd.jupyter.widget-state+json" in text):
                return
        time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not save {path.name} with widget state")


def _report(label: str, paths: list[Path]) -> None:
    sizes = [p.stat().st_size for p in paths]
    print(f"{label}: " + ", ".join(f"{k} RunDetails {s / 1e6:.3f} MB ({plotly_copies(p)} plotly.js)"
                                   for k, (s, p) in enumerate(zip(sizes, paths))))
    print(f"  first RunDetails costs {(sizes[1] - sizes[0]) / 1e3:.0f} KB, the second adds {(sizes[2] - sizes[1]) / 1e3:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--values", type=int, default=100)
    parser.add_argument("--only", choices=["lab", "nbclient"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "nbclient":
            from playwright.sync_api import sync_playwright

            from tests.browser.conftest import launch_chromium, start_lab, stop_lab

            root, state = Path(folder) / "lab", Path(folder) / "lab-state"
            root.mkdir()
            state.mkdir()
            paths = [sweep_notebook(root, k, args.runs, args.values) for k in range(3)]
            save_widget_state_setting(state)
            lab = start_lab(root, state)
            try:
                with sync_playwright() as p:
                    browser = launch_chromium(p)
                    for path in paths:
                        page = browser.new_page(viewport={"width": 1500, "height": 1400})
                        save_in_lab(page, lab, path)
                        page.close()
                    browser.close()
            finally:
                stop_lab(lab)
            _report(f"JupyterLab (Ctrl+S), {args.runs} runs x {args.values} values", paths)
        if args.only != "lab":
            root = Path(folder) / "nbclient"
            root.mkdir()
            paths = [save_with_nbclient(sweep_notebook(root, k, args.runs, args.values)) for k in range(3)]
            _report(f"nbclient store_widget_state=True, {args.runs} runs x {args.values} values", paths)


if __name__ == "__main__":
    main()
