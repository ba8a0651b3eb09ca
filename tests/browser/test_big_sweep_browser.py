"""RunDetails of a big sweep while values stream in: the curves grow by appending points to the traces already
drawn (not by re-plotting them), and the parallel coordinates draw every run."""

from __future__ import annotations

from playwright.sync_api import expect

from benchmarks.widget import synthetic_sweep
from hdnotebook import Workspace
from tests.browser.conftest import open_notebook, run_all
from tests.browser.test_run_details_browser import _write_notebook

RUNS = 1200

# The running children log values above every finished child's, so they lead the curves while they stream.
STREAM = """
import threading, time
from hdnotebook import *
run = HyperDriveRun(Experiment(Workspace.from_config(), "bench"), {run_id!r})
RunDetails(run).show()

def stream(store=run._need_store(), children=[f"{{run.id}}_{{i}}" for i in range({first}, {runs})]):
    for k in range(120):
        store.apply_events([{{"op": "metric", "run": c, "name": "accuracy", "kind": "scalar", "value": 1.5 + k / 1000,
                              "t": time.time()}} for c in children])
        time.sleep(0.25)

threading.Thread(target=stream, daemon=True).start()
"""

CURVES = "document.querySelector(\"[data-testid='curves']\")"

# Whether the chart's screenshot has coloured (line) pixels half-way between each pair of neighbouring axes: the
# PNG is decoded by the page itself (no imaging library here), the lines are Viridis, the axes and text grey.
DECODE = """async ([png, xs, top, bottom]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = Object.assign(document.createElement("canvas"), { width: image.width, height: image.height });
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  return xs.map((x) => {
    const { data } = context.getImageData(Math.round(x), top, 1, bottom - top);
    let colored = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) colored += 1;
    }
    return colored >= 3;
  });
}"""


def _colored_columns_between_axes(page) -> list[bool]:
    import base64

    chart = page.locator("[data-testid='params-chart']")
    origin = chart.bounding_box()
    axes = [b for b in (a.bounding_box() for a in chart.locator("[data-testid='parcoords-axis']").all()) if b]
    xs = sorted(b["x"] + b["width"] / 2 - origin["x"] for b in axes)
    middles = [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    top = int(min(b["y"] for b in axes) - origin["y"]) + 5
    bottom = int(max(b["y"] + b["height"] for b in axes) - origin["y"]) - 5
    png = base64.b64encode(chart.screenshot()).decode()
    return page.evaluate(DECODE, [png, middles, top, bottom])


def test_big_sweep_curves_grow_in_place_and_parcoords_draw_every_run(lab, page) -> None:
    run = synthetic_sweep(Workspace(lab.root), RUNS, 10, running=3)
    _write_notebook(lab.root / "big.ipynb", [STREAM.format(run_id=run.id, first=RUNS - 3, runs=RUNS)])
    open_notebook(page, lab, "big.ipynb")
    run_all(page)
    widget = page.locator("[data-testid='hdnotebook-run-details']")

    expect(widget.locator("[data-testid='parcoords']")).to_have_attribute("data-lines", str(RUNS), timeout=120_000)
    page.wait_for_timeout(1500)
    assert _colored_columns_between_axes(page) == [True] * 3, "lines are drawn between every pair of axes"

    # the running children lead the curves once their streamed values arrive
    page.wait_for_function(f"() => {{ const p = {CURVES}; return p && p.data && p.data.length &&"
                           " p.data.filter(t => Math.max(...t.y) > 1.4).length === 3; }", timeout=60_000)
    page.wait_for_timeout(1000)  # past the re-plot that brought them to the top
    before = page.evaluate(f"() => {{ window.__traces = [...{CURVES}.data]; return window.__traces.map(t => t.y.length); }}")
    page.wait_for_function(f"(n) => {CURVES}.data.reduce((s, t) => s + t.y.length, 0) >= n + 9", arg=sum(before),
                           timeout=30_000)
    same = page.evaluate(f"() => {CURVES}.data.every((t, i) => t === window.__traces[i])")
    grown = page.evaluate(f"() => {CURVES}.data.map(t => t.y.length)")
    assert same, "the traces were re-plotted, not extended"
    assert sum(grown) >= sum(before) + 9 and len(grown) == len(before)
