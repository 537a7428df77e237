"""Pure chart builders for the Network page: engine data in, plain Plotly figure dicts out.

Every builder returns ``{"data": [trace dicts], "layout": {...}}`` that ``Plotly.react`` (the
live chart component) takes as is and ``plotly.graph_objects.Figure`` accepts. They are cheap
enough to call on every frame (a few milliseconds; no per-point Python loops):

- big numeric fields are float32 (int32 for steps) NumPy arrays, which the live component sends
  as base64 typed arrays;
- ``layout.template`` is ``"none"`` and colours are explicit, so the look is the same through
  ``Plotly.react`` (which drops the template) and ``st.plotly_chart``;
- ``layout.uirevision`` is a constant per chart (override with ``uirevision=``), so the user's
  zoom survives updates; change it to reset the view (e.g. when the data set changes);
- every visible word comes from ``tr(key, **fmt)`` (catalog ``locales/<lang>/charts.json``).

Colours: classes, weights and neuron outputs use TF Playground's orange (#f59322, negative /
class 0) to blue (#0877bd, positive / class 1) diverging scale through light grey, which stays
distinguishable for the common colour-vision deficiencies; line charts use the Okabe-Ito
palette.

No streamlit here (a test enforces it): pages call these and hand the dicts to ``live_chart``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from playground.raster import image_trace

if TYPE_CHECKING:  # only for type hints; keeps import time and coupling low
    from engine.train import HistogramBins, Series, TrainerHistory

__all__ = [
    "accuracy_curves",
    "decision_boundary",
    "grad_norms",
    "histogram_bars",
    "histogram_over_time",
    "histograms_over_time",
    "loss_curves",
    "network_diagram",
    "readout",
    "tile_resolution",
]

Translate = Callable[..., str]
Figure = dict[str, Any]

# -- look ------------------------------------------------------------------------------------
ORANGE = "#f59322"  # negative / class 0 (TF Playground)
BLUE = "#0877bd"  # positive / class 1 (TF Playground)
NEUTRAL = "#e8eaeb"  # zero / p = 0.5
DIVERGING: list[list[Any]] = [[0.0, ORANGE], [0.5, NEUTRAL], [1.0, BLUE]]
TWO_CLASSES: list[list[Any]] = [[0.0, ORANGE], [0.5, ORANGE], [0.5, BLUE], [1.0, BLUE]]
POINT_CLASSES: list[list[Any]] = [[0.0, ORANGE], [1.0, BLUE]]
# Sequential scale for histogram counts (light -> dark blue); empty bins are white (blank).
SEQUENTIAL: list[list[Any]] = [[0.0, "#c6dbef"], [0.5, "#4a98c9"], [1.0, "#08306b"]]
# Okabe-Ito: colour-blind-safe categorical palette (black last).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000")
TRAIN_COLOR, TEST_COLOR, BATCH_COLOR = "#0072B2", "#D55E00", "#9aa0a6"
GRID_COLOR = "#e5e5e5"
TEXT_COLOR = "#333333"
FONT = {"size": 12, "color": TEXT_COLOR}
MARGIN = {"l": 56, "r": 12, "t": 36, "b": 44}

# Network diagram: link width buckets (|w| / w_max in equal fifths) x 2 signs = 10 line traces.
LINK_WIDTHS = (0.5, 1.1, 1.9, 2.9, 4.2)
LINK_OPACITY = (0.35, 0.5, 0.65, 0.8, 0.9)
MAX_LINKS = 1500


# -- small helpers -----------------------------------------------------------------------------
def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _steps(series: Series) -> np.ndarray:
    return np.asarray(series.steps, dtype=np.int32)


def _values(series: Series) -> np.ndarray:
    """A scalar Series' values as float32 (None -> NaN, a gap)."""
    vals = series.values
    try:
        return np.asarray(vals, dtype=np.float32)
    except (TypeError, ValueError):
        return np.asarray([np.nan if v is None else v for v in vals], dtype=np.float32)


def _title(text: str | None) -> dict[str, Any]:
    return {"text": text or "", "x": 0.01, "xanchor": "left", "font": {"size": 14}}


def _axis(title: str | None = None, **kw: Any) -> dict[str, Any]:
    # Fixed margins, labels allowed past the axis: plotly's automargin and its default tick
    # label overflow check measure every label's box on every redraw (~13 % of the live
    # page's main-thread time in a Chromium CPU profile).
    ax: dict[str, Any] = {"gridcolor": GRID_COLOR, "zeroline": False, "linecolor": "#bbbbbb",
                          "automargin": False, "ticklabeloverflow": "allow"}
    if title:
        ax["title"] = {"text": title, "standoff": 6}
    ax.update(kw)
    return ax


def _layout(title: str | None, uirevision: str, **kw: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {
        "template": "none",
        "uirevision": uirevision,
        "font": dict(FONT),
        "margin": dict(MARGIN),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"size": 12}},
    }
    if title:
        lay["title"] = _title(title)
    else:
        lay["margin"]["t"] = 12
    lay.update(kw)
    return lay


