"""Two-dimensional test functions for watching optimizers (REFERENCE.md §5).

Every surface is a :class:`Surface` with

- ``f(x, y)``: the value, vectorised and broadcasting over arrays of any shape;
- ``grad(p)``: the exact gradient, ``p`` shaped ``(..., 2)`` -> ``(..., 2)``;
- ``hessian(p)``: the exact Hessian, ``(..., 2)`` -> ``(..., 2, 2)``;
- ``domain`` ``((x_min, x_max), (y_min, y_max))`` for plotting, ``minima`` ``(k, 2)``
  with their common value ``min_value``, a classic ``start`` ``(2,)`` and a ``description``.

``get(name, **options)`` builds one by its snake_case name, ``names()`` lists them and
``from_expression(text)`` builds one from a user-typed formula (see engine/expression.py).

Numbers outside floating-point range are values, not errors: every evaluation runs
under ``np.errstate(all="ignore")``, so overflow gives ``inf`` and ``nan`` rather than
a warning or (with ``np.seterr(all="raise")``) an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from engine import expression as _expression

__all__ = ["Surface", "get", "names", "from_expression", "ExpressionError"]

ExpressionError = _expression.ExpressionError

Domain = tuple[tuple[float, float], tuple[float, float]]
# Internal hooks work on broadcast x, y arrays (or numpy scalars) and return components.
ValueFn = Callable[[Any, Any], Any]
GradFn = Callable[[Any, Any], tuple[Any, Any]]
HessFn = Callable[[Any, Any], tuple[Any, Any, Any]]


def _readonly(a: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    arr = np.array(a, dtype=np.float64)
    if shape is not None:
        arr = arr.reshape(shape)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D test function with its exact derivatives and plotting metadata.

    Attributes:
        name: snake_case identifier (``get(name)`` rebuilds it, with ``options``).
        description: one or two sentences for the app.
        domain: ``((x_min, x_max), (y_min, y_max))``, the usual plotting window.
        minima: ``(k, 2)`` read-only array of known global minimisers (may be empty).
        min_value: ``f`` at every listed minimiser, ``None`` when none are listed.
        start: ``(2,)`` read-only classic starting point.
        options: the keyword options it was built with (e.g. ``kappa``, ``angle``).
        saddles: ``(k, 2)`` known saddle points (e.g. the origin of "saddle").
        log_scale: hint that contours read better on ``log(1 + f - min_value)``.
    """

    name: str
    description: str
    domain: Domain
    minima: np.ndarray
    min_value: float | None
    start: np.ndarray
    _f: ValueFn = field(repr=False)
    _g: GradFn = field(repr=False)
    _h: HessFn = field(repr=False)
    options: Mapping[str, Any] = field(default_factory=dict)
    saddles: np.ndarray = field(default_factory=lambda: _readonly(np.empty((0, 2))))
    log_scale: bool = False

    # -- evaluation ---------------------------------------------------------------
    def f(self, x: Any, y: Any) -> np.ndarray:
        """Value ``f(x, y)``; x, y broadcast together (e.g. meshgrid arrays) -> same shape."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        with np.errstate(all="ignore"):
            z = self._f(x, y)
        return _full(z, x.shape)

    def value(self, p: Any) -> np.ndarray:
        """Value at points ``p`` shaped ``(..., 2)`` -> ``(...)``; a float array for one point."""
        p = _points(p)
        return self.f(p[..., 0], p[..., 1])

    def grad(self, p: Any) -> np.ndarray:
        """Exact gradient ``[df/dx, df/dy]`` at ``p`` ``(..., 2)`` -> ``(..., 2)``."""
        p = _points(p)
        x, y = p[..., 0], p[..., 1]
        with np.errstate(all="ignore"):
            gx, gy = self._g(x, y)
        out = np.empty(p.shape)
        out[..., 0] = gx
        out[..., 1] = gy
        return out

    def hessian(self, p: Any) -> np.ndarray:
        """Exact Hessian ``[[f_xx, f_xy], [f_xy, f_yy]]``: ``p`` ``(..., 2)`` -> ``(..., 2, 2)``."""
        p = _points(p)
        x, y = p[..., 0], p[..., 1]
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self._h(x, y)
        out = np.empty(p.shape + (2,))
        out[..., 0, 0] = hxx
        out[..., 0, 1] = hxy
        out[..., 1, 0] = hxy
        out[..., 1, 1] = hyy
        return out

    def fun_and_grad(self, p: Any) -> tuple[float, np.ndarray]:
        """``(f(p), grad(p))`` for one point ``(2,)``: the ``jac=True`` form scipy wants."""
        p = _points(p)
        return float(self.value(p)), self.grad(p)

    def hessp(self, p: Any, v: Any) -> np.ndarray:
        """Hessian-vector product ``H(p) @ v`` for one point ``(2,)`` and vector ``(2,)``."""
        return self.hessian(p) @ np.asarray(v, dtype=np.float64)

    def grid(
        self, resolution: int = 200, domain: Domain | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample the surface on a regular grid in one vectorised call.

        Returns ``(xs (n,), ys (n,), Z (n, n))`` with ``Z[i, j] = f(xs[j], ys[i])``
        (rows follow y, the layout of plotly's heatmap/contour/surface ``z``).
        """
        if int(resolution) != resolution or resolution < 2:
            raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
        (x0, x1), (y0, y1) = _check_domain(self.domain if domain is None else domain)
        xs = np.linspace(x0, x1, int(resolution))
        ys = np.linspace(y0, y1, int(resolution))
        return xs, ys, self.f(xs[None, :], ys[:, None])

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"Surface({self.name!r}{opts})"


