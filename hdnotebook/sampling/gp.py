"""Gaussian-process regression: Matern 5/2 kernel with one length scale per column, maximum a posteriori fit.

The kernel is ``k(x, x') = scale * m(r2)`` with ``m(r2) = (1 + sqrt(5 r2) + 5 r2 / 3) exp(-sqrt(5 r2))`` and
``r2 = sum_d rho_d * sq_d(x, x')``, where ``sq_d`` is the squared difference of column d, or for a
categorical column 0 when the two indices are equal and 1 otherwise; ``rho_d = 1 / lengthscale_d**2``.
The outputs are expected to be standardised (mean 0, variance 1) by the caller. Observations carry
Gaussian noise of variance ``noise >= MIN_NOISE`` in those units: the floor is low because most objectives
tuned here are deterministic, and the fitted noise grows when they are not.

Hyperparameters maximise the log marginal likelihood plus weak log priors (rho: ``-0.1 (rho + 1/rho)``,
favouring length scales near the width of the box; scale: Gamma(2, 1); noise: Gamma(1.1, 30), favouring
little noise), found by L-BFGS-B on their logarithms with analytic gradients, from the best of a few
starting points. A kernel matrix that is not numerically positive definite gets growing jitter, then an
eigenvalue floor, so no linear-algebra error leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import LinAlgError, cho_solve, cholesky, eigh, solve_triangular
from scipy.linalg.lapack import dpotrf, dpotri, dpotrs
from scipy.optimize import minimize

MIN_NOISE = 1e-9
JITTERS = (1e-9, 1e-7, 1e-5, 1e-3, 1e-1)
LOG_RHO_BOUNDS = (np.log(1e-4), np.log(1e5))
LOG_SCALE_BOUNDS = (np.log(1e-2), np.log(1e2))
LOG_NOISE_BOUNDS = (np.log(1e-12), np.log(2.0))
"""Bounds of log(noise - MIN_NOISE)."""
STARTS = ((1.0, 1.0, 1e-2), (10.0, 1.0, 1e-3))
"""Candidate starting (rho, scale, noise) of the fit; L-BFGS-B starts from the one with the best objective."""
FIT_ITERATIONS = 80
FIT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Hyperparameters:
    """Kernel hyperparameters: ``rho`` (inverse squared length scales, one per column), ``scale``, ``noise``."""

    rho: np.ndarray
    scale: float
    noise: float

    @property
    def lengthscales(self) -> np.ndarray:
        """``1 / sqrt(rho)``, in units of the encoded columns."""
        return 1.0 / np.sqrt(self.rho)


def squared_differences(a: np.ndarray, b: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Per-column squared differences (n, m, d) of points a (n, d) and b (m, d); categorical: 0 or 1."""
    diff = a[:, None, :] - b[None, :, :]
    squared = diff * diff
    if categorical.any():
        squared[..., categorical] = squared[..., categorical] > 0
    return squared


