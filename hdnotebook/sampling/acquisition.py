"""Log expected improvement and its maximisation over the encoded box.

The acquisition is ``log EI(x) = log(sigma) + log h((mean - best) / sigma)`` with
``h(z) = phi(z) + z Phi(z)``, computed so that it stays finite and smooth far below the incumbent
(Ament et al., "Unexpected improvements to expected improvement", 2023): plain EI underflows to 0
there and leaves the optimiser without a gradient.

:func:`maximise` scores random points of the box and perturbations of the best observed points, runs
one batched L-BFGS-B (in length-scale units) from the best of them over the continuous and ordinal
columns, snaps the results onto the values they decode to, improves them by a discrete local search
(one column at a time), then, in a space with both kinds of column, alternates (as Optuna's mixed local
search does) an ascent over the continuous columns with the discrete ones held at their values and the
discrete local search, and returns every point it scored, best first.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import erfcx, log_ndtr, ndtr

from hdnotebook.sampling.encoding import SpaceEncoding
from hdnotebook.sampling.gp import GaussianProcess

RANDOM_POINTS = 512
LOCAL_POINTS = 32
"""Perturbations of each of the ANCHORS best observed points, of about a tenth of a length scale."""
ANCHORS = 5
STARTS = 8
OPTIMISER_ITERATIONS = 100
DISCRETE_ROUNDS = 3
DISCRETE_POINTS = 4
"""How many of the best points the discrete local search improves."""
POLISH_ROUNDS = 2
"""Rounds of (ascent over the continuous columns with the discrete ones fixed, then discrete local search)."""
POLISH_POINTS = 8
"""How many of the best points each polishing round starts from."""

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(math.pi / 2.0)


def log_h(z: np.ndarray) -> np.ndarray:
    """``log(phi(z) + z Phi(z))``, accurate for every finite z."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu * zu - _LOG_SQRT_2PI) + zu * ndtr(zu))
    a = -z[~upper]
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(
            a < 1e6,
            np.log1p(-np.minimum(a * _SQRT_HALF_PI * erfcx(a / math.sqrt(2.0)), 1.0 - 1e-16)),
            -2.0 * np.log(a),
        )
    out[~upper] = -0.5 * a * a - _LOG_SQRT_2PI + tail
    return out


