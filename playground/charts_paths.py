"""Pure chart builders for the Optimizer paths page: engine data in, Plotly figure dicts out.

Same conventions as ``playground/charts.py`` (no streamlit, no plotly import): every builder
returns ``{"data": [...], "layout": {...}}`` (plus ``"frames"`` for the animation) that
``plotly.graph_objects.Figure`` accepts and the live chart component draws as is; big numeric
fields are float32 arrays, ``layout.template`` is ``"none"``, ``layout.uirevision`` is stable
per chart and every visible word comes from ``tr`` (catalog ``locales/<lang>/paths.json``).

The figures:

- ``contour_figure`` / ``surface_figure``: the function (contour / 3-D), the global minima,
  the start and every optimizer's path;
- ``animated_contour``: the contour with Plotly frames, a slider and Play / Pause buttons, so
  the browser plays the paths step by step without asking the server;
- ``start_picker``: a small static contour with a dense invisible grid of clickable points;
- ``loss_figure``: loss (or the gap to the known minimum) against step for every optimizer;
- ``sweep_figure``: final loss against learning rate (the fair comparison);
- ``internals_figure`` / ``effective_lr_figure``: gradient, velocity and update arrows at one
  step, and an adaptive method's per-coordinate effective step size;
- ``rate_map_figure`` / ``convergence_figure``: momentum on the quadratic bowl, theory versus
  an actual engine run.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from playground import raster
from playground.charts import Figure, Translate, _axis, _title

__all__ = [
    "Arrow",
    "CONTOUR_SCALE",
    "Run",
    "SweepCurve",
    "animated_contour",
    "contour_figure",
    "convergence_figure",
    "display_values",
    "effective_lr_figure",
    "frame_steps",
    "internals_figure",
    "loss_figure",
    "rate_map_figure",
    "start_picker",
    "surface_figure",
    "sweep_figure",
]

# -- look --------------------------------------------------------------------------------------
# A pale sequential scale (low = blue-grey, high = near white) so coloured paths stand out.
CONTOUR_SCALE: list[list[Any]] = [[0.0, "#9fb8cf"], [0.25, "#c3d3e2"], [0.5, "#dde6ee"],
                                  [0.75, "#eef2f5"], [1.0, "#fbfbfb"]]
RATE_SCALE: list[list[Any]] = [[0.0, "#08306b"], [0.5, "#4a98c9"], [0.85, "#c6dbef"],
                               [1.0, "#f7fbff"]]
MINIMUM_COLOR = "#ffd700"
START_COLOR = "#ffffff"
GRID_COLOR = "#e5e5e5"
TEXT_COLOR = "#333333"
FONT = {"size": 12, "color": TEXT_COLOR}
MARGIN = {"l": 56, "r": 16, "t": 40, "b": 44}
MAX_FRAMES = 60
# Points per path per animation frame: the last RECENT steps exactly, older ones thinned.
MAX_PREFIX = 160
RECENT = 60


class Run(NamedTuple):
    """One optimizer's path as drawn: ``result`` is an ``engine.paths.PathResult``."""

    key: str
    label: str
    color: str
    result: Any


class SweepCurve(NamedTuple):
    """Final loss per learning rate for one optimizer (``inf`` = diverged)."""

    label: str
    color: str
    lrs: Any
    finals: Any
    current_lr: float | None = None
    best_lr: float | None = None


class Arrow(NamedTuple):
    """A vector drawn from the current point (data units)."""

    label: str
    color: str
    vector: Any
    width: float = 2.5


# -- helpers -----------------------------------------------------------------------------------
def _f32(a: Any) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        a = np.where(np.isfinite(a), a, np.nan)
        big = np.finfo(np.float32).max
        a = np.where(np.abs(a) < big, a, np.nan)
    return a.astype(np.float32)


