"""Optimizer paths page: many optimizers side by side on 2-D test functions.

Widgets and layout live here; numbers come from ``engine.paths`` / ``engine.theory``, figures
from ``playground.charts_paths``. The experiment is :class:`PathsConfig` (in
``st.session_state["paths"]``, per browser session, and mirrored into the URL with ``p_``
keys); every computed path is cached in the session, keyed by exactly the settings it
depends on, so a control change recomputes only what changed.

Layout: controls on the left (function, start point with a click-to-pick map, steps,
optimizers and their hyper-parameters, view options); on the right the contour (live, or
animated with Plotly frames) and the 3-D surface, loss curves and the results table; below
them one of three panels: the learning-rate sweep, optimizer internals, why momentum works.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine import optim, surfaces, theory
from engine import paths as eg_paths
from playground import charts_paths as CP
from playground import state
from playground.components import live_chart, live_charts
from playground.config import OPTIMIZER_HYPER
from playground.i18n import Translator
from playground.optimizers import make_optimizer
from playground.views.common import grid_with, plain, show_notes, write_url
from playground.views.common import widget_key as _k

KEY = "paths"  # session-state key of this page's state
QUERY_PREFIX = "p_"

# -- the optimizers ------------------------------------------------------------------------------
FIRST_ORDER = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta",
               "nadam")
SCIPY_METHODS = {"lbfgsb": "L-BFGS-B", "bfgs": "BFGS", "cg": "CG", "newtoncg": "Newton-CG",
                 "neldermead": "Nelder-Mead"}
OPTIMIZERS = FIRST_ORDER + ("newton",) + tuple(SCIPY_METHODS)
LR_OPTIMIZERS = FIRST_ORDER + ("newton",)  # have a step size (Newton's is its damping)
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "adadelta", "nadam")
DEFAULT_OPTS = ("gd", "momentum", "adam", "lbfgsb")
MAX_OPTS = 8

# Fixed colour per optimizer (Okabe-Ito first, then Tol's muted/bright), so a colour always
# means the same optimizer whatever else is selected.
COLORS: dict[str, str] = {
    "gd": "#0072B2", "momentum": "#D55E00", "nesterov": "#CC79A7", "adagrad": "#009E73",
    "rmsprop": "#E69F00", "adam": "#882255", "adamw": "#AA4499", "adadelta": "#999933",
    "nadam": "#332288", "newton": "#000000", "lbfgsb": "#56B4E9", "bfgs": "#117733",
    "cg": "#DDCC77", "newtoncg": "#661100", "neldermead": "#6699CC",
}
DEFAULT_LR: dict[str, float] = {"gd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.3,
                                "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05, "adadelta": 1.0,
                                "nadam": 0.05, "newton": 1.0}
# The optimizers with hyper-parameters besides lr: the Network page's table, and its ranges.
HYPER: dict[str, dict[str, float]] = {k: v for k, v in OPTIMIZER_HYPER.items() if v}
HYPER_RANGES = state.HYPER_RANGES
_RANGE_FOR = {("nesterov", "momentum"): (0.01, 0.999)}  # the engine refuses Nesterov with μ = 0
LR_RANGE = (1e-6, 100.0)
NEWTON_RANGE = (0.01, 1.0)
LR_GRID = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2,
           0.5, 1.0, 2.0, 5.0, 10.0)
DAMPING_GRID = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
STEP_GRID = (10, 20, 50, 100, 200, 300, 500, 1000)
STEPS_RANGE = (1, 2000)
SWEEP_LRS = np.logspace(-5, 1, 49)  # 8 per decade over 6 decades
KAPPA_GRID = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)

# -- the functions -------------------------------------------------------------------------------
SURFACES = tuple(surfaces.names()) + ("expression",)
DEFAULT_EXPR = "x**2 + 10*y**2"
MAX_EXPR = 300
CONTOUR_RES = 121
SURFACE_RES = 61
INTERNALS_RES = 61
CACHE_SIZE = 96
VIEW_DEFAULTS: dict[str, Any] = {"pw_logy": True, "pw_mode": "all", "pw_panel": "sweep",
                                 "pw_mkappa": 100.0, "pw_istep": 0}


@dataclass(frozen=True)
class PathsConfig:
    """What defines a comparison: the function, the start, the optimizers and their settings.

    ``lr`` and ``hyper`` hold only overrides of DEFAULT_LR / HYPER, for every optimizer the
    user touched (a deselected optimizer keeps its settings for when it comes back).
    ``start`` is None until resolved against the function (its classic start).
    """

    fn: str = "rosenbrock"
    expr: str = DEFAULT_EXPR
    kappa: float = 10.0
    angle: int = 0  # degrees
    opts: tuple[str, ...] = DEFAULT_OPTS
    start: tuple[float, float] | None = None
    steps: int = 300
    lr: tuple[tuple[str, float], ...] = ()
    hyper: tuple[tuple[str, str, float], ...] = ()

    def lr_of(self, opt: str) -> float:
        return dict(self.lr).get(opt, DEFAULT_LR.get(opt, 0.0))

    def hyper_of(self, opt: str) -> dict[str, float]:
        out = dict(HYPER.get(opt, {}))
        out.update({n: v for o, n, v in self.hyper if o == opt and n in out})
        return out

    def surface_key(self) -> tuple:
        if self.fn == "expression":
            return ("expression", self.expr)
        if self.fn == "quadratic_bowl":
            return ("quadratic_bowl", float(self.kappa), int(self.angle))
        return (self.fn,)


def make_surface(key: tuple) -> surfaces.Surface:
    """The engine surface for ``PathsConfig.surface_key()`` (ExpressionError for bad text)."""
    if key[0] == "expression":
        return surfaces.from_expression(key[1])
    if key[0] == "quadratic_bowl":
        return surfaces.get("quadratic_bowl", kappa=key[1], angle=math.radians(key[2]))
    return surfaces.get(key[0])


def run_optimizer(surface: surfaces.Surface, opt: str, lr: float, hp: Mapping[str, float],
                  start: Any, steps: int) -> eg_paths.PathResult:
    """One path: first-order optimizers step by step, Newton damped, SciPy every iterate."""
    if opt in SCIPY_METHODS:
        return eg_paths.minimize_full(surface, SCIPY_METHODS[opt], start, steps)
    if opt == "newton":
        return eg_paths.newton_full(surface, start, steps, damping=lr)
    return eg_paths.descend_full(surface, make_optimizer(opt, lr, hp), start, steps)


def sweep(surface: surfaces.Surface, opt: str, hp: Mapping[str, float], start: Any,
          steps: int, lrs: Any = SWEEP_LRS) -> np.ndarray:
    """Final loss for each learning rate (inf where the run diverged); batched when exact."""
    def make(lr: float) -> Any:
        return make_optimizer(opt, lr, hp)
    try:
        return eg_paths.lr_sweep(surface, make, lrs, start, steps, method="batched")
    except ValueError:  # weight decay etc.: one run per rate
        return eg_paths.lr_sweep(surface, make, lrs, start, steps, method="loop")


def best_rate(lrs: Any, finals: Any) -> float | None:
    finals = np.asarray(finals, dtype=np.float64)
    if not np.isfinite(finals).any():
        return None
    return float(np.asarray(lrs)[int(np.nanargmin(np.where(np.isfinite(finals), finals,
                                                           np.nan)))])


# -- optimizer internals (pure) ----------------------------------------------------------------
def effective_lr(opt: str, result: eg_paths.PathResult, lr: float,
                 hp: Mapping[str, float]) -> np.ndarray | None:
    """Per-coordinate effective step size of an adaptive method, ``(n, 2)``: row t is the
    size used by step t (the one that produced point t); row 0 is NaN."""
    st_ = result.state
    n = len(result.points)
    out = np.full((n, 2), np.nan)
    if n < 2:
        return out if opt in ADAPTIVE else None
    with np.errstate(all="ignore"):
        if opt == "adagrad" and "sum" in st_:
            out[1:] = lr / (np.sqrt(st_["sum"][1:]) + hp["eps"])
        elif opt == "rmsprop" and "square_avg" in st_:
            out[1:] = lr / (np.sqrt(st_["square_avg"][1:]) + hp["eps"])
        elif opt in ("adam", "adamw", "nadam") and "exp_avg_sq" in st_:
            t = np.arange(1, n, dtype=np.float64)[:, None]
            vhat = st_["exp_avg_sq"][1:] / (1.0 - hp["beta2"] ** t)
            out[1:] = lr / (np.sqrt(vhat) + hp["eps"])
        elif opt == "adadelta" and "square_avg" in st_ and "acc_delta" in st_:
            u_prev = st_["acc_delta"][:-1]
            out[1:] = lr * np.sqrt(u_prev + hp["eps"]) / np.sqrt(st_["square_avg"][1:] + hp["eps"])
        else:
            return None
    return out


def internals_at(opt: str, result: eg_paths.PathResult, k: int, lr: float,
                 hp: Mapping[str, float]) -> dict[str, np.ndarray]:
    """The vectors of step ``k -> k+1`` (data units): ``step`` (what happened), ``grad``
    (−lr·∇f, what plain gradient descent would do; for Newton and SciPy −∇f rescaled to the
    step's length, a direction), ``velocity`` (the part carried over from earlier steps)."""
    p, g = np.asarray(result.points), np.asarray(result.grads)
    n = len(p)
    k = int(min(max(k, 0), max(n - 2, 0)))
    out: dict[str, np.ndarray] = {}
    step = p[k + 1] - p[k] if n > 1 else np.zeros(2)
    out["step"] = step
    gk = g[k]
    if opt in FIRST_ORDER:
        out["grad"] = -lr * gk
    else:
        gn, sn = float(np.linalg.norm(gk)), float(np.linalg.norm(step))
        out["grad"] = -gk / gn * sn if gn > 0 and sn > 0 else np.zeros(2)
    state = result.state
    mu = hp.get("momentum", 0.0)
    if opt == "momentum" and "momentum_buffer" in state:
        out["velocity"] = -lr * mu * state["momentum_buffer"][k]
    elif opt == "nesterov" and "momentum_buffer" in state and n > 1:
        out["velocity"] = -lr * mu * state["momentum_buffer"][k + 1]
    elif opt == "rmsprop" and mu > 0 and "momentum_buffer" in state:
        out["velocity"] = -lr * mu * state["momentum_buffer"][k]
    elif opt in ("adam", "adamw", "nadam") and "exp_avg" in state and n > 1:
        t = k + 1
        out["velocity"] = -lr * state["exp_avg"][k + 1] / (1.0 - hp["beta1"] ** t)
    return out


# -- "why momentum works" (pure) -----------------------------------------------------------------
def fit_rate(errors: Any) -> float | None:
    """Per-step decay factor of ``errors`` (a norm per step): the slope of log-error over the
    second half of the part above the floating-point floor. None when too short."""
    e = np.asarray(errors, dtype=np.float64)
    if e.size < 8 or not np.isfinite(e[0]) or e[0] <= 0:
        return None
    ok = np.isfinite(e) & (e > 1e-11 * e[0])
    last = int(np.argmin(ok)) if not ok.all() else len(e)
    if last < 8:
        return None
    k = np.arange(last // 2, last)
    slope = np.polyfit(k, np.log(e[k]), 1)[0]
    return float(np.exp(slope))


def momentum_run(kappa: float, alpha: float, beta: float) -> dict[str, Any]:
    """Heavy-ball momentum (β = 0: gradient descent) on the quadratic bowl, run by the engine:
    errors ‖θ_k − θ*‖, the measured rate and theory's prediction."""
    lam = (1.0 / kappa, 1.0)
    predicted = float(theory.momentum_rate(alpha, beta, lam))
    if predicted < 1:
        steps = int(np.clip(1.3 * theory.iterations_to_converge(max(predicted, 0.05), 1e-10),
                            60, 3000))
    else:
        steps = 300
    surface = surfaces.get("quadratic_bowl", kappa=kappa)
    opt = optim.SGD(lr=alpha, momentum=beta) if beta > 0 else optim.SGD(lr=alpha)
    res = eg_paths.descend_full(surface, opt, None, steps, bound=1e6)
    errors = np.linalg.norm(res.points, axis=1)
    measured = fit_rate(errors)
    if res.status != "ok" and (measured is None or measured < 1):
        measured = math.inf
    ok = np.isfinite(errors) & (errors > 1e-11 * errors[0])
    last = int(np.argmin(ok)) if not ok.all() else len(errors)
    return {"errors": errors, "predicted": predicted, "measured": measured,
            "status": res.status, "anchor": max(last * 3 // 4, 0), "steps": steps}


# -- the URL ------------------------------------------------------------------------------------
def _fmt(v: float) -> str:
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _clamp(v: float, lo: float, hi: float) -> float:
    return float(min(max(v, lo), hi))


def to_query(cfg: PathsConfig, default_start: Any = None) -> dict[str, str]:
    """URL parameters (``p_`` keys, language-neutral) of ``cfg``: function, optimizers and
    start always; the rest only when it differs from the defaults."""
    q: dict[str, str] = {"p_fn": "expr" if cfg.fn == "expression" else cfg.fn}
    if cfg.fn == "expression":
        q["p_expr"] = cfg.expr
    if cfg.fn == "quadratic_bowl":
        if cfg.kappa != PathsConfig.kappa:
            q["p_kappa"] = _fmt(cfg.kappa)
        if cfg.angle != PathsConfig.angle:
            q["p_angle"] = str(int(cfg.angle))
    q["p_opt"] = ",".join(cfg.opts) if cfg.opts else "none"
    if cfg.start is not None and (default_start is None or not np.allclose(
            cfg.start, default_start, rtol=0, atol=1e-9)):
        q["p_start"] = f"{_fmt(round(cfg.start[0], 6))},{_fmt(round(cfg.start[1], 6))}"
    if cfg.steps != PathsConfig.steps:
        q["p_steps"] = str(int(cfg.steps))
    lrs = [f"{o}:{_fmt(cfg.lr_of(o))}" for o in cfg.opts
           if o in LR_OPTIMIZERS and cfg.lr_of(o) != DEFAULT_LR[o]]
    if lrs:
        q["p_lr"] = ",".join(lrs)
    hps = [f"{o}.{n}:{_fmt(v)}" for o in cfg.opts for n, v in cfg.hyper_of(o).items()
           if v != HYPER[o][n]]
    if hps:
        q["p_hp"] = ",".join(hps)
    return q


def _one(raw: Any) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return str(raw).strip()[:MAX_EXPR + 50]


def _float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def from_query(params: Mapping[str, Any], tr: Callable[..., str]) -> tuple[PathsConfig,
                                                                           list[str]]:
    """Read ``p_`` keys -> ``(config, notes)``; a bad value keeps the default and adds a note
    (in the page's language). Other keys are ignored (they belong to other pages). Never
    raises."""
    notes: list[str] = []
    changes: dict[str, Any] = {}

    def bad(key: str, text: str) -> None:
        shown = text if len(text) <= 40 else text[:39] + "…"
        notes.append(tr("paths.note.bad_value", param=key, value=shown))

    try:
        if "p_fn" in params:
            text = _one(params["p_fn"]).lower().replace("-", "_")
            fn = "expression" if text in ("expr", "expression") else text
            if fn in SURFACES:
                changes["fn"] = fn
            else:
                bad("p_fn", text)
        if "p_expr" in params:
            text = _one(params["p_expr"])[:MAX_EXPR]
            try:
                surfaces.from_expression(text)
                changes["expr"] = text
            except ValueError:
                bad("p_expr", text)
                if changes.get("fn") == "expression":
                    changes.pop("fn")
        for key, fld, lo, hi, cast in (("p_kappa", "kappa", 1.0, 1e4, float),
                                       ("p_angle", "angle", 0, 90, int),
                                       ("p_steps", "steps", *STEPS_RANGE, int)):
            if key in params:
                text = _one(params[key])
                try:
                    changes[fld] = cast(_clamp(_float(text), lo, hi))
                except ValueError:
                    bad(key, text)
        if "p_opt" in params:
            text = _one(params["p_opt"])
            items = [s.strip().lower() for s in text.split(",") if s.strip()]
            opts = tuple(dict.fromkeys(o for o in items if o in OPTIMIZERS))[:MAX_OPTS]
            if len(opts) != len(items) and text != "none":
                bad("p_opt", text)
            changes["opts"] = opts
        if "p_start" in params:
            text = _one(params["p_start"])
            try:
                x, y = (_float(s) for s in text.split(","))
                changes["start"] = (_clamp(x, -1e6, 1e6), _clamp(y, -1e6, 1e6))
            except ValueError:
                bad("p_start", text)
        if "p_lr" in params:
            text = _one(params["p_lr"])
            lrs = []
            for item in filter(None, (s.strip() for s in text.split(","))):
                try:
                    o, v = item.split(":")
                    o = o.strip().lower()
                    if o not in LR_OPTIMIZERS:
                        raise ValueError(o)
                    lo, hi = NEWTON_RANGE if o == "newton" else LR_RANGE
                    lrs.append((o, _clamp(_float(v), lo, hi)))
                except ValueError:
                    bad("p_lr", item)
            changes["lr"] = tuple(dict(lrs).items())
        if "p_hp" in params:
            text = _one(params["p_hp"])
            hps = []
            for item in filter(None, (s.strip() for s in text.split(","))):
                try:
                    name, v = item.split(":")
                    o, n = name.strip().lower().split(".")
                    if n not in HYPER.get(o, {}):
                        raise ValueError(name)
                    lo, hi = _RANGE_FOR.get((o, n), HYPER_RANGES[n])
                    hps.append((o, n, _clamp(_float(v), lo, hi)))
                except ValueError:
                    bad("p_hp", item)
            changes["hyper"] = tuple(hps)
        return replace(PathsConfig(), **changes), notes
    except Exception:  # a link must never break the page
        return PathsConfig(), [tr("paths.note.unreadable")]


# -- session ------------------------------------------------------------------------------------
def _session(tr: Translator) -> dict:
    sess = st.session_state.get(KEY)
    if sess is None:
        params = {k: v for k, v in st.query_params.to_dict().items()
                  if k.startswith(QUERY_PREFIX)}
        cfg, notes = from_query(params, tr)
        sess = {"cfg": cfg, "notes": notes, "cache": OrderedDict(), "surfaces": {},
                "grids": {}, "sweeps": OrderedDict(), "theory": OrderedDict(), "sync": True,
                "view": dict(VIEW_DEFAULTS), "best": {}, "error": None, "ms": None}
        try:
            surface = _surface(sess, cfg.surface_key())
        except ValueError:
            cfg = replace(cfg, fn=PathsConfig.fn, expr=PathsConfig.expr)
            surface = _surface(sess, cfg.surface_key())
        if cfg.start is None:
            cfg = replace(cfg, start=_start_of(surface))
        sess["cfg"] = cfg
        sess["view"]["pw_logc"] = surface.log_scale
        st.session_state[KEY] = sess
    return sess


def _surface(sess: dict, key: tuple) -> surfaces.Surface:
    cache = sess["surfaces"]
    if key not in cache:
        if len(cache) > 32:
            cache.clear()
        cache[key] = make_surface(key)
    return cache[key]


def _start_of(surface: surfaces.Surface) -> tuple[float, float]:
    return (round(float(surface.start[0]), 4), round(float(surface.start[1]), 4))


def _grid(sess: dict, key: tuple, surface: surfaces.Surface, res: int) -> tuple:
    grids = sess["grids"]
    gk = (key, res)
    if gk not in grids:
        if len(grids) > 16:
            grids.clear()
        grids[gk] = surface.grid(res)
    return grids[gk]


def _cached(store: OrderedDict, key: tuple, compute: Callable[[], Any]) -> Any:
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = compute()
    store[key] = value
    while len(store) > CACHE_SIZE:
        store.popitem(last=False)
    return value


def _widget_values(cfg: PathsConfig, view: Mapping[str, Any]) -> dict[str, Any]:
    vals: dict[str, Any] = {"pw_fn": cfg.fn, "pw_expr": cfg.expr, "pw_kappa": float(cfg.kappa),
                            "pw_angle": int(cfg.angle), "pw_steps": int(cfg.steps),
                            "pw_opts": list(cfg.opts)}
    if cfg.start is not None:
        vals["pw_x0"], vals["pw_y0"] = float(cfg.start[0]), float(cfg.start[1])
    for o in LR_OPTIMIZERS:
        vals[f"pw_lr_{o}"] = float(cfg.lr_of(o))
    for o in HYPER:
        for n, v in cfg.hyper_of(o).items():
            vals[f"pw_hp_{o}_{n}"] = float(v)
    vals.update(view)
    return vals


def _sync_widgets(cfg: PathsConfig, view: Mapping[str, Any], overwrite: bool) -> None:
    """Show ``cfg`` in the widgets: all of them after a link or a preset (``overwrite``), else
    only those Streamlit forgot (not drawn last run, or a new language)."""
    ss = st.session_state
    for key, value in _widget_values(cfg, view).items():
        key = _k(key)
        if overwrite or key not in ss:
            ss[key] = value


def _config_from_widgets(old: PathsConfig) -> PathsConfig:
    ss = st.session_state

    def get(name: str, default: Any) -> Any:
        v = ss.get(_k(name), default)
        return default if v is None else v

    lr = []
    for o in LR_OPTIMIZERS:
        v = float(get(f"pw_lr_{o}", old.lr_of(o)))
        if v != DEFAULT_LR[o]:
            lr.append((o, v))
    hyper = []
    for o, defaults in HYPER.items():
        current = old.hyper_of(o)
        for n, d in defaults.items():
            v = float(get(f"pw_hp_{o}_{n}", current[n]))
            if v != d:
                hyper.append((o, n, v))
    x0 = float(get("pw_x0", old.start[0] if old.start else 0.0))
    y0 = float(get("pw_y0", old.start[1] if old.start else 0.0))
    opts = tuple(o for o in get("pw_opts", list(old.opts)) if o in OPTIMIZERS)
    return replace(old, fn=str(get("pw_fn", old.fn)), expr=str(get("pw_expr", old.expr)),
                   kappa=float(get("pw_kappa", old.kappa)), angle=int(get("pw_angle", old.angle)),
                   steps=int(get("pw_steps", old.steps)), opts=opts, start=(x0, y0),
                   lr=tuple(lr), hyper=tuple(hyper))


def _fmt_num(v: float) -> str:
    return f"{v:.3g}"


# -- callbacks (run before the script, so they may set widget values) -------------------------
def _on_function_change() -> None:
    """A new function: move the start to its classic start, pick its usual colour scale."""
    ss = st.session_state
    sess = ss.get(KEY)
    if sess is None:
        return
    cfg = _config_from_widgets(sess["cfg"])
    try:
        surface = _surface(sess, cfg.surface_key())
    except ValueError:
        return  # a bad expression: the page explains it under the box
    x0, y0 = _start_of(surface)
    ss[_k("pw_x0")], ss[_k("pw_y0")] = x0, y0
    ss[_k("pw_logc")] = bool(surface.log_scale)


def _on_pick() -> None:
    """A click on the start map: the clicked grid point becomes the start."""
    ss = st.session_state
    event = ss.get(_k("pw_pick"))
    try:
        points = event["selection"]["points"]
        x, y = float(points[0]["x"]), float(points[0]["y"])
    except (KeyError, IndexError, TypeError, ValueError):
        return
    if math.isfinite(x) and math.isfinite(y):
        ss[_k("pw_x0")], ss[_k("pw_y0")] = round(x, 4), round(y, 4)


def _on_reset_start() -> None:
    sess = st.session_state.get(KEY)
    if sess is None:
        return
    cfg = _config_from_widgets(sess["cfg"])
    try:
        surface = _surface(sess, cfg.surface_key())
    except ValueError:
        surface = _surface(sess, sess["cfg"].surface_key())
    st.session_state[_k("pw_x0")], st.session_state[_k("pw_y0")] = _start_of(surface)


def _on_set_best() -> None:
    """Each swept optimizer to the learning rate with the lowest final loss."""
    sess = st.session_state.get(KEY)
    if sess is None:
        return
    for opt, lr in sess.get("best", {}).items():
        if lr is not None:
            st.session_state[_k(f"pw_lr_{opt}")] = float(lr)
    sess["notice"] = "paths.sweep.applied"


def _on_kappa_change() -> None:
    kappa = float(st.session_state.get(_k("pw_mkappa"), VIEW_DEFAULTS["pw_mkappa"]))
    a, b, _ = theory.momentum_optimal((1.0 / kappa, 1.0))
    st.session_state[_k("pw_malpha")] = float(a)
    st.session_state[_k("pw_mbeta")] = float(b)


def _on_try_momentum() -> None:
    """Load the bowl of the momentum panel into the main view: GD at its best step against
    momentum at the chosen (α, β)."""
    ss = st.session_state
    kappa = float(ss.get(_k("pw_mkappa"), VIEW_DEFAULTS["pw_mkappa"]))
    a_gd, _ = theory.gd_optimal((1.0 / kappa, 1.0))
    alpha = float(ss.get(_k("pw_malpha"), a_gd))
    beta = float(ss.get(_k("pw_mbeta"), 0.9))
    ss[_k("pw_fn")] = "quadratic_bowl"
    ss[_k("pw_kappa")] = kappa
    ss[_k("pw_angle")] = 0
    ss[_k("pw_opts")] = ["gd", "momentum"]
    ss[_k("pw_lr_gd")] = round(a_gd, 6)
    ss[_k("pw_lr_momentum")] = round(alpha, 6)
    ss[_k("pw_hp_momentum_momentum")] = _clamp(round(beta, 4), *HYPER_RANGES["momentum"])
    ss[_k("pw_steps")] = 200
    _on_function_change()


# -- controls -------------------------------------------------------------------------------------
def _function_controls(sess: dict, tr: Translator) -> None:
    ss = st.session_state
    st.subheader(tr("paths.function"))
    st.selectbox(tr("paths.function"), SURFACES, key=_k("pw_fn"), label_visibility="collapsed",
                 format_func=lambda n: tr(f"paths.fn.{n}"), on_change=_on_function_change)
    fn = ss[_k("pw_fn")]
    if fn == "expression":
        st.text_input(tr("paths.expression"), key=_k("pw_expr"), max_chars=MAX_EXPR,
                      help=tr("paths.expression_help"), on_change=_on_function_change,
                      placeholder=DEFAULT_EXPR)
        text = ss.get(_k("pw_expr"), "")
        try:
            _surface(sess, ("expression", text))
        except surfaces.ExpressionError as err:
            sess["error"] = err
            with st.container(key="p_expr_error"):
                st.error(tr("paths.expression_error", reason=plain(str(err))))
                if err.column is not None:
                    st.code(err.caret, language=None)
        else:
            sess["error"] = None
    else:
        sess["error"] = None
        if fn == "quadratic_bowl":
            a, b = st.columns(2)
            a.select_slider(tr("paths.kappa"), options=grid_with(KAPPA_GRID,
                                                                   float(ss[_k("pw_kappa")])),
                            key=_k("pw_kappa"), format_func=lambda v: f"{v:g}")
            b.slider(tr("paths.angle"), 0, 90, step=5, key=_k("pw_angle"), format="%d°")
    st.caption(tr(f"paths.fn_desc.{fn}"))


def _start_controls(sess: dict, surface: surfaces.Surface, key: tuple, tr: Translator,
                    log_scale: bool) -> None:
    ss = st.session_state
    st.subheader(tr("paths.start"))
    xs, ys, Z = _grid(sess, key, surface, CONTOUR_RES)
    start = (ss.get(_k("pw_x0"), 0.0), ss.get(_k("pw_y0"), 0.0))
    floor = surface.min_value
    fig = CP.start_picker(xs[::2], ys[::2], Z[::2, ::2], tr=tr, start=start,
                          minima=surface.minima, log_scale=log_scale, floor=floor)
    st.plotly_chart(_Raw(fig), key=_k("pw_pick"), on_select=_on_pick, selection_mode="points",
                    theme=None, config={"displayModeBar": False}, width="stretch")
    st.caption(tr("paths.start_help"))
    (x0, x1), (y0, y1) = surface.domain
    a, b, c = st.columns([1, 1, 0.8], vertical_alignment="bottom")
    a.number_input("x₀", key=_k("pw_x0"), step=float(x1 - x0) / 100, format="%.3f")
    b.number_input("y₀", key=_k("pw_y0"), step=float(y1 - y0) / 100, format="%.3f")
    c.button(tr("paths.reset_start"), key="pb_reset_start", on_click=_on_reset_start,
             help=tr("paths.reset_start_help"))


def _optimizer_controls(tr: Translator) -> None:
    ss = st.session_state
    st.subheader(tr("paths.optimizers"))
    st.select_slider(tr("paths.steps"), options=grid_with(STEP_GRID, int(ss[_k("pw_steps")])),
                     key=_k("pw_steps"), help=tr("paths.steps_help"))
    st.multiselect(tr("paths.optimizers"), OPTIMIZERS, key=_k("pw_opts"),
                   format_func=lambda o: tr(f"paths.opt.{o}"), max_selections=MAX_OPTS,
                   label_visibility="collapsed", placeholder=tr("paths.choose_optimizers"))
    for opt in ss[_k("pw_opts")]:
        label = tr(f"paths.opt.{opt}")
        st.markdown(f'<span style="color:{COLORS[opt]};font-size:1.2em">●</span> '
                    f'**{label}**', unsafe_allow_html=True)
        if opt in LR_OPTIMIZERS:
            k = _k(f"pw_lr_{opt}")
            grid = DAMPING_GRID if opt == "newton" else LR_GRID
            cols = st.columns([3, 1], vertical_alignment="bottom") if opt in HYPER else [st]
            cols[0].select_slider(tr("paths.damping") if opt == "newton" else tr("paths.lr"),
                                  options=grid_with(grid, float(ss[k])), key=k,
                                  format_func=_fmt_num)
            if opt in HYPER:
                with cols[1].popover("⚙", help=tr("paths.hyper_help"), key=f"pp_{opt}"):
                    for name in HYPER[opt]:
                        lo, hi = _RANGE_FOR.get((opt, name), HYPER_RANGES[name])
                        st.number_input(tr(f"paths.hp.{name}"), min_value=float(lo),
                                        max_value=float(hi), key=_k(f"pw_hp_{opt}_{name}"),
                                        format="%.0e" if name == "eps" else "%.4f",
                                        step=1e-8 if name == "eps" else 0.01)
        else:
            st.caption(tr("paths.scipy_note", method=SCIPY_METHODS[opt]))


def _view_controls(tr: Translator) -> None:
    st.subheader(tr("paths.view"))
    st.segmented_control(tr("paths.view_mode"), ("all", "animate"), key=_k("pw_mode"),
                         required=True, format_func=lambda m: tr(f"paths.mode.{m}"),
                         help=tr("paths.view_mode_help"))
    st.toggle(tr("paths.log_colour"), key=_k("pw_logc"), help=tr("paths.log_colour_help"))
    st.toggle(tr("paths.log_loss"), key=_k("pw_logy"))


# -- computing ----------------------------------------------------------------------------------
def _runs(sess: dict, cfg: PathsConfig, surface: surfaces.Surface, tr: Translator
          ) -> tuple[list[CP.Run], dict[str, str]]:
    runs, failed = [], {}
    skey = cfg.surface_key()
    start = np.asarray(cfg.start, dtype=np.float64)
    for opt in cfg.opts:
        lr = cfg.lr_of(opt) if opt in LR_OPTIMIZERS else 0.0
        hp = cfg.hyper_of(opt)
        key = ("path", skey, cfg.start, cfg.steps, opt, lr, tuple(sorted(hp.items())))
        try:
            result = _cached(sess["cache"], key, lambda opt=opt, lr=lr, hp=hp: run_optimizer(
                surface, opt, lr, hp, start, cfg.steps))
        except Exception as err:  # scipy's or the engine's refusal is shown, never raised
            failed[opt] = str(err)
            continue
        runs.append(CP.Run(opt, tr(f"paths.opt.{opt}"), COLORS[opt], result))
    return runs, failed


def _status_text(run: CP.Run, tr: Translator) -> str:
    return tr(f"paths.status.{run.result.status}")


def _note_text(opt: str, result: eg_paths.PathResult, tr: Translator) -> str:
    if result.status != "ok":
        return tr(f"paths.status_long.{result.status}", k=result.stopped_at)
    if opt in SCIPY_METHODS:
        return str(result.message)
    if opt == "newton" and result.info.get("fallback_steps"):
        return tr("paths.newton_fallbacks", n=int(result.info["fallback_steps"]))
    return ""


def _results_table(runs: list[CP.Run], surface: surfaces.Surface, tr: Translator) -> None:
    if not runs:
        return
    known = surface.min_value is not None
    cols: dict[str, list] = {tr("paths.col.optimizer"): [], tr("paths.col.x"): [],
                             tr("paths.col.y"): [], tr("paths.col.f"): []}
    if known:
        cols[tr("paths.col.gap")] = []
    cols.update({tr("paths.col.steps"): [], tr("paths.col.grad"): [],
                 tr("paths.col.diverged"): [], tr("paths.col.status"): [],
                 tr("paths.col.note"): []})
    names = list(cols)
    for run in runs:
        r = run.result
        x, y = (float(v) for v in r.points[-1])
        row = [run.label, x, y, float(r.values[-1])]
        if known:
            row.append(float(r.values[-1]) - surface.min_value)
        row += [int(r.n_steps), float(np.linalg.norm(r.grads[-1])), r.status != "ok",
                _status_text(run, tr), _note_text(run.key, r, tr)]
        for name, v in zip(names, row, strict=True):
            cols[name].append(v)
    num = st.column_config.NumberColumn(format="%.4g")
    config = {tr("paths.col.x"): num, tr("paths.col.y"): num, tr("paths.col.f"): num,
              tr("paths.col.grad"): num,
              tr("paths.col.diverged"): st.column_config.CheckboxColumn()}
    if known:
        config[tr("paths.col.gap")] = num
    st.dataframe(cols, hide_index=True, column_config=config, key="p_table")


# -- the lower panels -----------------------------------------------------------------------------
def _sweep_panel(sess: dict, cfg: PathsConfig, surface: surfaces.Surface,
                 tr: Translator) -> None:
    opts = [o for o in cfg.opts if o in FIRST_ORDER]
    st.caption(tr("paths.sweep.help", n=len(SWEEP_LRS), lo=_fmt_num(SWEEP_LRS[0]),
                  hi=_fmt_num(SWEEP_LRS[-1]), steps=cfg.steps))
    if not opts:
        sess["best"] = {}
        st.info(tr("paths.sweep.none"))
        return
    start = np.asarray(cfg.start, dtype=np.float64)
    curves, best, rows = [], {}, []
    for opt in opts:
        hp = cfg.hyper_of(opt)
        key = ("sweep", cfg.surface_key(), cfg.start, cfg.steps, opt,
               tuple(sorted(hp.items())))
        finals = _cached(sess["sweeps"], key,
                         lambda opt=opt, hp=hp: sweep(surface, opt, hp, start, cfg.steps))
        b = best_rate(SWEEP_LRS, finals)
        best[opt] = b
        curves.append(CP.SweepCurve(tr(f"paths.opt.{opt}"), COLORS[opt], SWEEP_LRS, finals,
                                    cfg.lr_of(opt), b))
        rows.append((tr(f"paths.opt.{opt}"), cfg.lr_of(opt), b,
                     float(np.nanmin(np.where(np.isfinite(finals), finals, np.nan)))
                     if b is not None else None,
                     int(np.sum(~np.isfinite(finals)))))
    sess["best"] = best
    fig = CP.sweep_figure(curves, tr=tr, min_value=surface.min_value, steps=cfg.steps,
                          uirevision=f"sweep-{cfg.surface_key()}")
    live_chart(fig, key="p-sweep", height=380)
    a, b = st.columns([1, 2], vertical_alignment="center")
    a.button(tr("paths.sweep.set_best"), key="pb_set_best", type="primary",
             on_click=_on_set_best, disabled=not any(v is not None for v in best.values()),
             help=tr("paths.sweep.set_best_help"))
    if sess.pop("notice", None):
        b.success(tr("paths.sweep.applied"))
    num = st.column_config.NumberColumn(format="%.4g")
    table = {tr("paths.col.optimizer"): [r[0] for r in rows],
             tr("paths.sweep.current"): [r[1] for r in rows],
             tr("paths.sweep.best"): [r[2] for r in rows],
             tr("paths.sweep.best_final"): [r[3] for r in rows],
             tr("paths.sweep.diverged"): [f"{r[4]} / {len(SWEEP_LRS)}" for r in rows]}
    st.dataframe(table, hide_index=True, key="p_sweep_table",
                 column_config={tr("paths.sweep.current"): num, tr("paths.sweep.best"): num,
                                tr("paths.sweep.best_final"): num})


def _internals_panel(sess: dict, cfg: PathsConfig, runs: list[CP.Run],
                     surface: surfaces.Surface, tr: Translator, log_scale: bool) -> None:
    ss = st.session_state
    if not runs:
        st.info(tr("paths.choose_optimizers"))
        return
    keys = [r.key for r in runs]
    kopt = _k("pw_iopt")
    if ss.get(kopt) not in keys:
        ss[kopt] = keys[0]
    a, b = st.columns([1, 2])
    a.selectbox(tr("paths.internals.optimizer"), keys, key=kopt,
                format_func=lambda o: tr(f"paths.opt.{o}"))
    run = runs[keys.index(ss[kopt])]
    r = run.result
    if r.n_steps < 1:
        st.info(tr("paths.internals.no_steps"))
        return
    kstep = _k("pw_istep")
    top = r.n_steps - 1
    if not isinstance(ss.get(kstep), int) or ss[kstep] > top:
        ss[kstep] = min(int(ss.get(kstep) or 0), top)
    if top > 0:
        b.slider(tr("paths.internals.step"), 0, top, key=kstep)
    k = int(ss[kstep]) if top > 0 else 0
    sess["view"]["pw_istep"] = k
    opt = run.key
    lr = cfg.lr_of(opt) if opt in LR_OPTIMIZERS else 0.0
    hp = cfg.hyper_of(opt)
    vec = internals_at(opt, r, k, lr, hp)
    arrows = [CP.Arrow(tr("paths.internals.grad_arrow" if opt in FIRST_ORDER
                          else "paths.internals.grad_dir"), "#D55E00", vec["grad"], 5.0)]
    if "velocity" in vec:
        arrows.append(CP.Arrow(tr("paths.internals.velocity_adam" if opt in
                                  ("adam", "adamw", "nadam") else "paths.internals.velocity"),
                               "#009E73", vec["velocity"], 3.5))
    arrows.append(CP.Arrow(tr("paths.internals.step_arrow"), "#111111", vec["step"], 1.8))
    (wx0, wx1), (wy0, wy1) = CP.internals_window(r.points[k], arrows, surface.domain,
                                                 focus=vec["step"])
    xs = np.linspace(wx0, wx1, INTERNALS_RES)
    ys = np.linspace(wy0, wy1, INTERNALS_RES)
    Z = surface.f(xs[None, :], ys[:, None])
    figs = {"arrows": CP.internals_figure(xs, ys, Z, r.points, k, arrows, tr=tr,
                                          color=run.color, label=run.label,
                                          log_scale=log_scale, floor=surface.min_value,
                                          uirevision=f"internals-{opt}-{k}")}
    eff = effective_lr(opt, r, lr, hp) if opt in ADAPTIVE else None
    if eff is not None:
        figs["eff"] = CP.effective_lr_figure(eff, tr=tr, k=k + 1,
                                             uirevision=f"eff-{opt}")
    live_charts(figs, key="p-internals", height=400, columns=len(figs))

    def v2(v: Any) -> str:
        v = np.asarray(v, dtype=np.float64)
        return f"({v[0]:.4g}, {v[1]:.4g})"

    lines = [f"- {tr('paths.internals.point')}: θ{_sub(k)} = {v2(r.points[k])}, "
             f"f = {float(r.values[k]):.6g}",
             f"- ∇f(θ{_sub(k)}) = {v2(r.grads[k])}, ‖∇f‖ = {np.linalg.norm(r.grads[k]):.4g}",
             f"- {tr('paths.internals.step_arrow')}: {v2(vec['step'])}"]
    if "velocity" in vec:
        lines.append(f"- {arrows[1].label}: {v2(vec['velocity'])}")
    if eff is not None:
        lines.append(f"- {tr('paths.internals.eff')}: {v2(eff[k + 1])}  "
                     f"({tr('paths.internals.eff_ratio', r=_ratio(eff[k + 1]))})")
    if opt == "newton" and "hessian_eigenvalues" in r.state:
        lines.append(f"- {tr('paths.internals.hessian')}: {v2(r.state['hessian_eigenvalues'][k])}")
    st.markdown("\n".join(lines))
    st.caption(tr(f"paths.internals.explain.{_family(opt)}"))


def _ratio(v: Any) -> str:
    v = np.asarray(v, dtype=np.float64)
    if not np.all(np.isfinite(v)) or v.min() <= 0:
        return "—"
    return f"{v.max() / v.min():.3g}"


def _family(opt: str) -> str:
    if opt in ("momentum", "nesterov"):
        return "momentum"
    if opt in ADAPTIVE:
        return "adaptive"
    if opt == "gd":
        return "gd"
    return "second"


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _momentum_panel(sess: dict, tr: Translator) -> None:
    ss = st.session_state
    kk, ka, kb = _k("pw_mkappa"), _k("pw_malpha"), _k("pw_mbeta")
    kappa = float(ss.get(kk, VIEW_DEFAULTS["pw_mkappa"]))
    lam = (1.0 / kappa, 1.0)
    a_opt, b_opt, r_opt = theory.momentum_optimal(lam)
    a_gd, r_gd = theory.gd_optimal(lam)
    if ka not in ss or kb not in ss:
        ss[ka], ss[kb] = float(sess["view"].get("pw_malpha", a_opt)), \
            float(sess["view"].get("pw_mbeta", b_opt))
    st.caption(tr("paths.momentum.intro"))
    c1, c2, c3 = st.columns(3)
    c1.select_slider(tr("paths.momentum.kappa"), options=grid_with(KAPPA_GRID, kappa), key=kk,
                     format_func=lambda v: f"{v:g}", on_change=_on_kappa_change)
    c2.number_input(tr("paths.momentum.alpha"), min_value=0.0001, max_value=4.5, step=0.01,
                    format="%.4f", key=ka)
    c3.number_input(tr("paths.momentum.beta"), min_value=0.0, max_value=0.999, step=0.01,
                    format="%.4f", key=kb)
    alpha, beta = float(ss[ka]), float(ss[kb])
    sess["view"].update(pw_mkappa=kappa, pw_malpha=alpha, pw_mbeta=beta)
    d1, d2 = st.columns([1, 2])
    d1.button(tr("paths.momentum.use_optimal"), key="pb_use_optimal", on_click=_on_kappa_change)
    d2.button(tr("paths.momentum.try_it"), key="pb_try_momentum", on_click=_on_try_momentum,
              help=tr("paths.momentum.try_it_help"))

    def measured(a: float, b: float) -> dict[str, Any]:
        return _cached(sess["theory"], ("momentum", kappa, round(a, 10), round(b, 10)),
                       lambda: momentum_run(kappa, a, b))

    gd, best, yours = measured(a_gd, 0.0), measured(a_opt, b_opt), measured(alpha, beta)
    m = st.columns(4)
    m[0].metric("α*", f"{a_opt:.4g}")
    m[1].metric("β*", f"{b_opt:.4g}")
    m[2].metric(tr("paths.momentum.rate_opt"), f"{r_opt:.4f}",
                help=tr("paths.momentum.rate_opt_help"))
    m[3].metric(tr("paths.momentum.rate_gd"), f"{r_gd:.4f}")

    def fmt_rate(v: float | None) -> str:
        if v is None:
            return "—"
        if not math.isfinite(v):
            return tr("paths.status.diverged")
        return f"{v:.4f}" if v < 1 else f"{v:.4f} ({tr('paths.status.diverged')})"

    rows = [(tr("paths.momentum.row_gd"), a_gd, 0.0, gd),
            (tr("paths.momentum.row_opt"), a_opt, b_opt, best),
            (tr("paths.momentum.row_yours"), alpha, beta, yours)]
    table = {tr("paths.momentum.col_method"): [r[0] for r in rows],
             "α": [f"{r[1]:.4g}" for r in rows], "β": [f"{r[2]:.4g}" for r in rows],
             tr("paths.momentum.col_predicted"): [fmt_rate(r[3]["predicted"]) for r in rows],
             tr("paths.momentum.col_measured"): [fmt_rate(r[3]["measured"]) for r in rows],
             tr("paths.momentum.col_steps"): [
                 _steps_text(theory.iterations_to_converge(r[3]["predicted"], 1e-6))
                 for r in rows]}
    st.dataframe(table, hide_index=True, key="p_momentum_table")
    st.caption(tr("paths.momentum.note"))
    alphas = np.linspace(0.0, 4.2, 169)[1:]
    betas = np.linspace(0.0, 0.995, 100)
    rate = _cached(sess["theory"], ("map", kappa),
                   lambda: theory.rate_map(lam, alphas, betas))
    figs = {
        "map": CP.rate_map_figure(alphas, betas, rate, theory.stability_boundary(lam, betas),
                                  tr=tr, optimum=(a_opt, b_opt), chosen=(alpha, beta),
                                  gd_optimum=a_gd, uirevision=f"map-{kappa}"),
        "conv": CP.convergence_figure(
            [{"label": tr("paths.momentum.row_gd"), "color": COLORS["gd"],
              "errors": gd["errors"], "rate": gd["predicted"], "anchor": gd["anchor"]},
             {"label": tr("paths.momentum.row_yours"), "color": COLORS["momentum"],
              "errors": yours["errors"], "rate": yours["predicted"],
              "anchor": yours["anchor"]}],
            tr=tr, uirevision=f"conv-{kappa}"),
    }
    live_charts(figs, key="p-momentum", height=400, columns=2)


def _steps_text(k: float) -> str:
    return "∞" if not math.isfinite(k) else f"{int(k):d}"


# -- helpers for st.plotly_chart -----------------------------------------------------------------
class _Raw(go.Figure):
    """A ready figure dict for ``st.plotly_chart`` without plotly.py's validation.

    Streamlit takes ``figure.to_dict()`` of a ``go.Figure`` as already valid; building a
    validated Figure from an animation's frames costs ~0.1 s per rerun, the dict itself
    nothing. (tests/playground/test_paths_page.py checks the frames reach the browser.)
    """

    def __init__(self, fig: dict[str, Any]):
        super().__init__()
        self._raw = fig

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return self._raw


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    t0 = time.perf_counter()
    tr = Translator(st.session_state.get("lang", "en"))
    sess = _session(tr)
    _sync_widgets(sess["cfg"], sess["view"], overwrite=sess.pop("sync", False))
    ss = st.session_state

    st.title(tr("paths.title"))
    st.caption(tr("paths.intro"))
    show_notes(sess)

    left, right = st.columns([1.1, 2.6], gap="medium")
    with left:
        _function_controls(sess, tr)
    wanted = _config_from_widgets(sess["cfg"])
    old = sess["cfg"]
    if sess.get("error") is not None:  # a bad expression: keep the last good function
        wanted = replace(wanted, fn=old.fn, expr=old.expr, kappa=old.kappa, angle=old.angle)
    skey = wanted.surface_key()
    try:
        surface = _surface(sess, skey)
    except ValueError:
        wanted = replace(wanted, fn=old.fn, expr=old.expr, kappa=old.kappa, angle=old.angle)
        skey = wanted.surface_key()
        surface = _surface(sess, skey)
    log_scale = bool(ss.get(_k("pw_logc"), surface.log_scale))
    with left:
        _start_controls(sess, surface, skey, tr, log_scale)
        _optimizer_controls(tr)
        _view_controls(tr)
    cfg = _config_from_widgets(wanted)
    cfg = replace(cfg, fn=wanted.fn, expr=wanted.expr, kappa=wanted.kappa, angle=wanted.angle)
    x0, y0 = cfg.start
    if not (math.isfinite(x0) and math.isfinite(y0)):
        cfg = replace(cfg, start=_start_of(surface))
    sess["cfg"] = cfg
    for name in ("pw_logc", "pw_logy", "pw_mode", "pw_panel"):
        if _k(name) in ss:
            sess["view"][name] = ss[_k(name)]
    write_url(to_query(cfg, _start_of(surface)))

    with right:
        runs, failed = _runs(sess, cfg, surface, tr)
        for opt, message in failed.items():
            st.error(tr("paths.failed", optimizer=tr(f"paths.opt.{opt}"), reason=message))
        if not cfg.opts:
            st.info(tr("paths.choose_optimizers"))
        _views(sess, cfg, surface, runs, tr, log_scale)
        logy = bool(ss.get(_k("pw_logy"), True))
        live_chart(CP.loss_figure(runs, tr=tr, min_value=surface.min_value, log_y=logy),
                   key="p-loss", height=300)
        _results_table(runs, surface, tr)
        # everything above is on its way to the browser (Streamlit streams elements as they
        # are made); the panel below may take longer the first time (an uncached sweep)
        sess["ms_views"] = (time.perf_counter() - t0) * 1e3
        st.segmented_control(tr("paths.panel"), ("sweep", "internals", "momentum"),
                             key=_k("pw_panel"), required=True,
                             format_func=lambda p: tr(f"paths.panel.{p}"))
        panel = ss.get(_k("pw_panel"), "sweep")
        if panel == "sweep":
            _sweep_panel(sess, cfg, surface, tr)
        elif panel == "internals":
            _internals_panel(sess, cfg, runs, surface, tr, log_scale)
        else:
            _momentum_panel(sess, tr)
        ms = (time.perf_counter() - t0) * 1e3
        sess["ms"] = ms
        final = "|".join(f"{r.key}:{r.result.points[-1][0]:.6g}:{r.result.points[-1][1]:.6g}"
                         for r in runs)
        st.markdown(f'<span class="pg-paths" data-fn="{cfg.fn}" '
                    f'data-opts="{",".join(cfg.opts)}" data-final="{final}" '
                    f'data-error="{int(sess.get("error") is not None)}" '
                    f'data-ms="{ms:.1f}" data-ms-views="{sess["ms_views"]:.1f}"></span>',
                    unsafe_allow_html=True)


def _views(sess: dict, cfg: PathsConfig, surface: surfaces.Surface, runs: list[CP.Run],
           tr: Translator, log_scale: bool) -> None:
    skey = cfg.surface_key()
    xs, ys, Z = _grid(sess, skey, surface, CONTOUR_RES)
    floor = surface.min_value
    common = {"tr": tr, "minima": surface.minima, "log_scale": log_scale, "floor": floor}
    rev = f"{skey}-{int(log_scale)}"
    a, b = st.columns(2)
    mode = st.session_state.get(_k("pw_mode"), "all")
    with a:
        if mode == "animate":
            fig = CP.animated_contour(xs, ys, Z, runs, saddles=surface.saddles, start=cfg.start,
                                      uirevision=f"anim-{rev}", height=520, **common)
            st.plotly_chart(_Raw(fig), key="p_anim", theme=None, width="stretch",
                            config={"displaylogo": False})
        else:
            fig = CP.contour_figure(xs, ys, Z, runs, saddles=surface.saddles, start=cfg.start,
                                    uirevision=f"contour-{rev}", **common)
            live_chart(fig, key="p-contour", height=520)
    with b:
        step = max(1, (CONTOUR_RES - 1) // (SURFACE_RES - 1))
        fig3 = CP.surface_figure(xs[::step], ys[::step], Z[::step, ::step], runs,
                                 min_value=surface.min_value, uirevision=f"surface-{rev}",
                                 **common)
        live_chart(fig3, key="p-3d", height=520)
