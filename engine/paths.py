"""Optimizer trajectories on 2-D surfaces: the numbers behind "watch gradient descent".

- :func:`descend` / :func:`descend_full`: any engine optimizer (the objects that train
  networks: ``opt.step(params, grads)`` on a flat float64 vector, ``opt.state``).
- :func:`newton` / :func:`newton_full`: damped Newton, ``θ -= α H⁻¹ ∇f``.
- :func:`minimize` / :func:`minimize_full`: scipy's methods, every iterate.
- :func:`lr_sweep`: final loss for many learning rates (the "fair comparison").

Early stop: a path stops, without raising, at the first point that is non-finite
(status ``"diverged"``) or outside the bound box (``"left_bounds"``); the box is the
surface's domain scaled by ``bound`` (default 10) about its centre. Every returned
point is finite and inside the box, so a stopped path is *shorter* than asked:
``len(points) == stopped_at``, the number of the step whose result was refused.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import scipy_optim
from engine.surfaces import Surface

__all__ = [
    "PathResult", "descend", "descend_full", "newton", "newton_full",
    "minimize", "minimize_full", "lr_sweep", "STATUSES",
]

STATUSES = ("ok", "diverged", "left_bounds")
_BIG = float(np.finfo(np.float64).max)


@dataclass(frozen=True)
class PathResult:
    """A trajectory and what happened along it (k + 1 recorded points).

    Attributes:
        points: ``(k+1, 2)`` positions; row 0 is the start.
        values: ``(k+1,)`` f at each point.
        grads: ``(k+1, 2)`` ∇f at each point (step k+1 used row k).
        state: optimizer state after each step, name -> ``(k+1, 2)`` (e.g.
            ``"momentum_buffer"``, ``"exp_avg"``, ``"exp_avg_sq"``); row 0 is zeros (no
            step taken yet). Newton paths give ``"hessian_eigenvalues"`` (ascending);
            scipy paths give ``{}``.
        status: ``"ok"``, ``"diverged"`` (a non-finite point) or ``"left_bounds"``.
        stopped_at: ``None`` if not stopped, else the step whose result was refused
            (``== len(points)``).
        message: a sentence for the UI (scipy's message for scipy methods).
        info: extras, e.g. scipy's ``nit``/``nfev``/``success``, Newton's ``fallback_steps``.
    """

    points: np.ndarray
    values: np.ndarray
    grads: np.ndarray
    state: Mapping[str, np.ndarray] = field(default_factory=dict)
    status: str = "ok"
    stopped_at: int | None = None
    message: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        """Steps actually taken (``len(points) - 1``)."""
        return len(self.points) - 1

    @property
    def final_value(self) -> float:
        return float(self.values[-1])


# -- shared checks -----------------------------------------------------------------------------

def _check_surface(surface: Any) -> Surface:
    if not isinstance(surface, Surface):
        raise TypeError(
            "surface must be an engine.surfaces.Surface (from surfaces.get(...) or "
            f"surfaces.from_expression(...)), got {type(surface).__name__}"
        )
    return surface


def _start(surface: Surface, start: Any) -> np.ndarray:
    p = np.array(surface.start if start is None else start, dtype=np.float64)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")
    return p


def _steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {steps!r}")
    return int(steps)


def _box(surface: Surface, bound: float | None) -> tuple[float, float, float, float]:
    """``(x_lo, x_hi, y_lo, y_hi)``: the domain scaled by ``bound`` about its centre."""
    if bound is None or bound == math.inf:  # finiteness only (inf fails "<= max float")
        return -_BIG, _BIG, -_BIG, _BIG
    if isinstance(bound, bool) or not (isinstance(bound, numbers.Real) and bound > 0
                                       and math.isfinite(bound)):
        raise ValueError(f"bound must be a positive number (a multiple of the domain) "
                         f"or None, got {bound!r}")
    (x0, x1), (y0, y1) = surface.domain
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return cx - bound * hx, cx + bound * hx, cy - bound * hy, cy + bound * hy


def _refused(x: float, y: float) -> str:
    return "left_bounds" if math.isfinite(x) and math.isfinite(y) else "diverged"


_MESSAGES = {
    "ok": "",
    "diverged": "stopped at step {k}: the point became infinite or NaN (the step size is "
                "too large for this curvature)",
    "left_bounds": "stopped at step {k}: the point left the plotted region (×{bound:g} the "
                   "domain); the optimizer is running away",
}


def _finish(points, values, grads, state, n, status, stopped_at, bound, info=None,
            message=None) -> PathResult:
    st = {k: v[:n] for k, v in state.items()}
    if message is None:
        message = _MESSAGES[status].format(k=stopped_at, bound=bound or math.inf)
    return PathResult(points[:n], values[:n], grads[:n], st, status, stopped_at, message,
                      dict(info or {}))


# -- first-order optimizers -------------------------------------------------------------------

def descend_full(
    surface: Surface,
    optimizer: Any,
    start: Any = None,
    steps: int = 200,
    *,
    bound: float | None = 10.0,
    reset: bool = True,
) -> PathResult:
    """Run ``optimizer`` for ``steps`` steps from ``start`` (default ``surface.start``).

    Each step: ``g = ∇f(θ)`` (exact), ``optimizer.step(θ, g)`` (in place on ``θ`` (2,)).
    Records points, values, gradients and every state array shaped like θ, into
    preallocated ``(steps+1, ...)`` arrays. ``reset=True`` calls ``optimizer.reset()``
    first so the path starts from fresh state. Stops early as described in the module
    docstring (then the arrays are shorter).
    """
    surface = _check_surface(surface)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    params = _start(surface, start)
    n = _steps(steps) + 1
    x_lo, x_hi, y_lo, y_hi = _box(surface, bound)
    if reset and callable(getattr(optimizer, "reset", None)):
        optimizer.reset()

    points = np.empty((n, 2))
    values = np.empty(n)
    grads = np.empty((n, 2))
    state: dict[str, np.ndarray] = {}
    f, grad_xy = surface._f, surface._g
    g = np.empty(2)  # the one gradient buffer handed to the optimizer every step
    status, stopped_at, k = "ok", None, 0

    def record_state(row: int) -> None:
        for name, arr in getattr(optimizer, "state", {}).items():
            buf = state.get(name)
            if buf is None:
                if getattr(arr, "shape", None) != (2,):
                    continue  # e.g. a step counter: not drawable
                buf = state[name] = np.zeros((n, 2))
            buf[row] = arr

    with np.errstate(all="ignore"):
        x, y = params
        record_state(0)
        for k in range(n):
            if k:
                optimizer.step(params, g)
                x, y = params
                if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):  # also false for NaN
                    status, stopped_at = _refused(x, y), k
                    break
                record_state(k)
            points[k] = params
            values[k] = f(x, y)
            g[0], g[1] = grad_xy(x, y)
            grads[k] = g
    m = n if stopped_at is None else stopped_at
    return _finish(points, values, grads, state, m, status, stopped_at, bound)


def descend(
    surface: Surface, optimizer: Any, start: Any = None, steps: int = 200, **kwargs: Any
) -> np.ndarray:
    """Points ``(steps+1, 2)`` of :func:`descend_full` (fewer rows if the path stopped)."""
    return descend_full(surface, optimizer, start, steps, **kwargs).points


# -- damped Newton ----------------------------------------------------------------------------

def newton_full(
    surface: Surface,
    start: Any = None,
    steps: int = 50,
    damping: float = 1.0,
    *,
    fallback_lr: float | None = None,
    bound: float | None = 10.0,
) -> PathResult:
    """Damped Newton: ``θ -= α H⁻¹ ∇f`` (``α = damping``) where H is positive definite.

    Where it is not (smallest eigenvalue <= 1e-12 × largest |eigenvalue|) the step is a
    gradient step ``θ -= lr ∇f`` with ``lr = fallback_lr``, by default
    ``α / max(1, max|λ|)``: the local curvature scale, capped so flat regions do not
    produce huge steps. ``state["hessian_eigenvalues"]`` ``(k+1, 2)`` records the
    curvature at every point; ``info["fallback_steps"]`` counts gradient steps.
    """
    surface = _check_surface(surface)
    if not (isinstance(damping, numbers.Real) and 0 < damping and math.isfinite(damping)):
        raise ValueError(f"damping must be a positive number, got {damping!r}")
    if fallback_lr is not None and not (fallback_lr > 0 and math.isfinite(fallback_lr)):
        raise ValueError(f"fallback_lr must be a positive number or None, got {fallback_lr!r}")
    params = _start(surface, start)
    n = _steps(steps) + 1
    x_lo, x_hi, y_lo, y_hi = _box(surface, bound)
    points, values, grads, eigs = np.empty((n, 2)), np.empty(n), np.empty((n, 2)), np.empty((n, 2))
    status, stopped_at, fallbacks = "ok", None, 0
    hess = np.empty((2, 2))
    with np.errstate(all="ignore"):
        for k in range(n):
            x, y = params
            if k and not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):
                status, stopped_at = _refused(x, y), k
                break
            points[k] = params
            values[k] = surface._f(x, y)
            grads[k] = surface._g(x, y)
            hxx, hxy, hyy = surface._h(x, y)
            hess[0, 0], hess[0, 1], hess[1, 0], hess[1, 1] = hxx, hxy, hxy, hyy
            if not np.all(np.isfinite(hess)):
                eigs[k] = np.nan
                if k < n - 1:
                    status, stopped_at = "diverged", k + 1
                    n = k + 1
                break
            w, v = np.linalg.eigh(hess)
            eigs[k] = w
            if k == n - 1:
                break
            scale = float(np.max(np.abs(w)))
            if w[0] > 1e-12 * scale:
                params = params - damping * (v @ ((v.T @ grads[k]) / w))
            else:
                fallbacks += 1
                lr = fallback_lr if fallback_lr is not None else damping / max(1.0, scale)
                params = params - lr * grads[k]
    m = n if stopped_at is None else stopped_at
    return _finish(points, values, grads, {"hessian_eigenvalues": eigs}, m, status, stopped_at,
                   bound, info={"fallback_steps": fallbacks})


def newton(
    surface: Surface, start: Any = None, steps: int = 50, damping: float = 1.0, **kwargs: Any
) -> np.ndarray:
    """Points of :func:`newton_full`."""
    return newton_full(surface, start, steps, damping, **kwargs).points


# -- scipy ------------------------------------------------------------------------------------

def minimize_full(
    surface: Surface,
    method: str = "L-BFGS-B",
    start: Any = None,
    maxiter: int = 200,
    *,
    bound: float | None = 10.0,
    options: dict[str, Any] | None = None,
) -> PathResult:
    """``scipy.optimize.minimize`` on the surface, every iterate recorded.

    Methods: ``scipy_optim.METHODS`` (L-BFGS-B, BFGS, CG, Newton-CG and trust-ncg with
    the exact ``hessp``, Nelder-Mead). Row 0 is the start and, unless the path was
    stopped at the bound, the last row is ``res.x``. ``info`` holds scipy's ``nit``,
    ``nfev``, ``success`` and ``status``; ``message`` is scipy's message.
    """
    surface = _check_surface(surface)
    x0 = _start(surface, start)
    maxiter = _steps(maxiter, "maxiter")
    x_lo, x_hi, y_lo, y_hi = _box(surface, bound)
    refused: list[tuple[str, int]] = []

    def guard(k: int, x: np.ndarray, f: float) -> bool:
        if not (x_lo <= x[0] <= x_hi and y_lo <= x[1] <= y_hi):
            refused.append((_refused(float(x[0]), float(x[1])), k))
            return True
        return False

    its, vals, res = scipy_optim.minimize_flat(
        surface.fun_and_grad, x0, method, maxiter, hessp=surface.hessp, callback=guard,
        options=options)
    if refused:
        status, stopped_at = refused[0]
        its, vals = its[:stopped_at], vals[:stopped_at]
    else:
        status, stopped_at = "ok", None
    grads = surface.grad(its)
    info = {key: res.get(key) for key in ("nit", "nfev", "njev", "success", "status")
            if res.get(key) is not None}
    message = None if refused else str(res.get("message", ""))
    return _finish(its, vals, grads, {}, len(its), status, stopped_at, bound, info=info,
                   message=message)


def minimize(
    surface: Surface, method: str = "L-BFGS-B", start: Any = None, maxiter: int = 200,
    **kwargs: Any,
) -> np.ndarray:
    """Points ``(k+1, 2)`` of :func:`minimize_full`: the start, then every iterate."""
    return minimize_full(surface, method, start, maxiter, **kwargs).points


# -- learning-rate sweep ----------------------------------------------------------------------

# Optimizers whose lr only scales the final update ``θ -= lr·u`` (u independent of lr)
# and that act elementwise. Checked against the loop in tests/engine/test_paths.py.
_LR_LINEAR = {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam"}


def _batchable(opt: Any) -> bool:
    """True if running with lr = 1 on rescaled coordinates is exact (see lr_sweep)."""
    if type(opt).__name__ not in _LR_LINEAR or not callable(getattr(opt, "hyperparameters", None)):
        return False
    hyper = opt.hyperparameters()
    return (
        hyper.get("lr") == 1.0
        and not hyper.get("weight_decay")  # coupled/decoupled decay acts on θ itself
        and hyper.get("schedule") is None
        and hyper.get("clip_norm") is None  # a global norm would couple the runs
    )


def lr_sweep(
    surface: Surface,
    make_optimizer: Callable[[float], Any],
    lrs: Any,
    start: Any = None,
    steps: int = 200,
    *,
    bound: float | None = 10.0,
    method: str = "loop",
) -> np.ndarray:
    """Final loss after ``steps`` steps for each learning rate: array ``(len(lrs),)``.

    ``make_optimizer(lr)`` builds a fresh optimizer. Runs that diverge or leave the
    bound box get ``inf`` (so ``argmin`` picks a real one).

    ``method="loop"`` (default) runs one lean path per rate: bit-for-bit the final
    value :func:`descend_full` reports for that rate. The engine's optimizers take a
    scalar lr only, so there is no per-element lr to batch with.

    ``method="batched"`` runs all rates at once on one flat vector of ``2·len(lrs)``
    parameters, realising the per-element rate by rescaling: with ``φ = θ / lr`` the
    optimizer runs at lr = 1 on ``φ``, fed ``∇f(θ)`` at ``θ = lr·φ``; their update is
    ``θ -= lr·u`` with ``u`` independent of lr, so ``φ -= u`` is the same step in exact
    arithmetic. Rounding differs, which is invisible on converging runs (1e-10 relative)
    but on chaotic ones (a too-large rate bouncing around Himmelblau) the end point can
    differ completely. Valid for SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta and NAdam
    without weight decay, schedule or clipping (else ValueError). About 10-20x faster
    for 30+ rates; benchmarks/bench_paths.py measures both.
    """
    surface = _check_surface(surface)
    p0 = _start(surface, start)
    steps = _steps(steps)
    rates = np.asarray(lrs, dtype=np.float64).ravel()
    if rates.size == 0 or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"lrs must be a non-empty list of positive numbers, got {lrs!r}")
    if method not in ("batched", "loop"):
        raise ValueError(f"method must be 'loop' or 'batched', got {method!r}")
    box = _box(surface, bound)
    if method == "batched":
        probe = make_optimizer(1.0)
        if not _batchable(probe):
            raise ValueError(
                f"{probe!r} cannot be batched (needs one of {sorted(_LR_LINEAR)} without "
                "weight decay, schedule or clip_norm, and make_optimizer(1.0).lr == 1); "
                "use method='loop'")
        return _sweep_batched(surface, probe, rates, p0, steps, box)
    return _sweep_loop(surface, make_optimizer, rates, p0, steps, box)


def _sweep_batched(surface, opt, rates, p0, steps, box) -> np.ndarray:
    x_lo, x_hi, y_lo, y_hi = box
    n = rates.size
    scale = np.repeat(rates, 2)
    phi = np.tile(p0, n) / scale
    theta = np.empty(2 * n)
    g = np.empty(2 * n)
    th, g2 = theta.reshape(n, 2), g.reshape(n, 2)
    alive = np.ones(n, dtype=bool)
    opt.reset()
    with np.errstate(all="ignore"):
        for _ in range(steps):
            np.multiply(phi, scale, out=theta)
            g2[:, 0], g2[:, 1] = surface._g(th[:, 0], th[:, 1])
            opt.step(phi, g)
            np.multiply(phi, scale, out=theta)
            # NaN compares false, so this also retires non-finite runs
            alive &= ((th[:, 0] >= x_lo) & (th[:, 0] <= x_hi)
                      & (th[:, 1] >= y_lo) & (th[:, 1] <= y_hi))
        out = surface._f(th[:, 0], th[:, 1])
    return np.where(alive, out, np.inf)


def _sweep_loop(surface, make_optimizer, rates, p0, steps, box) -> np.ndarray:
    x_lo, x_hi, y_lo, y_hi = box
    out = np.full(rates.size, np.inf)
    grad_xy, f = surface._g, surface._f
    g = np.empty(2)
    with np.errstate(all="ignore"):
        for i, lr in enumerate(rates):
            opt = make_optimizer(float(lr))
            if callable(getattr(opt, "reset", None)):
                opt.reset()
            p = p0.copy()
            x, y = p
            for _ in range(steps):
                g[0], g[1] = grad_xy(x, y)
                opt.step(p, g)
                x, y = p
                if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):
                    break
            else:
                out[i] = f(x, y)
    return out
