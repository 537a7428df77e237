"""Convergence theory of gradient descent and momentum on a quadratic (REFERENCE.md §2).

For ``f(w) = ½ wᵀAw - bᵀw`` with eigenvalues ``λ1 <= ... <= λn`` of ``A``, the error
along eigenvector i evolves independently:

- gradient descent, ``w -= α ∇f``: multiplied by ``1 - αλ_i`` per step;
- momentum (heavy ball, PyTorch SGD with dampening 0), ``z = βz + ∇f; w -= αz``:
  ``(z, e)_i ← R_i (z, e)_i`` with ``R_i = [[β, λ_i], [-αβ, 1 - αλ_i]]``.

The convergence rate is the worst per-step factor over directions,
``max_i ρ(R_i)``. ``R_i`` has trace ``T = 1 + β - αλ_i`` and determinant ``β``, so its
eigenvalues are ``(T ± √(T² - 4β)) / 2`` and ``ρ = (|T| + √(T² - 4β)) / 2`` when
``T² >= 4β``, else ``√β``. Both rates are largest at ``λ1`` or ``λn`` (they are
increasing functions of ``|T|``, which is convex in λ), so only the extreme
eigenvalues matter. Everything here is closed form and vectorised: ``alpha`` and
``beta`` may be arrays (they broadcast); nothing loops over a grid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "condition_number", "gd_rate", "gd_optimal", "gd_stable",
    "momentum_rate", "momentum_optimal", "momentum_stable", "momentum_eigenvalues",
    "rate_map", "stability_map", "stability_boundary", "iterations_to_converge",
    "eigen_errors",
]


def _spectrum(eigenvalues: Any) -> np.ndarray:
    lam = np.asarray(eigenvalues, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(
            "eigenvalues must be a non-empty list of finite positive numbers "
            f"(a positive-definite quadratic), got {eigenvalues!r}"
        )
    return np.sort(lam)


def _extremes(eigenvalues: Any) -> np.ndarray:
    lam = _spectrum(eigenvalues)
    return np.array([lam[0], lam[-1]])


def _out(a: np.ndarray) -> Any:
    return float(a) if np.ndim(a) == 0 else a


def condition_number(eigenvalues: Any) -> float:
    """κ = λn / λ1."""
    lam = _spectrum(eigenvalues)
    return float(lam[-1] / lam[0])


# -- gradient descent ---------------------------------------------------------------------

def gd_rate(alpha: Any, eigenvalues: Any) -> Any:
    """Per-step error factor of gradient descent: ``max_i |1 - αλ_i|`` (shape of alpha)."""
    lam = _extremes(eigenvalues)
    a = np.asarray(alpha, dtype=np.float64)
    return _out(np.max(np.abs(1.0 - a[..., None] * lam), axis=-1))


def gd_optimal(eigenvalues: Any) -> tuple[float, float]:
    """``(α*, rate*)`` = ``(2 / (λ1 + λn), (κ - 1) / (κ + 1))``."""
    l1, ln = _extremes(eigenvalues)
    kappa = ln / l1
    return float(2.0 / (l1 + ln)), float((kappa - 1.0) / (kappa + 1.0))


def gd_stable(alpha: Any, eigenvalues: Any) -> Any:
    """``0 < αλ_i < 2`` for every i (bool, shape of alpha)."""
    lam = _extremes(eigenvalues)
    a = np.asarray(alpha, dtype=np.float64)
    ok = (a > 0) & (a * lam[-1] < 2.0)
    return bool(ok) if ok.ndim == 0 else ok


# -- momentum -------------------------------------------------------------------------------

def momentum_eigenvalues(alpha: Any, beta: Any, lam: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both eigenvalues of ``[[β, λ], [-αβ, 1 - αλ]]`` (complex arrays, broadcast shape).

    ``(T ± √(T² - 4β)) / 2`` with ``T = 1 + β - αλ``.
    """
    a, b, l = (np.asarray(v, dtype=np.float64) for v in (alpha, beta, lam))
    t = 1.0 + b - a * l
    root = np.sqrt((t * t - 4.0 * b).astype(np.complex128))
    return (t + root) / 2.0, (t - root) / 2.0


