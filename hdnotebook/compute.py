"""``azureml.core.compute`` for notebooks that migrate unchanged: every compute target runs children on
this machine. Use ``compute_target=`` with a Dask address or ``DaskComputeTarget`` to scale out.

Targets are registered in the workspace's store by ``ComputeTarget.create`` / ``attach`` (so every process of the
workspace sees them); ``ComputeTarget(workspace, name)`` finds one and raises ComputeTargetException for a name
that was never created, as Azure does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from hdnotebook.exceptions import ComputeTargetException, UserErrorException

LOCAL_TYPE = "local"
AML_COMPUTE_TYPE = "AmlCompute"
SUCCEEDED = "Succeeded"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _store_of(workspace: Any) -> Any:
    store = getattr(workspace, "_store", None)
    if store is None:
        raise UserErrorException(f"ComputeTarget expects workspace to be a Workspace, got {type(workspace).__name__}")
    return store


def workspace_targets(workspace: Any) -> dict[str, ComputeTarget]:
    """``{name: target}`` for the targets registered in ``workspace``'s store, oldest first."""
    return {r.name: ComputeTarget._from_record(workspace, r) for r in _store_of(workspace).list_compute_targets()}


class AmlComputeProvisioningConfiguration(dict):
    """What ``AmlCompute.provisioning_configuration`` was given (a dict); ``ComputeTarget.create`` with it gives an AmlCompute."""


@dataclass
class ComputeStatus:
    """The status of a local compute target, shaped as Azure's ``AmlComputeStatus``.

    It describes this machine as one dedicated node that is always provisioned (``Succeeded``) and
    ``Steady``, counted as idle (children are processes on it, not node allocations); ``vm_size`` is
    ``"local"`` whatever size the notebook asked for. Times are ISO 8601 UTC: when the target was
    first registered in the workspace.
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
    """A named compute target registered in a workspace; children submitted to it run as local processes.

    ``ComputeTarget(workspace, name)`` returns the target of that name that ``create`` or ``attach`` registered
    (an :class:`AmlCompute` when it was created from ``AmlCompute.provisioning_configuration``) and raises
    ComputeTargetException when there is none. ``type`` is ``"local"`` or ``"AmlCompute"``;
    ``provisioning_state`` is always ``"Succeeded"``.
    """

    workspace: Any
    name: str
    type: str
    provisioning_state: str
    provisioning_configuration: dict[str, Any] | None
    _created: str

    def __new__(cls, workspace: Any = None, name: str | None = None, **kwargs: Any) -> ComputeTarget:
        if not (isinstance(name, str) and name):
            raise UserErrorException(f"ComputeTarget expects name to be a non-empty string, got {name!r}")
        record = _store_of(workspace).get_compute_target(name)
        if record is None:
            raise ComputeTargetException(
                f"ComputeTargetNotFound: Compute Target with name {name} not found in provided workspace",
                error_code="ComputeTargetNotFound")
        return cls._from_record(workspace, record)

    def __init__(self, workspace: Any = None, name: str | None = None, **kwargs: Any) -> None:
        """Everything is set by ``__new__`` (from the store)."""

    @staticmethod
    def _from_record(workspace: Any, record: Any) -> ComputeTarget:
        cls = AmlCompute if record.type == AML_COMPUTE_TYPE else ComputeTarget
        target = object.__new__(cls)
        target.workspace = workspace
        target.name = record.name
        target.type = record.type
        target.provisioning_state = SUCCEEDED
        target.provisioning_configuration = record.configuration
        target._created = _iso(record.created_time)
        return target

    @staticmethod
    def create(workspace: Any, name: str, provisioning_configuration: Any = None) -> ComputeTarget:
        """Register a target with that name in the workspace's store (nothing is provisioned) and return it; an
        AmlCompute when the configuration comes from ``AmlCompute.provisioning_configuration``. A name already
        registered returns the existing target."""
        if not (isinstance(name, str) and name):
            raise UserErrorException(f"ComputeTarget expects name to be a non-empty string, got {name!r}")
        kind = AML_COMPUTE_TYPE if isinstance(provisioning_configuration, AmlComputeProvisioningConfiguration) else LOCAL_TYPE
        configuration = dict(provisioning_configuration) if isinstance(provisioning_configuration, dict) else None
        record = _store_of(workspace).add_compute_target(name, kind, configuration)
        return ComputeTarget._from_record(workspace, record)

    @staticmethod
    def attach(workspace: Any, name: str, attach_configuration: Any = None) -> ComputeTarget:
        """Register a target with that name in the workspace (nothing is attached)."""
        return ComputeTarget.create(workspace, name, attach_configuration)

    def wait_for_completion(self, show_output: bool = False, min_node_count: Any = None, timeout_in_minutes: int = 20,
                            is_delete_operation: bool = False) -> None:
        """Nothing to wait for; with ``show_output`` prints Azure's final provisioning lines and where children run."""
        if show_output:
            print(f"{SUCCEEDED}\n{self.type} wait for completion finished\n")
            print(f"Compute target {self.name!r}: children run as local processes (hdnotebook).")

    def get_status(self) -> ComputeStatus:
        """This machine as one provisioned node (see :class:`ComputeStatus`); ``.serialize()`` gives the dict."""
        return ComputeStatus(creation_time=self._created)

    def delete(self) -> None:
        """Remove the target from its workspace's store (nothing to deprovision)."""
        _store_of(self.workspace).delete_compute_target(self.name)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ComputeTarget) and (other.workspace, other.name, other.type, other._created)
                == (self.workspace, self.name, self.type, self._created))

    def __hash__(self) -> int:
        return hash((self.name, self.type))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, type={self.type})"


class AmlCompute(ComputeTarget):
    """``AmlCompute`` clusters become local processes too; ``type`` is ``"AmlCompute"``."""

    @staticmethod
    def provisioning_configuration(vm_size: str = "", max_nodes: int = 4, min_nodes: int = 0,
                                   **kwargs: Any) -> AmlComputeProvisioningConfiguration:
        """The configuration, kept for the record (a dict)."""
        return AmlComputeProvisioningConfiguration(vm_size=vm_size, max_nodes=max_nodes, min_nodes=min_nodes, **kwargs)

    @staticmethod
    def supported_vmsizes(workspace: Any, location: str | None = None) -> list[dict[str, Any]]:
        """No VM sizes locally."""
        return []
