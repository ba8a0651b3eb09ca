"""The browser's main thread while a big sweep streams into RunDetails, in JupyterLab with headless Chromium;
prints figures (not a timed test).

A synthetic sweep of ``--runs`` runs x ``--values`` values is written into a store, its last ``--running``
children still Running. The notebook shows it, then a thread in the kernel logs a new value to each running child
every 0.25 s for ``--seconds`` seconds, as children would. Printed: the time from Run All to the dashboard; the
time from the view getting its data to its table and charts; Chromium's long tasks (main-thread tasks over
50 ms) during the first render and while updates stream: how many, how many over 200 ms, the worst.
Usage: python benchmarks/widget_stream.py [--runs 300 1000 5000] [--values 100] [--running 20] [--seconds 20]
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

OBSERVE = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: "longtask", buffered: true });
window.__marks = {};
const marks = { widget: "[data-testid='hdnotebook-run-details']", rows: "[data-testid='run-row']",
  curves: "[data-testid='curves'] .scatterlayer .trace", parcoords: "[data-testid='params-chart'] [data-testid='parcoords-axis']" };
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(marks)) {
    if (!window.__marks[name] && document.querySelector(selector)) window.__marks[name] = performance.now();
  }
}).observe(document, { childList: true, subtree: true });
"""

CELL = """
import math, threading, time
from hdnotebook import *
run = HyperDriveRun(Experiment(Workspace.from_config(), "bench"), {run_id!r})
RunDetails(run).show()

def stream(store=run._need_store(), children=[f"{{run.id}}_{{i}}" for i in range({first}, {runs})]):
    end = time.time() + {seconds}
    k = 0
    while time.time() < end:
        k += 1
        store.apply_events([{{"op": "metric", "run": c, "name": "accuracy", "kind": "scalar",
                              "value": 1 - math.exp(-0.05 * k) * 0.7, "t": time.time()}} for c in children])
        time.sleep(0.25)

threading.Thread(target=stream, daemon=True).start()
"""


def _summary(tasks: list[list[float]]) -> str:
    durations = [d for _, d in tasks]
    if not durations:
        return "no long task"
    return (f"{len(durations)} long tasks, {sum(d > 200 for d in durations)} over 200 ms, worst {max(durations):.0f} ms, "
            f"{sum(durations) / 1000:.1f} s in all")


def measure(runs: int, values: int, running: int, seconds: float) -> list[str]:
    """Run the scenario once for a sweep of ``runs`` runs; returns the printed lines."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        root, state = Path(folder) / "root", Path(folder) / "state"
        root.mkdir()
        state.mkdir()
        run = synthetic_sweep(Workspace(root), runs, values, running=running)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(CELL.format(run_id=run.id, first=runs - running, runs=runs,
                                                          seconds=seconds).strip())]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, root / "bench.ipynb")
        lab = start_lab(root, state)
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1500, "height": 1400})
                page.add_init_script(OBSERVE)
                open_notebook(page, lab, "bench.ipynb")
                page.evaluate("() => { window.__longTasks = []; }")
                started = time.perf_counter()
                run_all(page)
                widget = page.locator("[data-testid='hdnotebook-run-details']")
                widget.wait_for(timeout=180_000)
                shown = time.perf_counter() - started
                page.locator("[data-testid='params-chart'] [data-testid='parcoords-axis']").first.wait_for(timeout=180_000)
                page.wait_for_timeout(2000)
                first = page.evaluate("() => window.__longTasks.splice(0)")
                marks = page.evaluate("() => ({ ...window.__marks,"
                                      " data: performance.getEntriesByName('hdnotebook-render')[0].startTime,"
                                      " plotly: performance.getEntriesByName('hdnotebook-plotly')[0].startTime })")
                seq0 = int(widget.get_attribute("data-seq") or 0)
                page.wait_for_timeout(int(seconds * 1000) - 2000)
                streaming = page.evaluate("() => window.__longTasks.splice(0)")
                deltas = int(widget.get_attribute("data-seq") or 0) - seq0
                browser.close()
        finally:
            stop_lab(lab)
    return [
        f"{runs} runs x {values} values, {running} running: dashboard visible {shown:.1f} s after Run All",
        f"  from the view getting its data to the table {marks['rows'] - marks['data']:.0f} ms, the curves "
        f"{marks['curves'] - marks['data']:.0f} ms, the parallel coordinates {marks['parcoords'] - marks['data']:.0f} ms "
        f"(plotly.js ready after {marks['plotly'] - marks['data']:.0f} ms: evaluated once per page)",
        f"  first render and charts: {_summary(first)}",
        f"  while {deltas} updates streamed: {_summary(streaming)}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[300, 1000, 5000])
    parser.add_argument("--values", type=int, default=100)
    parser.add_argument("--running", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    for runs in args.runs:
        print("\n".join(measure(runs, args.values, args.running, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
