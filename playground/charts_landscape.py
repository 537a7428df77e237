"""Pure chart builders for the Loss landscape page: engine numbers in, plain Plotly dicts out.

Same rules as ``playground.charts`` (whose look and helpers these share): every builder returns
``{"data": [trace dicts], "layout": {...}}`` that the live chart component sends to
``Plotly.react`` as is and ``plotly.graph_objects.Figure`` accepts; big arrays are float32
(int32 for steps); ``template="none"``; a constant ``uirevision`` per chart so zoom and the 3-D
camera survive updates; every visible word comes from ``tr`` (``locales/<lang>/landscape.json``).

- :func:`contour` and :func:`surface3d`: the loss over a plane ``θc + a·d1 + b·d2`` with the
  training trajectory projected onto it, its start and the current weights marked;
- :func:`interpolation`: the loss on the straight line from the initial to the trained weights;
- :func:`sharpness_chart`: training loss and sharpness over steps with the 2/η line (edge of
  stability, Cohen et al. 2021);
- :func:`axis_labels` names the plane's axes (explained variance for PCA, eigenvalues for the
  Hessian), :func:`heights` puts points on the computed surface (bilinear interpolation).

No streamlit here (a test enforces it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from playground.charts import PALETTE, _axis, _f32, _layout, _legend_top, _no_data

__all__ = [
    "DIRECTION_KINDS",
    "axis_labels",
    "contour",
    "heights",
    "interpolation",
    "sharpness_chart",
    "surface3d",
]

Translate = Callable[..., str]
Figure = dict[str, Any]

DIRECTION_KINDS = ("random", "pca", "hessian")
COLORSCALE = "Viridis"
PATH_COLOR = "#D55E00"  # Okabe-Ito vermillion: visible on every Viridis shade
CURRENT_COLOR = "#F0E442"  # Okabe-Ito yellow star with a black edge
CENTER_COLOR = "#ffffff"
LOSS_COLOR, SHARP_COLOR, THRESHOLD_COLOR = PALETTE[0], PALETTE[1], "#000000"


# -- helpers -----------------------------------------------------------------------------------
def _grid_arrays(surface: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a (R,), b (R,), loss (R_b, R_a)) of an ``engine.landscape.Surface`` (or look-alike)."""
    a = _f32(surface.a).reshape(-1)
    b = _f32(surface.b).reshape(-1)
    z = np.asarray(surface.loss, dtype=np.float64)
    if z.shape != (b.size, a.size):
        raise ValueError(f"loss must have shape (len(b), len(a)) = {(b.size, a.size)}, "
                         f"got {z.shape}")
    return a, b, z


_F32_MAX = float(np.finfo(np.float32).max)