def _legend_top() -> dict[str, Any]:
    return {"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0)", "font": {"size": 11}}


def _no_data(tr: Translate) -> dict[str, Any]:
    return {"text": tr("chart.no_data"), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
            "showarrow": False, "font": {"size": 13, "color": "#888888"}}


def _line(x: np.ndarray, y: np.ndarray, name: str, color: str, width: float = 2.0,
          hover: str = "", **kw: Any) -> dict[str, Any]:
    tr_: dict[str, Any] = {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": name,
                           "line": {"color": color, "width": width}}
    if hover:
        tr_["hovertemplate"] = hover
    tr_.update(kw)
    return tr_


# -- 1. decision boundary --------------------------------------------------------------------
def _class_labels(y: Any) -> np.ndarray:
    """Labels (n,) as float32 0/1 from (n,), (n, 1) or one-hot (n, k)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1).astype(np.float32)
    return (y.reshape(-1) >= 0.5).astype(np.float32)


def decision_boundary(xs: Any, ys: Any, Z: Any, X_train: Any, y_train: Any,
                      X_test: Any = None, y_test: Any = None, *,
                      task: str = "classification", discretize: bool = False, tr: Translate,
                      show_title: bool = True, uirevision: str = "boundary") -> Figure:
    """The model output over the input plane with the data on top.

    xs (nx,), ys (ny,): grid axes; Z (ny, nx): output at (xs[col], ys[row]) — for
    classification the probability of class 1 (colour fixed on 0..1, centred at 0.5), for
    regression the prediction (colour symmetric around 0). ``discretize`` paints two flat
    colours by p >= 0.5 (regression: by sign). X_* (n, 2), y_* (n,) or (n, 1): train points
    are filled with a white edge, test points (when given) have a dark outline.
    """
    xs, ys = _f32(xs).reshape(-1), _f32(ys).reshape(-1)
    Z = _f32(Z)
    if Z.shape != (ys.size, xs.size):
        raise ValueError(f"Z must have shape (len(ys), len(xs)) = {(ys.size, xs.size)}, "
                         f"got {Z.shape}")
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    classification = task == "classification"
    x1, x2 = tr("chart.boundary.x1"), tr("chart.boundary.x2")
    y_tr = np.asarray(y_train, dtype=np.float32)
    if classification:
        lo, hi = 0.0, 1.0
        z = (Z >= 0.5).astype(np.float32) if discretize else Z
        z_label = tr("chart.boundary.prob")
        labels_tr = _class_labels(y_train)
        point_scale, p_lo, p_hi = POINT_CLASSES, 0.0, 1.0
        point_label = tr("chart.boundary.label")
    else:
        finite = Z[np.isfinite(Z)]
        hi = float(max(np.abs(finite).max(initial=0.0), np.abs(y_tr).max(initial=0.0)))
        hi = hi if hi > 1e-12 and math.isfinite(hi) else 1.0
        lo = -hi
        z = np.where(Z >= 0, hi, lo).astype(np.float32) if discretize else Z
        z_label = tr("chart.boundary.prediction")
        labels_tr = y_tr.reshape(-1)
        point_scale, p_lo, p_hi = DIVERGING, lo, hi
        point_label = tr("chart.boundary.target")
    dx = float(xs[1] - xs[0]) if xs.size > 1 else 1.0
    dy = float(ys[1] - ys[0]) if ys.size > 1 else 1.0
    # a PNG image, not a heatmap: the browser's cheapest way to paint a field (see raster.py)
    heat = image_trace(z, x0=float(xs[0]), dx=dx, y0=float(ys[0]), dy=dy, zmin=lo, zmax=hi,
                       colorscale=TWO_CLASSES if discretize else DIVERGING, opacity=0.8,
                       name=z_label, meta={"zmin": lo, "zmax": hi})

    def points(X: Any, labels: np.ndarray, name: str, edge: str, width: float) -> dict[str, Any]:
        X = _f32(X).reshape(-1, 2)
        return {
            "type": "scatter", "mode": "markers", "name": name,
            "x": X[:, 0], "y": X[:, 1], "customdata": labels,
            "marker": {"color": labels, "colorscale": point_scale, "cmin": p_lo, "cmax": p_hi,
                       "size": 7, "line": {"color": edge, "width": width}},
            "hovertemplate": f"{name}<br>{x1} = %{{x:.2f}}, {x2} = %{{y:.2f}}<br>"
                             f"{point_label} = %{{customdata:.3~g}}<extra></extra>",
        }

    data = [heat, points(X_train, labels_tr, tr("chart.boundary.train"), "white", 1.0)]
    if X_test is not None and y_test is not None and len(X_test):
        labels_te = (_class_labels(y_test) if classification
                     else np.asarray(y_test, dtype=np.float32).reshape(-1))
        data.append(points(X_test, labels_te, tr("chart.boundary.test"), "#222222", 1.5))
    title = tr("chart.boundary.title" if classification else "chart.boundary.title_regression")
    layout = _layout(
        title if show_title else None, uirevision,
        xaxis=_axis(x1, range=[float(xs[0]) - dx / 2, float(xs[-1]) + dx / 2],
                    showgrid=False, constrain="domain"),
        yaxis=_axis(x2, range=[float(ys[0]) - dy / 2, float(ys[-1]) + dy / 2],
                    showgrid=False, scaleanchor="x", scaleratio=1, constrain="domain"),
        showlegend=len(data) > 2, legend=_legend_top(), hovermode="closest",
    )
    return {"data": data, "layout": layout}


# -- 2. network diagram --------------------------------------------------------------------------
def tile_resolution(max_units: int, tile: int = 16) -> int:
    """Pixels per side of each neuron tile for a network whose widest layer has ``max_units``.

    ``tile`` up to 8 units, ``tile // 2`` up to 16, ``tile // 4`` (at least 4) up to 32, and 0
    above 32 units: then neurons are plain coloured nodes (no tiles). Always even.
    """
    if max_units <= 8:
        t = tile
    elif max_units <= 16:
        t = tile // 2
    elif max_units <= 32:
        t = max(tile // 4, 4)
    else:
        return 0
    return max(2, t - t % 2)


def _normalize_maps(maps: np.ndarray, mode: str) -> np.ndarray:
    """(n, r, r) -> values in [-1, 1]; see network_diagram for the modes."""
    a = np.nan_to_num(maps, nan=0.0, posinf=0.0, neginf=0.0)
    amax = np.abs(a).reshape(a.shape[0], -1).max(axis=1, initial=0.0)
    if mode == "shrink":
        scale = np.maximum(amax, 1.0)
    elif mode == "neuron":
        scale = np.where(amax > 1e-12, amax, 1.0)
    elif mode == "layer":
        top = float(amax.max(initial=0.0))
        scale = np.full_like(amax, top if top > 1e-12 else 1.0)
    else:
        raise ValueError(f"normalize must be 'shrink', 'neuron' or 'layer', got {mode!r}")
    return np.clip(a / scale[:, None, None], -1.0, 1.0, dtype=np.float32)


def _names(tr: Translate, key: str, **fmt_keys: str) -> str:
    """A catalog template with its placeholders kept, for fast str.format in comprehensions."""
    return tr(key, **{k: "{" + k + "}" for k in fmt_keys})


def network_diagram(layer_sizes: Sequence[int], neuron_maps: Sequence[Any] | None,
                    weights: Sequence[Any], *, input_names: Sequence[str], tr: Translate,
                    tile: int = 16, normalize: str = "shrink", max_links: int = MAX_LINKS,
                    w_max: float | None = None, show_title: bool = False,
                    height: int | None = None, uirevision: str = "network") -> Figure:
    """The TF-Playground network picture: neuron heat maps in columns joined by weighted links.

    layer_sizes: units per column, inputs first, e.g. [4, 8, 8, 1].
    neuron_maps: per column an array (units, r, r): each neuron's output over the input plane,
        rows with ascending x2 (same orientation as Z in decision_boundary); or None (plain
        nodes). Normalisation (``normalize``): "shrink" (default) divides a neuron's map by
        max(1, max|map|), so bounded outputs (tanh, sigmoid, sin) keep their true amplitude
        (weak or saturated neurons show as such) and unbounded ones (x1, relu, linear) are
        fitted into [-1, 1]; "neuron" always stretches each map to full range; "layer" divides
        by the column's largest |value|. Colour: -1 orange, 0 grey, +1 blue (pass 2p - 1 for a
        sigmoid output to match the decision boundary).
    weights: per gap the kernel W (fan_in, units) between consecutive columns.

    Drawn as: one PNG ``image`` trace per column (its tiles, transparent between), 10 link traces
    (5 width buckets of |w| / w_max x 2 signs; w_max defaults to the largest |w| shown), one
    invisible marker trace at link midpoints (hover "w = ... (from -> to)") and one marker
    trace at neuron centres (hover: the neuron's name and mean output). Size rule: see
    ``tile_resolution`` (tiles shrink at 16 and 32 units per layer; above 32 units neurons are
    plain nodes coloured by the mean of their normalised map, each column spread evenly over
    the height). At most ``max_links`` links are drawn, split evenly between gaps, keeping the
    largest |w| of each gap. Input names label the input column (y-axis ticks); column headers
    are x-axis ticks on top.
    """
    sizes = [int(n) for n in layer_sizes]
    n_cols = len(sizes)
    if n_cols < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs at least 2 columns of >= 1 unit, got {sizes}")
    if len(weights) != n_cols - 1:
        raise ValueError(f"need {n_cols - 1} weight matrices for {n_cols} columns, "
                         f"got {len(weights)}")
    Ws = [np.asarray(W, dtype=np.float32) for W in weights]
    for j, W in enumerate(Ws):
        if W.shape != (sizes[j], sizes[j + 1]):
            raise ValueError(f"weights[{j}] must have shape {(sizes[j], sizes[j + 1])}, "
                             f"got {W.shape}")
    if len(input_names) != sizes[0]:
        raise ValueError(f"need {sizes[0]} input_names, got {len(input_names)}")
    if neuron_maps is not None:
        if len(neuron_maps) != n_cols:
            raise ValueError(f"need {n_cols} neuron_maps (inputs too), got {len(neuron_maps)}")
        maps = [np.asarray(M, dtype=np.float32) for M in neuron_maps]
        for j, M in enumerate(maps):
            if M.ndim != 3 or M.shape[0] != sizes[j]:
                raise ValueError(f"neuron_maps[{j}] must have shape ({sizes[j]}, r, r), "
                                 f"got {M.shape}")
        norm = [_normalize_maps(M, normalize) for M in maps]
        means = np.concatenate([M.reshape(M.shape[0], -1).mean(axis=1) for M in maps])
        node_color = np.concatenate([M.reshape(M.shape[0], -1).mean(axis=1) for M in norm])
    else:
        norm = None
        means = np.full(sum(sizes), np.nan, dtype=np.float32)
        node_color = np.zeros(sum(sizes), dtype=np.float32)

    m = max(sizes)
    t = tile_resolution(m, tile) if norm is not None else 0
    rows_per_slot = t + max(2, t // 4) if t else 1
    rows_per_slot += rows_per_slot % 2  # even, so half-slot offsets land on whole rows
    side = t / rows_per_slot if t else 0.0  # tile side in slot units (1 slot = unit spacing)
    # Column spacing: aim at a ~1.6:1 picture, within sane bounds.
    gap = float(np.clip(1.6 * m / (n_cols - 1), 2.5, 12.0))
    xc = np.arange(n_cols, dtype=np.float64) * gap
    if t:  # tiles share one row grid: unit spacing, each column centred
        ycols = [(n - 1) / 2.0 - np.arange(n, dtype=np.float64) for n in sizes]
    else:  # plain nodes: spread each column evenly over the full height (readable labels)
        ycols = [(m / n) * ((n - 1) / 2.0 - np.arange(n, dtype=np.float64)) for n in sizes]

    # -- tiles: one PNG image per column, its tiles on one pixel grid with transparent rows
    # between them (images, not heatmaps: see playground/raster.py). z rows ascend in x2.
    tiles_drawn: list[dict[str, Any]] = []
    if t:
        cell = side / t
        k = np.arange(t)
        for j in range(n_cols):
            M = norm[j]
            r = M.shape[1]
            idx = ((k + 0.5) * r / t).astype(np.intp)  # nearest resample r -> t
            tiles = M[:, idx][:, :, idx] if r != t else M  # (units, t, t)
            r_lo = np.rint((ycols[j] + m / 2) * rows_per_slot - t / 2).astype(np.intp)
            base = int(r_lo.min())
            zc = np.full((int(r_lo.max()) + t - base, t), np.nan, dtype=np.float32)
            zc[(r_lo - base)[:, None] + k[None, :]] = tiles
            tiles_drawn.append(image_trace(
                zc, x0=float(xc[j] - side / 2 + cell / 2), dx=cell,
                y0=-m / 2 + (base + 0.5) / rows_per_slot, dy=1.0 / rows_per_slot,
                zmin=-1.0, zmax=1.0, colorscale=DIVERGING, meta={"column": j}))

    # -- names (templates formatted in comprehensions: no tr() call per neuron)
    hid_long = _names(tr, "chart.net.hidden_neuron", layer="", unit="")
    hid_short = _names(tr, "chart.net.hidden_short", layer="", unit="")
    n_out = sizes[-1]
    if n_out == 1:
        out_long = [tr("chart.net.output_neuron_one")]
        out_short = [tr("chart.net.output_short_one")]
    else:
        ol = _names(tr, "chart.net.output_neuron", unit="")
        os_ = _names(tr, "chart.net.output_short", unit="")
        out_long = [ol.format(unit=u + 1) for u in range(n_out)]
        out_short = [os_.format(unit=u + 1) for u in range(n_out)]
    in_long = _names(tr, "chart.net.input_neuron", name="")
    long_names = [[in_long.format(name=s) for s in input_names]]
    short_names = [list(map(str, input_names))]
    for j in range(1, n_cols - 1):
        long_names.append([hid_long.format(layer=j, unit=u + 1) for u in range(sizes[j])])
        short_names.append([hid_short.format(layer=j, unit=u + 1) for u in range(sizes[j])])
    long_names.append(out_long)
    short_names.append(out_short)

    # -- links: keep the strongest per gap, bucket by |w| and sign
    half = side / 2 if t else 0.0
    per_gap = max(1, int(max_links) // (n_cols - 1))
    parts: dict[str, list[np.ndarray]] = {k_: [] for k_ in ("x0", "y0", "x1", "y1", "w", "txt")}
    for j, W in enumerate(Ws):
        n_in, n_o = W.shape
        w = W.reshape(-1)
        src = np.repeat(np.arange(n_in), n_o)
        dst = np.tile(np.arange(n_o), n_in)
        if w.size > per_gap:
            keep = np.argpartition(-np.abs(np.nan_to_num(w)), per_gap - 1)[:per_gap]
            w, src, dst = w[keep], src[keep], dst[keep]
        parts["x0"].append(np.full(w.size, xc[j] + half))
        parts["x1"].append(np.full(w.size, xc[j + 1] - half))
        parts["y0"].append(ycols[j][src])
        parts["y1"].append(ycols[j + 1][dst])
        parts["w"].append(w)
        a = np.asarray(short_names[j])[src]
        b = np.asarray(short_names[j + 1])[dst]
        parts["txt"].append(np.strings.add(np.strings.add(a, " → "), b))
    x0, y0, x1, y1, w = (np.concatenate(parts[k_]) for k_ in ("x0", "y0", "x1", "y1", "w"))
    text = np.concatenate(parts["txt"]) if parts["txt"] else np.array([], dtype=str)
    aw = np.abs(np.nan_to_num(w))
    ref = float(w_max) if w_max else float(aw.max(initial=0.0))
    ref = ref if ref > 1e-12 else 1.0
    nb = len(LINK_WIDTHS)
    bucket = np.minimum((aw / ref * nb).astype(np.intp), nb - 1)
    positive = w >= 0
    thin = min(1.0, math.sqrt(8.0 / m))  # dense nets: thinner lines
    data: list[dict[str, Any]] = list(tiles_drawn)
    seg = np.stack([x0, x1, np.full_like(x0, np.nan)], axis=1)
    segy = np.stack([y0, y1, np.full_like(y0, np.nan)], axis=1)
    for b in range(nb):  # thin first, so thick links are drawn on top
        for sign, color in ((-1, ORANGE), (1, BLUE)):
            mask = (bucket == b) & (positive if sign > 0 else ~positive)
            data.append({
                "type": "scatter", "mode": "lines", "x": _f32(seg[mask].reshape(-1)),
                "y": _f32(segy[mask].reshape(-1)), "hoverinfo": "skip", "showlegend": False,
                "line": {"color": color, "width": round(LINK_WIDTHS[b] * thin, 2)},
                "opacity": LINK_OPACITY[b], "meta": {"sign": sign, "bucket": b},
            })
    link_hover = tr("chart.net.link_hover", w="%{customdata:.3f}", link="%{text}")
    data.append({
        "type": "scatter", "mode": "markers", "x": _f32((x0 + x1) / 2), "y": _f32((y0 + y1) / 2),
        "customdata": _f32(w), "text": text.tolist(), "showlegend": False,
        "marker": {"size": 8, "opacity": 0, "color": "#000000"},
        "hovertemplate": link_hover + "<extra></extra>",
    })
    # -- neurons: hover targets over tiles, or the visible nodes when there are no tiles
    nx = np.repeat(xc, sizes)
    ny = np.concatenate(ycols)
    node_marker: dict[str, Any] = {
        "color": _f32(node_color), "colorscale": DIVERGING, "cmin": -1.0, "cmax": 1.0,
        "line": {"color": "#888888", "width": 0.5},
    }
    if t:
        node_marker.update(size=18, opacity=0, symbol="square")
    else:
        node_marker.update(size=float(np.clip(360.0 / m, 5.0, 16.0)), opacity=1.0)
    node_hover = "%{text}"
    if norm is not None:
        node_hover += f"<br>{tr('chart.net.mean_output')} = %{{customdata:.3f}}"
    data.append({
        "type": "scatter", "mode": "markers", "x": _f32(nx), "y": _f32(ny),
        "text": [s for col in long_names for s in col], "customdata": _f32(means),
        "marker": node_marker, "showlegend": False,
        "hovertemplate": node_hover + "<extra></extra>",
    })

    def header(j: int) -> str:
        if j == 0:
            head = tr("chart.net.input")
        elif j == n_cols - 1:
            head = tr("chart.net.output")
        else:
            head = tr("chart.net.hidden", layer=j)
        n = sizes[j]
        count = tr("chart.net.one_unit") if n == 1 else tr("chart.net.units", n=n)
        return f"{head}<br>{count}"

    pad = max(side / 2, 0.3) + 0.1 * gap
    layout = _layout(
        tr("chart.net.title") if show_title else None, uirevision,
        xaxis={"range": [float(xc[0] - pad), float(xc[-1] + pad)],
               "tickvals": xc.tolist(), "ticktext": [header(j) for j in range(n_cols)],
               "side": "top", "showgrid": False, "zeroline": False, "showline": False,
               "ticks": "", "constrain": "domain", "tickfont": {"size": 11},
               "automargin": False, "ticklabeloverflow": "allow"},
        yaxis={"range": [-m / 2 - 0.3, m / 2 + 0.3], "tickvals": ycols[0].tolist(),
               "ticktext": [str(s) for s in input_names], "showgrid": False, "zeroline": False,
               "showline": False, "ticks": "", "scaleanchor": "x", "scaleratio": 1,
               "constrain": "domain", "automargin": False, "ticklabeloverflow": "allow",
               "tickfont": {"size": 11 if m <= 16 or not t else 9}},
        showlegend=False, hovermode="closest",
    )
    # Side margins hold half a column header each (else plotly hides it past the div edge).
    layout["margin"] = {"l": 56, "r": 36, "t": 44 if not show_title else 64, "b": 8}
    if height:
        layout["height"] = int(height)
    return {"data": data, "layout": layout}


# -- 3./4. curves ------------------------------------------------------------------------------
def loss_curves(history: TrainerHistory, *, tr: Translate, log_y: bool = False,
                show_batch: bool = True, uirevision: str = "loss") -> Figure:
    """Train and test loss vs step, with the (noisy) mini-batch loss faint behind them.

    The test curve appears only when the history has test points. On a log axis values <= 0
    are gaps.
    """
    step = tr("chart.step")
    hover = "%{y:.4g}<extra>%{fullData.name}</extra>"

    def ys(s: Series) -> np.ndarray:
        v = _values(s)
        return np.where(v > 0, v, np.nan).astype(np.float32) if log_y else v

    data = []
    if show_batch:
        data.append(_line(_steps(history.batch_loss), ys(history.batch_loss),
                          tr("chart.loss.batch"), BATCH_COLOR, 1.0, hover, opacity=0.6))
    data.append(_line(_steps(history.train_loss), ys(history.train_loss),
                      tr("chart.loss.train"), TRAIN_COLOR, 2.0, hover))
    if len(history.test_loss):
        data.append(_line(_steps(history.test_loss), ys(history.test_loss),
                          tr("chart.loss.test"), TEST_COLOR, 2.0, hover))
    if log_y:
        yaxis = _axis(tr("chart.loss.axis_log"), type="log", exponentformat="power")
    else:
        yaxis = _axis(tr("chart.loss.axis"), rangemode="tozero")
    layout = _layout(tr("chart.loss.title"), f"{uirevision}-{'log' if log_y else 'linear'}",
                     xaxis=_axis(step, rangemode="tozero"), yaxis=yaxis,
                     legend=_legend_top(), hovermode="x unified")
    if not len(history.train_loss):
        layout["annotations"] = [_no_data(tr)]
    return {"data": data, "layout": layout}


def accuracy_curves(history: TrainerHistory, *, tr: Translate,
                    uirevision: str = "accuracy") -> Figure:
    """Train and test accuracy vs step on a fixed 0..1 axis (test only when recorded)."""
    hover = "%{y:.1%}<extra>%{fullData.name}</extra>"
    data = [_line(_steps(history.train_accuracy), _values(history.train_accuracy),
                  tr("chart.acc.train"), TRAIN_COLOR, 2.0, hover)]
    if len(history.test_accuracy):
        data.append(_line(_steps(history.test_accuracy), _values(history.test_accuracy),
                          tr("chart.acc.test"), TEST_COLOR, 2.0, hover))
    layout = _layout(tr("chart.acc.title"), uirevision,
                     xaxis=_axis(tr("chart.step"), rangemode="tozero"),
                     yaxis=_axis(tr("chart.acc.axis"), range=[-0.01, 1.01], tickformat=".0%"),
                     legend=_legend_top(), hovermode="x unified")
    if not len(history.train_accuracy):
        layout["annotations"] = [_no_data(tr)]
    return {"data": data, "layout": layout}


# -- 5. histograms -----------------------------------------------------------------------------
def _hist_matrix(series: Series, max_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps (T,), counts (T, bins)) with at most ``max_steps`` evenly spread columns."""
    steps, vals = series.steps, series.values
    T = len(steps)
    if T == 0:
        return np.zeros(0, dtype=np.int32), np.zeros((0, 0), dtype=np.float32)
    idx = (np.unique(np.linspace(0, T - 1, max_steps).round().astype(np.intp))
           if T > max_steps else np.arange(T))
    counts = np.stack([np.asarray(vals[i], dtype=np.float32) for i in idx])
    return np.asarray(steps, dtype=np.int32)[idx], counts


def _log_counts_scale(top: float, k: int = 6) -> list[list[Any]]:
    """A colour scale over raw counts 0..top that is logarithmic from 1 up: 0 is white (blank),
    1 already the lightest visible blue, ``top`` the darkest. Lets z stay integer counts (small
    payload, exact hover) while a handful of weights in the tails still shows."""
    if top <= 1:
        return [[0.0, "#ffffff"], [1.0, SEQUENTIAL[-1][1]]]
    frac = np.linspace(0.0, 1.0, k + 1)
    pos = np.exp(frac * math.log(top)) / top  # count top**f, as a fraction of top
    pos[-1] = 1.0  # exactly (rounding gives 1.0000000000000004)
    stops = [p for p, _ in SEQUENTIAL]
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in SEQUENTIAL], float)
    cols = np.stack([np.interp(frac, stops, rgb[:, i]) for i in range(3)], axis=1).round()
    return [[0.0, "#ffffff"]] + [[float(p), "rgb({:.0f},{:.0f},{:.0f})".format(*c)]
                                 for p, c in zip(pos, cols)]


