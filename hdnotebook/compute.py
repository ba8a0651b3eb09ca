"""``azureml.core.compute`` for notebooks that migrate unchanged: every compute target runs children on
this machine. Use ``compute_target=`` with a Dask address or ``DaskComputeTarget`` to scale out."""

from __future__ import annotations

from typing import Any

from hdnotebook.exceptions import AzureMLException


class ComputeTargetException(AzureMLException):
    """Raised by Azure ML when a compute target is missing; never raised here (every target is local)."""


class ComputeTarget:
    """A named compute target; children submitted to it run as local processes."""

    def __init__(self, workspace: Any = None, name: str | None = None, **kwargs: Any) -> None:
        self.workspace = workspace
        self.name = name or "local"
        self.provisioning_state = "Succeeded"

    @staticmethod
    def create(workspace: Any, name: str, provisioning_configuration: Any = None) -> "ComputeTarget":
        """A target with that name (nothing is provisioned)."""
        return ComputeTarget(workspace, name)

    def wait_for_completion(self, show_output: bool = False, min_node_count: Any = None, timeout_in_minutes: int = 20,
                            is_delete_operation: bool = False) -> None:
        """Nothing to wait for; with ``show_output`` says where children run."""
        if show_output:
            print(f"Compute target {self.name!r}: children run as local processes (hdnotebook).")

    def get_status(self) -> Any:
        """Always Succeeded."""
        return self.provisioning_state

    def delete(self) -> None:
        """Nothing to delete."""

    def __repr__(self) -> str:
        return f"ComputeTarget(name={self.name!r}, type=local)"


class AmlCompute(ComputeTarget):
    """``AmlCompute`` clusters become local processes too."""

    @staticmethod
    def provisioning_configuration(vm_size: str = "", max_nodes: int = 4, min_nodes: int = 0, **kwargs: Any) -> dict[str, Any]:
        """The configuration, kept for the record."""
        return {"vm_size": vm_size, "max_nodes": max_nodes, "min_nodes": min_nodes, **kwargs}

    @staticmethod
    def supported_vmsizes(workspace: Any, location: str | None = None) -> list[dict[str, Any]]:
        """No VM sizes locally."""
        return []
