"""The bridge to ``scipy.optimize.minimize`` for any flat parameter vector.

Used for optimizer paths on 2-D surfaces (engine/paths.py) and for training a network
from its one flat parameter vector::

    its, vals, res = minimize_flat(lambda p: model.loss_and_grad(p, X, y),
                                   model.params.copy(), "L-BFGS-B", maxiter=200)

Every iterate is recorded (REFERENCE.md §6): the callback takes one parameter named
``intermediate_result`` (scipy then passes an ``OptimizeResult`` with ``x`` and
``fun``), copies ``x`` (L-BFGS-B and Newton-CG reuse the buffer) and the start is
prepended because scipy never reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.optimize

__all__ = ["METHODS", "minimize_flat"]

METHODS = ("L-BFGS-B", "BFGS", "CG", "Newton-CG", "trust-ncg", "Nelder-Mead")
_GRADIENT_FREE = {"Nelder-Mead"}
_USES_HESSP = {"Newton-CG", "trust-ncg"}
_NEEDS_HESSP = {"trust-ncg"}  # scipy refuses it without; Newton-CG differences on its own
_BOUNDED = {"L-BFGS-B", "Nelder-Mead"}

FunAndGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]
HessP = Callable[[np.ndarray, np.ndarray], np.ndarray]


def canonical_method(method: str) -> str:
    """The canonical spelling of ``method`` (case-insensitive), or ValueError."""
    if isinstance(method, str):
        for m in METHODS:
            if m.lower() == method.strip().lower():
                return m
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


class _Memo:
    """``fun_and_grad`` with copies of its outputs (a model may return a view of its own
    gradient buffer, which the next call would overwrite under scipy's feet) and a
    one-entry cache, so the value at a point already evaluated costs nothing."""

    def __init__(self, fun_and_grad: FunAndGrad):
        self._fg = fun_and_grad
        self._x: np.ndarray | None = None
        self._out: tuple[float, np.ndarray] | None = None
        self.calls = 0

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        if self._x is not None and self._out is not None and np.array_equal(x, self._x):
            f, g = self._out
            return f, g.copy()
        self.calls += 1
        f, g = self._fg(x)
        f = float(f)
        g = np.array(g, dtype=np.float64)  # always a copy
        self._x, self._out = np.array(x, dtype=np.float64), (f, g)
        return f, g.copy()

    def fun(self, x: np.ndarray) -> float:
        return self(x)[0]

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self(x)[1]


def _fd_hessp(memo: _Memo) -> HessP:
    """Hessian-vector product by central differences of the gradient:
    ``H p ≈ (g(x + εp) - g(x - εp)) / 2ε`` with ``ε = √eps·max(1, |x|) / |p|``."""

    def hessp(x: np.ndarray, p: np.ndarray) -> np.ndarray:
        pn = float(np.linalg.norm(p))
        if pn == 0.0 or not np.isfinite(pn):
            return np.zeros_like(x, dtype=np.float64)
        eps = np.sqrt(np.finfo(np.float64).eps) * max(1.0, float(np.linalg.norm(x))) / pn
        return (memo.grad(x + eps * p) - memo.grad(x - eps * p)) / (2.0 * eps)

    return hessp


def minimize_flat(
    fun_and_grad: FunAndGrad,
    x0: Any,
    method: str = "L-BFGS-B",
    maxiter: int = 200,
    hessp: HessP | None = None,
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    *,
    callback: Callable[[int, np.ndarray, float], bool | None] | None = None,
    options: dict[str, Any] | None = None,
    keep_every: int = 1,
) -> tuple[np.ndarray, np.ndarray, scipy.optimize.OptimizeResult]:
    """Minimise ``fun_and_grad(x) -> (f, ∇f)`` from ``x0`` ``(n,)`` with a scipy method.

    Args:
        method: one of ``METHODS`` (case-insensitive). Nelder-Mead uses only ``f``.
        maxiter: scipy's ``maxiter`` option (iterations, not function evaluations).
        hessp: ``hessp(x, p) -> H(x) @ p``, used by Newton-CG and trust-ncg; trust-ncg
            without it gets central differences of the gradient.
        bounds: ``[(lo, hi), ...]`` per coordinate; L-BFGS-B and Nelder-Mead only.
        callback: ``callback(k, x, f)`` after iterate k (1-based); returning True stops
            the run cleanly (scipy's ``StopIteration`` protocol).
        options: extra scipy options (e.g. ``{"gtol": 1e-10}``).
        keep_every: keep every k-th iterate (plus the start and the last) to save memory
            on large vectors; 1 keeps all.

    Returns:
        ``(iterates (k+1, n), values (k+1,), res)``: row 0 is ``x0``, the last row is
        always ``res.x`` (appended if scipy's final point was not reported as an
        iterate), ``values`` the objective at each row.

    Floating-point warnings are silenced (``np.errstate(all="ignore")``): a
    non-finite objective is a value, and scipy's line searches handle it.
    """
    m = canonical_method(method)
    x0 = np.array(x0, dtype=np.float64)
    if x0.ndim != 1 or x0.size == 0 or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a non-empty 1-D vector of finite numbers, got {x0!r}")
    if isinstance(maxiter, bool) or int(maxiter) != maxiter or maxiter < 0:
        raise ValueError(f"maxiter must be an integer >= 0, got {maxiter!r}")
    if isinstance(keep_every, bool) or int(keep_every) != keep_every or keep_every < 1:
        raise ValueError(f"keep_every must be an integer >= 1, got {keep_every!r}")
    if bounds is not None and m not in _BOUNDED:
        raise ValueError(
            f"method {m!r} cannot handle bounds; use one of {sorted(_BOUNDED)} or bounds=None"
        )
    memo = _Memo(fun_and_grad)
    with np.errstate(all="ignore"):
        f0 = memo.fun(x0)
        xs: list[np.ndarray] = [x0.copy()]
        fs: list[float] = [f0]
        if maxiter == 0:
            res = scipy.optimize.OptimizeResult(
                x=x0.copy(), fun=f0, nit=0, nfev=1, success=False, status=1,
                message="maxiter = 0: no iterations run")
            return np.stack(xs), np.array(fs), res

        count = [0]
        last: list[tuple[np.ndarray, float] | None] = [None]

        def record(intermediate_result: scipy.optimize.OptimizeResult) -> None:
            count[0] += 1
            k = count[0]
            x = np.array(intermediate_result.x, dtype=np.float64)  # copy: scipy reuses it
            f = getattr(intermediate_result, "fun", None)
            f = memo.fun(x) if f is None else float(f)
            if k % keep_every == 0:
                xs.append(x)
                fs.append(f)
                last[0] = None
            else:
                last[0] = (x, f)
            if callback is not None and callback(k, x, f):
                raise StopIteration

        kwargs: dict[str, Any] = {"method": m, "callback": record,
                                  "options": {"maxiter": int(maxiter), **(options or {})}}
        if m in _GRADIENT_FREE:
            fun = memo.fun
        else:
            fun, kwargs["jac"] = memo, True
        if m in _USES_HESSP:
            if hessp is not None:
                kwargs["hessp"] = hessp
            elif m in _NEEDS_HESSP:
                kwargs["hessp"] = _fd_hessp(memo)
        if bounds is not None:
            kwargs["bounds"] = bounds
        res = scipy.optimize.minimize(fun, x0.copy(), **kwargs)

    if last[0] is not None:  # the last iterate was skipped by keep_every: keep it
        xs.append(last[0][0])
        fs.append(last[0][1])
    x_end = np.asarray(res.x, dtype=np.float64)
    if not np.array_equal(x_end, xs[-1]):
        xs.append(x_end.copy())
        fs.append(float(res.fun) if res.get("fun") is not None else memo.fun(x_end))
    return np.stack(xs), np.array(fs, dtype=np.float64), res
