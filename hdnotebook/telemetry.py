"""``azureml.telemetry``: hdnotebook collects no diagnostics, so there is nothing to switch on or off."""

from __future__ import annotations

__all__ = ["set_diagnostics_collection"]


def set_diagnostics_collection(send_diagnostics: bool = True, path: str | None = None, reset: bool = False) -> None:
    """A no-op kept for migrated notebooks: hdnotebook records nothing and sends nothing, whatever the arguments."""