def _layout(title: str | None, uirevision: str, **kw: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {"template": "none", "uirevision": uirevision, "font": dict(FONT),
                           "margin": dict(MARGIN), "paper_bgcolor": "white",
                           "plot_bgcolor": "white", "hoverlabel": {"font": {"size": 12}}}
    if title:
        lay["title"] = _title(title)
    else:
        lay["margin"]["t"] = 12
    lay.update(kw)
    return lay


def _legend(top: bool = False) -> dict[str, Any]:
    """A horizontal legend: under the plot (room for many entries), or one short row above it
    at the right (clear of the title on the left)."""
    if top:
        return {"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0,
                "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0)", "font": {"size": 11}}
    return {"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.16, "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0)", "font": {"size": 11}}


def _note(text: str) -> dict[str, Any]:
    return {"text": text, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
            "showarrow": False, "font": {"size": 13, "color": "#888888"}}


def _finite_floor(Z: np.ndarray) -> float:
    z = np.asarray(Z, dtype=np.float64)
    z = z[np.isfinite(z)]
    return float(z.min()) if z.size else 0.0


def display_values(values: Any, floor: float | None, log: bool) -> np.ndarray:
    """What colour and height show: ``f`` itself, or ``log10(1 + f - floor)`` on a log scale.

    ``floor`` is the known minimum value (or the grid's smallest value); values below it
    (a path may go lower than a coarse grid) count as the floor. Non-finite -> NaN.
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        if log:
            v = np.log10(1.0 + np.maximum(v - (floor or 0.0), 0.0))
        return np.where(np.isfinite(v), v, np.nan)


def value_label(tr: Translate, log: bool) -> str:
    return tr("paths.chart.f_log") if log else tr("paths.chart.f")


def _status_symbol(status: str) -> str:
    return "circle" if status == "ok" else "x"


def _end_marker(run: Run, hover: str, **kw: Any) -> dict[str, Any]:
    p = np.asarray(run.result.points)[-1:]
    return {"type": "scatter", "mode": "markers", "x": _f32(p[:, 0]), "y": _f32(p[:, 1]),
            "name": run.label, "legendgroup": run.key, "showlegend": False,
            "marker": {"color": run.color, "size": 10, "symbol": _status_symbol(run.result.status),
                       "line": {"color": "#222222", "width": 1}},
            "hovertemplate": hover, **kw}


def _marks(minima: Any, saddles: Any, start: Any, tr: Translate) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    m = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
    if len(m):
        out.append({"type": "scatter", "mode": "markers", "x": _f32(m[:, 0]), "y": _f32(m[:, 1]),
                    "name": tr("paths.chart.minimum"),
                    "marker": {"symbol": "star", "size": 15, "color": MINIMUM_COLOR,
                               "line": {"color": "#333333", "width": 1}},
                    "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>"})
    s = np.asarray(saddles if saddles is not None else np.empty((0, 2)),
                   dtype=np.float64).reshape(-1, 2)
    if len(s):
        out.append({"type": "scatter", "mode": "markers", "x": _f32(s[:, 0]), "y": _f32(s[:, 1]),
                    "name": tr("paths.chart.saddle"),
                    "marker": {"symbol": "x-thin", "size": 12, "color": "#333333",
                               "line": {"color": "#333333", "width": 2}},
                    "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>"})
    if start is not None:
        p = np.asarray(start, dtype=np.float64).reshape(1, 2)
        out.append({"type": "scatter", "mode": "markers", "x": _f32(p[:, 0]), "y": _f32(p[:, 1]),
                    "name": tr("paths.chart.start"),
                    "marker": {"symbol": "circle", "size": 11, "color": START_COLOR,
                               "line": {"color": "#111111", "width": 2}},
                    "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>"})
    return out


def _contour_trace(xs: Any, ys: Any, Zd: np.ndarray, colorbar_title: str | None,
                   *, hover: bool = True) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "contour", "x": _f32(xs), "y": _f32(ys), "z": _f32(Zd),
        "colorscale": CONTOUR_SCALE, "ncontours": 24,
        "contours": {"coloring": "fill", "showlines": True},
        "line": {"color": "rgba(255,255,255,0.9)", "width": 0.6},
        "showscale": colorbar_title is not None,
    }
    if colorbar_title is not None:
        trace["colorbar"] = {"title": {"text": colorbar_title, "side": "right"},
                             "thickness": 12, "len": 0.9, "outlinewidth": 0}
    if hover:
        trace["hovertemplate"] = "(%{x:.3g}, %{y:.3g})<br>%{z:.4g}<extra></extra>"
    else:
        trace["hoverinfo"] = "skip"
    return trace


def field_image(Zd: Any, *, levels: int = 24, scale: Sequence[Sequence[Any]] = CONTOUR_SCALE,
                upsample: int = 3) -> str:
    """The field as filled contour bands in a PNG ``data:`` URI (row 0 = the largest y).

    Animations use it as a layout image: ``Plotly.animate`` without redraw drops every
    non-scatter trace of the subplot (a contour trace would vanish on Play), an image stays.
    """
    rgba, _, _ = raster.contour_bands(raster.upsample(Zd, upsample), scale, levels)
    return raster.data_uri(rgba[::-1])


MAX_STEP_DOTS = 120  # step markers drawn per path on the live contour (the line has every step)
_FIELD_CACHE: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()


def _field_traces(xs: Any, ys: Any, Zd: np.ndarray, colorbar_title: str | None,
                  upsample: int = 2) -> list[dict[str, Any]]:
    """The field as a filled-contour PNG ``image`` trace (see playground/raster.py: a contour
    trace re-runs marching squares and fills SVG polygons on every redraw), plus, when
    ``colorbar_title`` is given, an invisible one-point trace that carries the colour bar.

    Cached on the grid's bytes: a changed path redraws the figure, not the field's PNG.
    """
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    zd = np.ascontiguousarray(Zd, dtype=np.float64)
    key = (hashlib.blake2b(zd.tobytes() + xs.tobytes() + ys.tobytes(), digest_size=16).digest(),
           zd.shape, colorbar_title, upsample)
    if key in _FIELD_CACHE:
        _FIELD_CACHE.move_to_end(key)
        return [dict(t) for t in _FIELD_CACHE[key]]
    traces = _build_field_traces(xs, ys, zd, colorbar_title, upsample)
    _FIELD_CACHE[key] = traces
    while len(_FIELD_CACHE) > 16:
        _FIELD_CACHE.popitem(last=False)
    return [dict(t) for t in traces]


def _build_field_traces(xs: np.ndarray, ys: np.ndarray, Zd: np.ndarray,
                        colorbar_title: str | None, upsample: int) -> list[dict[str, Any]]:
    rgba, lo, hi = raster.contour_bands(raster.upsample(Zd, upsample), CONTOUR_SCALE)
    dx = (xs[-1] - xs[0]) / max(rgba.shape[1] - 1, 1)
    dy = (ys[-1] - ys[0]) / max(rgba.shape[0] - 1, 1)
    out = [{"type": "image", "source": raster.data_uri(rgba), "x0": float(xs[0]),
            "dx": float(dx), "y0": float(ys[0]), "dy": float(dy), "hoverinfo": "skip",
            "meta": {"zmin": lo, "zmax": hi}}]
    if colorbar_title is not None:
        out.append({"type": "scatter", "mode": "markers", "x": [float(xs[0])],
                    "y": [float(ys[0])], "hoverinfo": "skip", "showlegend": False,
                    "marker": {"size": 0.1, "opacity": 0, "color": [lo], "cmin": lo,
                               "cmax": hi, "colorscale": CONTOUR_SCALE, "showscale": True,
                               "colorbar": {"title": {"text": colorbar_title, "side": "right"},
                                            "thickness": 12, "len": 0.9,
                                            "outlinewidth": 0}}})
    return out


def _domain_axes(xs: Any, ys: Any, tr: Translate, equal: bool) -> dict[str, Any]:
    xs, ys = np.asarray(xs), np.asarray(ys)
    xa = _axis("x", range=[float(xs[0]), float(xs[-1])], showgrid=False)
    ya = _axis("y", range=[float(ys[0]), float(ys[-1])], showgrid=False)
    if equal:
        ya.update(scaleanchor="x", scaleratio=1, constrain="domain")
        xa.update(constrain="domain")
    else:
        ya["scaleanchor"] = False  # an image trace would otherwise lock square pixels
    return {"xaxis": xa, "yaxis": ya}


# -- 1. contour with paths ----------------------------------------------------------------------
def contour_figure(xs: Any, ys: Any, Z: Any, runs: Sequence[Run], *, tr: Translate,
                   minima: Any = (), saddles: Any = None, start: Any = None,
                   log_scale: bool = False, floor: float | None = None,
                   uirevision: str = "contour", title: bool = True,
                   height: int | None = None) -> Figure:
    """Contour of ``Z`` (``Z[i, j] = f(xs[j], ys[i])``) with every run's path on top.

    Paths are lines with small markers (one per step); the last point is a big circle, or an
    ``x`` when the path stopped (diverged or left the region).
    """
    if floor is None:
        floor = _finite_floor(Z)
    Zd = display_values(Z, floor, log_scale)
    data = _field_traces(xs, ys, Zd, value_label(tr, log_scale))
    hover = ("%{fullData.name}<br>" + tr("paths.chart.step") +
             " %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>")
    for run in runs:
        p = np.asarray(run.result.points)
        data.append({"type": "scatter", "mode": "lines+markers", "x": _f32(p[:, 0]),
                     "y": _f32(p[:, 1]), "name": run.label, "legendgroup": run.key,
                     "line": {"color": run.color, "width": 2.2},
                     # every step's dot is an SVG node: 5 paths x 500 steps made the redraw
                     # slow, so plotly shows at most MAX_STEP_DOTS of them (evenly spread)
                     "marker": {"color": run.color, "size": 3.5, "maxdisplayed": MAX_STEP_DOTS},
                     "hovertemplate": hover})
        data.append(_end_marker(run, hover))
    data.extend(_marks(minima, saddles, start, tr))
    layout = _layout(tr("paths.chart.contour_title") if title else None, uirevision,
                     **_domain_axes(xs, ys, tr, equal=False), legend=_legend(),
                     hovermode="closest")
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 2. 3-D surface with paths -------------------------------------------------------------------
def surface_figure(xs: Any, ys: Any, Z: Any, runs: Sequence[Run], *, tr: Translate,
                   minima: Any = (), min_value: float | None = None, log_scale: bool = False,
                   floor: float | None = None, uirevision: str = "surface",
                   height: int | None = None) -> Figure:
    """The function as a 3-D surface (height = colour scale value) with the paths on it."""
    if floor is None:
        floor = _finite_floor(Z)
    Zd = display_values(Z, floor, log_scale)
    finite = Zd[np.isfinite(Zd)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    lift = 0.01 * (hi - lo or 1.0)
    data: list[dict[str, Any]] = [{
        "type": "surface", "x": _f32(xs), "y": _f32(ys), "z": _f32(Zd),
        "colorscale": CONTOUR_SCALE, "showscale": False, "opacity": 0.92,
        "contours": {"z": {"show": True, "usecolormap": False, "color": "#ffffff",
                           "width": 1, "project": {"z": False}}},
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>%{z:.4g}<extra></extra>",
        "lighting": {"ambient": 0.85, "diffuse": 0.35, "specular": 0.05},
        "name": value_label(tr, log_scale),
    }]
    hover = "%{fullData.name}<br>(%{x:.3g}, %{y:.3g}, %{z:.4g})<extra></extra>"
    for run in runs:
        p = np.asarray(run.result.points)
        z = display_values(run.result.values, floor, log_scale)
        z = np.clip(z, lo, hi) + lift
        data.append({"type": "scatter3d", "mode": "lines", "x": _f32(p[:, 0]),
                     "y": _f32(p[:, 1]), "z": _f32(z), "name": run.label,
                     "legendgroup": run.key, "line": {"color": run.color, "width": 5},
                     "hovertemplate": hover})
        data.append({"type": "scatter3d", "mode": "markers", "x": _f32(p[-1:, 0]),
                     "y": _f32(p[-1:, 1]), "z": _f32(z[-1:]), "name": run.label,
                     "legendgroup": run.key, "showlegend": False,
                     "marker": {"color": run.color, "size": 5,
                                "symbol": "circle" if run.result.status == "ok" else "x"},
                     "hovertemplate": hover})
    m = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
    if len(m):
        mv = np.full(len(m), lo if min_value is None else min_value, dtype=np.float64)
        mz = np.clip(display_values(mv, floor, log_scale), lo, hi) + lift
        data.append({"type": "scatter3d", "mode": "markers", "x": _f32(m[:, 0]),
                     "y": _f32(m[:, 1]), "z": _f32(mz), "name": tr("paths.chart.minimum"),
                     "marker": {"symbol": "diamond", "size": 6, "color": MINIMUM_COLOR,
                                "line": {"color": "#333333", "width": 1}},
                     "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>"})
    xs_, ys_ = np.asarray(xs), np.asarray(ys)
    scene = {
        "xaxis": {"title": {"text": "x"}, "range": [float(xs_[0]), float(xs_[-1])],
                  "backgroundcolor": "white", "gridcolor": GRID_COLOR},
        "yaxis": {"title": {"text": "y"}, "range": [float(ys_[0]), float(ys_[-1])],
                  "backgroundcolor": "white", "gridcolor": GRID_COLOR},
        "zaxis": {"title": {"text": value_label(tr, log_scale)}, "backgroundcolor": "white",
                  "gridcolor": GRID_COLOR},
        "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6},
        "camera": {"eye": {"x": -1.35, "y": -1.45, "z": 1.05}},
        "uirevision": uirevision,
    }
    layout = _layout(tr("paths.chart.surface_title"), uirevision, scene=scene,
                     legend=_legend(), margin={"l": 0, "r": 0, "t": 40, "b": 10})
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 3. the animation ----------------------------------------------------------------------------
def frame_steps(n_steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown by the animation frames: ``0 .. n_steps``, at most ``max_frames``."""
    n_steps = max(int(n_steps), 0)
    if n_steps + 1 <= max_frames:
        return np.arange(n_steps + 1)
    return np.unique(np.round(np.linspace(0, n_steps, max_frames)).astype(int))


def _prefix(points: np.ndarray, k: int) -> np.ndarray:
    """The path up to step ``k`` (its end if shorter): the last RECENT points exactly, the
    part before them thinned so that at most MAX_PREFIX points are sent per frame."""
    p = points[: min(k, len(points) - 1) + 1]
    if len(p) <= MAX_PREFIX:
        return p
    old, recent = p[: len(p) - RECENT], p[len(p) - RECENT:]
    idx = np.unique(np.linspace(0, len(old) - 1, MAX_PREFIX - RECENT).astype(int))
    return np.concatenate([old[idx], recent])


def animated_contour(xs: Any, ys: Any, Z: Any, runs: Sequence[Run], *, tr: Translate,
                     minima: Any = (), saddles: Any = None, start: Any = None,
                     log_scale: bool = False, floor: float | None = None,
                     frame_ms: int = 60, max_frames: int = MAX_FRAMES,
                     uirevision: str = "animation", height: int | None = None) -> Figure:
    """The contour with Plotly frames: Play / Pause buttons and a step slider in the figure.

    Each frame redraws only the growing paths and the moving heads (``traces`` indices), with
    ``redraw: False``, so playback runs in the browser at a steady frame rate. The complete
    paths stay faintly visible behind, so a thinned frame (paths longer than MAX_PREFIX points)
    never hides where a path really went.
    """
    if floor is None:
        floor = _finite_floor(Z)
    xs_, ys_ = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    background = {"source": field_image(display_values(Z, floor, log_scale)), "xref": "x",
                  "yref": "y", "x": float(xs_[0]), "y": float(ys_[-1]),
                  "sizex": float(xs_[-1] - xs_[0]), "sizey": float(ys_[-1] - ys_[0]),
                  "sizing": "stretch", "layer": "below"}
    data: list[dict[str, Any]] = []
    for run in runs:  # faint full paths
        p = np.asarray(run.result.points)
        data.append({"type": "scatter", "mode": "lines", "x": _f32(p[:, 0]), "y": _f32(p[:, 1]),
                     "name": run.label, "legendgroup": run.key, "showlegend": False,
                     "line": {"color": run.color, "width": 1}, "opacity": 0.3,
                     "hoverinfo": "skip"})
    for mark in _marks(minima, saddles, start, tr):
        mark["showlegend"] = False  # the legend (above the plot) lists the optimizers only
        data.append(mark)
    first = len(data)
    hover = "%{fullData.name}<br>(%{x:.4g}, %{y:.4g})<extra></extra>"
    pts = [np.asarray(run.result.points) for run in runs]
    for run, p in zip(runs, pts):  # growing paths (animated)
        q = _prefix(p, 0)
        data.append({"type": "scatter", "mode": "lines+markers", "x": _f32(q[:, 0]),
                     "y": _f32(q[:, 1]), "name": run.label, "legendgroup": run.key,
                     "line": {"color": run.color, "width": 2.2},
                     "marker": {"color": run.color, "size": 3.5}, "hovertemplate": hover})
    heads_index = len(data)
    colors = [run.color for run in runs]

    def heads(k: int) -> dict[str, Any]:
        h = np.array([p[min(k, len(p) - 1)] for p in pts]).reshape(-1, 2)
        return {"x": _f32(h[:, 0]), "y": _f32(h[:, 1])}

    data.append({"type": "scatter", "mode": "markers", **heads(0), "showlegend": False,
                 "name": tr("paths.chart.now"), "hoverinfo": "skip",
                 "marker": {"color": colors, "size": 11,
                            "line": {"color": "#222222", "width": 1.2}}})
    n_steps = max((len(p) - 1 for p in pts), default=0)
    steps = frame_steps(n_steps, max_frames)
    indices = list(range(first, heads_index + 1))
    frames = []
    for k in steps:
        k = int(k)
        fd = [{"x": _f32(q[:, 0]), "y": _f32(q[:, 1])} for q in (_prefix(p, k) for p in pts)]
        fd.append(heads(k))
        frames.append({"name": str(k), "data": fd, "traces": indices})
    step_label = tr("paths.chart.step")
    play = {"label": "▶ " + tr("paths.chart.play"), "method": "animate",
            "args": [None, {"frame": {"duration": frame_ms, "redraw": False},
                            "fromcurrent": True, "transition": {"duration": 0},
                            "mode": "immediate"}]}
    pause = {"label": "■ " + tr("paths.chart.pause"), "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False},
                               "transition": {"duration": 0}, "mode": "immediate"}]}
    slider = {
        "active": 0, "x": 0.0, "len": 1.0, "y": 0, "yanchor": "top", "pad": {"t": 72},
        "currentvalue": {"prefix": step_label + " ", "xanchor": "right",
                         "font": {"size": 12, "color": TEXT_COLOR}},
        # up to MAX_FRAMES ticks: their own labels would overlap, the current value says it
        "font": {"size": 8, "color": "rgba(0,0,0,0)"}, "ticklen": 3, "minorticklen": 0,
        "steps": [{"label": str(int(k)), "method": "animate",
                   "args": [[str(int(k))], {"mode": "immediate", "transition": {"duration": 0},
                                            "frame": {"duration": 0, "redraw": False}}]}
                  for k in steps],
    }
    layout = _layout(tr("paths.chart.animation_title"), uirevision,
                     **_domain_axes(xs, ys, tr, equal=False), hovermode="closest",
                     legend=_legend(top=True), images=[background],
                     updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0,
                                   "xanchor": "left", "y": 0, "yanchor": "top",
                                   "pad": {"t": 34, "r": 8}, "showactive": False,
                                   "buttons": [play, pause]}],
                     sliders=[slider])
    layout["title"].update(y=0.985, yref="container", yanchor="top")
    layout["legend"]["font"] = {"size": 10}
    rows = math.ceil(len(runs) / 2)  # about two entries fit per row in a half-width column
    layout["margin"] = {"l": 56, "r": 16, "t": 44 + 22 * rows, "b": 140}
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout, "frames": frames}