def log_expected_improvement(
    mean: np.ndarray, variance: np.ndarray, best: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log EI over ``best`` (maximisation) and its derivatives with respect to mean and variance."""
    sigma = np.sqrt(variance)
    z = (mean - best) / sigma
    logh = log_h(z)
    ratio = np.exp(log_ndtr(z) - logh)
    d_mean = ratio / sigma
    d_variance = (1.0 - ratio * z) / (2.0 * variance)
    return np.log(sigma) + logh, d_mean, d_variance


def score(gp: GaussianProcess, points: np.ndarray, best: float) -> np.ndarray:
    """log EI at points (m, d)."""
    mean, variance = gp.predict(points)
    return log_expected_improvement(mean, variance, best)[0]


def _candidates(
    encoding: SpaceEncoding, gp: GaussianProcess, anchors: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    points = [encoding.random(rng, RANDOM_POINTS)]
    width = np.minimum(gp.hyper.lengthscales, 1.0) * 0.1 * (encoding.upper - encoding.lower)
    for anchor in anchors[:ANCHORS]:
        local = anchor + rng.normal(size=(LOCAL_POINTS, encoding.dimension)) * width
        flip = rng.random(local.shape) < 1.0 / encoding.dimension
        categorical = encoding.categorical
        local[:, categorical] = np.where(
            flip[:, categorical], encoding.random(rng, LOCAL_POINTS)[:, categorical], anchor[categorical]
        )
        points.append(encoding.snap(np.clip(local, encoding.lower, encoding.upper)))
    return np.vstack(points + [anchors[:1]])


def _gradient_ascent(
    encoding: SpaceEncoding, gp: GaussianProcess, starts: np.ndarray, best: float, free: np.ndarray | None = None
) -> np.ndarray:
    if free is None:
        free = np.flatnonzero(~encoding.categorical)
    if free.size == 0:
        return starts
    unit = np.minimum(gp.hyper.lengthscales[free], 10.0)
    shape = (len(starts), free.size)

    def negative(flat: np.ndarray) -> tuple[float, np.ndarray]:
        points = starts.copy()
        points[:, free] = flat.reshape(shape) * unit
        mean, variance, d_mean, d_variance = gp.predict_with_gradient(points)
        value, g_mean, g_variance = log_expected_improvement(mean, variance, best)
        gradient = g_mean[:, None] * d_mean[:, free] + g_variance[:, None] * d_variance[:, free]
        return -float(np.sum(value)), -(gradient * unit).ravel()

    bounds = list(zip(np.tile(encoding.lower[free] / unit, len(starts)), np.tile(encoding.upper[free] / unit, len(starts))))
    x0 = np.clip(starts[:, free], encoding.lower[free], encoding.upper[free]) / unit
    with np.errstate(all="ignore"):
        result = minimize(negative, x0.ravel(), jac=True, method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": OPTIMISER_ITERATIONS})
    moved = starts.copy()
    if np.all(np.isfinite(result.x)):
        moved[:, free] = np.clip(result.x.reshape(shape) * unit, encoding.lower[free], encoding.upper[free])
    return encoding.snap(moved)


def _discrete_search(
    encoding: SpaceEncoding, gp: GaussianProcess, points: np.ndarray, values: np.ndarray, best: float
) -> tuple[np.ndarray, np.ndarray]:
    found_points, found_values = [points], [values]
    for point, value in zip(points, values):
        for _ in range(DISCRETE_ROUNDS):
            moves = encoding.neighbours(point)
            if not len(moves):
                break
            move_values = score(gp, moves, best)
            found_points.append(moves)
            found_values.append(move_values)
            top = int(np.argmax(move_values))
            if move_values[top] <= value:
                break
            point, value = moves[top], move_values[top]
    return np.vstack(found_points), np.concatenate(found_values)


def maximise(
    encoding: SpaceEncoding, gp: GaussianProcess, best: float, anchors: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Every point scored while maximising log EI over ``best``, best first, duplicates removed.

    ``anchors`` are observed points, best first, around which local candidates are drawn; the first
    is also a starting point of the gradient ascent.
    """
    points = _candidates(encoding, gp, anchors, rng)
    values = score(gp, points, best)
    order = np.argsort(-values, kind="stable")
    starts = np.vstack([points[order[:STARTS]], anchors[:1]])
    starts = starts[np.sort(np.unique(np.round(starts, 12), axis=0, return_index=True)[1])]
    ascended = _gradient_ascent(encoding, gp, starts, best)
    points = np.vstack([points, ascended])
    values = np.concatenate([values, score(gp, ascended, best)])
    if encoding.discrete.any():
        top = np.argsort(-values, kind="stable")[:DISCRETE_POINTS]
        found, found_values = _discrete_search(encoding, gp, points[top], values[top], best)
        points, values = np.vstack([points, found]), np.concatenate([values, found_values])
        continuous = np.flatnonzero(~encoding.discrete)
        for _ in range(POLISH_ROUNDS if continuous.size else 0):
            # The first ascent moved discrete columns as if continuous and snapped them, which moves the
            # continuous optimum too; re-optimise the continuous columns with the discrete ones fixed.
            top = np.argsort(-values, kind="stable")[:POLISH_POINTS]
            polished = _gradient_ascent(encoding, gp, points[top], best, continuous)
            found, found_values = _discrete_search(encoding, gp, polished, score(gp, polished, best), best)
            points, values = np.vstack([points, found]), np.concatenate([values, found_values])
    values = np.where(np.isfinite(values), values, -np.inf)
    order = np.argsort(-values, kind="stable")
    _, first = np.unique(np.round(points[order], 12), axis=0, return_index=True)
    return points[order[np.sort(first)]]
