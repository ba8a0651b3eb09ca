"""hdnotebook.plot: plotly figures of real sweeps (function children, a Bandit policy) that look like the widget's charts."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from hdnotebook import (
    BanditPolicy,
    Experiment,
    HyperDriveConfig,
    HyperDriveRun,
    RandomParameterSampling,
    Workspace,
    choice,
    loguniform,
    uniform,
)
from hdnotebook.results.charts import CUTOFF_COLOUR, PALETTE
from tests import plot_children
from tests.conftest import PYTHON, python_env

SPACE = {"lr": loguniform(-9, -2), "dropout": uniform(0, 0.5), "width": choice(16, 32, 64), "act": choice("relu", "tanh")}
SLACK = 0.05
RUNS = 12


def _submit(folder: Path, metric: str, goal: str, runs: int) -> HyperDriveRun:
    config = HyperDriveConfig(run_config=plot_children.trained, hyperparameter_sampling=RandomParameterSampling(SPACE, seed=3),
                              primary_metric_name=metric, primary_metric_goal=goal, max_total_runs=runs, max_concurrent_runs=4,
                              policy=BanditPolicy(evaluation_interval=1, slack_factor=SLACK, delay_evaluation=2))
    run = Experiment(Workspace(folder), "plots").submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    return run


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> HyperDriveRun:
    """12 runs maximizing accuracy, with uniform, loguniform and choice hyperparameters."""
    return _submit(tmp_path_factory.mktemp("plots"), "accuracy", "maximize", RUNS)


def _best(run: HyperDriveRun, goal=max) -> dict[int, float]:
    return {int(run_id.rsplit("_", 1)[1]): goal(m["accuracy" if goal is max else "loss"])
            for run_id, m in run.get_metrics().items()}


@pytest.mark.timeout(180)
def test_curves_draw_the_best_five_in_the_palette_and_the_bandit_cutoff(sweep: HyperDriveRun) -> None:
    from hdnotebook import plot

    fig = plot.curves(sweep)
    best = _best(sweep)
    ranked = sorted(best, key=lambda n: (-best[n], n))
    assert [t.name for t in fig.data] == [f"#{n}" for n in ranked], "one line per run, best first"
    assert all(t.type == "scatter" and t.mode == "lines+markers" for t in fig.data)
    assert [t.visible for t in fig.data] == [True] * 5 + ["legendonly"] * (RUNS - 5)
    assert [t.line.color for t in fig.data] == [PALETTE[i % 10] for i in range(RUNS)]
    metrics = sweep.get_metrics()
    first = fig.data[0]
    assert list(first.y) == pytest.approx(metrics[f"{sweep.id}_{ranked[0]}"]["accuracy"], rel=1e-5)
    assert list(first.x) == list(range(1, len(first.y) + 1))
    (line,) = fig.layout.shapes
    assert line.line.dash == "dash" and line.line.color == CUTOFF_COLOUR and line.xref == "paper"
    longest = max(len(m["accuracy"]) for m in metrics.values())
    leader = max(max(m["accuracy"]) for m in metrics.values() if len(m["accuracy"]) == longest)
    assert line.y0 == line.y1 == pytest.approx(leader / (1 + SLACK), rel=1e-5), "Bandit: the leader / (1 + slack_factor)"
    assert fig.layout.annotations[0].text.startswith(f"- - Bandit cutoff at interval {longest}: ")
    assert fig.layout.title.text == "accuracy per interval (primary metric)"
    assert fig.layout.xaxis.title.text == "interval" and fig.layout.yaxis.title.text == "accuracy"

    loss = plot.curves(sweep, "loss", all_runs=True)
    assert loss.layout.shapes == () and loss.layout.title.text == "loss per interval", "the cutoff is the primary metric's"
    assert all(t.visible is True for t in loss.data) and len(loss.data) == RUNS
    assert list(loss.data[0].y) == pytest.approx(metrics[f"{sweep.id}_{ranked[0]}"]["loss"], rel=1e-5)
    with pytest.raises(ValueError, match=r"metric must be a metric the sweep's runs logged: one of \['accuracy', 'loss'\], got 'acc'"):
        plot.curves(sweep, "acc")


@pytest.mark.timeout(180)
def test_parallel_coordinates_have_log10_and_choice_axes_and_viridis_lines(sweep: HyperDriveRun) -> None:
    from hdnotebook import plot

    fig = plot.parallel_coordinates(sweep)
    (trace,) = fig.data
    assert trace.type == "parcoords"
    dims = {d.label: d for d in trace.dimensions}
    assert list(dims) == ["lr (log10)", "dropout", "width", "act", "accuracy"]
    assert all(d.values is not None and len(d.values) == RUNS for d in trace.dimensions)
    rows = list(zip(*(dims[k].values for k in dims)))
    params = {c.id: c.get_details()["runDefinition"]["kwargs"] for c in sweep.get_children()}
    assert sorted(round(10 ** r[0], 12) for r in rows) == sorted(round(p["lr"], 12) for p in params.values()), "log10 of lr"
    assert dims["width"].ticktext == ("16", "32", "64") and dims["width"].tickvals == (0, 1, 2)
    assert dims["width"].range == (-0.5, 2.5)
    assert dims["act"].ticktext == ("relu", "tanh")
    assert sorted(dims["width"].values) == sorted([16, 32, 64].index(p["width"]) for p in params.values())
    assert list(trace.line.color) == list(dims["accuracy"].values)
    assert trace.line.reversescale is False and trace.line.showscale is True
    assert trace.line.colorscale[0][1].lower() in ("#440154", "rgb(68,1,84)") and trace.line.colorscale[-1][1].lower() in (
        "#fde725", "rgb(253,231,37)"), "Viridis, dark to yellow"


@pytest.mark.timeout(180)
def test_scatter_puts_loguniform_on_log_axes_and_choices_on_ticks(sweep: HyperDriveRun) -> None:
    from hdnotebook import plot

    fig = plot.scatter(sweep, "lr", "accuracy")
    (trace,) = fig.data
    assert trace.type == "scatter" and trace.mode == "markers"
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.exponentformat == "power"
    assert all(x > 0 for x in trace.x) and fig.layout.yaxis.type in (None, "-", "linear")
    lr = sorted(c.get_details()["runDefinition"]["kwargs"]["lr"] for c in sweep.get_children())
    assert sorted(trace.x) == pytest.approx(lr), "a log axis takes the values themselves"
    assert list(trace.marker.color) == list(trace.y) and trace.marker.reversescale is False

    choices = plot.scatter(sweep, "width", "act")
    assert choices.layout.xaxis.tickvals == (0, 1, 2) and choices.layout.xaxis.ticktext == ("16", "32", "64")
    assert choices.layout.yaxis.ticktext == ("relu", "tanh") and set(choices.data[0].y) <= {0, 1}

    three = plot.scatter(sweep, "lr", "width", z="accuracy")
    assert three.data[0].type == "scatter3d" and three.layout.scene.xaxis.type == "log"
    assert three.layout.scene.yaxis.ticktext == ("16", "32", "64") and len(three.data[0].z) == RUNS
    for argument, call in (("x", lambda: plot.scatter(sweep, "rate", "accuracy")),
                           ("y", lambda: plot.scatter(sweep, "lr", "loss")),
                           ("z", lambda: plot.scatter(sweep, "lr", "width", z="depth"))):
        with pytest.raises(ValueError, match=rf"^{argument} must be a hyperparameter or the primary metric: one of "
                                             r"\['lr', 'dropout', 'width', 'act', 'accuracy'\]"):
            call()


@pytest.mark.timeout(180)
def test_history_shows_each_run_and_a_monotone_best_so_far(sweep: HyperDriveRun) -> None:
    from hdnotebook import plot

    fig = plot.history(sweep)
    values, best_line = fig.data
    best = _best(sweep)
    assert list(values.x) == sorted(best) and list(values.y) == pytest.approx([best[n] for n in sorted(best)], rel=1e-5)
    assert list(best_line.x) == list(values.x) and best_line.line.shape == "hv"
    assert all(b >= a for a, b in zip(best_line.y, best_line.y[1:])), "never worse (maximize)"
    assert list(best_line.y) == pytest.approx([max(values.y[:k + 1]) for k in range(len(values.y))])
    assert best_line.y[-1] == pytest.approx(sweep.get_best_run_by_primary_metric().get_metrics()["accuracy"][-1], rel=1e-5)
    assert (values.marker.color, best_line.line.color) == PALETTE[:2]


@pytest.mark.timeout(180)
def test_figures_serialise_and_save_as_html(sweep: HyperDriveRun, tmp_path: Path) -> None:
    from hdnotebook import plot

    for name, fig in {"curves": plot.curves(sweep), "parcoords": plot.parallel_coordinates(sweep),
                      "scatter": plot.scatter(sweep, "lr", "width", "accuracy"), "history": plot.history(sweep)}.items():
        assert json.loads(fig.to_json())["data"], name
        fig.update_layout(title_text=f"custom {name}")  # a plain Figure: customisable
        fig.write_html(tmp_path / f"{name}.html", include_plotlyjs="cdn")
        page = (tmp_path / f"{name}.html").read_text()
        assert f"custom {name}" in page and "Plotly.newPlot" in page
        assert fig.layout.paper_bgcolor == "#ffffff" and fig.layout.font.color == "#222222"


@pytest.mark.timeout(240)
def test_a_sweep_that_minimizes_reverses_the_colours_and_the_best_so_far(tmp_path: Path) -> None:
    from hdnotebook import plot

    run = _submit(tmp_path, "loss", "minimize", 5)
    history = plot.history(run).data[1].y
    assert all(b <= a for a, b in zip(history, history[1:])) and history[-1] == pytest.approx(min(_best(run, min).values()), rel=1e-5)
    assert plot.parallel_coordinates(run).data[0].line.reversescale is True
    assert plot.scatter(run, "dropout", "loss").data[0].marker.reversescale is True
    (line,) = plot.curves(run).layout.shapes
    metrics = run.get_metrics()
    longest = max(len(m["loss"]) for m in metrics.values())
    leader = min(min(m["loss"]) for m in metrics.values() if len(m["loss"]) == longest)
    assert line.y0 == pytest.approx(leader * (1 + SLACK), rel=1e-5), "minimize: the leader * (1 + slack_factor)"


def test_the_palette_is_plotly_js_default_colorway() -> None:
    from plotly.offline import get_plotlyjs

    found = re.search(r'\.defaults=(\["#1f77b4"[^\]]*\])', get_plotlyjs())
    assert found and tuple(json.loads(found.group(1))) == PALETTE, "the widget's curves take plotly.js's colorway"


def test_a_run_that_is_not_a_sweep_is_refused(tmp_path: Path) -> None:
    from hdnotebook import plot

    run = Experiment(Workspace(tmp_path), "plots").start_logging()
    run.log("accuracy", 0.5)
    run.complete()
    with pytest.raises(TypeError, match="run must be a HyperDriveRun"):
        plot.curves(run)


@pytest.mark.timeout(60)
def test_importing_hdnotebook_does_not_import_plotly() -> None:
    code = ("import sys, hdnotebook; assert 'plotly' not in sys.modules; import hdnotebook.plot; "
            "assert 'plotly.graph_objects' not in sys.modules; assert hdnotebook.plot.history is not None; print('ok')")
    out = subprocess.run([PYTHON, "-c", code], env=python_env(), capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def _store_sweep(folder: Path, curves: dict[str, list[float]], running: set[str]) -> HyperDriveRun:
    """A sweep written straight into a store (parent Running): one child per curve, a Bandit policy."""
    workspace = Workspace(folder)
    store = workspace._store
    sampler = RandomParameterSampling({"lr": loguniform(-9, -2)}, seed=0)
    store.create_run("HD_t", "plots", "hyperdrive", status="Running", config={
        "generator_config": sampler.to_json(), "primary_metric_config": {"name": "accuracy", "goal": "maximize"},
        "policy_config": BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=0).to_json(),
        "max_total_runs": len(curves), "max_concurrent_runs": 2, "max_duration_minutes": 60})
    for i, (name, values) in enumerate(curves.items()):
        store.create_run(name, "plots", "hdnotebook.function", parent_id="HD_t", child_index=i, status="Running",
                         hyperparameters={"lr": 10.0 ** -(i + 3)})
        store.apply_events([{"op": "metric", "run": name, "name": "accuracy", "kind": "scalar", "value": v, "t": 0.0}
                            for v in values])
        if name not in running:
            store.set_status(name, "Completed")
    return HyperDriveRun(Experiment(workspace, "plots"), "HD_t")


@pytest.mark.timeout(60)
def test_the_cutoff_is_the_widgets_while_running_and_over_all_runs_once_ended(tmp_path: Path) -> None:
    from hdnotebook import plot
    from hdnotebook.widget.tracker import SweepTracker

    run = _store_sweep(tmp_path, {"HD_t_0": [0.5, 0.6, 0.9, 0.95, 0.97], "HD_t_1": [0.4, 0.5, 0.6], "HD_t_2": [0.3]},
                       running={"HD_t_1"})
    (line,) = plot.curves(run).layout.shapes
    widget = SweepTracker(run).snapshot()["run"]["threshold"]
    assert widget["interval"] == 3 and line.y0 == widget["value"] == pytest.approx(0.9 / 1.1, rel=1e-5), \
        "the running run's interval 3: the leader's best by then, 0.9, over 1 + slack_factor"
    assert "Bandit cutoff at interval 3: 0.818182" in plot.curves(run).layout.annotations[0].text

    store = run._need_store()
    store.set_status("HD_t_1", "Completed")
    store.set_status("HD_t", "Completed")
    assert SweepTracker(run).snapshot()["run"]["threshold"] is None, "the widget draws no cutoff once nothing runs"
    (line,) = plot.curves(run).layout.shapes
    assert line.y0 == pytest.approx(0.97 / 1.1, rel=1e-5), "an ended sweep: the cutoff at the longest run's last interval"


@pytest.mark.timeout(120)
def test_parallel_coordinates_draw_the_best_1000_runs(tmp_path: Path) -> None:
    from benchmarks.widget import synthetic_sweep
    from hdnotebook import plot

    run = synthetic_sweep(Workspace(tmp_path), runs=1100, values=3)
    fig = plot.parallel_coordinates(run)
    metric = fig.data[0].dimensions[-1]
    assert len(metric.values) == 1000 and "the best 1000 of 1100 runs" in fig.layout.title.text
    everything = sorted((max(m["accuracy"]) for m in run.get_metrics().values()), reverse=True)
    assert min(metric.values) == pytest.approx(everything[999], rel=1e-5), "the best ones are kept"
    assert [d.label for d in fig.data[0].dimensions] == ["--lr (log10)", "--depth", "--dropout", "accuracy"]


@pytest.mark.timeout(60)
def test_a_warm_started_sweep_shows_its_parents_runs_but_its_history_is_its_own(tmp_path: Path) -> None:
    from hdnotebook import plot

    parent = _store_sweep(tmp_path, {"HD_t_0": [0.5, 0.9], "HD_t_1": [0.4, 0.6]}, running=set())
    store = parent._need_store()
    config = {**store.get_run("HD_t").config, "resume_from": ["HD_t"]}
    store.create_run("HD_w", "plots", "hyperdrive", status="Completed", config=config)
    store.create_run("HD_w_0", "plots", "hdnotebook.function", parent_id="HD_w", child_index=0, status="Completed",
                     hyperparameters={"lr": 1e-4})
    store.apply_events([{"op": "metric", "run": "HD_w_0", "name": "accuracy", "kind": "scalar", "value": 0.7, "t": 0.0}])
    run = HyperDriveRun(Experiment(Workspace(tmp_path), "plots"), "HD_w")
    assert [t.name for t in plot.curves(run).data] == ["↩0", "#0", "↩1"], "ranked by best: 0.9, 0.7, 0.6"
    assert len(plot.parallel_coordinates(run).data[0].dimensions[0].values) == 3
    values, best = plot.history(run).data
    assert list(values.x) == [0] and list(best.y) == [0.7]