# -- 4. the start picker -------------------------------------------------------------------------
def start_picker(xs: Any, ys: Any, Z: Any, *, tr: Translate, start: Any = None,
                 minima: Any = (), log_scale: bool = False, floor: float | None = None,
                 density: int = 41, height: int = 260) -> Figure:
    """A small static contour to click on: a ``density``² grid of invisible points (the
    selectable trace, index 1) carries the coordinates a click selects."""
    if floor is None:
        floor = _finite_floor(Z)
    xs_, ys_ = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    gx = np.linspace(xs_[0], xs_[-1], density)
    gy = np.linspace(ys_[0], ys_[-1], density)
    GX, GY = np.meshgrid(gx, gy)
    data = [
        _contour_trace(xs, ys, display_values(Z, floor, log_scale), None, hover=False),
        {"type": "scatter", "mode": "markers", "x": _f32(GX.ravel()), "y": _f32(GY.ravel()),
         "name": tr("paths.chart.click_here"), "showlegend": False,
         "marker": {"size": 7, "color": "#000000", "opacity": 0},
         "selected": {"marker": {"opacity": 0}}, "unselected": {"marker": {"opacity": 0}},
         "hovertemplate": tr("paths.chart.click_here") + " (%{x:.2f}, %{y:.2f})<extra></extra>"},
    ]
    for tr_ in _marks(minima, None, start, tr):
        tr_["hoverinfo"] = "skip"
        tr_.pop("hovertemplate", None)
        data.append(tr_)
    layout = _layout(None, "picker", **_domain_axes(xs, ys, tr, equal=False), showlegend=False,
                     hovermode="closest", dragmode=False, height=int(height),
                     margin={"l": 36, "r": 8, "t": 8, "b": 30}, clickmode="event+select")
    layout["xaxis"]["title"] = None
    layout["yaxis"]["title"] = None
    return {"data": data, "layout": layout}


