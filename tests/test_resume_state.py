"""What resume() reads back from a real store: the sweep's recipe, its running spans and the history the sampler
and the policy continue from."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import pytest

from hdnotebook import (
    BanditPolicy,
    BayesianParameterSampling,
    Environment,
    HyperDriveConfig,
    ScriptRunConfig,
    Workspace,
    status as st,
    uniform,
)
from hdnotebook._engine.specs import pickle_function
from hdnotebook._engine.store import Store
from hdnotebook._engine.sweep_history import SweepHistory
from hdnotebook.compute import ComputeTarget
from hdnotebook.exceptions import UserErrorException
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.sweep_recipe import keep_recipe, load_recipe


def _train(x: float, scale: float) -> float:
    return x * scale


def _config(run_config, **kwargs) -> HyperDriveConfig:
    return HyperDriveConfig(run_config=run_config, hyperparameter_sampling=BayesianParameterSampling({"x": uniform(0, 1)}),
                            primary_metric_name="acc", primary_metric_goal="minimize", max_total_runs=40,
                            max_concurrent_runs=3, max_duration_minutes=7.5, policy=BanditPolicy(slack_factor=0.2),
                            **kwargs)


def test_a_function_recipe_comes_back_with_its_settings_and_its_function_kept_once(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    function = functools.partial(_train, scale=3.0)
    config = _config(function)
    payload = pickle_function(function)
    keep_recipe(workspace._store, "HD_a", config, payload)
    again = Store(tmp_path / ".hdnotebook")  # another process's store of the same workspace
    settings, kept = load_recipe(again, "HD_a")
    assert kept == payload and payload not in again.sweep_recipe("HD_a").recipe, "the function is stored once"
    assert (settings.max_total_runs, settings.max_concurrent_runs, settings.max_duration_minutes) == (40, 3, 7.5)
    assert settings.primary_metric_name == "acc" and settings.primary_metric_goal is PrimaryMetricGoal.MINIMIZE
    assert settings.hyperparameter_sampling == config.hyperparameter_sampling
    assert settings.hyperparameter_sampling.effective_seed == config.hyperparameter_sampling.effective_seed
    assert settings.policy.to_json() == config.policy.to_json() and settings.compute_target == "local"
    assert settings.run_config(0.5) == 1.5


def test_a_script_recipe_keeps_its_arguments_environment_and_compute_target_name(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("")
    target = ComputeTarget.create(workspace, "cpu-cluster")
    environment = Environment("env")
    environment.environment_variables = {"A": "1"}
    datastore = workspace.get_default_datastore()  # holds the workspace, so its store
    src = ScriptRunConfig(str(tmp_path / "src"), "train.py", arguments=["--epochs", 3, "--data", datastore],
                          compute_target=target, environment=environment)
    keep_recipe(workspace._store, "HD_s", _config(src), None)
    again = Store(tmp_path / ".hdnotebook")
    settings, payload = load_recipe(again, "HD_s")
    assert payload is None and settings.compute_target == "cpu-cluster"
    assert settings.run_config.arguments[:3] == ["--epochs", 3, "--data"] and settings.run_config.script == "train.py"
    assert str(settings.run_config.arguments[3]) == str(datastore)
    assert settings.run_config.arguments[3]._workspace._store is again, "a store is kept as a reference, not a copy"
    assert settings.run_config.environment.environment_variables == {"A": "1"}
    assert src.compute_target is target, "the submitted ScriptRunConfig is left as it was"


def test_a_configuration_that_cannot_be_pickled_is_still_submitted_and_resume_says_why(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    (tmp_path / "train.py").write_text("")
    src = ScriptRunConfig(str(tmp_path), "train.py", arguments=["--lock", threading.Lock()])
    keep_recipe(workspace._store, "HD_l", _config(src), None)
    with pytest.raises(UserErrorException, match=r"cannot be resumed: its configuration could not be pickled at submit "
                                                 r"\(TypeError: .*lock"):
        load_recipe(workspace._store, "HD_l")


def test_running_spans_add_up_and_never_move_back(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = store.open_span("HD", 100.0)
    store.extend_span(first, 130.0)
    store.extend_span(first, 120.0)
    second = store.open_span("HD", 500.0)
    store.extend_span(second, 510.5)
    assert store.running_spans("HD") == [(100.0, 130.0), (500.0, 510.5)]
    assert store.running_seconds("HD") == pytest.approx(40.5) and store.running_seconds("other") == 0.0


def _child(store: Store, index: int, x: float, status: str, values: list[float], resumed_from: str | None = None) -> str:
    run_id = f"HD_{index}"
    store.create_run(run_id, "e", "azureml.scriptrun", parent_id="HD", child_index=index, status=status,
                     hyperparameters={"x": x}, properties={"resumed_from": resumed_from} if resumed_from else None)
    store.apply_events([{"op": "metric", "run": run_id, "name": "acc", "kind": "scalar", "value": v, "step": None,
                         "t": 1.0 + i} for i, v in enumerate(values)])
    return run_id


def test_the_sampler_and_the_policy_see_every_earlier_child_and_a_rerun_stands_for_its_interrupted_run(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_run("HD", "e", "hyperdrive", status=st.RUNNING)
    _child(store, 0, 0.1, st.COMPLETED, [0.5, 0.4])
    _child(store, 1, 0.2, st.FAILED, [0.9])  # interrupted
    _child(store, 2, 0.3, st.COMPLETED, [0.3])
    _child(store, 3, 0.2, st.COMPLETED, [0.9, 0.2], resumed_from="HD_1")  # its rerun, in an earlier continuation
    history = SweepHistory(store, "HD", PrimaryMetricGoal.MINIMIZE, "acc")
    assert history.generated == 4, "child indices go on after every child"
    snapshot = history.sampling(())
    assert snapshot.generated == 3, "the sampler counts configurations: a rerun is not a new one"
    assert [(t.params["x"], t.status, t.metric) for t in snapshot.trials] == [
        (0.1, st.COMPLETED, 0.4), (0.2, st.COMPLETED, 0.2), (0.3, st.COMPLETED, 0.3)]
    history.refresh_curves()
    assert [history.curves.curve(f"HD_{i}") for i in range(4)] == [[0.5, 0.4], [0.9], [0.3], [0.9, 0.2]], \
        "the policy sees every earlier curve"
    record = store.create_run("HD_4", "e", "azureml.scriptrun", parent_id="HD", child_index=4, status=st.QUEUED,
                              hyperparameters={"x": 0.3})
    history.launched(record, resumes="HD_2")
    assert [t.status for t in history.sampling(()).trials] == [st.COMPLETED, st.COMPLETED, st.QUEUED]


def test_a_dask_target_is_kept_as_its_address_or_as_a_cluster_to_start_alike(tmp_path: Path) -> None:
    pytest.importorskip("distributed")  # the [dask] extra
    from hdnotebook._engine.executors.dask_target import DaskComputeTarget

    workspace = Workspace(tmp_path)
    keep_recipe(workspace._store, "HD_d", _config(_train, compute_target=DaskComputeTarget("tcp://10.0.0.5:8786")),
                pickle_function(_train))
    assert load_recipe(workspace._store, "HD_d")[0].compute_target == "tcp://10.0.0.5:8786"
    keep_recipe(workspace._store, "HD_c", _config(_train, compute_target=DaskComputeTarget(n_workers=3, threads_per_worker=2)),
                pickle_function(_train))
    kept = load_recipe(workspace._store, "HD_c")[0].compute_target
    assert isinstance(kept, DaskComputeTarget) and kept.address is None and (kept.n_workers, kept.threads_per_worker) == (3, 2)
