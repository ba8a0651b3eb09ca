"""hdnotebook: HyperDrive-style hyperparameter tuning inside the Jupyter kernel.

Every public name of ``azureml.train.hyperdrive``, the parts of ``azureml.core`` a sweep uses and
``azureml.widgets.RunDetails`` are importable from here, so a HyperDrive notebook migrates by
changing its imports. The Azure submodule paths exist too: ``hdnotebook.parameter_expressions``,
``.sampling``, ``.policy``, ``.runconfig``, ``.run``, ``.experiment``, ``.workspace``, ``.widgets``,
``.environment``, ``.conda_dependencies``, ``.compute``, ``.compute_target``, ``.telemetry``, ``.train``
(estimators), ``.model``, ``.dataset``, ``.datastore`` and ``.data``. Environments and compute targets are
recorded; children run locally or on a Dask cluster; datasets are local files.
``hdnotebook.plot`` makes plotly figures of a sweep (imported on first use, as plotly).
``hdnotebook.VERSION`` is ``__version__``, as ``azureml.core.VERSION``; ``hdnotebook.core`` mirrors
``azureml.core`` (``import hdnotebook as azureml`` keeps ``azureml.core.VERSION`` working).

Names are imported on first use (PEP 562), and the modules behind them import heavy dependencies where
they are used: ``from hdnotebook import *`` loads no numpy, and a script child that only needs ``Run``
loads none of the store, sqlite3, logging or typing (see ``benchmarks/startup.py``).
"""

from __future__ import annotations

import sys as _sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module must stay import-light
if TYPE_CHECKING:
    import logging
    from typing import Any


def _library_logger(name: str) -> logging.Logger:
    """The logger ``name`` (below "hdnotebook"), once the "hdnotebook" logger has its NullHandler.

    The library's own messages go to the "hdnotebook" logger (children "hdnotebook.<module>"); the application
    chooses whether and where they show. Messages the user must act on are warnings.warn() calls instead.
    The handler is added here, by the modules that log, or at import when logging is loaded already (a
    notebook), so that a script child, which logs nothing this way, does not pay for importing logging.
    """
    import logging

    package = logging.getLogger(__name__)
    if not any(isinstance(handler, logging.NullHandler) for handler in package.handlers):
        package.addHandler(logging.NullHandler())
    return logging.getLogger(name)


if "logging" in _sys.modules:
    _library_logger(__name__)

__version__ = "0.1.0"
VERSION = __version__  # azureml.core.VERSION

_EXPORTS = {
    "ASHAPolicy": "hdnotebook.policy",
    "ActivityFailedException": "hdnotebook.exceptions",
    "AmlCompute": "hdnotebook.compute",
    "AzureMLException": "hdnotebook.exceptions",
    "BanditPolicy": "hdnotebook.policy",
    "BayesianParameterSampling": "hdnotebook.sampling",
    "ComputeTarget": "hdnotebook.compute",
    "ComputeTargetException": "hdnotebook.compute",
    "CondaDependencies": "hdnotebook.environment",
    "DaskComputeTarget": "hdnotebook._engine.executors.dask_target",
    "Dataset": "hdnotebook.dataset",
    "DatasetConsumptionConfig": "hdnotebook.data.consumption",
    "Datastore": "hdnotebook.data.datastore_folder",
    "EarlyTerminationPolicy": "hdnotebook.policy",
    "Environment": "hdnotebook.environment",
    "Experiment": "hdnotebook.experiment",
    "FileDataset": "hdnotebook.data.file_dataset",
    "GridParameterSampling": "hdnotebook.sampling",
    "HyperDriveConfig": "hdnotebook.runconfig",
    "HyperDriveConfigException": "hdnotebook.exceptions",
    "HyperDriveException": "hdnotebook.exceptions",
    "HyperDriveNotImplementedException": "hdnotebook.exceptions",
    "HyperDriveRehydrateException": "hdnotebook.exceptions",
    "HyperDriveRun": "hdnotebook.runs.hyperdrive_run",
    "HyperDriveRunConfig": "hdnotebook.runconfig",
    "HyperDriveScenarioNotSupportedException": "hdnotebook.exceptions",
    "HyperDriveServiceException": "hdnotebook.exceptions",
    "HyperParameterSampling": "hdnotebook.sampling",
    "MedianStoppingPolicy": "hdnotebook.policy",
    "Model": "hdnotebook.model",
    "NoTerminationPolicy": "hdnotebook.policy",
    "PrimaryMetricGoal": "hdnotebook.goal",
    "RandomParameterSampling": "hdnotebook.sampling",
    "Run": "hdnotebook.runs.run_handle",
    "RunConfiguration": "hdnotebook.run_configuration",
    "RunDetails": "hdnotebook.widget",
    "RunEnvironmentException": "hdnotebook.exceptions",
    "ScriptRunConfig": "hdnotebook.script_run_config",
    "TabularDataset": "hdnotebook.data.tabular_dataset",
    "TrainingException": "hdnotebook.exceptions",
    "TruncationSelectionPolicy": "hdnotebook.policy",
    "UserErrorException": "hdnotebook.exceptions",
    "Workspace": "hdnotebook.workspace",
    "choice": "hdnotebook.parameter_expressions",
    "lognormal": "hdnotebook.parameter_expressions",
    "loguniform": "hdnotebook.parameter_expressions",
    "normal": "hdnotebook.parameter_expressions",
    "param_importances": "hdnotebook.analysis",
    "qlognormal": "hdnotebook.parameter_expressions",
    "qloguniform": "hdnotebook.parameter_expressions",
    "qnormal": "hdnotebook.parameter_expressions",
    "quniform": "hdnotebook.parameter_expressions",
    "randint": "hdnotebook.parameter_expressions",
    "replay": "hdnotebook.analysis",
    "uniform": "hdnotebook.parameter_expressions",
}

