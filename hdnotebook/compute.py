"""``azureml.core.compute`` for notebooks that migrate unchanged: every compute target runs children on
this machine. Use ``compute_target=`` with a Dask address or ``DaskComputeTarget`` to scale out.

Targets created, attached or looked up in a workspace are kept for the life of the Python process
(``Workspace.compute_targets``); nothing about them is written to the store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hdnotebook.exceptions import AzureMLException, UserErrorException

LOCAL_TYPE = "local"
AML_COMPUTE_TYPE = "AmlCompute"
SUCCEEDED = "Succeeded"

_targets: dict[Path, dict[str, "ComputeTarget"]] = {}
_targets_lock = threading.Lock()


class ComputeTargetException(AzureMLException):
    """Raised by Azure ML when a compute target is missing; never raised here (every target is local)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _workspace_key(workspace: Any) -> Path | None:
    path = getattr(workspace, "path", None)
    return path if isinstance(path, Path) else None


def workspace_targets(workspace: Any) -> dict[str, "ComputeTarget"]:
    """``{name: target}`` for the targets this process created, attached or looked up in ``workspace`` (a copy)."""
    key = _workspace_key(workspace)
    with _targets_lock:
        return dict(_targets.get(key, {})) if key is not None else {}


class AmlComputeProvisioningConfiguration(dict):
    """What ``AmlCompute.provisioning_configuration`` was given (a dict); ``ComputeTarget.create`` with it gives an AmlCompute."""


@dataclass
class ComputeStatus:
    """The status of a local compute target, shaped as Azure's ``AmlComputeStatus``.

    It describes this machine as one dedicated node that is always provisioned (``Succeeded``) and
    ``Steady``, counted as idle (children are processes on it, not node allocations); ``vm_size`` is
    ``"local"`` whatever size the notebook asked for. Times are ISO 8601 UTC: when the target was
    first recorded in this process.
    """

    creation_time: str
    provisioning_state: str = SUCCEEDED
    allocation_state: str = "Steady"
    current_node_count: int = 1
    target_node_count: int = 1
    vm_size: str = LOCAL_TYPE
    vm_priority: str = "Dedicated"
    errors: Any = None
    node_state_counts: dict[str, int] = field(default_factory=lambda: {
        "idleNodeCount": 1, "leavingNodeCount": 0, "preemptedNodeCount": 0, "preparingNodeCount": 0,
        "runningNodeCount": 0, "unusableNodeCount": 0,
    })
    scale_settings: dict[str, Any] = field(default_factory=lambda: {
        "minNodeCount": 1, "maxNodeCount": 1, "nodeIdleTimeBeforeScaleDown": None,
    })

    def serialize(self) -> dict[str, Any]:
        """The status as Azure's camelCase dict (``currentNodeCount``, ``provisioningState``...)."""
        return {
            "currentNodeCount": self.current_node_count,
            "targetNodeCount": self.target_node_count,
            "nodeStateCounts": dict(self.node_state_counts),
            "allocationState": self.allocation_state,
            "allocationStateTransitionTime": self.creation_time,
            "errors": self.errors,
            "creationTime": self.creation_time,
            "modifiedTime": self.creation_time,
            "provisioningState": self.provisioning_state,
            "provisioningStateTransitionTime": self.creation_time,
            "scaleSettings": dict(self.scale_settings),
            "vmPriority": self.vm_priority,
            "vmSize": self.vm_size,
        }


class ComputeTarget:
    """A named compute target; children submitted to it run as local processes.

    ``ComputeTarget(workspace, name)`` finds the target of that name recorded in the workspace (its
    ``type`` and provisioning configuration) and otherwise records a new one of type ``"local"``
    (Azure would raise ComputeTargetException; here every name exists). ``type`` is ``"local"``, or
    ``"AmlCompute"`` for an :class:`AmlCompute`; ``provisioning_state`` is always ``"Succeeded"``.
    """

    _compute_type = LOCAL_TYPE

    def __init__(self, workspace: Any = None, name: str | None = None, **kwargs: Any) -> None:
        self._setup(workspace, LOCAL_TYPE if name is None else name, None)
        known = workspace_targets(workspace).get(self.name)
        if known is None:
            self._record()
        else:
            self.type, self.provisioning_configuration, self._created = known.type, known.provisioning_configuration, known._created

    def _setup(self, workspace: Any, name: Any, configuration: Any) -> None:
        if not (isinstance(name, str) and name):
            raise UserErrorException(f"ComputeTarget expects name to be a non-empty string, got {name!r}")
        self.workspace = workspace
        self.name = name
        self.type = self._compute_type
        self.provisioning_state = SUCCEEDED
        self.provisioning_configuration: dict[str, Any] | None = dict(configuration) if isinstance(configuration, dict) else None
        self._created = _now()

    def _record(self) -> None:
        key = _workspace_key(self.workspace)
        if key is not None:
            with _targets_lock:
                _targets.setdefault(key, {})[self.name] = self

    @staticmethod
    def create(workspace: Any, name: str, provisioning_configuration: Any = None) -> "ComputeTarget":
        """A target with that name, recorded in the workspace (nothing is provisioned); an AmlCompute when
        the configuration comes from ``AmlCompute.provisioning_configuration``."""
        cls = AmlCompute if isinstance(provisioning_configuration, AmlComputeProvisioningConfiguration) else ComputeTarget
        target = cls.__new__(cls)
        target._setup(workspace, name, provisioning_configuration)
        target._record()
        return target

    @staticmethod
    def attach(workspace: Any, name: str, attach_configuration: Any = None) -> "ComputeTarget":
        """A target with that name, recorded in the workspace (nothing is attached)."""
        return ComputeTarget.create(workspace, name, attach_configuration)

    def wait_for_completion(self, show_output: bool = False, min_node_count: Any = None, timeout_in_minutes: int = 20,
                            is_delete_operation: bool = False) -> None:
        """Nothing to wait for; with ``show_output`` says where children run."""
        if show_output:
            print(f"Compute target {self.name!r}: children run as local processes (hdnotebook).")

    def get_status(self) -> ComputeStatus:
        """This machine as one provisioned node (see :class:`ComputeStatus`); ``.serialize()`` gives the dict."""
        return ComputeStatus(creation_time=self._created)

    def delete(self) -> None:
        """Forget the target in its workspace (nothing to deprovision)."""
        key = _workspace_key(self.workspace)
        if key is not None:
            with _targets_lock:
                _targets.get(key, {}).pop(self.name, None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, type={self.type})"


class AmlCompute(ComputeTarget):
    """``AmlCompute`` clusters become local processes too; ``type`` is ``"AmlCompute"``."""

    _compute_type = AML_COMPUTE_TYPE

    @staticmethod
    def provisioning_configuration(vm_size: str = "", max_nodes: int = 4, min_nodes: int = 0,
                                   **kwargs: Any) -> AmlComputeProvisioningConfiguration:
        """The configuration, kept for the record (a dict)."""
        return AmlComputeProvisioningConfiguration(vm_size=vm_size, max_nodes=max_nodes, min_nodes=min_nodes, **kwargs)

    @staticmethod
    def supported_vmsizes(workspace: Any, location: str | None = None) -> list[dict[str, Any]]:
        """No VM sizes locally."""
        return []
