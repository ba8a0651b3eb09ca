"""HyperDriveRun.to_dataframe and Run.metrics_dataframe on real sweeps and real store files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hdnotebook import (
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HyperDriveRun,
    RandomParameterSampling,
    UserErrorException,
    Workspace,
    choice,
    loguniform,
    randint,
    uniform,
)
from hdnotebook.results.dataframe import sweep_dataframe
from tests import children

SPACE = {"lr": loguniform(-6, -1), "depth": choice(2, 4), "act": choice("relu", "tanh"), "ratio": uniform(0, 1),
         "units": randint(50)}


def submit(experiment: Experiment, fn, space: dict, *, sampling=RandomParameterSampling, metric: str = "acc",
           goal: str = "maximize", total: int = 8, **kwargs) -> HyperDriveRun:
    config = HyperDriveConfig(run_config=fn, hyperparameter_sampling=sampling(space), primary_metric_name=metric,
                              primary_metric_goal=goal, max_total_runs=total, max_concurrent_runs=4, **kwargs)
    run = experiment.submit(config)
    run.wait_for_completion(raise_on_error=False)
    return run


@pytest.mark.timeout(180)
def test_one_row_per_child_with_native_dtypes_and_exact_metrics(experiment: Experiment) -> None:
    run = submit(experiment, children.results_child, SPACE, total=8)
    df = run.to_dataframe()
    kids = run.get_children()
    assert list(df["run_id"]) == [c.id for c in sorted(kids, key=lambda c: c.number)]
    assert list(df.columns) == ["run_id", "sweep_id", "child_index", "number", "status", "lr", "depth", "act", "ratio",
                                "units", "acc", "acc_last", "intervals", "start_time", "end_time", "duration_seconds",
                                "termination_reason"]
    dtypes = df.dtypes.astype(str).to_dict()
    assert {k: dtypes[k] for k in ("lr", "depth", "act", "ratio", "units", "acc", "intervals", "number")} == {
        "lr": "float64", "depth": "int64", "act": "object", "ratio": "float64", "units": "int64", "acc": "float64",
        "intervals": "int64", "number": "int64"}
    assert dtypes["start_time"] == "datetime64[ns, UTC]" and dtypes["duration_seconds"] == "float64"
    assert (df["sweep_id"] == run.id).all() and list(df["child_index"]) == list(range(8))
    assert set(df["status"]) == {"Completed"} and df["termination_reason"].isna().all()
    for row in df.itertuples(index=False):
        child = run.experiment.workspace.get_run(row.run_id)
        assert child.get_details()["runDefinition"]["kwargs"] == {"lr": row.lr, "depth": row.depth, "act": row.act,
                                                                  "ratio": row.ratio, "units": row.units}
        a = row.depth * row.ratio
        expected = (a, math.inf) if row.act == "tanh" else (a + 1, a + 0.5)
        assert (row.acc, row.acc_last, row.intervals) == (*expected, 3), "exact values, NaN/inf runs included"
        assert row.duration_seconds == pytest.approx((row.end_time - row.start_time).total_seconds(), abs=1e-6)  # ns timestamps
        assert 0 < row.duration_seconds < 60
    ranked = run.get_children_sorted_by_primary_metric()
    assert df.sort_values("acc", ascending=False)["run_id"].tolist()[:1] == [ranked[0]["run_id"]]
    assert df["acc"].max() == ranked[0]["best_primary_metric"]


@pytest.mark.timeout(180)
def test_all_metrics_min_max_last_and_a_runs_values(experiment: Experiment) -> None:
    run = submit(experiment, children.results_child, SPACE, total=4)
    df = run.to_dataframe(metrics="all")
    assert [c for c in df.columns if c.startswith(("loss", "note", "acc"))] == [
        "acc", "acc_last", "loss_min", "loss_max", "loss_last"], "a string metric has no numbers, no columns"
    assert (df["loss_min"] == df["depth"] / 2).all() and (df["loss_max"] == df["depth"]).all()
    assert (df["loss_last"] == df["depth"] / 2).all()
    assert list(run.to_dataframe(metrics=["loss"]).columns) == list(df.columns)
    with pytest.raises(UserErrorException, match='metrics expects "primary", "all" or a list of metric names'):
        run.to_dataframe(metrics="some")

    child = run.get_children()[0]
    values = child.metrics_dataframe()
    assert list(values.columns) == ["name", "interval", "step", "value", "time"]
    assert values.dtypes.astype(str).tolist() == ["object", "int64", "Int64", "float64", "datetime64[ns, UTC]"]
    acc = values[values["name"] == "acc"]
    logged = child.get_metrics()["acc"]
    assert acc["value"].tolist() == pytest.approx(logged, nan_ok=True) and acc["interval"].tolist() == [1, 2, 3]
    assert values[values["name"] == "loss"]["interval"].tolist() == [1, 2]
    assert child.metrics_dataframe("loss")["value"].tolist() == child.get_metrics()["loss"]


@pytest.mark.timeout(180)
def test_warm_start_rows_and_termination_reason(experiment: Experiment) -> None:
    def sweep(values: str, **kwargs) -> HyperDriveRun:
        return submit(experiment, children.curve, {"values": choice(values)}, sampling=GridParameterSampling,
                      metric="loss", goal="minimize", total=1, **kwargs)

    good = sweep("1,0.5,1,1,1,1")
    warm = sweep("5," * 40 + "5", policy=BanditPolicy(1, slack_amount=1.0, delay_evaluation=2), resume_from=good)
    own = warm.to_dataframe()
    assert list(own["run_id"]) == [f"{warm.id}_0"]
    row = own.iloc[0]
    assert row["status"] == "Canceled" and row["loss"] == 5.0 and 2 <= row["intervals"] < 41
    reason = warm.get_children()[0].get_details()["terminationReason"]
    assert row["termination_reason"] == reason["reason"] and "Bandit cutoff" in reason["reason"]
    both = warm.to_dataframe(include_warm_start=True)
    assert list(both["run_id"]) == [f"{warm.id}_0", f"{good.id}_0"]
    assert list(both["sweep_id"]) == [warm.id, good.id]
    assert both.iloc[1][["loss", "loss_last", "intervals"]].tolist() == [0.5, 1.0, 6]
    assert both["values"].dtype == object


def test_a_store_written_sweep_and_bad_arguments(workspace: Workspace) -> None:
    store = workspace._store
    store.create_run("HD_x", "exp", "hyperdrive", status="Completed", config={
        "generator_config": {"name": "RANDOM", "parameter_space": {"c": ["choice", [[1, 2.5]]], "flag": ["choice", [[True, False]]]}},
        "primary_metric_config": {"name": "m", "goal": "minimize"}})
    rows = [({"c": 1, "flag": True}, [3, "x", -2.0, None, 7]), ({"c": 2.5, "flag": False}, [float("-inf"), 4]),
            ({"c": 1}, [])]
    for i, (params, values) in enumerate(rows):
        store.create_run(f"HD_x_{i}", "exp", "hdnotebook.function", parent_id="HD_x", child_index=i, status="Running",
                         hyperparameters=params)
        store.apply_events([{"op": "metric", "run": f"HD_x_{i}", "name": "m", "kind": "scalar", "value": v, "t": 1.0 + k}
                            for k, v in enumerate(values)])
    store.set_status("HD_x_0", "Completed")
    df = sweep_dataframe(store, "HD_x")
    assert df["c"].dtype == "float64" and df["flag"].dtype == "boolean" and pd.isna(df["flag"][2])
    assert df["m"].tolist()[:2] == [-2.0, 4.0] and math.isnan(df["m"][2])
    assert df["m_last"].tolist()[:2] == [7.0, 4.0] and df["intervals"].tolist() == [3, 2, 0]
    assert pd.isna(df["end_time"][1]) and np.isnan(df["duration_seconds"][1]), "a running run has no duration yet"
    with pytest.raises(ValueError, match="sweep_id 'HD_x_0' is not a sweep"):
        sweep_dataframe(store, "HD_x_0")
    with pytest.raises(TypeError, match="include_warm_start expects a bool"):
        sweep_dataframe(store, "HD_x", include_warm_start=1)
