"""What the Bayesian optimiser learns from a sweep's history, and the data its Gaussian process is fitted to.

Each trial of a :class:`SamplingHistory` is, by status and metric:

* Completed or Canceled with a finite metric: an observation of that value. A run stopped by an
  early-termination policy (or canceled by the user) counts with the best value it logged so far.
* Failed: a bad outcome, whatever it logged. It enters the model with the worst observed value, once
  there is at least one observation.
* Completed or Canceled without a finite metric: ignored by the model.
* Any other status (Queued, Running, ...): pending; the optimiser plans around it (a kriging believer).

A trial whose parameters are not a configuration of the space (a key missing, a foreign value) is
left out of the model. Every trial's configuration counts as seen, so it is not proposed again.

The finished runs of warm-start parents (``history.prior``) are observations too, by the same rules,
when their configuration fits this space (:func:`hdnotebook.sampling.space.fits_space`); pending
parents' runs cannot exist (parents are finished).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.space import configuration_key, fits_space
from hdnotebook.status import CANCELED, COMPLETED, FAILED, TERMINAL

if TYPE_CHECKING:
    import numpy as np

    from hdnotebook.sampling.encoding import SpaceEncoding
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

MAX_MODEL_POINTS = 300
"""Above this many observations the model is conditioned on the best third plus a random sample of the rest."""
MAX_FIT_POINTS = 150
"""Above this many points the hyperparameters are fitted to the best third plus a random sample of the rest."""


@dataclass
class Observations:
    """A history in encoded form; ``values`` are oriented so that larger is better."""

    points: np.ndarray
    values: np.ndarray
    failed: np.ndarray
    pending: np.ndarray
    seen: set[tuple[Any, ...]] = field(default_factory=set)

    @property
    def count(self) -> int:
        """How many runs gave an observation (Completed or Canceled with a finite metric)."""
        return len(self.values)

    def add_pending(self, point: np.ndarray, key: tuple[Any, ...] | None) -> None:
        """Record a configuration proposed in this batch: pending, and seen."""
        self.pending = np.vstack([self.pending, point[None, :]])
        if key is not None:
            self.seen.add(key)


def _finite(metric: Any) -> bool:
    return isinstance(metric, (int, float)) and not isinstance(metric, bool) and math.isfinite(metric)


def read_history(history: SamplingHistory, encoding: SpaceEncoding) -> Observations:
    """Sort a history's trials into observations, failures and pending points (see the module docstring)."""
    sign = 1.0 if history.goal is PrimaryMetricGoal.MAXIMIZE else -1.0
    points, values, failed, pending = [], [], [], []
    seen: set[tuple[Any, ...]] = set()
    prior = [t for t in history.prior if t.status in TERMINAL and fits_space(encoding.parameter_space, t.params)]
    trials = [*prior, *history.trials]
    encoded = encoding.encode_many([trial.params for trial in trials])
    for trial, point in zip(trials, encoded):
        key = configuration_key(encoding.keys, trial.params) if isinstance(trial.params, dict) else None
        if key is not None:
            seen.add(key)
        if np.isnan(point).any():
            continue
        if trial.status == FAILED:
            failed.append(point)
        elif trial.status in (COMPLETED, CANCELED) and _finite(trial.metric):
            points.append(point)
            values.append(sign * float(trial.metric))
        elif trial.status not in TERMINAL:
            pending.append(point)
    d = encoding.dimension
    return Observations(
        points=np.array(points, dtype=float).reshape(-1, d),
        values=np.array(values, dtype=float),
        failed=np.array(failed, dtype=float).reshape(-1, d),
        pending=np.array(pending, dtype=float).reshape(-1, d),
        seen=seen,
    )


def standardise(values: np.ndarray) -> np.ndarray:
    """``(values - mean) / std`` (computed on values scaled to at most 1 in magnitude); constant values give zeros."""
    magnitude = float(np.max(np.abs(values))) if len(values) else 0.0
    scaled = values / magnitude if magnitude > 0 else values
    spread = float(np.std(scaled))
    return (scaled - float(np.mean(scaled))) / spread if spread > 1e-12 else np.zeros_like(values)


def subsample(values: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of at most ``size`` values: the best third of ``size``, then a random sample of the others."""
    if len(values) <= size:
        return np.arange(len(values))
    order = np.argsort(-values, kind="stable")
    keep = size // 3
    return np.sort(np.concatenate([order[:keep], rng.choice(order[keep:], size=size - keep, replace=False)]))


def training_data(observations: Observations, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Points and standardised values to fit the GP to, and how many of them are observations.

    The observations come first (subsampled above MAX_MODEL_POINTS), then the failures, which take the
    worst observed value. Values are standardised after the failures are added.
    """
    chosen = subsample(observations.values, MAX_MODEL_POINTS, rng)
    points, values = observations.points[chosen], observations.values[chosen]
    failed = observations.failed[: max(0, MAX_MODEL_POINTS - len(values))] if len(values) else observations.failed[:0]
    measured = len(values)
    points = np.vstack([points, failed])
    values = np.concatenate([values, np.full(len(failed), np.min(values) if len(values) else 0.0)])
    return points, standardise(values), measured
