"""Pure chart builders for the Images page: arrays in, plain Plotly figure dicts out.

Like ``playground.charts`` (whose look, loss and accuracy curves this page reuses): every
builder returns ``{"data": [...], "layout": {...}}`` for ``live_charts``; every visible word
comes from ``tr`` (catalog ``locales/<lang>/images.json``, keys ``img.chart.*``). The browser's
work is kept small: each picture is ONE heatmap trace (a mosaic of tiles), grey levels travel
as uint8 (one byte per pixel), weights as float32, and hover text sits on one invisible marker
per tile instead of on every pixel.

No streamlit here (a test enforces it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from playground.charts import FONT, MARGIN

__all__ = ["confusion_matrix", "feature_maps", "filters", "mosaic", "sample_grid"]

Translate = Callable[..., str]
Figure = dict[str, Any]

INK: list[list[Any]] = [[0.0, "#ffffff"], [1.0, "#111111"]]  # digits: ink is dark
ACTIVATION: list[list[Any]] = [[0.0, "#ffffff"], [0.35, "#9ecae1"], [0.7, "#3182bd"],
                               [1.0, "#08306b"]]
WEIGHTS: list[list[Any]] = [[0.0, "#b35806"], [0.5, "#f7f7f7"], [1.0, "#2166ac"]]
CONFUSION: list[list[Any]] = [[0.0, "#ffffff"], [0.15, "#deebf7"], [1.0, "#08519c"]]
RIGHT, WRONG = "#1a7f37", "#d1242f"
FRAME = "#c8c8c8"


def _layout(title: str, uirevision: str, **kw: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {
        "template": "none", "uirevision": uirevision, "font": dict(FONT),
        "margin": dict(MARGIN), "paper_bgcolor": "white", "plot_bgcolor": "white",
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "hoverlabel": {"font": {"size": 12}}, "showlegend": False, "hovermode": "closest",
    }
    lay.update(kw)
    return lay


def _hidden_axis(**kw: Any) -> dict[str, Any]:
    ax = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    ax.update(kw)
    return ax


def _message(text: str) -> dict[str, Any]:
    return {"text": text, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
            "showarrow": False, "font": {"size": 13, "color": "#666666"}}


def _to_uint8(a: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    a = np.nan_to_num(np.asarray(a, dtype=np.float32), nan=lo, posinf=hi, neginf=lo)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    return np.clip(np.rint((a - lo) * scale), 0, 255).astype(np.uint8)


def _normalized(maps: np.ndarray) -> np.ndarray:
    """Each map min-max scaled to 0..255 (a constant map is 0: blank)."""
    m = np.nan_to_num(np.asarray(maps, dtype=np.float32))
    lo = m.min(axis=(1, 2), keepdims=True)
    lo = np.minimum(lo, 0.0)  # ReLU maps: 0 stays white
    hi = m.max(axis=(1, 2), keepdims=True)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    return np.clip(np.rint((m - lo) / span * 255.0), 0, 255).astype(np.uint8)


def mosaic(tiles: np.ndarray, cols: int, gap: int, fill: float = 0.0) -> tuple[np.ndarray, list]:
    """Tiles (k, h, w) laid out ``cols`` per row with ``gap`` cells between them.

    Returns (z (rows·(h+gap)−gap, cols·(w+gap)−gap), boxes): boxes[i] = (x0, y0, x1, y1) of
    tile i in cell coordinates (cell centres at integers, so a tile spans x0−0.5..x1+0.5).
    """
    tiles = np.asarray(tiles)
    k, h, w = tiles.shape
    cols = max(1, min(int(cols), k))
    rows = max(1, -(-k // cols))
    z = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), fill, dtype=tiles.dtype)
    boxes = []
    for i in range(k):
        r, c = divmod(i, cols)
        y0, x0 = r * (h + gap), c * (w + gap)
        z[y0:y0 + h, x0:x0 + w] = tiles[i]
        boxes.append((x0, y0, x0 + w - 1, y0 + h - 1))
    return z, boxes


def _frame(box: tuple, color: str = FRAME, width: float = 1.0) -> dict[str, Any]:
    x0, y0, x1, y1 = box
    return {"type": "rect", "xref": "x", "yref": "y", "x0": x0 - 0.5, "y0": y0 - 0.5,
            "x1": x1 + 0.5, "y1": y1 + 0.5, "line": {"color": color, "width": width},
            "fillcolor": "rgba(0,0,0,0)", "layer": "above"}


def _tile_hover(boxes: Sequence[tuple], texts: Sequence[str]) -> dict[str, Any]:
    """One invisible marker per tile carrying its hover text."""
    b = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    return {"type": "scatter", "mode": "markers", "x": (b[:, 0] + b[:, 2]) / 2,
            "y": (b[:, 1] + b[:, 3]) / 2, "text": list(texts), "hoverinfo": "text",
            "marker": {"size": 14, "opacity": 0, "color": "#000000"}, "showlegend": False}


def _image_axes(width: float, height: float) -> dict[str, Any]:
    return {"xaxis": _hidden_axis(range=[-0.5, width - 0.5], constrain="domain"),
            "yaxis": _hidden_axis(range=[height - 0.5, -0.5], scaleanchor="x", scaleratio=1,
                                  constrain="domain")}


# -- 1. test images with predictions -------------------------------------------------------------
def sample_grid(images: Any, true: Any, pred: Any, confidence: Any, *, class_names: Sequence[str],
                tr: Translate, index: Any = None, cols: int = 4,
                uirevision: str = "samples") -> Figure:
    """A grid of test images with the predicted class above each, wrong ones framed in red.

    images (k, h, w) in [0, 1] (ink high); true / pred (k,) class ids; confidence (k,) the
    probability of the predicted class; index (k,) the images' positions in the test set.
    One uint8 heatmap, k label annotations, k frames and one hover marker trace.
    """
    imgs = np.asarray(images, dtype=np.float32)
    if imgs.ndim != 3:
        raise ValueError(f"images must have shape (k, h, w), got {imgs.shape}")
    k, h, w = imgs.shape
    true = np.asarray(true, dtype=np.int64).reshape(-1)
    pred = np.asarray(pred, dtype=np.int64).reshape(-1)
    conf = np.asarray(confidence, dtype=np.float32).reshape(-1)
    if not (true.size == pred.size == conf.size == k):
        raise ValueError(f"need {k} labels, predictions and confidences, got "
                         f"{true.size}, {pred.size}, {conf.size}")
    index = np.arange(k) if index is None else np.asarray(index).reshape(-1)
    names = [str(c) for c in class_names]
    label_rows = max(2, math.ceil(0.45 * h))  # room for the label above each tile
    cols_n = max(1, min(int(cols), k))
    rows_n = max(1, -(-k // cols_n))
    gap_x = max(1, math.ceil(0.15 * w))
    pitch_y = h + label_rows
    Z = np.zeros((rows_n * pitch_y, cols_n * (w + gap_x) - gap_x), dtype=np.uint8)
    boxes = []
    for i in range(k):
        r, c = divmod(i, cols_n)
        x0, y0 = c * (w + gap_x), r * pitch_y + label_rows
        Z[y0:y0 + h, x0:x0 + w] = _to_uint8(imgs[i])
        boxes.append((x0, y0, x0 + w - 1, y0 + h - 1))
    wrong = pred != true
    heat = {"type": "heatmap", "z": Z, "zmin": 0, "zmax": 255, "colorscale": INK,
            "showscale": False, "hoverinfo": "skip", "zsmooth": False}
    right_t, wrong_t = tr("img.chart.samples.right", pred="{pred}"), \
        tr("img.chart.samples.wrong", pred="{pred}", true="{true}")
    hover_t = tr("img.chart.samples.hover", index="{index}", pred="{pred}", conf="{conf}",
                 true="{true}")
    annotations, shapes, hovers = [], [], []
    for i, (x0, y0, x1, _) in enumerate(boxes):
        p, t_ = names[pred[i]], names[true[i]]
        text = wrong_t.format(pred=p, true=t_) if wrong[i] else right_t.format(pred=p)
        annotations.append({"x": (x0 + x1) / 2, "y": y0 - 0.6, "xref": "x", "yref": "y",
                            "text": text, "showarrow": False, "yanchor": "bottom",
                            "font": {"size": 12, "color": WRONG if wrong[i] else RIGHT}})
        shapes.append(_frame(boxes[i], WRONG if wrong[i] else FRAME, 2.5 if wrong[i] else 1.0))
        hovers.append(hover_t.format(index=int(index[i]), pred=p, conf=f"{conf[i]:.0%}",
                                     true=t_))
    title = tr("img.chart.samples.title", wrong=int(wrong.sum()), k=k)
    layout = _layout(title, uirevision, **_image_axes(Z.shape[1], Z.shape[0]),
                     annotations=annotations, shapes=shapes)
    layout["title"]["subtitle"] = {"text": tr("img.chart.samples.subtitle"),
                                   "font": {"size": 11, "color": "#666666"}}
    layout["margin"] = {"l": 8, "r": 8, "t": 58, "b": 8}
    return {"data": [heat, _tile_hover(boxes, hovers)], "layout": layout}


# -- 2. confusion matrix ------------------------------------------------------------------------
def confusion_matrix(counts: Any, *, class_names: Sequence[str], tr: Translate,
                     uirevision: str = "confusion") -> Figure:
    """Test-set confusion matrix: rows the true class, columns the prediction.

    Colour is the share of the row (so a rare class shows its mistakes as clearly as a common
    one); each cell's text is the count (empty for 0). Title: the test accuracy.
    """
    cm = np.asarray(counts, dtype=np.int64)
    n = len(class_names)
    if cm.shape != (n, n):
        raise ValueError(f"counts must have shape {(n, n)}, got {cm.shape}")
    rows = cm.sum(axis=1, keepdims=True)
    share = np.where(rows > 0, cm / np.maximum(rows, 1), 0.0).astype(np.float32)
    text = [[str(v) if v else "" for v in row] for row in cm.tolist()]
    names = [str(c) for c in class_names]
    total = int(cm.sum())
    acc = float(np.trace(cm)) / total if total else float("nan")
    hover = tr("img.chart.confusion.hover", true="%{y}", pred="%{x}", n="%{text}",
               share="%{z:.0%}") + "<extra></extra>"
    heat = {"type": "heatmap", "x": names, "y": names, "z": share, "zmin": 0.0, "zmax": 1.0,
            "colorscale": CONFUSION, "showscale": False, "text": text,
            "texttemplate": "%{text}", "textfont": {"size": 11}, "hovertemplate": hover,
            "xgap": 1, "ygap": 1}
    title = (tr("img.chart.confusion.title", acc=f"{acc:.1%}") if total
             else tr("img.chart.confusion.title_empty"))
    layout = _layout(
        title, uirevision,
        xaxis={"title": {"text": tr("img.chart.confusion.predicted"), "standoff": 4},
               "type": "category", "side": "bottom", "showgrid": False, "ticks": "",
               "constrain": "domain", "fixedrange": True},
        yaxis={"title": {"text": tr("img.chart.confusion.true"), "standoff": 4},
               "type": "category", "autorange": "reversed", "showgrid": False, "ticks": "",
               "scaleanchor": "x", "scaleratio": 1, "constrain": "domain", "fixedrange": True},
        plot_bgcolor="white")
    layout["margin"] = {"l": 56, "r": 8, "t": 40, "b": 48}
    return {"data": [heat], "layout": layout}


# -- 3. first-layer filters ---------------------------------------------------------------------
def _shrink(maps: np.ndarray, max_side: int) -> np.ndarray:
    """Average-pool tiles by 2 until they are at most ``max_side`` on a side (fewer cells)."""
    while maps.shape[1] > max_side and maps.shape[1] % 2 == 0 and maps.shape[2] % 2 == 0:
        k, h, w = maps.shape
        maps = maps.reshape(k, h // 2, 2, w // 2, 2).mean(axis=(2, 4))
    return maps


def filters(maps: Any, *, kind: str | None, total: int, tr: Translate, cols: int = 8,
            max_side: int = 14, uirevision: str = "filters") -> Figure:
    """The first layer's weights as small pictures on one symmetric scale (orange −, blue +).

    kind "conv2d": maps (k, kh, kw), one kernel per filter. kind "dense": maps (k, h, w), each
    unit's weights reshaped to the image it reads (tiles above ``max_side`` are averaged down
    by 2, which keeps the picture and quarters the cells). ``maps`` None: a note says why
    there is nothing to draw. ``total``: filters/units in the layer (k may show fewer).
    """
    if kind not in ("conv2d", "dense", None):
        raise ValueError(f"kind must be 'conv2d', 'dense' or None, got {kind!r}")
    if maps is None or kind is None:
        key = "img.chart.filters.none" if kind is None else "img.chart.filters.not_image"
        layout = _layout(tr("img.chart.filters.title_none"), uirevision,
                         xaxis=_hidden_axis(), yaxis=_hidden_axis(),
                         annotations=[_message(tr(key))])
        return {"data": [], "layout": layout}
    m = np.asarray(maps, dtype=np.float32)
    if m.ndim != 3:
        raise ValueError(f"maps must have shape (k, h, w), got {m.shape}")
    if kind == "dense":
        m = _shrink(m, max_side)
    k, h, w = m.shape
    top = float(np.abs(np.nan_to_num(m)).max(initial=0.0))
    top = top if top > 1e-12 else 1.0
    z, boxes = mosaic(m, cols, 1, np.nan)
    unit = "img.chart.filters.filter" if kind == "conv2d" else "img.chart.filters.unit"
    unit_t = tr(unit, i="{i}")
    # one number per tile in the hover (its largest |w|) keeps the payload to the tiles
    peaks = np.abs(m).reshape(k, -1).max(axis=1)
    hover = [unit_t.format(i=i + 1) + f"<br>max |w| = {peaks[i]:.3f}" for i in range(k)]
    heat = {"type": "heatmap", "z": z, "zmin": -top, "zmax": top, "colorscale": WEIGHTS,
            "showscale": False, "hoverinfo": "skip", "zsmooth": False}
    key = "img.chart.filters.title_conv" if kind == "conv2d" else "img.chart.filters.title_dense"
    layout = _layout(tr(key, shown=k, total=int(total)), uirevision,
                     **_image_axes(z.shape[1], z.shape[0]),
                     shapes=[_frame(b) for b in boxes])
    layout["margin"] = {"l": 8, "r": 8, "t": 40, "b": 8}
    return {"data": [heat, _tile_hover(boxes, hover)], "layout": layout}


# -- 4. feature maps ------------------------------------------------------------------------------
def _fit(tile: np.ndarray, side: int) -> np.ndarray:
    """Nearest-upsample a (h, w) map by an integer factor to at most side×side, centred."""
    h, w = tile.shape
    f = max(1, side // max(h, w))
    big = np.repeat(np.repeat(tile, f, axis=0), f, axis=1)
    out = np.zeros((side, side), dtype=tile.dtype)
    y0, x0 = (side - big.shape[0]) // 2, (side - big.shape[1]) // 2
    out[y0:y0 + big.shape[0], x0:x0 + big.shape[1]] = big[:side, :side]
    return out


def feature_maps(image: Any, layers: Sequence[dict], *, tr: Translate, label: str = "",
                 index: int = 0, cols: int = 8, uirevision: str = "maps") -> Figure:
    """One image (left) and what the first Conv2D layers make of it (one band per layer).

    image (h, w) or (h, w, c) in [0, 1]; layers: ``{"title": str, "maps": (k, hi, wi),
    "total": int}`` per layer. Each map is scaled to its own range (0 white … its maximum dark
    blue); smaller maps are enlarged by whole pixels to the input's size. Two uint8 heatmaps
    (the input in grey, the maps in blue), a frame per tile, a label above each band and one
    hover marker per tile.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3:
        img = img.mean(axis=-1)
    if img.ndim != 2:
        raise ValueError(f"image must have shape (h, w) or (h, w, c), got {img.shape}")
    side = max(img.shape)
    gap = max(1, side // 6)
    label_rows = max(3, math.ceil(0.45 * side))
    pitch = side + gap
    x_maps = side + 3 * gap
    cols = max(1, int(cols))

    def caption(text: str, x: float, y: float) -> dict[str, Any]:
        return {"text": text, "x": x, "y": y, "xref": "x", "yref": "y", "xanchor": "left",
                "yanchor": "bottom", "showarrow": False, "font": {"size": 12}}

    data: list[dict[str, Any]] = [{
        "type": "heatmap", "z": _to_uint8(_fit(img, side)), "x0": 0, "dx": 1,
        "y0": label_rows, "dy": 1, "zmin": 0, "zmax": 255, "colorscale": INK,
        "showscale": False, "hoverinfo": "skip", "zsmooth": False}]
    boxes = [(0, label_rows, side - 1, label_rows + side - 1)]
    hovers = [tr("img.chart.maps.input")]
    annotations = [caption(tr("img.chart.maps.input"), -0.5, label_rows - 0.6)]
    bands = []
    y = 0
    for layer in layers:
        maps = np.asarray(layer["maps"], dtype=np.float32)
        tiles = _normalized(maps) if maps.size else np.zeros((0, side, side), np.uint8)
        tiles = np.stack([_fit(t, side) for t in tiles]) if len(tiles) else tiles
        n_rows = max(1, -(-len(tiles) // cols))
        bands.append((tiles, y, layer, maps))
        y += label_rows + n_rows * pitch
    if not bands:
        annotations.append({**caption(tr("img.chart.maps.none"), x_maps, label_rows + side / 2),
                            "yanchor": "middle", "font": {"size": 13, "color": "#666666"}})
        width, height = x_maps + 4 * pitch, label_rows + side
    else:
        width = x_maps + min(cols, max(len(b[0]) for b in bands)) * pitch - gap
        height = max(y - gap, label_rows + side)
        Z = np.zeros((height, width - x_maps), dtype=np.uint8)
        map_t = tr("img.chart.maps.map", layer="{layer}", i="{i}")
        for tiles, top, layer, maps in bands:
            k = len(tiles)
            annotations.append(caption(
                tr("img.chart.maps.band", layer=layer["title"], shown=k,
                   total=int(layer.get("total", k))), x_maps - 0.5, top + label_rows - 0.6))
            for i in range(k):
                r, c = divmod(i, cols)
                y0, x0 = top + label_rows + r * pitch, c * pitch
                Z[y0:y0 + side, x0:x0 + side] = tiles[i]
                boxes.append((x_maps + x0, y0, x_maps + x0 + side - 1, y0 + side - 1))
                hovers.append(map_t.format(layer=layer["title"], i=i + 1)
                              + f"<br>max = {float(maps[i].max()):.3g}")
        data.append({"type": "heatmap", "z": Z, "x0": x_maps, "dx": 1, "y0": 0, "dy": 1,
                     "zmin": 0, "zmax": 255, "colorscale": ACTIVATION, "showscale": False,
                     "hoverinfo": "skip", "zsmooth": False})
    data.append(_tile_hover(boxes, hovers))
    title = tr("img.chart.maps.title", index=int(index), label=label)
    layout = _layout(title, uirevision, **_image_axes(width, height), annotations=annotations,
                     shapes=[_frame(b) for b in boxes])
    layout["margin"] = {"l": 8, "r": 8, "t": 40, "b": 8}
    return {"data": data, "layout": layout}
