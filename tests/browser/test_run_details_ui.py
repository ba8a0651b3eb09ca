"""RunDetails as a new user meets it, in JupyterLab with headless Chromium at 1440 px with the file browser
open: the table fits its pane (hyperparameters visible, controls outside the scrolling part, chosen
columns and page size), the run details (selected row, log tail at its end, unbroken arguments), the
charts (titles, legend note, cutoff label, brush clearing, scatter axes, the empty message), a first
render from an empty snapshot, and charts that follow JupyterLab's dark theme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    add_and_run_cell,
    brush_first_axis,
    open_notebook,
    run_all,
    start_lab,
    stop_lab,
)
from tests.browser.test_run_details_browser import _write_notebook

WIDGET = "[data-testid='hdnotebook-run-details']"

SWEEP = """
import math, time
from hdnotebook import *
ws = Workspace.from_config()

def train(lr, depth, kind):
    run = Run.get_context()
    for k in range(1, 31):
        time.sleep(0.3)
        print(f"interval {k}: training with lr={lr} depth={depth} kind={kind}", flush=True)
        run.log("accuracy", 1 - math.exp(-k * lr * depth / 10) * (0.5 if kind == "a" else 0.7))
        run.log("loss", math.exp(-k * lr))
    print("finished", flush=True)

space = {"--lr": loguniform(-3, 0), "--depth": choice(2, 4, 8), "--kind": choice("a", "b", "c")}
config = HyperDriveConfig(run_config=train, hyperparameter_sampling=RandomParameterSampling(space, seed=3),
                          primary_metric_name="accuracy", primary_metric_goal="maximize",
                          policy=BanditPolicy(evaluation_interval=1, slack_factor=0.05, delay_evaluation=8),
                          max_total_runs=12, max_concurrent_runs=3)
