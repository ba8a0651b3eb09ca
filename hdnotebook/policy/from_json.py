"""Rebuilding a policy from the JSON form a sweep stored (``to_json()``), e.g. to draw its threshold."""

from __future__ import annotations

from typing import Any

from hdnotebook.policy.asha import ASHAPolicy
from hdnotebook.policy.bandit import BanditPolicy
from hdnotebook.policy.base import EarlyTerminationPolicy
from hdnotebook.policy.median_stopping import MedianStoppingPolicy
from hdnotebook.policy.no_termination import NoTerminationPolicy
from hdnotebook.policy.truncation_selection import TruncationSelectionPolicy

POLICIES: dict[str, type[EarlyTerminationPolicy]] = {
    "Bandit": BanditPolicy, "MedianStopping": MedianStoppingPolicy, "TruncationSelection": TruncationSelectionPolicy,
    "ASHA": ASHAPolicy, "Default": NoTerminationPolicy,
}


def policy_from_json(config: dict[str, Any] | None) -> EarlyTerminationPolicy | None:
    """The policy a ``to_json()`` dict describes; None for a policy of the user's own (unknown name)."""
    config = config or {"name": "Default"}
    cls = POLICIES.get(config.get("name", ""))
    if cls is None:
        return None
    return cls(**(config.get("properties") or {}))