# -- 5. loss against step ------------------------------------------------------------------------
def loss_figure(runs: Sequence[Run], *, tr: Translate, min_value: float | None = None,
                log_y: bool = True, uirevision: str = "loss", height: int | None = None) -> Figure:
    """``f - f*`` (when the minimum value is known) or ``f`` against step, one line per run.

    On a log axis values <= 0 are gaps (the gap to the minimum is 0 at the minimum itself).
    """
    gap = min_value is not None
    hover = "%{fullData.name}: %{y:.4g}<extra></extra>"
    data = []
    for run in runs:
        v = np.asarray(run.result.values, dtype=np.float64)
        y = v - min_value if gap else v
        if log_y:
            with np.errstate(all="ignore"):
                y = np.where(y > 0, y, np.nan)
        data.append({"type": "scatter", "mode": "lines", "x": np.arange(len(y), dtype=np.int32),
                     "y": _f32(y), "name": run.label, "legendgroup": run.key,
                     "line": {"color": run.color, "width": 2}, "hovertemplate": hover})
        if run.result.status != "ok" and len(y):
            data.append({"type": "scatter", "mode": "markers",
                         "x": np.array([len(y) - 1], dtype=np.int32), "y": _f32(y[-1:]),
                         "name": run.label, "legendgroup": run.key, "showlegend": False,
                         "marker": {"symbol": "x", "size": 10, "color": run.color},
                         "hovertemplate": hover})
    ytitle = tr("paths.chart.gap") if gap else tr("paths.chart.f")
    yaxis = _axis(ytitle, type="log", exponentformat="power") if log_y else _axis(ytitle)
    layout = _layout(tr("paths.chart.loss_title"), f"{uirevision}-{int(log_y)}",
                     xaxis=_axis(tr("paths.chart.step_or_iter"), rangemode="tozero"),
                     yaxis=yaxis, legend=_legend(top=True), hovermode="x unified")
    if not runs:
        layout["annotations"] = [_note(tr("paths.chart.no_runs"))]
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 6. the learning-rate sweep ------------------------------------------------------------------
def sweep_figure(curves: Sequence[SweepCurve], *, tr: Translate, min_value: float | None = None,
                 steps: int | None = None, uirevision: str = "sweep",
                 height: int | None = None) -> Figure:
    """Final loss (gap to the minimum when known) after ``steps`` steps against the learning
    rate, on log-log axes; diverged rates are gaps, marked with an ``x`` along the top.
    The best rate is a star, the rate in use a diamond."""
    gap = min_value is not None
    data: list[dict[str, Any]] = []
    hover = "%{fullData.name}<br>lr = %{x:.3g}<br>%{y:.4g}<extra></extra>"
    all_y: list[np.ndarray] = []
    for c in curves:
        lrs = np.asarray(c.lrs, dtype=np.float64)
        fin = np.asarray(c.finals, dtype=np.float64)
        y = fin - min_value if gap else fin
        with np.errstate(all="ignore"):
            y = np.where(np.isfinite(y), y, np.nan)
        if gap:
            y = np.where(y > 0, y, np.nan) if np.any(y > 0) else y
        all_y.append(y)
        data.append({"type": "scatter", "mode": "lines+markers", "x": _f32(lrs), "y": _f32(y),
                     "name": c.label, "legendgroup": c.label,
                     "line": {"color": c.color, "width": 2}, "marker": {"size": 4},
                     "hovertemplate": hover})
    finite = np.concatenate(all_y) if all_y else np.empty(0)
    finite = finite[np.isfinite(finite)]
    positive = finite[finite > 0]
    log_y = gap or (finite.size > 0 and finite.min() > 0)
    top = float(positive.max()) if positive.size else 1.0
    for c, y in zip(curves, all_y):
        lrs = np.asarray(c.lrs, dtype=np.float64)
        bad = ~np.isfinite(np.asarray(c.finals, dtype=np.float64))
        if bad.any():
            data.append({"type": "scatter", "mode": "markers", "x": _f32(lrs[bad]),
                         "y": _f32(np.full(int(bad.sum()), top if log_y else
                                           (finite.max() if finite.size else 1.0))),
                         "name": c.label, "legendgroup": c.label, "showlegend": False,
                         "marker": {"symbol": "x", "size": 7, "color": c.color, "opacity": 0.6},
                         "hovertemplate": "%{fullData.name}<br>lr = %{x:.3g}<br>" +
                         tr("paths.status.diverged") + "<extra></extra>"})
        for lr, symbol, name in ((c.best_lr, "star", "paths.chart.best_lr"),
                                 (c.current_lr, "diamond", "paths.chart.current_lr")):
            if lr is None:
                continue
            ok = np.isfinite(y)
            if not ok.any() or not (lrs[0] <= lr <= lrs[-1]):
                continue
            yy = float(np.interp(math.log(lr), np.log(lrs[ok]), y[ok]))
            data.append({"type": "scatter", "mode": "markers", "x": _f32([lr]), "y": _f32([yy]),
                         "name": tr(name), "legendgroup": c.label, "showlegend": False,
                         "marker": {"symbol": symbol, "size": 13 if symbol == "star" else 10,
                                    "color": c.color, "line": {"color": "#222222", "width": 1}},
                         "hovertemplate": "%{fullData.name}: lr = %{x:.3g}<br>%{y:.4g}"
                                          "<extra>" + c.label + "</extra>"})
    ytitle = tr("paths.chart.final_gap") if gap else tr("paths.chart.final_f")
    yaxis = _axis(ytitle, type="log", exponentformat="power") if log_y else _axis(ytitle)
    title = tr("paths.chart.sweep_title", steps=steps if steps is not None else "")
    layout = _layout(title, uirevision,
                     xaxis=_axis(tr("paths.chart.lr"), type="log", exponentformat="power"),
                     yaxis=yaxis, legend=_legend(), hovermode="closest")
    if not curves:
        layout["annotations"] = [_note(tr("paths.chart.no_sweep"))]
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 7. optimizer internals ----------------------------------------------------------------------
Window = tuple[tuple[float, float], tuple[float, float]]


