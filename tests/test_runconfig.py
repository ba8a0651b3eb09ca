"""HyperDriveConfig: validation rules and their order, warnings, stored attributes, duplicated arguments."""

from __future__ import annotations

import tempfile
import warnings
from typing import Any

import pytest

import hdnotebook.goal
from hdnotebook import Experiment, Run, Workspace
from hdnotebook.exceptions import HyperDriveConfigException, HyperDriveScenarioNotSupportedException
from hdnotebook.policy import BanditPolicy, MedianStoppingPolicy, NoTerminationPolicy
from hdnotebook.runconfig import HyperDriveConfig, HyperDriveRunConfig, PrimaryMetricGoal, duplicated_arguments
from hdnotebook.sampling import BayesianParameterSampling, GridParameterSampling, RandomParameterSampling
from hdnotebook.script_run_config import ScriptRunConfig

SPACE = {"--lr": ["uniform", [0.001, 0.1]], "batch": ["choice", [[16, 32]]]}


_RUNS = Workspace(tempfile.mkdtemp(prefix="hdnotebook-runconfig-"))


def FakeRun(run_id: str, status: str = "Completed", max_total_runs: int = 1) -> Run:
    """A real run in a test workspace: a sweep ``HD_x`` (accuracy, maximize) or its child ``HD_x_n``."""
    store = _RUNS._store
    experiment = Experiment(_RUNS, "runconfig")
    parent_id, _, index = run_id.rpartition("_")
    is_child = run_id.count("_") >= 2 and index.isdigit()
    sweep_id = parent_id if is_child else run_id
    if store.get_run(sweep_id) is None:
        store.create_run(sweep_id, "runconfig", "hyperdrive", status=status if not is_child else "Completed",
                         config={"primary_metric_config": {"name": "accuracy", "goal": "maximize"},
                                 "max_total_runs": max_total_runs})
    if is_child and store.get_run(run_id) is None:
        store.create_run(run_id, "runconfig", "hdnotebook.function", parent_id=sweep_id, child_index=int(index),
                         status=status, hyperparameters={"--lr": 0.01, "batch": 16})
    return Run._open(experiment, run_id)


def train(lr: float, batch: int) -> None:
    """A function child."""


def script(tmp_path: Any = "src", arguments: list | None = None) -> ScriptRunConfig:
    return ScriptRunConfig(source_directory=str(tmp_path), script="train.py", arguments=arguments)


def make(**overrides: Any) -> HyperDriveConfig:
    kwargs: dict[str, Any] = {
        "hyperparameter_sampling": RandomParameterSampling(SPACE),
        "primary_metric_name": "accuracy",
        "primary_metric_goal": PrimaryMetricGoal.MAXIMIZE,
        "max_total_runs": 20,
        "run_config": script(),
    }
    kwargs.update(overrides)
    return HyperDriveConfig(**kwargs)


def error_of(**overrides: Any) -> HyperDriveConfigException:
    with pytest.raises(HyperDriveConfigException) as info:
        make(**overrides)
    return info.value


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- happy paths ----------------------------------------------------------------------------------


def test_script_run_config_happy_path(tmp_path) -> None:
    run_config = script(tmp_path, ["--epochs", "3"])
    sampling = RandomParameterSampling(SPACE)
    config = make(
        hyperparameter_sampling=sampling,
        run_config=run_config,
        max_concurrent_runs=4,
        max_duration_minutes=60,
        policy=BanditPolicy(slack_factor=0.1, delay_evaluation=5),
    )
    assert config.hyperparameter_sampling is sampling
    assert config.primary_metric_name == "accuracy"
    assert config.primary_metric_goal is PrimaryMetricGoal.MAXIMIZE
    assert config.max_total_runs == 20
    assert config.max_concurrent_runs == 4
    assert config.max_duration_minutes == 60
    assert config.policy == BanditPolicy(slack_factor=0.1, delay_evaluation=5)
    assert config.run_config is run_config
    assert config.estimator is None
    assert config.pipeline is None
    assert config.source_directory == str(tmp_path)
    assert config.resume_from == []
    assert config.resume_child_runs == []
    assert config.custom_run_id is None


def test_private_attributes_match_hyperdrive() -> None:
    sampling = RandomParameterSampling(SPACE)
    config = make(hyperparameter_sampling=sampling, primary_metric_goal=PrimaryMetricGoal.MINIMIZE)
    assert config._policy_config == {"name": "Default"}
    assert config._generator_config == sampling.to_json()
    assert config._primary_metric_config == {"name": "accuracy", "goal": "minimize"}
    assert config._max_total_runs == 20
    assert config._max_concurrent_runs == 20
    assert config._max_duration_minutes == 10080
    assert config._platform == "AML"