def _hist_heatmap(series: Series, bins: HistogramBins, max_steps: int,
                  yaxis: str = "y") -> tuple[dict[str, Any] | None, list[float], list[float]]:
    """(image trace or None when empty, x range, y range): counts (bins, T) as a PNG, x = step
    (columns evenly spaced between the first and last step shown), y = bin value."""
    steps, counts = _hist_matrix(series, max_steps)
    edges = np.asarray(bins.edges, dtype=np.float64)
    y_range = [float(edges[0]), float(edges[-1])]
    if counts.size == 0:
        return None, [0.0, 1.0], y_range
    T = steps.size
    dx = float(steps[-1] - steps[0]) / (T - 1) if T > 1 else 1.0
    dx = dx if dx > 0 else 1.0
    top = float(counts.max(initial=0.0))
    trace = image_trace(counts.T, x0=float(steps[0]), dx=dx, y0=float(edges[0] + edges[1]) / 2,
                        dy=float(edges[1] - edges[0]), zmin=0.0, zmax=max(top, 1.0),
                        colorscale=_log_counts_scale(top), xaxis="x", yaxis=yaxis,
                        meta={"steps": [int(steps[0]), int(steps[-1]), T], "top": top})
    return trace, [float(steps[0]) - dx / 2, float(steps[-1]) + dx / 2], y_range