def internals_window(center: Any, arrows: Sequence[Arrow], domain: Any,
                     focus: Any = None) -> Window:
    """A square window around ``center``: three times the ``focus`` vector (the actual step),
    or room for every arrow without one; at least 2 % and at most 75 % of the domain."""
    c = np.asarray(center, dtype=np.float64)
    (x0, x1), (y0, y1) = domain
    scale = max(x1 - x0, y1 - y0)
    if focus is not None and np.all(np.isfinite(np.asarray(focus, dtype=np.float64))):
        half = 3.0 * float(np.linalg.norm(focus))
    else:
        lengths = [float(np.linalg.norm(a.vector)) for a in arrows
                   if np.all(np.isfinite(np.asarray(a.vector, dtype=np.float64)))]
        half = 1.6 * max(lengths, default=0.0)
    half = min(max(half, 0.02 * scale), 0.75 * scale)
    return (float(c[0] - half), float(c[0] + half)), (float(c[1] - half), float(c[1] + half))


def fit_arrows(arrows: Sequence[Arrow], half: float) -> list[Arrow]:
    """Arrows longer than 90 % of the window's half-width, shortened to it; their label says
    by what factor (``×0.05``), so every arrow stays on screen and honest."""
    out = []
    for a in arrows:
        v = np.asarray(a.vector, dtype=np.float64)
        n = float(np.linalg.norm(v)) if np.all(np.isfinite(v)) else 0.0
        if n > 0.9 * half > 0:
            f = 0.9 * half / n
            out.append(a._replace(label=f"{a.label} (×{f:.2g})", vector=v * f))
        else:
            out.append(a)
    return out