def test_function_run_config_happy_path() -> None:
    config = make(run_config=train)
    assert config.run_config is train
    assert config.source_directory is None


def test_lambda_and_callable_object_are_accepted() -> None:
    class Child:
        def __call__(self, **params: Any) -> None:
            pass

    assert callable(make(run_config=lambda **p: None).run_config)
    assert isinstance(make(run_config=Child()).run_config, Child)


def test_other_samplers_are_accepted() -> None:
    grid = GridParameterSampling({"--batch": ["choice", [[16, 32]]]})
    assert make(hyperparameter_sampling=grid)._generator_config == grid.to_json()
    bayes = BayesianParameterSampling({"--lr": ["uniform", [0.001, 0.1]]})
    assert make(hyperparameter_sampling=bayes).hyperparameter_sampling is bayes


@pytest.mark.parametrize(("goal", "expected"), [("maximize", "maximize"), ("MINIMIZE", "minimize"), ("Maximize", "maximize")])
def test_goal_may_be_a_string(goal: str, expected: str) -> None:
    config = make(primary_metric_goal=goal)
    assert config._primary_metric_config["goal"] == expected
    assert config.primary_metric_goal is PrimaryMetricGoal.from_str(goal)


def test_default_policy_is_no_termination() -> None:
    assert make().policy == NoTerminationPolicy()
    assert make(policy=None)._policy_config == {"name": "Default"}


def test_policy_config_is_the_policy_json() -> None:
    policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5)
    assert make(policy=policy)._policy_config == policy.to_json()


def test_max_concurrent_runs_defaults_to_max_total_runs() -> None:
    assert make(max_total_runs=7).max_concurrent_runs == 7
    assert make(max_total_runs=1000).max_concurrent_runs == 1000


def test_limits_are_inclusive() -> None:
    assert make(max_total_runs=1).max_total_runs == 1
    assert make(max_total_runs=1000, max_concurrent_runs=100).max_concurrent_runs == 100
    assert make(max_concurrent_runs=1).max_concurrent_runs == 1
    assert make(max_duration_minutes=10080).max_duration_minutes == 10080
    assert make(max_duration_minutes=0.5).max_duration_minutes == 0.5


def test_custom_run_id_and_debug_flag_are_recorded() -> None:
    config = make(custom_run_id="HD_mine", debug_flag=True)
    assert config.custom_run_id == "HD_mine"
    assert config.debug_flag is True


def test_primary_metric_goal_is_reexported() -> None:
    assert PrimaryMetricGoal is hdnotebook.goal.PrimaryMetricGoal


@pytest.mark.parametrize(
    "name",
    [
        "hyperparameter_sampling",
        "primary_metric_name",
        "primary_metric_goal",
        "max_total_runs",
        "max_concurrent_runs",
        "max_duration_minutes",
        "policy",
        "run_config",
        "estimator",
        "pipeline",
        "source_directory",
        "resume_from",
        "resume_child_runs",
    ],
)
def test_public_properties_are_read_only(name: str) -> None:
    config = make()
    with pytest.raises(AttributeError):
        setattr(config, name, None)


# --- estimator / run_config / pipeline ------------------------------------------------------------


def test_no_child_given() -> None:
    err = error_of(run_config=None)
    assert str(err).startswith("HyperDriveConfig expects at least one of estimator, run_config, pipeline to be set")
    assert "run_config" in str(err) and "ScriptRunConfig" in str(err)


@pytest.mark.parametrize(
    "overrides", [{"estimator": object()}, {"pipeline": object()}, {"estimator": object(), "pipeline": object()}]
)
def test_more_than_one_child_given(overrides: dict) -> None:
    err = error_of(**overrides)
    assert str(err) == "HyperDriveConfig expects only one of estimator, run_config, pipeline to be set"


def test_pipeline_is_not_supported() -> None:
    with pytest.raises(HyperDriveScenarioNotSupportedException) as info:
        make(run_config=None, pipeline=object())
    message = str(info.value)
    assert "pipeline" in message
    assert "ScriptRunConfig" in message and "function" in message and "run_config" in message


def test_estimator_must_be_an_estimator() -> None:
    err = error_of(run_config=None, estimator=object())
    assert str(err) == "Expected type Estimator for estimator but got object" and err.error_code == "InvalidType"