def matern52(r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Matern 5/2 correlation m(r2) and its derivative dm/dr2."""
    s = np.sqrt(5.0 * np.maximum(r2, 0.0))
    e = np.exp(-s)
    return e * (1.0 + s + s * s / 3.0), -5.0 / 6.0 * (1.0 + s) * e


def robust_cholesky(matrix: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor of a symmetric matrix, adding jitter (then flooring eigenvalues) when needed."""
    scale = max(float(np.mean(np.diag(matrix))), 1e-12)
    try:
        return cholesky(matrix, lower=True, check_finite=False)
    except LinAlgError:
        pass
    identity = np.eye(len(matrix))
    for jitter in JITTERS:
        try:
            return cholesky(matrix + jitter * scale * identity, lower=True, check_finite=False)
        except LinAlgError:
            continue
    values, vectors = eigh(matrix)
    floored = (vectors * np.maximum(values, 1e-3 * scale)) @ vectors.T
    return cholesky((floored + floored.T) / 2 + 1e-3 * scale * identity, lower=True, check_finite=False)


def _negative_log_posterior(theta: np.ndarray, squared: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Minus (log marginal likelihood + log prior) and its gradient in theta; squared is (n * n, d)."""
    n, d = len(y), squared.shape[1]
    rho = np.exp(theta[:d])
    scale = np.exp(theta[d])
    extra_noise = np.exp(theta[d + 1])
    noise = extra_noise + MIN_NOISE
    correlation, derivative = matern52((squared @ rho).reshape(n, n))
    kernel = scale * correlation
    kernel.flat[:: n + 1] += noise
    factor, info = dpotrf(kernel, lower=1, clean=0)
    if info != 0:
        return 1e10, np.zeros_like(theta)
    alpha = dpotrs(factor, y, lower=1)[0]
    inverse = np.tril(dpotri(factor, lower=1)[0])
    inverse += np.tril(inverse, -1).T
    w = np.outer(alpha, alpha)
    w -= inverse
    trace = float(np.trace(w))
    value = 0.5 * float(y @ alpha) + float(np.sum(np.log(np.diag(factor))))
    value -= float(np.sum(-0.1 * (rho + 1.0 / rho))) + (np.log(scale) - scale) + (0.1 * np.log(noise) - 30.0 * noise)
    gradient = np.empty_like(theta)
    gradient[:d] = -0.5 * scale * rho * ((w * derivative).ravel() @ squared) - (0.1 / rho - 0.1 * rho)
    gradient[d] = -0.5 * scale * float(np.vdot(w, correlation)) - (1.0 - scale)
    gradient[d + 1] = (-0.5 * trace - (0.1 / noise - 30.0)) * extra_noise
    return value, gradient


def fit_hyperparameters(x: np.ndarray, y: np.ndarray, categorical: np.ndarray) -> Hyperparameters:
    """The MAP hyperparameters for points x (n, d) and standardised outputs y (n,); deterministic.

    L-BFGS-B starts from the best of ``STARTS`` by objective value.
    """
    d = x.shape[1]
    squared = squared_differences(x, x, categorical).reshape(-1, d)
    bounds = [LOG_RHO_BOUNDS] * d + [LOG_SCALE_BOUNDS, LOG_NOISE_BOUNDS]
    starts = [np.concatenate([np.full(d, np.log(rho)), [np.log(scale), np.log(noise)]]) for rho, scale, noise in STARTS]
    with np.errstate(all="ignore"):
        theta0 = min(starts, key=lambda theta: _negative_log_posterior(theta, squared, y)[0])
        result = minimize(
            _negative_log_posterior, theta0, args=(squared, y), jac=True, method="L-BFGS-B",
            bounds=bounds, options={"maxiter": FIT_ITERATIONS, "gtol": FIT_TOLERANCE},
        )
    theta = result.x if np.all(np.isfinite(result.x)) and np.isfinite(result.fun) else theta0
    return Hyperparameters(rho=np.exp(theta[:d]), scale=float(np.exp(theta[d])), noise=float(np.exp(theta[d + 1]) + MIN_NOISE))


class GaussianProcess:
    """The posterior of a GP with fixed hyperparameters, conditioned on points x (n, d) with outputs y (n,)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, categorical: np.ndarray, hyper: Hyperparameters) -> None:
        self.x = x
        self.y = y
        self.categorical = categorical
        self.hyper = hyper
        kernel = hyper.scale * matern52(squared_differences(x, x, categorical) @ hyper.rho)[0]
        kernel[np.diag_indices_from(kernel)] += hyper.noise
        self._factor = robust_cholesky(kernel)
        self._alpha = cho_solve((self._factor, True), y, check_finite=False)

    def condition(self, x: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """The same GP also conditioned on points x with outputs y (fantasies), hyperparameters unchanged."""
        return GaussianProcess(np.vstack([self.x, x]), np.concatenate([self.y, y]), self.categorical, self.hyper)

    def _cross(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r2 = np.zeros((len(points), len(self.x)))
        for j in range(points.shape[1]):
            diff = points[:, j, None] - self.x[None, :, j]
            r2 += self.hyper.rho[j] * ((diff != 0) if self.categorical[j] else diff * diff)
        return matern52(r2)

    def predict(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance (of the latent function) at points (m, d)."""
        correlation, _ = self._cross(points)
        cross = self.hyper.scale * correlation
        v = solve_triangular(self._factor, cross.T, lower=True, check_finite=False)
        variance = self.hyper.scale - np.sum(v * v, axis=0)
        return cross @ self._alpha, np.maximum(variance, 1e-12 * self.hyper.scale)

    def predict_with_gradient(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mean, variance and their gradients (m, d) with respect to the points; categorical columns get 0."""
        correlation, derivative = self._cross(points)
        cross = self.hyper.scale * correlation
        v = solve_triangular(self._factor, cross.T, lower=True, check_finite=False)
        weights = solve_triangular(self._factor.T, v, lower=False, check_finite=False).T
        variance = self.hyper.scale - np.sum(v * v, axis=0)
        mean_gradient = np.zeros(points.shape)
        variance_gradient = np.zeros(points.shape)
        slope = self.hyper.scale * derivative
        for j in np.flatnonzero(~self.categorical):
            dcross = slope * (2.0 * self.hyper.rho[j]) * (points[:, j, None] - self.x[None, :, j])
            mean_gradient[:, j] = dcross @ self._alpha
            variance_gradient[:, j] = -2.0 * np.sum(dcross * weights, axis=1)
        floor = 1e-12 * self.hyper.scale
        variance_gradient[variance <= floor] = 0.0
        return cross @ self._alpha, np.maximum(variance, floor), mean_gradient, variance_gradient
