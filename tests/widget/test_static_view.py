"""The static RunDetails view (text/html with inline SVG) that saved notebooks show without a kernel."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.widget import synthetic_sweep
from hdnotebook import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    RunDetails,
    ScriptRunConfig,
    Workspace,
    choice,
)
from hdnotebook.widget import svg
from hdnotebook.widget.html import snapshot_html
from hdnotebook.widget.tracker import SweepTracker
from tests import children


def _self_contained(page: str) -> None:
    assert "<script" not in page.lower() and "http" not in page.lower(), "needs no JavaScript and no network"
    assert "class=" not in page.replace('class="hdnotebook-snapshot"', ""), "looks come from attributes, not CSS classes"


def test_a_finished_sweep_shows_status_counts_best_run_table_and_two_svg_charts(experiment: Experiment) -> None:
    config = HyperDriveConfig(run_config=children.quadratic,
                              hyperparameter_sampling=GridParameterSampling({"x": choice(0, 1, 3), "y": choice(0.5, 2)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=6, max_concurrent_runs=3)
    run = experiment.submit(config)
    run.wait_for_completion()
    page = RunDetails(run)._repr_mimebundle_()["text/html"]
    _self_contained(page)
    header = re.search(r'data-testid="static-header">(.*?)</div>', page).group(1)
    assert "<b>Status:</b> Completed" in header and "<b>Child runs:</b> 6 (Completed 6)" in header
    best = run.get_best_run_by_primary_metric()
    index = best.id.rsplit("_", 1)[1]
    assert f"<b>Best score:</b> -0.25 (run {index}, {best.id})" in header
    table = re.search(r'<table data-testid="static-table".*?</table>', page).group(0)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", table)
    assert len(rows) == 6 and rows[0] == (index, "-0.25"), "best run first"
    assert [float(v) for _, v in rows] == sorted((float(v) for _, v in rows), reverse=True)
    assert "<th align=\"left\">x</th><th align=\"left\">y</th>" in table, "every hyperparameter has a column"
    curves = re.search(r'<svg[^>]*data-testid="static-curves".*?</svg>', page).group(0)
    assert curves.count("<path d=\"M") >= 6 and "Run 0" in curves and "Run 5" in curves, "one line and legend entry per run"
    parcoords = re.search(r'<svg[^>]*data-testid="static-parcoords".*?</svg>', page).group(0)
    assert parcoords.count('stroke="#') == 6, "one coloured line per run"
    for title in (">x<", ">y<", ">score<"):
        assert title in parcoords, f"an axis {title}"


def test_a_hundred_run_sweep_is_light_capped_and_has_log_and_categorical_axes(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=100, values=300)
    run._need_store().set_status(run.id, "Completed")
    page = snapshot_html(SweepTracker(run).snapshot(), "k1")
    assert len(page.encode()) < 150_000
    assert page.count("<tr><td>") == 50 and "and 50 more runs" in page
    assert page.startswith('<div class="hdnotebook-snapshot hdnb-static-k1" data-hdnb-static="k1"')
    parcoords = re.search(r'<svg[^>]*data-testid="static-parcoords".*?</svg>', page).group(0)
    assert ">lr (log)<" in parcoords and ">0.01<" in parcoords, "a loguniform axis is log10, labelled with values"
    assert all(f">{v}<" in parcoords for v in (2, 4, 8, 16)), "a choice axis shows its choices as ticks"
    curves = re.search(r'<svg[^>]*data-testid="static-curves".*?</svg>', page).group(0)
    lines = re.findall(r'<path d="M([^"]*)" fill="none" stroke="#', curves)
    assert len(lines) == 10 and all(line.count("L") + 1 <= svg.MAX_POINTS for line in lines), "top 10, downsampled"


def test_parallel_coordinates_colour_the_best_runs_yellow_for_either_goal() -> None:
    axes = [svg.Axis("a", [1, 2]), svg.Axis("m", [0.1, 0.9])]
    for reverse in (False, True):
        chart = svg.parallel_coordinates(axes, [[1, 0.1], [2, 0.9]], [0.1, 0.9], reverse=reverse, title="t")
        colours = re.findall(r'stroke="(#[0-9a-f]{6})"/>', chart)
        assert colours[-1] == svg.viridis(1.0), "the best line is drawn last, in yellow"
        assert colours[0] == svg.viridis(0.0)


def test_a_static_key_that_could_break_the_markup_is_refused(tmp_path: Path) -> None:
    import pytest

    run = synthetic_sweep(Workspace(tmp_path), runs=1, values=1)
    with pytest.raises(ValueError, match="static_key must be"):
        snapshot_html(SweepTracker(run).snapshot(), 'x" onload="')


def test_nice_ticks_and_downsampling() -> None:
    assert svg.nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg.nice_ticks(-3.2, -0.1, 4) == [-3, -2, -1]
    points = svg.downsample(list(range(1000)))
    assert len(points) == svg.MAX_POINTS and points[0] == (1, 0.0) and points[-1] == (1000, 999.0)
    assert svg.downsample([None, 1.0, float("nan"), 2.0]) == [(2, 1.0), (4, 2.0)]


def test_a_single_run_shows_status_metrics_series_chart_and_log_tail(experiment: Experiment, write_script) -> None:
    src = write_script("""
from hdnotebook import Run
run = Run.get_context()
for k in range(5):
    run.log("loss", 1 / (k + 1))
run.log("note", "done")
print("the last line of the log")
""")
    run = experiment.submit(ScriptRunConfig(str(src), "train.py"))
    run.wait_for_completion()
    page = RunDetails(run)._repr_mimebundle_()["text/html"]
    _self_contained(page)
    assert "<b>Status:</b> Completed" in page
    assert "<tr><td>note</td><td>done</td></tr>" in page and "<tr><td>loss</td><td>0.2</td></tr>" in page
    assert re.search(r'<svg[^>]*data-testid="static-series"', page)
    assert "the last line of the log" in page