run = Experiment(ws, "ui").submit(config)
"""


@pytest.fixture
def wide_page(browser):
    """A 1440 px wide page (the width the defects were seen at)."""
    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def _open_file_browser(page) -> None:
    if not page.locator("#filebrowser").is_visible():
        page.click(".jp-SideBar [data-id='filebrowser']")
    expect(page.locator("#filebrowser")).to_be_visible()


def _brush_first_axis(page, widget) -> None:
    brush_first_axis(page, widget, 0.05, 0.06)
    expect(widget.locator("[data-testid='brush-note']")).to_be_visible()


def test_sweep_dashboard_as_a_new_user_sees_it(lab, wide_page) -> None:
    page = wide_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _write_notebook(lab.root / "ui.ipynb", [SWEEP, "RunDetails(run).show()"])
    open_notebook(page, lab, "ui.ipynb")
    _open_file_browser(page)
    run_all(page)
    widget = page.locator(WIDGET)
    expect(widget).to_be_visible(timeout=60_000)

    # Before any child has logged: the message; once the chart is drawn, no message under it.
    empty = widget.locator("[data-testid='params-empty']")
    expect(widget.locator("[data-testid='params-chart'] [data-testid='parcoords-axis']").nth(3)).to_be_attached(timeout=60_000)
    expect(empty).to_be_hidden()
    assert widget.locator("[data-testid='params-chart']").get_by_text("No run has logged").count() == 0

    # The policy's cutoff label lies above the plot area (in the margin), not over the curves.
    geometry = page.wait_for_function("""() => {
        const plot = document.querySelector("[data-testid='curves']");
        const note = plot && plot.querySelector(".annotation");
        if (!note || !note.textContent.includes("cutoff")) return null;
        const area = plot.querySelector(".nsewdrag").getBoundingClientRect();
        const label = note.getBoundingClientRect();
        return {labelBottom: label.bottom, areaTop: area.top, text: note.textContent};
    }""", timeout=90_000).json_value()
    assert geometry["labelBottom"] <= geometry["areaTop"] + 1, geometry
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "run-details-ui-live.png"))

    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=120_000)
    rows = widget.locator("[data-testid='run-row']")
    expect(widget.locator("[data-testid='row-count']")).to_have_text("12 of 12 runs")
    assert errors == []

    # Every hyperparameter column lies inside the visible part of the table, in a notebook pane
    # narrowed by the open file browser; only the table scrolls sideways, never its controls.
    scroller = widget.locator("[data-testid='table-scroll']")
    visible = scroller.bounding_box()
    panel = page.locator(".jp-NotebookPanel").bounding_box()
    headers = widget.locator("th[data-column^='param:']")
    expect(headers).to_have_count(3)
    for k in range(3):
        box = headers.nth(k).bounding_box()
        assert box["x"] + box["width"] <= min(visible["x"] + visible["width"], panel["x"] + panel["width"]) + 1, (k, box, visible)
    assert scroller.locator("[data-testid='status-filter'], [data-testid='row-count'], [data-testid='pager']").count() == 0
    controls_before = widget.locator("[data-testid='status-filter']").bounding_box()
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert widget.locator("[data-testid='status-filter']").bounding_box() == controls_before

    # Long cells ("Stopped because") are cut to their column, with the whole text as a tooltip.
    widget.locator("[data-testid='status-filter']").select_option("Canceled")
    expect(rows.first).to_be_visible()
    clipped = widget.locator("[data-testid='run-row'] td.hdnb-clip[title]").last
    assert clipped.get_attribute("title")
    assert clipped.evaluate("td => td.getBoundingClientRect().width") <= 14 * 13 + 14
    widget.locator("[data-testid='status-filter']").select_option("all")

    # The user chooses the columns and the page size.
    picker = widget.locator("[data-testid='column-picker']")
    picker.locator("summary").click()
    picker.locator("input[data-column='count']").uncheck()
    expect(widget.locator("th[data-column='count']")).to_have_count(0)
    picker.locator("input[data-column='start']").check()
    expect(widget.locator("th[data-column='start']")).to_have_count(1)
    picker.locator("summary").click()
    expect(rows).to_have_count(10)
    expect(widget.locator("[data-testid='pager']")).to_contain_text("Page 1 of 2")
    widget.locator("[data-testid='page-size']").select_option("25")
    expect(rows).to_have_count(12)
    expect(widget.locator("[data-testid='pager']")).to_contain_text("Page 1 of 1")

    # Run details: the row is highlighted, the log tail shows its end, arguments never break inside an option.
    row = rows.nth(2)
    run_id = row.get_attribute("data-run-id")
    row.click()
    details = widget.locator("[data-testid='run-details']")
    expect(details).to_contain_text(run_id)
    expect(widget.locator(f"[data-run-id='{run_id}']")).to_have_class(re.compile(r"\bhdnb-selected\b"))
    expect(widget.locator("tr.hdnb-selected")).to_have_count(1)
    tail = details.locator("[data-testid='run-log-tail']")
    expect(tail).to_contain_text("interval")
    assert "(no output yet)" not in tail.inner_text()
    at_end = tail.evaluate("el => el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 2")
    assert at_end, "the log tail should open scrolled to its end"
    args = details.locator("[data-testid='run-arguments'] .hdnb-arg")
    expect(args.first).to_contain_text("--")
    texts = args.all_inner_texts()
    assert any(re.fullmatch(r"--lr \S+", t) for t in texts), texts
    details.evaluate("el => { el.style.width = '160px'; }")  # a pane so narrow that the arguments wrap
    assert args.evaluate_all("els => els.every((e) => e.getClientRects().length === 1)")
    details.evaluate("el => { el.style.width = ''; }")
    details.locator("[data-testid='close-details']").click()
    expect(widget.locator("tr.hdnb-selected")).to_have_count(0)

    # Curves: the title names the metric shown; the legend note counts the runs there are.
    title = widget.locator("[data-testid='curves'] .gtitle")
    expect(title).to_have_text("accuracy per interval (primary metric)")
    expect(widget.locator("[data-testid='legend-note']")).to_have_text("(top 5 shown, the next 7 in the legend)")
    widget.locator("[data-testid='metric-picker']").select_option("loss")
    expect(title).to_have_text("loss per interval")

    # A brush filters the table until "Clear brush"; switching to a scatter chart clears it too.
    count = widget.locator("[data-testid='row-count']")
    _brush_first_axis(page, widget)
    expect(count).not_to_have_text("12 of 12 runs")
    widget.locator("[data-testid='clear-brush']").click()
    expect(widget.locator("[data-testid='brush-note']")).to_be_hidden()
    expect(count).to_have_text("12 of 12 runs")
    _brush_first_axis(page, widget)
    expect(count).not_to_have_text("12 of 12 runs")
    widget.locator("[data-testid='chart-kind']").select_option("2d")
    expect(widget.locator("[data-testid='brush-note']")).to_be_hidden()
    expect(count).to_have_text("12 of 12 runs")

    # 2-D then 3-D: the metric on one axis only, the hyperparameters on the others.
    chart = widget.locator("[data-testid='params-chart']")
    expect(chart.locator(".scatterlayer .trace")).to_be_attached()
    assert [widget.locator(f"[data-testid='axis-{n}']").input_value() for n in "xy"] == ["--lr", "accuracy"]
    widget.locator("[data-testid='chart-kind']").select_option("3d")
    expect(chart.locator(".gl-container")).to_be_attached()
    picked = [widget.locator(f"[data-testid='axis-{n}']").input_value() for n in "xyz"]
    assert picked == ["--lr", "--depth", "accuracy"], picked
    assert chart.evaluate("c => c.querySelector('.js-plotly-plot')._fullLayout.scene.aspectmode") == "cube"  # the metric's axis is not squashed
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    chart.screenshot(path=str(ARTIFACTS / "run-details-ui-3d.png"))
    widget.locator("[data-testid='chart-kind']").select_option("2d")
    assert [widget.locator(f"[data-testid='axis-{n}']").input_value() for n in "xy"] == ["--lr", "accuracy"]
    widget.locator("[data-testid='chart-kind']").select_option("parcoords")
    page.screenshot(path=str(ARTIFACTS / "run-details-ui-1440.png"), full_page=True)
    assert errors == []


FIRST_RENDER = """
import functools, time
from hdnotebook import *
from hdnotebook.widget.widget import RunDetailsWidget

