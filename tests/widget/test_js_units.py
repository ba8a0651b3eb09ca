"""Pure functions of the front end (js/src), run by node on the real modules: the sweep's time left,
the curves' title and legend note, the scatter charts' default axes, the grouping of run arguments."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import REPO

SRC = REPO / "js" / "src"


def _node(script: str) -> object:
    node = shutil.which("node")
    assert node, "node is needed for the front end (scripts/test.sh installs the front end's build tool with npm)"
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, cwd=REPO / "js")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _eta(run: dict, runs: list[dict], now: float = 100.0) -> float | None:
    script = f"""
import {{ eta }} from "{(SRC / 'state.js').as_uri()}";
console.log(JSON.stringify(eta({json.dumps({'run': run, 'runs': runs})}, {now})));
"""
    return _node(script)


def _row(status: str, start: float | None, end: float | None, count: int, **extra) -> dict:
    return {"status": status, "start": start, "end": end, "count": count, **extra}


def test_time_left_with_early_termination_uses_the_runs_that_went_their_full_length() -> None:
    # The case: two runs stopped early at interval 5 made the median 5 s, and the run at
    # interval 12 of 30 (12 s in) was given 0:00:00 left. A full run takes 30 s: 18 s are left.
    runs = [_row("Completed", 0, 30, 30), _row("Canceled", 30, 35, 5), _row("Canceled", 35, 40, 5),
            _row("Running", 88, None, 12)]
    assert _eta({"status": "Running", "max_total": 4, "max_concurrent": 2}, runs) == pytest.approx(18)


def test_time_left_counts_the_remaining_budget_over_the_slots() -> None:
    # 2 slots: one frees in 18 s, one is free; three runs of the budget (30 s each) are still to come:
    # slot A 0 -> 30 -> 60, slot B 18 -> 48. The last ends in 60 s.
    runs = [_row("Completed", 0, 30, 30), _row("Completed", 30, 60, 30), _row("Running", 88, None, 12)]
    assert _eta({"status": "Running", "max_total": 6, "max_concurrent": 2}, runs) == pytest.approx(60)
    # a queued run (not started) takes a slot like a run of the budget
    queued = runs + [_row("Queued", None, None, 0)]
    assert _eta({"status": "Running", "max_total": 6, "max_concurrent": 2}, queued) == pytest.approx(60)
    assert _eta({"status": "Running", "max_total": 7, "max_concurrent": 2}, queued) == pytest.approx(78)


def test_time_left_without_an_interval_count_uses_the_elapsed_time() -> None:
    runs = [_row("Completed", 0, 30, 0), _row("Running", 90, None, 0)]
    assert _eta({"status": "Running", "max_total": 2, "max_concurrent": 1}, runs) == pytest.approx(20)


def test_time_left_is_unknown_until_a_run_went_its_full_length_and_zero_when_the_sweep_ended() -> None:
    stopped = [_row("Canceled", 0, 5, 5), _row("Running", 90, None, 10)]
    assert _eta({"status": "Running", "max_total": 4, "max_concurrent": 2}, stopped) is None
    assert _eta({"status": "Completed", "max_total": 2, "max_concurrent": 2}, stopped) == 0
    # runs inherited from a warm-start parent are not this sweep's measure
    inherited = [_row("Completed", 0, 300, 30, inherited="HD_parent"), _row("Running", 90, None, 10)]
    assert _eta({"status": "Running", "max_total": 1, "max_concurrent": 1}, inherited) is None


def test_chart_texts_and_default_axes() -> None:
    script = f"""
import {{ curvesTitle, legendText, scatterDefaults }} from "{(SRC / 'charts.js').as_uri()}";
import {{ argumentGroups }} from "{(SRC / 'details.js').as_uri()}";
console.log(JSON.stringify({{
  titles: [curvesTitle("accuracy", true), curvesTitle("loss", false)],
  legend: [legendText(8, false), legendText(3, false), legendText(1, false), legendText(60, false), legendText(60, true)],
  axes: [scatterDefaults(["lr", "depth", "acc"], "acc", false), scatterDefaults(["lr", "depth", "acc"], "acc", true),
         scatterDefaults(["lr", "acc"], "acc", true)],
  args: argumentGroups(["--eta0", "0.01", "--loss", "hinge", "--verbose", "--shift", "-1", "data.csv"]),
}}));
"""
    out = _node(script)
    assert out["titles"] == ["accuracy per interval (primary metric)", "loss per interval"]
    assert out["legend"] == ["(top 5 shown, the next 3 in the legend)", "(3 runs shown)", "(1 run shown)",
                             '(top 5 shown, the next 45 in the legend, 10 more with "all runs")', "(60 runs shown)"]
    assert out["axes"] == [["lr", "acc"], ["lr", "depth", "acc"], ["lr", "acc", "acc"]]
    assert out["args"] == ["--eta0 0.01", "--loss hinge", "--verbose", "--shift -1", "data.csv"]


def test_parallel_coordinates_axes_colours_and_brush_ranges() -> None:
    script = f"""
import {{ axisDomain, colorPosition, insideRanges }} from "{(SRC / 'parcoords.js').as_uri()}";
const dims = [{{ label: "lr" }}, {{ label: "depth", range: [-0.5, 2.5] }}, {{ label: "acc" }}];
console.log(JSON.stringify({{
  domains: [axisDomain(dims[0], [3, 1, NaN, 2]), axisDomain(dims[1], [0, 1]), axisDomain(dims[0], [5, 5]),
            axisDomain(dims[0], [0, 0]), axisDomain(dims[0], [undefined])],
  colors: [colorPosition(0.9, [0.5, 0.9], false), colorPosition(0.9, [0.5, 0.9], true), colorPosition(0.7, [0.5, 0.9], false),
           colorPosition(0.7, [0.7, 0.7], false)],
  inside: [insideRanges([1, 0, 0.8], dims, {{}}), insideRanges([1, 0, 0.8], dims, {{ lr: [0.5, 1.5] }}),
           insideRanges([1, 0, 0.8], dims, {{ lr: [0.5, 1.5], acc: [0.9, 1] }}),
           insideRanges([1, 2, 0.8], dims, {{ depth: [[-0.5, 0.5], [1.5, 2.5]] }}),
           insideRanges([1, 1, 0.8], dims, {{ depth: [[-0.5, 0.5], [1.5, 2.5]] }}),
           insideRanges([1, 1, 0.8], dims, {{ lr: [1.5, 0.5] }})],
}}));
"""
    out = _node(script)
    # numbers: their extent (NaN left out); categories: the axis's own range; one value: widened around it
    assert out["domains"] == [[1, 3], [-0.5, 2.5], [4.5, 5.5], [-1, 1], [0, 1]]
    # the best value is yellow (1) whether the goal is to maximize or minimize
    assert out["colors"][:2] == [1, 0] and abs(out["colors"][2] - 0.5) < 1e-9 and out["colors"][3] == 1
    assert out["inside"] == [True, True, False, True, False, True]