def _finite32(values: Any) -> np.ndarray:
    """float32 for the browser: non-finite values become NaN (gaps), huge ones are clipped
    to the float32 range instead of overflowing (a diverged network's loss can be 1e300)."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(v), np.clip(v, -_F32_MAX, _F32_MAX), np.nan).astype(np.float32)


def _transform(z: np.ndarray, log: bool) -> np.ndarray:
    """Loss values as drawn: log10 (non-positive and non-finite values are gaps) or as is."""
    z = np.asarray(z, dtype=np.float64)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(z > 0, np.log10(np.where(z > 0, z, 1.0)), np.nan)
    return _finite32(z)


def _points(points: Any) -> np.ndarray | None:
    if points is None:
        return None
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return p if p.shape[0] else None


def axis_labels(kind: str, *, tr: Translate, ratio: Sequence[float] | None = None,
                eigenvalues: Sequence[float] | None = None) -> tuple[str, str]:
    """The names of the plane's two axes.

    random: filter-normalised random directions; pca: principal components with the share of
    the trajectory's variance each explains (``ratio``); hessian: top eigenvectors with their
    eigenvalues (``eigenvalues``), in units of ‖θ‖.
    """
    if kind not in DIRECTION_KINDS:
        raise ValueError(f"kind must be one of {DIRECTION_KINDS}, got {kind!r}")
    out = []
    for i in (0, 1):
        if kind == "pca":
            r = float(ratio[i]) if ratio is not None else float("nan")
            out.append(tr("chart.ls.axis.pca", i=i + 1, pct=f"{100.0 * r:.1f}"))
        elif kind == "hessian":
            w = float(eigenvalues[i]) if eigenvalues is not None else float("nan")
            out.append(tr("chart.ls.axis.hessian", i=i + 1, value=f"{w:.3g}"))
        else:
            out.append(tr("chart.ls.axis.random", i=i + 1))
    return out[0], out[1]


def heights(surface: Any, points: Any) -> np.ndarray:
    """The surface's loss at (a, b) points (T, 2) by bilinear interpolation; NaN outside.

    Puts the projected trajectory and the current point on the drawn 3-D surface without a
    pass over the data per frame (the surface is the loss *in the plane*, so a point's height
    is the loss at its projection, not at the snapshot itself).
    """
    a, b, z = _grid_arrays(surface)
    p = _points(points)
    if p is None:
        return np.zeros(0, dtype=np.float64)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    x, y = p[:, 0], p[:, 1]
    inside = (x >= a64[0]) & (x <= a64[-1]) & (y >= b64[0]) & (y <= b64[-1])
    if a64.size < 2 or b64.size < 2:
        return np.where(inside, z.reshape(-1)[0], np.nan)
    j = np.clip(np.searchsorted(a64, x, side="right") - 1, 0, a64.size - 2)
    i = np.clip(np.searchsorted(b64, y, side="right") - 1, 0, b64.size - 2)
    tx = (x - a64[j]) / (a64[j + 1] - a64[j])
    ty = (y - b64[i]) / (b64[i + 1] - b64[i])
    top = z[i, j] * (1 - tx) + z[i, j + 1] * tx
    bottom = z[i + 1, j] * (1 - tx) + z[i + 1, j + 1] * tx
    out = top * (1 - ty) + bottom * ty
    return np.where(inside, out, np.nan)


def _legend_under_title() -> dict[str, Any]:
    """A horizontal legend between the title and the plot (the colour bar owns the right)."""
    return {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0)", "font": {"size": 11}, "itemsizing": "constant"}


def _z_label(tr: Translate, log: bool) -> str:
    return tr("chart.ls.loss_log" if log else "chart.ls.loss")


# -- the plane -----------------------------------------------------------------------------------
def contour(surface: Any, *, tr: Translate, labels: tuple[str, str] | None = None,
            path: Any = None, steps: Any = None, current: Any = None, log: bool = False,
            show_center: bool = True, show_title: bool = True,
            uirevision: str = "ls-contour") -> Figure:
    """Filled contours of the loss over the plane, the projected trajectory on top.

    ``surface``: a, b (R,), loss (R, R) with ``loss[i, j]`` at (a[j], b[i]). ``path`` (T, 2)
    plane coordinates of the saved snapshots, oldest first, with their training ``steps`` (T,);
    ``current`` (2,) the projection of the current weights (a star). The centre (0, 0) is the
    point the landscape was computed around. ``log`` draws log10(loss).
    """
    a, b, loss = _grid_arrays(surface)
    xl, yl = labels or (tr("chart.ls.axis.a"), tr("chart.ls.axis.b"))
    zl = _z_label(tr, log)
    data: list[dict[str, Any]] = [{
        "type": "contour", "uid": "surface", "x": a, "y": b, "z": _transform(loss, log),
        "colorscale": COLORSCALE, "ncontours": 24, "name": zl,
        "contours": {"coloring": "heatmap", "showlines": True},
        "line": {"width": 0.5, "color": "rgba(255,255,255,0.35)"},
        "colorbar": {"title": {"text": zl, "side": "right"}, "thickness": 12, "len": 0.9},
        "hovertemplate": f"α = %{{x:.3g}}<br>β = %{{y:.3g}}<br>{zl} = %{{z:.4g}}<extra></extra>",
    }]
    data += _plane_markers(tr, path, steps, current, show_center, three_d=False)
    layout = _layout(
        tr("chart.ls.contour.title") if show_title else None, uirevision,
        xaxis=_axis(xl, showgrid=False), yaxis=_axis(yl, showgrid=False),
        legend=_legend_under_title(), hovermode="closest", showlegend=True,
    )
    layout["margin"]["t"] = 64 if show_title else 40
    return {"data": data, "layout": layout}


def surface3d(surface: Any, *, tr: Translate, labels: tuple[str, str] | None = None,
              path: Any = None, steps: Any = None, current: Any = None, log: bool = False,
              show_center: bool = True, show_title: bool = True,
              uirevision: str = "ls-surface") -> Figure:
    """The loss over the plane as a 3-D surface; the trajectory and markers lie on it.

    Heights of the path and markers come from :func:`heights` (points outside the computed
    square are left out of the 3-D view; the contour view shows them). Keep ``uirevision``
    constant and the user's camera survives updates.
    """
    a, b, loss = _grid_arrays(surface)
    xl, yl = labels or (tr("chart.ls.axis.a"), tr("chart.ls.axis.b"))
    zl = _z_label(tr, log)
    z = _transform(loss, log)
    data: list[dict[str, Any]] = [{
        "type": "surface", "uid": "surface", "x": a, "y": b, "z": z, "name": zl,
        "colorscale": COLORSCALE, "showscale": False, "opacity": 0.95,
        "contours": {"z": {"show": True, "usecolormap": True, "project": {"z": False},
                           "width": 1}},
        "hovertemplate": f"α = %{{x:.3g}}<br>β = %{{y:.3g}}<br>{zl} = %{{z:.4g}}<extra></extra>",
    }]
    finite = z[np.isfinite(z)]
    lift = 0.01 * (float(finite.max()) - float(finite.min())) if finite.size else 0.0

    def on_surface(points: Any) -> np.ndarray | None:
        p = _points(points)
        if p is None:
            return None
        h = heights(surface, p)
        return np.column_stack([p, _transform(h, log).astype(np.float64) + lift])

    p3 = on_surface(path)
    c3 = on_surface(current)
    centre3 = on_surface(np.zeros(2)) if show_center else None
    data += _plane_markers(tr, p3, steps, c3, show_center and centre3 is not None,
                           three_d=True, center_point=centre3)
    scene = {
        "xaxis": _axis3(xl), "yaxis": _axis3(yl), "zaxis": _axis3(zl),
        "camera": {"eye": {"x": 1.5, "y": -1.6, "z": 0.9}},
        "aspectmode": "manual", "aspectratio": {"x": 1.0, "y": 1.0, "z": 0.6},
    }
    layout = _layout(tr("chart.ls.surface.title") if show_title else None, uirevision,
                     scene=scene, legend=_legend_under_title(), showlegend=True)
    layout["margin"] = {"l": 0, "r": 0, "t": 64 if show_title else 40, "b": 0}
    return {"data": data, "layout": layout}


def _axis3(title: str) -> dict[str, Any]:
    return {"title": {"text": title}, "gridcolor": "#dddddd", "zeroline": False,
            "backgroundcolor": "white", "showbackground": True}


def _plane_markers(tr: Translate, path: Any, steps: Any, current: Any, show_center: bool, *,
                   three_d: bool, center_point: Any = None) -> list[dict[str, Any]]:
    """Trajectory (line + dots), its start, the centre and the current point."""
    kind = "scatter3d" if three_d else "scatter"
    dims = 3 if three_d else 2
    step_word = tr("chart.ls.step")
    out: list[dict[str, Any]] = []

    def xyz(p: np.ndarray) -> dict[str, Any]:
        d = {"x": _finite32(p[:, 0]), "y": _finite32(p[:, 1])}
        if three_d:
            d["z"] = _finite32(p[:, 2])
        return d

    p = None if path is None else np.asarray(path, dtype=np.float64).reshape(-1, dims)
    if p is not None and p.shape[0]:
        s = (np.arange(p.shape[0]) if steps is None else np.asarray(steps)).astype(np.int32)
        if s.shape[0] != p.shape[0]:
            raise ValueError(f"steps has {s.shape[0]} entries for {p.shape[0]} path points")
        name = tr("chart.ls.trajectory")
        out.append({
            "type": kind, "uid": "trajectory", "mode": "lines+markers", "name": name,
            **xyz(p), "customdata": s,
            "line": {"color": PATH_COLOR, "width": 4 if three_d else 2.5},
            "marker": {"color": PATH_COLOR, "size": 3 if three_d else 5},
            "hovertemplate": f"{name}<br>{step_word} %{{customdata}}<extra></extra>",
        })
        start = tr("chart.ls.start")
        out.append({
            "type": kind, "uid": "start", "mode": "markers", "name": start, **xyz(p[:1]),
            "showlegend": False,
            "marker": {"color": "white", "size": 7 if three_d else 10, "symbol": "circle",
                       "line": {"color": PATH_COLOR, "width": 2.5}},
            "hovertemplate": f"{start}<br>{step_word} {int(s[0])}<extra></extra>",
        })
    if show_center:
        cp = (np.zeros((1, 2)) if center_point is None
              else np.asarray(center_point, dtype=np.float64).reshape(1, dims))
        name = tr("chart.ls.center")
        out.append({
            "type": kind, "uid": "center", "mode": "markers", "name": name, **xyz(cp),
            "showlegend": False,
            "marker": {"color": CENTER_COLOR, "size": 5 if three_d else 11,
                       "symbol": "x" if three_d else "x-thin",
                       "line": {"color": "#222222" if three_d else CENTER_COLOR, "width": 2}},
            "hovertemplate": f"{name}<extra></extra>",
        })
    c = None if current is None else np.asarray(current, dtype=np.float64).reshape(-1, dims)
    if c is not None and c.shape[0]:
        name = tr("chart.ls.current")
        out.append({
            "type": kind, "uid": "current", "mode": "markers", "name": name, **xyz(c[-1:]),
            "marker": {"color": CURRENT_COLOR, "size": 7 if three_d else 16,
                       "symbol": "diamond" if three_d else "star",
                       "line": {"color": "#000000", "width": 1.5}},
            "hovertemplate": f"{name}<extra></extra>",
        })
    return out


# -- 1-D interpolation ---------------------------------------------------------------------------
def interpolation(alphas: Any, loss: Any, *, tr: Translate, log: bool = False,
                  show_title: bool = True, uirevision: str = "ls-line") -> Figure:
    """Loss along ``(1 − α)·θ_initial + α·θ_trained``; α = 0 and α = 1 are marked."""
    x = np.asarray(alphas, dtype=np.float64).reshape(-1)
    y = np.asarray(loss, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"alphas and loss must have the same length, got {x.size} and {y.size}")
    zl = _z_label(tr, log)
    yd = _transform(y, log)
    data: list[dict[str, Any]] = [{
        "type": "scatter", "uid": "line", "mode": "lines", "name": zl, "x": _f32(x), "y": yd,
        "line": {"color": LOSS_COLOR, "width": 2},
        "hovertemplate": f"α = %{{x:.3f}}<br>{zl} = %{{y:.4g}}<extra></extra>",
    }]
    if x.size >= 2:
        order = np.argsort(x)
        for uid, at, key, symbol, color in (("initial", 0.0, "chart.ls.initial", "circle",
                                             "white"),
                                            ("trained", 1.0, "chart.ls.trained", "star",
                                             CURRENT_COLOR)):
            if x.min() <= at <= x.max():
                value = float(np.interp(at, x[order], yd.astype(np.float64)[order]))
                name = tr(key)
                data.append({
                    "type": "scatter", "uid": uid, "mode": "markers", "name": name,
                    "x": [at], "y": [value],
                    "marker": {"color": color, "size": 12 if symbol == "star" else 9,
                               "symbol": symbol, "line": {"color": "#000000", "width": 1.5}},
                    "hovertemplate": f"{name}<br>{zl} = %{{y:.4g}}<extra></extra>",
                })
    layout = _layout(tr("chart.ls.line.title") if show_title else None, uirevision,
                     xaxis=_axis(tr("chart.ls.line.alpha")), yaxis=_axis(zl),
                     legend=_legend_top(), hovermode="closest")
    if not x.size:
        layout["annotations"] = [_no_data(tr)]
    return {"data": data, "layout": layout}


# -- sharpness / edge of stability ---------------------------------------------------------------
def sharpness_chart(steps: Any, values: Any, *, tr: Translate, threshold: float | None = None,
                    threshold_label: str | None = None, loss_steps: Any = None,
                    loss_values: Any = None, show_title: bool = True,
                    uirevision: str = "ls-sharpness") -> Figure:
    """Training loss (top) and sharpness λ_max (bottom) over steps, sharing the step axis.

    ``threshold`` draws the dotted stability line (2/η for GD, (2+2β)/η with momentum) across
    the recorded steps, named ``threshold_label`` (default "2/η = …"); None draws no line
    (adaptive optimizers have no such line on the plain Hessian).
    """
    s = np.asarray(steps if steps is not None else [], dtype=np.int32).reshape(-1)
    v = _finite32([np.nan if x is None else x for x in (values if values is not None else [])]
                  ).reshape(-1)
    if s.shape != v.shape:
        raise ValueError(f"steps and values must have the same length, got {s.size}, {v.size}")
    step_word = tr("chart.ls.step")
    sharp = tr("chart.ls.sharpness")
    data: list[dict[str, Any]] = []
    if loss_steps is not None and loss_values is not None:
        ls_ = np.asarray(loss_steps, dtype=np.int32).reshape(-1)
        lv = _finite32([np.nan if x is None else x for x in loss_values]).reshape(-1)
        data.append({
            "type": "scatter", "uid": "loss", "mode": "lines", "name": tr("chart.ls.train_loss"),
            "x": ls_, "y": lv, "xaxis": "x", "yaxis": "y",
            "line": {"color": LOSS_COLOR, "width": 2},
            "hovertemplate": "%{y:.4g}<extra>%{fullData.name}</extra>",
        })
    data.append({
        "type": "scatter", "uid": "sharpness", "mode": "lines+markers", "name": sharp,
        "x": s, "y": v, "xaxis": "x", "yaxis": "y2",
        "line": {"color": SHARP_COLOR, "width": 2}, "marker": {"size": 4},
        "hovertemplate": "%{y:.4g}<extra>%{fullData.name}</extra>",
    })
    if threshold is not None and np.isfinite(threshold):
        lo = int(s.min()) if s.size else 0
        hi = int(s.max()) if s.size else 1
        if hi <= lo:
            hi = lo + 1
        label = threshold_label or tr("chart.ls.threshold", value=f"{threshold:.4g}")
        data.append({
            "type": "scatter", "uid": "threshold", "mode": "lines", "name": label,
            "x": [lo, hi], "y": [float(threshold)] * 2, "xaxis": "x", "yaxis": "y2",
            "line": {"color": THRESHOLD_COLOR, "width": 1.5, "dash": "dot"},
            "hovertemplate": f"{label}<extra></extra>",
        })
    two = data[0]["uid"] == "loss"
    layout = _layout(
        tr("chart.ls.sharpness.title") if show_title else None, uirevision,
        xaxis=_axis(step_word, rangemode="tozero", anchor="y2"),
        yaxis2=_axis(sharp, domain=[0.0, 0.56] if two else [0.0, 1.0], rangemode="tozero"),
        legend=_legend_top(), hovermode="x unified",
    )
    if two:
        layout["yaxis"] = _axis(tr("chart.ls.train_loss"), domain=[0.64, 1.0],
                                rangemode="tozero")
    else:
        layout["yaxis"] = {"visible": False, "domain": [0.99, 1.0]}
    if not s.size:
        note = _no_data(tr)
        note["text"] = tr("chart.ls.sharpness.none")
        note["y"] = 0.28 if two else 0.5
        layout["annotations"] = [note]
    return {"data": data, "layout": layout}