if TYPE_CHECKING:  # the names above, for type checkers and IDEs (at run time each is imported on first use)
    from hdnotebook._engine.executors.dask_target import DaskComputeTarget as DaskComputeTarget
    from hdnotebook.analysis import param_importances as param_importances, replay as replay
    from hdnotebook.compute import (
        AmlCompute as AmlCompute,
        ComputeTarget as ComputeTarget,
        ComputeTargetException as ComputeTargetException,
    )
    from hdnotebook.data.consumption import DatasetConsumptionConfig as DatasetConsumptionConfig
    from hdnotebook.data.datastore_folder import Datastore as Datastore
    from hdnotebook.data.file_dataset import FileDataset as FileDataset
    from hdnotebook.data.tabular_dataset import TabularDataset as TabularDataset
    from hdnotebook.dataset import Dataset as Dataset
    from hdnotebook.environment import CondaDependencies as CondaDependencies, Environment as Environment
    from hdnotebook.exceptions import (
        ActivityFailedException as ActivityFailedException,
        AzureMLException as AzureMLException,
        HyperDriveConfigException as HyperDriveConfigException,
        HyperDriveException as HyperDriveException,
        HyperDriveNotImplementedException as HyperDriveNotImplementedException,
        HyperDriveRehydrateException as HyperDriveRehydrateException,
        HyperDriveScenarioNotSupportedException as HyperDriveScenarioNotSupportedException,
        HyperDriveServiceException as HyperDriveServiceException,
        RunEnvironmentException as RunEnvironmentException,
        TrainingException as TrainingException,
        UserErrorException as UserErrorException,
    )
    from hdnotebook.experiment import Experiment as Experiment
    from hdnotebook.goal import PrimaryMetricGoal as PrimaryMetricGoal
    from hdnotebook.model import Model as Model
    from hdnotebook.parameter_expressions import (
        choice as choice,
        lognormal as lognormal,
        loguniform as loguniform,
        normal as normal,
        qlognormal as qlognormal,
        qloguniform as qloguniform,
        qnormal as qnormal,
        quniform as quniform,
        randint as randint,
        uniform as uniform,
    )
    from hdnotebook.policy import (
        ASHAPolicy as ASHAPolicy,
        BanditPolicy as BanditPolicy,
        EarlyTerminationPolicy as EarlyTerminationPolicy,
        MedianStoppingPolicy as MedianStoppingPolicy,
        NoTerminationPolicy as NoTerminationPolicy,
        TruncationSelectionPolicy as TruncationSelectionPolicy,
    )
    from hdnotebook.run_configuration import RunConfiguration as RunConfiguration
    from hdnotebook.runconfig import HyperDriveConfig as HyperDriveConfig, HyperDriveRunConfig as HyperDriveRunConfig
    from hdnotebook.runs.hyperdrive_run import HyperDriveRun as HyperDriveRun
    from hdnotebook.runs.run_handle import Run as Run
    from hdnotebook.sampling import (
        BayesianParameterSampling as BayesianParameterSampling,
        GridParameterSampling as GridParameterSampling,
        HyperParameterSampling as HyperParameterSampling,
        RandomParameterSampling as RandomParameterSampling,
    )
    from hdnotebook.script_run_config import ScriptRunConfig as ScriptRunConfig
    from hdnotebook.widget import RunDetails as RunDetails
    from hdnotebook.workspace import Workspace as Workspace

__all__ = [
    "ASHAPolicy",
    "ActivityFailedException",
    "AmlCompute",
    "AzureMLException",
    "BanditPolicy",
    "BayesianParameterSampling",
    "ComputeTarget",
    "ComputeTargetException",
    "CondaDependencies",
    "DaskComputeTarget",
    "Dataset",
    "DatasetConsumptionConfig",
    "Datastore",
    "EarlyTerminationPolicy",
    "Environment",
    "Experiment",
    "FileDataset",
    "GridParameterSampling",
    "HyperDriveConfig",
    "HyperDriveConfigException",
    "HyperDriveException",
    "HyperDriveNotImplementedException",
    "HyperDriveRehydrateException",
    "HyperDriveRun",
    "HyperDriveRunConfig",
    "HyperDriveScenarioNotSupportedException",
    "HyperDriveServiceException",
    "HyperParameterSampling",
    "MedianStoppingPolicy",
    "Model",
    "NoTerminationPolicy",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "Run",
    "RunConfiguration",
    "RunDetails",
    "RunEnvironmentException",
    "ScriptRunConfig",
    "TabularDataset",
    "TrainingException",
    "TruncationSelectionPolicy",
    "UserErrorException",
    "Workspace",
    "choice",
    "lognormal",
    "loguniform",
    "normal",
    "param_importances",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "replay",
    "uniform",
]


# reachable as attributes, so `import hdnotebook as azureml; azureml.core.VERSION` and `hdnotebook.plot.curves(run)` work
_SUBMODULES = frozenset({"core", "plot"})


def _import(module: str) -> Any:
    """The module named ``module``, imported when needed (``__import__``: importlib costs a child's start-up)."""
    __import__(module)
    return _sys.modules[module]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return _import(f"hdnotebook.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hdnotebook' has no attribute {name!r}")
    value = getattr(_import(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