def _spectral_radius(t: np.ndarray, b: np.ndarray) -> np.ndarray:
    disc = t * t - 4.0 * b
    real = (np.abs(t) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    # complex pair: |z|² = det = β (disc < 0 implies β > 0)
    return np.where(disc >= 0, real, np.sqrt(np.abs(b)))


def momentum_rate(alpha: Any, beta: Any, eigenvalues: Any) -> Any:
    """Per-step error factor of heavy-ball momentum: ``max_i ρ(R_i)`` (broadcast shape)."""
    lam = _extremes(eigenvalues)
    a = np.asarray(alpha, dtype=np.float64)[..., None]
    b = np.asarray(beta, dtype=np.float64)[..., None]
    return _out(np.max(_spectral_radius(1.0 + b - a * lam, b), axis=-1))


def momentum_optimal(eigenvalues: Any) -> tuple[float, float, float]:
    """``(α*, β*, rate*)``: ``α* = (2 / (√λ1 + √λn))²``, ``β* = ((√λn - √λ1)/(√λn + √λ1))²``,
    rate ``(√κ - 1) / (√κ + 1)`` (= √β*)."""
    s1, sn = np.sqrt(_extremes(eigenvalues))
    alpha = (2.0 / (s1 + sn)) ** 2
    beta = ((sn - s1) / (sn + s1)) ** 2
    rk = math.sqrt(float(sn * sn / (s1 * s1)))
    return float(alpha), float(beta), float((rk - 1.0) / (rk + 1.0))


def momentum_stable(alpha: Any, beta: Any, eigenvalues: Any) -> Any:
    """Jury conditions for every direction: ``|β| < 1`` and ``0 < αλ_i < 2 + 2β``.

    (REFERENCE.md states the usual range 0 <= β < 1; negative β is included for free.)
    """
    lam = _extremes(eigenvalues)
    a = np.asarray(alpha, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    ok = (np.abs(b) < 1.0) & (a * lam[0] > 0) & (a * lam[-1] < 2.0 + 2.0 * b)
    return bool(ok) if ok.ndim == 0 else ok


def stability_boundary(eigenvalues: Any, betas: Any) -> Any:
    """Largest stable step for each β: ``α_max(β) = (2 + 2β) / λn``."""
    lam = _extremes(eigenvalues)
    return _out((2.0 + 2.0 * np.asarray(betas, dtype=np.float64)) / lam[-1])


def rate_map(eigenvalues: Any, alphas: Any, betas: Any) -> np.ndarray:
    """Momentum rate over the grid: array ``(len(betas), len(alphas))``,
    ``out[i, j] = momentum_rate(alphas[j], betas[i])`` (rows follow β: plotly's layout).

    ``β = 0`` is plain gradient descent. Values >= 1 mean divergence.
    """
    a = np.asarray(alphas, dtype=np.float64).ravel()
    b = np.asarray(betas, dtype=np.float64).ravel()
    return np.asarray(momentum_rate(a[None, :], b[:, None], eigenvalues))


def stability_map(eigenvalues: Any, alphas: Any, betas: Any) -> np.ndarray:
    """``momentum_stable`` over the grid, bool ``(len(betas), len(alphas))``."""
    a = np.asarray(alphas, dtype=np.float64).ravel()
    b = np.asarray(betas, dtype=np.float64).ravel()
    return np.asarray(momentum_stable(a[None, :], b[:, None], eigenvalues))


def iterations_to_converge(rate: Any, tol: float = 1e-6) -> Any:
    """Steps k with ``rate**k <= tol``: ``ceil(log tol / log rate)``; ``inf`` if rate >= 1."""
    if not 0 < tol < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")
    r = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(r >= 1, np.inf, np.where(r <= 0, 1.0, np.ceil(np.log(tol) / np.log(r))))
    return _out(k)


def eigen_errors(
    alpha: float, beta: float, eigenvalues: Any, steps: int, initial: Any = 1.0
) -> np.ndarray:
    """Error along each eigenvector for ``steps`` momentum steps (β = 0: gradient descent).

    Starts at ``initial`` (scalar or ``(n,)``) with zero velocity; returns
    ``(steps + 1, n)``, column i following ``R_i`` (eigenvalues sorted ascending).
    This is the data behind "each eigen-direction decays at its own rate".
    """
    lam = _spectrum(eigenvalues)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    out = np.empty((int(steps) + 1, lam.size))
    e = np.broadcast_to(np.asarray(initial, dtype=np.float64), lam.shape).copy()
    z = np.zeros_like(e)
    out[0] = e
    with np.errstate(all="ignore"):
        for k in range(1, int(steps) + 1):
            z = beta * z + lam * e        # ∇f along the eigenvector is λ e
            e = e - alpha * z
            out[k] = e
    return out