def histogram_over_time(series: Series, bins: HistogramBins, *, title: str, tr: Translate,
                        max_steps: int = 200, uirevision: str = "histogram") -> Figure:
    """TensorBoard-style distribution over time for one layer.

    series: values are count arrays (bins,); bins.edges (bins + 1,). One heatmap, x = step,
    y = bin centre, z = the counts (bins, T) as integers, coloured on a log scale (empty bins
    blank, see ``_log_counts_scale``). At most ``max_steps`` columns (evenly thinned, the first
    and last kept).
    """
    trace, _, y_range = _hist_heatmap(series, bins, max_steps)
    # scaleanchor False: an image trace otherwise makes plotly lock square pixels
    # x autoranges (an explicit range that moves every frame would undo a user's zoom);
    # y is fixed by the bins, and scaleanchor False stops the image trace locking square pixels
    layout = _layout(title, uirevision, xaxis=_axis(tr("chart.step")),
                     yaxis=_axis(tr("chart.hist.value"), range=y_range, scaleanchor=False),
                     hovermode="closest")
    if trace is None:
        layout["annotations"] = [_no_data(tr)]
    return {"data": [trace] if trace else [], "layout": layout}


def histograms_over_time(hist_by_layer: Mapping[str, Series],
                         bins_by_layer: Mapping[str, HistogramBins], *,
                         kind: str = "weights", tr: Translate, max_steps: int = 200,
                         row_height: int = 90, height: int | None = None,
                         uirevision: str | None = None) -> Figure:
    """One row per layer (first layer on top), one heatmap trace per layer, a shared step axis.

    Layers without bins yet (gradients at step 0) are left out. ``layout.height`` is set to
    fit the rows (``row_height`` px each) unless ``height`` is given.
    """
    if kind not in ("weights", "gradients"):
        raise ValueError(f"kind must be 'weights' or 'gradients', got {kind!r}")
    names = [n for n in hist_by_layer if n in bins_by_layer]
    title = tr("chart.hist.weights_title" if kind == "weights" else "chart.hist.grads_title")
    rows = max(len(names), 1)
    gap = 0.06 if rows > 1 else 0.0
    h = (1.0 - gap * (rows - 1)) / rows
    data: list[dict[str, Any]] = []
    layout = _layout(title, uirevision or f"hist-{kind}", hovermode="closest")
    for i, name in enumerate(names):
        ax = "y" if i == 0 else f"y{i + 1}"
        trace, _, y_range = _hist_heatmap(hist_by_layer[name], bins_by_layer[name],
                                          max_steps, ax)
        if trace is not None:
            data.append(trace)
        top = 1.0 - i * (h + gap)
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = _axis(
            name, domain=[max(top - h, 0.0), top], anchor="x", title_font={"size": 11},
            tickfont={"size": 10}, nticks=4, range=y_range,
            scaleanchor=False)  # an image trace otherwise locks square pixels
    bottom = "y" if rows == 1 else f"y{rows}"
    # x autoranges: an explicit range that moves every frame would undo a user's zoom
    layout["xaxis"] = _axis(tr("chart.step"), anchor=bottom)
    if not names or not any(len(hist_by_layer[n]) for n in names):
        layout["annotations"] = [_no_data(tr)]
    layout["height"] = int(height) if height else 70 + row_height * rows
    return {"data": data, "layout": layout}


