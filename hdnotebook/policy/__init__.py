"""Early-termination policies, as ``azureml.train.hyperdrive.policy``, plus ASHAPolicy.

``hdnotebook.policy.replay`` measures a policy on finished curves (``hdnotebook.replay`` also takes a finished sweep).
"""

from hdnotebook.policy.asha import ASHAPolicy
from hdnotebook.policy.bandit import BanditPolicy
from hdnotebook.policy.base import EarlyTerminationPolicy
from hdnotebook.policy.history import RunCurve, Termination
from hdnotebook.policy.median_stopping import MedianStoppingPolicy
from hdnotebook.policy.no_termination import NoTerminationPolicy
from hdnotebook.policy.truncation_selection import TruncationSelectionPolicy

__all__ = [
    "ASHAPolicy",
    "BanditPolicy",
    "EarlyTerminationPolicy",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "RunCurve",
    "Termination",
    "TruncationSelectionPolicy",
]