def _points(p: Any) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got shape {p.shape}")
    return p


def _full(z: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast a component (possibly a constant) to ``shape`` as a fresh float array."""
    z = np.asarray(z, dtype=np.float64)
    if z.shape == shape:
        return z
    out = np.empty(shape)
    out[...] = z
    return out


def _check_domain(domain: Any) -> Domain:
    try:
        (x0, x1), (y0, y1) = domain
        x0, x1, y0, y1 = (float(v) for v in (x0, x1, y0, y1))
    except (TypeError, ValueError):
        raise ValueError(
            f"domain must be ((x_min, x_max), (y_min, y_max)), got {domain!r}"
        ) from None
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or x0 >= x1 or y0 >= y1:
        raise ValueError(
            f"domain must be finite with x_min < x_max and y_min < y_max, got {domain!r}"
        )
    return (x0, x1), (y0, y1)


# ---------------------------------------------------------------------------------------
# The functions. Each gives f, (f_x, f_y) and (f_xx, f_xy, f_yy) in closed form; the
# tests check every derivative against central differences.
# ---------------------------------------------------------------------------------------

TWO_PI = 2.0 * np.pi


def _rosenbrock_f(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_g(x, y):
    r = y - x * x
    return -2 * (1 - x) - 400 * x * r, 200 * r


def _rosenbrock_h(x, y):
    return 2 - 400 * y + 1200 * x * x, -400 * x, 200.0


def _beale_terms(x, y):
    y2, y3 = y * y, y * y * y
    t = (1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3)
    dx = (y - 1, y2 - 1, y3 - 1)
    dy = (x, 2 * x * y, 3 * x * y2)
    # second derivatives of each term: t_xx = 0, t_xy, t_yy
    dxy = (1.0, 2 * y, 3 * y2)
    dyy = (0.0, 2 * x, 6 * x * y)
    return t, dx, dy, dxy, dyy


def _beale_f(x, y):
    t = _beale_terms(x, y)[0]
    return t[0] ** 2 + t[1] ** 2 + t[2] ** 2


def _beale_g(x, y):
    t, dx, dy, _, _ = _beale_terms(x, y)
    return (2 * sum(ti * di for ti, di in zip(t, dx, strict=True)),
            2 * sum(ti * di for ti, di in zip(t, dy, strict=True)))


def _beale_h(x, y):
    t, dx, dy, dxy, dyy = _beale_terms(x, y)
    hxx = 2 * sum(d * d for d in dx)
    hxy = 2 * sum(a * b + ti * c for a, b, ti, c in zip(dx, dy, t, dxy, strict=True))
    hyy = 2 * sum(b * b + ti * c for b, ti, c in zip(dy, t, dyy, strict=True))
    return hxx, hxy, hyy


def _himmelblau_f(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_g(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _himmelblau_h(x, y):
    return 12 * x * x + 4 * y - 42, 4 * (x + y), 12 * y * y + 4 * x - 26


def _booth_f(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_g(x, y):
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return 2 * a + 4 * b, 4 * a + 2 * b


def _booth_h(x, y):
    return 10.0, 8.0, 10.0


def _rastrigin_f(x, y):
    return 20 + x * x - 10 * np.cos(TWO_PI * x) + y * y - 10 * np.cos(TWO_PI * y)


def _rastrigin_g(x, y):
    return (2 * x + 10 * TWO_PI * np.sin(TWO_PI * x),
            2 * y + 10 * TWO_PI * np.sin(TWO_PI * y))


def _rastrigin_h(x, y):
    c = 10 * TWO_PI**2
    return 2 + c * np.cos(TWO_PI * x), 0.0, 2 + c * np.cos(TWO_PI * y)


def _ackley_f(x, y):
    r = np.sqrt((x * x + y * y) / 2)
    c = (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)) / 2
    return -20 * np.exp(-0.2 * r) - np.exp(c) + 20 + np.e


def _ackley_parts(x, y):
    """Cone part -20 exp(-0.2 r), r = sqrt((x²+y²)/2): r, exp(-0.2 r), x/r, y/r, safe r, r > 0.

    At r = 0 the cone has no gradient; x/r and y/r are set to 0 there, which makes
    the gradient 0 (a valid subgradient) and leaves the cone out of the Hessian.
    """
    r = np.sqrt((x * x + y * y) / 2)
    pos = r > 0
    safe = np.where(pos, r, 1.0)
    ux, uy = np.where(pos, x / safe, 0.0), np.where(pos, y / safe, 0.0)
    return r, np.exp(-0.2 * r), ux, uy, safe, pos


def _ackley_g(x, y):
    _, e1, ux, uy, _, _ = _ackley_parts(x, y)
    ec = np.exp((np.cos(TWO_PI * x) + np.cos(TWO_PI * y)) / 2)
    # d/dx[-20 exp(-0.2 r)] = 2 exp(-0.2 r) x / r ;  d/dx[-exp(c)] = pi exp(c) sin(2 pi x)
    return (2 * e1 * ux + np.pi * ec * np.sin(TWO_PI * x),
            2 * e1 * uy + np.pi * ec * np.sin(TWO_PI * y))


def _ackley_h(x, y):
    _, e1, ux, uy, r, pos = _ackley_parts(x, y)
    # cone: A_ij = 2 e1 [ -0.1 u_i u_j + (δ_ij - u_i u_j / 2) / r ]  with u = (x, y) / r
    cxx = np.where(pos, 2 * e1 * (-0.1 * ux * ux + (1 - ux * ux / 2) / r), 0.0)
    cxy = np.where(pos, 2 * e1 * (-0.1 * ux * uy - ux * uy / 2 / r), 0.0)
    cyy = np.where(pos, 2 * e1 * (-0.1 * uy * uy + (1 - uy * uy / 2) / r), 0.0)
    ec = np.exp((np.cos(TWO_PI * x) + np.cos(TWO_PI * y)) / 2)
    sx, sy = np.sin(TWO_PI * x), np.sin(TWO_PI * y)
    bxx = np.pi * ec * (-np.pi * sx * sx + TWO_PI * np.cos(TWO_PI * x))
    byy = np.pi * ec * (-np.pi * sy * sy + TWO_PI * np.cos(TWO_PI * y))
    bxy = -np.pi**2 * ec * sx * sy
    return cxx + bxx, cxy + bxy, cyy + byy


# Goldstein-Price factors as A(u) B(t), u = x + y, t = 2x - 3y:
#   A = 1 + (u+1)² (3u² - 14u + 19),  B = 30 + t² (3t² - 16t + 18)
# (the standard form's polynomials are exactly these, written in u and t).
def _gp_parts(x, y):
    u, t = x + y, 2 * x - 3 * y
    s = u + 1
    p, dp = 3 * u * u - 14 * u + 19, 6 * u - 14
    a = 1 + s * s * p
    da = 2 * s * p + s * s * dp
    dda = 2 * p + 4 * s * dp + 6 * s * s
    q, dq = 3 * t * t - 16 * t + 18, 6 * t - 16
    b = 30 + t * t * q
    db = 2 * t * q + t * t * dq
    ddb = 2 * q + 4 * t * dq + 6 * t * t
    return a, da, dda, b, db, ddb


def _gp_f(x, y):
    a, _, _, b, _, _ = _gp_parts(x, y)
    return a * b


def _gp_g(x, y):
    a, da, _, b, db, _ = _gp_parts(x, y)
    return da * b + 2 * a * db, da * b - 3 * a * db


def _gp_h(x, y):
    a, da, dda, b, db, ddb = _gp_parts(x, y)
    return (dda * b + 4 * da * db + 4 * a * ddb,
            dda * b - da * db - 6 * a * ddb,
            dda * b - 6 * da * db + 9 * a * ddb)


def _camel_f(x, y):
    x2, y2 = x * x, y * y
    return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2


def _camel_g(x, y):
    x2 = x * x
    return 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y * y * y


def _camel_h(x, y):
    x2 = x * x
    return 8 - 25.2 * x2 + 10 * x2 * x2, 1.0, -8 + 48 * y * y


def _saddle_f(x, y):
    return x * x - y * y


def _saddle_g(x, y):
    return 2 * x, -2 * y


def _saddle_h(x, y):
    return 2.0, 0.0, -2.0


def _bowl(kappa: float = 10.0, angle: float = 0.0) -> Surface:
    """f = ½ pᵀ A p with A = R diag(1/κ, 1) Rᵀ, R the rotation by ``angle`` radians.

    The largest eigenvalue is fixed at 1, so gradient descent is stable for lr < 2 at
    every κ and only the flat direction (eigenvalue 1/κ) changes with the slider.
    """
    try:
        kappa, angle = float(kappa), float(angle)
    except (TypeError, ValueError):
        raise ValueError(
            f"quadratic_bowl needs numbers kappa >= 1 and angle (radians), "
            f"got kappa={kappa!r}, angle={angle!r}"
        ) from None
    if not (math.isfinite(kappa) and kappa >= 1):
        raise ValueError(f"kappa must be a finite number >= 1, got {kappa!r}")
    if not math.isfinite(angle):
        raise ValueError(f"angle must be a finite number of radians, got {angle!r}")
    lam1, lam2 = 1.0 / kappa, 1.0
    c, s = math.cos(angle), math.sin(angle)
    # A = lam1 v1 v1ᵀ + lam2 v2 v2ᵀ with v1 = (c, s), v2 = (-s, c)
    a = lam1 * c * c + lam2 * s * s
    b = (lam1 - lam2) * c * s
    d = lam1 * s * s + lam2 * c * c
    return Surface(
        name="quadratic_bowl",
        description=(
            f"Ill-conditioned quadratic ½(λ1 u² + λ2 v²) with λ1 = 1/κ, λ2 = 1 (κ = {kappa:g}), "
            f"axes rotated by {angle:g} rad. The textbook case for momentum: plain gradient "
            "descent zig-zags across the narrow valley."
        ),
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minima=_readonly([[0.0, 0.0]]),
        min_value=0.0,
        start=_readonly([-1.8, 1.0]),
        _f=lambda x, y: 0.5 * (a * x * x + 2 * b * x * y + d * y * y),
        _g=lambda x, y: (a * x + b * y, b * x + d * y),
        _h=lambda x, y: (a, b, d),
        options=MappingProxyType({"kappa": kappa, "angle": angle}),
    )


def _fixed(name, description, domain, minima, min_value, start, f, g, h, **extra) -> Callable:
    def build() -> Surface:
        return Surface(
            name=name, description=description, domain=domain,
            minima=_readonly(minima, (-1, 2)), min_value=min_value, start=_readonly(start),
            _f=f, _g=g, _h=h, options=MappingProxyType({}), **extra,
        )

    return build


_BUILDERS: dict[str, Callable[..., Surface]] = {
    "rosenbrock": _fixed(
        "rosenbrock",
        "Rosenbrock's banana (1-x)² + 100(y-x²)²: a curved, flat-bottomed valley; "
        "easy to find, slow to follow to the minimum at (1, 1).",
        ((-2.0, 2.0), (-1.0, 3.0)), [[1.0, 1.0]], 0.0, [-1.2, 1.0],
        _rosenbrock_f, _rosenbrock_g, _rosenbrock_h, log_scale=True,
    ),
    "beale": _fixed(
        "beale",
        "Beale's function: flat plateaus and sharp ridges meeting at the minimum (3, 0.5).",
        ((-4.5, 4.5), (-4.5, 4.5)), [[3.0, 0.5]], 0.0, [1.0, 1.5],
        _beale_f, _beale_g, _beale_h, log_scale=True,
    ),
    "himmelblau": _fixed(
        "himmelblau",
        "Himmelblau's function (x²+y-11)² + (x+y²-7)²: four equal minima; which one "
        "you reach depends on the start and the optimizer.",
        ((-5.0, 5.0), (-5.0, 5.0)),
        [[3.0, 2.0],
         [-2.805118086952745, 3.131312518250573],
         [-3.779310253377747, -3.2831859912861696],
         [3.5844283403304917, -1.8481265269644034]],
        0.0, [-0.5, -0.5],
        _himmelblau_f, _himmelblau_g, _himmelblau_h, log_scale=True,
    ),
    "booth": _fixed(
        "booth",
        "Booth's function (x+2y-7)² + (2x+y-5)²: a tilted quadratic bowl (κ = 9), "
        "minimum at (1, 3).",
        ((-10.0, 10.0), (-10.0, 10.0)), [[1.0, 3.0]], 0.0, [-7.0, -7.0],
        _booth_f, _booth_g, _booth_h, log_scale=True,
    ),
    "rastrigin": _fixed(
        "rastrigin",
        "Rastrigin's function: a bowl covered in a regular grid of local minima that "
        "trap gradient methods; global minimum at the origin.",
        ((-5.12, 5.12), (-5.12, 5.12)), [[0.0, 0.0]], 0.0, [2.3, -1.7],
        _rastrigin_f, _rastrigin_g, _rastrigin_h,
    ),
    "ackley": _fixed(
        "ackley",
        "Ackley's function: an almost flat, bumpy plain around a deep funnel at the "
        "origin (where the cone tip has no gradient; 0 is used).",
        ((-5.0, 5.0), (-5.0, 5.0)), [[0.0, 0.0]], 0.0, [3.0, -2.5],
        _ackley_f, _ackley_g, _ackley_h,
    ),
    "goldstein_price": _fixed(
        "goldstein_price",
        "Goldstein-Price function: values from 3 to about 10⁶ with several local "
        "minima; global minimum 3 at (0, -1).",
        ((-2.0, 2.0), (-2.0, 2.0)), [[0.0, -1.0]], 3.0, [0.5, 1.5],
        _gp_f, _gp_g, _gp_h, log_scale=True,
    ),
    "six_hump_camel": _fixed(
        "six_hump_camel",
        "Six-hump camel function: six local minima, two of them global at "
        "±(0.0898, -0.7127), with f = -1.0316.",
        ((-3.0, 3.0), (-2.0, 2.0)),
        [[0.08984201310031807, -0.7126564030207396],
         [-0.08984201310031807, 0.7126564030207396]],
        -1.0316284534898774, [-1.5, 1.0],
        _camel_f, _camel_g, _camel_h,
    ),
    "saddle": _fixed(
        "saddle",
        "The saddle x² - y²: no minimum; starting near the ridge, gradient descent "
        "stalls at the saddle point before escaping along y.",
        ((-2.0, 2.0), (-2.0, 2.0)), np.empty((0, 2)), None, [-1.5, 0.05],
        _saddle_f, _saddle_g, _saddle_h, saddles=_readonly([[0.0, 0.0]]),
    ),
    "quadratic_bowl": _bowl,
}


def names() -> list[str]:
    """All built-in surface names, in display order."""
    return list(_BUILDERS)


def get(name: str, **options: Any) -> Surface:
    """The built-in surface ``name`` (snake_case; case, '-' and spaces are forgiven).

    Only ``"quadratic_bowl"`` takes options: ``kappa`` (condition number >= 1,
    default 10) and ``angle`` (rotation in radians, default 0), e.g.
    ``get("quadratic_bowl", kappa=100, angle=0.3)``.
    """
    if not isinstance(name, str):
        raise ValueError(
            f"surface name must be a string, got {name!r}; valid: {', '.join(names())}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _BUILDERS:
        raise ValueError(f"unknown surface {name!r}; valid names: {', '.join(names())}")
    if options and key != "quadratic_bowl":
        raise ValueError(
            f"surface {key!r} takes no options, got {sorted(options)}; "
            "only 'quadratic_bowl' takes kappa= and angle="
        )
    if key == "quadratic_bowl":
        unknown = set(options) - {"kappa", "angle"}
        if unknown:
            raise ValueError(
                f"quadratic_bowl takes kappa= and angle=, got unexpected {sorted(unknown)}"
            )
    return _BUILDERS[key](**options)


def from_expression(
    text: str, *, domain: Domain | None = None, start: Any = None
) -> Surface:
    """A surface from a user-typed formula in x and y, e.g. ``"x**2 + 10*y**2"``.

    The text is parsed by :func:`engine.expression.parse` (never ``eval``'d); bad
    text raises :class:`ExpressionError` (a ``ValueError``) pointing at the column.
    Gradient: complex step (exact to rounding); Hessian: 4th-order central
    differences of that gradient (about 1e-10 relative) -- see engine/expression.py.
    ``domain`` defaults to [-5, 5]²; ``minima`` is empty; ``start`` defaults to the
    first of a few points at 70 % of the half-width (upper-left first) where the value
    and gradient are finite and the gradient is non-zero.
    """
    expr = _expression.parse(text)
    dom = _check_domain(((-5.0, 5.0), (-5.0, 5.0)) if domain is None else domain)
    if start is None:
        start_arr = _pick_start(expr, dom)
    else:
        start_arr = np.asarray(start, dtype=np.float64)
        if start_arr.shape != (2,) or not np.all(np.isfinite(start_arr)):
            raise ValueError(f"start must be two finite numbers, got {start!r}")
    return Surface(
        name="expression",
        description=f"f(x, y) = {expr.text}",
        domain=dom,
        minima=_readonly(np.empty((0, 2))),
        min_value=None,
        start=_readonly(start_arr),
        _f=expr.value,
        _g=expr.gradient,
        _h=expr.hessian,
        options=MappingProxyType({"text": expr.text}),
    )


def _pick_start(expr: _expression.Expression, domain: Domain) -> np.ndarray:
    (x0, x1), (y0, y1) = domain
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    unit = np.array([(-0.7, 0.7), (0.7, 0.7), (0.7, -0.7), (-0.7, -0.7),
                     (-0.7, 0.0), (0.0, 0.7), (0.7, 0.0), (0.0, -0.7), (-0.35, 0.35)])
    cand = np.column_stack([cx + hx * unit[:, 0], cy + hy * unit[:, 1]])
    with np.errstate(all="ignore"):
        v = np.broadcast_to(expr.value(cand[:, 0], cand[:, 1]), (len(cand),))
        gx, gy = (np.broadcast_to(g, (len(cand),)) for g in expr.gradient(cand[:, 0], cand[:, 1]))
    ok = np.isfinite(v) & np.isfinite(gx) & np.isfinite(gy) & (np.hypot(gx, gy) > 1e-12)
    idx = int(np.argmax(ok)) if ok.any() else 0
    return cand[idx].copy()