def histogram_bars(counts: Any, edges: Any, *, title: str, tr: Translate,
                   uirevision: str = "histogram-now") -> Figure:
    """The current snapshot as pre-binned bars: counts (bins,), edges (bins + 1,)."""
    counts = _f32(counts).reshape(-1)
    edges = np.asarray(edges, dtype=np.float64).reshape(-1)
    if edges.size != counts.size + 1:
        raise ValueError(f"edges must have len(counts) + 1 = {counts.size + 1} entries, "
                         f"got {edges.size}")
    hover = (f"{tr('chart.hist.value')} %{{x:.3g}}<br>{tr('chart.hist.count')} "
             f"%{{y:.0f}}<extra></extra>")
    bar = {"type": "bar", "x": _f32((edges[:-1] + edges[1:]) / 2), "y": counts,
           "width": _f32(np.diff(edges)), "marker": {"color": BLUE, "line": {"width": 0}},
           "hovertemplate": hover, "name": tr("chart.hist.count")}
    layout = _layout(title, uirevision, xaxis=_axis(tr("chart.hist.value")),
                     yaxis=_axis(tr("chart.hist.count"), rangemode="tozero"), bargap=0.0,
                     showlegend=False, hovermode="closest")
    return {"data": [bar], "layout": layout}


# -- 6. gradient norms -------------------------------------------------------------------------
def grad_norms(history: TrainerHistory, *, tr: Translate,
               uirevision: str = "grad-norms") -> Figure:
    """Gradient norm per layer vs step on a log axis; zeros are gaps (log of 0)."""
    hover = "%{y:.3g}<extra>%{fullData.name}</extra>"
    data = []
    for i, (name, s) in enumerate(history.grad_norm.items()):
        v = _values(s)
        v = np.where(v > 0, v, np.nan).astype(np.float32)
        data.append(_line(_steps(s), v, name, PALETTE[i % len(PALETTE)], 1.8, hover))
    layout = _layout(tr("chart.grad.title"), uirevision,
                     xaxis=_axis(tr("chart.step"), rangemode="tozero"),
                     yaxis=_axis(tr("chart.grad.axis"), type="log", exponentformat="power"),
                     legend=_legend_top(), hovermode="x unified")
    if not any(len(s) > 1 for s in history.grad_norm.values()):
        layout["annotations"] = [_no_data(tr)]
    return {"data": data, "layout": layout}