def fit(epochs):
    run = Run.get_context()
    for i in range(epochs):
        run.log("loss", 1 / (i + 1))
        print("epoch", i, flush=True)

class SlowToAnswer(RunDetailsWidget):
    def _resync(self):
        time.sleep(4)  # the view's hello brings a resync, late (hello is answered even while a cell runs)
        super()._resync()

run = Experiment(Workspace.from_config(), "first").submit(functools.partial(fit, 3))
run.wait_for_completion()
w = SlowToAnswer(run)
w.snapshot = {}
display(w)
"""


def test_first_render_from_an_empty_snapshot_and_out_of_order_messages(lab, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _write_notebook(lab.root / "first.ipynb", [FIRST_RENDER])
    open_notebook(page, lab, "first.ipynb")
    run_all(page)
    widget = page.locator(WIDGET)
    expect(widget.locator("[data-testid='loading']")).to_be_visible(timeout=60_000)
    # When the kernel is free it answers the view's hello with a snapshot, and the view is built.
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=30_000)
    expect(widget.locator("[data-testid='loading']")).to_have_count(0)
    expect(widget.locator("[data-testid='run-log']")).to_contain_text("epoch 2")
    # An empty snapshot after the build is ignored; a delta out of order brings a resync.
    add_and_run_cell(page, "w.snapshot = {}\nw.send({'type': 'delta', 'delta': {'seq': w._tracker.seq + 5}})\nprint('sent')")
    expect(page.locator(".jp-OutputArea-output:has-text('sent')")).to_be_visible()
    page.wait_for_timeout(1500)
    expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed")
    expect(widget.locator("[data-testid='run-log']")).to_contain_text("epoch 2")
    assert errors == []


DARK = """
from hdnotebook import *
from tests.children import curve
config = HyperDriveConfig(run_config=curve, hyperparameter_sampling=GridParameterSampling(
                              {"values": choice("1,0.8,0.6,0.5", "2,1.5,1.2,1", "1.5,1,0.7,0.4")}),
                          primary_metric_name="loss", primary_metric_goal="minimize", max_total_runs=3, max_concurrent_runs=3)
