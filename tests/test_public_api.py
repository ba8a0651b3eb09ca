"""The public names are HyperDrive's, importable from the package and from the Azure submodule paths."""

from __future__ import annotations

import importlib
import subprocess

import hdnotebook
from tests.conftest import PYTHON, python_env

EXPRESSIONS = ["choice", "randint", "uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"]
HYPERDRIVE = [
    "BanditPolicy", "MedianStoppingPolicy", "TruncationSelectionPolicy", "NoTerminationPolicy", "EarlyTerminationPolicy",
    "RandomParameterSampling", "GridParameterSampling", "BayesianParameterSampling", "HyperParameterSampling",
    "HyperDriveConfig", "HyperDriveRunConfig", "HyperDriveRun", "PrimaryMetricGoal",
]
CORE = ["Run", "Experiment", "Workspace", "ScriptRunConfig", "RunDetails"]


def test_all_is_sorted_complete_and_importable() -> None:
    assert hdnotebook.__all__ == sorted(hdnotebook.__all__)
    assert set(EXPRESSIONS + HYPERDRIVE + CORE) <= set(hdnotebook.__all__)
    for name in hdnotebook.__all__:
        assert getattr(hdnotebook, name) is not None
    assert set(hdnotebook.__all__) == set(hdnotebook._EXPORTS)


def test_azure_submodule_paths_resolve() -> None:
    paths = {
        "hdnotebook.parameter_expressions": EXPRESSIONS,
        "hdnotebook.sampling": ["RandomParameterSampling", "GridParameterSampling", "BayesianParameterSampling", "HyperParameterSampling"],
        "hdnotebook.policy": ["BanditPolicy", "MedianStoppingPolicy", "TruncationSelectionPolicy", "NoTerminationPolicy", "EarlyTerminationPolicy"],
        "hdnotebook.runconfig": ["HyperDriveConfig", "HyperDriveRunConfig", "PrimaryMetricGoal"],
        "hdnotebook.run": ["Run", "HyperDriveRun", "PrimaryMetricGoal"],
        "hdnotebook.experiment": ["Experiment"],
        "hdnotebook.workspace": ["Workspace"],
        "hdnotebook.widgets": ["RunDetails"],
        "hdnotebook.environment": ["Environment", "CondaDependencies"],
        "hdnotebook.compute": ["ComputeTarget", "AmlCompute", "ComputeTargetException"],
        "hdnotebook.compute_target": ["ComputeTarget", "ComputeTargetException"],
        "hdnotebook.conda_dependencies": ["CondaDependencies"],
        "hdnotebook.core": ["Workspace", "Experiment", "Run", "ScriptRunConfig", "Environment", "Model", "Dataset", "Datastore",
                            "ComputeTarget"],
    }
    for module, names in paths.items():
        mod = importlib.import_module(module)
        for name in names:
            assert getattr(mod, name) is getattr(hdnotebook, name), f"{module}.{name}"


def test_star_import_and_child_import_cost() -> None:
    code = "import sys\nfrom hdnotebook import Run\nprint('numpy' in sys.modules)\nfrom hdnotebook import *\nprint(choice(16, 32))"
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.split("\n")[:2] == ["False", "['choice', [[16, 32]]]"]


def test_scipy_and_pandas_are_imported_only_when_used() -> None:
    code = ("import sys\nfrom hdnotebook import *\n"
            "space = {'x': uniform(0, 1), 'k': choice(1, 2)}\n"
            "BayesianParameterSampling(space); RandomParameterSampling(space); BanditPolicy(slack_factor=0.1)\n"
            "print('scipy' in sys.modules, 'pandas' in sys.modules)\n"
            "from hdnotebook.sampling.history import SamplingHistory\n"
            "BayesianParameterSampling(space).suggest(SamplingHistory(), 1)\n"
            "print('scipy' in sys.modules)\n")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.split("\n")[:2] == ["False False", "True"]


def test_star_import_binds_every_name_without_numpy_the_widget_or_plotting_libraries() -> None:
    code = ("import sys\nfrom hdnotebook import *\nimport hdnotebook\n"
            "print(all(globals()[name] is getattr(hdnotebook, name) for name in hdnotebook.__all__))\n"
            "print(sorted(m for m in ('numpy', 'anywidget', 'ipywidgets', 'traitlets', 'IPython', 'plotly', 'pandas', 'scipy')"
            " if m in sys.modules))\n")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.split("\n")[:2] == ["True", "[]"]


def test_azure_core_lines_run_after_only_the_import_changes() -> None:
    code = ("import hdnotebook as azureml\nprint(azureml.core.VERSION == azureml.__version__)\n"
            "from hdnotebook.runconfig import CondaDependencies\nfrom hdnotebook import Workspace\nimport urllib\n"
            "print(callable(urllib.request.urlretrieve), CondaDependencies is azureml.core.Environment(\"e\").python.conda_dependencies.__class__)")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.split("\n")[:2] == ["True", "True True"]


def test_numpy_is_imported_when_a_sampler_first_computes_and_then_bound_directly() -> None:
    code = ("import sys\nfrom hdnotebook import *\nfrom hdnotebook.sampling import random as module\n"
            "from hdnotebook.sampling.history import SamplingHistory\n"
            "print('numpy' in sys.modules, type(module.np).__name__)\n"
            "s = RandomParameterSampling({'x': uniform(0, 1)}, seed=1)\n"
            "print(len(s.suggest(SamplingHistory(), 3)), module.np is sys.modules['numpy'])\n")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=python_env(), check=True).stdout
    assert out.split("\n")[:2] == ["False LazyModule", "3 True"]

