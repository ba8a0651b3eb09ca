"""``azureml.core``: the names notebooks import from it, plus ``VERSION``.

``from hdnotebook.core import Workspace, Experiment`` mirrors ``from azureml.core import ...``, and after
``import hdnotebook as azureml`` (in place of ``import azureml.core``) a notebook's
``azureml.core.VERSION`` and ``azureml.core.Workspace`` resolve here.
"""

from __future__ import annotations

import urllib.request  # noqa: F401  (Azure's SDK loaded it, and samples call urllib.request after only `import urllib`)

from hdnotebook import VERSION
from hdnotebook.compute import ComputeTarget
from hdnotebook.data.datastore_folder import Datastore
from hdnotebook.dataset import Dataset
from hdnotebook.environment import Environment
from hdnotebook.experiment import Experiment
from hdnotebook.model import Model
from hdnotebook.run_configuration import RunConfiguration
from hdnotebook.runs.run_handle import Run
from hdnotebook.script_run_config import ScriptRunConfig
from hdnotebook.workspace import Workspace

__all__ = ["ComputeTarget", "Dataset", "Datastore", "Environment", "Experiment", "Model", "Run", "RunConfiguration", "ScriptRunConfig",
           "VERSION", "Workspace"]