def internals_figure(xs: Any, ys: Any, Z: Any, points: Any, k: int, arrows: Sequence[Arrow], *,
                     tr: Translate, color: str = "#0072B2", label: str = "",
                     log_scale: bool = False, floor: float | None = None,
                     uirevision: str = "internals", height: int | None = None) -> Figure:
    """A close-up contour around the point of step ``k`` with arrows from it (to scale).

    ``xs, ys, Z`` sample the window itself; ``points`` is the whole path (drawn as far as it
    shows). Arrows are annotations; a legend entry per arrow is an empty line trace.
    """
    if floor is None:
        floor = _finite_floor(Z)
    p = np.asarray(points, dtype=np.float64)
    k = int(min(max(k, 0), len(p) - 1))
    data: list[dict[str, Any]] = [_contour_trace(xs, ys, display_values(Z, floor, log_scale),
                                                 None)]
    data.append({"type": "scatter", "mode": "lines+markers", "x": _f32(p[:, 0]),
                 "y": _f32(p[:, 1]), "name": label or tr("paths.chart.path"),
                 "line": {"color": color, "width": 1.5}, "marker": {"color": color, "size": 5},
                 "opacity": 0.75,
                 "hovertemplate": tr("paths.chart.step") + " %{pointNumber}<extra></extra>"})
    data.append({"type": "scatter", "mode": "markers", "x": _f32(p[k:k + 1, 0]),
                 "y": _f32(p[k:k + 1, 1]), "name": tr("paths.chart.step_k", k=k),
                 "marker": {"color": color, "size": 13, "line": {"color": "#111111", "width": 2}},
                 "hoverinfo": "skip"})
    annotations = []
    x, y = p[k]
    xs_ = np.asarray(xs, dtype=np.float64)
    for a in fit_arrows(arrows, (xs_[-1] - xs_[0]) / 2):
        v = np.asarray(a.vector, dtype=np.float64)
        data.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                     "name": a.label, "line": {"color": a.color, "width": a.width},
                     "hoverinfo": "skip"})
        if not np.all(np.isfinite(v)) or not np.any(v):
            continue
        annotations.append({"x": float(x + v[0]), "y": float(y + v[1]), "ax": float(x),
                            "ay": float(y), "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                            "showarrow": True, "arrowhead": 2, "arrowsize": 1.0,
                            "arrowwidth": a.width, "arrowcolor": a.color, "text": ""})
    layout = _layout(tr("paths.chart.internals_title", k=k), uirevision,
                     **_domain_axes(xs, ys, tr, equal=True), legend=_legend(),
                     hovermode="closest", annotations=annotations)
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