@pytest.mark.parametrize("value", ["train.py", 42, {"script": "train.py"}])
def test_run_config_must_be_script_run_config_or_callable(value: object) -> None:
    err = error_of(run_config=value)
    assert str(err) == f"Expected type ScriptRunConfig or a callable for run_config but got {type(value).__name__}"
    assert err.error_code == "InvalidType"


# --- sampling, metric, goal -----------------------------------------------------------------------


def test_sampling_must_be_set() -> None:
    assert str(error_of(hyperparameter_sampling=None)) == "HyperDriveConfig expects hyperparameter_sampling to be set"


def test_sampling_must_be_a_sampler() -> None:
    err = error_of(hyperparameter_sampling=SPACE)
    assert str(err) == "Expected type HyperParameterSampling for hyperparameter_sampling but got dict"


@pytest.mark.parametrize("value", [None, 1, ["accuracy"]])
def test_primary_metric_name_must_be_str(value: object) -> None:
    err = error_of(primary_metric_name=value)
    assert str(err) == f"Expected type str for primary_metric_name but got {type(value).__name__}"


@pytest.mark.parametrize("value", ["", "   "])
def test_primary_metric_name_must_not_be_empty(value: str) -> None:
    assert str(error_of(primary_metric_name=value)) == "primary_metric_name expects a non-empty metric name."


def test_primary_metric_goal_string_must_be_known() -> None:
    err = error_of(primary_metric_goal="up")
    assert str(err) == "primary_metric_goal expects either 'maximize' or 'minimize', but got 'up'."


@pytest.mark.parametrize("value", [None, 1, True])
def test_primary_metric_goal_type(value: object) -> None:
    err = error_of(primary_metric_goal=value)
    assert str(err) == f"Expected type PrimaryMetricGoal for primary_metric_goal but got {type(value).__name__}"


# --- budget ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 10.0, "10", True])
def test_max_total_runs_must_be_int(value: object) -> None:
    err = error_of(max_total_runs=value)
    assert str(err) == f"Expected type int for max_total_runs but got {type(value).__name__}"


@pytest.mark.parametrize("value", [0, -1, 1001])
def test_max_total_runs_range(value: int) -> None:
    assert str(error_of(max_total_runs=value)) == "max_total_runs expects value to be between 1 and 1000."


@pytest.mark.parametrize("value", [4.0, "4", False])
def test_max_concurrent_runs_must_be_int(value: object) -> None:
    err = error_of(max_concurrent_runs=value)
    assert str(err) == f"Expected type int for max_concurrent_runs but got {type(value).__name__}"


@pytest.mark.parametrize("value", [0, -1, 101])
def test_max_concurrent_runs_range(value: int) -> None:
    assert str(error_of(max_concurrent_runs=value)) == "max_concurrent_runs expects value to be between 1 and 100."


@pytest.mark.parametrize("value", [None, "60", True])
def test_max_duration_minutes_must_be_a_number(value: object) -> None:
    err = error_of(max_duration_minutes=value)
    assert str(err) == f"Expected type float for max_duration_minutes but got {type(value).__name__}"


@pytest.mark.parametrize("value", [0, -5, float("nan"), float("inf")])
def test_max_duration_minutes_must_be_positive_and_finite(value: float) -> None:
    err = error_of(max_duration_minutes=value)
    assert str(err) == "max_duration_minutes expects value to be a finite number of minutes greater than 0."


# --- policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Bandit", {"name": "Bandit"}, BanditPolicy])
def test_policy_must_be_a_policy(value: object) -> None:
    err = error_of(policy=value)
    assert str(err) == f"Expected type EarlyTerminationPolicy for policy but got {type(value).__name__}"


def test_bayesian_with_a_policy_is_allowed() -> None:
    bayes = BayesianParameterSampling({"--lr": ["uniform", [0.001, 0.1]]})
    config = make(hyperparameter_sampling=bayes, policy=BanditPolicy(slack_factor=0.1))
    assert config._policy_config["name"] == "Bandit"


# --- resume_from / resume_child_runs --------------------------------------------------------------


def test_resume_from_accepts_one_run_or_a_list() -> None:
    one = FakeRun("HD_a")
    assert make(resume_from=one).resume_from == [one]
    runs = [FakeRun(f"HD_{i}") for i in range(5)]
    assert make(resume_from=runs).resume_from == runs
    assert make(resume_from=tuple(runs)).resume_from == runs