run = Experiment(Workspace.from_config(), "dark").submit(config)
run.wait_for_completion()
RunDetails(run).show()
"""

COLORS = """() => {
    const w = document.querySelector("[data-testid='hdnotebook-run-details']");
    const title = w.querySelector("[data-testid='curves'] .gtitle");
    const tick = w.querySelector("[data-testid='curves'] .xtick text");
    const svg = w.querySelector("[data-testid='curves'] .main-svg");
    const scatter = w.querySelector("[data-testid='params-chart'] .ytick text");
    const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number); return (0.299 * r + 0.587 * g + 0.114 * b) / 255; };
    return {
        theme: document.body.dataset.jpThemeLight, dark: w.classList.contains("hdnb-dark"),
        title: lum(getComputedStyle(title).fill), tick: lum(getComputedStyle(tick).fill),
        scatter: lum(getComputedStyle(scatter).fill), text: lum(getComputedStyle(w).color),
        background: getComputedStyle(svg).backgroundColor,
    };
}"""


def _use_theme(page, name: str) -> None:
    page.click(".lm-MenuBar-item:has-text('Settings')")
    page.hover(".lm-Menu-item:has-text('Theme')")
    page.click(f".lm-Menu-item[data-command='apputils:change-theme']:has-text('{name}')")


def test_charts_follow_jupyterlab_dark_theme(browser, tmp_path) -> None:
    # A server of its own: the theme is a user setting, and the other tests' server must stay light.
    (tmp_path / "root").mkdir()
    (tmp_path / "state").mkdir()
    server = start_lab(tmp_path / "root", tmp_path / "state")
    try:
        expect.set_options(timeout=30_000)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        _write_notebook(server.root / "dark.ipynb", [DARK])
        open_notebook(page, server, "dark.ipynb")
        run_all(page)
        widget = page.locator(WIDGET)
        expect(widget.locator("[data-testid='run-status']")).to_have_text("Completed", timeout=90_000)
        expect(widget.locator("[data-testid='params-chart'] .ytick text").first).to_be_attached()
        light = page.evaluate(COLORS)
        assert light["theme"] == "true" and not light["dark"], light
        assert max(light["title"], light["tick"], light["scatter"], light["text"]) < 0.4, light
        assert light["background"] == "rgba(0, 0, 0, 0)", light

        _use_theme(page, "JupyterLab Dark")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        page.wait_for_function(f"() => ({COLORS})().title > 0.6", timeout=10_000)
        dark = page.evaluate(COLORS)
        assert dark["dark"], dark
        assert min(dark["title"], dark["tick"], dark["scatter"], dark["text"]) > 0.6, dark
        assert dark["background"] == "rgba(0, 0, 0, 0)", dark
        ARTIFACTS.mkdir(exist_ok=True)
        widget.screenshot(path=str(ARTIFACTS / "run-details-dark.png"))

        _use_theme(page, "JupyterLab Light")
        page.wait_for_function(f"() => ({COLORS})().title < 0.4", timeout=10_000)
        context.close()
    finally:
        stop_lab(server)


def _theme_page(browser, scheme: str):
    """A bare page (no Jupyter host) holding js/src/theme.js, in a browser whose colour scheme is ``scheme``."""
    from tests.conftest import REPO

    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    source = (REPO / "js" / "src" / "theme.js").read_text().replace("export function", "function")
    page.add_script_tag(content=source + "\nwindow.hdnbTheme = { isDark, chartColors, followTheme };")
    return context, page


def test_theme_of_other_hosts_vscode_and_the_browser_preference(browser) -> None:
    for scheme, expected in (("dark", True), ("light", False)):
        context, page = _theme_page(browser, scheme)
        try:
            # no host says: the browser's prefers-color-scheme
            assert page.evaluate("hdnbTheme.isDark()") is expected
            assert page.evaluate("hdnbTheme.chartColors(document.body).font") == ("#e0e0e0" if expected else "#222222")
            # VS Code's body class wins over the preference, JupyterLab's attribute over both
            assert page.evaluate("document.body.classList.add('vscode-dark'), hdnbTheme.isDark()") is True
            assert page.evaluate("document.body.classList.replace('vscode-dark', 'vscode-light'), hdnbTheme.isDark()") is False
            assert page.evaluate("document.body.dataset.jpThemeLight = 'false', hdnbTheme.isDark()") is True
            # a switch while open marks the widget's root again and redraws
            switched = page.evaluate("""() => new Promise((resolve) => {
                const root = document.createElement('div');
                let redraws = 0;
                hdnbTheme.followTheme(root, () => { redraws += 1; });
                const before = root.classList.contains('hdnb-dark');
                document.body.dataset.jpThemeLight = 'true';
                setTimeout(() => resolve([before, root.classList.contains('hdnb-dark'), redraws]), 800);
            })""")
            assert switched == [True, False, 2]
        finally:
            context.close()
