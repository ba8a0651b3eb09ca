"""NoTerminationPolicy: never cancel a run early (HyperDrive's "Default" policy)."""

from __future__ import annotations

from hdnotebook.policy.base import EarlyTerminationPolicy


class NoTerminationPolicy(EarlyTerminationPolicy):
    """No early termination: every run goes to completion. JSON ``{"name": "Default"}`` (no properties)."""

    POLICY_NAME = "Default"

    def __init__(self) -> None:
        super().__init__(self.POLICY_NAME)