def test_resume_from_at_most_five() -> None:
    err = error_of(resume_from=[FakeRun(f"HD_{i}") for i in range(6)])
    assert str(err) == "HyperDriveConfig expects the number of parent runs to not exceed than 5"


def test_resume_from_rejects_duplicates() -> None:
    err = error_of(resume_from=[FakeRun("HD_a"), FakeRun("HD_b"), FakeRun("HD_a")])
    assert str(err) == "resume_from expects no duplicate runs, but got ['HD_a'] more than once."


@pytest.mark.parametrize("value", ["HD_a", [FakeRun("HD_a"), "HD_b"], 3])
def test_resume_from_must_hold_runs(value: object) -> None:
    err = error_of(resume_from=value)
    assert str(err).startswith("Expected type HyperDriveRun for resume_from but got")


def test_resume_child_runs_accepts_one_run_or_a_list() -> None:
    one = FakeRun("HD_a_0")
    assert make(resume_child_runs=one).resume_child_runs == [one]
    runs = [FakeRun("HD_a_0"), FakeRun("HD_a_1")]
    assert make(resume_child_runs=runs).resume_child_runs == runs


def test_resume_child_runs_not_more_than_max_total_runs() -> None:
    err = error_of(max_total_runs=2, resume_child_runs=[FakeRun(f"HD_a_{i}") for i in range(3)])
    assert str(err) == "resume_child_runs expects the number of runs (3) to not exceed max_total_runs (2)."


def test_resume_child_runs_rejects_duplicates() -> None:
    err = error_of(resume_child_runs=[FakeRun("HD_a_0"), FakeRun("HD_a_0")])
    assert str(err) == "resume_child_runs expects no duplicate runs, but got ['HD_a_0'] more than once."


def test_resume_child_runs_must_hold_runs() -> None:
    assert str(error_of(resume_child_runs=[object()])) == "Expected type Run for resume_child_runs but got object"


def test_resume_lists_are_copies() -> None:
    config = make(resume_from=[FakeRun("HD_a")])
    config.resume_from.append(FakeRun("HD_b"))
    assert len(config.resume_from) == 1


@pytest.mark.parametrize("value", ["", 5])
def test_custom_run_id_must_be_a_non_empty_str(value: object) -> None:
    assert "custom_run_id" in str(error_of(custom_run_id=value))


# --- ordering of checks ---------------------------------------------------------------------------


def test_checks_run_in_order() -> None:
    """Start with every argument wrong, fix them one by one: each error names the next argument."""
    bad: dict[str, Any] = {
        "run_config": "train.py",
        "hyperparameter_sampling": None,
        "primary_metric_name": "",
        "primary_metric_goal": "up",
        "max_total_runs": 0,
        "max_concurrent_runs": 0,
        "max_duration_minutes": 0,
        "policy": "Bandit",
        "resume_from": [FakeRun(f"HD_{i}") for i in range(6)],
        "resume_child_runs": [FakeRun("HD_a_0"), FakeRun("HD_a_0")],
        "custom_run_id": 5,
    }
    good: dict[str, Any] = {
        "run_config": train,
        "hyperparameter_sampling": RandomParameterSampling(SPACE),
        "primary_metric_name": "accuracy",
        "primary_metric_goal": "maximize",
        "max_total_runs": 10,
        "max_concurrent_runs": 2,
        "max_duration_minutes": 30,
        "policy": None,
        "resume_from": None,
        "resume_child_runs": None,
        "custom_run_id": None,
    }
    expected = [
        "run_config",
        "hyperparameter_sampling",
        "primary_metric_name",
        "primary_metric_goal",
        "max_total_runs",
        "max_concurrent_runs",
        "max_duration_minutes",
        "policy",
        "parent runs",
        "resume_child_runs",
        "custom_run_id",
    ]
    kwargs = dict(bad)
    for key, text in zip(bad, expected):
        with pytest.raises(HyperDriveConfigException) as info:
            HyperDriveConfig(**kwargs)
        assert text in str(info.value), (key, str(info.value))
        kwargs[key] = good[key]
    HyperDriveConfig(**kwargs)


def test_child_kind_is_checked_before_everything_else() -> None:
    with pytest.raises(HyperDriveConfigException, match="at least one of estimator, run_config, pipeline"):
        HyperDriveConfig(None, "", "up", 0)  # type: ignore[arg-type]
    with pytest.raises(HyperDriveConfigException, match="Expected type Estimator for estimator"):
        HyperDriveConfig(None, "", "up", 0, estimator=object())  # type: ignore[arg-type]


# --- warnings -------------------------------------------------------------------------------------