# -- 7. readout --------------------------------------------------------------------------------
def _num(v: Any) -> str:
    if v is None:
        return "–"
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    return f"{v:.4f}" if 1e-3 <= abs(v) < 1e4 else f"{v:.3g}"


def readout(metrics: Mapping[str, Any], *, tr: Translate) -> str:
    """One markdown line of numbers (+ a plain warning when training diverged).

    metrics: the dict of Trainer.metrics(). Missing/None entries are left out.
    """
    items = [(tr("chart.readout.step"), str(metrics.get("step", 0))),
             (tr("chart.readout.epoch"), str(metrics.get("epoch", 0)))]
    for key, label in (("train_loss", "chart.readout.train_loss"),
                       ("test_loss", "chart.readout.test_loss")):
        if metrics.get(key) is not None:
            items.append((tr(label), _num(metrics[key])))
    for key, label in (("train_accuracy", "chart.readout.train_accuracy"),
                       ("test_accuracy", "chart.readout.test_accuracy")):
        v = metrics.get(key)
        if v is not None and math.isfinite(float(v)):
            items.append((tr(label), f"{float(v) * 100:.1f}%"))
    if metrics.get("lr") is not None:
        items.append((tr("chart.readout.lr"), f"{float(metrics['lr']):.3g}"))
    text = " · ".join(f"**{k}** {v}" for k, v in items)
    sps = metrics.get("steps_per_second")
    if sps:
        text += " · " + tr("chart.readout.speed", v=f"{float(sps):.0f}")
    if metrics.get("state") == "diverged":
        lr = metrics.get("lr")
        text += "\n\n⚠️ " + tr("chart.readout.diverged", step=metrics.get("step", 0),
                                lr="?" if lr is None else f"{float(lr):.3g}")
    return text