def effective_lr_figure(eff: Any, *, tr: Translate, k: int | None = None,
                        uirevision: str = "effective-lr", height: int | None = None) -> Figure:
    """Per-coordinate effective step size ``lr / (√v̂ + ε)`` (``eff`` ``(n, 2)``, row t = the
    step that made point t; row 0 is unused) against step, on a log axis."""
    e = np.asarray(eff, dtype=np.float64).reshape(-1, 2)
    steps = np.arange(len(e), dtype=np.int32)
    with np.errstate(all="ignore"):
        e = np.where(e > 0, e, np.nan)
    hover = "%{fullData.name}: %{y:.3g}<extra></extra>"
    data = [{"type": "scatter", "mode": "lines", "x": steps[1:], "y": _f32(e[1:, i]),
             "name": tr("paths.chart.eff_coord", coord=c), "line": {"color": col, "width": 2},
             "hovertemplate": hover}
            for i, (c, col) in enumerate((("x", "#0072B2"), ("y", "#D55E00")))]
    layout = _layout(tr("paths.chart.eff_title"), uirevision,
                     xaxis=_axis(tr("paths.chart.step"), rangemode="tozero"),
                     yaxis=_axis(tr("paths.chart.eff_axis"), type="log", exponentformat="power"),
                     legend=_legend(top=True), hovermode="x unified")
    if k is not None:
        layout["shapes"] = [{"type": "line", "x0": int(k), "x1": int(k), "y0": 0, "y1": 1,
                             "yref": "paper", "line": {"color": "#888888", "dash": "dot"}}]
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 8. why momentum works -----------------------------------------------------------------------
def rate_map_figure(alphas: Any, betas: Any, rates: Any, boundary: Any, *, tr: Translate,
                    optimum: tuple[float, float] | None = None,
                    chosen: tuple[float, float] | None = None,
                    gd_optimum: float | None = None, uirevision: str = "rate-map",
                    height: int | None = None) -> Figure:
    """Momentum's convergence rate over (α, β) (``rates`` ``(len(betas), len(alphas))``) with
    the stability boundary ``α_max(β)`` (``boundary``, one per β); rates >= 1 are blank."""
    a = np.asarray(alphas, dtype=np.float64)
    b = np.asarray(betas, dtype=np.float64)
    r = np.asarray(rates, dtype=np.float64)
    with np.errstate(all="ignore"):
        shown = np.where(r < 1.0, r, np.nan)
    finite = shown[np.isfinite(shown)]
    # the colours span the rates that occur (from the best one to 1), not 0..1
    zmin = math.floor(float(finite.min()) * 100) / 100 if finite.size else 0.0
    rate = tr("paths.chart.rate")
    data: list[dict[str, Any]] = [
        {"type": "heatmap", "x": _f32(a), "y": _f32(b), "z": _f32(shown), "zmin": min(zmin, 0.99),
         "zmax": 1.0, "colorscale": RATE_SCALE, "name": rate,
         "colorbar": {"title": {"text": rate, "side": "right"}, "thickness": 12,
                      "outlinewidth": 0},
         "hovertemplate": "α = %{x:.3g}<br>β = %{y:.3g}<br>" + rate +
                          " = %{z:.4f}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": _f32(boundary), "y": _f32(b),
         "name": tr("paths.chart.boundary"), "line": {"color": "#D55E00", "width": 2.5,
                                                       "dash": "dash"},
         "hovertemplate": "α_max = %{x:.3g}<br>β = %{y:.3g}<extra></extra>"},
    ]
    marks = ((optimum, "star", 16, "paths.chart.optimum", MINIMUM_COLOR),
             (chosen, "circle", 11, "paths.chart.chosen", "#ffffff"),
             ((gd_optimum, 0.0) if gd_optimum is not None else None, "square", 10,
              "paths.chart.gd_optimum", "#009E73"))
    for point, symbol, size, key, col in marks:
        if point is None:
            continue
        data.append({"type": "scatter", "mode": "markers", "x": _f32([point[0]]),
                     "y": _f32([point[1]]), "name": tr(key),
                     "marker": {"symbol": symbol, "size": size, "color": col,
                                "line": {"color": "#111111", "width": 1.5}},
                     "hovertemplate": "%{fullData.name}<br>α = %{x:.4g}, β = %{y:.4g}"
                                      "<extra></extra>"})
    layout = _layout(tr("paths.chart.rate_map_title"), uirevision,
                     xaxis=_axis(tr("paths.chart.alpha_axis"), range=[float(a[0]), float(a[-1])],
                                 showgrid=False),
                     yaxis=_axis(tr("paths.chart.beta_axis"), range=[float(b[0]), float(b[-1])],
                                 showgrid=False),
                     legend=_legend(), hovermode="closest")
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