def test_long_duration_warns_and_is_not_capped() -> None:
    with pytest.warns(UserWarning, match="max_duration_minutes is capped at 10080") as record:
        config = make(max_duration_minutes=20000)
    assert config.max_duration_minutes == 20000
    assert config._max_duration_minutes == 20000
    assert "does not cap" in str(record[0].message)


def test_bayesian_budget_warning() -> None:
    bayes = BayesianParameterSampling(SPACE)
    with pytest.warns(UserWarning, match="Recommended value: 40") as record:
        make(hyperparameter_sampling=bayes, max_total_runs=39, max_concurrent_runs=2)
    assert len(record) == 1
    assert "Bayesian" in str(record[0].message)


def test_bayesian_budget_at_recommendation_does_not_warn() -> None:
    make(hyperparameter_sampling=BayesianParameterSampling(SPACE), max_total_runs=40, max_concurrent_runs=2)


def test_bayesian_concurrency_warning() -> None:
    bayes = BayesianParameterSampling(SPACE)
    with pytest.warns(UserWarning, match="less than or equal to 20") as record:
        make(hyperparameter_sampling=bayes, max_total_runs=100, max_concurrent_runs=21)
    assert len(record) == 1


def test_bayesian_concurrency_warning_uses_the_effective_value() -> None:
    bayes = BayesianParameterSampling(SPACE)
    with pytest.warns(UserWarning, match="concurrent runs"):
        make(hyperparameter_sampling=bayes, max_total_runs=100)


def test_random_sampling_never_gives_bayesian_advice() -> None:
    make(max_total_runs=1, max_concurrent_runs=50)


def test_duplicated_script_arguments_warn() -> None:
    run_config = script(arguments=["--lr", "0.5", "--epochs", 3, "--batch", "8"])
    with pytest.warns(UserWarning, match="duplicate") as record:
        config = make(run_config=run_config)
    message = str(record[0].message)
    assert "['--lr', '--batch']" in message
    assert config.run_config.arguments == ["--lr", "0.5", "--epochs", 3, "--batch", "8"]


def test_script_arguments_without_duplicates_do_not_warn() -> None:
    make(run_config=script(arguments=["--epochs", "3", "lr"]))


def test_all_warnings_together() -> None:
    bayes = BayesianParameterSampling(SPACE)
    run_config = script(arguments=["--lr", "0.5"])
    with pytest.warns(UserWarning) as record:
        make(
            hyperparameter_sampling=bayes,
            run_config=run_config,
            max_total_runs=10,
            max_concurrent_runs=30,
            max_duration_minutes=20000,
        )
    messages = [str(w.message) for w in record]
    assert len(messages) == 4
    assert "max_duration_minutes" in messages[0]
    assert "Recommended value: 40" in messages[1]
    assert "concurrent" in messages[2]
    assert "['--lr']" in messages[3]


def test_no_warning_when_invalid() -> None:
    with pytest.raises(HyperDriveConfigException):
        make(max_duration_minutes=20000, max_total_runs=0)


# --- duplicated_arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "space", "expected"),
    [
        (["--lr", "0.1"], {"--lr": 1}, ["--lr"]),
        (["--lr", "0.1"], {"lr": 1}, ["--lr"]),
        (["-l", "0.1"], {"-l": 1}, ["-l"]),
        (["lr", "0.1"], {"lr": 1}, []),
        (["--lr=0.1"], {"--lr": 1}, []),
        (["--a", 1, "--b", 2, "--c", 3], {"--c": 1, "b": 2}, ["--b", "--c"]),
        (["--lr", "--lr"], {"lr": 1, "--lr": 2}, ["--lr"]),
        ([1, 2.5, None], {"lr": 1}, []),
        ([], {"lr": 1}, []),
        (["--lr"], {}, []),
    ],
)
def test_duplicated_arguments(arguments: list, space: dict, expected: list) -> None:
    assert duplicated_arguments(arguments, space) == expected


# --- HyperDriveRunConfig --------------------------------------------------------------------------


def test_hyperdrive_run_config_is_deprecated_and_checks_its_estimator() -> None:
    with pytest.warns(DeprecationWarning, match="deprecated"):
        with pytest.raises(HyperDriveConfigException, match="Expected type Estimator for estimator but got object"):
            HyperDriveRunConfig(
                object(), RandomParameterSampling(SPACE), "accuracy", PrimaryMetricGoal.MAXIMIZE, 10
            )
    assert issubclass(HyperDriveRunConfig, HyperDriveConfig)