def convergence_figure(series: Sequence[Mapping[str, Any]], *, tr: Translate,
                       uirevision: str = "convergence", height: int | None = None) -> Figure:
    """Measured error ``‖θ_k − θ*‖`` per step (solid) against the predicted envelope
    ``C·ρ^k`` (dashed) for each entry ``{"label", "color", "errors", "rate", "anchor"}``
    (``anchor`` = the step where the envelope meets the measured curve)."""
    data: list[dict[str, Any]] = []
    for s in series:
        e = np.asarray(s["errors"], dtype=np.float64)
        k = np.arange(len(e), dtype=np.int32)
        with np.errstate(all="ignore"):
            y = np.where(e > 0, e, np.nan)
        data.append({"type": "scatter", "mode": "lines", "x": k, "y": _f32(y),
                     "name": s["label"], "legendgroup": s["label"],
                     "line": {"color": s["color"], "width": 2},
                     "hovertemplate": "%{fullData.name}: %{y:.3g}<extra></extra>"})
        rate = s.get("rate")
        if rate is not None and len(e) and 0 < rate < 1:
            j = int(min(max(s.get("anchor", 0), 0), len(e) - 1))
            with np.errstate(all="ignore"):
                env = e[j] * np.power(rate, (k - j).astype(np.float64))
            env = np.where(env > 1e-300, env, np.nan)
            data.append({"type": "scatter", "mode": "lines", "x": k, "y": _f32(env),
                         "name": tr("paths.chart.predicted", label=s["label"]),
                         "legendgroup": s["label"],
                         "line": {"color": s["color"], "width": 1.5, "dash": "dash"},
                         "hovertemplate": "%{fullData.name}: %{y:.3g}<extra></extra>"})
    layout = _layout(tr("paths.chart.convergence_title"), uirevision,
                     xaxis=_axis(tr("paths.chart.step"), rangemode="tozero"),
                     yaxis=_axis(tr("paths.chart.error"), type="log", exponentformat="power"),
                     legend=_legend(), hovermode="x unified")
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}
